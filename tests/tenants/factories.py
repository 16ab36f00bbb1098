import io
from datetime import date, timedelta

import factory
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenants.models import Invitation, LeaseContract, Membership, RenewalRequest
from tests.factories import LeasableUnitFactory, OrganizationFactory, UserFactory


class LeaseContractFactory(factory.django.DjangoModelFactory):
    """An active two-year contract saved as given: no rule is checked and no audit entry is written."""

    class Meta:
        model = LeaseContract

    organization = factory.SubFactory(OrganizationFactory)
    unit = factory.SubFactory(LeasableUnitFactory)
    start_date = date(2025, 4, 17)
    end_date = factory.LazyAttribute(lambda c: c.start_date + relativedelta(years=2) - timedelta(days=1))
    monthly_rent = factory.LazyAttribute(lambda c: c.unit.monthly_rent)
    maintenance_fee = factory.LazyAttribute(lambda c: c.unit.maintenance_fee)
    deposit = factory.LazyAttribute(lambda c: c.unit.deposit)
    status = LeaseContract.Status.ACTIVE


class RenewalRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request saved as given, without documents or audit entry."""

    class Meta:
        model = RenewalRequest

    contract = factory.SubFactory(LeaseContractFactory)
    requested_by = factory.SubFactory(UserFactory)
    term_months = 12
    status = RenewalRequest.Status.SUBMITTED


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Membership.Role.MEMBER
    invited_by = factory.SubFactory(UserFactory)


def renewal_chain(*, organization, unit, first_start: date, renewals: int, months: int = 12) -> list[LeaseContract]:
    """A tenancy of ``renewals + 1`` back-to-back contracts, each renewing the one before: the last is active."""
    contracts = []
    start = first_start
    for number in range(renewals + 1):
        end = start + relativedelta(months=months) - timedelta(days=1)
        contracts.append(
            LeaseContractFactory(
                organization=organization,
                unit=unit,
                start_date=start,
                end_date=end,
                status=LeaseContract.Status.ACTIVE if number == renewals else LeaseContract.Status.RENEWED,
                renews=contracts[-1] if contracts else None,
            )
        )
        start = end + timedelta(days=1)
    return contracts


def pdf_bytes(padding: int = 0) -> bytes:
    body = (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n"
    )
    return body + b"%" * padding + b"\n%%EOF\n"


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "business-report.pdf", padding: int = 0) -> SimpleUploadedFile:
    return upload(name, pdf_bytes(padding), "application/pdf")


def png_upload(name: str = "floor-plan.png") -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG"), "image/png")


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return upload(name, image_bytes("JPEG"), "image/jpeg")
