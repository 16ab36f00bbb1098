"""The mobile number on the account: a 6-digit code by SMS (through a stand-in of SOLAPI on loopback), kept
hashed, expiring, with limited tries, and asked for at a limited rate per number and per address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import phone
from accounts.models import PhoneVerification
from notifications.models import Notification
from tests.factories import UserFactory
from tests.solapi_standin import SolapiStandIn

pytestmark = pytest.mark.django_db

NUMBER = "01012345678"
PHONE_URL = "/accounts/profile/phone/"
CONFIRM_URL = "/accounts/profile/phone/confirm/"
REMOVE_URL = "/accounts/profile/phone/remove/"


@pytest.fixture
def solapi(settings):
    standin = SolapiStandIn().start()
    standin.configure(settings)
    yield standin
    standin.stop()


@pytest.fixture
def person(db):
    return UserFactory(email="phone.owner@example.com", language="ko")


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def ask(client, number=NUMBER, ip="203.0.113.7"):
    return client.post(PHONE_URL, {"phone": number}, REMOTE_ADDR=ip)


def code_sent_to(standin, number=NUMBER) -> str:
    text = standin.texts_to(number)[-1]
    return re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)


def enter(client, code):
    return client.post(CONFIRM_URL, {"code": code})


# --- The number -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["010-1234-5678", "01012345678", "010 1234 5678", "010.1234.5678", "+82 10-1234-5678", "82-10-1234-5678"]
)
def test_a_korean_mobile_number_is_read_in_its_usual_forms(raw):
    assert phone.normalize(raw) == NUMBER
    assert phone.display(NUMBER) == "010-1234-5678"


@pytest.mark.parametrize(
    "raw", ["", "011-123-4567", "02-123-4567", "010-1234-567", "010-1234-56789", "0101234567a", "+1 202 555 0100"]
)
def test_anything_but_a_010_mobile_number_is_refused(raw):
    with pytest.raises(phone.PhoneError) as refusal:
        phone.normalize(raw)
    assert refusal.value.code == "invalid_number"


def test_a_wrong_number_on_the_page_is_a_400_next_to_the_field(signed_in, solapi):
    response = ask(signed_in, "02-123-4567")

    assert response.status_code == 400
    assert "010으로 시작하는 휴대전화 번호를 입력하세요" in response.content.decode()
    assert solapi.requests == 0


# --- Sending and entering the code ------------------------------------------------------------------


def test_the_code_goes_by_sms_straight_away_and_only_its_hash_is_kept(signed_in, person, solapi):
    response = ask(signed_in, "010-1234-5678")

    assert response.status_code == 302
    assert response.url == "/accounts/profile/phone/#code-heading"
    (message,) = solapi.accepted
    assert (message["type"], message["to"], message["from"]) == ("SMS", NUMBER, "0552121000")
    code = code_sent_to(solapi)
    assert message["text"] == f"[동남전시장] 인증번호는 {code}입니다. 5분 안에 입력하세요."
    verification = PhoneVerification.objects.get(user=person)
    assert verification.phone == NUMBER
    assert code not in verification.code_hash and len(verification.code_hash) == 64
    # Not a notification: no outbox row, and it waits for no quiet hours.
    assert Notification.objects.count() == 0
    page = signed_in.get(PHONE_URL).content.decode()
    assert "010-1234-5678</strong>(으)로 인증번호를 보냈습니다" in page


def test_the_right_code_verifies_the_number(signed_in, person, solapi):
    ask(signed_in)

    response = enter(signed_in, code_sent_to(solapi))

    assert response.status_code == 302
    assert response.url == "/accounts/profile/#phone-heading"
    person.refresh_from_db()
    assert person.phone == NUMBER
    assert person.phone_verified_at == pytest.approx(timezone.now(), abs=timedelta(seconds=5))
    assert not PhoneVerification.objects.filter(user=person).exists()
    page = signed_in.get("/accounts/profile/").content.decode()
    assert '<strong>010-1234-5678</strong> <span class="badge">인증됨</span>' in page


def test_a_code_sent_at_night_is_sent_at_once(signed_in, solapi):
    night = timezone.make_aware(timezone.datetime(2026, 12, 1, 23, 30))
    with time_machine.travel(night, tick=False):
        assert ask(signed_in).status_code == 302

    assert len(solapi.accepted) == 1


def test_a_wrong_code_is_a_clear_400_and_five_wrong_codes_use_the_code_up(signed_in, person, solapi):
    ask(signed_in)
    right = code_sent_to(solapi)
    wrong = "000000" if right != "000000" else "111111"

    for tries_left in (4, 3, 2, 1):
        response = enter(signed_in, wrong)
        assert response.status_code == 400
        assert f"보낸 인증번호와 다릅니다. {tries_left}번 더 입력할 수 있습니다." in response.content.decode()

    response = enter(signed_in, wrong)
    assert response.status_code == 429
    assert "인증번호가 여러 번 틀렸습니다. 새 인증번호를 받으세요." in response.content.decode()
    # Used up: the right code no longer works either.
    assert enter(signed_in, right).status_code == 429
    person.refresh_from_db()
    assert person.phone == ""


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", ""])
def test_a_code_that_is_not_six_digits_is_a_400(signed_in, solapi, typed):
    ask(signed_in)

    response = enter(signed_in, typed)

    assert response.status_code == 400
    assert PhoneVerification.objects.get().attempts == 0


def test_the_code_expires_after_five_minutes(signed_in, person, solapi):
    ask(signed_in)
    code = code_sent_to(solapi)

    with time_machine.travel(timezone.now() + phone.CODE_VALID + timedelta(seconds=1)):
        response = enter(signed_in, code)

    assert response.status_code == 400
    assert "인증번호가 만료되었습니다. 새 인증번호를 받으세요." in response.content.decode()
    person.refresh_from_db()
    assert person.phone == ""


def test_a_new_code_replaces_the_previous_one(signed_in, person, solapi):
    ask(signed_in)
    first = code_sent_to(solapi)
    ask(signed_in)
    second = code_sent_to(solapi)

    if first != second:
        assert enter(signed_in, first).status_code == 400
    assert enter(signed_in, second).status_code == 302


def test_entering_a_code_before_asking_for_one_is_a_400(signed_in, solapi):
    response = enter(signed_in, "123456")

    assert response.status_code == 400
    assert "먼저 인증번호를 받으세요." in response.content.decode()


def test_another_persons_code_does_not_verify_my_number(client, person, solapi):
    other = UserFactory(email="other@example.com")
    client.force_login(other)
    ask(client)
    others_code = code_sent_to(solapi)

    client.force_login(person)
    ask(client, ip="198.51.100.1")
    mine = code_sent_to(solapi)

    if others_code != mine:
        assert enter(client, others_code).status_code == 400
    person.refresh_from_db()
    assert person.phone == ""


# --- Rate limits ---------------------------------------------------------------------------------------


def test_three_codes_per_number_in_ten_minutes_whoever_asks_and_from_wherever(client, person, solapi):
    client.force_login(person)
    for number in range(3):
        assert ask(client, ip=f"203.0.113.{number}").status_code == 302

    other = UserFactory(email="someone.else@example.com")
    client.force_login(other)
    response = ask(client, ip="198.51.100.9")

    assert response.status_code == 429
    assert "인증번호 요청이 너무 많습니다. 몇 분 뒤에 다시 시도하세요." in response.content.decode()
    assert len(solapi.accepted) == 3
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        assert ask(client, ip="198.51.100.9").status_code == 302


def test_ten_codes_per_address_in_an_hour_whichever_number(signed_in, solapi):
    for number in range(10):
        assert ask(signed_in, f"010-5555-00{number:02d}").status_code == 302

    assert ask(signed_in, "010-5555-0099").status_code == 429
    # Another address may still ask.
    assert ask(signed_in, "010-5555-0099", ip="198.51.100.200").status_code == 302
    assert len(solapi.accepted) == 11


# --- The provider in trouble, no provider -----------------------------------------------------------------


def test_a_provider_down_is_a_503_that_says_to_try_again_and_keeps_no_code(signed_in, person, solapi):
    solapi.fail_next("500")

    response = ask(signed_in)

    assert response.status_code == 503
    assert "지금은 인증번호를 보내지 못했습니다. 몇 분 뒤에 다시 시도하세요." in response.content.decode()
    assert not PhoneVerification.objects.filter(user=person).exists()


def test_a_provider_that_does_not_answer_in_time_is_a_503_not_a_500(signed_in, solapi):
    solapi.fail_next("timeout")

    assert ask(signed_in).status_code == 503


def test_a_number_the_provider_refuses_is_a_400(signed_in, solapi):
    solapi.fail_next("400")

    response = ask(signed_in)

    assert response.status_code == 400
    assert "이 번호로 인증번호를 보낼 수 없습니다." in response.content.decode()


def test_without_keys_no_number_can_be_added_and_the_pages_say_why(signed_in, settings):
    settings.MESSAGING_PROVIDER = ""

    page = signed_in.get(PHONE_URL).content.decode()
    assert "이 사이트에는 카카오톡과 문자 알림이 설정되어 있지 않아 번호를 인증할 수 없습니다." in page
    assert 'name="phone"' not in page
    profile = signed_in.get("/accounts/profile/").content.decode()
    assert "이 사이트에는 카카오톡과 문자 알림이 설정되어 있지 않습니다." in profile
    assert "알림은 이메일과 종 모양 아이콘으로 받습니다." in profile
    assert reverse("accounts:phone") not in profile

    response = ask(signed_in)
    assert response.status_code == 400
    assert "번호를 인증할 수 없습니다." in response.content.decode()


# --- Changing and removing the number ---------------------------------------------------------------------


@pytest.fixture
def verified(person):
    person.phone = NUMBER
    person.phone_verified_at = timezone.now() - timedelta(days=3)
    person.save(update_fields=["phone", "phone_verified_at"])
    return person


def test_changing_the_number_keeps_the_old_one_until_the_new_one_is_verified(signed_in, verified, solapi):
    ask(signed_in, "010-9876-5432")
    verified.refresh_from_db()
    assert verified.phone == NUMBER

    assert enter(signed_in, code_sent_to(solapi, "01098765432")).status_code == 302
    verified.refresh_from_db()
    assert verified.phone == "01098765432"


def test_asking_again_for_the_verified_number_is_a_400(signed_in, verified, solapi):
    response = ask(signed_in, "010-1234-5678")

    assert response.status_code == 400
    assert "이미 계정에 인증된 번호입니다." in response.content.decode()
    assert solapi.requests == 0


def test_removing_the_number_stops_the_texts(signed_in, verified, solapi):
    ask(signed_in, "010-9876-5432")

    response = signed_in.post(REMOVE_URL)

    assert response.status_code == 302
    verified.refresh_from_db()
    assert (verified.phone, verified.phone_verified_at) == ("", None)
    assert not PhoneVerification.objects.filter(user=verified).exists()


def test_the_pages_need_sign_in_and_removing_needs_post(client, db):
    for url in (PHONE_URL, CONFIRM_URL, REMOVE_URL):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(REMOVE_URL).status_code == 405
    assert client.get(CONFIRM_URL).status_code == 405
