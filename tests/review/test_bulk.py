"""Bulk clear from the queue (review/bulk.py): the same rules as one clearance, skips
reported by count and reason, one Decision, audit event and ReviewTransitioned per candidate,
and the selection by filter, capped and bounded by what the page showed."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from candidates.models import Integration
from connectors.models import AtsCandidate, Connection, Writeback
from core import events
from core.audit import AuditEvent
from core.exceptions import ApplicationError
from review.bulk import review_bulk_clear
from review.events import ReviewTransitioned
from review.models import Decision, Review, ReviewState
from review.services import review_escalate, review_start
from signals.models import KnownBadIdentifier
from tests.review.factories import candidate_make, client_for, flag
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def transitions():
    seen = []
    events.subscribe(ReviewTransitioned, seen.append)
    yield seen
    events._handlers[ReviewTransitioned].remove(seen.append)


def state(candidate) -> str:
    review = Review.objects.filter(candidate=candidate).first()
    return review.state if review else ReviewState.NEW


class TestBulkClear:
    def test_it_clears_low_and_medium_with_one_reason(self, recruiter, transitions):
        low = [candidate_make(f"Low {i}", 5 + i) for i in range(3)]
        medium = candidate_make("Medium", 30, flags=[flag("phone.voip")])
        started = candidate_make("Started", 8)
        review_start(candidate_id=started.pk, actor=recruiter)
        ids = [c.pk for c in [*low, medium, started]]

        result = review_bulk_clear(actor=recruiter, candidate_ids=ids,
                                   reason_code="weak_signals", comment="Checked the list.")

        assert sorted(result.done) == sorted(ids) and result.skipped == {}
        for c in [*low, medium, started]:
            assert state(c) == ReviewState.CLEARED
        review = Review.objects.get(candidate=started)
        assert review.decided_by == recruiter and review.reason_code == "weak_signals"
        decisions = Decision.objects.filter(action="clear")
        assert decisions.count() == 5
        d = decisions.get(candidate=started)
        assert d.from_state == "in_review" and d.actor == recruiter and d.risk_score == 8
        assert d.comment == "Cleared in bulk with 4 others. Checked the list."
        audits = AuditEvent.objects.filter(action="review.clear")
        assert sorted(int(a.target_id) for a in audits) == sorted(ids)
        assert {a.after["bulk_id"] for a in audits} == {result.batch}
        batch = AuditEvent.objects.get(action="review.bulk_clear")
        assert batch.target_id == result.batch and sorted(batch.after["cleared"]) == ids
        clears = [e for e in transitions if e.action == "clear"]
        assert sorted(e.candidate_id for e in clears) == sorted(ids)
        assert {(e.action, e.to_state, e.actor) for e in clears} == {
            ("clear", "cleared", "rita")}

    def test_it_skips_and_counts_what_it_may_not_clear(self, recruiter, hr_lead):
        ok = candidate_make("Fine", 10)
        unscored = candidate_make("Unscored", None)
        high = candidate_make("High", 60)
        critical = candidate_make("Critical", 90)
        escalated = candidate_make("Escalated", 12)
        review_escalate(candidate_id=escalated.pk, actor=recruiter, reason_code="other",
                        comment="Odd.")
        decided = candidate_make("Decided", 9)
        review_bulk_clear(actor=hr_lead, candidate_ids=[decided.pk], reason_code="data_error")
        ids = [c.pk for c in (ok, unscored, high, critical, escalated, decided)] + [987654]

        result = review_bulk_clear(actor=recruiter, candidate_ids=ids,
                                   reason_code="weak_signals")

        assert result.done == [ok.pk]
        assert result.skipped == {"not_scored": [unscored.pk], "level": [high.pk, critical.pk],
                                  "escalated": [escalated.pk], "decided": [decided.pk],
                                  "not_found": [987654]}
        assert result.skipped_count == 6
        assert (2, "high or critical risk (decide those one by one)") in \
            result.skipped_summary()
        for c in (unscored, high, critical):
            assert state(c) == ReviewState.NEW
        assert state(escalated) == ReviewState.ESCALATED
        assert Decision.objects.get(candidate=ok).comment == "Cleared in bulk."

    def test_it_refuses_roles_without_review_and_a_missing_reason(self, admin_user,
                                                                   recruiter):
        c = candidate_make("Someone", 5)
        with pytest.raises(ApplicationError) as refused:
            review_bulk_clear(actor=admin_user, candidate_ids=[c.pk],
                              reason_code="weak_signals")
        assert refused.value.code == "forbidden"
        with pytest.raises(ApplicationError) as invalid:
            review_bulk_clear(actor=recruiter, candidate_ids=[c.pk], reason_code="")
        assert invalid.value.code == "invalid"
        with pytest.raises(ApplicationError):  # "other" needs the note that says why
            review_bulk_clear(actor=recruiter, candidate_ids=[c.pk], reason_code="other")
        assert state(c) == ReviewState.NEW and not Decision.objects.exists()

    def test_it_takes_the_filter_up_to_what_the_page_showed(self, recruiter):
        shown = [candidate_make(f"Engineer {i}", 5, position="Go Developer")
                 for i in range(4)]
        candidate_make("Other job", 5, position="Designer")
        late = candidate_make("Arrived after the page", 5, position="Go Developer")
        query = QueryDict("position=Go+Developer")

        result = review_bulk_clear(actor=recruiter, filter_query=query, upto_id=shown[-1].pk,
                                   reason_code="weak_signals")

        assert sorted(result.done) == [c.pk for c in shown]
        assert state(late) == ReviewState.NEW

    def test_it_refuses_more_than_the_cap(self, recruiter, settings):
        settings.REVIEW_BULK_CAP = 3
        ids = [candidate_make(f"C {i}", 5).pk for i in range(4)]
        with pytest.raises(ApplicationError) as refused:
            review_bulk_clear(actor=recruiter, candidate_ids=ids, reason_code="weak_signals")
        assert "more than 3" in refused.value.message
        with pytest.raises(ApplicationError):
            review_bulk_clear(actor=recruiter, filter_query=QueryDict(""),
                              reason_code="weak_signals")
        assert not Decision.objects.exists()

    def test_it_withdraws_known_bad_identifiers_as_a_clearance_does(self, recruiter):
        c = candidate_make("Once suspected", 12)
        KnownBadIdentifier.objects.create(kind="email", key="x@example.org", candidate=c,
                                          reason="fraud_confirmed")
        review_bulk_clear(actor=recruiter, candidate_ids=[c.pk], reason_code="data_error")
        assert KnownBadIdentifier.objects.get(candidate=c).withdrawn_at is not None


class TestBulkView:
    def test_it_clears_the_ticked_rows_and_reports_the_skips(self, recruiter):
        low = candidate_make("Low One", 5)
        high = candidate_make("High One", 70)
        client = client_for(recruiter)
        response = client.post(reverse("review:queue_bulk"), {
            "op": "clear", "ids": [low.pk, high.pk], "reason_code": "weak_signals",
            "comment": "", "sort": "applied"})
        assert response.status_code == 302
        assert response["Location"] == "/?sort=applied"
        page = client.get(response["Location"])
        assert b"Cleared 1 candidate. Skipped 1: 1 high or critical risk" in page.content
        assert state(low) == ReviewState.CLEARED and state(high) == ReviewState.NEW

    def test_a_refusal_shows_the_queue_with_the_reason(self, recruiter):
        low = candidate_make("Low One", 5)
        response = client_for(recruiter).post(reverse("review:queue_bulk"), {
            "op": "clear", "ids": [low.pk], "reason_code": ""})
        assert response.status_code == 400
        assert b"Bulk clearing needs a reason." in response.content
        assert state(low) == ReviewState.NEW

    def test_select_all_clears_every_match_beyond_the_first_page(self, recruiter):
        rows = [candidate_make(f"Bulk {i}", 3) for i in range(55)]
        response = client_for(recruiter).post(reverse("review:queue_bulk"), {
            "op": "clear", "scope": "all", "upto": rows[-1].pk, "view": "low_risk",
            "reason_code": "weak_signals"})
        assert response.status_code == 302
        assert Review.objects.filter(state="cleared").count() == 55


def test_the_queue_shows_the_bulk_bar_to_reviewers_only(recruiter, admin_user):
    candidate_make("Somebody", 5)
    assert b'id="bulk"' in client_for(recruiter).get("/").content
    page = client_for(admin_user).get("/").content
    assert b'id="bulk"' not in page and b'class="row-check"' not in page


def test_bulk_events_reach_webhooks_and_the_ats_as_single_clearances_do(recruiter):
    """The webhooks and the ATS write-back take a bulk action's events in one look-up
    (core.events.emit_many and their batch twins) and record exactly what one clearance at a
    time records: a review.decided event per candidate of a listening integration, a
    write-back per linked candidate, nothing for the others."""
    listening = Integration.objects.create(name="listening-ats")
    quiet = Integration.objects.create(name="quiet-ats")
    Endpoint.objects.create(integration=listening, url="https://hooks.example.org/in",
                            event_types=["review.decided"], secret_encrypted="x")
    heard = [candidate_make(f"Heard {i}", 5, integration=listening) for i in range(3)]
    unheard = candidate_make("Unheard", 5, integration=quiet)
    connection = Connection.objects.create(integration=listening, kind="greenhouse")
    AtsCandidate.objects.create(connection=connection, ats_candidate_id="g-1",
                                candidate=heard[0])

    review_bulk_clear(actor=recruiter, candidate_ids=[c.pk for c in [*heard, unheard]],
                      reason_code="weak_signals")

    events_ = Event.objects.filter(type="review.decided")
    assert sorted(e.candidate_id for e in events_) == [c.pk for c in heard]
    assert Delivery.objects.filter(event__in=events_).count() == 3
    data = events_.first().payload["data"]
    assert data["candidate_id"] in [c.pk for c in heard] and data["state"] == "cleared"
    assert (data["decision"], data["by"], data["reason_code"]) == ("cleared", "rita",
                                                                   "weak_signals")
    assert list(Writeback.objects.values_list("candidate_id", "reason")) == [
        (heard[0].pk, "review")]
