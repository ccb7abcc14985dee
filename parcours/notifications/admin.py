from django.contrib import admin
from django.http import HttpRequest

from parcours.notifications.models import DevOutboxMessage, OutgoingEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the delivery services only: the admin is a window onto them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "recipient",
        "subject",
        "category",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["recipient", "subject", "=public_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "public_id",
        "recipient",
        "subject",
        "category",
        "user",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
        "body_text",
        "body_html",
    ]


@admin.register(DevOutboxMessage)
class DevOutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    fields = ["public_id", "created_at", "from_email", "to", "subject", "body_text", "body_html"]
