"""The day-by-day figures of each space, built from the bookings by ``reports.services.build_usage``.

The reports add these rows up instead of reading the bookings, so a year of a facility costs the same at
10,000 and at 1,000,000 bookings. Every (space, day) of a built window has its row, zeros included, and a
build overwrites each row whole: building the same window again, or twice at once, gives the same rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

HOURS = range(24)


def hour_field(hour: int) -> str:
    return f"minutes_{hour:02d}"


class SpaceDay(models.Model):
    """One space on one day (Asia/Seoul).

    Minutes booked count approved bookings and no-shows (the room was given to someone), split at midnight
    and at each hour. The counts belong to the day a booking starts: ``bookings`` are those approved,
    cancelled or not shown up (pending and rejected requests are not bookings yet, or never were).
    Money is by the day of use too: ``revenue`` is what was paid, ``refunds`` what was or is to be paid back.
    """

    space = models.ForeignKey("hall.Space", on_delete=models.CASCADE, related_name="+", verbose_name=_("space"))
    day = models.DateField(_("day"))
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 is Monday, as date.weekday()
    open_minutes = models.PositiveIntegerField(_("open minutes"), default=0)
    booked_minutes = models.PositiveIntegerField(_("booked minutes"), default=0)
    bookings = models.PositiveIntegerField(_("bookings"), default=0)
    cancellations = models.PositiveIntegerField(_("cancellations"), default=0)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0)
    # The sum of the bookings' lead times (from the request to the start), for the average.
    lead_minutes = models.BigIntegerField(_("lead time (minutes, summed)"), default=0)
    revenue = models.BigIntegerField(_("revenue (KRW)"), default=0)
    refunds = models.BigIntegerField(_("refunds (KRW)"), default=0)
    reductions = models.PositiveIntegerField(_("reductions granted"), default=0)
    reduction_amount = models.BigIntegerField(_("reductions (KRW)"), default=0)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("space-day figures")
        verbose_name_plural = _("space-day figures")
        constraints = [
            # One row per space and day; the unique index also answers "these spaces, these days".
            models.UniqueConstraint(fields=["space", "day"], name="space_day_unique"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="space_day_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.space_id} {self.day}"


# Minutes booked in each hour of the day, for the weekday × hour heatmap: 24 columns of one row rather than
# 24 rows, so that a build overwrites them with the rest of the day and a report adds them up in one pass.
for _hour in HOURS:
    SpaceDay.add_to_class(hour_field(_hour), models.PositiveSmallIntegerField(default=0))
