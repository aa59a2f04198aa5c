"""Server time of the case page: a 60-member ring, each member with a timeline, among
100,000 candidates.

`cases_measure(client, rng=..., requests=..., warmup=...)` takes a database already loaded by
bench/review_pages.py's `load()` (and a client signed in as an HR lead, the role whose page
has the most on it) and returns rows for review_pages' table:

  case page, 60-member ring    GET /cases/<id>/  members with reviews and exclusions, what
                               ties them (hubs and graph), each member's timeline (folded),
                               ring-mates rejected as fraud, the case's own timeline
  cases list                   GET /cases/       open cases with member counts by state
  open-as-case preview         GET /cases/open/?candidate=<id>  the same ring before opening

The ring: 60 random candidates sharing a bank account and a shipping address (10 of them a
phone too), each escalated with two decisions on its timeline and every third with an
identity verification request; opened as a case by a recruiter, one member excluded.

Standalone, it builds its own database like review_pages.py does (its loader, reused):

    .venv/bin/python bench/review_cases.py --db-name vetting_bench_cases
    .venv/bin/python bench/review_cases.py --candidates 20000 --requests 30 --keep

Target: p95 under 200 ms. Exit status 1 if missed or a page answers other than 200.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import review_pages  # noqa: E402  (the loader and the timer)

RING_SIZE = 60
TARGET_MS = review_pages.TARGET_MS


def case_ring_create(rng: random.Random, *, size: int = RING_SIZE) -> tuple[int, int]:
    """A `size`-member ring with timelines, opened as a case. Returns (case id, opener id)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from candidates.models import Candidate, Identifier
    from review.cases import case_members_exclude, case_open
    from review.models import Decision, Review, VerificationRequest

    ids = list(Candidate.objects.values_list("id", flat=True))
    members = rng.sample(ids, size)
    rows = []
    for n, cid in enumerate(members):
        rows += [Identifier(candidate_id=cid, kind="bank_account", key="case-ring-bank",
                            label="Bank account …4242"),
                 Identifier(candidate_id=cid, kind="shipping_address", key="case-ring-ship",
                            label="12 Harbor Road, Newark 07114, US")]
        if n < 10:
            rows.append(Identifier(candidate_id=cid, kind="phone", key="case-ring-phone",
                                   label="+19735550100"))
    Identifier.objects.bulk_create(rows, ignore_conflicts=True)
    Candidate.objects.filter(pk__in=members).update(risk_score=88, risk_level="critical")

    users = get_user_model().objects
    maker, checker = users.get(username="bench-rec0"), users.get(username="bench-hr2")
    now = timezone.now()
    Review.objects.filter(candidate_id__in=members).delete()
    Review.objects.bulk_create([
        Review(candidate_id=cid, state="escalated", assignee=maker, escalated_by=maker,
               escalated_at=now - timedelta(hours=2)) for cid in members])
    decisions, verifications = [], []
    for n, cid in enumerate(members):
        decisions += [
            Decision(candidate_id=cid, action="start", from_state="new", to_state="in_review",
                     actor=maker, risk_score=88, risk_level="critical"),
            Decision(candidate_id=cid, action="escalate", from_state="in_review",
                     to_state="escalated", actor=maker, reason_code="laptop_farm",
                     comment="Shares an IBAN and a shipping address with the ring.",
                     risk_score=88, risk_level="critical"),
        ]
        if n % 3 == 0:
            verifications.append(VerificationRequest(candidate_id=cid, method="live_video_id",
                                                     note="Call booked", requested_by=maker))
    Decision.objects.bulk_create(decisions)
    VerificationRequest.objects.bulk_create(verifications)
    case = case_open(candidate_id=members[0], actor=maker)
    case_members_exclude(case_id=case.pk, actor=maker, candidate_ids=[members[-1]],
                         reason="Explained: same household as another member.")
    del checker
    return case.pk, members[0]


def cases_measure(client, *, rng: random.Random, requests: int, warmup: int) -> list[tuple]:
    """[(page name, result)] for the case pages: review_pages.measure's dict (wall-clock
    p50/p95/max, queries, statuses, bytes) plus cpu_p50/cpu_p95."""
    from review.models import CaseMember

    case_id, opener = case_ring_create(rng)
    size = CaseMember.objects.filter(case_id=case_id).count()
    # The preview of a ring not opened yet: another member's ring is in the case, so take
    # the opener's ring as it would be shown (everyone listed as already in a case).
    pages = [
        (f"case page, {size}-member ring", f"/cases/{case_id}/"),
        ("cases list", "/cases/"),
        (f"open-as-case preview, {size}-member ring", f"/cases/open/?candidate={opener}"),
    ]
    results = []
    for name, url in pages:
        result = review_pages.measure(client, url, requests=requests, warmup=warmup)
        results.append((name, result | cpu_measure(client, url, requests=requests)))
    return results


def cpu_measure(client, url: str, *, requests: int) -> dict:
    """The web process's own CPU time per request (time.thread_time), p50 and p95: on a
    shared machine the wall-clock figures include waiting for a CPU; this does not (nor the
    database's time, a few ms of indexed queries here)."""
    import statistics
    import time

    times = []
    for _ in range(requests):
        started = time.thread_time()
        client.get(url)
        times.append((time.thread_time() - started) * 1000)
    times.sort()
    return {"cpu_p50": statistics.median(times),
            "cpu_p95": times[max(0, round(0.95 * len(times)) - 1)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--db-name", default="vetting_bench_cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    os.environ.update(review_pages.bench_env(args.db_name))
    review_pages.database_recreate(args.db_name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    rng = random.Random(args.seed)
    print(f"Loading {args.candidates:,} candidates into {args.db_name}…", flush=True)
    call_command("migrate", verbosity=0)
    world = review_pages.load(args.candidates, rng)
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(world["user"])
    results = cases_measure(client, rng=rng, requests=args.requests, warmup=args.warmup)
    loadavg = os.getloadavg()
    print(f"\n{args.requests} requests each after {args.warmup} warm-up, in process, DEBUG=0, "
          f"{args.candidates:,} candidates; load average {loadavg[0]:.1f} on {os.cpu_count()} "
          "CPUs\n")
    header = (f"{'page':<44} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu p50':>8} "
              f"{'cpu p95':>8} {'queries':>8} {'KB':>5}")
    print(header)
    print("-" * len(header))
    failed = False
    for name, result in results:
        ok = result["p95"] < TARGET_MS and result["statuses"] == {200}
        failed |= not ok
        print(f"{name:<44} {result['p50']:>7.1f} {result['p95']:>7.1f} {result['max']:>7.1f} "
              f"{result['cpu_p50']:>8.1f} {result['cpu_p95']:>8.1f} "
              f"{result['queries']:>8} {result['bytes'] / 1024:>5.0f}"
              f"{'' if ok else '  MISSES TARGET'}", flush=True)
    print(f"\nTarget: p95 < {TARGET_MS:.0f} ms: {'met' if not failed else 'NOT MET'}.")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        review_pages.database_recreate(args.db_name, drop_only=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
