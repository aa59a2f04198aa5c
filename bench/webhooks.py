"""Webhook delivery: events per second to a local receiver with 2 worker processes, and the
time from the change (the commit that wrote the event) to its arrival at the receiver.

    .venv/bin/python bench/webhooks.py [--events 1000] [--paced 300 --rate 50]

Uses a PostgreSQL database of its own (vetting_bench_webhooks, dropped afterwards) and a
redis-server of its own on a free port; never the machine's Redis. Two phases: a burst of
--events (throughput; latency includes the queue), then --paced events at --rate per second
(latency of a steady flow).
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchdb import bench_env, database_drop, database_recreate, free_port

DB = "vetting_bench_webhooks"
QUEUE = "bench-webhooks"
arrivals: dict[str, float] = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        arrivals.setdefault(self.headers["webhook-id"], time.time())
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--paced", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()

    redis_port, redis_dir = free_port(), tempfile.mkdtemp()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", redis_dir],
                             stdout=subprocess.DEVNULL)
    env = bench_env(DB, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", CELERY_QUEUE=QUEUE,
                    WEBHOOK_ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32", WEBHOOK_REQUIRE_HTTPS="0")
    os.environ.update(env)
    database_recreate(DB)
    workers = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction

        from candidates.models import Candidate, Integration
        from core import events
        from review.events import VerificationRecorded
        from webhooks.models import SUBSCRIBABLE, Event
        from webhooks.services import endpoint_create
        from webhooks.tasks import deliveries_sweep

        call_command("migrate", verbosity=0)
        integration = Integration.objects.create(name="bench-acme")
        endpoint_create(integration=integration, actor="bench", event_types=SUBSCRIBABLE,
                        url=f"http://127.0.0.1:{server.server_port}/hook")
        candidate = Candidate.objects.create(integration=integration, external_id="b-1",
                                             full_name="Bench Applicant", risk_status="scored",
                                             risk_score=30, risk_level="medium")
        for _ in range(2):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "vetting", "worker", "--pool=solo",
                 "--loglevel=WARNING", "-Q", QUEUE, "--without-heartbeat", "--without-gossip",
                 "--without-mingle"], env={**os.environ, **env},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(4)  # both workers connected

        def emit(first: int, count: int = 1) -> None:
            with transaction.atomic():
                for n in range(first, first + count):
                    events.emit(VerificationRecorded(
                        candidate_id=candidate.pk, verification_id=n, method="live_video_id",
                        outcome="pending", actor="bench"))

        def wait_all(expected: int, timeout: float = 300) -> None:
            deadline = time.monotonic() + timeout
            while len(arrivals) < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            if len(arrivals) < expected:
                deliveries_sweep()  # nothing should be left; this would show it
                raise SystemExit(f"only {len(arrivals)} of {expected} delivered")

        def latencies(since_id: int) -> list[float]:
            return [arrivals[m] - c.timestamp() for m, c in
                    Event.objects.filter(pk__gt=since_id).values_list("msg_id", "created_at")]

        # The burst is written in transactions of 100 (a backlog arriving at once), so that
        # the rate measured is the workers' and the receiver's, not this one producer's.
        started = time.time()
        for first in range(0, args.events, 100):
            emit(first, min(100, args.events - first))
        produced = time.time()
        wait_all(args.events)
        burst_rate = args.events / (max(arrivals.values()) - started)
        burst = sorted(latencies(0))
        last_id = Event.objects.order_by("-pk").values_list("pk", flat=True).first()

        for n in range(args.paced):
            emit(args.events + n)  # one change per transaction, as the API and UI make them
            time.sleep(1 / args.rate)
        wait_all(args.events + args.paced)
        paced = sorted(latencies(last_id))

        def p(values, q):
            return values[min(len(values) - 1, int(q * len(values)))] * 1000

        print(f"burst: {args.events} events written in {produced - started:.1f} s, delivered "
              f"at {burst_rate:.0f} events/s with 2 worker processes; change to delivery "
              f"p50 {p(burst, .5):.0f} ms, p95 {p(burst, .95):.0f} ms")
        print(f"paced: {args.paced} events at {args.rate:.0f}/s; change to delivery p50 "
              f"{p(paced, .5):.0f} ms, p95 {p(paced, .95):.0f} ms, "
              f"max {max(paced) * 1000:.0f} ms (mean {statistics.mean(paced) * 1000:.0f} ms)")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.shutdown()
        redis.kill()
        shutil.rmtree(redis_dir, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        database_drop(DB)


if __name__ == "__main__":
    main()
