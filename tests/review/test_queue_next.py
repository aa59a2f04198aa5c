"""queue_next: the candidate a decision taken "& next" (or j/k on the page) moves to."""

import pytest

from candidates.models import Candidate
from review.selectors import queue_next
from review.services import review_clear, review_escalate, review_start
from tests.review.factories import candidate_make, user_make

REASON = {"reason_code": "other", "comment": "Checked."}


def fresh(candidate):
    return Candidate.objects.get(pk=candidate.pk)


@pytest.mark.django_db
class TestQueueNext:
    def test_it_follows_the_queue_order_through_ties(self, recruiter):
        top = candidate_make("Top", 90)
        tie_a = candidate_make("Tie A", 50)
        tie_b = candidate_make("Tie B", 50)  # newer: before Tie A in the queue
        low = candidate_make("Low", 10)
        assert queue_next(top, recruiter) == tie_b
        assert queue_next(tie_b, recruiter) == tie_a
        assert queue_next(tie_a, recruiter) == low
        assert queue_next(low, recruiter) is None
        assert queue_next(tie_a, recruiter, backwards=True) == tie_b
        assert queue_next(tie_b, recruiter, backwards=True) == top
        assert queue_next(top, recruiter, backwards=True) is None

    def test_it_skips_decided_pending_and_others_assignments(self, recruiter):
        me = candidate_make("Me", 90)
        colleague = user_make("carl", "recruiter")
        taken = candidate_make("Taken by Carl", 80)
        review_start(candidate_id=taken.pk, actor=colleague)
        cleared = candidate_make("Cleared", 70)
        review_clear(candidate_id=cleared.pk, actor=colleague, **REASON)
        escalated = candidate_make("Escalated", 65)
        review_escalate(candidate_id=escalated.pk, actor=colleague, **REASON)
        rescoring = candidate_make("Re-scoring", 60)
        Candidate.objects.filter(pk=rescoring.pk).update(risk_status="pending")
        candidate_make("Unscored", None)
        mine = candidate_make("Mine in review", 55)
        review_start(candidate_id=mine.pk, actor=recruiter)
        new = candidate_make("New", 40)
        assert queue_next(me, recruiter) == mine
        assert queue_next(mine, recruiter) == new

    def test_an_hr_lead_on_an_escalated_candidate_moves_to_the_next_one_to_decide(
            self, recruiter, hr_lead):
        first, mine, second = (candidate_make(n, s) for n, s in
                               [("First", 90), ("Mine", 80), ("Second", 70)])
        candidate_make("New in between", 75)
        review_escalate(candidate_id=first.pk, actor=recruiter, **REASON)
        review_escalate(candidate_id=mine.pk, actor=hr_lead, **REASON)  # maker: not hers
        review_escalate(candidate_id=second.pk, actor=recruiter, **REASON)
        assert queue_next(fresh(first), hr_lead) == second
        # A recruiter on the same page moves on to triage instead.
        assert queue_next(fresh(first), recruiter).full_name == "New in between"

    def test_from_an_unscored_candidate_it_starts_at_the_top(self, recruiter):
        top = candidate_make("Top", 90)
        unscored = candidate_make("Unscored", None)
        assert queue_next(unscored, recruiter) == top
        assert queue_next(unscored, recruiter, backwards=True) is None


@pytest.mark.django_db
@pytest.mark.parametrize("batch,steps", [(2, 10), (2, 1)])
def test_it_walks_past_whole_batches_of_decided_candidates(monkeypatch, recruiter, batch,
                                                           steps):
    """The walk down the queue's index reads QUEUE_NEXT_BATCH at a time; past
    QUEUE_NEXT_STEPS batches one query finishes it. Either way the answer is the same."""
    monkeypatch.setattr("review.selectors.QUEUE_NEXT_BATCH", batch)
    monkeypatch.setattr("review.selectors.QUEUE_NEXT_STEPS", steps)
    colleague = user_make("carl", "recruiter")
    top = candidate_make("Top", 95)
    decided = [candidate_make(f"Decided {i}", 90 - i) for i in range(5)]
    for candidate in decided:
        review_clear(candidate_id=candidate.pk, actor=colleague, **REASON)
    mine = candidate_make("Mine in review", 60)
    review_start(candidate_id=mine.pk, actor=recruiter)
    assert queue_next(top, recruiter) == mine
    assert queue_next(mine, recruiter, backwards=True) == top
    assert queue_next(mine, recruiter) is None
