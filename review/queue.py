"""Reads for the dense queue: its sorts (each a keyset whose cursor encodes the sort key), the
candidates still being scored, and each row's verdict chips, all in a fixed, small number of
indexed queries per page whatever the page's size.

Sorts: riskiest first (the default: score, then newest id; review_queue_order), oldest
application first (applied_at, then id, NULLs last; review_queue_applied) and oldest arrival
first (created_at, then id; review_queue_arrival). A date cursor is "<microseconds>.<id>",
or "n.<id>" once the page has reached the candidates without a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from candidates.models import Candidate
from review import roles
from review.filters import QUEUE_SORTS
from review.models import OPEN_STATES, ReviewState, VerificationOutcome, VerificationRequest
from review.rings import fraud_links, ring_sizes
from review.selectors import (
    QUEUE_COUNT_CAP,
    QUEUE_PAGE_SIZE,
    QueuePage,
    candidate_review,
    queue_page,
)
from review.themes import flag_title
from review.triage import is_system_clearance

SORT_RISK, SORT_APPLIED, SORT_ARRIVED = "risk", "applied", "arrived"
SORTS = dict(QUEUE_SORTS)
SORT_FIELDS = {SORT_APPLIED: "applied_at", SORT_ARRIVED: "created_at"}
PENDING_LIMIT = 5  # rows of candidates being scored on the first page (the rest: a count)
PENDING_COUNT_CAP = 1000
CHIP_LIMIT = 2  # verdict chips and flag headings a one-line row has room for
_NULL = "n"


def queue_sorted_page(*, queryset: QuerySet[Candidate], sort: str, cursor: str | None,
                      size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """One page of the filtered queue in the chosen sort, by keyset."""
    field = SORT_FIELDS.get(sort)
    if field is None:
        return queue_page(queryset=queryset, cursor=cursor, size=size)
    # The count needs the filters' joins only, not the rows' (select_related).
    count = queryset.order_by().select_related(None)[: QUEUE_COUNT_CAP + 1].count()
    ordered = queryset.order_by(F(field).asc(nulls_last=True), "id")
    after = _date_cursor_parse(cursor)
    nulls = ordered.filter(**{f"{field}__isnull": True})
    if after is not None and after[0] is _NULL:
        rows = list(nulls.filter(id__gt=after[1])[: size + 1])
    else:
        dated = ordered.filter(**{f"{field}__isnull": False})
        if after is not None:
            at, last_id = after
            # The first condition bounds the index range; the second is the exact seek.
            dated = dated.filter(**{f"{field}__gte": at}).filter(
                Q(**{f"{field}__gt": at}) | Q(**{field: at}, id__gt=last_id))
        rows = list(dated[: size + 1])
        if len(rows) <= size:  # the dated rows ran out: the undated follow, by id
            rows += list(nulls[: size + 1 - len(rows)])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _date_cursor(getattr(rows[-1], field), rows[-1].pk)
    return QueuePage(rows=rows, next_cursor=next_cursor, count=min(count, QUEUE_COUNT_CAP),
                     count_capped=count > QUEUE_COUNT_CAP, page_size=size)


def _date_cursor(value: datetime | None, pk: int) -> str:
    if value is None:
        return f"{_NULL}.{pk}"
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{pk}"


def _date_cursor_parse(cursor: str | None):
    try:
        key, last_id = (cursor or "").split(".")
        if key == _NULL:
            return _NULL, int(last_id)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(key)), int(last_id)
    except (ValueError, OverflowError):
        return None


# --- Candidates being scored -----------------------------------------------------------------


@dataclass
class PendingRows:
    rows: list[dict]
    count: int
    count_capped: bool


def pending_base() -> QuerySet[Candidate]:
    """Candidates waiting for their first score, oldest first (the stuck ones on top)."""
    return (Candidate.objects.filter(risk_score__isnull=True)
            .defer("resume_text").order_by("created_at", "id"))


def pending_rows(*, filterset, limit: int = PENDING_LIMIT) -> PendingRows:
    """The first page's "scoring…" rows: the same filters as the queue (search finds them;
    a level or flag filter, which they cannot match yet, hides them), capped, with a count."""
    qs = filterset.filter_queryset(pending_base())
    count = qs.order_by()[: PENDING_COUNT_CAP + 1].count()
    now = timezone.now()
    stuck_before = now - timedelta(minutes=settings.REVIEW_STUCK_MINUTES)
    rows = [{
        "id": c.pk, "name": c.full_name, "external_id": c.external_id, "position": c.position,
        "applied_at": c.applied_at, "created_at": c.created_at,
        "applied_age": age_short(c.applied_at, now), "arrival_age": age_short(c.created_at, now),
        "stuck": c.created_at < stuck_before,
    } for c in qs[:limit]]
    return PendingRows(rows=rows, count=min(count, PENDING_COUNT_CAP),
                       count_capped=count > PENDING_COUNT_CAP)


# --- Rows ------------------------------------------------------------------------------------


def failed_verifications(candidate_ids: list[int]) -> set[int]:
    """The candidates with an identity verification that failed (one indexed query)."""
    return set(VerificationRequest.objects.filter(candidate_id__in=candidate_ids,
                                                  outcome=VerificationOutcome.FAILED)
               .values_list("candidate_id", flat=True))


def row_chips(candidate, *, ring: int, fraud: int, id_failed: bool) -> tuple[list[dict], int]:
    """What the row says about the candidate in at most CHIP_LIMIT chips, verdicts first
    (linked to fraud, identity check failed, ring), then the top flags' headings. Returns
    (chips, how many more there were)."""
    chips = []
    if fraud:
        chips.append({"text": f"Linked to {fraud} rejected as fraud", "tone": "critical"})
    if id_failed:
        chips.append({"text": "ID check failed", "tone": "critical"})
    if ring > 1:
        chips.append({"text": f"Ring of {ring}", "tone": "high"})
    for flag in candidate.risk_flags or []:
        chips.append({"text": flag_title(flag), "tone": flag.get("severity") or "none",
                      "code": str(flag.get("code", ""))})
    return chips[:CHIP_LIMIT], max(0, len(chips) - CHIP_LIMIT)


def age_short(value: datetime | None, now: datetime) -> str:
    """"45m", "5h", "3d", "6w", "14mo": an age that fits a narrow column."""
    if value is None:
        return "—"
    seconds = max(0, (now - value).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86_400:
        return f"{int(seconds // 3600)}h"
    days = int(seconds // 86_400)
    if days < 28:
        return f"{days}d"
    if days < 365:
        return f"{days // 7}w"
    return f"{days // 30}mo"


def queue_rows(candidates: list[Candidate], *, user) -> list[dict]:
    """A queue page's rows as plain values, with the verdict chips of all of them from three
    queries (ring sizes, fraud links, failed verifications)."""
    ids = [c.pk for c in candidates]
    rings, frauds, failed = ring_sizes(ids), fraud_links(ids), failed_verifications(ids)
    can_review = roles.user_can(user, roles.REVIEW)
    is_lead = roles.user_can(user, roles.DECIDE)
    now = timezone.now()
    rows = []
    for c in candidates:
        review = candidate_review(c)
        chips, more = row_chips(c, ring=rings.get(c.pk, 1), fraud=len(frauds.get(c.pk, [])),
                                id_failed=c.pk in failed)
        assignee = review.assignee if review.assignee_id else None
        is_open = review.state in OPEN_STATES
        note = ""
        if review.state == ReviewState.ESCALATED and review.escalated_by_id:
            note = f"by {review.escalated_by.get_username()}"
        elif review.state == ReviewState.NEW and review.reopened_at:
            note = "reopened"
        rows.append({
            "id": c.pk, "name": c.full_name, "external_id": c.external_id,
            "score": c.risk_score, "level": c.risk_level,
            "chips": chips, "more": more, "position": c.position,
            "applied_at": c.applied_at, "created_at": c.created_at,
            "applied_age": age_short(c.applied_at, now),
            "arrival_age": age_short(c.created_at, now),
            "state": review.state, "note": note,
            "assignee": assignee.get_username() if assignee else "",
            "mine": assignee is not None and assignee.pk == user.pk,
            "rescoring": c.risk_status == "pending",
            "selectable": can_review,
            "can_take": can_review and is_open and (assignee is None or (
                is_lead and assignee.pk != user.pk)),
            "system_cleared": is_system_clearance(review),
        })
    return rows


def newest_candidate_id() -> int:
    """The high-water mark a "select all matching" form carries (review.bulk)."""
    return Candidate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
