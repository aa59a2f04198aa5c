"""The queue's and the audit trail's filters, as django-filter FilterSets.

Invalid values are dropped rather than refused: a stale link or a hand-edited URL still
shows a page (django-filter leaves an invalid field out of cleaned_data, so it filters
nothing). The state and saved-view filters work together, so the FilterSet applies them
itself; every other field is a plain filter or a method below.
"""

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from candidates.models import Email, RiskLevel
from review.models import OPEN_STATES, Review, ReviewState
from review.selectors import (
    FLAG_CODES,
    SAVED_VIEWS,
    SEARCH_EMAIL_LIMIT,
    STATE_ALL,
    STATE_OPEN,
    VIEW_AWAITING_HR,
    VIEW_LOW_RISK,
    VIEW_MINE,
    VIEW_MY_ESCALATIONS,
    VIEW_NO_REVIEW_NEEDED,
    VIEW_UNASSIGNED,
    flag_title,
)

# The queue's sorts (review/queue.py keeps the keyset of each).
QUEUE_SORTS = [("risk", "Riskiest first"), ("applied", "Oldest application first"),
               ("arrived", "Oldest arrival first")]

AUDIT_ACTIONS = [
    ("review.", "Review decisions"), ("verification.", "Verification"),
    ("role.", "Role changes"), ("user.", "User accounts"), ("weights.", "Weight changes"),
    ("data.", "Data imports"), ("auth.", "Sign-ins and lockouts"),
]


def _unfiltered(queryset, name, value):
    """For fields the FilterSet applies itself (state, view) or that only carry the page."""
    return queryset


class QueueFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email or external id",
                                      "accesskey": "s"}))
    level = django_filters.ChoiceFilter(
        label="Level", field_name="risk_level", empty_label="Any level",
        choices=list(reversed(RiskLevel.choices)))
    state = django_filters.ChoiceFilter(
        label="Review", method=_unfiltered, empty_label=None,
        choices=[(STATE_OPEN, "Open (new, in review, escalated)"), (STATE_ALL, "Any state"),
                 *ReviewState.choices])
    flag = django_filters.ChoiceFilter(
        label="Flag", method="filter_flag", empty_label="Any flag",
        choices=[(code, f"{flag_title(code)} ({code})") for code in FLAG_CODES])
    position = django_filters.ChoiceFilter(label="Position", field_name="position",
                                           empty_label="Any position")
    integration = django_filters.ChoiceFilter(label="Source", field_name="integration_id",
                                              empty_label="Any source")
    view = django_filters.ChoiceFilter(method=_unfiltered, choices=list(SAVED_VIEWS.items()),
                                       widget=forms.HiddenInput)
    after = django_filters.CharFilter(method=_unfiltered, max_length=40,
                                      widget=forms.HiddenInput)
    sort = django_filters.ChoiceFilter(label="Sort", method=_unfiltered, empty_label=None,
                                       choices=QUEUE_SORTS)

    def __init__(self, data=None, *args, user, options: dict, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["position"].extra["choices"] = [(p, p) for p in options["positions"]]
        self.filters["integration"].extra["choices"] = [(str(i), name)
                                                        for i, name in options["integrations"]]

    def value(self, name: str) -> str:
        """A field's valid value ("" when absent or invalid); state defaults to open."""
        self.is_valid()
        value = self.form.cleaned_data.get(name) or ""
        return value or {"state": STATE_OPEN, "sort": "risk"}.get(name, "")

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if "flag" in self.form.errors:
            # A link to a flag code that no longer exists matches nothing, rather than
            # silently showing the whole queue as if it were filtered.
            return queryset.none()
        return super().filter_queryset(self._filter_state(queryset))

    def _filter_state(self, qs: QuerySet) -> QuerySet:
        view, state = self.value("view"), self.value("state")
        if view == VIEW_AWAITING_HR:
            return qs.filter(review__state=ReviewState.ESCALATED)
        if view == VIEW_MY_ESCALATIONS:
            return qs.filter(review__escalated_by=self.user)
        if view == VIEW_MINE:
            return qs.filter(review__assignee=self.user, review__state__in=OPEN_STATES)
        if view == VIEW_NO_REVIEW_NEEDED:
            return qs.filter(review__state=ReviewState.CLEARED,
                             review__reason_code="no_review_needed",
                             review__decided_by__isnull=True)
        if view == VIEW_UNASSIGNED:
            # Open, and no review with an assignee: an anti-join. Written as "assignee IS
            # NULL" on the left join, PostgreSQL estimated one row (the reviews' assignees
            # are rarely NULL) and sorted the whole table: a 1 s plan instead of an index walk.
            owned = Review.objects.filter(candidate_id=OuterRef("pk"), assignee__isnull=False)
            return qs.filter(Q(review__isnull=True) | Q(review__state__in=OPEN_STATES),
                             ~Exists(owned))
        if view == VIEW_LOW_RISK:
            # What bulk clearing is for: low risk, new or in review.
            return qs.filter(Q(review__isnull=True)
                             | Q(review__state__in=[ReviewState.NEW, ReviewState.IN_REVIEW]),
                             risk_level=RiskLevel.LOW)
        if state == STATE_ALL:
            return qs
        if state == ReviewState.NEW:
            return qs.filter(Q(review__isnull=True) | Q(review__state=ReviewState.NEW))
        if state in ReviewState.values:
            return qs.filter(review__state=state)
        # Open: no review yet, or one still waiting for someone.
        return qs.filter(Q(review__isnull=True) | Q(review__state__in=OPEN_STATES))

    def filter_flag(self, qs: QuerySet, name: str, code: str) -> QuerySet:
        if connection.vendor == "postgresql":
            # risk_flags @> '[{"code": ...}]', answered by the GIN index review_risk_flags.
            return qs.filter(risk_flags__contains=[{"code": code}])
        # SQLite (the demo) has no JSON containment: match the serialised text instead. Codes
        # are choices from the catalog, so the pattern is never user-controlled.
        return qs.annotate(_flags_text=Cast("risk_flags", TextField())).filter(
            _flags_text__contains=f'"code": "{code}"')

    def filter_search(self, qs: QuerySet, name: str, q: str) -> QuerySet:
        """Name (substring), external id (exact) or email (substring), any of them."""
        q = q.strip()
        if not q:
            return qs
        condition = Q(full_name__icontains=q) | Q(external_id=q)
        email_ids = list(Email.objects.filter(address__icontains=q)
                         .values_list("candidate_id", flat=True)[:SEARCH_EMAIL_LIMIT])
        if email_ids:
            condition |= Q(pk__in=email_ids)
        return qs.filter(condition)


class AuditFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label="Action", field_name="action",
                                         lookup_expr="startswith", empty_label="Any action",
                                         choices=AUDIT_ACTIONS)
    actor = django_filters.CharFilter(label="Who", field_name="actor_label", max_length=150)
    target_type = django_filters.CharFilter(field_name="target_type", max_length=60,
                                            widget=forms.HiddenInput)
    target_id = django_filters.CharFilter(label="Candidate or object id",
                                          field_name="target_id", max_length=64)
    before = django_filters.NumberFilter(method=_unfiltered, min_value=1,
                                         widget=forms.HiddenInput)

    def value(self, name: str):
        self.is_valid()
        return self.form.cleaned_data.get(name) or None

    def applied(self) -> dict:
        """The filters in force, for the audit record of an export."""
        self.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items()
                if value and name != "before"}
