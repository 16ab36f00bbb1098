import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tenants.models import Organization
from tenants.validators import business_number_check_digit
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _cleaned(business_number):
    organization = Organization(name="동남테스트", business_number=business_number)
    organization.full_clean()
    return organization


def _errors_of(business_number):
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            _cleaned(business_number)
        return {field: [str(message) for message in messages] for field, messages in raised.value.message_dict.items()}


@pytest.mark.parametrize("written", ["609-82-00012", "6098200012", " 609 82 00012 ", "609-8200012"])
def test_a_valid_business_number_is_stored_as_its_ten_digits(written):
    organization = _cleaned(written)

    assert organization.business_number == "6098200012"
    assert organization.business_number_display == "609-82-00012"


def test_a_normalized_business_number_is_saved_and_found(db):
    organization = _cleaned("609-86-00024")
    organization.save()

    stored = Organization.objects.get(business_number="6098600024")
    assert stored.pk == organization.pk
    assert stored.business_number_display == "609-86-00024"


def test_the_check_digit_helper_agrees_with_known_numbers():
    assert business_number_check_digit("609820001") == 2
    assert business_number_check_digit("609860002") == 4


def test_a_wrong_check_digit_is_refused():
    errors = _errors_of("609-82-00013")

    assert errors == {
        "business_number": ["This business registration number is not valid (its check digit does not match)."]
    }


def test_letters_are_refused():
    errors = _errors_of("609-82-0001A")

    assert errors == {"business_number": ["A business registration number has digits only."]}


@pytest.mark.parametrize("written", ["609-82-0001", "12345", "609-82-000"])
def test_a_wrong_length_is_refused(written):
    errors = _errors_of(written)

    assert errors == {"business_number": ["A business registration number has 10 digits."]}


def test_too_many_digits_are_refused():
    errors = _errors_of("609-82-000123")

    assert list(errors) == ["business_number"]
    assert "A business registration number has 10 digits." in errors["business_number"]


def test_an_impossible_tax_office_code_is_refused():
    # 000 is no tax office; the check digit 0 would otherwise match.
    first_nine = "000820001"
    errors = _errors_of(first_nine + str(business_number_check_digit(first_nine)))

    assert errors == {"business_number": ["This business registration number is not valid."]}


def test_an_organization_without_business_number_is_valid():
    organization = Organization(name="임의단체", business_number=None)
    organization.full_clean()
    organization.save()

    assert organization.business_number_display == ""


def test_several_organizations_without_business_number_may_exist():
    Organization.objects.create(name="첫째 모임")
    Organization.objects.create(name="둘째 모임")

    assert Organization.objects.filter(business_number__isnull=True).count() == 2


def test_a_duplicate_business_number_is_refused_by_full_clean():
    OrganizationFactory(business_number="6098200012")

    errors = _errors_of("609-82-00012")

    assert list(errors) == ["business_number"]
    assert "already exists" in errors["business_number"][0]


def test_a_duplicate_business_number_is_refused_by_the_database():
    OrganizationFactory(business_number="6098200012")

    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="중복", business_number="6098200012")

    assert Organization.objects.filter(business_number="6098200012").count() == 1


@pytest.mark.parametrize("stored", ["60982000AB", "609-820001", "          "])
def test_the_database_refuses_a_business_number_that_is_not_ten_digits(stored):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="우회", business_number=stored)

    assert not Organization.objects.exists()


def test_the_database_refuses_an_update_to_a_non_digit_business_number():
    organization = OrganizationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=organization.pk).update(business_number="6098200O12")

    organization.refresh_from_db()
    assert organization.business_number.isdigit()


def test_social_economy_kinds():
    assert OrganizationFactory(kind=Organization.Kind.COOPERATIVE).is_social_economy
    assert OrganizationFactory(kind=Organization.Kind.SOCIAL_ENTERPRISE).is_social_economy
    assert not OrganizationFactory(kind=Organization.Kind.STARTUP).is_social_economy


def test_display_name_follows_the_language():
    organization = OrganizationFactory(name="동남사회적협동조합", name_en="Dongnam Social Cooperative")

    with translation.override("en"):
        assert str(organization) == "Dongnam Social Cooperative"
    with translation.override("ko"):
        assert str(organization) == "동남사회적협동조합"
