from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from hall.models import Amenity, Building, Facility, Space
from tenants.models import LeasableUnit, Membership, Organization

DEMO_EMAILS = {
    "admin@dongnam.example",
    "manager.town@dongnam.example",
    "manager.art@dongnam.example",
    "manager.ckl@dongnam.example",
    "manager.webtoon@dongnam.example",
    "startup@dongnam.example",
    "tenant@dongnam.example",
}
FACILITY_SLUGS = {"innovation-town", "art-center", "content-korea-lab", "webtoon-campus"}
MANAGERS = {
    "manager.town@dongnam.example": "innovation-town",
    "manager.art@dongnam.example": "art-center",
    "manager.ckl@dongnam.example": "content-korea-lab",
    "manager.webtoon@dongnam.example": "webtoon-campus",
}


def _seed(*args):
    out = StringIO()
    call_command("seed_dongnam", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    """Every row of every table the project owns (m2m tables included), in a comparable form."""
    return {
        model._meta.label: [repr(row) for row in model.objects.order_by("pk").values()]
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.django_db
def test_demo_seed_loads_the_buildings_and_the_four_facilities():
    _seed("--demo", "--no-month")

    assert set(Building.objects.values_list("slug", flat=True)) == {"main", "east"}
    assert set(Facility.objects.values_list("slug", flat=True)) == FACILITY_SLUGS
    assert Facility.objects.get(slug="innovation-town").building.slug == "main"
    assert Facility.objects.get(slug="art-center").building.slug == "main"
    assert Facility.objects.get(slug="content-korea-lab").building.slug == "east"
    assert Facility.objects.get(slug="webtoon-campus").building.slug == "east"


@pytest.mark.django_db
def test_demo_seed_loads_rooms_in_every_facility_with_amenities():
    _seed("--demo", "--no-month")

    assert Space.objects.count() >= 25
    for slug in FACILITY_SLUGS:
        assert Space.objects.filter(facility__slug=slug).exists(), slug
    assert Amenity.objects.count() >= 10
    assert Space.objects.get(slug="town-meeting-b").amenities.filter(slug="projector").exists()


@pytest.mark.django_db
def test_demo_seed_loads_offices_101_to_120_and_writers_rooms_w1_to_w10():
    _seed("--demo", "--no-month")

    town_units = set(LeasableUnit.objects.filter(facility__slug="innovation-town").values_list("code", flat=True))
    webtoon_units = set(LeasableUnit.objects.filter(facility__slug="webtoon-campus").values_list("code", flat=True))
    assert town_units == {str(code) for code in range(101, 121)}
    assert webtoon_units == {f"W{number}" for number in range(1, 11)}
    assert LeasableUnit.objects.count() == 30


@pytest.mark.django_db
def test_demo_accounts_have_a_verified_primary_address_and_the_demo_password(settings):
    output = _seed("--demo", "--no-month")

    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    for user in User.objects.all():
        assert user.check_password(settings.DEMO_PASSWORD), user.email
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
        assert user.email in output
    admin = User.objects.get(email="admin@dongnam.example")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.exclude(pk=admin.pk).filter(is_staff=True).exists()


@pytest.mark.django_db
def test_the_other_bookers_of_the_demo_month_cannot_sign_in():
    _seed("--demo")

    others = User.objects.exclude(email__in=DEMO_EMAILS)
    assert others.count() >= 5
    for user in others:
        assert not user.has_usable_password(), user.email
        assert user.memberships.count() == 1
    assert not others.filter(is_staff=True).exists()


@pytest.mark.django_db
def test_demo_accounts_can_sign_in(client, settings):
    _seed("--demo", "--no-month")

    response = client.post("/accounts/login/", {"login": "startup@dongnam.example", "password": settings.DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_demo_managers_manage_exactly_their_facility():
    _seed("--demo", "--no-month")

    for email, facility_slug in MANAGERS.items():
        user = User.objects.get(email=email)
        assert list(user.managed_facilities.values_list("slug", flat=True)) == [facility_slug]
    for email in ("startup@dongnam.example", "tenant@dongnam.example", "admin@dongnam.example"):
        assert not User.objects.get(email=email).managed_facilities.exists()


@pytest.mark.django_db
def test_demo_startup_and_tenant_accounts_own_their_organizations():
    _seed("--demo")

    for email in ("startup@dongnam.example", "tenant@dongnam.example"):
        memberships = Membership.objects.filter(user__email=email)
        assert memberships.count() == 1
        assert memberships.get().role == Membership.Role.OWNER
    assert Membership.objects.get(user__email="startup@dongnam.example").organization.kind == (
        Organization.Kind.STARTUP
    )
    assert Membership.objects.get(user__email="tenant@dongnam.example").organization.kind == (
        Organization.Kind.COOPERATIVE
    )
    for organization in Organization.objects.all():
        organization.full_clean()


@pytest.mark.django_db
def test_running_the_demo_seed_twice_creates_and_changes_nothing():
    _seed("--demo")
    before = _snapshot()
    password_hashes = dict(User.objects.values_list("email", "password"))

    with CaptureQueriesContext(connection) as queries:
        output = _seed("--demo")

    assert _snapshot() == before
    assert dict(User.objects.values_list("email", "password")) == password_hashes
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert "(0 new rows)" in output


@pytest.mark.django_db
def test_the_demo_seed_repairs_a_changed_demo_row(settings):
    _seed("--demo", "--no-month")
    user = User.objects.get(email="startup@dongnam.example")
    user.set_password("something-else-entirely")
    user.save()
    Space.objects.filter(slug="town-meeting-a").update(capacity=99)
    Space.objects.get(slug="town-meeting-a").amenities.clear()

    _seed("--demo", "--no-month")

    user.refresh_from_db()
    assert user.check_password(settings.DEMO_PASSWORD)
    room = Space.objects.get(slug="town-meeting-a")
    assert room.capacity == 8
    assert set(room.amenities.values_list("slug", flat=True)) == {"whiteboard", "wifi", "screen", "video-conference"}


@pytest.mark.django_db
def test_every_demo_room_has_a_picture_in_the_media_storage():
    _seed("--demo", "--no-month")

    for space in Space.objects.all():
        assert space.photo.name.startswith("spaces/demo-"), space.slug
        assert default_storage.exists(space.photo.name), space.photo.name
        assert space.photo.width == 800 and space.photo.height == 500
        assert default_storage.size(space.photo.name) < 40_000


@pytest.mark.django_db
def test_a_photo_uploaded_for_a_demo_room_is_kept_and_a_lost_picture_is_stored_again():
    _seed("--demo", "--no-month")
    Space.objects.filter(slug="town-meeting-a").update(photo="spaces/our-own-photo.jpg")
    meeting_b = Space.objects.get(slug="town-meeting-b")
    default_storage.delete(meeting_b.photo.name)

    _seed("--demo", "--no-month")

    assert Space.objects.get(slug="town-meeting-a").photo.name == "spaces/our-own-photo.jpg"
    assert Space.objects.get(slug="town-meeting-b").photo.name == meeting_b.photo.name
    assert default_storage.exists(meeting_b.photo.name)


@pytest.mark.django_db
def test_demo_seed_is_refused_under_production_settings(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="--force"):
        _seed("--demo", "--no-month")

    assert not User.objects.exists()
    assert not Space.objects.exists()


@pytest.mark.django_db
def test_demo_seed_under_production_settings_runs_with_force(settings):
    settings.PRODUCTION = True

    _seed("--demo", "--force")

    assert set(User.objects.values_list("email", flat=True)) >= DEMO_EMAILS
    assert Space.objects.count() >= 25


@pytest.mark.django_db
def test_seed_without_demo_loads_only_buildings_and_facilities(settings):
    settings.PRODUCTION = True

    output = _seed()

    assert set(Building.objects.values_list("slug", flat=True)) == {"main", "east"}
    assert set(Facility.objects.values_list("slug", flat=True)) == FACILITY_SLUGS
    assert not Space.objects.exists()
    assert not Amenity.objects.exists()
    assert not LeasableUnit.objects.exists()
    assert not User.objects.exists()
    assert not Organization.objects.exists()
    assert "6 new rows" in output


@pytest.mark.django_db
def test_seed_without_demo_twice_changes_nothing():
    _seed()
    before = _snapshot()

    output = _seed()

    assert _snapshot() == before
    assert "0 new rows" in output
