from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import StrictQueryParamsMixin
from notifications import services
from notifications.messages import build_message, link_of
from notifications.models import Notification
from notifications.selectors import inbox_with_subjects


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "title", "created", "read"]

    def get_subject(self, notification) -> dict | None:
        if notification.subject_type_id is None:
            return None
        return {
            "type": notification.subject_type.model,
            "id": notification.subject_id,
            "url": link_of(notification),
        }

    def get_title(self, notification) -> str:
        return build_message(notification).subject

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return inbox_with_subjects(self.request.user).select_related("subject_type").order_by("-created", "-pk")

    @extend_schema(summary="Mark as read", request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
