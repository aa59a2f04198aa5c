"""Upgrading a database from the layout before the house moved (the review workflow and the
audit trail in the `vetting` package) keeps every row, readable through the new apps."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from candidates.models import Candidate
from core.audit import AuditEvent
from review.models import Decision, Review
from signals.models import ScoreRun

# The newest migration of each app as they stood before the move (commit c23a151).
BEFORE = [
    ("candidates", "0002_candidate_incomplete_checks"),
    ("signals", "0003_flagweight_code_free"),
    ("intel", "0001_initial"),
    ("vetting", "0003_candidate_flags"),
    ("core", None),  # core did not exist
]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_row_through_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([node for node in BEFORE if node[1]]).apps

    user = get_user_model().objects.create(username="hana")
    integration = old.get_model("candidates", "Integration").objects.create(name="greenhouse")
    candidate = old.get_model("candidates", "Candidate").objects.create(
        integration=integration, external_id="app-1", full_name="Dana Whitfield",
        risk_score=88, risk_level="critical", risk_status="scored")
    weight_set = old.get_model("signals", "WeightSet").objects.create(digest="d" * 64,
                                                                      weights={})
    old.get_model("signals", "ScoreRun").objects.create(
        candidate=candidate, revision=1, version="1.0", weight_set=weight_set, score=88,
        level="critical", flags=[{"code": "reuse.bank_account"}])
    old.get_model("vetting", "Review").objects.create(
        candidate=candidate, state="escalated", escalated_by_id=user.pk, assignee_id=user.pk)
    old.get_model("vetting", "Decision").objects.create(
        candidate=candidate, action="escalate", from_state="in_review", to_state="escalated",
        reason_code="identity_ring", comment="shares an IBAN", actor_id=user.pk)
    # The audit trail lived in the review app: written there, it must be read from core.
    old.get_model("vetting", "AuditEvent").objects.create(
        actor_id=user.pk, actor_label="hana", action="review.escalate",
        target_type="candidate", target_id=str(candidate.pk), after={"state": "escalated"})

    executor = MigrationExecutor(connection)  # reload: the graph as it is now
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Candidate.objects.get(external_id="app-1")
    assert moved.full_name == "Dana Whitfield" and moved.risk_level == "critical"
    assert ScoreRun.objects.get(candidate=moved).flags == [{"code": "reuse.bank_account"}]
    assert Review.objects.get(candidate=moved).escalated_by == user
    assert Decision.objects.get(candidate=moved).comment == "shares an IBAN"
    event = AuditEvent.objects.get(action="review.escalate")
    assert (event.actor, event.target_id, event.after) == (user, str(moved.pk),
                                                          {"state": "escalated"})
    # Still append-only at the database: the trigger came along with the table.
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE vetting_auditevent SET action = 'forged'")
