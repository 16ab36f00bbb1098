"""The facility's bank account for transfers: checked when entered, and named wherever a fee is due (the booking
page and the approval message, both from bookings.payment_instructions)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from bookings import services
from bookings.payment_instructions import payment_instructions
from hall.models import Facility

pytestmark = pytest.mark.django_db

ACCOUNT = "농협 301-1234-5678-91 (예금주 경남사회적경제혁신타운)"


@pytest.fixture
def approved(pending, manager):
    return services.approve_booking(booking=pending, manager=manager)


def test_the_instructions_name_the_bank_the_number_and_the_holder(approved):
    with translation.override("ko"):
        text = payment_instructions(approved)

    assert text.startswith("2026-12-03 (목) 09:00까지 10,000원을 경남사회적경제혁신타운에 계좌이체하거나")
    assert text.endswith(f"입금 계좌: {ACCOUNT}.")


def test_in_english(approved):
    with translation.override("en"):
        text = payment_instructions(approved)

    assert "Pay 10,000 won by 2026-12-03 (Thu) 09:00" in text
    assert text.endswith("Account: 농협 301-1234-5678-91 (account holder 경남사회적경제혁신타운).")


def test_without_an_account_the_booker_is_asked_to_contact_the_facility(approved, town):
    town.bank_name = town.bank_account_number = town.bank_account_holder = ""
    town.save()
    approved.refresh_from_db()

    with translation.override("ko"):
        text = payment_instructions(approved)

    assert "입금 계좌" not in text
    assert text.endswith("납부 계좌는 시설에 문의하세요: 055-000-1000.")


def test_the_booking_page_shows_the_account_with_the_deadline(approved, member_client):
    body = member_client.get(approved.get_absolute_url()).content.decode()

    assert "2026-12-03 (목) 09:00까지 10,000원을" in body
    assert ACCOUNT in body


def test_the_approval_mail_names_the_account(pending, manager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_booking(booking=pending, manager=manager)

    assert len(mailoutbox) == 1
    assert ACCOUNT in " ".join(mailoutbox[0].body.split())


def test_a_paid_booking_owes_nothing_and_shows_no_account(paid, member_client):
    assert payment_instructions(paid) == ""
    assert ACCOUNT not in member_client.get(paid.get_absolute_url()).content.decode()


@pytest.mark.parametrize("number", ["301-1234-5678-91", "3011234567891", "1002-345-678901"])
def test_digits_in_hyphenated_groups_are_an_account_number(town, number):
    town.bank_account_number = number
    town.full_clean()


@pytest.mark.parametrize("number", ["301 1234 5678", "301-1234-ABCD", "-3011234", "301--1234", "301-1234-"])
def test_other_characters_are_refused_in_the_form_and_by_the_database(town, number):
    town.bank_account_number = number

    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "bank_account_number" in error.value.message_dict

    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.filter(pk=town.pk).update(bank_account_number=number)


def test_the_bank_number_and_holder_go_together(town):
    town.bank_account_holder = ""

    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert list(error.value.message_dict) == ["bank_account_holder"]
    assert town.bank_account_display == ""


def test_the_admin_edits_the_account(town, admin_user, client):
    client.force_login(admin_user)

    body = client.get(f"/admin/hall/facility/{town.pk}/change/").content.decode()

    for field in ("bank_name", "bank_account_number", "bank_account_holder"):
        assert f'name="{field}"' in body
