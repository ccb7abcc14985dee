from django.contrib import admin

from parcours.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "actor", "target_type", "target_id", "ip"]
    list_filter = ["event_type"]
    search_fields = ["event_type", "target_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
