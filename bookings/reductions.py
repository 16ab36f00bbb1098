"""Reductions granted on evidence (감면 신청): the reads and the writes of one topic.

An organization's owner or admin applies for one of a facility's reduction categories, with a document when
the category asks for evidence (checked like a renewal's documents). The facility's manager approves it until
a date (a year by default) or refuses it with a reason; the applicant is told either way, once. While it is
under review, the booking form says "감면 신청 중" and the fee carries no reduction from it.

The rules of the fee:
- an approved application reduces the fee of the organization's bookings at the category's facility made on
  or before its ``valid_until`` day (Asia/Seoul), like a lease for the tenant reduction: the fee is fixed
  when booking, so bookings made while the application was under review keep their fee;
- it is compared with the automatic categories (tenant, public body, social economy): the largest single
  reduction applies, never a sum.

Per organization, like every reduction: a booker without an organization earns none.
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from bookings import errors, fees
from bookings.errors import BookingError
from bookings.models import ReductionApplication, ReductionCategory
from hall.models import Facility
from hall.seed import sync
from hall.selectors import facilities_managed_by, is_admin, manages_facility, refuse_without_second_factor
from notifications.models import Notification
from notifications.services import notify
from tenants.documents import validate_document
from tenants.errors import TenancyError
from tenants.models import Membership, Organization
from tenants.services import OWNER_OR_ADMIN, require_role


class ReductionError(BookingError):
    status_by_code = {**BookingError.status_by_code, "already_open": 409}


# --- The hall's usual categories -------------------------------------------------------------------------

# Percents as Korean municipal ordinances on the use of public facilities usually grant them (감면 조례:
# 100분의 50 for persons of national merit, persons with a disability and basic livelihood recipients,
# 100분의 30 for multi-child families). The social-economy, public-body and tenant percents are the facility's
# own settings, as before. ``None``: the facility's field named in PERCENT_FROM.
USUAL_CATEGORIES = [
    {
        "code": "national_merit",
        "name": "국가유공자",
        "name_en": "Person of national merit",
        "description": "국가유공자증 또는 국가유공자 확인원 사본",
        "description_en": "A copy of the certificate of national merit",
        "percent": 50,
        "evidence_required": True,
    },
    {
        "code": "disability",
        "name": "장애인",
        "name_en": "Person with a disability",
        "description": "장애인등록증(복지카드) 또는 장애인증명서 사본",
        "description_en": "A copy of the disability registration card or certificate",
        "percent": 50,
        "evidence_required": True,
    },
    {
        "code": "basic_livelihood",
        "name": "기초생활수급자",
        "name_en": "Basic livelihood recipient",
        "description": "수급자 증명서 (발급 3개월 이내)",
        "description_en": "A recipient certificate issued within three months",
        "percent": 50,
        "evidence_required": True,
    },
    {
        "code": "multi_child",
        "name": "다자녀가정",
        "name_en": "Multi-child family",
        "description": "가족관계증명서 또는 다자녀 카드 사본",
        "description_en": "A family relation certificate or a copy of the multi-child card",
        "percent": 30,
        "evidence_required": True,
    },
    {
        "code": "social_economy",
        "name": "사회적경제기업",
        "name_en": "Social-economy organization",
        "description": "사회적기업 인증서, 협동조합 설립신고필증 등",
        "description_en": "A social enterprise certificate, a cooperative's registration, or the like",
        "percent": None,
        "evidence_required": True,
    },
    {
        "code": "public_body",
        "name": "공공기관",
        "name_en": "Public body",
        "description": "기관 유형이 공공기관인 단체에 자동 적용",
        "description_en": "Applied to organizations registered as public bodies",
        "percent": None,
        "evidence_required": False,
    },
    {
        "code": "tenant",
        "name": "입주기업",
        "name_en": "Tenant of the hall",
        "description": "전시장 임대 계약이 있는 기업에 자동 적용",
        "description_en": "Applied to organizations with a lease in the hall",
        "percent": None,
        "evidence_required": False,
    },
]

PERCENT_FROM = {
    "social_economy": "social_economy_reduction_percent",
    "public_body": "public_body_reduction_percent",
    "tenant": "tenant_reduction_percent",
}


@transaction.atomic
def load_categories(facilities=None) -> int:
    """The usual categories at each facility (``seed_dongnam``); returns how many were created.

    A category that exists is left as its managers set it, except the percent of those decided automatically,
    which follows the facility's own setting.
    """
    created = 0
    for facility in facilities if facilities is not None else Facility.objects.all():
        for position, data in enumerate(USUAL_CATEGORIES, start=1):
            percent = data["percent"] or getattr(facility, PERCENT_FROM[data["code"]])
            values = {key: value for key, value in data.items() if key not in ("code", "percent")}
            # A facility that grants 0 % lists the category as inactive (the percent is at least 1).
            values.update(percent=max(percent, 1), active=percent > 0, position=position)
            category = ReductionCategory.objects.filter(facility=facility, code=data["code"]).first()
            if category is None:
                ReductionCategory.objects.create(facility=facility, code=data["code"], **values)
                created += 1
            elif data["code"] in fees.AUTOMATIC_CODES:
                sync(ReductionCategory, {"pk": category.pk}, {"percent": values["percent"], "active": values["active"]})
    return created


# --- Reads -------------------------------------------------------------------------------------------------


@dataclass
class ReductionStatus:
    """An organization's applications at one facility that matter for a fee."""

    granted: list[tuple[int, str]] = field(default_factory=list)  # (percent, code), approved and in force
    pending: list[ReductionApplication] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # code → the category's name

    def label(self, code: str) -> str:
        return str(fees.CATEGORY_LABELS.get(code) or self.names.get(code, code))


def reduction_status(organization: Organization | None, facility: Facility, *, today: date) -> ReductionStatus:
    """One query: the organization's approved, unexpired applications at the facility, and those under review."""
    status = ReductionStatus()
    if organization is None:
        return status
    rows = ReductionApplication.objects.filter(
        Q(status=ReductionApplication.Status.PENDING)
        | Q(status=ReductionApplication.Status.APPROVED, valid_until__gte=today),
        organization=organization,
        category__facility=facility,
        category__active=True,
    ).select_related("category")
    for application in rows:
        category = application.category
        status.names[category.code] = category.display_name
        if application.status == ReductionApplication.Status.APPROVED:
            status.granted.append((category.percent, category.code))
        else:
            status.pending.append(application)
    return status


def granted_reductions(organization: Organization | None, facility: Facility, *, today: date) -> list[tuple[int, str]]:
    """(percent, code) of each approved application of the organization at the facility in force on ``today``."""
    if organization is None:
        return []
    return list(
        ReductionApplication.objects.filter(
            organization=organization,
            status=ReductionApplication.Status.APPROVED,
            valid_until__gte=today,
            category__facility=facility,
            category__active=True,
        ).values_list("category__percent", "category__code")
    )


def categories_open_to_application() -> QuerySet[ReductionCategory]:
    """Active categories one applies for, with their facility: those decided automatically are not among them."""
    return (
        ReductionCategory.objects.filter(active=True)
        .exclude(code__in=list(fees.AUTOMATIC_CODES), evidence_required=False)
        .select_related("facility")
        .order_by("facility__position", "facility__slug", "position", "code")
    )


def category_table() -> QuerySet[ReductionCategory]:
    """Every active category of every facility, for the list shown to bookers."""
    return (
        ReductionCategory.objects.filter(active=True)
        .select_related("facility")
        .order_by("facility__position", "facility__slug", "position", "code")
    )


def applications_of(user) -> QuerySet[ReductionApplication]:
    """The applications of the user's organizations, newest first."""
    return (
        ReductionApplication.objects.filter(organization__memberships__user=user)
        .select_related("category__facility", "organization", "applicant", "decided_by")
        .order_by("-created", "-pk")
    )


def visible_application(user, pk: int) -> ReductionApplication | None:
    """An application the user may see: their organization's, or one at a facility they manage."""
    if not user.is_authenticated:
        return None
    qs = ReductionApplication.objects.select_related("category__facility", "organization")
    if not is_admin(user):
        members = Membership.objects.filter(user=user).values("organization_id")
        qs = qs.filter(Q(organization_id__in=members) | Q(category__facility__in=facilities_managed_by(user)))
    return qs.filter(pk=pk).first()


def manager_queue(user) -> QuerySet[ReductionApplication]:
    """Applications under review at the facilities the user manages, oldest first."""
    return (
        ReductionApplication.objects.filter(
            status=ReductionApplication.Status.PENDING, category__facility__in=facilities_managed_by(user)
        )
        .select_related("category__facility", "organization", "applicant")
        .order_by("created", "pk")
    )


def in_force_for_manager(user, *, today: date, limit: int = 100) -> QuerySet[ReductionApplication]:
    """Approved applications still in force at the user's facilities, ending soonest first."""
    return (
        ReductionApplication.objects.filter(
            status=ReductionApplication.Status.APPROVED,
            valid_until__gte=today,
            category__facility__in=facilities_managed_by(user),
        )
        .select_related("category__facility", "organization", "decided_by")
        .order_by("valid_until", "pk")[:limit]
    )


# --- Writes ------------------------------------------------------------------------------------------------


def _snapshot(application: ReductionApplication) -> dict:
    return {
        "status": application.status,
        "organization": application.organization_id,
        "category": application.category.code,
        "facility": application.category.facility.slug,
        "percent": application.category.percent,
        "valid_until": application.valid_until.isoformat() if application.valid_until else None,
        "document": application.document_name,
    }


def _already_open(existing: ReductionApplication | None = None) -> ReductionError:
    return ReductionError(
        "already_open",
        _("Your organization already has an application for this reduction under review or approved."),
        field="category",
        existing=existing,
    )


def apply_for_reduction(
    *, organization: Organization, category: ReductionCategory, user, document=None, today: date | None = None
) -> ReductionApplication:
    """Apply for ``category`` on behalf of ``organization`` (its owners and admins), with the evidence."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The organization's row lock serializes its applications: the check for an open one below then sees
        # every competitor (on SQLite the IMMEDIATE transaction does the same).
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        require_role(user, organization, OWNER_OR_ADMIN)
        category = ReductionCategory.objects.select_related("facility").filter(pk=category.pk).first()
        if category is None or not category.active or category.decided_automatically:
            raise ReductionError("not_applicable", _("This reduction is not open to applications."), field="category")
        if category.evidence_required and not document:
            raise ReductionError(
                "evidence_required",
                _("This reduction needs evidence: attach a document (PDF, JPEG or PNG)."),
                field="document",
            )
        content_type = ""
        if document:
            try:
                content_type = validate_document(document)
            except TenancyError as error:
                raise ReductionError(error.code, error.message, field="document") from None
        # An approval past its date no longer holds the place of the open application.
        ReductionApplication.objects.filter(
            organization=organization,
            category=category,
            status=ReductionApplication.Status.APPROVED,
            valid_until__lt=today,
        ).update(status=ReductionApplication.Status.EXPIRED)
        existing = ReductionApplication.objects.filter(
            organization=organization, category=category, status__in=ReductionApplication.OPEN_STATUSES
        ).first()
        if existing is not None:
            raise _already_open(existing)
        application = ReductionApplication(
            organization=organization,
            category=category,
            applicant=user,
            document=document or "",
            document_name=document.name[:255] if document else "",
            document_type=content_type,
            document_size=document.size if document else None,
        )
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as error:
            # The file was stored before the row was refused: it goes too, so nothing is half saved.
            if application.document.name:
                application.document.storage.delete(application.document.name)
            # PostgreSQL names the constraint; SQLite names its columns.
            message = str(error)
            if "reduction_one_open_per_category" in message or (
                "UNIQUE constraint failed" in message and "reductionapplication" in message
            ):
                raise _already_open() from None
            raise
        record(actor=user, action="reduction.applied", target=application, after=_snapshot(application))
    return application


def _lock(application: ReductionApplication) -> ReductionApplication:
    return (
        ReductionApplication.objects.select_for_update(of=("self",))
        .select_related("category__facility", "organization", "applicant")
        .get(pk=application.pk)
    )


def _decidable(application: ReductionApplication, manager) -> None:
    """Who may decide is checked before what they sent: a manager of the category's facility (or an admin)."""
    refuse_without_second_factor(manager)
    facility = application.category.facility
    if not manages_facility(manager, facility):
        raise errors.not_manager(facility)
    if application.status != ReductionApplication.Status.PENDING:
        raise ReductionError(
            "invalid_state",
            _("This application is %(status)s; only applications under review can be decided.")
            % {"status": application.get_status_display()},
        )


def default_valid_until(today: date) -> date:
    """A year from the decision: the day before the same date next year."""
    return today + relativedelta(years=1) - relativedelta(days=1)


def approve_reduction(
    *, application: ReductionApplication, manager, valid_until: date | None = None, note: str = ""
) -> ReductionApplication:
    today = timezone.localdate()
    with transaction.atomic():
        application = _lock(application)
        _decidable(application, manager)
        valid_until = valid_until or default_valid_until(today)
        if valid_until < today:
            raise ReductionError("invalid", _("The reduction must hold at least until today."), field="valid_until")
        before = _snapshot(application)
        application.status = ReductionApplication.Status.APPROVED
        application.decided_by = manager
        application.decided_at = timezone.now()
        application.decision_reason = (note or "").strip()
        application.valid_until = valid_until
        application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "valid_until"])
        record(
            actor=manager,
            action="reduction.approved",
            target=application,
            before=before,
            after=_snapshot(application),
            reason=application.decision_reason,
        )
        _tell_applicant(application, Notification.Kind.REDUCTION_APPROVED, "approved")
    return application


def ensure_refusable(*, application: ReductionApplication, manager) -> None:
    """For the confirmation page: refuse a stranger (403) or a decided application (409) before asking why."""
    _decidable(application, manager)


def refuse_reduction(*, application: ReductionApplication, manager, reason: str) -> ReductionApplication:
    reason = (reason or "").strip()
    with transaction.atomic():
        application = _lock(application)
        _decidable(application, manager)
        if not reason:
            raise ReductionError(
                "reason_required", _("Say why the reduction is refused; the applicant reads it."), field="reason"
            )
        before = _snapshot(application)
        application.status = ReductionApplication.Status.REFUSED
        application.decided_by = manager
        application.decided_at = timezone.now()
        application.decision_reason = reason
        application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record(
            actor=manager,
            action="reduction.refused",
            target=application,
            before=before,
            after=_snapshot(application),
            reason=reason,
        )
        _tell_applicant(application, Notification.Kind.REDUCTION_REFUSED, "refused", reason=reason)
    return application


def withdraw_reduction(*, application: ReductionApplication, user) -> ReductionApplication:
    """The applicant, or an owner or admin of the organization, withdraws an application under review."""
    with transaction.atomic():
        application = _lock(application)
        if application.applicant_id != user.pk:
            require_role(user, application.organization, OWNER_OR_ADMIN)
        if application.status != ReductionApplication.Status.PENDING:
            raise ReductionError(
                "invalid_state",
                _("This application is %(status)s; only applications under review can be withdrawn.")
                % {"status": application.get_status_display()},
            )
        before = _snapshot(application)
        application.status = ReductionApplication.Status.WITHDRAWN
        application.save(update_fields=["status"])
        record(
            actor=user, action="reduction.withdrawn", target=application, before=before, after=_snapshot(application)
        )
    return application


def _tell_applicant(application: ReductionApplication, kind: str, event: str, *, reason: str = "") -> None:
    """Queue the applicant's message in this transaction; its key makes it once per decision."""
    notify(
        kind=kind,
        recipients=[application.applicant],
        subject=application,
        key=f"reduction:{application.pk}:{event}",
        context={
            "percent": application.category.percent,
            **({"valid_until": application.valid_until.isoformat()} if application.valid_until else {}),
            **({"reason": reason} if reason else {}),
        },
    )
