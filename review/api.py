"""What the ATS API tells an integrator about the review of its candidate: the `review`
field on every candidate response and the list's `review_state` filter.

candidates (the API) may not import this app; ReviewConfig.ready() registers both into the
API's extension points (candidates/extensions.py, docs/architecture.md).

What an integrator sees: the company's decision about its own applicant (state, reason code,
when it was decided) and who has it in hand, as a display name. Not the reviewer's username
(a sign-in identifier, sometimes an email address) nor their email; a reviewer without a
first or last name is shown as null. Nothing here reads another candidate, so nothing about
another integration's applicants can leak through it (docs/tenancy.md).
"""

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import serializers

from candidates import extensions
from review.models import ReviewState

FIELD = "review"
FILTER = "review_state"


class CandidateReviewOutput(serializers.Serializer):
    """Where the company's review of this applicant stands. `new` until a reviewer first
    acts on it."""

    state = serializers.ChoiceField(choices=ReviewState.choices)
    reason_code = serializers.CharField(help_text=(
        "The reason code of the current decision or escalation (e.g. identity_verified, "
        "fraud_confirmed); empty when none was given."))
    decided_at = serializers.DateTimeField(allow_null=True, help_text=(
        "When the current final decision (cleared, approved, rejected) was taken; null "
        "while there is none."))
    assignee = serializers.CharField(allow_null=True, help_text=(
        "The display name of the reviewer who has the candidate in hand; null when nobody "
        "has picked it up, or the reviewer has no display name."))

    def to_representation(self, candidate):
        # select_related("review__assignee") on lists and details (no query); a candidate
        # without a Review row has never been touched: state "new".
        review = getattr(candidate, "review", None)
        if review is None:
            return {"state": ReviewState.NEW.value, "reason_code": "", "decided_at": None,
                    "assignee": None}
        assignee = review.assignee.get_full_name().strip() if review.assignee else ""
        decided_at = review.decided_at
        return {
            "state": review.state,
            "reason_code": review.reason_code,
            "decided_at": self.fields["decided_at"].to_representation(decided_at)
            if decided_at else None,
            "assignee": assignee or None,
        }


def review_field() -> serializers.Field:
    return CandidateReviewOutput(source="*", read_only=True)


def with_review(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("review__assignee")


def review_state_filter(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == ReviewState.NEW:
        # Rows are created by the first decision: most new candidates have none.
        return queryset.filter(Q(review__isnull=True) | Q(review__state=ReviewState.NEW))
    return queryset.filter(review__state=value)


def api_extensions_register() -> None:
    """Called by ReviewConfig.ready()."""
    extensions.output_field_register(name=FIELD, field=review_field, queryset=with_review)
    extensions.list_filter_register(name=FILTER, filter=django_filters.ChoiceFilter(
        choices=ReviewState.choices, method=review_state_filter,
        help_text="Candidates whose review is in this state; `new` includes candidates "
                  "no reviewer has touched yet."))
