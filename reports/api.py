"""``/api/v1/reports/``: the utilization and heatmap figures, for managers of the facilities asked about."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from bookings.rules import HALL_TZ
from common.api import StrictQueryParamsMixin
from hall.selectors import facilities_managed_by, is_manager, refuse_without_second_factor
from reports import selectors
from reports.forms import ReportFilterForm

FILTERS = [
    OpenApiParameter(
        "facility", OpenApiTypes.STR, description="A facility's slug; all the caller manages if left out."
    ),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (Asia/Seoul); the current month's first."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included; the current month's last."),
]

_PERIOD = {
    "facility": serializers.CharField(allow_null=True),
    "from": serializers.DateField(),
    "to": serializers.DateField(),
    "built_at": serializers.DateTimeField(allow_null=True),
    "complete": serializers.BooleanField(),
}

UTILIZATION_ROW = (
    "UtilizationRow",
    {
        "space": serializers.CharField(),
        "space_name": serializers.CharField(),
        "facility": serializers.CharField(),
        "open_hours": serializers.FloatField(),
        "booked_hours": serializers.FloatField(),
        "occupancy": serializers.FloatField(),
        "bookings": serializers.IntegerField(),
        "cancellations": serializers.IntegerField(),
        "no_shows": serializers.IntegerField(),
        "revenue": serializers.IntegerField(),
        "refunds": serializers.IntegerField(),
    },
)


class ReportViewSet(StrictQueryParamsMixin, viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]
    base_query_params = frozenset({"format"})
    extra_query_params = frozenset({"facility", "from", "to"})

    def _filter(self, request) -> ReportFilterForm:
        refuse_without_second_factor(request.user)
        if not is_manager(request.user):
            raise PermissionDenied(_("Reports are for the facilities' managers."))
        form = ReportFilterForm(
            request.query_params,
            facilities=facilities_managed_by(request.user),
            today=timezone.now().astimezone(HALL_TZ).date(),
        )
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        return form

    @staticmethod
    def _period(form: ReportFilterForm, utilization=None) -> dict:
        first, last = form.period
        facility = form.cleaned_data.get("facility")
        period = {"facility": facility.slug if facility else None, "from": first, "to": last}
        if utilization is not None:
            period |= {"built_at": utilization.built_at, "complete": utilization.complete}
        return period

    @extend_schema(
        parameters=FILTERS,
        responses=inline_serializer(
            "Utilization", {**_PERIOD, "results": inline_serializer(*UTILIZATION_ROW, many=True)}
        ),
    )
    @action(detail=False)
    def utilization(self, request):
        """One row per space: open and booked hours, occupancy (0–1), bookings, cancellations, no-shows,
        revenue and refunds (won), over the days from ``from`` to ``to``."""
        form = self._filter(request)
        first, last = form.period
        usage = selectors.utilization(facility_ids=form.facility_ids, first=first, last=last)
        results = [
            {
                "space": row.key,
                "space_name": row.name,
                "facility": row.parent_key,
                "open_hours": row.open_hours,
                "booked_hours": row.booked_hours,
                "occupancy": row.occupancy,
                "bookings": row.bookings,
                "cancellations": row.cancellations,
                "no_shows": row.no_shows,
                "revenue": row.revenue,
                "refunds": row.refunds,
            }
            for row in usage.spaces
        ]
        return Response({**self._period(form, usage), "results": results})

    @extend_schema(
        parameters=FILTERS,
        responses=inline_serializer(
            "Heatmap",
            {
                **{name: _PERIOD[name] for name in ("facility", "from", "to")},
                "hours": serializers.ListField(child=serializers.ListField(child=serializers.FloatField())),
            },
        ),
    )
    @action(detail=False)
    def heatmap(self, request):
        """Booked hours by weekday (row 0 is Monday) and hour of the day (column 0 is 00:00–01:00)."""
        form = self._filter(request)
        first, last = form.period
        result = selectors.heatmap(facility_ids=form.facility_ids, first=first, last=last)
        return Response({**self._period(form), "hours": result.hours})
