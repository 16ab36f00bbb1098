"""What tenancy tells people: the kinds of notification about leases, renewals and invitations, their texts,
and the daily lease expiry reminders. Registered from ``TenantsConfig.ready()``.

The texts are built when a message is sent or shown, in the recipient's language.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.messages import Message, absolute_url, reason_lines, subject_line
from notifications.models import Notification
from notifications.registry import register_kind, register_subject
from notifications.services import notify
from tenants.models import Invitation, LeaseContract, Membership, Organization, OutcomeReport, RenewalRequest
from tenants.outcomes import outcome_url

# --- The texts ----------------------------------------------------------------------------------------------


def lease_expiry(notification) -> Message:
    contract = notification.subject
    days = notification.context.get("days")
    return Message(
        subject=subject_line(_("Your lease ends in %(days)s days") % {"days": days}),
        lines=[
            _("The lease of %(unit)s ends on %(date)s.")
            % {"unit": contract.unit, "date": contract.end_date.isoformat()},
            _("You can request a renewal online, or tell the facility that you will move out."),
        ],
        link=absolute_url(contract.get_absolute_url()),
        link_label=_("Open the contract"),
    )


def contract_expired(notification) -> Message:
    contract = notification.subject
    return Message(
        subject=subject_line(_("Your lease has ended")),
        lines=[
            _("The lease of %(unit)s ended on %(date)s.")
            % {"unit": contract.unit, "date": contract.end_date.isoformat()}
        ],
        link=absolute_url(contract.get_absolute_url()),
        link_label=_("Open the contract"),
    )


def _renewal_message(notification, subject_text: str, intro: str) -> Message:
    renewal = notification.subject
    contract = renewal.contract
    params = {"unit": contract.unit, "organization": contract.organization, "months": renewal.term_months}
    return Message(
        subject=subject_line(subject_text % params),
        lines=[intro % params, *reason_lines(notification)],
        link=absolute_url(renewal.get_absolute_url()),
        link_label=_("Open the renewal request"),
    )


def renewal_submitted(notification) -> Message:
    return _renewal_message(
        notification,
        _("Renewal requested: %(unit)s"),
        _("%(organization)s asks to renew the lease of %(unit)s for %(months)s months."),
    )


def renewal_approved(notification) -> Message:
    return _renewal_message(
        notification,
        _("Your renewal is approved: %(unit)s"),
        _("The renewal of %(unit)s is approved. Review the terms and accept them to sign the new contract."),
    )


def renewal_rejected(notification) -> Message:
    return _renewal_message(
        notification, _("Your renewal was refused: %(unit)s"), _("The renewal of %(unit)s was refused.")
    )


def renewal_changes(notification) -> Message:
    return _renewal_message(
        notification,
        _("Changes asked for your renewal: %(unit)s"),
        _("The manager asks for changes to your renewal request for %(unit)s."),
    )


def renewal_accepted(notification) -> Message:
    return _renewal_message(
        notification,
        _("Renewal terms accepted: %(unit)s"),
        _("%(organization)s accepted the renewal terms of %(unit)s; the new contract is signed."),
    )


def invitation(notification) -> Message:
    invitation = notification.subject
    return Message(
        subject=subject_line(_("%(organization)s invites you") % {"organization": invitation.organization}),
        lines=[
            _(
                "%(inviter)s invites you to join %(organization)s on the booking and tenant system "
                "of the Dongnam Exhibition Hall."
            )
            % {"inviter": invitation.invited_by, "organization": invitation.organization},
            _(
                "The link works for 14 days. If you do not have an account yet, "
                "you can create one from that page with this e-mail address."
            ),
        ],
        link=notification.context.get("accept_url", ""),
        link_label=_("Accept the invitation"),
    )


def outcome_report_due(notification) -> Message:
    organization = notification.subject
    year = notification.context.get("year")
    lines = [
        _(
            "The Dongnam Exhibition Hall asks %(organization)s for its outcomes of %(year)s: sales, employees at "
            "the end of the year, investment attracted, intellectual property and products launched."
        )
        % {"organization": organization, "year": year},
        _("Reporting takes a few minutes; you can correct the figures later."),
    ]
    if notification.context.get("asked_again"):
        lines.insert(0, _("The facility's manager asks again: the report of %(year)s is missing.") % {"year": year})
    return Message(
        subject=subject_line(_("Please report your outcomes of %(year)s") % {"year": year}),
        lines=lines,
        link=absolute_url(_outcome_link(notification)),
        link_label=_("Report the outcomes"),
    )


def _outcome_link(notification) -> str:
    return outcome_url(notification.subject, notification.context.get("year"))


def _outcome_still_missing(notification) -> bool:
    """Nothing is sent once the year is reported."""
    return not OutcomeReport.objects.filter(
        organization_id=notification.subject_id, year=notification.context.get("year")
    ).exists()


def _lease_still_ending(notification) -> bool:
    """No reminder once notice is given or a renewal is approved or accepted."""
    contract = notification.subject
    return (
        contract.status == LeaseContract.Status.ACTIVE
        and not contract.non_renewal_notice_at
        and not RenewalRequest.objects.filter(
            contract=contract, status__in=[RenewalRequest.Status.APPROVED, RenewalRequest.Status.ACCEPTED]
        ).exists()
    )


# --- Lease expiry reminders -----------------------------------------------------------------------------


def create_lease_expiry_reminders(*, today=None) -> int:
    """Reminders 90, 60, 30 and 7 days before a lease ends, to the tenant's owners and admins; none
    once a renewal is approved or accepted or notice of leaving is given. A contract that enters the
    window late gets only the nearest reminder, not a burst of them."""
    today = today or timezone.localdate()
    thresholds = sorted(settings.LEASE_REMINDER_DAYS)
    contracts = (
        LeaseContract.objects.filter(
            status=LeaseContract.Status.ACTIVE,
            non_renewal_notice_at__isnull=True,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=thresholds[-1]),
        )
        .exclude(renewal_requests__status__in=[RenewalRequest.Status.APPROVED, RenewalRequest.Status.ACCEPTED])
        .select_related("unit__facility", "organization")
        .prefetch_related(
            Prefetch(
                "organization__memberships",
                queryset=Membership.objects.filter(
                    role__in=[Membership.Role.OWNER, Membership.Role.ADMIN]
                ).select_related("user"),
                to_attr="contacts",
            )
        )
        .distinct()
    )
    created = 0
    for contract in contracts:
        days_left = (contract.end_date - today).days
        threshold = next(d for d in thresholds if days_left <= d)
        recipients = [membership.user for membership in contract.organization.contacts]
        created += notify(
            kind=Notification.Kind.LEASE_EXPIRY,
            recipients=recipients,
            subject=contract,
            key=f"contract:{contract.pk}:expiry:{threshold}d",
            context={"days": days_left, "threshold": threshold},
        )
    return created


@shared_task(acks_late=True)
def send_lease_expiry_reminders() -> int:
    """Daily at 08:00 (dongnam.celery)."""
    return create_lease_expiry_reminders()


def register() -> None:
    register_kind("lease_expiry", gettext_lazy("Lease ending"), build=lease_expiry, still_relevant=_lease_still_ending)
    register_kind("renewal_submitted", gettext_lazy("Renewal requested"), build=renewal_submitted)
    register_kind("renewal_approved", gettext_lazy("Renewal approved"), build=renewal_approved)
    register_kind("renewal_rejected", gettext_lazy("Renewal refused"), build=renewal_rejected)
    register_kind("renewal_changes", gettext_lazy("Renewal changes requested"), build=renewal_changes)
    register_kind("renewal_accepted", gettext_lazy("Renewal terms accepted"), build=renewal_accepted)
    register_kind("contract_expired", gettext_lazy("Contract expired"), build=contract_expired)
    register_kind("invitation", gettext_lazy("Invitation"), build=invitation)
    register_kind(
        "outcome_report_due",
        gettext_lazy("Outcome report due"),
        build=outcome_report_due,
        link=_outcome_link,
        still_relevant=_outcome_still_missing,
    )
    register_subject(_renewals_for_inbox)
    register_subject(_contracts_for_inbox)
    register_subject(_invitations_for_inbox)
    register_subject(_organizations_for_inbox)


def _renewals_for_inbox():
    return RenewalRequest.objects.select_related("contract__unit__facility", "contract__organization")


def _contracts_for_inbox():
    return LeaseContract.objects.select_related("unit__facility", "organization")


def _invitations_for_inbox():
    return Invitation.objects.select_related("organization", "invited_by")


def _organizations_for_inbox():
    return Organization.objects.all()
