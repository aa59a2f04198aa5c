"""What every benchmark shares: production settings pointed at a throw-away PostgreSQL
database of its own, creating and dropping that database, a free local port, and starting
and stopping the servers and workers it measures."""

import os
import signal
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Run a server or worker from the project root in a session of its own (so stop() ends
    its children too), its output appended to `log`."""
    out = open(log, "a")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM the process's group, SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
