"""The hand-off from the API to the workers: after commit, through a relay thread to Redis,
never waiting for the broker, and swept up again when a message or a worker is lost."""

import time

import pytest
from django.conf import settings
from django.db import OperationalError, transaction

from candidates.models import Candidate
from signals import tasks
from signals.services import candidate_score, candidate_scoring_claim
from signals.tasks import (
    DB_RETRY_COUNTDOWNS,
    candidate_score_task,
    candidates_publish_scoring,
    candidates_sweep_unscored,
    relay,
)
from tests.conftest import wait_for
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.fixture
def no_grace(monkeypatch):
    """The sweep may send candidates committed a moment ago (the relay is done with them)."""
    monkeypatch.setattr(tasks, "RELAY_GRACE_SECONDS", 0)


def create(api) -> int:
    response = api.post(URL, CandidatePayloadFactory(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.mark.django_db(transaction=True)
def test_it_publishes_only_after_the_transaction_commits(api, redis_client):
    with transaction.atomic():  # the request's own transaction commits only with this one
        response = api.post(URL, CandidatePayloadFactory(), format="json")
        assert response.status_code == 201
        relay.drain(timeout=5)
        assert redis_client.llen(QUEUE) == 0  # nothing published inside the transaction
    wait_for(lambda: redis_client.llen(QUEUE) == 1)
    # The relay records the hand-off once the broker has taken it.
    wait_for(lambda: Candidate.objects.get().enqueued_at is not None)


@pytest.mark.django_db
class TestOnCommitHandOff:
    def test_an_update_enqueues_again(self, api, redis_client, django_capture_on_commit_callbacks):
        payload = CandidatePayloadFactory()
        with django_capture_on_commit_callbacks(execute=True):
            api.post(URL, payload, format="json")
        with django_capture_on_commit_callbacks(execute=True):
            api.post(URL, payload | {"position": "Staff Engineer"}, format="json")
        assert relay.drain(timeout=5)
        assert redis_client.llen(QUEUE) == 2

    def test_a_rolled_back_write_publishes_nothing(
        self, api, redis_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api.post(URL, CandidatePayloadFactory(email="bad"), format="json")
        assert response.status_code == 400
        assert callbacks == []
        assert redis_client.llen(QUEUE) == 0


@pytest.mark.django_db
class TestBrokerOutage:
    def test_the_api_answers_and_the_sweep_picks_the_candidate_up_later(
        self, api, redis_client, broker_down, django_capture_on_commit_callbacks, no_grace
    ):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, CandidatePayloadFactory(), format="json")
        elapsed = time.monotonic() - started
        assert response.status_code == 201
        assert elapsed < 1, "the request must not wait for the broker"
        relay.drain(timeout=5)
        candidate = Candidate.objects.get()
        assert (candidate.risk_status, candidate.enqueued_at) == ("pending", None)

        assert candidates_sweep_unscored() == 0  # still down: nothing handed over, nothing lost
        assert Candidate.objects.get().enqueued_at is None

        broker_down()  # the broker is back
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 1
        assert Candidate.objects.get().enqueued_at is not None
        assert candidates_sweep_unscored() == 0  # enqueued recently: not sent twice

    def test_a_hung_broker_costs_linked_rescoring_in_a_worker_nothing(
        self, api, redis_client, broker_hung, django_capture_on_commit_callbacks, no_grace
    ):
        first = create(api)
        candidate_score(candidate_id=first)
        second = create(api)  # shares the first one's phone: scoring it re-scores the first
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            candidate_score(candidate_id=second)
        assert time.monotonic() - started < 1, "a scoring run must not wait for the broker"
        assert relay.drain(timeout=5)
        assert broker_hung.connections, "the relay did try the (hung) broker"
        assert Candidate.objects.get(pk=first).risk_status == "pending"
        assert Candidate.objects.get(pk=first).enqueued_at is None

        broker_hung()  # the broker is back: the sweep sends the re-score
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 1


@pytest.mark.django_db
class TestSweep:
    def published(self, api) -> int:
        """A candidate whose scoring task went to the broker (recorded in this test's
        transaction, which the relay thread cannot see)."""
        candidate_id = create(api)
        assert candidates_publish_scoring([candidate_id]) == 1
        return candidate_id

    def test_it_resends_at_once_a_candidate_whose_worker_died(self, api, redis_client):
        candidate_id = self.published(api)
        assert candidate_scoring_claim(candidate_id=candidate_id, lease_seconds=60)
        assert candidates_sweep_unscored() == 0  # its worker is on it
        # The worker was killed: its lease runs out (moved into the past here).
        assert candidate_scoring_claim(candidate_id=candidate_id, lease_seconds=-1)
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 2
        candidate = Candidate.objects.get(pk=candidate_id)
        assert candidate.scoring_lease_until is None  # a new hand-off, not yet started
        assert candidate.enqueued_at is not None
        assert candidates_sweep_unscored() == 0  # not sent again until it dies again

    def test_it_leaves_candidates_waiting_in_a_backlog_alone(self, api, redis_client, settings):
        candidate_id = self.published(api)
        settings.SCORING_REQUEUE_AFTER_SECONDS = 0  # published "long ago", never started
        time.sleep(0.01)
        assert candidates_sweep_unscored() == 0  # its message still waits in the queue
        redis_client.delete(QUEUE)  # the broker lost it (restarted without its data)
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 1
        assert Candidate.objects.get(pk=candidate_id).risk_status == "pending"

    def test_it_waits_for_the_relay_before_sending_a_new_candidate(self, api, redis_client,
                                                                    monkeypatch):
        create(api)  # committed but not published (the test's transaction never commits)
        assert candidates_sweep_unscored() == 0  # the relay may still be publishing it
        monkeypatch.setattr(tasks, "RELAY_GRACE_SECONDS", 0)
        assert candidates_sweep_unscored() == 1

    def test_it_retries_candidates_whose_last_score_lacks_a_check(
        self, api, redis_client, settings, monkeypatch
    ):
        from signals.engine import CHECKS, CheckPending

        def waiting(snapshot, lookups):
            raise CheckPending("rate limited", retry_after=60)

        monkeypatch.setitem(CHECKS, "aa_waiting", waiting)
        candidate_id = create(api)
        candidate_score(candidate_id=candidate_id)
        candidate = Candidate.objects.get(pk=candidate_id)
        assert candidate.risk_status == "scored"
        assert candidate.incomplete_checks == [
            {"check": "aa_waiting", "status": "pending", "reason": "rate limited"}]
        body = api.get(f"{URL}{candidate_id}/").json()
        assert body["risk"]["incomplete_checks"] == candidate.incomplete_checks

        assert candidates_sweep_unscored() == 0  # retried by the task itself first
        settings.SCORING_INCOMPLETE_RETRY_SECONDS = 0
        time.sleep(0.01)
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 1

        monkeypatch.delitem(CHECKS, "aa_waiting")
        candidate_score(candidate_id=candidate_id)
        assert Candidate.objects.get(pk=candidate_id).incomplete_checks == []


@pytest.mark.django_db
class TestScoreTask:
    @pytest.fixture
    def database_down_for(self, monkeypatch):
        """The task's database raises OperationalError for the first `failures` runs."""
        from vetting.celery import app

        calls, countdowns = [], []

        def setup(failures: int):
            def score(*, candidate_id):
                calls.append(candidate_id)
                if len(calls) <= failures:
                    raise OperationalError("the database system is starting up")
                return candidate_score(candidate_id=candidate_id)

            monkeypatch.setattr(tasks, "candidate_score", score)
            retry = candidate_score_task.retry

            def recording_retry(*args, **kwargs):
                countdowns.append(kwargs["countdown"])
                return retry(*args, **kwargs)

            monkeypatch.setattr(candidate_score_task, "retry", recording_retry)
            # Eager apply runs the retries in line (countdowns are recorded, not waited for).
            monkeypatch.setitem(app.conf, "task_eager_propagates", False)
            return calls, countdowns

        return setup

    def test_it_rides_out_a_database_outage_of_minutes(self, api, database_down_for):
        candidate_id = create(api)
        calls, countdowns = database_down_for(len(DB_RETRY_COUNTDOWNS))
        result = candidate_score_task.apply(args=[candidate_id])
        assert result.successful()
        assert len(calls) == len(DB_RETRY_COUNTDOWNS) + 1
        assert Candidate.objects.get(pk=candidate_id).risk_status == "scored"
        # Backing off: the retries span three minutes, not the old half minute.
        assert all(c >= s for c, s in zip(countdowns, DB_RETRY_COUNTDOWNS, strict=True))
        assert sum(countdowns) >= 180

    def test_after_its_retries_it_leaves_the_candidate_to_the_sweep(self, api, redis_client,
                                                                     database_down_for):
        candidate_id = create(api)
        calls, _ = database_down_for(1000)
        result = candidate_score_task.apply(args=[candidate_id])
        assert result.failed()
        assert len(calls) == len(DB_RETRY_COUNTDOWNS) + 1
        candidate = Candidate.objects.get(pk=candidate_id)
        assert candidate.risk_status == "pending"
        assert candidate.scoring_lease_until is not None  # until it runs out: then the sweep
        Candidate.objects.filter(pk=candidate_id).update(
            scoring_lease_until=candidate.scoring_lease_until.replace(year=2000))
        assert candidates_sweep_unscored() == 1

    def test_it_does_not_score_a_candidate_twice(self, api, monkeypatch):
        candidate_id = create(api)
        assert candidate_score_task.apply(args=[candidate_id]).get() is not None
        # A duplicate message (re-sent from a backlog, or redelivered by Redis after its
        # visibility timeout) finds the candidate scored and does nothing.
        monkeypatch.setattr(tasks, "candidate_score", lambda **kwargs: pytest.fail("scored"))
        assert candidate_score_task.apply(args=[candidate_id]).get() is None


@pytest.mark.worker
def test_a_real_worker_consumes_the_task_from_redis_and_scores(api, celery_worker_process):
    response = api.post(URL, CandidatePayloadFactory(), format="json")
    assert response.status_code == 201
    candidate_id = response.json()["id"]

    def scored():
        body = api.get(f"{URL}{candidate_id}/").json()
        return body if body["risk"]["status"] == "scored" else None

    body = wait_for(scored)
    assert body["risk"]["score"] is not None
    assert body["risk"]["scored_at"] is not None
