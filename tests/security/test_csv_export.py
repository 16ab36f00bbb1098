"""CSV downloads cannot carry spreadsheet formulas (OWASP "CSV injection")."""

import csv
import io
from datetime import timedelta

import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.utils import timezone

from common.csv_export import csv_response, safe_cell
from tests.factories import LeasableUnitFactory, OrganizationFactory, enable_totp
from tests.tenants.factories import LeaseContractFactory

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://evil.example/","click")'


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def signed_in_manager(client, manager):
    if not is_mfa_enabled(manager, ["totp"]):
        enable_totp(manager)
    client.force_login(manager)
    return manager


def test_an_organization_named_like_a_formula_is_text_in_the_contracts_csv(client, signed_in_manager, town):
    today = timezone.localdate()
    evil = OrganizationFactory(name=EVIL_NAME)
    LeaseContractFactory(
        organization=evil,
        unit=LeasableUnitFactory(facility=town, code="@SUM(A1:A9)"),
        start_date=today - timedelta(days=365),
        end_date=today - timedelta(days=2),  # ended two days ago: "days left" is -2
    )

    response = client.get("/manage/contracts/?format=csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    [header, row] = _rows(response)
    assert header[1:3] == ["호실", "기관"]
    assert row[2] == "'" + EVIL_NAME
    assert row[1] == "'@SUM(A1:A9)"
    # A number the system computes stays a number a spreadsheet can sum, even when negative.
    assert row[6] == "-2"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+82 55 000", "'+82 55 000"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("동남=1", "동남=1"),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (360_000, "360000"),
    ],
)
def test_every_cell_of_a_csv_download_is_neutralized(value, written):
    response = csv_response(filename="x.csv", header=["value"], rows=[[value]])

    assert _rows(response)[1] == [written]
    assert safe_cell(value) == (value if isinstance(value, int) else written)
