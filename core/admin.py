"""The audit trail in the admin: read-only, like everywhere else."""

from django.contrib import admin

from core.audit import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted (history is written only by services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_id", "action"]
    date_hierarchy = "created_at"
