"""Who owns a candidate in the queue: assign, take, give away, unassign; and the optional
round-robin that hands new high and critical candidates to the recruiters in turn.

The rules (docs/review.md, "Queue at recruiter scale"):
- Only open candidates (new, in review, escalated) are assigned; a decision ends ownership.
- The assignee is a user who may review (a recruiter or an HR lead), or nobody.
- An HR lead may reassign any candidate. A recruiter may take an unassigned candidate (or
  hand an unassigned one to a colleague) and give away, or drop, their own; they do not take
  a candidate someone else holds (they ask that person or an HR lead).
- Assigning is not a decision: the review state does not change, and no ReviewTransitioned
  is emitted. Every change is audited as "review.assign" with the assignee before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from candidates.models import Candidate, RiskLevel
from core.audit import audit_record, audit_record_many
from core.exceptions import ApplicationError
from review import roles
from review.bulk import BulkResult, bulk_target_ids
from review.models import OPEN_STATES, Review, ReviewState

ROUND_ROBIN_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _check_assignee(assignee) -> None:
    if assignee is None:
        return
    if not assignee.is_active or not roles.user_can(assignee, roles.REVIEW):
        raise ApplicationError("Candidates are assigned to recruiters and HR leads only.",
                               code="invalid")


def may_reassign(actor, current_id: int | None) -> bool:
    """HR leads reassign anyone; a recruiter takes unassigned candidates or moves their own."""
    return (roles.user_can(actor, roles.DECIDE) or current_id is None
            or current_id == actor.pk)


@transaction.atomic
def review_assign(*, candidate_id: int, actor, assignee) -> Review:
    """Make `assignee` (a user, or None to unassign) the owner of the candidate's review.
    Raises ApplicationError: forbidden (role, or someone else's candidate), invalid (the
    assignee may not review), not_found, invalid_transition (decided)."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow assigning candidates.",
                               code="forbidden")
    _check_assignee(assignee)
    locked = Candidate.objects.select_for_update().filter(pk=candidate_id).values_list(
        "pk", flat=True).first()
    if locked is None:
        raise ApplicationError("No such candidate.", code="not_found")
    review = (Review.objects.select_related("assignee").filter(candidate_id=candidate_id)
              .first() or Review(candidate_id=candidate_id, state=ReviewState.NEW))
    if review.state not in OPEN_STATES:
        raise ApplicationError(
            f"The candidate is {ReviewState(review.state).label.lower()}; only open "
            "candidates are assigned.", code="invalid_transition")
    if not may_reassign(actor, review.assignee_id):
        raise ApplicationError(
            f"{review.assignee.get_username()} has this candidate; ask them or an HR lead "
            "to reassign it.", code="forbidden")
    new_id = assignee.pk if assignee is not None else None
    if review.assignee_id == new_id:
        return review
    before = _name(review.assignee) if review.assignee_id else None
    review.assignee = assignee
    review.save()
    audit_record(actor=actor, action="review.assign", target_type="candidate",
                 target_id=candidate_id, before={"assignee": before},
                 after={"assignee": _name(assignee)})
    return review


@transaction.atomic
def review_bulk_assign(*, actor, assignee, candidate_ids=None, filter_query=None,
                       upto_id: int | None = None) -> BulkResult:
    """review_assign for many candidates at once ("Assign selected to me"); the candidates
    it may not assign are skipped and counted by why."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow assigning candidates.",
                               code="forbidden")
    _check_assignee(assignee)
    ids = bulk_target_ids(actor=actor, candidate_ids=candidate_ids, filter_query=filter_query,
                          upto_id=upto_id)
    found = set(Candidate.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                .values_list("pk", flat=True))
    reviews = {r.candidate_id: r for r in
               Review.objects.select_related("assignee").filter(candidate_id__in=ids)}
    result = BulkResult()
    new_id = assignee.pk if assignee is not None else None
    change = []
    for pk in ids:
        review = reviews.get(pk)
        if pk not in found:
            result.skip("not_found", pk)
        elif review is not None and review.state not in OPEN_STATES:
            result.skip("closed", pk)
        elif review is not None and not may_reassign(actor, review.assignee_id):
            result.skip("not_yours", pk)
        elif review is None or review.assignee_id != new_id:
            change.append(pk)
    existing = [pk for pk in change if pk in reviews]
    Review.objects.filter(candidate_id__in=existing).update(assignee=assignee)
    Review.objects.bulk_create([Review(candidate_id=pk, state=ReviewState.NEW,
                                       assignee=assignee)
                                for pk in change if pk not in reviews], batch_size=1000)
    audit_record_many(actor=actor, action="review.assign", target_type="candidate", rows=[
        (pk, {"assignee": _name(reviews[pk].assignee) if pk in reviews
              and reviews[pk].assignee_id else None}, {"assignee": _name(assignee)})
        for pk in change])
    result.done = change
    return result


# --- Round-robin ---------------------------------------------------------------------------


def round_robin_pick():
    """The active recruiter with the fewest open candidates assigned, ties by id; None when
    there is none. Their rows are locked (FOR NO KEY UPDATE, which reviews referencing them
    do not wait on), so two scorings at once do not both pick the same person."""
    users = list(get_user_model().objects.select_for_update(no_key=True)
                 .filter(is_active=True, groups__name=roles.RECRUITER).order_by("pk")
                 .values_list("pk", flat=True))
    if not users:
        return None
    load = dict(Review.objects.filter(assignee_id__in=users, state__in=OPEN_STATES)
                .order_by().values_list("assignee_id").annotate(n=Count("pk"))
                .values_list("assignee_id", "n"))
    pick = min(users, key=lambda pk: (load.get(pk, 0), pk))
    return get_user_model().objects.get(pk=pick)


def review_round_robin(*, candidate_id: int, old_level: str, new_level: str) -> Review | None:
    """Runs in the scoring transaction (RiskChanged): with REVIEW_ROUND_ROBIN on, a candidate
    scored for the first time as high or critical, and not yet owned, goes to the next
    recruiter. Audited as "system:round_robin". Returns the review when it assigned."""
    if not settings.REVIEW_ROUND_ROBIN or old_level or new_level not in ROUND_ROBIN_LEVELS:
        return None
    review = Review.objects.filter(candidate_id=candidate_id).first()
    if review is not None and (review.assignee_id or review.state not in OPEN_STATES):
        return None
    user = round_robin_pick()
    if user is None:
        return None
    review = review or Review(candidate_id=candidate_id, state=ReviewState.NEW)
    review.assignee = user
    review.save()
    audit_record(actor="system:round_robin", action="review.assign", target_type="candidate",
                 target_id=candidate_id, before={"assignee": None},
                 after={"assignee": user.get_username(), "level": new_level})
    return review


def assignable_users() -> list:
    """Active users who may review (recruiters and HR leads), by username."""
    return list(get_user_model().objects.filter(
        is_active=True, groups__name__in=(roles.RECRUITER, roles.HR_LEAD))
        .distinct().order_by("username"))
