import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo rooms' pictures are stored in a temporary media folder, not in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
