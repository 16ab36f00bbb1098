"""allauth's mails speak in the hall's name, in the reader's language, with every link on a line of its own."""

import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8810"
PASSWORD = "Changwon-harbour-2024!"
LINK = re.compile(r"https?://\S+")
GREETING = {"ko": "안녕하세요, 동남전시장입니다.", "en": "Hello from the Dongnam Exhibition Hall."}
PREFIX = {"ko": "[동남전시장] ", "en": "[Dongnam] "}
CONFIRM = {"ko": "확인하려면 아래 링크를 여세요:", "en": "To confirm it, open this link:"}
RESET = {"ko": "새 비밀번호를 정하려면 아래 링크를 여세요:", "en": "To choose a new password, open this link:"}


def assert_links_stand_alone(body: str) -> list[str]:
    """Every link fills its own line, with no word or particle glued to it; returns the links."""
    links = []
    for line in body.splitlines():
        for link in LINK.findall(line):
            assert line.strip() == link, f"a link shares its line: {line!r}"
            links.append(link)
    assert links, body
    return links


def assert_spoken_in_the_halls_name(message, language: str) -> None:
    assert message.subject.startswith(PREFIX[language])
    assert message.from_email.startswith("동남전시장 <")
    assert message.body.splitlines()[0] == GREETING[language]
    # The host the request came in on appears in links only, never as the sender's name.
    assert all(HOST not in line for line in message.body.splitlines() if not LINK.search(line))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_confirmation_mail_of_a_signup(client, mailoutbox, language):
    client.post(
        "/accounts/signup/",
        {"email": "new.member@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=HOST,
        HTTP_ACCEPT_LANGUAGE=language,
    )

    [message] = mailoutbox
    assert_spoken_in_the_halls_name(message, language)
    assert CONFIRM[language] in message.body
    [link, _site] = assert_links_stand_alone(message.body)
    assert link.startswith(f"http://{HOST}/accounts/confirm-email/")
    # The link works as it stands: it confirms the address.
    assert client.post(link.removeprefix(f"http://{HOST}"), HTTP_HOST=HOST).status_code == 302


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_password_reset_mail_is_in_the_account_owners_language(client, mailoutbox, language):
    UserFactory(email="member@example.com", language=language)
    other_language = "en" if language == "ko" else "ko"

    client.post(
        "/accounts/password/reset/",
        {"email": "member@example.com"},
        HTTP_HOST=HOST,
        HTTP_ACCEPT_LANGUAGE=other_language,
    )

    [message] = mailoutbox
    assert_spoken_in_the_halls_name(message, language)
    assert RESET[language] in message.body
    [link, _site] = assert_links_stand_alone(message.body)
    assert link.startswith(f"http://{HOST}/accounts/password/reset/key/")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_signup_with_a_registered_address_mails_the_owner_a_reset_link(client, mailoutbox, language):
    UserFactory(email="member@example.com", language=language)

    client.post(
        "/accounts/signup/",
        {"email": "member@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=HOST,
    )

    [message] = mailoutbox
    assert_spoken_in_the_halls_name(message, language)
    links = assert_links_stand_alone(message.body)
    assert any("/accounts/password/reset/" in link for link in links)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_reset_for_an_unknown_address_is_answered_in_the_language_of_the_request(client, mailoutbox, language):
    client.post(
        "/accounts/password/reset/", {"email": "nobody@example.com"}, HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language
    )

    [message] = mailoutbox
    assert_spoken_in_the_halls_name(message, language)
    links = assert_links_stand_alone(message.body)
    assert any(link.endswith("/accounts/signup/") for link in links)


def test_a_notification_mail_puts_its_link_on_a_line_of_its_own(settings):
    message = SimpleNamespace(
        subject="[Dongnam] Your booking is approved",
        lines=["Your booking is approved."],
        items=["Robot demo"],
        link=f"{settings.SITE_URL}/bookings/7/",
        link_label="Open the booking",
    )

    body = render_to_string("notifications/email/message.txt", {"message": message, "site_url": settings.SITE_URL})

    assert assert_links_stand_alone(body) == [
        f"{settings.SITE_URL}/bookings/7/",
        f"{settings.SITE_URL}/accounts/profile/",
    ]
