"""The queue page and its actions: the dense list, bulk clear and assign, taking a candidate,
and "Review anyway" for a candidate the system cleared. Thin, like review.views: a role
check, a form, one service; refusals show the queue again with the reason and a 4xx status.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from review import roles
from review.assignment import assignable_users, review_assign, review_bulk_assign
from review.bulk import bulk_cap, review_bulk_clear
from review.filters import QueueFilterSet
from review.forms import AssignForm, QueueBulkForm
from review.queue import (
    SORTS,
    newest_candidate_id,
    pending_rows,
    queue_rows,
    queue_sorted_page,
)
from review.selectors import SAVED_VIEWS, queue_base, queue_filter_options
from review.services import CLEAR_REASONS, review_refusal_record
from review.triage import review_review_anyway

# The query parameters that make up a queue's filter (carried by the bulk form).
FILTER_KEYS = ("q", "level", "state", "flag", "position", "integration", "view", "sort")
NARROWING = ("q", "level", "flag", "position", "integration")


def queue_render(request, query: QueryDict, *, error: str = "", status: int = 200):
    filterset = QueueFilterSet(query, queryset=queue_base(), user=request.user,
                               options=queue_filter_options())
    sort = filterset.value("sort")
    cursor = query.get("after")
    page = queue_sorted_page(queryset=filterset.qs, sort=sort, cursor=cursor)
    filters = {"view": filterset.value("view"), "state": filterset.value("state"),
               "sort": sort}
    can_review = roles.user_can(request.user, roles.REVIEW)
    applied = [key for key in NARROWING if filterset.value(key)]
    if filters["state"] != "open" and not filters["view"]:
        applied.append("state")
    return render(request, "review/queue.html", {
        "form": filterset.form, "filters": filters, "page": page,
        "rows": queue_rows(page.rows, user=request.user), "saved_views": SAVED_VIEWS,
        "selects": _selects(filterset.form), "sorts": SORTS,
        "pending": pending_rows(filterset=filterset) if not cursor else None,
        "view_title": SAVED_VIEWS.get(filters["view"], "Review queue"),
        "sort_label": SORTS.get(sort, ""),
        "first_page": not cursor, "filters_applied": len(applied),
        "hidden_filters": [(key, query.get(key)) for key in FILTER_KEYS if query.get(key)],
        "can_review": can_review, "reasons": CLEAR_REASONS, "bulk_cap": bulk_cap(),
        "select_all_allowed": not page.count_capped and 0 < page.count <= bulk_cap(),
        "upto": newest_candidate_id() if can_review else 0,
        "assignees": assignable_users() if can_review else [],
        "error": error,
    }, status=status)


@require_POST
@roles.capability_required(roles.REVIEW)
def queue_bulk(request):
    query = _filter_query(request.POST)
    form = QueueBulkForm(request.POST)
    if not form.is_valid():
        return queue_render(request, query, error="Choose what to do with the selection.",
                            status=400)
    data = form.cleaned_data
    if data["scope"] == "all":
        selection = {"filter_query": query, "upto_id": data["upto"]}
    else:
        selection = {"candidate_ids": _ids(request.POST.getlist("ids"))}
    try:
        if data["op"] == "clear":
            result = review_bulk_clear(actor=request.user, reason_code=data["reason_code"],
                                       comment=data["comment"], **selection)
            done = f"Cleared {len(result.done)} candidate{'s' if len(result.done) != 1 else ''}"
        else:
            assignee = _assignee(data["assignee"] or "me", request.user)
            result = review_bulk_assign(actor=request.user, assignee=assignee, **selection)
            who = assignee.get_username() if assignee else "nobody"
            done = f"Assigned {len(result.done)} to {who}"
    except ApplicationError as exc:
        return queue_render(request, query, error=exc.message, status=exc.status_code)
    skipped = "; ".join(f"{n} {why}" for n, why in result.skipped_summary())
    messages.success(request, f"{done}." + (f" Skipped {result.skipped_count}: {skipped}."
                                           if skipped else ""))
    return redirect(_queue_url(query))


@require_POST
@roles.capability_required(roles.REVIEW)
def candidate_assign(request, pk: int):
    query = _filter_query(request.POST)
    form = AssignForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Choose whom to assign the candidate to.", code="invalid")
        assignee = _assignee(form.cleaned_data["to"], request.user)
        review_assign(candidate_id=pk, actor=request.user, assignee=assignee)
    except ApplicationError as exc:
        if exc.code == "forbidden":
            review_refusal_record(candidate_id=pk, actor=request.user, action="assign",
                                  error=exc)
        return queue_render(request, query, error=exc.message, status=exc.status_code)
    messages.success(request, f"Assigned to {assignee.get_username()}." if assignee
                     else "Unassigned.")
    return redirect(_queue_url(query))


@require_POST
@roles.capability_required(roles.REVIEW)
def candidate_review_anyway(request, pk: int):
    try:
        review_review_anyway(candidate_id=pk, actor=request.user)
    except ApplicationError as exc:
        return queue_render(request, _filter_query(request.POST), error=exc.message,
                            status=exc.status_code)
    messages.success(request, "Back in the queue as new, assigned to you.")
    return redirect("review:candidate", pk=pk)


# --- helpers -------------------------------------------------------------------------------


def _filter_query(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        if data.get(key):
            query[key] = data.get(key)
    return query


def _queue_url(query: QueryDict) -> str:
    encoded = query.urlencode()
    return reverse("review:queue") + (f"?{encoded}" if encoded else "")


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values[: bulk_cap() + 1]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


def _assignee(value: str, user):
    """"me", "none" or a user id -> the user (None for nobody)."""
    if value == "me":
        return user
    if value == "none":
        return None
    found = (get_user_model().objects.filter(pk=int(value)).first()
             if value.isdigit() else None)
    if found is None:
        raise ApplicationError("No such user.", code="invalid")
    return found


def _selects(form) -> dict:
    """The filter menus as (value, label, selected) lists (as review.views._selects)."""
    menus = {}
    for name in ("level", "state", "flag", "position", "integration"):
        current = str(form.data.get(name, "") or "")
        if name == "state" and not current:
            current = "open"
        menus[name] = [(str(value), label, str(value) == current)
                       for value, label in form.fields[name].choices]
    return menus
