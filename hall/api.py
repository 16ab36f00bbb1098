from rest_framework import serializers, viewsets

from common.api import StrictQueryParamsMixin
from hall.models import Building, Facility


class BuildingSerializer(serializers.ModelSerializer):
    facilities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Building
        fields = ["slug", "name", "name_en", "description", "description_en", "facilities"]


class FacilitySerializer(serializers.ModelSerializer):
    building = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Facility
        fields = [
            "slug",
            "name",
            "name_en",
            "building",
            "description",
            "description_en",
            "operator",
            "contact_email",
            "contact_phone",
            "opening_hours",
            "open_on_holidays",
            "requires_approval",
        ]


class BuildingViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BuildingSerializer
    lookup_field = "slug"
    queryset = Building.objects.prefetch_related("facilities").order_by("position", "slug")


class FacilityViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FacilitySerializer
    lookup_field = "slug"
    queryset = Facility.objects.select_related("building").order_by("position", "slug")
