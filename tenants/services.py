"""Organizations, members, lease contracts and online renewal: every change in one transaction, with an
audit entry, raising ``TenancyError`` with a machine-readable code and a translated message."""

from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from hall.selectors import manages_facility
from notifications.models import Notification
from notifications.services import Recipient, notify
from tenants import business
from tenants.documents import validate_document
from tenants.errors import TenancyError
from tenants.models import (
    Invitation,
    LeasableUnit,
    LeaseContract,
    Membership,
    Organization,
    RenewalDocument,
    RenewalRequest,
)

__all__ = ["TenancyError"]

INVITATION_SALT = "dongnam.tenants.invitation"
INVITATION_MAX_AGE = timedelta(days=14)


def role_of(user, organization: Organization) -> str | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()


def require_role(user, organization: Organization, roles) -> None:
    """Who may act is checked before what they sent: a stranger is refused (403) whatever the input."""
    role = role_of(user, organization)
    if role is None:
        raise TenancyError("not_member", _("You are not a member of this organization."))
    if role not in roles:
        raise TenancyError("not_allowed", _("Only the organization's owners or admins may do this."))


OWNER = (Membership.Role.OWNER,)
OWNER_OR_ADMIN = (Membership.Role.OWNER, Membership.Role.ADMIN)


# --- Organizations and members -------------------------------------------------------------------


def update_organization(*, organization: Organization, user, changes: dict) -> Organization:
    allowed = {"name", "name_en", "representative", "email", "phone", "address", "business_number"}
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        require_role(user, organization, OWNER_OR_ADMIN)
        before = {field: getattr(organization, field) for field in changes if field in allowed}
        for field, value in changes.items():
            if field in allowed:
                setattr(organization, field, value)
        try:
            organization.full_clean()
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise TenancyError("invalid", messages[0], field=field) from None
        number_changed = organization.business_number != before.get("business_number", organization.business_number)
        if number_changed:
            business.mark_unverified(organization)
        organization.save()
        if number_changed:
            business.queue_check(organization)
        record(actor=user, action="organization.updated", target=organization, before=before, after=changes)
    return organization


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email.lower()}, salt=INVITATION_SALT)


def invite_member(*, organization: Organization, inviter, email: str, role: str, base_url: str) -> Invitation:
    """Invite someone by e-mail; an address already invited gets the same invitation again."""
    email = (email or "").strip()
    if role not in Membership.Role.values:
        raise TenancyError("invalid", _("Unknown role."), field="role")
    with transaction.atomic():
        require_role(inviter, organization, OWNER)
        if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
            raise TenancyError("already_member", _("%(email)s is already a member.") % {"email": email}, field="email")
        invitation = (
            Invitation.objects.filter(
                organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
            )
            .select_for_update()
            .first()
        )
        if invitation is None:
            invitation = Invitation.objects.create(
                organization=organization, email=email, role=role, invited_by=inviter
            )
            record(actor=inviter, action="invitation.sent", target=invitation, after={"email": email, "role": role})
        elif invitation.role != role:
            invitation.role = role
            invitation.save(update_fields=["role"])
        accept_url = base_url + reverse("tenants:accept_invitation", args=[invitation_token(invitation)])
        # Each (re)sending is its own message, hence the time in the key.
        notify(
            kind=Notification.Kind.INVITATION,
            recipients=[Recipient(email=invitation.email)],
            subject=invitation,
            key=f"invitation:{invitation.pk}:{timezone.now().isoformat()}",
            context={"accept_url": accept_url},
            channels=(Notification.Channel.EMAIL,),
        )
    return invitation


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise TenancyError("expired", _("This invitation has expired; ask for a new one.")) from None
    except signing.BadSignature:
        raise TenancyError("invalid", _("This invitation link is not valid.")) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=data.get("i")).first()
    if invitation is None or invitation.email.lower() != data.get("e") or invitation.revoked_at:
        raise TenancyError("invalid", _("This invitation is no longer valid."))
    return invitation


def accept_invitation(*, token: str, user) -> Membership:
    """Join the organization; the signed-in user's address must be the invited one."""
    invitation = invitation_from_token(token)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise TenancyError("invalid_state", _("This invitation was already accepted."))
        if user.email.lower() != invitation.email.lower():
            raise TenancyError(
                "wrong_account",
                _("This invitation is for %(email)s; sign in with that address.") % {"email": invitation.email},
            )
        membership, _created = Membership.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(actor=user, action="invitation.accepted", target=invitation, after={"role": membership.role})
    return membership


def revoke_invitation(*, invitation: Invitation, user) -> None:
    with transaction.atomic():
        require_role(user, invitation.organization, OWNER)
        if not invitation.is_pending:
            raise TenancyError("invalid_state", _("This invitation is no longer pending."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(actor=user, action="invitation.revoked", target=invitation)


def _lock_memberships(organization: Organization) -> list[Membership]:
    # Locking every membership of the organization serializes role changes, so two owners cannot
    # demote each other at the same moment and leave it without one.
    return list(Membership.objects.select_for_update().filter(organization=organization).order_by("pk"))


def change_role(*, organization: Organization, user, member, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise TenancyError("invalid", _("Unknown role."), field="role")
    with transaction.atomic():
        memberships = _lock_memberships(organization)
        require_role(user, organization, OWNER)
        membership = next((m for m in memberships if m.user_id == member.pk), None)
        if membership is None:
            raise TenancyError("not_found", _("That person is not a member."))
        owners = [m for m in memberships if m.role == Membership.Role.OWNER]
        if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER and len(owners) == 1:
            raise TenancyError(
                "last_owner", _("An organization keeps at least one owner; make someone else owner first.")
            )
        before = {"role": membership.role}
        membership.role = role
        membership.save(update_fields=["role"])
        record(actor=user, action="membership.role_changed", target=membership, before=before, after={"role": role})
    return membership


def ensure_removable(*, organization: Organization, user, member, memberships=None) -> Membership:
    """Refuse what may not be removed: someone else by a non-owner (403), a non-member (404), the last
    owner (400); for the confirmation page and, under the lock, for the removal itself. ``memberships``:
    the organization's, already locked. Returns the member's membership."""
    if memberships is None:
        memberships = list(Membership.objects.filter(organization=organization))
    if member.pk != user.pk:
        require_role(user, organization, OWNER)
    membership = next((m for m in memberships if m.user_id == member.pk), None)
    if membership is None:
        raise TenancyError("not_found", _("That person is not a member."))
    owners = [m for m in memberships if m.role == Membership.Role.OWNER]
    if membership.role == Membership.Role.OWNER and len(owners) == 1:
        raise TenancyError("last_owner", _("An organization keeps at least one owner; make someone else owner first."))
    return membership


def remove_member(*, organization: Organization, user, member) -> None:
    """An owner removes a member, or a member leaves."""
    with transaction.atomic():
        memberships = _lock_memberships(organization)
        membership = ensure_removable(organization=organization, user=user, member=member, memberships=memberships)
        record(
            actor=user,
            action="membership.removed",
            target=organization,
            before={"user": member.email, "role": membership.role},
        )
        membership.delete()


def _tenant_contacts(organization: Organization):
    """Who hears about a lease: the organization's owners and admins."""
    return [
        m.user
        for m in Membership.objects.filter(organization=organization, role__in=OWNER_OR_ADMIN).select_related("user")
    ]


def _facility_managers(facility):
    return list(facility.managers.filter(is_active=True))


def _tell(renewal: RenewalRequest, kind: str, recipients, event: str, reason: str = "") -> None:
    notify(
        kind=kind,
        recipients=recipients,
        subject=renewal,
        key=f"renewal:{renewal.pk}:{event}:{timezone.now().isoformat()}",
        context={"reason": reason} if reason else {},
    )


# --- Contracts -----------------------------------------------------------------------------------


def _unit_taken() -> TenancyError:
    return TenancyError("unit_taken", _("The unit already has a contract for some of these days."), field="start_date")


def _check_unit_free(*, unit: LeasableUnit, start_date: date, end_date: date, exclude_pk=None) -> None:
    clash = LeaseContract.objects.filter(
        unit=unit, status__in=LeaseContract.LIVE_STATUSES, start_date__lte=end_date, end_date__gte=start_date
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _unit_taken()


def _save_contract(contract: LeaseContract) -> LeaseContract:
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as error:
        if "contract_one_live_per_unit" in str(error):
            raise _unit_taken() from None
        raise
    return contract


def create_contract(
    *,
    manager,
    organization: Organization,
    unit: LeasableUnit,
    start_date: date,
    end_date: date,
    monthly_rent: int,
    maintenance_fee: int = 0,
    deposit: int = 0,
    status: str = LeaseContract.Status.ACTIVE,
) -> LeaseContract:
    if end_date <= start_date:
        raise TenancyError("invalid_range", _("The last day must be after the first day."), field="end_date")
    with transaction.atomic():
        LeasableUnit.objects.select_for_update().filter(pk=unit.pk).first()
        if not manages_facility(manager, unit.facility):
            raise TenancyError("not_manager", _("Only the facility's managers may do this."))
        business.refuse_closed_business(organization)
        _check_unit_free(unit=unit, start_date=start_date, end_date=end_date)
        contract = _save_contract(
            LeaseContract(
                organization=organization,
                unit=unit,
                start_date=start_date,
                end_date=end_date,
                monthly_rent=monthly_rent,
                maintenance_fee=maintenance_fee,
                deposit=deposit,
                status=status,
                signed_at=timezone.now() if status == LeaseContract.Status.ACTIVE else None,
            )
        )
        record(actor=manager, action="contract.created", target=contract, after=_contract_snapshot(contract))
    return contract


def _contract_snapshot(contract: LeaseContract) -> dict:
    return {
        "status": contract.status,
        "unit": str(contract.unit.code),
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "monthly_rent": contract.monthly_rent,
    }


def tenancy_start(contract: LeaseContract) -> date:
    """The first day of the tenancy this contract continues (following ``renews`` back).

    A renewal keeps the unit and the organization, so the chain is read among their contracts in one
    query, however many renewals it has.
    """
    if not contract.renews_id:
        return contract.start_date
    chain = {
        pk: (renews_id, start_date)
        for pk, renews_id, start_date in LeaseContract.objects.filter(
            unit_id=contract.unit_id, organization_id=contract.organization_id
        ).values_list("pk", "renews_id", "start_date")
    }
    start, previous_id, seen = contract.start_date, contract.renews_id, {contract.pk}
    while previous_id is not None and previous_id not in seen:  # ``seen`` guards a bad cycle
        seen.add(previous_id)
        row = chain.get(previous_id)
        if row is None:
            row = LeaseContract.objects.filter(pk=previous_id).values_list("renews_id", "start_date").first()
            if row is None:
                break
        previous_id, start = row
    return start


def renewal_terms(contract: LeaseContract) -> list[int]:
    """The renewal terms (months) that keep the whole tenancy within the facility's cap."""
    facility = contract.unit.facility
    latest_end = tenancy_start(contract) + relativedelta(months=facility.max_tenancy_months) - timedelta(days=1)
    new_start = contract.end_date + timedelta(days=1)
    return [
        m for m in RenewalRequest.TERM_CHOICES if new_start + relativedelta(months=m) - timedelta(days=1) <= latest_end
    ]


def renewal_window(contract: LeaseContract) -> tuple[date, date]:
    return contract.end_date - timedelta(days=contract.unit.facility.renewal_window_days), contract.end_date


def max_renewal_rent(contract: LeaseContract) -> int:
    """The highest rent allowed at renewal: the current rent plus the facility's cap, in whole won."""
    percent = Decimal(contract.unit.facility.max_rent_increase_percent)
    value = Decimal(contract.monthly_rent) * (Decimal(100) + percent) / Decimal(100)
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _attach(renewal: RenewalRequest, user, files) -> None:
    files = list(files or ())
    # Every file is checked before any is stored, so a refused file leaves none of the others on disk.
    content_types = [validate_document(upload) for upload in files]
    for upload, content_type in zip(files, content_types, strict=True):
        RenewalDocument.objects.create(
            renewal=renewal,
            file=upload,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )


def _lock_contract(contract: LeaseContract) -> LeaseContract:
    return (
        LeaseContract.objects.select_for_update().select_related("unit__facility", "organization").get(pk=contract.pk)
    )


def _check_renewable(contract: LeaseContract, term_months: int, today: date) -> None:
    if contract.status != LeaseContract.Status.ACTIVE:
        raise TenancyError("invalid_state", _("Only an active contract can be renewed."))
    if contract.non_renewal_notice_at:
        raise TenancyError("invalid_state", _("Notice of not renewing was given for this contract."))
    if hasattr(contract, "renewed_by"):
        raise TenancyError("invalid_state", _("This contract has already been renewed."))
    opens, closes = renewal_window(contract)
    if not opens <= today <= closes:
        raise TenancyError(
            "outside_window",
            _("Renewal can be requested from %(opens)s until %(closes)s.") % {"opens": opens, "closes": closes},
        )
    if term_months not in RenewalRequest.TERM_CHOICES:
        raise TenancyError("invalid", _("Choose a term of 6, 12 or 24 months."), field="term_months")
    if term_months not in renewal_terms(contract):
        raise TenancyError(
            "over_tenancy_cap",
            _("A %(term)d-month renewal would pass the facility's limit of %(max)d months of tenancy.")
            % {"term": term_months, "max": contract.unit.facility.max_tenancy_months},
            field="term_months",
        )


def request_renewal(
    *, contract: LeaseContract, user, term_months: int, note: str = "", files=(), today: date | None = None
) -> RenewalRequest:
    today = today or timezone.localdate()
    with transaction.atomic():
        contract = _lock_contract(contract)
        require_role(user, contract.organization, OWNER_OR_ADMIN)
        existing = RenewalRequest.objects.filter(contract=contract, status__in=RenewalRequest.OPEN_STATUSES).first()
        if existing is not None:
            raise TenancyError(
                "already_open", _("A renewal request for this contract is already open."), existing=existing
            )
        _check_renewable(contract, term_months, today)
        try:
            with transaction.atomic():
                renewal = RenewalRequest.objects.create(
                    contract=contract, requested_by=user, term_months=term_months, note=note.strip()
                )
        except IntegrityError:
            existing = RenewalRequest.objects.filter(contract=contract, status__in=RenewalRequest.OPEN_STATUSES).first()
            raise TenancyError(
                "already_open", _("A renewal request for this contract is already open."), existing=existing
            ) from None
        _attach(renewal, user, files)
        record(actor=user, action="renewal.submitted", target=renewal, after={"term_months": term_months}, reason=note)
        _tell(renewal, Notification.Kind.RENEWAL_SUBMITTED, _facility_managers(contract.unit.facility), "submitted")
    return renewal


def _lock_renewal(renewal: RenewalRequest) -> RenewalRequest:
    return (
        RenewalRequest.objects.select_for_update(of=("self",))
        .select_related("contract__unit__facility", "contract__organization")
        .get(pk=renewal.pk)
    )


def resubmit_renewal(
    *, renewal: RenewalRequest, user, term_months: int, note: str = "", files=(), today=None
) -> RenewalRequest:
    today = today or timezone.localdate()
    with transaction.atomic():
        renewal = _lock_renewal(renewal)
        require_role(user, renewal.contract.organization, OWNER_OR_ADMIN)
        if renewal.status != RenewalRequest.Status.CHANGES_REQUESTED:
            raise TenancyError(
                "invalid_state", _("This request can only be changed when the manager asks for changes.")
            )
        _check_renewable(renewal.contract, term_months, today)
        before = {"term_months": renewal.term_months, "status": renewal.status}
        renewal.term_months = term_months
        renewal.note = note.strip()
        renewal.status = RenewalRequest.Status.SUBMITTED
        renewal.save(update_fields=["term_months", "note", "status", "updated"])
        _attach(renewal, user, files)
        record(
            actor=user, action="renewal.resubmitted", target=renewal, before=before, after={"term_months": term_months}
        )
        _tell(
            renewal,
            Notification.Kind.RENEWAL_SUBMITTED,
            _facility_managers(renewal.contract.unit.facility),
            "resubmitted",
        )
    return renewal


def _require_facility_manager(user, renewal: RenewalRequest) -> None:
    if not manages_facility(user, renewal.contract.unit.facility):
        raise TenancyError("not_manager", _("Only the managers of this unit's facility may decide."))


def _require_status(renewal: RenewalRequest, status: str, message: str) -> None:
    if renewal.status != status:
        raise TenancyError("invalid_state", message)


def approve_renewal(*, renewal: RenewalRequest, manager, monthly_rent: int, note: str = "") -> RenewalRequest:
    with transaction.atomic():
        renewal = _lock_renewal(renewal)
        _require_facility_manager(manager, renewal)
        _require_status(renewal, RenewalRequest.Status.SUBMITTED, _("Only a submitted request can be approved."))
        ceiling = max_renewal_rent(renewal.contract)
        if monthly_rent is None or monthly_rent < 0:
            raise TenancyError("invalid", _("Give the monthly rent."), field="monthly_rent")
        if monthly_rent > ceiling:
            raise TenancyError(
                "over_rent_cap",
                _("The rent may rise at most %(percent)s%% at renewal: at most %(ceiling)s won.")
                % {"percent": renewal.contract.unit.facility.max_rent_increase_percent, "ceiling": f"{ceiling:,}"},
                field="monthly_rent",
            )
        renewal.status = RenewalRequest.Status.APPROVED
        renewal.proposed_rent = monthly_rent
        renewal.manager_note = note.strip()
        renewal.decided_by = manager
        renewal.decided_at = timezone.now()
        renewal.save(update_fields=["status", "proposed_rent", "manager_note", "decided_by", "decided_at", "updated"])
        record(
            actor=manager, action="renewal.approved", target=renewal, after={"monthly_rent": monthly_rent}, reason=note
        )
        _tell(
            renewal,
            Notification.Kind.RENEWAL_APPROVED,
            _tenant_contacts(renewal.contract.organization),
            "approved",
            note,
        )
    return renewal


def reject_renewal(*, renewal: RenewalRequest, manager, reason: str) -> RenewalRequest:
    reason = (reason or "").strip()
    if not reason:
        raise TenancyError("reason_required", _("Say why the renewal is refused; the tenant reads it."), field="reason")
    with transaction.atomic():
        renewal = _lock_renewal(renewal)
        _require_facility_manager(manager, renewal)
        if renewal.status not in (RenewalRequest.Status.SUBMITTED, RenewalRequest.Status.CHANGES_REQUESTED):
            raise TenancyError("invalid_state", _("This request has already been decided."))
        renewal.status = RenewalRequest.Status.REJECTED
        renewal.manager_note = reason
        renewal.decided_by = manager
        renewal.decided_at = timezone.now()
        renewal.save(update_fields=["status", "manager_note", "decided_by", "decided_at", "updated"])
        record(actor=manager, action="renewal.rejected", target=renewal, reason=reason)
        _tell(
            renewal,
            Notification.Kind.RENEWAL_REJECTED,
            _tenant_contacts(renewal.contract.organization),
            "rejected",
            reason,
        )
    return renewal


def request_changes(*, renewal: RenewalRequest, manager, note: str) -> RenewalRequest:
    note = (note or "").strip()
    if not note:
        raise TenancyError("reason_required", _("Say what should change; the tenant reads it."), field="reason")
    with transaction.atomic():
        renewal = _lock_renewal(renewal)
        _require_facility_manager(manager, renewal)
        _require_status(renewal, RenewalRequest.Status.SUBMITTED, _("Only a submitted request can be sent back."))
        renewal.status = RenewalRequest.Status.CHANGES_REQUESTED
        renewal.manager_note = note
        renewal.save(update_fields=["status", "manager_note", "updated"])
        record(actor=manager, action="renewal.changes_requested", target=renewal, reason=note)
        _tell(
            renewal, Notification.Kind.RENEWAL_CHANGES, _tenant_contacts(renewal.contract.organization), "changes", note
        )
    return renewal


def accept_renewal(*, renewal: RenewalRequest, user, ip: str | None) -> LeaseContract:
    """The tenant accepts the approved terms: the new contract starts the day after the old one ends."""
    with transaction.atomic():
        renewal = _lock_renewal(renewal)
        contract = _lock_contract(renewal.contract)
        require_role(user, contract.organization, OWNER_OR_ADMIN)
        _require_status(renewal, RenewalRequest.Status.APPROVED, _("Only approved terms can be accepted, once."))
        if renewal.term_months not in renewal_terms(contract):
            raise TenancyError("over_tenancy_cap", _("This renewal would pass the facility's limit of tenancy."))
        business.refuse_closed_business(contract.organization)
        start = contract.end_date + timedelta(days=1)
        end = start + relativedelta(months=renewal.term_months) - timedelta(days=1)
        _check_unit_free(unit=contract.unit, start_date=start, end_date=end)
        now = timezone.now()
        new_contract = _save_contract(
            LeaseContract(
                organization=contract.organization,
                unit=contract.unit,
                start_date=start,
                end_date=end,
                monthly_rent=renewal.proposed_rent,
                maintenance_fee=contract.maintenance_fee,
                deposit=contract.deposit,
                notice_period_days=contract.notice_period_days,
                status=LeaseContract.Status.ACTIVE,
                signed_at=now,
                accepted_by=user,
                accepted_ip=ip,
                renews=contract,
            )
        )
        renewal.status = RenewalRequest.Status.ACCEPTED
        renewal.accepted_by = user
        renewal.accepted_at = now
        renewal.accepted_ip = ip
        renewal.new_contract = new_contract
        renewal.save(update_fields=["status", "accepted_by", "accepted_at", "accepted_ip", "new_contract", "updated"])
        record(actor=user, action="renewal.accepted", target=renewal, after={"new_contract": new_contract.pk, "ip": ip})
        record(actor=user, action="contract.created", target=new_contract, after=_contract_snapshot(new_contract))
        _tell(renewal, Notification.Kind.RENEWAL_ACCEPTED, _facility_managers(contract.unit.facility), "accepted")
    return new_contract


def ensure_notice_possible(*, contract: LeaseContract, user) -> None:
    """Refuse notice from someone not an owner or admin of the tenant (403) or on a contract that is not
    active, already noticed or already renewed (409); for the confirmation page and, under the lock, for
    the notice itself."""
    require_role(user, contract.organization, OWNER_OR_ADMIN)
    if contract.status != LeaseContract.Status.ACTIVE or contract.non_renewal_notice_at:
        raise TenancyError("invalid_state", _("Notice cannot be given for this contract."))
    if hasattr(contract, "renewed_by"):
        raise TenancyError("invalid_state", _("This contract has already been renewed."))


def give_notice(*, contract: LeaseContract, user, note: str = "") -> LeaseContract:
    """The tenant will not renew and moves out at the end of the contract."""
    with transaction.atomic():
        contract = _lock_contract(contract)
        ensure_notice_possible(contract=contract, user=user)
        contract.non_renewal_notice_at = timezone.now()
        contract.non_renewal_notice_by = user
        contract.non_renewal_note = note.strip()
        contract.save(update_fields=["non_renewal_notice_at", "non_renewal_notice_by", "non_renewal_note", "updated"])
        for renewal in RenewalRequest.objects.filter(contract=contract, status__in=RenewalRequest.OPEN_STATUSES):
            renewal.status = RenewalRequest.Status.WITHDRAWN
            renewal.save(update_fields=["status", "updated"])
            record(actor=user, action="renewal.withdrawn", target=renewal)
        record(actor=user, action="contract.notice_given", target=contract, reason=note)
    return contract


def update_contract_statuses(*, today: date | None = None) -> dict[str, int]:
    """Daily: active contracts past their last day become ``renewed`` (a successor exists) or ``expired``."""
    today = today or timezone.localdate()
    counts = {"renewed": 0, "expired": 0}
    with transaction.atomic():
        ended = (
            LeaseContract.objects.select_for_update(of=("self",))
            .filter(status=LeaseContract.Status.ACTIVE, end_date__lt=today)
            .select_related("renewed_by")
        )
        for contract in ended:
            successor = getattr(contract, "renewed_by", None)
            new_status = (
                LeaseContract.Status.RENEWED
                if successor is not None and successor.status == LeaseContract.Status.ACTIVE
                else LeaseContract.Status.EXPIRED
            )
            before = contract.status
            contract.status = new_status
            contract.save(update_fields=["status", "updated"])
            record(
                actor=None,
                action=f"contract.{new_status}",
                target=contract,
                before={"status": before},
                after={"status": new_status},
            )
            if new_status == LeaseContract.Status.EXPIRED:
                notify(
                    kind=Notification.Kind.CONTRACT_EXPIRED,
                    recipients=_tenant_contacts(contract.organization),
                    subject=contract,
                    key=f"contract:{contract.pk}:expired",
                )
            counts[new_status] += 1
    return counts
