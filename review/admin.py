"""The review records in the admin: read-only (decisions go through the review pages)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from review.models import Decision, Review, VerificationRequest


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
