import pytest
import time_machine

from tests.factories import FROZEN_NOW


@pytest.fixture
def frozen_now():
    """Freeze the clock on Tuesday 2026-12-01 09:00 Seoul, so weekdays, holidays and horizons are fixed."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW
