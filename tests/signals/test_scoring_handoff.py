"""The hand-off from the API to the workers: after commit, through Redis, surviving outages."""

import time

import pytest
from django.conf import settings

from candidates.models import Candidate
from signals.tasks import candidates_sweep_unscored
from tests.conftest import wait_for
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"
# The queue the test settings publish to ("vetting-test", or CELERY_QUEUE when a session sets
# its own so that parallel test runs do not share one).
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.mark.django_db
class TestOnCommitHandOff:
    def test_it_publishes_only_after_the_transaction_commits(
        self, api, redis_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api.post(URL, CandidatePayloadFactory(), format="json")
        assert response.status_code == 201
        assert len(callbacks) == 1
        assert redis_client.llen(QUEUE) == 0  # nothing published inside the transaction
        candidate = Candidate.objects.get()
        assert candidate.enqueued_at is None

        callbacks[0]()
        assert redis_client.llen(QUEUE) == 1
        candidate.refresh_from_db()
        assert candidate.enqueued_at is not None

    def test_an_update_enqueues_again(self, api, redis_client, django_capture_on_commit_callbacks):
        payload = CandidatePayloadFactory()
        with django_capture_on_commit_callbacks(execute=True):
            api.post(URL, payload, format="json")
        with django_capture_on_commit_callbacks(execute=True):
            api.post(URL, payload | {"position": "Staff Engineer"}, format="json")
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
        self, api, redis_client, broker_down, django_capture_on_commit_callbacks
    ):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, CandidatePayloadFactory(), format="json")
        elapsed = time.monotonic() - started
        assert response.status_code == 201
        assert elapsed < 10, "the request must not hang while the broker is down"
        candidate = Candidate.objects.get()
        assert (candidate.risk_status, candidate.enqueued_at) == ("pending", None)

        assert candidates_sweep_unscored() == 0  # still down: nothing handed over, nothing lost
        assert Candidate.objects.get().enqueued_at is None

        broker_down()  # the broker is back
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 1
        assert Candidate.objects.get().enqueued_at is not None
        assert candidates_sweep_unscored() == 0  # enqueued recently: not sent twice

    def test_the_sweep_resends_work_whose_worker_never_finished(self, api, redis_client,
                                                                django_capture_on_commit_callbacks,
                                                                settings):
        with django_capture_on_commit_callbacks(execute=True):
            api.post(URL, CandidatePayloadFactory(), format="json")
        settings.SCORING_REQUEUE_AFTER_SECONDS = 0
        time.sleep(0.01)
        assert candidates_sweep_unscored() == 1
        assert redis_client.llen(QUEUE) == 2


@pytest.mark.django_db
def test_the_sweep_retries_candidates_whose_last_score_lacks_a_check(
    api, redis_client, settings, monkeypatch
):
    from signals.engine import CHECKS, CheckPending
    from signals.services import candidate_score

    def waiting(snapshot, lookups):
        raise CheckPending("rate limited", retry_after=60)

    monkeypatch.setitem(CHECKS, "aa_waiting", waiting)
    candidate_id = api.post(URL, CandidatePayloadFactory(), format="json").json()["id"]
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
