"""The scoring hand-off under faults: a hung broker, a killed worker, a database outage.

Three scenarios, each on its own throw-away database, with production settings (DEBUG=0):

  hang   gunicorn (--workers sync workers, 2) and a worker with an embedded beat (`celery
         worker -B`), with the broker behind a TCP proxy that this script can freeze, as
         `kill -STOP` freezes Redis: connections stay open and new ones are accepted, nothing
         is answered. --concurrency client threads (4) each create a candidate (POST) and
         read one (GET detail) in a loop, --seconds (20) with the broker answering, then as
         long with it hung. Prints p50/p95 latency per kind and requests/s per phase, then
         how long after the broker answers again every candidate created during the hang is
         scored.
  kill   a worker whose every task sleeps 600 s (the check in tests/signals/slow_check.py) is
         SIGKILLed in the middle of a task; a normal worker with an embedded beat takes over.
         Prints the time from the kill to the candidate's score (--rounds times).
  db     a PostgreSQL cluster of its own (initdb under /tmp, --pg-port 55439, run as the
         postgres user; the machine's PostgreSQL is never touched): --count (200) candidates
         are created while no worker runs, the cluster is stopped, a worker (prefork,
         concurrency 2, embedded beat) starts and finds every task failing, the cluster
         comes back after --outage (15) seconds. Prints how many tasks gave up during the
         outage and how long after the database's return every candidate is scored.

Scoring tasks go to REDIS_URL (default redis://127.0.0.1:6379/14), queue vetting-bench-faults,
which is emptied at the start and the end. Run from the project root:

    .venv/bin/python bench/handoff_faults.py hang
    .venv/bin/python bench/handoff_faults.py kill --rounds 3
    .venv/bin/python bench/handoff_faults.py db --outage 15

To measure the code before a change, run the same file from a checkout of that commit (it
imports the project from the directory above it).
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import bench_env as _bench_env
from benchdb import database_drop, database_recreate, free_port, start, stop

from tests.faults import FreezableProxy

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
QUEUE = "vetting-bench-faults"
URL = "/api/v1/candidates/"


def bench_env(db_name: str, **extra: str) -> dict[str, str]:
    # GitHub is not called: no network here, and its pending check would retry every task.
    return _bench_env(db_name, GITHUB_ENABLED="0", **extra)


# --- Processes ---------------------------------------------------------------------------------

def worker_start(env: dict[str, str], log: Path, *extra: str, beat: bool = True,
                 concurrency: int = 1, timeout: float = 60) -> subprocess.Popen:
    args = [sys.executable, "-m", "celery", "-A", "vetting", "worker", "--loglevel=INFO",
            "-Q", QUEUE, f"--concurrency={concurrency}", "--without-gossip",
            "--without-mingle", *extra]
    if beat:
        args += ["-B", f"--schedule={log.with_suffix('.beat')}"]
    size = log.stat().st_size if log.exists() else 0
    process = start(args, env, log)
    deadline = time.monotonic() + timeout
    while "ready." not in log.read_text()[size:]:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError("worker did not start:\n" + log.read_text()[size:])
        time.sleep(0.2)
    return process


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def migrate_and_create_key() -> str:
    from django.core.management import call_command
    from django.db import connections

    from candidates.authentication import api_key_create
    from candidates.models import Integration

    call_command("migrate", interactive=False, verbosity=0)
    integration, _ = Integration.objects.get_or_create(name="bench-faults")
    key = api_key_create(integration=integration)
    connections.close_all()
    return key


def payload() -> dict:
    """An applicant of their own: nothing shared with another (no linked re-scoring)."""
    import random

    from tests.factories import CandidatePayloadFactory

    n = random.randrange(10**9)
    return CandidatePayloadFactory(
        external_id=f"fault-{n}",
        email=f"applicant{n}@example.org",
        phone=f"+1 {random.randint(201, 989)} {random.randint(200, 999)} {n % 10000:04d}",
        profiles=[{"network": "github", "url": f"github.com/applicant{n}"}],
        ip_addresses=[{"ip": f"198.18.{n % 250}.{n // 250 % 250 + 1}", "source": "application"}],
        addresses=[{"kind": "residential", "line1": f"{n % 9000 + 100} Elm Street",
                    "city": "Austin", "region": "TX", "postal_code": f"{n % 90000 + 10000}",
                    "country": "US"}],
        payment_accounts=[{"method": "bank", "account_number": f"{n:012d}",
                           "routing_number": "111000025", "bank_country": "US",
                           "holder_name": "Dana Whitfield"}],
        resume_text=" ".join(random.choice(WORDS) for _ in range(80)),
    )


WORDS = ("python django postgresql kubernetes react typescript golang rust kafka redis "
         "terraform aws gcp azure linux graphql grpc celery pandas numpy spark airflow "
         "docker ansible nginx elasticsearch mongodb mysql java kotlin swift").split()


def wait_scored(ids: list[int], timeout: float) -> float | None:
    """Seconds until every candidate in ids is scored, or None after timeout."""
    from django.db import connection

    from candidates.models import Candidate

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if Candidate.objects.filter(pk__in=ids).exclude(risk_status="scored").count() == 0:
            return time.monotonic() - started
        connection.close()
        time.sleep(0.5)
    return None


def pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# --- hang ------------------------------------------------------------------------------------------

def load(base: str, key: str, seconds: float, concurrency: int) -> dict:
    import requests

    results = {"create": [], "read": [], "errors": 0, "ids": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        last = None
        while time.monotonic() < deadline:
            for kind in ("create", "read"):
                started = time.monotonic()
                try:
                    if kind == "create":
                        r = session.post(base + URL, json=payload(), timeout=60)
                        ok = r.status_code == 201
                        if ok:
                            last = r.json()["id"]
                    elif last is not None:
                        r = session.get(f"{base}{URL}{last}/", timeout=60)
                        ok = r.status_code == 200
                    else:
                        continue
                except requests.RequestException:
                    ok = False
                elapsed = time.monotonic() - started
                with lock:
                    if ok:
                        results[kind].append(elapsed)
                        if kind == "create":
                            results["ids"].append(last)
                    else:
                        results["errors"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["wall"] = time.monotonic() - started
    return results


def report(name: str, r: dict) -> None:
    total = len(r["create"]) + len(r["read"])
    print(f"{name:8} {total / r['wall']:7.1f} req/s   "
          f"create p50 {pct(r['create'], 50) * 1000:7.0f} ms  p95 {pct(r['create'], 95) * 1000:7.0f} ms"
          f" (n={len(r['create'])})   "
          f"read p50 {pct(r['read'], 50) * 1000:7.0f} ms  p95 {pct(r['read'], 95) * 1000:7.0f} ms"
          f" (n={len(r['read'])})   errors {r['errors']}")


def scenario_hang(args, logdir: Path) -> int:
    import requests

    proxy = FreezableProxy(("127.0.0.1", 6379))
    db = REDIS_URL.rsplit("/", 1)[1]
    env = bench_env(args.db_name, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{db}",
                    CELERY_QUEUE=QUEUE)
    django_setup(env)
    key = migrate_and_create_key()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start([sys.executable, "-m", "gunicorn", "vetting.wsgi", "-w", str(args.workers),
                 "-k", "sync", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                 "--log-level", "warning"], env, logdir / "gunicorn.log")
    worker = worker_start(env, logdir / "worker.log")  # scores as production does
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/v1/whoami/", headers={"Authorization": f"Bearer {key}"},
                             timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        load(base, key, 3, args.concurrency)  # warm-up
        normal = load(base, key, args.seconds, args.concurrency)
        proxy.freeze()
        hung = load(base, key, args.seconds, args.concurrency)
        print(f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
              f"{args.seconds:.0f} s per phase")
        report("normal", normal)
        report("hung", hung)
        proxy.thaw()
        thawed = time.monotonic()
        took = wait_scored(hung["ids"], timeout=args.recovery_timeout)
        since = time.monotonic() - thawed
        print(f"broker back: the {len(hung['ids'])} candidates created during the hang "
              + (f"were all scored {since:.1f} s later" if took is not None
                 else f"were not all scored within {args.recovery_timeout:.0f} s"))
    finally:
        stop(web)
        stop(worker)
    return 0


# --- kill ------------------------------------------------------------------------------------------

def scenario_kill(args, logdir: Path) -> int:
    from django.test import Client

    env = bench_env(args.db_name, REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE,
                    ALLOWED_HOSTS="testserver,127.0.0.1")
    django_setup(env)
    key = migrate_and_create_key()
    from django.db import connection

    from candidates.models import Candidate

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    times = []
    for n in range(args.rounds):
        slow = worker_start({**env, "SLOW_CHECK_SECONDS": "600"}, logdir / f"slow-{n}.log",
                            "--include", "tests.signals.slow_check", beat=False)
        other = None
        try:
            candidate_id = client.post(URL, payload(), content_type="application/json").json()["id"]
            if hasattr(Candidate, "scoring_lease_until"):  # wait until the worker started it
                while not Candidate.objects.filter(pk=candidate_id,
                                                   scoring_lease_until__isnull=False).exists():
                    time.sleep(0.1)
            else:
                time.sleep(3)  # the code before the lease: give the worker time to start it
            os.killpg(slow.pid, signal.SIGKILL)
            slow.wait()
            killed = time.monotonic()
            other = worker_start(env, logdir / f"other-{n}.log")
            took = wait_scored([candidate_id], timeout=args.recovery_timeout)
            since = time.monotonic() - killed
            times.append(since if took is not None else float("inf"))
            print(f"round {n + 1}: " + (f"scored {since:.1f} s after the SIGKILL" if took is not None
                                        else f"not scored within {args.recovery_timeout:.0f} s"))
        finally:
            stop(other)
            connection.close()
        redis_flush()
    finite = [t for t in times if t != float("inf")]
    if finite:
        print(f"re-run after SIGKILL: min {min(finite):.1f} s, median "
              f"{statistics.median(finite):.1f} s, max {max(finite):.1f} s "
              f"({len(finite)}/{len(times)} rounds)")
    return 0


# --- db --------------------------------------------------------------------------------------------

class Cluster:
    """A PostgreSQL cluster of this benchmark's own, under a temporary directory, run as the
    postgres user when this script runs as root (PostgreSQL refuses root)."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def scenario_db(args, logdir: Path) -> int:
    cluster = Cluster(args.pg_port)
    cluster.init()
    worker = None
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres",
                        "-c", "CREATE DATABASE bench_faults"], check=True,
                       stdout=subprocess.DEVNULL)
        env = bench_env("bench_faults", REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE,
                        DATABASE_URL=f"postgres://postgres@127.0.0.1:{args.pg_port}/bench_faults",
                        ALLOWED_HOSTS="testserver,127.0.0.1")
        django_setup(env)
        key = migrate_and_create_key()
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        ids = [client.post(URL, payload(), content_type="application/json").json()["id"]
               for _ in range(args.count)]
        time.sleep(2)  # the relay thread publishes after commit
        connection.close()
        cluster.stop()
        down = time.monotonic()
        log = logdir / "worker-db.log"
        worker = worker_start(env, log, beat=True, concurrency=2)
        time.sleep(max(0.0, args.outage - (time.monotonic() - down)))
        cluster.start()
        back = time.monotonic()
        print(f"database down for {back - down:.1f} s with {args.count} tasks in the queue")
        took = wait_scored(ids, timeout=args.recovery_timeout)
        lines = log.read_text().splitlines()
        scoring = [line for line in lines if "candidate_score_task[" in line]
        gave_up = sum("raised unexpected: OperationalError" in line for line in scoring)
        retried = sum("Retry in" in line for line in scoring)
        print(f"scoring tasks that gave up on the database: {gave_up} "
              f"(retries scheduled: {retried})")
        print("all scored " + (f"{took:.1f} s after the database came back" if took is not None
                               else f"not within {args.recovery_timeout:.0f} s"))
    finally:
        stop(worker)
        cluster.destroy()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["hang", "kill", "db"])
    parser.add_argument("--db-name", default="vetting_bench_faults")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (4)")
    parser.add_argument("--seconds", type=float, default=20, help="per phase of hang (20)")
    parser.add_argument("--rounds", type=int, default=1, help="kills (1)")
    parser.add_argument("--count", type=int, default=200, help="candidates for db (200)")
    parser.add_argument("--outage", type=float, default=15, help="database outage, s (15)")
    parser.add_argument("--pg-port", type=int, default=55439)
    parser.add_argument("--recovery-timeout", type=float, default=600)
    args = parser.parse_args()

    logdir = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(f"logs in {logdir}")
    redis_flush()
    if args.scenario != "db":
        database_recreate(args.db_name)
    try:
        return {"hang": scenario_hang, "kill": scenario_kill, "db": scenario_db}[
            args.scenario](args, logdir)
    finally:
        redis_flush()
        if args.scenario != "db":
            database_drop(args.db_name)


if __name__ == "__main__":
    sys.exit(main())
