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

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where no broker listens, as in a Redis outage.

    Yields a function that brings the broker back.
    """
    from vetting.celery import app

    real_url = app.conf.broker_url

    def switch(url):
        # Drop the cached pools (as Celery does after a fork) so the next publish connects
        # to the new URL; kombu keeps one pool per URL, so the real one is reused intact.
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    switch("redis://127.0.0.1:1/15")
    yield lambda: switch(real_url)
    switch(real_url)


@pytest.fixture
def celery_worker_process(transactional_db, redis_client):
    """A real `celery worker` process consuming the test queue from Redis and writing to
    the test database (tests using it commit their data: transactional_db)."""
    import signal
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="vetting.test_settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vetting", "worker", "--pool=solo",
         "--loglevel=INFO", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 30
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "ready." in line:
            break
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("Celery worker did not start:\n" + "".join(lines))
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    connection.close()


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
