from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from common.api import StrictQueryParamsMixin
from hall.selectors import facilities_managed_by, is_manager, refuse_without_second_factor
from tenants import selectors, services
from tenants.models import LeaseContract, Organization, RenewalRequest


class OrganizationSerializer(serializers.ModelSerializer):
    business_number = serializers.CharField(source="business_number_display", read_only=True)
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "business_number",
            "business_status",
            "business_checked_at",
            "representative",
            "email",
            "phone",
            "role",
        ]

    def get_role(self, organization) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(organization.pk)


class ContractSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    facility = serializers.SlugRelatedField(source="unit.facility", slug_field="slug", read_only=True)
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    # Null for a first contract; allow_null puts that in the schema.
    renews = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = LeaseContract
        fields = [
            "id",
            "unit",
            "facility",
            "organization",
            "start_date",
            "end_date",
            "monthly_rent",
            "maintenance_fee",
            "deposit",
            "status",
            "renews",
        ]

    def get_unit(self, contract) -> str:
        return contract.unit.code


class RenewalSerializer(serializers.ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(read_only=True)
    # Null until the tenant accepts the approved terms.
    new_contract = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = RenewalRequest
        fields = [
            "id",
            "contract",
            "status",
            "term_months",
            "proposed_rent",
            "note",
            "manager_note",
            "new_contract",
            "created",
        ]


class RenewalInputSerializer(serializers.Serializer):
    term_months = serializers.ChoiceField(choices=RenewalRequest.TERM_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ApproveInputSerializer(serializers.Serializer):
    monthly_rent = serializers.IntegerField(min_value=0, max_value=2_000_000_000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


_ERROR = inline_serializer(
    "TenancyError",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)


class OrganizationViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """The organizations you are a member of."""

    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Organization.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        return selectors.organizations_of(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["roles"] = dict(self.request.user.memberships.values_list("organization_id", "role"))
        return context


class ContractViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Contracts of your organizations, and of the facilities you manage."""

    serializer_class = ContractSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.visible_contracts(self.request.user).order_by("-start_date", "pk")

    @extend_schema(
        summary="Request renewal (owner or admin of the tenant)",
        request=RenewalInputSerializer,
        responses={201: RenewalSerializer, 400: _ERROR, 403: _ERROR, 409: _ERROR},
    )
    @action(detail=True, methods=["post"])
    def renewal(self, request, pk=None):
        contract = self.get_object()
        services.require_role(request.user, contract.organization, services.OWNER_OR_ADMIN)
        data = RenewalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renewal = services.request_renewal(
            contract=contract,
            user=request.user,
            term_months=data.validated_data["term_months"],
            note=data.validated_data.get("note", ""),
        )
        return Response(RenewalSerializer(renewal).data, status=status.HTTP_201_CREATED)


class RenewalViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Renewal requests of your organizations' contracts, and of the facilities you manage."""

    serializer_class = RenewalSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        contracts = selectors.visible_contracts(self.request.user).values("pk")
        return RenewalRequest.objects.filter(contract__in=contracts).order_by("created", "pk")

    def _managed(self, renewal) -> None:
        if not facilities_managed_by(self.request.user).filter(pk=renewal.contract.unit.facility_id).exists():
            raise PermissionDenied(_("Only the managers of this unit's facility may decide."))

    def _renewal(self, pk) -> RenewalRequest:
        # DRF's get_object_or_404: an id that is not a number is a 404 too, not a ValueError (500).
        return get_object_or_404(self.get_queryset().select_related("contract__unit__facility"), pk=pk)

    def _decidable(self, pk) -> RenewalRequest:
        """The renewal a manager decides on; a manager of another facility is refused (403), as on the pages."""
        refuse_without_second_factor(self.request.user)
        queryset = RenewalRequest.objects.all() if is_manager(self.request.user) else self.get_queryset()
        renewal = get_object_or_404(queryset.select_related("contract__unit__facility"), pk=pk)
        self._managed(renewal)
        return renewal

    @extend_schema(
        summary="Approve (managers)",
        request=ApproveInputSerializer,
        responses={200: RenewalSerializer, 400: _ERROR, 403: _ERROR, 409: _ERROR},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        renewal = self._decidable(pk)
        data = ApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renewal = services.approve_renewal(
            renewal=renewal,
            manager=request.user,
            monthly_rent=data.validated_data["monthly_rent"],
            note=data.validated_data.get("note", ""),
        )
        return Response(RenewalSerializer(renewal).data)

    @extend_schema(
        summary="Refuse (managers)",
        request=ReasonInputSerializer,
        responses={200: RenewalSerializer, 400: _ERROR, 403: _ERROR, 409: _ERROR},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        renewal = self._decidable(pk)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renewal = services.reject_renewal(
            renewal=renewal, manager=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(RenewalSerializer(renewal).data)

    @extend_schema(
        summary="Ask for changes (managers)",
        request=ReasonInputSerializer,
        responses={200: RenewalSerializer, 400: _ERROR, 403: _ERROR, 409: _ERROR},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        renewal = self._decidable(pk)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renewal = services.request_changes(
            renewal=renewal, manager=request.user, note=data.validated_data.get("reason", "")
        )
        return Response(RenewalSerializer(renewal).data)

    @extend_schema(
        summary="Accept the approved terms (tenant)",
        request=None,
        responses={201: ContractSerializer, 403: _ERROR, 409: _ERROR},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        renewal = self._renewal(pk)
        contract = services.accept_renewal(renewal=renewal, user=request.user, ip=request.META.get("REMOTE_ADDR"))
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)
