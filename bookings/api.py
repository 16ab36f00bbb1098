from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bookings import errors, selectors, series, services, waitlist
from bookings.filters import SpaceFilter
from bookings.models import Booking
from common.api import Pagination, PrebuiltFieldsMixin, StrictQueryParamsMixin
from common.pagination import CountedPaginator
from hall.models import Space
from hall.selectors import is_manager, refuse_without_second_factor
from tenants.models import Organization

MAX_BUSY_SPAN = timedelta(days=31)


class DateTimeField(serializers.DateTimeField):
    """DRF's field, refusing a time at the edge of the calendar (year 1, year 9999) that cannot be shifted to
    Asia/Seoul as out of range (400) instead of letting the OverflowError through (500)."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class SpaceSerializer(serializers.ModelSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    building = serializers.SlugRelatedField(source="facility.building", slug_field="slug", read_only=True)
    amenities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    area_m2 = serializers.FloatField(allow_null=True, read_only=True)
    url = serializers.SerializerMethodField()
    requires_approval = serializers.SerializerMethodField()
    opening_hours = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = [
            "slug",
            "name",
            "name_en",
            "kind",
            "capacity",
            "floor",
            "area_m2",
            "facility",
            "building",
            "amenities",
            "is_bookable",
            "booking_unit",
            "requires_approval",
            "opening_hours",
            "photo",
            "url",
        ]

    # The schema reads the method fields' types from these; to_representation gives the values.
    def get_url(self, space) -> str:
        request = self.context.get("request")
        path = space.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_requires_approval(self, space) -> bool:
        return space.policy.requires_approval

    def get_opening_hours(self, space) -> dict[str, list[list[str]]]:
        return space.policy.opening_hours

    def to_representation(self, row):
        """A row of ``selectors.space_rows`` (with ``amenity_slugs``) as the fields above give a space: the
        same JSON, built without model instances, field objects or a URL reversed per space, for a search
        answering up to 200 spaces."""
        request = self.context.get("request")
        photo = row["photo"]
        if photo:
            photo = Space._meta.get_field("photo").storage.url(photo)
            photo = request.build_absolute_uri(photo) if request else photo
        return {
            "slug": row["slug"],
            "name": row["name"],
            "name_en": row["name_en"],
            "kind": row["kind"],
            "capacity": row["capacity"],
            "floor": row["floor"],
            "area_m2": None if row["area_m2"] is None else float(row["area_m2"]),
            "facility": row["facility_slug"],
            "building": row["building_slug"],
            "amenities": row["amenity_slugs"],
            "is_bookable": row["is_bookable"],
            "booking_unit": row["booking_unit"],
            "requires_approval": Space.own_or_facility(row["requires_approval"], row["facility_requires_approval"]),
            "opening_hours": Space.own_or_facility(row["opening_hours"], row["facility_opening_hours"]),
            "photo": photo or None,
            "url": self._space_url(row["slug"], request),
        }

    def _space_url(self, slug: str, request) -> str:
        """The space's page, as ``get_url`` gives it: one reverse per serializer, each slug put in its place."""
        parts = self.__dict__.get("_url_parts")
        if parts is None:
            marker = "space-slug"
            path = reverse("bookings:space_detail", kwargs={"slug": marker})
            parts = self._url_parts = (request.build_absolute_uri(path) if request else path).split(marker)
        return slug.join(parts)


class SpacePagination(Pagination):
    django_paginator_class = CountedPaginator


class BusyPeriodSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["pending", "approved", "closed"])


class BusyQuerySerializer(serializers.Serializer):
    # ``from`` is a Python keyword; the serializer reads it as a declared field below.
    to = DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateTimeField()
        return fields

    def validate(self, data):
        if data["to"] <= data["from"]:
            raise ValidationError({"to": [_("The end must be after the start.")]})
        if data["to"] - data["from"] > MAX_BUSY_SPAN:
            raise ValidationError({"to": [_("Ask for at most 31 days at a time.")]})
        return data


@extend_schema_view(
    list=extend_schema(
        summary="Search spaces",
        description="Filter by building, facility, kind, capacity_min, amenity (repeat: all must match) and, "
        "with available_from and available_to (ISO 8601; no offset means Asia/Seoul), only the spaces free "
        "and open for that whole time.",
    ),
    retrieve=extend_schema(summary="One space"),
)
class SpaceViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SpaceSerializer
    filterset_class = SpaceFilter
    pagination_class = SpacePagination
    lookup_field = "slug"
    queryset = selectors.space_list()

    def filter_queryset(self, queryset):
        # Filtered as spaces, read as rows of what the serializer shows.
        return selectors.space_rows(super().filter_queryset(queryset))

    def list(self, request, *args, **kwargs):
        rows = selectors.add_amenity_slugs(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_object(self):
        return selectors.add_amenity_slugs([super().get_object()])[0]

    def get_extra_query_params(self):
        return {"from", "to"} if self.action == "busy" else set()

    def allowed_query_params(self):
        return super().allowed_query_params() | self.get_extra_query_params()

    @extend_schema(
        summary="Busy times of a space",
        description="Booked (pending or approved) and closed periods between from and to, without who booked.",
        parameters=[
            OpenApiParameter("from", str, required=True, description="ISO 8601 start"),
            OpenApiParameter("to", str, required=True, description="ISO 8601 end (at most 31 days later)"),
        ],
        responses=BusyPeriodSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def busy(self, request, slug=None):
        space = get_object_or_404(Space.objects.select_related("facility"), slug=slug)
        query = BusyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        periods = selectors.busy_periods(
            space=space, start=query.validated_data["from"], end=query.validated_data["to"]
        )
        return Response(BusyPeriodSerializer(periods, many=True).data)


class BookingSerializer(PrebuiltFieldsMixin, serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", queryset=Space.objects.select_related("facility"))
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True)
    url = serializers.SerializerMethodField()
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    start = DateTimeField()
    end = DateTimeField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "space",
            "organization",
            "title",
            "purpose",
            "attendees",
            "start",
            "end",
            "status",
            "requested_by",
            "decided_at",
            "decision_reason",
            "cancelled_at",
            "cancel_reason",
            "override_reason",
            "fee",
            "reduction_percent",
            "amount_due",
            "payment_status",
            "payment_deadline",
            "refund_amount",
            "created",
            "url",
        ]
        read_only_fields = [
            "fee",
            "reduction_percent",
            "amount_due",
            "payment_status",
            "payment_deadline",
            "refund_amount",
            "status",
            "decided_at",
            "decision_reason",
            "cancelled_at",
            "cancel_reason",
            "created",
        ]
        extra_kwargs = {"attendees": {"min_value": 1, "max_value": 100000}, "purpose": {"required": False}}

    def get_url(self, booking) -> str:
        request = self.context.get("request")
        path = booking.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class BookingCreateSerializer(BookingSerializer):
    """What a booking request may give; the answer is a ``BookingSerializer``."""

    # Only the slug: the booking service reads the space, with its facility, under the space's lock (one query
    # for both), and answers 400 when there is no such space.
    space = serializers.SlugField(max_length=Space._meta.get_field("slug").max_length)

    class Meta(BookingSerializer.Meta):
        fields = ["space", "organization", "title", "purpose", "attendees", "start", "end", "override_reason"]
        read_only_fields = []


class RecurrenceSerializer(serializers.Serializer):
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=list(series.WEEKDAYS)), min_length=1, max_length=7
    )
    interval = serializers.IntegerField(min_value=1, max_value=8, default=1)
    until = serializers.DateField(required=False)
    count = serializers.IntegerField(min_value=1, max_value=series.MAX_OCCURRENCES, required=False)

    def validate(self, data):
        if ("until" in data) == ("count" in data):
            raise ValidationError({"until": [_("Give either until or count.")]})
        return data


BOOKING_OPTIONS = frozenset({"recurrence", "dry_run", "skip_conflicts"})


class BookingOptionsSerializer(serializers.Serializer):
    recurrence = RecurrenceSerializer(required=False)
    dry_run = serializers.BooleanField(default=False)
    skip_conflicts = serializers.BooleanField(default=False)


class OccurrenceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    ok = serializers.BooleanField()
    code = serializers.CharField()
    detail = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


def _flag(request, name: str) -> bool:
    value = request.data.get(name) if isinstance(request.data, dict) else None
    return value is True or value in ("true", "1", "on")


_BOOKING_ERROR = inline_serializer(
    "BookingError",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(required=False),
        "violations": serializers.ListField(child=serializers.DictField(), required=False),
    },
)


# What POST /bookings/ answers: the booking, or with `recurrence` the series; a dry run lists the occurrences.
_BOOKING_CREATED = PolymorphicProxySerializer(
    component_name="BookingCreated",
    serializers=[
        BookingSerializer,
        inline_serializer(
            "BookingSeriesCreated",
            fields={
                "series": serializers.IntegerField(),
                "bookings": BookingSerializer(many=True),
                "skipped": OccurrenceSerializer(many=True),
            },
        ),
    ],
    resource_type_field_name=None,
)
_BOOKING_DRY_RUN = inline_serializer("BookingDryRun", fields={"occurrences": OccurrenceSerializer(many=True)})


class BookingViewSet(
    StrictQueryParamsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bookings you can see: your own, your organizations', and those of the facilities you manage."""

    serializer_class = BookingSerializer
    permission_classes = [permissions.IsAuthenticated]
    extra_query_params = frozenset({"status", "space"})

    def get_queryset(self):
        if self.action in {"approve", "reject", "payment", "refund"}:
            refuse_without_second_factor(self.request.user)
        if self.action in {"approve", "reject", "cancel", "payment", "refund"} and is_manager(self.request.user):
            # As on the manager pages, a manager acting on another facility's booking is refused (403) by the
            # service rather than told it does not exist.
            return Booking.objects.select_related("space__facility__building", "organization", "requested_by")
        queryset = selectors.visible_bookings(self.request.user).order_by("-start", "-pk")
        if self.action == "list":
            status_filter = self.request.query_params.get("status")
            if status_filter:
                if status_filter not in Booking.Status.values:
                    raise ValidationError({"status": [_("Unknown status.")]})
                queryset = queryset.filter(status=status_filter)
            space = self.request.query_params.get("space")
            if space:
                queryset = queryset.filter(space__slug=space)
        return queryset

    @extend_schema(
        summary="Book a space",
        description="Times in ISO 8601; a time without offset is read as Asia/Seoul. 201 with status pending or "
        "approved. With `recurrence` ({weekdays: [MO, WE], interval, until | count}) a weekly series is created "
        "all-or-nothing (201: series, bookings, skipped), leaving out what cannot be booked when "
        "`skip_conflicts` is true; `dry_run` returns each occurrence with its rule `code` and saves nothing. "
        "400 with a rule code (outside_opening_hours, on_holiday, closed, too_long, too_short, "
        "too_far_ahead, too_soon, in_past, over_capacity, not_on_grid, invalid_range, ...); 409 slot_taken.",
        request=inline_serializer(
            "BookingCreate",
            fields={
                "space": serializers.SlugField(),
                "start": serializers.DateTimeField(),
                "end": serializers.DateTimeField(),
                "title": serializers.CharField(),
                "attendees": serializers.IntegerField(),
                "organization": serializers.IntegerField(required=False),
                "purpose": serializers.CharField(required=False),
                "override_reason": serializers.CharField(required=False),
                "recurrence": RecurrenceSerializer(required=False),
                "dry_run": serializers.BooleanField(required=False),
                "skip_conflicts": serializers.BooleanField(required=False),
            },
        ),
        responses={
            200: _BOOKING_DRY_RUN,
            201: _BOOKING_CREATED,
            400: _BOOKING_ERROR,
            403: _BOOKING_ERROR,
            409: _BOOKING_ERROR,
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = BookingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The options are read only when given: most requests book one occurrence.
        if BOOKING_OPTIONS.isdisjoint(request.data.keys()):
            options = {}
        else:
            options_serializer = BookingOptionsSerializer(data=request.data)
            options_serializer.is_valid(raise_exception=True)
            options = options_serializer.validated_data
        if options.get("recurrence") is not None or options.get("dry_run"):
            return self._create_series_or_dry_run(request, data, options)
        booking = services.create_booking(
            requested_by=request.user,
            space=data["space"],
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
            override_reason=data.get("override_reason", ""),
        )
        return Response(self.get_serializer(booking).data, status=status.HTTP_201_CREATED)

    def _create_series_or_dry_run(self, request, data, options):
        space = Space.objects.select_related("facility").filter(slug=data["space"]).first()
        if space is None:
            raise errors.unknown_space(data["space"])
        data = {**data, "space": space}
        recurrence = options.get("recurrence")
        rule = (
            series.Recurrence(
                weekdays=tuple(recurrence["weekdays"]),
                interval=recurrence.get("interval", 1),
                until=recurrence.get("until"),
                count=recurrence.get("count"),
            )
            if recurrence is not None
            else None
        )
        if options.get("dry_run"):
            organization = services.resolve_organization(user=request.user, organization=data.get("organization"))
            periods = (
                series.plan(start=data["start"], end=data["end"], recurrence=rule)
                if rule
                else [(data["start"], data["end"])]
            )
            occurrences = series.check(
                user=request.user,
                space=data["space"],
                periods=periods,
                attendees=data["attendees"],
                title=data["title"],
                organization=organization,
            )
            return Response({"occurrences": OccurrenceSerializer(occurrences, many=True).data})
        created, bookings, skipped = series.create_series(
            requested_by=request.user,
            space=data["space"],
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            recurrence=rule,
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
            skip_conflicts=options.get("skip_conflicts", False),
        )
        return Response(
            {
                "series": created.pk,
                "bookings": self.get_serializer(bookings, many=True).data,
                "skipped": OccurrenceSerializer(skipped, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )

    def _transition(self, request, operation):
        booking = self.get_object()  # 404 for bookings the user may not see
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        booking = operation(booking=booking, reason=reason.validated_data.get("reason", ""))
        return Response(self.get_serializer(booking).data)

    @extend_schema(
        summary="Cancel a booking",
        description="With `following: true`, this occurrence of a series and all later ones.",
        request=ReasonSerializer,
        responses={200: BookingSerializer, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        if _flag(request, "following"):
            return self._transition(
                request,
                lambda booking, reason: series.cancel_from(booking=booking, user=request.user, reason=reason)[0],
            )
        return self._transition(
            request, lambda booking, reason: services.cancel_booking(booking=booking, user=request.user, reason=reason)
        )

    @extend_schema(
        summary="Take a slot offered from the waiting list",
        request=None,
        responses={200: BookingSerializer, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="accept-offer")
    def accept_offer(self, request, pk=None):
        return self._transition(
            request, lambda booking, reason: waitlist.accept_offer(booking=booking, user=request.user)
        )

    @extend_schema(
        summary="Decline a slot offered from the waiting list",
        request=None,
        responses={200: BookingSerializer, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="decline-offer")
    def decline_offer(self, request, pk=None):
        def decline(booking, reason):
            waitlist.decline_offer(booking=booking, user=request.user)
            booking.refresh_from_db()
            return booking

        return self._transition(request, decline)

    @extend_schema(
        summary="Check in (15 minutes before to 30 after the start)",
        request=None,
        responses={200: BookingSerializer, 400: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._transition(request, lambda booking, reason: services.check_in(booking=booking, user=request.user))

    @extend_schema(
        summary="Join the waiting list of a taken slot",
        request=BookingSerializer,
        responses={
            201: inline_serializer("WaitlistEntry", fields={"id": serializers.IntegerField()}),
            400: _BOOKING_ERROR,
            409: _BOOKING_ERROR,
        },
    )
    @action(detail=False, methods=["post"])
    def waitlist(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = waitlist.join_waitlist(
            user=request.user,
            space=data["space"],
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
        )
        return Response({"id": entry.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve a booking (managers)",
        request=ReasonSerializer,
        responses={200: BookingSerializer, 403: _BOOKING_ERROR, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        if _flag(request, "series"):
            return self._decide_series(request, approve=True)
        return self._transition(
            request,
            lambda booking, reason: services.approve_booking(booking=booking, manager=request.user, note=reason),
        )

    def _decide_series(self, request, *, approve: bool):
        def decide(booking, reason):
            if booking.series is None:
                raise errors.BookingError("invalid", _("This booking is not part of a series."))
            series.decide_series(series=booking.series, manager=request.user, approve=approve, reason=reason)
            booking.refresh_from_db()
            return booking

        return self._transition(request, decide)

    @extend_schema(
        summary="Record the payment (managers)",
        request=inline_serializer("PaymentInput", fields={"reference": serializers.CharField(required=False)}),
        responses={200: BookingSerializer, 403: _BOOKING_ERROR, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"])
    def payment(self, request, pk=None):
        return self._transition(
            request,
            lambda booking, reason: services.record_payment(
                booking=booking, manager=request.user, reference=str(request.data.get("reference", ""))[:100]
            ),
        )

    @extend_schema(
        summary="Record the refund as paid back (managers)",
        request=None,
        responses={200: BookingSerializer, 403: _BOOKING_ERROR, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        return self._transition(
            request,
            lambda booking, reason: services.record_refund(booking=booking, manager=request.user),
        )

    @extend_schema(
        summary="Reject a booking (managers)",
        request=ReasonSerializer,
        responses={200: BookingSerializer, 400: _BOOKING_ERROR, 403: _BOOKING_ERROR, 409: _BOOKING_ERROR},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        if _flag(request, "series"):
            return self._decide_series(request, approve=False)
        return self._transition(
            request,
            lambda booking, reason: services.reject_booking(booking=booking, manager=request.user, reason=reason),
        )
