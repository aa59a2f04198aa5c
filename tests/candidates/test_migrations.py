"""Data steps of the candidates migrations."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("candidates", "0003_identifier_kind_labels")
AFTER = ("candidates", "0004_candidate_scoped_risk")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def latest_schema_after():
    """Leave the test database at the latest migration of every app, not at AFTER: the
    tests after these ones (live servers, real workers) use the schema as they find it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_rescores_candidates_scored_before_the_api_had_a_scoped_risk():
    """Without it their API risk would be empty while saying `scored`; with it they are
    pending, never enqueued, which is what the sweep sends to the workers."""
    apps = migrate(BEFORE)
    try:
        integration = apps.get_model("candidates", "Integration").objects.create(name="ats")
        Candidate = apps.get_model("candidates", "Candidate")
        for status, score in (("scored", 50), ("pending", None)):
            Candidate.objects.create(integration=integration, external_id=status,
                                     full_name="Dana Whitfield", risk_status=status,
                                     risk_score=score, risk_level="high" if score else "")
    finally:
        apps = migrate(AFTER)
    Candidate = apps.get_model("candidates", "Candidate")
    rows = dict(Candidate.objects.values_list("external_id", "risk_status"))
    assert rows == {"scored": "pending", "pending": "pending"}
    assert not Candidate.objects.filter(enqueued_at__isnull=False).exists()
    assert Candidate.objects.get(external_id="scored").risk_score == 50  # the review UI's
