"""The TOSS_PAYMENTS_* settings: Toss's own hosts by default, both keys or neither."""

from tests.dongnam.test_settings import _run, _settings_of


def test_by_default_online_payment_is_off_and_points_at_tosss_hosts(tmp_path):
    values = _settings_of(
        tmp_path,
        "[settings.TOSS_PAYMENTS_CLIENT_KEY, settings.TOSS_PAYMENTS_SECRET_KEY, settings.TOSS_PAYMENTS_API_BASE,"
        " settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT, settings.TOSS_PAYMENTS_CONNECT_TIMEOUT,"
        " settings.TOSS_PAYMENTS_READ_TIMEOUT]",
        DONGNAM_ENV="test",
        TOSS_PAYMENTS_CLIENT_KEY="",
        TOSS_PAYMENTS_SECRET_KEY="",
    )

    assert values == ["", "", "https://api.tosspayments.com", "https://js.tosspayments.com/v2/standard", 5, 30]


def test_one_key_without_the_other_stops_the_start(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"],
        tmp_path,
        DONGNAM_ENV="test",
        TOSS_PAYMENTS_CLIENT_KEY="test_ck_only",
        TOSS_PAYMENTS_SECRET_KEY="",
    )

    assert result.returncode != 0
    assert "Set both TOSS_PAYMENTS_CLIENT_KEY and TOSS_PAYMENTS_SECRET_KEY" in result.stderr


def test_a_bad_timeout_stops_the_start(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"], tmp_path, DONGNAM_ENV="test", TOSS_PAYMENTS_READ_TIMEOUT="1m"
    )

    assert result.returncode != 0
    assert "TOSS_PAYMENTS_READ_TIMEOUT must be an integer" in result.stderr
