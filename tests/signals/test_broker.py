"""The broker transport (vetting/broker.py): a real worker, consuming from Redis through a
proxy that the test freezes as `kill -STOP` freezes Redis."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings

from candidates.models import Candidate
from tests.conftest import wait_for
from tests.factories import CandidatePayloadFactory
from tests.faults import FreezableProxy

URL = "/api/v1/candidates/"


@pytest.mark.worker
def test_a_worker_goes_on_consuming_after_the_broker_failed_to_confirm_an_ack(
    api, celery_process_start
):
    redis = urlsplit(settings.REDIS_URL)
    proxy = FreezableProxy((redis.hostname, redis.port))
    try:
        worker = celery_process_start(
            "worker", "--pool=prefork", "--concurrency=1",
            "--include", "tests.signals.slow_check",
            env={"REDIS_URL": f"redis://127.0.0.1:{proxy.port}{redis.path}",
                 "SLOW_CHECK_SECONDS": "2"})
        first = api.post(URL, CandidatePayloadFactory(), format="json").json()["id"]
        wait_for(lambda: Candidate.objects.filter(pk=first, scoring_lease_until__isnull=False))
        proxy.freeze()  # while the worker scores: its ack will not be answered
        wait_for(lambda: any("Couldn't ack" in line for line in worker.output), timeout=30)
        proxy.thaw()

        second = api.post(URL, CandidatePayloadFactory(), format="json").json()["id"]
        # With kombu's own QoS the unconfirmed message held the worker's only prefetch slot
        # for good, and nothing was consumed again.
        wait_for(lambda: Candidate.objects.filter(pk=second, risk_status="scored"), timeout=30)
    finally:
        proxy.close()
