"""Reads for the review pages: the queue, a candidate's page, the linked-identities graph,
the overview's aggregates and the audit trail.

Reviewers see every integration's candidates (they work for the company, not for one ATS);
what they may do is decided by review.roles. Every query here is an indexed look-up or an
indexed ORDER BY ... LIMIT; the indexes are in vetting/migrations/0002 and each model's Meta.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from candidates.models import (
    Candidate,
    Identifier,
    IdentifierKind,
    Integration,
    RiskLevel,
)
from candidates.selectors import EVIDENCE_PREFETCH, candidate_links
from candidates.services import ERASED_NAME
from core.audit import AuditEvent
from review import roles
from review.models import (
    CLOSED_STATES,
    CandidateFlag,
    Decision,
    DecisionAction,
    Review,
    ReviewState,
    VerificationMethod,
    VerificationOutcome,
    VerificationRequest,
)
from review.services import ALL_REASONS
from signals.catalog import CATALOG, COMBOS, INFO
from signals.models import ScoreRun

QUEUE_PAGE_SIZE = 50
# Counting every match of a broad filter costs a scan; beyond this the page says "10,000+".
QUEUE_COUNT_CAP = 10_000
# Search matches by email come from this many emails at most (a common word like "dev").
SEARCH_EMAIL_LIMIT = 500
GRAPH_NODE_LIMIT = 60  # linked candidates drawn; the rest are listed under the graph
LEVELS = [level.value for level in RiskLevel]
FLAG_CODES = sorted(CATALOG) + sorted(f"combo.{combo.name}" for combo in COMBOS)

# Saved views of the queue.
VIEW_AWAITING_HR = "awaiting_hr"
VIEW_MY_ESCALATIONS = "my_escalations"
# The queue at recruiter scale (review/queue.py): ownership and triage.
VIEW_MINE = "mine"
VIEW_UNASSIGNED = "unassigned"
VIEW_LOW_RISK = "low_risk"
VIEW_NO_REVIEW_NEEDED = "no_review_needed"
SAVED_VIEWS = {
    VIEW_MINE: "Mine",
    VIEW_UNASSIGNED: "Unassigned",
    VIEW_LOW_RISK: "Low risk",
    VIEW_AWAITING_HR: "Awaiting HR approval",
    VIEW_MY_ESCALATIONS: "My escalations",
    VIEW_NO_REVIEW_NEEDED: "No review needed",
}
STATE_OPEN, STATE_ALL = "open", "all"


# --- The queue -----------------------------------------------------------------------------


@dataclass
class QueuePage:
    rows: list[Candidate]
    next_cursor: str | None
    count: int
    count_capped: bool
    page_size: int = QUEUE_PAGE_SIZE


def queue_base() -> QuerySet[Candidate]:
    """Scored candidates, riskiest first (score, then newest id); review.filters narrows it.

    Candidates without a Review row are "new"; the review comes with each row
    (select_related), so a page is one query.
    """
    return (
        Candidate.objects.filter(risk_score__isnull=False)
        .select_related("integration", "review", "review__escalated_by", "review__assignee")
        .defer("resume_text")
        .order_by("-risk_score", "-id")
    )


def queue_page(*, queryset: QuerySet[Candidate], cursor: str | None = None,
               size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """One page of the (filtered) queue by keyset ("seek") pagination: the cursor is the last
    row's (score, id), so page 2,000 costs what page 1 costs."""
    qs = queryset
    # The count needs the filters' joins only, not the rows' (select_related).
    count = qs.order_by().select_related(None)[: QUEUE_COUNT_CAP + 1].count()
    after = _cursor_parse(cursor)
    if after is not None:
        score, last_id = after
        # The first condition bounds the index range; the second is the exact seek.
        qs = qs.filter(risk_score__lte=score).filter(
            Q(risk_score__lt=score) | Q(risk_score=score, id__lt=last_id))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = f"{rows[-1].risk_score}.{rows[-1].pk}"
    return QueuePage(rows=rows, next_cursor=next_cursor, count=min(count, QUEUE_COUNT_CAP),
                     count_capped=count > QUEUE_COUNT_CAP, page_size=size)


def _cursor_parse(cursor: str | None) -> tuple[int, int] | None:
    try:
        score, last_id = (cursor or "").split(".")
        return int(score), int(last_id)
    except ValueError:
        return None


def queue_filter_options() -> dict:
    """Positions and integrations for the filter menus; cached for five minutes (a new
    position appears in the menu a little later, the filter itself is always live)."""

    def load() -> dict:
        positions = list(Candidate.objects.exclude(position="").order_by("position")
                         .values_list("position", flat=True).distinct()[:300])
        integrations = list(Integration.objects.order_by("name").values_list("id", "name"))
        return {"positions": positions, "integrations": integrations}

    return cache.get_or_set("review:queue-filter-options", load, 300)


def _has_review(candidate: Candidate) -> bool:
    try:
        candidate.review
    except Review.DoesNotExist:
        return False
    return True


# --- The candidate page --------------------------------------------------------------------


def candidate_get(*, candidate_id: int) -> Candidate | None:
    return (
        Candidate.objects.select_related("integration", "review", "review__escalated_by",
                                         "review__assignee", "review__decided_by")
        .prefetch_related(*EVIDENCE_PREFETCH)
        .filter(pk=candidate_id)
        .first()
    )


def candidate_review(candidate: Candidate) -> Review:
    """The candidate's review, or an unsaved "new" one when nobody has touched it yet."""
    if _has_review(candidate):
        return candidate.review
    return Review(candidate_id=candidate.pk, state=ReviewState.NEW)


def score_history(*, candidate_id: int, limit: int = 20) -> list[dict]:
    """Scoring runs, newest first, each with the flag codes it added and dropped."""
    runs = list(ScoreRun.objects.filter(candidate_id=candidate_id)
                .order_by("-created_at", "-id")
                .only("score", "level", "flags", "created_at", "version", "revision")
                [: limit + 1])
    history = []
    for i, run in enumerate(runs[:limit]):
        codes = {flag.get("code") for flag in run.flags or []}
        previous = ({flag.get("code") for flag in runs[i + 1].flags or []}
                    if i + 1 < len(runs) else set())
        history.append({
            "created_at": run.created_at, "score": run.score, "level": run.level,
            "version": run.version, "revision": run.revision,
            "added": sorted(codes - previous), "dropped": sorted(previous - codes),
            "first": i + 1 >= len(runs),
        })
    return history


@dataclass
class TimelineEntry:
    at: object
    kind: str  # "decision" or "verification" or "verification_outcome"
    action: str
    label: str
    actor: str
    reason: str = ""
    comment: str = ""
    from_state: str = ""
    to_state: str = ""
    extra: dict = field(default_factory=dict)


def candidate_timeline(*, candidate_id: int) -> list[TimelineEntry]:
    """Decisions and verification requests with their outcomes, oldest first."""
    return member_timelines([candidate_id]).get(candidate_id, [])


def member_timelines(candidate_ids: list[int]) -> dict[int, list[TimelineEntry]]:
    """Decisions and verification requests with their outcomes of many candidates at once
    (two queries, not two per candidate): {candidate id: entries, oldest first}. A case page
    reads its members' timelines so; a candidate page reads one (candidate_timeline)."""
    entries: dict[int, list[TimelineEntry]] = defaultdict(list)
    decisions = (Decision.objects.filter(candidate_id__in=candidate_ids)
                 .order_by("created_at", "id")
                 .values_list("candidate_id", "created_at", "action", "reason_code", "comment",
                              "from_state", "to_state", "actor__username", "risk_score",
                              "risk_level"))
    for (cid, at, action, reason_code, comment, from_state, to_state, actor, risk_score,
         risk_level) in decisions:
        entries[cid].append(TimelineEntry(
            at=at, kind="decision", action=action, label=DecisionAction(action).label,
            actor=actor or "System", reason=ALL_REASONS.get(reason_code, reason_code),
            comment=comment, from_state=from_state, to_state=to_state,
            extra={"risk_score": risk_score, "risk_level": risk_level},
        ))
    verifications = (VerificationRequest.objects.filter(candidate_id__in=candidate_ids)
                     .order_by("created_at", "id")
                     .values_list("candidate_id", "created_at", "method", "note",
                                  "requested_by__username", "outcome", "outcome_at",
                                  "outcome_note", "outcome_by__username"))
    for (cid, at, method, note, requested_by, outcome, outcome_at, outcome_note,
         outcome_by) in verifications:
        method_label = VerificationMethod(method).label
        entries[cid].append(TimelineEntry(
            at=at, kind="verification", action="verification",
            label=f"Verification requested: {method_label}", actor=requested_by,
            comment=note,
        ))
        if outcome_at:
            outcome_label = VerificationOutcome(outcome).label.split(":")[0].lower()
            entries[cid].append(TimelineEntry(
                at=outcome_at, kind="verification_outcome", action=outcome,
                label=f"Verification {outcome_label}: {method_label}",
                actor=outcome_by or "", comment=outcome_note,
            ))
    for timeline in entries.values():
        timeline.sort(key=lambda entry: entry.at)
    return dict(entries)


def verification_requests(*, candidate_id: int) -> list[VerificationRequest]:
    return list(VerificationRequest.objects.filter(candidate_id=candidate_id)
                .select_related("requested_by", "outcome_by").order_by("-created_at"))


# --- The linked-identities graph -----------------------------------------------------------


@dataclass
class GraphData:
    center_id: int
    nodes: dict[int, dict]  # id -> {id, full_name, external_id, risk_score, risk_level, state}
    hubs: list[dict]  # shared identifiers: {kind, label, members: [ids]}
    links: list[dict]  # every linked candidate: {id, full_name, external_id, shared: [kinds]}
    hidden: int  # linked candidates not drawn (beyond GRAPH_NODE_LIMIT)


def candidate_graph(*, candidate: Candidate, limit: int = GRAPH_NODE_LIMIT) -> GraphData:
    """This candidate and every candidate tied to it by a shared identifier or a resume
    template, with every identifier shared among any of them (so a ring shows as one hub
    with many spokes, and links between the others show too).

    Three indexed queries whatever the ring's size: the 1-hop links (self-join of the
    identifier index on (kind, key)), the drawn candidates, and their identifiers (by the
    (candidate, kind, key) index), grouped here by (kind, key).
    """
    links = candidate_links(candidate_id=candidate.pk)
    resume_others = _resume_links(candidate.risk_flags)
    by_id = {link["id"]: link for link in links}
    for other in resume_others:
        if other["id"] in by_id:
            by_id[other["id"]]["shared"] = sorted({*by_id[other["id"]]["shared"], "resume"})
        else:
            by_id[other["id"]] = {**other, "shared": ["resume"]}
            links.append(by_id[other["id"]])
    links.sort(key=lambda link: (-len(link["shared"]), link["id"]))
    drawn = [link["id"] for link in links[:limit]]
    ids = [candidate.pk, *drawn]
    nodes = {
        row["id"]: row
        for row in Candidate.objects.filter(pk__in=ids).values(
            "id", "full_name", "external_id", "risk_score", "risk_level", "review__state")
    }
    for row in nodes.values():
        row["state"] = row.pop("review__state") or ReviewState.NEW
    for link in links:
        link["node"] = nodes.get(link["id"])
    hubs = _shared_identifiers(ids)
    drawn_resume = [o["id"] for o in resume_others if o["id"] in nodes]
    if drawn_resume:
        hubs.append({"kind": "resume", "label": "Near-duplicate resume",
                     "members": [candidate.pk, *drawn_resume]})
    return GraphData(center_id=candidate.pk, nodes=nodes, hubs=hubs, links=links,
                     hidden=max(0, len(links) - limit))


def _shared_identifiers(ids: list[int]) -> list[dict]:
    groups: dict[tuple[str, str], dict] = {}
    rows = (Identifier.objects.filter(candidate_id__in=ids)
            .values_list("kind", "key", "label", "candidate_id"))
    for kind, key, label, candidate_id in rows:
        group = groups.setdefault((kind, key), {"kind": kind, "label": label, "members": []})
        group["members"].append(candidate_id)
    hubs = [g for g in groups.values() if len(g["members"]) > 1]
    for hub in hubs:
        hub["members"].sort()
    hubs.sort(key=lambda h: (KIND_ORDER.get(h["kind"], 99), -len(h["members"]), h["label"]))
    return hubs


def _resume_links(flags: list[dict]) -> list[dict]:
    """Candidates named in the resume flags' evidence ({"others": [{"id", ...}]})."""
    found: dict[int, dict] = {}
    for flag in flags or []:
        if not str(flag.get("code", "")).startswith("resume."):
            continue
        for other in (flag.get("evidence") or {}).get("others") or []:
            if isinstance(other, dict) and isinstance(other.get("id"), int):
                found.setdefault(other["id"], {
                    "id": other["id"], "external_id": other.get("external_id", ""),
                    "full_name": other.get("full_name", ""),
                })
    return list(found.values())


# Strongest first: the order hubs are laid out and listed in (IdentifierKind's own order,
# with a similar resume placed after a shared shipping address).
_KINDS = list(IdentifierKind.values)
_KINDS.insert(_KINDS.index(IdentifierKind.SHIPPING_ADDRESS) + 1, "resume")
KIND_ORDER = {kind: i for i, kind in enumerate(_KINDS)}


# --- The overview --------------------------------------------------------------------------

FLAG_WEEKS = 12
AGE_BUCKETS = [  # (label, lower bound in days, upper bound in days or None)
    ("< 1 day", 0, 1), ("1–3 days", 1, 3), ("3–7 days", 3, 7), ("1–2 wk", 7, 14),
    ("2–4 wk", 14, 28), ("> 4 wk", 28, None),
]
# By application date: applicants reach the queue weeks after applying (an ATS connected
# late, a bulk import), so the tail is longer.
APPLIED_BUCKETS = [
    ("< 1 day", 0, 1), ("1–7 days", 1, 7), ("1–4 wk", 7, 28), ("1–2 mo", 28, 61),
    ("2–3 mo", 61, 91), ("> 3 mo", 91, None),
]
DECISION_DAYS = 30


def overview_data() -> dict:
    """The dashboard's aggregates, computed at most once a minute (DASHBOARD_CACHE_SECONDS):
    they scan the candidates table, and a figure a minute old is as good for an overview."""
    return cache.get_or_set("review:overview", overview_compute,
                            settings.DASHBOARD_CACHE_SECONDS)


def overview_compute() -> dict:
    now = timezone.now()
    levels = _levels()
    scored = sum(v for k, v in levels.items() if k != "unscored")
    ages = _queue_ages(now, scored=scored)
    return {
        "computed_at": now,
        "levels": levels,
        "flags_by_week": _flags_by_week(now),
        "queue_age": ages["created_at"],
        "queue_age_applied": ages["applied_at"],
        "decisions": _decisions(now),
        "reviewers": _decisions_by_reviewer(now),
        "time_to_decision": _time_to_decision(now),
        "open_counts": _open_counts(),
    }


def _levels() -> dict:
    """Index-only counts: scored candidates by level (review_queue_level), and the unscored
    (review_unscored)."""
    counts = dict(Candidate.objects.filter(risk_score__isnull=False).order_by()
                  .values_list("risk_level").annotate(n=Count("id"))
                  .values_list("risk_level", "n"))
    result = {level: counts.get(level, 0) for level in LEVELS}
    result["unscored"] = Candidate.objects.filter(risk_score__isnull=True).count()
    return result


def _flags_by_week(now) -> dict:
    """{"weeks": [start dates], "codes": [{code, title, counts: [per week], total}]} for
    candidates who applied in the last FLAG_WEEKS weeks, by the flags they carry now.

    Counted from vetting_candidateflag (kept in step with the candidates by a database
    trigger) by an index-only scan of (applied_at, code), one row per day and code."""
    start = (now - timedelta(weeks=FLAG_WEEKS)).replace(hour=0, minute=0, second=0,
                                                         microsecond=0)
    rows = (CandidateFlag.objects.filter(applied_at__gte=start)
            .annotate(day=TruncDate("applied_at")).order_by()
            .values_list("day", "code").annotate(n=Count("*")))
    weeks = [start + timedelta(weeks=i) for i in range(FLAG_WEEKS)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * FLAG_WEEKS)
    for day, code, n in rows:
        index = min(FLAG_WEEKS - 1, max(0, (day - start.date()).days // 7))
        counts[code][index] += n
    codes = [
        {"code": code, "title": flag_title(code), "counts": values, "total": sum(values)}
        for code, values in counts.items() if code and not _is_note(code)
    ]
    codes.sort(key=lambda c: (-c["total"], c["code"]))
    return {"weeks": weeks, "codes": codes}


def _is_note(code: str) -> bool:
    """Informational flags ("VoIP could not be determined") count nothing and are no trend."""
    spec = CATALOG.get(code)
    return spec is not None and spec.severity == INFO


def flag_title(code: str) -> str:
    if code in CATALOG:
        return CATALOG[code].title
    if code.startswith("combo."):
        return "Combination: " + code.removeprefix("combo.").replace("_", " ")
    return code


AGE_FIELDS = (("created_at", AGE_BUCKETS), ("applied_at", APPLIED_BUCKETS))


def _queue_ages(now, *, scored: int) -> dict[str, list[dict]]:
    """Open candidates (scored, not decided) by how long ago they arrived here (`created_at`)
    and how long ago they applied at the ATS (`applied_at`: a bulk import brings in
    applicants who applied weeks ago): {"created_at": buckets, "applied_at": buckets}.

    Counted as every scored candidate in the window (ranges of review_created_at, index-only,
    or review_applied_at; the oldest bucket, most of the table, as the rest of `scored`)
    minus the decided ones (a join from the smaller review table): no scan of the
    candidates. An application date may lie up to a day ahead (the
    ATS's clock): it counts as the newest; candidates without one are counted apart
    ("no date").
    """
    windows = {name: _age_windows(now, name, buckets) for name, buckets in AGE_FIELDS}
    scored_qs = Candidate.objects.filter(risk_score__isnull=False)
    result = {}
    for name, buckets in AGE_FIELDS:
        name_windows = windows[name]
        # One query per date: each is read from its own index (both at once would scan).
        decided = scored_qs.filter(review__state__in=CLOSED_STATES).aggregate(**{
            f"{name}_{key}": Count("id", filter=window) for key, window in name_windows.items()})
        undated = (scored_qs.filter(name_windows["undated"]).count()
                   if name != "created_at" else 0)
        in_window = [scored_qs.filter(name_windows[f"b{i}"]).count()
                     for i in range(len(buckets) - 1)]
        in_window.append(scored - undated - sum(in_window))
        counts = [{"label": label, "count": count - decided[f"{name}_b{i}"]}
                  for i, ((label, _, _), count) in enumerate(zip(buckets, in_window,
                                                                   strict=True))]
        if undated - decided[f"{name}_undated"]:
            counts.append({"label": "no date", "count": undated - decided[f"{name}_undated"]})
        result[name] = counts
    return result


def _age_windows(now, name: str, buckets: list[tuple]) -> dict[str, Q]:
    """{"b0".."bN": the bucket's range of the date `name`, "undated": no date}; the first
    bucket is open towards the future (an application dated ahead), the last towards the
    past."""
    no_date = Q(**{f"{name}__isnull": True})
    windows = {"undated": no_date}
    for i, (_, low, high) in enumerate(buckets):
        window = Q() if i == 0 else Q(**{f"{name}__lte": now - timedelta(days=low)})
        if high is not None:
            window &= Q(**{f"{name}__gt": now - timedelta(days=high)})
        windows[f"b{i}"] = window & ~no_date
    return windows


def _decisions(now) -> dict:
    since = now - timedelta(days=DECISION_DAYS)
    outcomes = [DecisionAction.CLEAR, DecisionAction.ESCALATE, DecisionAction.APPROVE,
                DecisionAction.REJECT]
    recent = dict(Decision.objects.filter(created_at__gte=since, action__in=outcomes)
                  .order_by().values_list("action").annotate(n=Count("id"))
                  .values_list("action", "n"))
    return {
        "days": DECISION_DAYS,
        "rows": [{"action": a.value, "label": a.label, "count": recent.get(a.value, 0)}
                 for a in outcomes],
    }


# The actions that settle or move a review: what "decisions" counts.
OUTCOMES = (DecisionAction.CLEAR, DecisionAction.ESCALATE, DecisionAction.APPROVE,
            DecisionAction.REJECT)


REVIEWER_FIELDS = ("actor_id", "actor__username", "actor__first_name", "actor__last_name",
                   "action")


def _decisions_by_reviewer(now) -> dict:
    """Decisions of the last DECISION_DAYS days per reviewer and outcome, busiest first:
    {"days", "actions": [{action, label}], "rows": [{user_id, name, counts: [per action],
    total}]}. One grouped query over decision_outcomes; re-scores (no actor) are not
    anybody's decision."""
    since = now - timedelta(days=DECISION_DAYS)
    rows = (Decision.objects.filter(created_at__gte=since, action__in=OUTCOMES,
                                    actor__isnull=False)
            .order_by().values_list(*REVIEWER_FIELDS).annotate(n=Count("id"))
            .values_list(*REVIEWER_FIELDS, "n"))
    people: dict[int, dict] = {}
    for user_id, username, first, last, action, n in rows:
        name = f"{first} {last}".strip() or username
        person = people.setdefault(user_id, {"user_id": user_id, "name": name,
                                             "counts": [0] * len(OUTCOMES), "total": 0})
        person["counts"][OUTCOMES.index(action)] += n
        person["total"] += n
    return {
        "days": DECISION_DAYS,
        "actions": [{"action": a.value, "label": a.label} for a in OUTCOMES],
        "rows": sorted(people.values(), key=lambda p: (-p["total"], p["name"])),
    }


class _PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc(fraction) WITHIN GROUP (ORDER BY expression): the
    nearest-rank percentile, a value that occurred (what _nearest_rank computes)."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _time_to_decision(now) -> dict:
    """How long candidates waited, from arrival (created_at) to their final decision
    (cleared, approved, rejected), for the reviews decided in the last DECISION_DAYS days:
    {"days", "count", "median_hours", "p90_hours"} (None without decisions).

    Percentiles by the nearest-rank method: the median and p90 are durations that occurred.
    PostgreSQL computes them (percentile_disc, one aggregate row); on SQLite (`make demo`)
    the durations are read and ranked here, with the same result.
    """
    since = now - timedelta(days=DECISION_DAYS)
    decided = Review.objects.filter(state__in=CLOSED_STATES, decided_at__gte=since)
    if connection.vendor == "postgresql":
        wait = F("decided_at") - F("candidate__created_at")
        row = decided.aggregate(count=Count("pk"), median=_PercentileDisc(wait, 0.5),
                                p90=_PercentileDisc(wait, 0.9))
        return {"days": DECISION_DAYS, "count": row["count"],
                "median_hours": _hours(row["median"]), "p90_hours": _hours(row["p90"])}
    return _time_to_decision_ranked(decided)


def _time_to_decision_ranked(decided: QuerySet[Review]) -> dict:
    """_time_to_decision's figures ranked here, for databases without percentile_disc."""
    durations = sorted(
        (decided_at - arrived).total_seconds() / 3600
        for decided_at, arrived in decided.values_list("decided_at", "candidate__created_at")
        .iterator()
    )
    return {"days": DECISION_DAYS, "count": len(durations),
            "median_hours": _nearest_rank(durations, 50),
            "p90_hours": _nearest_rank(durations, 90)}


def _hours(duration) -> float | None:
    return None if duration is None else duration.total_seconds() / 3600


def _nearest_rank(ordered: list[float], percent: int) -> float | None:
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))  # ceil(percent/100 * n)
    return ordered[rank - 1]


def _open_counts() -> dict:
    states = dict(Review.objects.order_by().values_list("state").annotate(n=Count("pk"))
                  .values_list("state", "n"))
    return {
        "escalated": states.get(ReviewState.ESCALATED, 0),
        "in_review": states.get(ReviewState.IN_REVIEW, 0),
    }


# --- The audit trail -----------------------------------------------------------------------

AUDIT_PAGE_SIZE = 100


def audit_base() -> QuerySet[AuditEvent]:
    """Every audit event, newest first; review.filters narrows it."""
    return AuditEvent.objects.order_by("-id")


def audit_page(*, queryset: QuerySet[AuditEvent], before_id: int | None = None,
               size: int = AUDIT_PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """A page of events, newest first, by keyset on id. Returns (events, next before_id).
    Each event carries `.candidate` (audit_candidates_attach)."""
    qs = queryset
    if before_id:
        qs = qs.filter(id__lt=before_id)
    events = list(qs[: size + 1])
    next_before = events[size - 1].pk if len(events) > size else None
    return audit_candidates_attach(events[:size]), next_before


# Target types that name a candidate (review decisions; the ATS connectors' writes).
CANDIDATE_TARGET_TYPES = ("candidate", "candidates.candidate")
ERASED_LABEL = "erased candidate"
# Events resolved per query by the CSV export: one candidate query per this many rows.
AUDIT_EXPORT_BATCH = 2000


@dataclass(frozen=True)
class AuditCandidate:
    """Who an audit event's candidate is, for the HR lead's record: name and ATS id, or
    `erased` (personal data erased, or the row gone) with neither."""

    id: int
    name: str
    external_id: str
    erased: bool


def audit_candidates_attach(events: list[AuditEvent]) -> list[AuditEvent]:
    """Set `.candidate` on each event: an AuditCandidate for events about a candidate, None
    for the others. One query for the whole list, whatever its length."""
    ids = {int(e.target_id) for e in events
           if e.target_type in CANDIDATE_TARGET_TYPES and e.target_id.isdigit()}
    rows = {pk: (name, external_id) for pk, name, external_id in Candidate.objects.filter(
        pk__in=ids).values_list("pk", "full_name", "external_id")} if ids else {}
    for event in events:
        event.candidate = None
        if event.target_type in CANDIDATE_TARGET_TYPES and event.target_id.isdigit():
            pk = int(event.target_id)
            name, external_id = rows.get(pk, (ERASED_NAME, ""))
            erased = name == ERASED_NAME
            event.candidate = AuditCandidate(
                id=pk, name=ERASED_LABEL if erased else name,
                external_id="" if erased else external_id, erased=erased)
    return events


def audit_export_events(queryset: QuerySet[AuditEvent], *, batch: int = AUDIT_EXPORT_BATCH):
    """Every event of `queryset`, each with `.candidate`, streamed: read with a server-side
    cursor, resolved AUDIT_EXPORT_BATCH at a time (one candidate query per batch)."""
    buffer: list[AuditEvent] = []
    for event in queryset.iterator(chunk_size=batch):
        buffer.append(event)
        if len(buffer) == batch:
            yield from audit_candidates_attach(buffer)
            buffer = []
    yield from audit_candidates_attach(buffer)


# --- Moving through the queue from a candidate's page (issue 12) ----------------------------


QUEUE_NEXT_BATCH = 100  # candidates read per step of the walk down the queue's index
QUEUE_NEXT_STEPS = 10  # then one query does the rest


def queue_next(after_candidate: Candidate, user, *, backwards: bool = False,
               deciding: bool | None = None) -> Candidate | None:
    """The next candidate in the default queue order (-risk_score, -id) after this one that
    `user` can act on now, or None; `backwards` gives the previous one instead.

    What "can act on" means follows the page the user is on: on a candidate escalated to
    them (an HR lead, who did not escalate it), the next escalated one they may decide; on
    any other, the next scored, undecided one to triage: new, or in review and not assigned
    to someone else. `deciding` says which explicitly (after an approval the candidate is no
    longer escalated, yet the HR lead goes on deciding). Candidates being re-scored are
    skipped (no decision is offered on them).

    Escalated candidates are few: one query from the review table's state index. Candidates
    to triage are most of the queue, and a single query with "no review row, or new, or in
    review and free" is estimated by PostgreSQL at one row and run as a scan of the whole
    table (100 ms at 100,000 candidates); so the queue's own index (score, id) is walked in
    steps of QUEUE_NEXT_BATCH and each step's reviews read by primary key: the first step
    almost always holds the answer.
    """
    if after_candidate.risk_score is None and backwards:
        return None  # an unscored candidate is not in the queue: nothing comes before it
    if deciding is None:
        deciding = candidate_review(after_candidate).state == ReviewState.ESCALATED
    deciding = deciding and roles.user_can(user, roles.DECIDE)
    qs = (Candidate.objects.filter(risk_score__isnull=False)
          .exclude(risk_status="pending").exclude(pk=after_candidate.pk))
    order = ("risk_score", "id") if backwards else ("-risk_score", "-id")
    if deciding:
        qs = qs.filter(review__state=ReviewState.ESCALATED).exclude(review__escalated_by=user)
        return (_queue_after(qs, after_candidate.risk_score, after_candidate.pk, backwards)
                .only("id", "full_name", "risk_score").order_by(*order).first())
    score, last_id = after_candidate.risk_score, after_candidate.pk
    for _ in range(QUEUE_NEXT_STEPS):
        rows = list(_queue_after(qs, score, last_id, backwards).order_by(*order)
                    .values_list("id", "risk_score")[:QUEUE_NEXT_BATCH])
        if not rows:
            return None
        reviews = {review.candidate_id: review for review in Review.objects.filter(
            candidate_id__in=[pk for pk, _ in rows]).only("candidate_id", "state",
                                                           "assignee_id")}
        for pk, _ in rows:
            if _triage_open(reviews.get(pk), user):
                return Candidate.objects.only("id", "full_name", "risk_score").get(pk=pk)
        last_id, score = rows[-1]
    free = (Q(review__isnull=True) | Q(review__state=ReviewState.NEW)
            | Q(review__state=ReviewState.IN_REVIEW, review__assignee__isnull=True)
            | Q(review__state=ReviewState.IN_REVIEW, review__assignee=user))
    return (_queue_after(qs.filter(free), score, last_id, backwards)
            .only("id", "full_name", "risk_score").order_by(*order).first())


def _triage_open(review: Review | None, user) -> bool:
    """New, or in review and free or the user's own: what a recruiter may triage next."""
    if review is None or review.state == ReviewState.NEW:
        return True
    return review.state == ReviewState.IN_REVIEW and review.assignee_id in (None, user.pk)


def _queue_after(qs: QuerySet[Candidate], score: int | None, last_id: int,
                 backwards: bool) -> QuerySet[Candidate]:
    """The candidates after (score, id) in the queue's order, or before it `backwards`."""
    if score is None:
        return qs
    if backwards:
        return qs.filter(risk_score__gte=score).filter(
            Q(risk_score__gt=score) | Q(risk_score=score, id__gt=last_id))
    return qs.filter(risk_score__lte=score).filter(
        Q(risk_score__lt=score) | Q(risk_score=score, id__lt=last_id))


def candidates_brief(candidate_ids) -> dict[int, dict]:
    """{id: {id, full_name, external_id, risk_level}} of the applicants a candidate's page
    names (the verdict counts the critical ones; the ring line names those rejected as
    fraud). One query by primary key."""
    ids = list(candidate_ids)[:1000]
    rows = Candidate.objects.filter(pk__in=ids).values("id", "full_name", "external_id",
                                                        "risk_level")
    return {row["id"]: row for row in rows}
