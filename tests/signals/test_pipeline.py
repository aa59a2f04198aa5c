"""The scoring pipeline: idempotent runs, failing and pending checks, stale revisions,
weights on record, and re-scoring of linked candidates."""

import base64
import json

import pytest
from django.conf import settings

from candidates.models import Candidate
from signals.engine import CHECKS, CheckPending, Flag
from signals.models import FlagWeight, ScoreRun
from signals.services import candidate_score
from signals.tasks import candidate_score_task, relay
from tests.factories import CandidatePayloadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/candidates/"


def create(api, **fields) -> Candidate:
    response = api.post(URL, CandidatePayloadFactory(**fields), format="json")
    assert response.status_code == 201, response.json()
    return Candidate.objects.get(pk=response.json()["id"])


@pytest.fixture
def crypto_check(monkeypatch):
    """A deterministic check that always flags, to observe the pipeline around it."""
    monkeypatch.setitem(CHECKS, "zz_always", lambda s, lookups: [
        Flag("payment.crypto", f"candidate {s.id} always flagged", {"id": s.id})])


class TestCandidateScore:
    def test_it_scores_and_records_a_run(self, api, crypto_check):
        candidate = create(api)
        outcome = candidate_score(candidate_id=candidate.pk)
        candidate.refresh_from_db()
        assert candidate.risk_status == "scored"
        assert candidate.risk_score == outcome.score >= 25
        assert candidate.scored_revision == candidate.revision
        assert "payment.crypto" in [f["code"] for f in candidate.risk_flags]
        run = ScoreRun.objects.get(candidate=candidate)
        assert run.flags == candidate.risk_flags
        assert run.weight_set.weights["points"]["payment.crypto"] == 25

    def test_running_twice_gives_the_same_result_and_stores_it_once(self, api, crypto_check):
        candidate = create(api)
        first = candidate_score(candidate_id=candidate.pk)
        second = candidate_score(candidate_id=candidate.pk)
        assert (first.score, first.level) == (second.score, second.level)
        assert (first.stored, second.stored) == (True, False)
        assert ScoreRun.objects.filter(candidate=candidate).count() == 1

    def test_a_weight_change_is_a_new_run_recording_the_new_weights(self, api, crypto_check):
        candidate = create(api)
        candidate_score(candidate_id=candidate.pk)
        FlagWeight.objects.filter(code="payment.crypto").update(points=70)
        outcome = candidate_score(candidate_id=candidate.pk)
        runs = list(ScoreRun.objects.filter(candidate=candidate).order_by("id"))
        assert len(runs) == 2
        assert runs[1].weight_set.weights["points"]["payment.crypto"] == 70
        assert runs[0].weight_set_id != runs[1].weight_set_id
        assert outcome.score == runs[1].score

    def test_a_crashing_check_is_recorded_and_the_rest_still_score(
        self, api, crypto_check, monkeypatch
    ):
        def broken(snapshot, lookups):
            raise KeyError("surprise")

        monkeypatch.setitem(CHECKS, "aa_broken", broken)
        candidate = create(api)
        outcome = candidate_score(candidate_id=candidate.pk)
        candidate.refresh_from_db()
        assert candidate.risk_status == "scored"
        assert "payment.crypto" in [f["code"] for f in candidate.risk_flags]
        run = ScoreRun.objects.get(candidate=candidate)
        assert run.failed_checks == [{"check": "aa_broken", "error": "KeyError: 'surprise'"}]
        assert outcome.retry_after == 60

    def test_a_pending_check_is_recorded_with_when_to_retry(self, api, monkeypatch):
        def waiting(snapshot, lookups):
            raise CheckPending("GitHub rate limit", retry_after=120)

        monkeypatch.setitem(CHECKS, "aa_waiting", waiting)
        candidate = create(api)
        outcome = candidate_score(candidate_id=candidate.pk)
        assert outcome.retry_after == 120
        assert ScoreRun.objects.get(candidate=candidate).pending_checks == [
            {"check": "aa_waiting", "reason": "GitHub rate limit", "retry_after": 120}]

    def test_a_check_that_emits_an_unknown_code_is_a_failed_check(self, api, monkeypatch):
        monkeypatch.setitem(CHECKS, "aa_typo", lambda s, lookups: [Flag("no.such", "x")])
        candidate = create(api)
        candidate_score(candidate_id=candidate.pk)
        assert ScoreRun.objects.get(candidate=candidate).failed_checks[0]["check"] == "aa_typo"

    def test_a_result_for_a_stale_revision_is_discarded(self, api, monkeypatch):
        candidate = create(api, external_id="moving")

        def update_meanwhile(snapshot, lookups):
            Candidate.objects.filter(pk=snapshot.id).update(revision=snapshot.revision + 1)
            return []

        monkeypatch.setitem(CHECKS, "aa_meanwhile", update_meanwhile)
        assert candidate_score(candidate_id=candidate.pk) is None
        candidate.refresh_from_db()
        assert candidate.risk_status == "pending"
        assert not ScoreRun.objects.exists()

    def test_a_deleted_candidate_is_nothing_to_do(self):
        assert candidate_score(candidate_id=987654) is None


class TestScoreTask:
    def test_it_retries_while_a_check_is_pending_and_keeps_the_score(self, api, monkeypatch):
        calls = []

        def flaky(snapshot, lookups):
            calls.append(1)
            if len(calls) < 3:
                raise CheckPending("rate limited", retry_after=1)
            return [Flag("phone.voip", "now known")]

        monkeypatch.setitem(CHECKS, "aa_flaky", flaky)
        candidate = create(api)
        # Eager apply runs the retries in line (countdowns are not waited for); Celery's
        # nested retries re-read this setting, so it is switched off rather than passed.
        from vetting.celery import app

        monkeypatch.setitem(app.conf, "task_eager_propagates", False)
        result = candidate_score_task.apply(args=[candidate.pk])
        assert result.successful()
        assert len(calls) == 3
        candidate.refresh_from_db()
        # Info notes (e.g. "VoIP could not be determined") are shown but not the point here.
        counted = [f["code"] for f in candidate.risk_flags if f["severity"] != "info"]
        assert counted == ["phone.voip"]
        assert ScoreRun.objects.filter(candidate=candidate).count() == 2  # pending, then done


class TestLinkedRescoring:
    def test_the_first_scoring_of_a_revision_marks_linked_candidates_for_rescoring(
        self, api, django_capture_on_commit_callbacks, redis_client
    ):
        first = create(api, phone="+1 512 555 0199")
        candidate_score(candidate_id=first.pk)
        first.refresh_from_db()
        assert first.risk_status == "scored"

        second = create(api, phone="+1 512 555 0199")
        with django_capture_on_commit_callbacks(execute=True):
            candidate_score(candidate_id=second.pk)
        first.refresh_from_db()
        assert first.risk_status == "pending"  # re-score requested
        assert first.risk_score is not None  # the old score stays visible meanwhile
        # and handed to the broker by the relay thread, after commit
        assert relay.drain(timeout=5)
        (message,) = redis_client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
        args, _, _ = json.loads(base64.b64decode(json.loads(message)["body"]))
        assert args == [first.pk]

    def test_a_rescore_does_not_cascade_again(self, api, django_capture_on_commit_callbacks,
                                              redis_client):
        first = create(api, phone="+1 512 555 0199")
        second = create(api, phone="+1 512 555 0199")
        candidate_score(candidate_id=first.pk)
        candidate_score(candidate_id=second.pk)  # cascades to first
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            candidate_score(candidate_id=first.pk)  # a re-score of an unchanged revision
        assert callbacks == []


class TestRescoreFanOut:
    def exit_users(self, api, count: int) -> list[Candidate]:
        return [create(api, phone="", ip_addresses=[{"ip": "185.220.101.7", "source": "login"}],
                       profiles=[], addresses=[], payment_accounts=[])
                for _ in range(count)]

    def test_a_few_candidates_linked_only_by_an_ip_are_rescored(self, api):
        users = self.exit_users(api, 4)
        for user in users:
            candidate_score(candidate_id=user.pk)
        assert Candidate.objects.filter(pk__in=[u.pk for u in users[:3]],
                                        risk_status="pending").count() == 3

    def test_a_crowd_on_one_ip_is_not_rescored_for_every_newcomer(self, api):
        from signals.services import FANOUT_LIMIT

        crowd = self.exit_users(api, FANOUT_LIMIT + 1)
        Candidate.objects.filter(pk__in=[c.pk for c in crowd]).update(
            risk_status="scored", scored_revision=1)
        newcomer = self.exit_users(api, 1)[0]
        candidate_score(candidate_id=newcomer.pk)
        assert not Candidate.objects.filter(pk__in=[c.pk for c in crowd],
                                            risk_status="pending").exists()
