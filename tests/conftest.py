import os

import pytest
from rest_framework.test import APIClient

from tests.factories import integration_with_key


@pytest.fixture
def integration_and_key(db):
    return integration_with_key("greenhouse-acme")


@pytest.fixture
def integration(integration_and_key):
    return integration_and_key[0]


@pytest.fixture
def api(integration_and_key) -> APIClient:
    """An API client authenticated as the integration's ATS."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {integration_and_key[1]}")
    return client


@pytest.fixture
def other_api(db) -> APIClient:
    """Another integration's ATS: must never see the first one's candidates."""
    _, key = integration_with_key("lever-other")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: the services the tests need must be there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run in CI.")
        session.exitstatus = 1


@pytest.fixture
def redis_client():
    """The test Redis database, emptied before and after the test."""
    import redis
    from django.conf import settings

    from signals.tasks import relay

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    relay.drain(timeout=5)  # nothing of this test may be published into the next one
    client.flushdb()


def _broker_switch(url: str | None = None) -> None:
    """Point the Celery app at `url` (None: back at the real broker)."""
    from django.conf import settings

    from signals.tasks import relay
    from vetting.celery import app

    # Drop the cached pools (as Celery does after a fork) so the next publish connects to the
    # new URL; kombu keeps one pool per URL, so the real one is reused intact.
    app.conf.broker_url = url or settings.CELERY_BROKER_URL
    app._pool = None
    app.amqp._producer_pool = None
    relay.resume()  # the broker changed: the relay may try at once


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where no broker listens, as in a Redis outage.

    Yields a function that brings the broker back.
    """
    _broker_switch("redis://127.0.0.1:1/15")
    yield _broker_switch
    _broker_switch()


@pytest.fixture
def broker_hung():
    """Point the Celery app at a local TCP listener that accepts connections and never
    answers, as a Redis stopped with SIGSTOP does. Yields a function that brings the real
    broker back; its `connections` are those the listener accepted."""
    import socket
    import threading

    from signals.tasks import relay

    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])  # kept open, never read or answered
            except OSError:
                return

    def restore():
        _broker_switch()

    restore.connections = accepted
    threading.Thread(target=accept, daemon=True).start()
    _broker_switch(f"redis://127.0.0.1:{listener.getsockname()[1]}/15")
    yield restore
    _broker_switch()
    relay.drain(timeout=5)
    listener.close()
    for conn in accepted:
        conn.close()


@pytest.fixture
def celery_process_start(transactional_db, redis_client):
    """Start real Celery processes (`worker`, `beat`) on the test queue, Redis database and
    test database (tests using it commit their data: transactional_db). Returns
    start(command, *args, env={}) -> Popen once the process is up; all are stopped at the
    end of the test."""
    import signal
    import subprocess
    import sys
    import threading
    import time

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    base_env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="vetting.test_settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
    )
    started = []

    def start(command: str, *args: str, env: dict | None = None):
        if command == "worker":
            args = ("--pool=solo", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
                    "--without-heartbeat", "--without-gossip", "--without-mingle", *args)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vetting", command, "--loglevel=INFO",
             *args],
            env=base_env | (env or {}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        ready = "ready." if command == "worker" else "beat: Starting..."
        deadline = time.monotonic() + 30
        lines = []
        for line in process.stdout:
            lines.append(line)
            if ready in line:
                break
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"Celery {command} did not start:\n" + "".join(lines))
        # Keep reading its output (process.output), so that it never blocks on a full pipe.
        process.output = lines
        threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    connection.close()


@pytest.fixture
def celery_worker_process(celery_process_start):
    """A real `celery worker` process consuming the test queue from Redis and writing to
    the test database (tests using it commit their data: transactional_db)."""
    return celery_process_start("worker")


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until predicate() is truthy; returns its value or fails the test."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
