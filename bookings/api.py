from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from bookings import selectors
from bookings.filters import SpaceFilter
from dongnam.api import StrictQueryParamsMixin
from hall.models import Space


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

    def get_url(self, space) -> str:
        request = self.context.get("request")
        path = space.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_requires_approval(self, space) -> bool:
        return space.policy.requires_approval

    def get_opening_hours(self, space) -> dict[str, list[list[str]]]:
        return space.policy.opening_hours


@extend_schema_view(
    list=extend_schema(summary="Search spaces", description="Filter by building, facility, kind, capacity, amenity."),
    retrieve=extend_schema(summary="One space"),
)
class SpaceViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SpaceSerializer
    filterset_class = SpaceFilter
    lookup_field = "slug"
    queryset = selectors.space_list()
