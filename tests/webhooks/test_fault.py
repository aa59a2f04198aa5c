"""At least once, never lost: 500 events while the worker is SIGKILLed twice and the broker
is stopped for 30 s. The broker is a redis-server of the test's own, on a port of its own,
so that the machine's Redis is never touched."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from candidates.models import Integration
from core import events
from review.events import VerificationRecorded
from tests.conftest import wait_for
from tests.review.factories import candidate_make
from vetting.celery import app
from webhooks import outbox
from webhooks.models import SUBSCRIBABLE, Attempt, Delivery, DeliveryStatus, Event
from webhooks.services import endpoint_create
from webhooks.tasks import deliveries_sweep

OUTAGE_SECONDS = 30
QUEUE = "vetting-test-webhooks-fault"


class PrivateRedis:
    """A throw-away redis-server (no persistence: a stop loses the queue, as a crash may)."""

    def __init__(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir, self.process = tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, timeout=10)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def broker_at(private_redis):
    """Point this process's Celery app at the private broker for the test."""
    real_url, real_queue = app.conf.broker_url, app.conf.task_default_queue

    def switch(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    switch(private_redis.url)
    app.conf.task_default_queue = QUEUE
    outbox._broker_down_until = 0.0
    yield
    switch(real_url)
    app.conf.task_default_queue = real_queue
    outbox._broker_down_until = 0.0


def worker_start(broker_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="vetting.test_settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=broker_url, CELERY_QUEUE=QUEUE,
        WEBHOOK_ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32,::1/128", WEBHOOK_REQUIRE_HTTPS="0",
        # A short claim (connect + read + 5 s), so a killed worker's delivery is soon free.
        WEBHOOK_CONNECT_TIMEOUT="1", WEBHOOK_READ_TIMEOUT="2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vetting", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", QUEUE, "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process


def produce(candidates, count: int) -> None:
    """`count` events, ten changes per transaction (each emitted as the review service does:
    inside the transaction, with the publish after commit)."""
    for first in range(0, count, 10):
        with transaction.atomic():
            for n in range(first, min(first + 10, count)):
                events.emit(VerificationRecorded(
                    candidate_id=candidates[n % len(candidates)].pk, verification_id=n,
                    method="live_video_id", outcome="pending", actor="rita"))


@pytest.mark.worker
def test_it_delivers_every_event_through_worker_kills_and_a_broker_outage(
        transactional_db, private_redis, broker_at, httpserver, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32", "::1/128"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    # Lost messages are re-published after 10 s (a minute in production).
    settings.WEBHOOK_REPUBLISH_SECONDS = 10
    integration = Integration.objects.create(name="fault-acme")
    endpoint, secret = endpoint_create(integration=integration,
                                       url=httpserver.url_for("/hook"),
                                       event_types=SUBSCRIBABLE, actor="test")
    candidates = [candidate_make(f"Applicant {i}", 30, integration=integration)
                  for i in range(5)]
    received, bad, lock = [], [], threading.Lock()

    def receive(request):
        try:
            Webhook(secret).verify(request.get_data(), dict(request.headers))
        except WebhookVerificationError:
            bad.append(request.headers.get("webhook-id"))
            return Response("bad signature", status=400)
        time.sleep(0.005)  # a receiver doing a little work: kills land mid-delivery
        with lock:
            received.append(request.headers["webhook-id"])
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receive)
    workers = [worker_start(private_redis.url)]
    try:
        produce(candidates, 200)
        wait_for(lambda: len(received) >= 60, timeout=30)
        workers[-1].send_signal(signal.SIGKILL)  # first kill, mid-stream
        workers.append(worker_start(private_redis.url))

        private_redis.stop()  # the broker goes away, with what was queued
        stopped = time.monotonic()
        produce(candidates, 150)  # committed while the broker is down
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        private_redis.start()
        outbox._broker_down_until = 0.0

        # The second kill: the worker that lived through the outage (reconnecting with
        # back-off) dies, and a fresh one takes over while the events keep coming.
        workers[-1].send_signal(signal.SIGKILL)
        workers.append(worker_start(private_redis.url))
        produce(candidates, 150)

        def all_delivered():
            deliveries_sweep()  # what beat does every few seconds
            return not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()

        wait_for(all_delivered, timeout=60, interval=1.0)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        connection.close()

    msg_ids = set(Event.objects.values_list("msg_id", flat=True))
    assert len(msg_ids) == 500 and not bad
    assert msg_ids <= set(received)  # every event at least once
    # The log accounts for every attempt: each request the receiver got has an Attempt row
    # (written before the request left), and each delivery counts its attempts.
    attempts_by_delivery = {}
    for delivery_id, status_code in Attempt.objects.values_list("delivery_id", "status_code"):
        attempts_by_delivery.setdefault(delivery_id, []).append(status_code)
    received_by_msg = {}
    for msg_id in received:
        received_by_msg[msg_id] = received_by_msg.get(msg_id, 0) + 1
    for delivery in Delivery.objects.select_related("event"):
        logged = attempts_by_delivery[delivery.pk]
        assert len(logged) == delivery.attempts
        assert 200 in logged
        answered = sum(1 for code in logged if code is not None)
        assert answered <= received_by_msg[delivery.event.msg_id] <= len(logged)
