import pytest
import time_machine

from tests.factories import FROZEN_NOW
from tests.proof.world import build_world


@pytest.fixture
def frozen_now():
    """Tuesday 2026-12-01 09:00 in Seoul, as in the booking tests."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(
    frozen_now, media_root, hall, startup_member, other_org_member, tenant_owner, manager, other_manager, admin_user
):
    return build_world(
        hall=hall,
        startup_member=startup_member,
        other_org_member=other_org_member,
        tenant_owner=tenant_owner,
        manager=manager,
        other_manager=other_manager,
        admin_user=admin_user,
    )
