"""Database-level protection of the audit trail, and the indexes the review pages need.

1. The audit table refuses UPDATE and DELETE with a trigger (PostgreSQL and SQLite), whatever
   the code above it does.
2. Indexes on candidates_candidate and candidates_email that only the review pages use
   (queue order, keyset pagination, flag-code filter, text search). They are plain SQL so
   that the candidates app's model state does not carry another app's indexes; each says
   which query it serves. PostgreSQL-only ones (GIN, trigram) are skipped on SQLite, where
   the demo's few hundred rows need no index.
"""

from django.db import migrations

COMMON_FORWARD = [
    # The queue: scored candidates, riskiest first, id as the keyset tie-breaker.
    "CREATE INDEX IF NOT EXISTS review_queue_order ON candidates_candidate "
    "(risk_score DESC, id DESC) WHERE risk_score IS NOT NULL",
    # The queue filtered by level, same order.
    "CREATE INDEX IF NOT EXISTS review_queue_level ON candidates_candidate "
    "(risk_level, risk_score DESC, id DESC) WHERE risk_score IS NOT NULL",
    # Search by external id (the unique index leads with the integration).
    "CREATE INDEX IF NOT EXISTS review_external_id ON candidates_candidate (external_id)",
    # Overview: queue age buckets of scored candidates by arrival (index-only counts), the
    # unscored count, and flags by week (by application date).
    "CREATE INDEX IF NOT EXISTS review_created_at ON candidates_candidate (created_at) "
    "WHERE risk_score IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS review_unscored ON candidates_candidate (id) "
    "WHERE risk_score IS NULL",
    # ...and the decided candidates' arrival, read by id from the review side (index-only).
    "CREATE INDEX IF NOT EXISTS review_scored_arrival ON candidates_candidate (id, created_at) "
    "WHERE risk_score IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS review_applied_at ON candidates_candidate (applied_at)",
]
COMMON_REVERSE = [
    "DROP INDEX IF EXISTS review_queue_order",
    "DROP INDEX IF EXISTS review_queue_level",
    "DROP INDEX IF EXISTS review_external_id",
    "DROP INDEX IF EXISTS review_created_at",
    "DROP INDEX IF EXISTS review_unscored",
    "DROP INDEX IF EXISTS review_scored_arrival",
    "DROP INDEX IF EXISTS review_applied_at",
]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION vetting_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'vetting_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    "CREATE TRIGGER vetting_auditevent_append_only BEFORE UPDATE OR DELETE "
    "ON vetting_auditevent FOR EACH ROW EXECUTE FUNCTION vetting_audit_append_only()",
    # Flag-code filter: risk_flags @> '[{"code": "..."}]'.
    "CREATE INDEX IF NOT EXISTS review_risk_flags ON candidates_candidate "
    "USING gin (risk_flags jsonb_path_ops)",
    # Text search: Django's icontains is UPPER(col::text) LIKE UPPER('%q%'); a trigram
    # index on that very expression answers it without a scan.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS review_name_trgm ON candidates_candidate "
    "USING gin ((UPPER(full_name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS review_email_trgm ON candidates_email "
    "USING gin ((UPPER(address::text)) gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS vetting_auditevent_append_only ON vetting_auditevent",
    "DROP FUNCTION IF EXISTS vetting_audit_append_only()",
    "DROP INDEX IF EXISTS review_risk_flags",
    "DROP INDEX IF EXISTS review_name_trgm",
    "DROP INDEX IF EXISTS review_email_trgm",
]

SQLITE_FORWARD = [
    "CREATE TRIGGER IF NOT EXISTS vetting_auditevent_no_update BEFORE UPDATE "
    "ON vetting_auditevent BEGIN SELECT RAISE(ABORT, 'vetting_auditevent is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS vetting_auditevent_no_delete BEFORE DELETE "
    "ON vetting_auditevent BEGIN SELECT RAISE(ABORT, 'vetting_auditevent is append-only'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS vetting_auditevent_no_update",
    "DROP TRIGGER IF EXISTS vetting_auditevent_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements_by_vendor.get(vendor, ()) + statements_by_vendor.get("*", ()):
            schema_editor.execute(sql, params=None)  # no %-formatting of the SQL

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("vetting", "0001_initial"),
        ("candidates", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD, "*": COMMON_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE, "*": COMMON_REVERSE}),
        ),
    ]
