"""The queue at recruiter scale (docs/review.md):

1. A clearance by the system ("no review needed", review/triage.py) has no decider: the
   constraint that every decision names its decider allows exactly that one case.
2. Indexes for the queue's new sorts (oldest application first, oldest arrival first), each
   with id as the keyset tie-breaker, over the scored candidates the queue lists; and for
   "Mine" and the round-robin's count of open candidates per assignee.
"""

from django.db import migrations, models
from django.db.models import Q

FORWARD = [
    # Queue sorted by application date: ORDER BY applied_at, id (NULLs last, as the index).
    "CREATE INDEX IF NOT EXISTS review_queue_applied ON candidates_candidate "
    "(applied_at, id) WHERE risk_score IS NOT NULL",
    # Queue sorted by arrival: ORDER BY created_at, id.
    "CREATE INDEX IF NOT EXISTS review_queue_arrival ON candidates_candidate "
    "(created_at, id) WHERE risk_score IS NOT NULL",
    # Candidates waiting for their first score, oldest first (the queue's "scoring" rows).
    "CREATE INDEX IF NOT EXISTS review_queue_pending ON candidates_candidate "
    "(created_at, id) WHERE risk_score IS NULL",
]
REVERSE = [
    "DROP INDEX IF EXISTS review_queue_applied",
    "DROP INDEX IF EXISTS review_queue_arrival",
    "DROP INDEX IF EXISTS review_queue_pending",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("vetting", "0005_cases_case_and_members"),
        ("candidates", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="review", name="review_decision_has_decider"),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=~Q(state__in=["cleared", "approved", "rejected"])
                | Q(decided_by__isnull=False, decided_at__isnull=False)
                | Q(state="cleared", reason_code="no_review_needed",
                    decided_at__isnull=False),
                name="review_decision_has_decider",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["assignee", "state"], name="review_assignee"),
        ),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
    ]
