from django.contrib.contenttypes.prefetch import GenericPrefetch

from notifications import services


def inbox_with_subjects(user):
    """The user's in-app notifications with their subjects and what their messages show: one query per
    kind of subject, whatever the number of notifications."""
    from bookings.models import Booking
    from tenants.models import Invitation, LeaseContract, RenewalRequest

    return services.inbox(user).prefetch_related(
        GenericPrefetch(
            "subject",
            [
                Booking.objects.select_related("space__facility"),
                RenewalRequest.objects.select_related("contract__unit__facility", "contract__organization"),
                LeaseContract.objects.select_related("unit__facility", "organization"),
                Invitation.objects.select_related("organization", "invited_by"),
            ],
        )
    )
