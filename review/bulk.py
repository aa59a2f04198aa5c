"""Bulk triage from the queue: clear many low-risk candidates with one reason, or assign many
at once, with the same rules as one at a time (review.services, review.assignment).

A bulk action takes either the ids ticked on the page or the queue's filter (the query
string of the page the recruiter looked at), so "select all N matching" reaches beyond one
page. Either way it is capped at settings.REVIEW_BULK_CAP candidates, and a filter is taken
only up to the newest candidate the page showed (`upto_id`): a candidate that arrived after
the recruiter looked is never cleared unseen.

Set-based, so 1,000 candidates take a few statements rather than thousands: the candidate
rows are locked in id order (the lock review_transition and scoring take), the reviews read
in one query, then one bulk INSERT of reviews, one UPDATE of the existing ones, one bulk
INSERT of decisions and one of audit events (one event per candidate, so each candidate's
history is whole, plus one "review.bulk_clear" event for the batch). ReviewTransitioned is
still emitted per candidate: the webhooks and ATS write-back hear of every clearance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, RiskLevel
from core import events
from core.audit import audit_record, audit_record_many
from core.exceptions import ApplicationError
from review import roles
from review.events import ReviewTransitioned
from review.filters import QueueFilterSet
from review.models import Decision, DecisionAction, Review, ReviewState
from review.selectors import queue_base, queue_filter_options
from review.services import CLEAR_REASONS, COMMENT_MAX
from signals.models import KnownBadIdentifier
from signals.services import known_bad_withdraw

# Bulk clearing is for the low and medium risk: high and critical are decided one by one.
BULK_CLEAR_LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM)
CLEARABLE_STATES = (ReviewState.NEW, ReviewState.IN_REVIEW)

# Why a candidate was left out, as the page reports it.
SKIP_LABELS = {
    "not_found": "no longer exist",
    "not_scored": "not scored yet",
    "escalated": "escalated (an HR lead decides)",
    "decided": "already decided",
    "level": "high or critical risk (decide those one by one)",
    "closed": "not open any more",
    "not_yours": "assigned to someone else",
}


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)
    batch: str = ""

    def skip(self, reason: str, candidate_id: int) -> None:
        self.skipped.setdefault(reason, []).append(candidate_id)

    @property
    def skipped_count(self) -> int:
        return sum(len(ids) for ids in self.skipped.values())

    def skipped_summary(self) -> list[tuple[int, str]]:
        """[(count, why)], largest first: what the page says was left out."""
        rows = [(len(ids), SKIP_LABELS.get(reason, reason))
                for reason, ids in self.skipped.items()]
        return sorted(rows, key=lambda row: -row[0])


def bulk_cap() -> int:
    return settings.REVIEW_BULK_CAP


def bulk_target_ids(*, actor, candidate_ids=None, filter_query=None,
                    upto_id: int | None = None) -> list[int]:
    """The candidates a bulk action is about: the ids given, or every candidate the queue's
    filter matches (up to `upto_id`), sorted. Refuses more than REVIEW_BULK_CAP."""
    cap = bulk_cap()
    if candidate_ids is not None:
        ids = sorted({int(i) for i in candidate_ids})
    elif filter_query is not None:
        filterset = QueueFilterSet(filter_query, queryset=queue_base(), user=actor,
                                   options=queue_filter_options())
        qs = filterset.qs.order_by()
        if upto_id:
            qs = qs.filter(pk__lte=upto_id)
        ids = sorted(qs.values_list("pk", flat=True)[: cap + 1])
    else:
        ids = []
    if not ids:
        raise ApplicationError("Select at least one candidate.", code="invalid")
    if len(ids) > cap:
        raise ApplicationError(
            f"That is more than {cap:,} candidates; narrow the filter and try again.",
            code="invalid")
    return ids


def _check_bulk_reason(reason_code: str, comment: str) -> str:
    comment = (comment or "").strip()
    errors = {}
    if reason_code not in CLEAR_REASONS:
        errors["reason_code"] = ["Choose a reason."]
    if reason_code == "other" and not comment:
        errors["comment"] = ["Say why in the note."]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [f"Keep the note under {COMMENT_MAX} characters."]
    if errors:
        raise ApplicationError("Bulk clearing needs a reason.", code="invalid",
                               extra={"fields": errors})
    return comment


def _locked(ids: list[int]) -> tuple[dict[int, tuple], dict[int, Review]]:
    """Lock the candidates (id order: two bulk actions never deadlock) and read their reviews.
    Returns ({id: (score, level)}, {id: review})."""
    rows = (Candidate.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            .values_list("pk", "risk_score", "risk_level"))
    candidates = {pk: (score, level) for pk, score, level in rows}
    reviews = {r.candidate_id: r for r in Review.objects.filter(candidate_id__in=ids)}
    return candidates, reviews


def _bulk_comment(count: int, note: str) -> str:
    others = count - 1
    text = (f"Cleared in bulk with {others} other{'s' if others != 1 else ''}."
            if others else "Cleared in bulk.")
    return f"{text} {note}" if note else text


@transaction.atomic
def review_bulk_clear(*, actor, reason_code: str, comment: str = "", candidate_ids=None,
                      filter_query=None, upto_id: int | None = None) -> BulkResult:
    """Clear many candidates with one reason (and an optional note), each as review_clear
    would: only scored candidates that are new or in review, and only low or medium risk.
    The others are skipped and counted by why. Raises ApplicationError (forbidden, invalid)
    and changes nothing when the role, the reason or the selection is wrong."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow this decision.", code="forbidden")
    note = _check_bulk_reason(reason_code, comment)
    ids = bulk_target_ids(actor=actor, candidate_ids=candidate_ids, filter_query=filter_query,
                          upto_id=upto_id)
    candidates, reviews = _locked(ids)
    result = BulkResult(batch=uuid.uuid4().hex[:12])
    clear = []  # (id, score, level, from_state)
    for pk in ids:
        if pk not in candidates:
            result.skip("not_found", pk)
            continue
        score, level = candidates[pk]
        state = reviews[pk].state if pk in reviews else ReviewState.NEW
        if score is None:
            result.skip("not_scored", pk)
        elif state == ReviewState.ESCALATED:
            result.skip("escalated", pk)
        elif state not in CLEARABLE_STATES:
            result.skip("decided", pk)
        elif level not in BULK_CLEAR_LEVELS:
            result.skip("level", pk)
        else:
            clear.append((pk, score, level, state))
    if clear:
        text = _bulk_comment(len(clear), note)
        clearance_write(clear, reviews=reviews, actor=actor, reason_code=reason_code,
                        comment=text, batch=result.batch)
        result.done = [row[0] for row in clear]
    audit_record(actor=actor, action="review.bulk_clear", target_type="review.bulk",
                 target_id=result.batch, before=None, after={
                     "reason_code": reason_code, "note": note, "cleared": result.done,
                     "skipped": result.skipped,
                     "selection": "filter" if candidate_ids is None else "ids",
                     "filter": _plain_query(filter_query)})
    return result


def clearance_write(rows: list[tuple], *, reviews: dict[int, Review], actor, reason_code: str,
                    comment: str, batch: str = "", audit_actor=None,
                    audit_action: str = "review.clear") -> None:
    """Write clearances of candidates already locked and checked: rows of
    (id, score, level, from_state). `actor` is the user, or None for the system (then
    `audit_actor` labels it). The set-based twin of review.services._apply for CLEAR."""
    now = timezone.now()
    ids = [row[0] for row in rows]
    existing = [pk for pk in ids if pk in reviews]
    if actor is not None and existing:
        Review.objects.filter(candidate_id__in=existing, assignee__isnull=True).update(
            assignee=actor)
    Review.objects.filter(candidate_id__in=existing).update(
        state=ReviewState.CLEARED, decided_by=actor, decided_at=now, reason_code=reason_code,
        updated_at=now)
    Review.objects.bulk_create([
        Review(candidate_id=pk, state=ReviewState.CLEARED, assignee=actor, decided_by=actor,
               decided_at=now, reason_code=reason_code)
        for pk in ids if pk not in reviews], batch_size=1000)
    Decision.objects.bulk_create([
        Decision(candidate_id=pk, action=DecisionAction.CLEAR, from_state=state,
                 to_state=ReviewState.CLEARED, reason_code=reason_code, comment=comment,
                 actor=actor, risk_score=score, risk_level=level)
        for pk, score, level, state in rows], batch_size=1000)
    extra = {"bulk_id": batch, "bulk_count": len(rows)} if batch else {}
    audit_record_many(actor=actor if actor is not None else audit_actor, action=audit_action,
                      target_type="candidate", rows=[
                          (pk, {"state": state}, {
                              "state": ReviewState.CLEARED.value, "reason_code": reason_code,
                              "comment": comment, "risk_score": score, "risk_level": level,
                              **extra})
                          for pk, score, level, state in rows])
    username = actor.get_username() if actor is not None else "system"
    # One ReviewTransitioned per candidate, delivered together: subscribers with a batch
    # twin (webhooks, ATS write-back) look their rows up once for all of them.
    events.emit_many([ReviewTransitioned(
        candidate_id=pk, action=DecisionAction.CLEAR, from_state=state,
        to_state=ReviewState.CLEARED, reason_code=reason_code, actor=username,
        risk_score=score, risk_level=level) for pk, score, level, state in rows])
    # Feed-back as review.services._feed_back: a clearance withdraws known-bad identifiers;
    # one query finds the few candidates that have any.
    holders = (KnownBadIdentifier.objects.filter(candidate_id__in=ids,
                                                 withdrawn_at__isnull=True)
               .order_by().values_list("candidate_id", flat=True).distinct())
    for pk in sorted(set(holders)):
        known_bad_withdraw(candidate_id=pk)


def _plain_query(query) -> dict | None:
    if query is None:
        return None
    keys = ("q", "level", "state", "flag", "position", "integration", "view", "sort")
    return {key: query.get(key) for key in keys if query.get(key)}
