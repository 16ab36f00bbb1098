"""Tenant outcomes (입주기업 성과): each year a tenant reports its sales, employees, investment, intellectual
property and products; the hall reminds it in January and its managers read the figures per facility and year.

The writes run in one transaction with an audit entry and raise ``TenancyError``; the reads keep a fixed
number of queries, however many organizations a facility houses.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEntry
from audit.services import record
from hall.selectors import facilities_managed_by
from notifications.models import Notification
from notifications.services import notify
from tenants.errors import TenancyError
from tenants.models import OUTCOME_FIRST_YEAR, LeaseContract, Membership, Organization, OutcomeReport
from tenants.services import OWNER_OR_ADMIN, require_role, role_of

# The figures of a report, in the order pages and exports show them.
FIGURES = (
    ("sales", gettext_lazy("Sales (KRW)")),
    ("employees", gettext_lazy("Employees")),
    ("investment", gettext_lazy("Investment (KRW)")),
    ("ip_count", gettext_lazy("Intellectual property (patents etc.)")),
    ("products_launched", gettext_lazy("Products launched")),
)
FIGURE_NAMES = tuple(name for name, _label in FIGURES)
# Far above any tenant's figures, far below the largest integer the database keeps: a typing slip, not a figure.
MAX_AMOUNT = 10**15
MAX_COUNT = 1_000_000

# Contracts during which an organization was a tenant: a draft never was one.
HELD_STATUSES = (
    LeaseContract.Status.ACTIVE,
    LeaseContract.Status.RENEWED,
    LeaseContract.Status.EXPIRED,
    LeaseContract.Status.TERMINATED,
)
# The audit action of a reminder (the January one and each "ask again"); the manager's table reads the last.
REMINDED = "outcome.reminded"
# A manager may ask an organization again once a day: a reminder a day is already plenty.
ASK_AGAIN_AFTER = timedelta(days=1)


def past_year(today: date) -> int:
    """The year tenants report in ``today``'s year: the last one that has ended."""
    return today.year - 1


def _during(year: int) -> Q:
    """Contracts with at least one day in ``year``."""
    return Q(start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1))


def held_leases(organization: Organization) -> QuerySet[LeaseContract]:
    return LeaseContract.objects.filter(organization=organization, status__in=HELD_STATUSES)


def held_lease_in(organization: Organization, year: int) -> bool:
    return held_leases(organization).filter(_during(year)).exists()


def reportable_years(organization: Organization, *, today: date) -> list[int]:
    """The ended years in which the organization held a lease, newest first: the years it may report."""
    last = past_year(today)
    years: set[int] = set()
    for start, end in held_leases(organization).values_list("start_date", "end_date"):
        years.update(range(max(start.year, OUTCOME_FIRST_YEAR), min(end.year, last) + 1))
    return sorted(years, reverse=True)


def can_file(user, organization: Organization) -> bool:
    return role_of(user, organization) in OWNER_OR_ADMIN


def outcome_url(organization: Organization, year: int | None = None) -> str:
    path = reverse("tenants:organization_outcomes", kwargs={"pk": organization.pk})
    return f"{path}?year={year}" if year else path


# --- Figures and their change from the year before --------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    """One figure of a year beside the same figure of the year before."""

    name: str
    label: str
    value: int | None
    previous: int | None

    @property
    def difference(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def percent(self) -> float | None:
        """The change in percent, one decimal; none from a zero (any growth from nothing is not a percentage)."""
        if self.difference is None or not self.previous:
            return None
        return round(self.difference * 100 / self.previous, 1)

    @property
    def direction(self) -> str:
        if not self.difference:
            return "same"
        return "up" if self.difference > 0 else "down"

    @property
    def difference_display(self) -> str:
        if self.difference is None:
            return ""
        return f"{self.difference:+,}" if self.difference else "0"

    @property
    def percent_display(self) -> str:
        if self.percent is None:
            return ""
        return f"{self.percent:+.1f}%" if self.percent else "0.0%"


def figure_changes(report: OutcomeReport | None, previous: OutcomeReport | None) -> list[FigureChange]:
    return [
        FigureChange(
            name=name,
            label=str(label),
            value=getattr(report, name) if report is not None else None,
            previous=getattr(previous, name) if previous is not None else None,
        )
        for name, label in FIGURES
    ]


# --- Filing ----------------------------------------------------------------------------------------------


def _check_year(year, today: date) -> None:
    if not isinstance(year, int) or year < OUTCOME_FIRST_YEAR:
        raise TenancyError("invalid", _("Choose the year the figures are for."), field="year")
    if year >= today.year:
        raise TenancyError(
            "year_not_ended",
            _("Figures are reported once the year has ended: %(year)s can be reported from 1 January %(next)s.")
            % {"year": year, "next": year + 1},
            field="year",
        )


def _check_figures(figures: dict) -> None:
    for name, label in FIGURES:
        value = figures[name]
        ceiling = MAX_AMOUNT if name in ("sales", "investment") else MAX_COUNT
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TenancyError("invalid", _("%(figure)s: enter 0 or more.") % {"figure": label}, field=name)
        if value > ceiling:
            raise TenancyError(
                "invalid", _("%(figure)s: the number is too large; check it.") % {"figure": label}, field=name
            )


def _snapshot(report: OutcomeReport) -> dict:
    return {
        "year": report.year,
        **{name: getattr(report, name) for name in FIGURE_NAMES},
        "ip_note": report.ip_note,
        "products_note": report.products_note,
    }


def file_outcome_report(
    *,
    organization: Organization,
    user,
    year: int,
    sales: int,
    employees: int,
    investment: int = 0,
    ip_count: int = 0,
    products_launched: int = 0,
    ip_note: str = "",
    products_note: str = "",
    today: date | None = None,
) -> OutcomeReport:
    """An owner or admin of a tenant reports a year it held a lease in; reporting the year again corrects it."""
    today = today or timezone.localdate()
    figures = {
        "sales": sales,
        "employees": employees,
        "investment": investment,
        "ip_count": ip_count,
        "products_launched": products_launched,
    }
    values = {**figures, "ip_note": (ip_note or "").strip(), "products_note": (products_note or "").strip()}
    with transaction.atomic():
        # The organization's row serializes its filings: two owners sending the same year at once make one report.
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        require_role(user, organization, OWNER_OR_ADMIN)
        if not held_leases(organization).exists():
            raise TenancyError("not_tenant", _("Only organizations that lease a unit of the hall report outcomes."))
        _check_year(year, today)
        if not held_lease_in(organization, year):
            raise TenancyError(
                "no_lease_that_year",
                _("%(organization)s had no lease in %(year)s.") % {"organization": organization, "year": year},
                field="year",
            )
        _check_figures(figures)
        report = OutcomeReport.objects.filter(organization=organization, year=year).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = OutcomeReport.objects.create(organization=organization, year=year, filed_by=user, **values)
            except IntegrityError:
                # Filed in the meantime by a writer the lock did not hold (none on SQLite): correct that one.
                report = OutcomeReport.objects.get(organization=organization, year=year)
            else:
                record(actor=user, action="outcome.filed", target=report, after=_snapshot(report))
                return report
        before = _snapshot(report)
        for name, value in values.items():
            setattr(report, name, value)
        if _snapshot(report) != before:
            report.filed_by = user
            report.save()
            record(actor=user, action="outcome.updated", target=report, before=before, after=_snapshot(report))
    return report


# --- Reminders -------------------------------------------------------------------------------------------


def _contacts(organization: Organization) -> list:
    """Who is asked for the figures: the owners and admins, who may file them."""
    return [
        membership.user
        for membership in Membership.objects.filter(organization=organization, role__in=OWNER_OR_ADMIN).select_related(
            "user"
        )
    ]


def _last_reminded(organization: Organization) -> datetime | None:
    return (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Organization),
            target_id=organization.pk,
            action=REMINDED,
        )
        .order_by("-created")
        .values_list("created", flat=True)
        .first()
    )


def ask_for_outcome_report(*, organization: Organization, manager, year: int, today: date | None = None) -> int:
    """A manager of a facility the organization leased in during ``year`` asks it again for that year's figures.

    Each request is a new message (its own de-duplication key), at most one a day per organization. Returns the
    number of notifications queued."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        managed = held_leases(organization).filter(unit__facility__in=facilities_managed_by(manager))
        if not managed.exists():
            raise TenancyError("not_manager", _("Only the managers of the organization's facility may ask."))
        _check_year(year, today)
        if not managed.filter(_during(year)).exists():
            raise TenancyError(
                "no_lease_that_year",
                _("%(organization)s had no lease in your facilities in %(year)s.")
                % {"organization": organization, "year": year},
                field="year",
            )
        if OutcomeReport.objects.filter(organization=organization, year=year).exists():
            raise TenancyError(
                "already_filed",
                _("%(organization)s has reported %(year)s.") % {"organization": organization, "year": year},
            )
        last = _last_reminded(organization)
        if last is not None and now - last < ASK_AGAIN_AFTER:
            raise TenancyError(
                "asked_recently",
                _("%(organization)s was asked on %(when)s; you can ask again a day later.")
                % {"organization": organization, "when": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")},
            )
        recipients = _contacts(organization)
        if not recipients:
            raise TenancyError(
                "no_contact", _("%(organization)s has no owner or admin to ask.") % {"organization": organization}
            )
        created = notify(
            kind=Notification.Kind.OUTCOME_REPORT_DUE,
            recipients=recipients,
            subject=organization,
            # Each request is its own message, hence the time in the key.
            key=f"outcomes:{organization.pk}:{year}:asked:{now.isoformat()}",
            context={"year": year, "asked_again": True},
        )
        record(actor=manager, action=REMINDED, target=organization, after={"year": year})
    return created


def create_outcome_report_reminders(*, today: date | None = None) -> int:
    """Each January: every organization with a running lease that held one last year and has not reported that
    year is asked for its figures, once per organization and year (the key names both)."""
    today = today or timezone.localdate()
    year = past_year(today)
    running = LeaseContract.objects.filter(
        organization=OuterRef("pk"),
        status=LeaseContract.Status.ACTIVE,
        start_date__lte=today,
        end_date__gte=today,
    )
    held_last_year = LeaseContract.objects.filter(organization=OuterRef("pk"), status__in=HELD_STATUSES).filter(
        _during(year)
    )
    organizations = (
        Organization.objects.filter(Exists(running), Exists(held_last_year))
        .exclude(Exists(OutcomeReport.objects.filter(organization=OuterRef("pk"), year=year)))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role__in=OWNER_OR_ADMIN).select_related("user"),
                to_attr="contacts",
            )
        )
        .order_by("pk")
    )
    created = 0
    for organization in organizations:
        with transaction.atomic():
            queued = notify(
                kind=Notification.Kind.OUTCOME_REPORT_DUE,
                recipients=[membership.user for membership in organization.contacts],
                subject=organization,
                key=f"outcomes:{organization.pk}:{year}:due",
                context={"year": year},
            )
            if queued:
                record(actor=None, action=REMINDED, target=organization, after={"year": year})
        created += queued
    return created


# --- Reads -----------------------------------------------------------------------------------------------


def reports_of(organization: Organization) -> list[OutcomeReport]:
    return list(OutcomeReport.objects.filter(organization=organization).select_related("filed_by").order_by("-year"))


def report_history(reports: list[OutcomeReport]) -> list[tuple[OutcomeReport, list[FigureChange]]]:
    """Each report (newest first) with its change from the year before, when that year was reported."""
    by_year = {report.year: report for report in reports}
    return [(report, figure_changes(report, by_year.get(report.year - 1))) for report in reports]


@dataclass
class OutcomeSummary:
    """What the renewal pages show of a tenant's outcomes: its latest year, the one before, a year it owes."""

    latest: OutcomeReport | None
    previous: OutcomeReport | None
    missing_year: int | None
    figures: list[FigureChange] = field(default_factory=list)


def outcome_summary(organization: Organization, *, today: date) -> OutcomeSummary:
    reports = list(OutcomeReport.objects.filter(organization=organization).order_by("-year")[:2])
    latest = reports[0] if reports else None
    previous = reports[1] if len(reports) > 1 else None
    if latest is not None and previous is not None and previous.year != latest.year - 1:
        previous = None
    year = past_year(today)
    missing = None
    if (latest is None or latest.year < year) and held_lease_in(organization, year):
        missing = year
    return OutcomeSummary(latest, previous, missing, figure_changes(latest, previous) if latest else [])


def reported(year: int) -> Exists:
    """For a query of contracts: whether the contract's organization has reported ``year``."""
    return Exists(OutcomeReport.objects.filter(organization=OuterRef("organization"), year=year))


def missing_in_tenancy(history: list[LeaseContract], *, reported: bool, today: date) -> OutcomeSummary:
    """The year a tenant owes, read from the contracts of its tenancy (``contract_history``), already loaded:
    last year, if this tenancy covered some of it and it is not reported (``reported``)."""
    year = past_year(today)
    covered = any(
        contract.status in HELD_STATUSES and contract.start_date.year <= year <= contract.end_date.year
        for contract in history
    )
    return OutcomeSummary(latest=None, previous=None, missing_year=year if covered and not reported else None)


@dataclass
class OutcomeRow:
    organization: Organization
    units: list[str]
    report: OutcomeReport | None = None
    previous: OutcomeReport | None = None
    last_asked: datetime | None = None

    @property
    def filed(self) -> bool:
        return self.report is not None

    @property
    def figures(self) -> list[FigureChange]:
        return figure_changes(self.report, self.previous)


@dataclass
class OutcomeTable:
    facility: object
    year: int
    rows: list[OutcomeRow]

    @property
    def filed_count(self) -> int:
        return sum(1 for row in self.rows if row.filed)

    @property
    def totals(self) -> list[tuple[str, int]]:
        """The sum of each figure over the organizations that reported."""
        return [
            (str(label), sum(getattr(row.report, name) for row in self.rows if row.filed)) for name, label in FIGURES
        ]


def outcome_table(*, facility, year: int) -> OutcomeTable:
    """One row per organization that leased a unit of ``facility`` during ``year``, with its report of that
    year and of the year before and when it was last asked: three queries, however many organizations."""
    contracts = (
        LeaseContract.objects.filter(unit__facility=facility, status__in=HELD_STATUSES)
        .filter(_during(year))
        .select_related("organization", "unit")
        .order_by("organization_id", "unit__code")
    )
    rows: dict[int, OutcomeRow] = {}
    for contract in contracts:
        row = rows.setdefault(contract.organization_id, OutcomeRow(contract.organization, []))
        if contract.unit.code not in row.units:
            row.units.append(contract.unit.code)
    organization_ids = contracts.values("organization_id")
    for report in OutcomeReport.objects.filter(organization_id__in=organization_ids, year__in=[year, year - 1]):
        row = rows[report.organization_id]
        if report.year == year:
            row.report = report
        else:
            row.previous = report
    asked = (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Organization),
            target_id__in=organization_ids,
            action=REMINDED,
            after__year=year,
        )
        .values("target_id")
        .annotate(last=Max("created"))
    )
    for entry in asked:
        rows[entry["target_id"]].last_asked = entry["last"]
    ordered = sorted(rows.values(), key=lambda row: (row.organization.display_name, row.organization.pk))
    return OutcomeTable(facility=facility, year=year, rows=ordered)
