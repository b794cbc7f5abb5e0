"""REST API of reminders: the reminder log, read only, with the page's filters."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from ktgs.api import ScopedViewSetMixin
from reminders import queries
from reminders.filters import ReminderLogFilter
from reminders.models import OutboxMessage


class ReminderSerializer(serializers.ModelSerializer):
    recipient_username = serializers.CharField(source="recipient.username", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "organization",
            "period",
            "step",
            "recipient",
            "recipient_username",
            "email",
            "language",
            "status",
            "attempts",
            "last_error",
            "message_id",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Nhật ký thư nhắc việc (lãnh đạo, quản trị: trong phạm vi)"),
    retrieve=extend_schema(summary="Một thư nhắc việc"),
)
class ReminderViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The same log as the reminder log page, scoped and filtered the same way: leaders
    and admins see the mail about the units they lead; staff see none (they do not
    oversee it)."""

    serializer_class = ReminderSerializer
    filterset_class = ReminderLogFilter
    ordering_fields = ["created_at", "sent_at", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return queries.reminder_log(self.request.user)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reminders", ReminderViewSet, basename="reminder")
urlpatterns = router.urls
