"""Korean pages speak Korean: every main page, seen by each role over the demo data, has no English left.

Each role's test reads its pages in Korean and collects every piece of visible text (text between tags and the
attributes people read: title, placeholder, aria-label, alt, button values) that still holds an English word;
names that are the same in both languages (``ALLOWED``), e-mail addresses and URLs are not English. All
offenders of a role are reported at once. The catalog itself is checked too: no fuzzy and no empty entries.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from bookings.models import Booking
from bookings.services import approve_booking, create_booking
from demo.layout import load_demo
from hall.models import Amenity, Building, Facility, Space
from notifications.models import Notification
from tenants.models import LeaseContract, Organization
from tests.factories import FROZEN_NOW, enable_totp

CATALOG = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# Words that are the same on Korean pages: names, abbreviations and formats.
ALLOWED = {
    # Names and abbreviations Korean text uses as they are.
    "Dongnam",
    "API",
    "ICS",
    "CSV",
    "PDF",
    "JPEG",
    "PNG",
    "QR",
    "TOTP",
    "Toss",
    "Google",
    "Outlook",
    "iPhone",
    "Mac",
    "webcal",
    # The language switch and the language field name each language in itself.
    "English",
    # Django's own Korean help text of the admin's multiple choice boxes names the keys to hold.
    "Control",
    "Command",
}
# Django's, not ours, and not translatable: the alt texts of the admin's icons (Yes/No, Search) and the names
# of permissions, which Django stores in English when it creates them ("Can add booking").
DJANGO_FIXED = re.compile(r"\| Can (?:add|change|delete|view) ")
DJANGO_ICONS = "/static/admin/img/"
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "pre", "noscript"}
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"(?:https?|webcal)://\S+|/[\w\-./?=&%]+")
# Codes that are not words: slugs (town-meeting-a), identifiers (dn_abc123), masked secrets (cN****).
CODE = re.compile(r"\b\w+(?:[-_]\w+)+\b|\w+\*{4,}")
WORD = re.compile(r"\b[A-Za-z]{2,}\b")


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """The text a reader sees, without what is marked English on purpose (lang="en": the language switch)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open: list[tuple[str, bool]] = []

    @property
    def _skipping(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = (
            self._skipping
            or tag in SKIPPED_ELEMENTS
            or "hidden" in attributes
            or (attributes.get("lang") or "").startswith("en")
        )
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, skip))
        if skip:
            return
        if tag == "img" and (attributes.get("src") or "").startswith(DJANGO_ICONS):
            return
        self.texts += [value for name, value in attrs if value and name in VISIBLE_ATTRIBUTES]
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


def english_in(html: str, data: frozenset[str] = frozenset()) -> list[str]:
    """The pieces of visible text of ``html`` that hold an English word; ``data`` are texts people entered in
    English on purpose (the English names of rooms and organizations, which the admin shows beside the Korean)."""
    parser = _VisibleText()
    parser.feed(html)
    offenders = []
    for text in parser.texts:
        if DJANGO_FIXED.search(text) or text in data:
            continue
        plain = CODE.sub(" ", URL.sub(" ", EMAIL.sub(" ", text)))
        if any(word not in ALLOWED for word in WORD.findall(plain)):
            offenders.append(" ".join(text.split())[:120])
    return offenders


@pytest.fixture
def demo(db):
    """The demo layout on a frozen day, with a paid booking of the startup six days later that the town's
    manager approved, and the notifications that sent delivered to the inboxes."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        load_demo(password=settings.DEMO_PASSWORD)
        users = {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith="@dongnam.example")}
        for name in ("manager.town", "admin"):
            enable_totp(users[name])
        startup = Organization.objects.get(members=users["startup"])
        booking = create_booking(
            requested_by=users["startup"],
            organization=startup,
            space=Space.objects.get(slug="town-meeting-a"),
            start=FROZEN_NOW + timedelta(days=6, hours=1),
            end=FROZEN_NOW + timedelta(days=6, hours=3),
            title="팀 회의",
            attendees=4,
        )
        if booking.status == Booking.Status.PENDING:
            booking = approve_booking(booking=booking, manager=users["manager.town"])
        Notification.objects.filter(channel=Notification.Channel.IN_APP).update(
            status=Notification.Status.SENT, sent_at=FROZEN_NOW
        )
        contract = LeaseContract.objects.get(organization__members=users["tenant"])
        yield {"users": users, "booking": booking, "startup": startup, "contract": contract}


def _korean_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    if user is not None:
        client.force_login(user)
    return client


def _english_names() -> frozenset[str]:
    names = set()
    for model in (Building, Facility, Space, Amenity, Organization):
        names.update(model.objects.exclude(name_en="").values_list("name_en", flat=True))
    return frozenset(names)


def _read(client: Client, paths: list[str]) -> list[str]:
    """Every offender on every page, as ``path: text``; a page that does not answer 200 is one too."""
    data = _english_names()
    problems = []
    for path in paths:
        response = client.get(path, follow=True)
        if response.status_code != 200:
            problems.append(f"{path}: answered {response.status_code}")
            continue
        problems += [f"{path}: {text}" for text in english_in(response.content.decode(), data)]
    return problems


def _assert_korean(problems):
    assert not problems, "English on Korean pages:\n" + "\n".join(dict.fromkeys(problems))


def test_a_visitors_pages_are_all_korean(demo):
    paths = [
        reverse("home"),
        reverse("bookings:space_list"),
        reverse("bookings:space_list") + "?facility=innovation-town&kind=meeting_room",
        reverse("bookings:space_detail", args=["town-meeting-a"]),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]
    _assert_korean(_read(_korean_client(), paths))


def test_a_startup_members_pages_are_all_korean(demo):
    client = _korean_client()
    # Signing in through the form, so the message it leaves is read too.
    response = client.post(
        reverse("account_login"),
        {"login": "startup@dongnam.example", "password": settings.DEMO_PASSWORD},
        follow=True,
    )
    problems = [f"after signing in: {text}" for text in english_in(response.content.decode())]
    booking = demo["booking"]
    paths = [
        reverse("bookings:my_bookings"),
        reverse("bookings:booking_detail", args=[booking.pk]),
        reverse("bookings:cancel_booking", args=[booking.pk]),
        reverse("bookings:check_in", args=[booking.space.slug]),
        reverse("tenants:organization_list"),
        reverse("tenants:organization_detail", args=[demo["startup"].pk]),
        reverse("tenants:contract_list"),
        reverse("notifications:list"),
        reverse("accounts:profile"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
    ]
    _assert_korean(problems + _read(client, paths))


def test_a_tenants_pages_are_all_korean(demo):
    contract = demo["contract"]
    paths = [
        reverse("tenants:contract_list"),
        reverse("tenants:contract_detail", args=[contract.pk]),
        reverse("tenants:organization_detail", args=[contract.organization_id]),
        reverse("notifications:list"),
        reverse("bookings:my_bookings"),
    ]
    _assert_korean(_read(_korean_client(demo["users"]["tenant"]), paths))


def test_a_managers_pages_are_all_korean(demo):
    booking = demo["booking"]
    paths = [
        reverse("hall:manage_dashboard"),
        reverse("bookings:approval_queue"),
        reverse("bookings:payments"),
        reverse("bookings:closure_list"),
        reverse("bookings:space_policy", args=[booking.space.slug]),
        reverse("bookings:space_qr", args=[booking.space.slug]),
        reverse("bookings:booking_detail", args=[booking.pk]),
        reverse("tenants:manage_contracts"),
        reverse("tenants:renewal_queue"),
        reverse("tenants:unit_list"),
        reverse("tenants:contract_detail", args=[demo["contract"].pk]),
        reverse("notifications:list"),
    ]
    _assert_korean(_read(_korean_client(demo["users"]["manager.town"]), paths))


def test_the_admins_pages_are_all_korean(demo):
    paths = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[demo["users"]["startup"].pk]),
        reverse("admin:hall_space_changelist"),
        reverse("admin:hall_facility_changelist"),
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:tenants_leasecontract_changelist"),
        reverse("admin:tenants_organization_changelist"),
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:notifications_notification_changelist"),
        reverse("hall:manage_dashboard"),
    ]
    _assert_korean(_read(_korean_client(demo["users"]["admin"]), paths))


# --- The catalog ---------------------------------------------------------------------------------------------


def _catalog_entries() -> list[dict]:
    """The entries of the Korean catalog: flags, msgid and the msgstr (or msgstr[n]) texts, header excluded."""
    entries, entry, field = [], None, None
    for line in [*CATALOG.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgid": "", "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                field, text = match.groups()
            else:
                text = re.match(r'^"(.*)"$', line).group(1)
            if field.startswith("msgstr"):
                entry["msgstr"][field] = entry["msgstr"].get(field, "") + text
            elif field == "msgid":
                entry["msgid"] += text
    return [entry for entry in entries if entry["msgid"] and not entry["obsolete"]]


def test_the_korean_catalog_has_no_fuzzy_entries():
    fuzzy = [entry["msgid"] for entry in _catalog_entries() if "fuzzy" in entry["flags"]]
    assert fuzzy == []


def test_every_entry_of_the_korean_catalog_is_translated():
    entries = _catalog_entries()
    assert len(entries) > 500
    untranslated = [entry["msgid"] for entry in entries if not entry["msgstr"] or not all(entry["msgstr"].values())]
    assert untranslated == []
