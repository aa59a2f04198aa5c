"""Greenhouse webhooks in: acknowledgement rate and latency, and time until mapped and scored.

What it does, in one run:

  1. drops and creates a PostgreSQL database (--db-name, vetting_ats2_bench), migrates it
     and creates a Greenhouse connection (write-back on) whose Harvest API and resume host
     is a fake Greenhouse served by this script on localhost (a ThreadingHTTPServer: resume
     PDFs, notes and tags);
  2. serves vetting.wsgi with gunicorn (--workers sync workers, 2) with production settings
     (DEBUG=0) and starts a real `celery worker` (--celery-concurrency, 2) on the same Redis
     database and queue;
  3. posts --count (2,000) signed `new_candidate_application` webhooks, every one a different
     applicant (name, two emails, two phones, address, GitHub/LinkedIn/portfolio links, job,
     source, a resume attachment), from --concurrency client threads, and measures each
     acknowledgement (all must answer 200);
  4. waits until every delivery is mapped (status done) and every candidate scored.

It prints acknowledgements per second, p50/p95/p99 acknowledgement latency in ms (the
target: p95 under 50 ms, since Greenhouse waits on it), the time from the first post until
all are mapped and until all are scored, and how many write-backs reached the fake Greenhouse.

Run from the project root (PostgreSQL and Redis on 127.0.0.1):

    .venv/bin/python bench/ats_webhooks.py
    .venv/bin/python bench/ats_webhooks.py --count 500 --concurrency 2 --keep

REDIS_URL and CELERY_QUEUE are taken from the environment when set (default Redis database
7, queue vetting-bench-ats); that Redis database is emptied at the start and at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import (  # noqa: E402
    bench_env,
    database_drop,
    database_recreate,
    free_port,
    start,
    stop,
)

SECRET = "bench-greenhouse-webhook-secret"
FIRST = ["Johnny", "Maria", "Wei", "Aisha", "Lukas", "Sofia", "Kenji", "Priya", "Omar",
         "Elena", "Diego", "Hannah", "Tomasz", "Fatima", "Noah", "Ingrid", "Rahul", "Chloe"]
LAST = ["Smith", "Garcia", "Chen", "Khan", "Muller", "Rossi", "Tanaka", "Patel", "Haddad",
        "Petrova", "Lopez", "Schmidt", "Nowak", "Ali", "Brown", "Larsen", "Gupta", "Martin"]
JOBS = ["Senior Backend Engineer", "Data Engineer", "Product Designer", "Site Reliability "
        "Engineer", "Frontend Engineer", "Engineering Manager", "QA Engineer"]
SOURCES = ["LinkedIn (Prospecting)", "Indeed", "Referral", "Company website", "AngelList"]
CITIES = [("Broadway", "New York", "NY 10013", "US", "212"),
          ("Market St", "San Francisco", "CA 94105", "US", "415"),
          ("Congress Ave", "Austin", "TX 78701", "US", "512"),
          ("Boylston St", "Boston", "MA 02116", "US", "617")]
# Resume vocabulary: every resume a different draw, so that honest applicants do not look
# like near-duplicates of each other (which would link them and cascade re-scoring).
WORDS = ("python go rust java kotlin typescript react django flask postgres mysql redis kafka "
         "spark airflow dbt terraform kubernetes docker aws gcp azure linux grpc graphql rest "
         "microservices monolith migration latency throughput caching indexing sharding "
         "replication observability prometheus grafana tracing oncall incident postmortem "
         "mentoring hiring roadmap stakeholder design review testing ci cd pipeline billing "
         "payments search ranking recommendations fraud risk compliance gdpr soc2 security "
         "oauth saml encryption mobile ios android accessibility localization analytics "
         "experimentation ab testing dashboards warehouse lakehouse etl streaming batch "
         "scheduling queueing celery rabbitmq sqs lambda serverless edge cdn networking").split()


def payload(i: int, ats: str, rng: random.Random) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    handle = f"{first}{last}{i}".lower()
    line1, city, postal, country, area = rng.choice(CITIES)
    job = rng.choice(JOBS)
    return {"action": "new_candidate_application", "payload": {"application": {
        "id": 70_000_000 + i, "status": "active", "prospect": False,
        "applied_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
        "source": {"id": 16 + i % 5, "public_name": rng.choice(SOURCES)},
        "current_stage": {"id": 767358, "name": "Application Review"},
        "jobs": [{"id": 186162 + JOBS.index(job), "name": job, "status": "open"}],
        "candidate": {
            "id": 1_000_000 + i, "first_name": first, "last_name": last,
            "phone_numbers": [{"value": f"+1 {area}-555-{i % 10000:04d}", "type": "mobile"},
                              {"value": f"+1 {area}-555-{(i * 7) % 10000:04d}",
                               "type": "work"}],
            "email_addresses": [{"value": f"{handle}@example.com", "type": "personal"},
                                {"value": f"{handle}@work.example.org", "type": "work"}],
            "addresses": [{"value": f"{100 + i} {line1}, {city}, {postal}, {country}",
                           "type": "home"}],
            "website_addresses": [{"value": f"https://{handle}.dev", "type": "personal"}],
            "social_media_addresses": [{"value": f"https://www.linkedin.com/in/{handle}"},
                                       {"value": f"https://github.com/{handle}"}],
            "tags": ["Python"],
            "attachments": [{"filename": f"{first}_{last}_Resume.pdf", "type": "resume",
                             "url": f"{ats}/attachments/resume-{i}.pdf"}],
        },
    }}}


# --- The fake Greenhouse ----------------------------------------------------------------------

class FakeGreenhouse(BaseHTTPRequestHandler):
    writebacks = 0
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/attachments/resume-"):
            from tests.connectors.helpers import pdf_bytes

            n = int(self.path.rpartition("-")[2].partition(".")[0])
            words = random.Random(n).choices(WORDS, k=60)
            text = f"Candidate {n} " + " ".join(words)
            return self._answer(200, pdf_bytes(text), "application/pdf")
        if self.path.endswith("/tags"):
            return self._answer(200, b"[]")
        return self._answer(404, b"{}")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/activity_feed/notes"):
            with FakeGreenhouse.lock:
                FakeGreenhouse.writebacks += 1
        if self.path == "/v1/tags/candidate":
            return self._answer(201, b'{"id": 903, "name": "Vetting risk"}')
        return self._answer(201, b'{"id": 1}')

    def do_PUT(self):
        return self._answer(200, b"{}")


def setup(env: dict[str, str], ats: str) -> str:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from candidates.models import Integration
    from connectors.services import connection_create

    call_command("migrate", interactive=False, verbosity=0)
    connection = connection_create(
        integration=Integration.objects.create(name="bench-greenhouse"), kind="greenhouse",
        webhook_secret=SECRET, api_key="bench-harvest-key", api_base_url=f"{ats}/v1",
        api_user_id="4080")
    connections.close_all()
    return connection.token


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer:\n{log.read_text()}")


def wait_worker(log: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "ready." in log.read_text():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"celery worker did not start:\n{log.read_text()}")


def counts(db_name: str) -> tuple[int, int]:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db_name)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM connectors_delivery WHERE status = 'done'")
        mapped = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM candidates_candidate WHERE risk_status = 'scored'")
        scored = cur.fetchone()[0]
    conn.close()
    return mapped, scored


def post_all(url: str, bodies: list[bytes], concurrency: int) -> tuple[list[float], list[int]]:
    import requests

    latencies: list[float] = []
    bad: list[int] = []
    lock = threading.Lock()
    queue = list(enumerate(bodies))

    def run():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                i, body = queue.pop()
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            response = session.post(url, data=body, timeout=30, headers={
                "Content-Type": "application/json", "Signature": f"sha256 {signature}",
                "Greenhouse-Event-ID": f"bench-{i}"})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200:
                    bad.append(response.status_code)

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, bad


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--db-name", default="vetting_ats2_bench")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for scoring")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
    queue = os.environ.get("CELERY_QUEUE", "vetting-bench-ats")
    fake = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeGreenhouse)
    ats = f"http://127.0.0.1:{fake.server_port}"
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    port = free_port()
    env = bench_env(args.db_name, REDIS_URL=redis_url, CELERY_QUEUE=queue, GITHUB_ENABLED="0",
                    CONNECTORS_FERNET_KEY=Fernet.generate_key().decode(),
                    SITE_URL=f"http://127.0.0.1:{port}",
                    ALLOWED_HOSTS="127.0.0.1")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    database_recreate(args.db_name)
    gunicorn = worker = None
    logs = [Path(tempfile.mkstemp(prefix=f"bench-{n}-", suffix=".log")[1])
            for n in ("gunicorn", "celery")]
    try:
        token = setup(env, ats)
        bin_dir = Path(sys.executable).parent
        gunicorn = start([str(bin_dir / "gunicorn"), "vetting.wsgi", "-w", str(args.workers),
                          "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                         env, logs[0])
        worker = start([sys.executable, "-m", "celery", "-A", "vetting", "worker", "-Q", queue,
                        f"--concurrency={args.celery_concurrency}", "--loglevel=INFO",
                        "--without-gossip", "--without-mingle"], env, logs[1])
        wait_http(f"http://127.0.0.1:{port}/connectors/in/none/", gunicorn, logs[0])
        wait_worker(logs[1], worker)

        rng = random.Random(11)
        bodies = [json.dumps(payload(i, ats, rng)).encode() for i in range(args.count)]
        url = f"http://127.0.0.1:{port}/connectors/in/{token}/"
        print(f"gunicorn: {args.workers} sync workers; celery: prefork x{args.celery_concurrency};"
              f" PostgreSQL {args.db_name}; {args.count} webhooks, {args.concurrency} threads")
        load = os.getloadavg()
        started = time.perf_counter()
        latencies, bad = post_all(url, bodies, args.concurrency)
        posted = time.perf_counter() - started
        mapped_at = scored_at = None
        while time.perf_counter() - started < args.timeout:
            mapped, scored = counts(args.db_name)
            now = time.perf_counter() - started
            if mapped_at is None and mapped >= args.count:
                mapped_at = now
            if scored >= args.count:
                scored_at = now
                break
            time.sleep(0.5)
        print(f"acknowledged: {len(latencies) - len(bad)}/{args.count} with 200"
              f"{' (other: ' + str(sorted(set(bad))) + ')' if bad else ''}")
        print(f"acknowledgements/s: {args.count / posted:.1f} ({posted:.1f} s to post all)")
        print(f"ack latency ms: p50 {pct(latencies, 50):.1f}, p95 {pct(latencies, 95):.1f}, "
              f"p99 {pct(latencies, 99):.1f}, max {max(latencies) * 1000:.1f} "
              f"(target p95 < 50 ms: {'met' if pct(latencies, 95) < 50 else 'NOT met'})")
        mapped, scored = counts(args.db_name)
        print(f"all mapped after: {mapped_at:.1f} s" if mapped_at else
              f"mapped: {mapped}/{args.count} when stopped")
        print(f"all scored after: {scored_at:.1f} s ({args.count / scored_at:.1f}/s)"
              if scored_at else f"scored: {scored}/{args.count} when stopped")
        time.sleep(2)
        print(f"write-backs received by the fake Greenhouse: {FakeGreenhouse.writebacks}")
        # The machine is shared: say how busy it was, the figures depend on it.
        print(f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f} "
              f"({os.cpu_count()} CPUs)")
        return 0 if not bad and scored_at else 1
    finally:
        stop(gunicorn)
        stop(worker)
        fake.shutdown()
        redis.Redis.from_url(redis_url).flushdb()
        if not args.keep:
            database_drop(args.db_name)


if __name__ == "__main__":
    sys.exit(main())
