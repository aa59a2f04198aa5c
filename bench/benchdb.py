"""What every benchmark shares: production settings pointed at a throw-away PostgreSQL
database of its own, and creating and dropping that database."""

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def bench_env(db_name: str, **extra: str) -> dict[str, str]:
    """Production settings (vetting.settings, DEBUG off) on the bench database; `extra` adds
    or overrides variables (REDIS_URL, CELERY_QUEUE, GITHUB_ENABLED, ...)."""
    return {
        "DJANGO_SETTINGS_MODULE": "vetting.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-not-for-prod",
        "FINGERPRINT_KEY": "bench-fingerprint-key-not-for-production",
        "WEBHOOK_SECRET_KEY": "bench-webhook-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def _admin(*statements) -> None:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def database_recreate(db_name: str) -> None:
    from psycopg2 import sql

    name = sql.Identifier(db_name)
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name),
           sql.SQL("CREATE DATABASE {}").format(name))


def database_drop(db_name: str) -> None:
    from psycopg2 import sql

    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name)))
