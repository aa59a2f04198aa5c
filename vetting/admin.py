"""The audit trail and the review records in the admin: read-only, like everywhere else."""

from django.contrib import admin

from vetting.audit import AuditEvent
from vetting.models import Decision, Review, VerificationRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted (decisions go through the review pages)."""

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


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "state", "assignee", "escalated_by", "decided_by", "updated_at"]
    list_filter = ["state"]
    raw_id_fields = ["candidate"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "candidate", "action", "from_state", "to_state", "actor",
                    "reason_code"]
    list_filter = ["action"]
    raw_id_fields = ["candidate"]


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "candidate", "method", "outcome", "requested_by"]
    list_filter = ["method", "outcome"]
    raw_id_fields = ["candidate"]
