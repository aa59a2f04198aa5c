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
