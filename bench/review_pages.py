"""Server time of the review pages with 100,000 candidates.

What it measures (p50/p95/max over --requests requests each, after --warmup unmeasured ones),
in process with Django's test Client under production settings (DEBUG=0), so the figure is
the server's own time: middleware, session and role checks, queries, template rendering;
no network and no browser:

  queue (default)              GET /            open candidates, riskiest first, page 1
  queue (filtered)             GET /?level=critical&flag=reuse.bank_account&q=ander
  queue (page 40, keyset)      GET /?after=...  the 40th page of the default queue
  candidate, 50 links          GET /candidates/<id>/  a candidate linked to 50 others
                               (graph with hubs, edges among the others, score history,
                               timeline, evidence)
  queue Mine / Unassigned / Low risk   GET /?view=...  the saved views, as a recruiter
  queue oldest application / arrival  GET /?sort=applied|arrived, page 1 and page 40 (keyset
                               on the date and id)
  overview (cached)            GET /overview/   aggregates reused for DASHBOARD_CACHE_SECONDS
  overview (cold)              GET /overview/   cache cleared before every request: the full
                               aggregate queries each time
  case pages                   GET /cases/<id>/ of a 60-member ring opened as a case (each
                               member with a timeline), the cases list and the open-as-case
                               preview (bench/review_cases.py)

Every queue page has its verdict chips (ring sizes, fraud links, failed ID checks), the
assignee column and, on page 1, the candidates being scored (200 are left unscored).
Then bulk clear: review_bulk_clear of 1,000 open low and medium candidates, three times,
with the seconds and queries of each; target under 5 s.

Target: p95 under 200 ms for each. Exit status 1 if a page misses it or answers other than 200.

Set-up it does on its own: drops and creates a PostgreSQL database (--db-name,
vetting_bench_review), migrates it and loads 100,000 candidates (--candidates) directly with
bulk_create: realistic risk fields and flags (85% low, 9% medium, 4.5% high, 1.5% critical),
an email, phone, IP, home address, often a GitHub account and a bank account each (about
550,000 identifier rows), 2,000 small rings sharing bank accounts, phones and shipping
addresses, one candidate tied to 50 others, reviews and decisions for 6% of them. Then
VACUUM ANALYZE, as autovacuum would after a load. The database is dropped at the end unless
--keep. The cache is the in-process one (no REDIS_URL); with Redis a cached overview costs
one more round trip (well under a millisecond).

    .venv/bin/python bench/review_pages.py
    .venv/bin/python bench/review_pages.py --candidates 20000 --requests 30 --keep
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
TARGET_MS = 200.0
BULK_SIZE, BULK_TARGET_S = 1000, 5.0
BATCH = 5000

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Wei Mei Arjun Priya "
         "Olga Ivan Kenji Yuki Lucas Sofia Mateo Valentina Ahmed Fatima Kwame Amara Lars "
         "Ingrid Pierre Camille Diego Lucia Tomasz Anna Min-jun Ji-woo Omar Leila Noah Emma"
         ).split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
        "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
        "Roberts Kim Park Chen Wang Kowalski Novak Ivanova Tanaka Sato Muller").split()
POSITIONS = ["Senior Backend Engineer", "Frontend Developer", "Full-Stack Developer",
             "DevOps Engineer", "Data Engineer", "Mobile Developer (React Native)",
             "Blockchain Developer", "QA Automation Engineer", "Site Reliability Engineer",
             "Machine Learning Engineer", "Senior React Developer", "Python Developer",
             "Go Developer", "Java Developer", "Security Engineer"]
WEAK = ["email.persona_pattern", "payment.payout_service", "reuse.ip",
        "phone.country_mismatch", "shipping.differs_from_home", "email.name_mismatch"]
MEDIUM = ["phone.voip", "email.disposable", "payment.bank_country_mismatch",
          "resume.near_duplicate", "reuse.gitlab", "payment.multi_country_accounts"]
STRONG = ["reuse.bank_account", "reuse.phone", "reuse.email", "shipping.shared_address",
          "payment.holder_mismatch", "reuse.github", "payment.crypto", "reuse.linkedin"]


def bench_env(db_name: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "vetting.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-not-for-prod",
        "FINGERPRINT_KEY": "bench-fingerprint-key-not-for-production",
        "WEBHOOK_SECRET_KEY": "bench-webhook-secret-key-not-for-production",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}",
        "REDIS_URL": "",
        "DB_CONN_MAX_AGE": "600",
    }


def database_recreate(db_name: str, drop_only: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", [db_name])
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{db_name}"')
    connection.close()


# --- Data ----------------------------------------------------------------------------------


def flag(code: str, rng: random.Random, others: list[dict] | None = None) -> dict:
    from signals.catalog import CATALOG

    spec = CATALOG[code]
    evidence: dict = {"kind": code.split(".")[-1]}
    if code.startswith(("reuse.", "shipping.shared", "resume.")):
        evidence["others"] = others or [
            {"id": rng.randint(1, 100_000), "external_id": f"ATS-{rng.randint(1, 10**6):07d}",
             "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}
            for _ in range(rng.randint(1, 3))]
        evidence["count"] = len(evidence["others"])
    else:
        evidence["observed"] = f"value {rng.randint(1000, 9999)}"
    return {"code": code, "title": spec.title, "severity": spec.severity,
            "points": spec.points, "summary": f"{spec.title}: detail {rng.randint(1, 999)}",
            "evidence": evidence, "next_step": spec.next_step}


def risk(rng: random.Random) -> tuple[int, str, list[dict]]:
    roll = rng.random()
    if roll < 0.85:
        codes = rng.sample(WEAK, rng.choice([0, 0, 1, 1, 2]))
    elif roll < 0.94:
        codes = rng.sample(MEDIUM, 1) + rng.sample(WEAK, rng.randint(0, 2))
    elif roll < 0.985:
        codes = rng.sample(STRONG, 1) + rng.sample(MEDIUM, rng.randint(0, 2))
    else:
        codes = rng.sample(STRONG, rng.randint(2, 3)) + rng.sample(MEDIUM, 1)
    flags = [flag(code, rng) for code in codes]
    flags.sort(key=lambda f: -f["points"])
    score = round(sum(f["points"] * 0.5 ** i for i, f in enumerate(flags)))
    if roll >= 0.985:
        score = max(score, 80)
    level = ("critical" if score >= 80 else "high" if score >= 45 else "medium" if score >= 20
             else "low")
    return score, level, flags


def load(total: int, rng: random.Random) -> dict:
    """Bulk-load `total` candidates with evidence and identifiers; returns what the
    measurements need."""
    from django.db import connection

    from candidates.models import Address, Candidate, Email, Identifier, Integration, Phone
    from review import roles
    from review.models import Decision, Review
    from signals.models import ScoreRun, WeightSet

    integrations = [Integration.objects.create(name=n) for n in
                    ("greenhouse-acme", "lever-beta", "workday-gamma")]
    now = datetime.now(UTC)
    started = time.monotonic()
    ids: list[int] = []
    for offset in range(0, total, BATCH):
        batch = []
        for i in range(offset, min(total, offset + BATCH)):
            score, level, flags = risk(rng)
            batch.append(Candidate(
                integration=integrations[i % 3], external_id=f"ATS-{i:07d}",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                position=rng.choice(POSITIONS),
                applied_at=now - timedelta(days=rng.random() * 365),
                location_country="US", location_region="TX", location_city="Austin",
                resume_text="Engineer with experience in Python, Go and cloud platforms. " * 8,
                risk_status="scored", risk_score=score, risk_level=level, risk_flags=flags,
                scored_at=now, scored_revision=1,
            ))
        Candidate.objects.bulk_create(batch, batch_size=BATCH)
        ids += [c.pk for c in batch]
    with connection.cursor() as cursor:  # arrival shortly after applying (auto_now_add)
        cursor.execute("UPDATE candidates_candidate SET created_at = applied_at + "
                       "interval '2 hours', updated_at = applied_at + interval '2 hours'")
    print(f"  {total:,} candidates in {time.monotonic() - started:.0f} s", flush=True)

    started = time.monotonic()
    emails, phones, addresses, identifiers = [], [], [], []
    for n, cid in enumerate(ids):
        email = f"user{n}.{rng.randint(100, 999)}@mail.example"
        emails.append(Email(candidate_id=cid, address=email, canonical=email,
                            domain="mail.example"))
        phone = f"+1512{n:07d}"
        phones.append(Phone(candidate_id=cid, raw=phone, e164=phone, region="US",
                            number_type="MOBILE", is_valid=True))
        home = f"home-{n}"
        addresses.append(Address(candidate_id=cid, kind="residential", line1=f"{n} Main St",
                                 city="Austin", country="US", match_key=home))
        identifiers += [
            Identifier(candidate_id=cid, kind="email", key=email, label=email),
            Identifier(candidate_id=cid, kind="phone", key=phone, label=phone),
            Identifier(candidate_id=cid, kind="residential_address", key=home,
                       label=f"{n} Main St, Austin, US"),
            # ~80,000 residential IPs: a few are shared, as in life.
            Identifier(candidate_id=cid, kind="ip", key=f"ip-{rng.randint(1, 80_000)}",
                       label="203.0.113.x"),
        ]
        if rng.random() < 0.6:
            identifiers.append(Identifier(candidate_id=cid, kind="github", key=f"gh{n}",
                                          label=f"github.com/gh{n}"))
        if rng.random() < 0.7:
            identifiers.append(Identifier(candidate_id=cid, kind="bank_account",
                                          key=f"bank-{n}", label=f"Bank account …{n % 10000:04d}"))
    # 2,000 rings of 2-6 sharing a bank account, a phone or a shipping address.
    for ring in range(2000):
        kind = rng.choice(["bank_account", "phone", "shipping_address"])
        for cid in rng.sample(ids, rng.randint(2, 6)):
            identifiers.append(Identifier(candidate_id=cid, kind=kind, key=f"ring-{ring}",
                                          label=f"ring {ring}"))
    for model, rows in ((Email, emails), (Phone, phones), (Address, addresses),
                        (Identifier, identifiers)):
        model.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    print(f"  {len(identifiers):,} identifiers and the evidence in "
          f"{time.monotonic() - started:.0f} s", flush=True)

    hub = hub_create(ids, rng, now)
    users = users_create(roles)
    reviews_create(ids, users, rng, Review, Decision)
    weights = WeightSet.objects.create(digest="b" * 64, weights={})
    ScoreRun.objects.bulk_create([
        ScoreRun(candidate_id=hub, revision=i + 1, version="1.0", weight_set=weights,
                 score=60 + i, level="high" if i < 20 else "critical",
                 flags=Candidate.objects.get(pk=hub).risk_flags[: 1 + i % 4])
        for i in range(25)])
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE in {time.monotonic() - started:.0f} s", flush=True)
    pending_make(ids, rng)
    return world_get(hub)


def world_get(hub: int) -> dict:
    from django.contrib.auth import get_user_model

    return {"hub": hub, "user": get_user_model().objects.get(username="bench-hr"),
            "recruiter": get_user_model().objects.get(username="bench-rec0"),
            "cursor": page_cursor(40), "cursor_applied": page_cursor(40, "applied"),
            "cursor_arrived": page_cursor(40, "arrived")}


def hub_create(ids: list[int], rng: random.Random, now) -> int:
    """The candidate tied to 50 others: a phone with 12, a bank account with 6, a shipping
    address with 6, an office IP with all 50; some of the 50 share things among
    themselves too."""
    from candidates.models import Candidate, Identifier

    hub = ids[rng.randrange(len(ids))]
    others = rng.sample([i for i in ids if i != hub], 50)
    rows = [Identifier(candidate_id=hub, kind=k, key=f"hub-{k}", label=f"hub {k}")
            for k in ("phone", "bank_account", "shipping_address", "ip")]
    for n, other in enumerate(others):
        rows.append(Identifier(candidate_id=other, kind="ip", key="hub-ip", label="hub ip"))
        if n < 12:
            rows.append(Identifier(candidate_id=other, kind="phone", key="hub-phone",
                                   label="hub phone"))
        if 12 <= n < 18:
            rows.append(Identifier(candidate_id=other, kind="bank_account",
                                   key="hub-bank_account", label="hub bank"))
        if 18 <= n < 24:
            rows.append(Identifier(candidate_id=other, kind="shipping_address",
                                   key="hub-shipping_address", label="hub shipping"))
        if 30 <= n < 40:
            rows.append(Identifier(candidate_id=other, kind="github", key=f"pair-{n // 2}",
                                   label="shared github"))
    Identifier.objects.bulk_create(rows, ignore_conflicts=True)
    names = {c.pk: c for c in Candidate.objects.filter(pk__in=others[:12])}
    flags = [flag("reuse.phone", rng, [{"id": o, "external_id": names[o].external_id,
                                        "full_name": names[o].full_name} for o in others[:12]]),
             flag("reuse.bank_account", rng), flag("shipping.shared_address", rng),
             flag("reuse.ip", rng)]
    Candidate.objects.filter(pk=hub).update(risk_score=97, risk_level="critical",
                                            risk_flags=flags)
    return hub


def users_create(roles) -> dict:
    from django.contrib.auth import get_user_model

    roles.groups_ensure()
    users = {"recruiters": [], "hr": []}
    for i in range(5):
        user = get_user_model().objects.create_user(f"bench-rec{i}", password="x" * 20)
        roles.user_role_set(user=user, role=roles.RECRUITER)
        users["recruiters"].append(user)
    for name in ("bench-hr", "bench-hr2", "bench-hr3"):
        user = get_user_model().objects.create_user(name, password="x" * 20)
        roles.user_role_set(user=user, role=roles.HR_LEAD)
        users["hr"].append(user)
    return users


def reviews_create(ids, users, rng, Review, Decision) -> None:
    """6% of candidates have been looked at: in review, cleared, escalated, decided."""
    from django.utils import timezone

    now = timezone.now()
    reviews, decisions = [], []
    for cid in rng.sample(ids, len(ids) * 6 // 100):
        state = rng.choices(["in_review", "cleared", "escalated", "approved", "rejected"],
                            [25, 45, 10, 10, 10])[0]
        maker, checker = rng.choice(users["recruiters"]), rng.choice(users["hr"])
        at = now - timedelta(days=rng.random() * 60)
        review = Review(candidate_id=cid, state=state, assignee=maker)
        steps = [("start", "new", "in_review", maker)]
        if state == "cleared":
            review.decided_by, review.decided_at = maker, at
            steps.append(("clear", "in_review", "cleared", maker))
        if state in ("escalated", "approved", "rejected"):
            review.escalated_by, review.escalated_at = maker, at
            steps.append(("escalate", "in_review", "escalated", maker))
        if state in ("approved", "rejected"):
            review.decided_by, review.decided_at = checker, at
            steps.append((state[:-1] if state == "approved" else "reject", "escalated", state,
                          checker))
        reviews.append(review)
        for action, src, dst, actor in steps:
            decisions.append(Decision(candidate_id=cid, action=action, from_state=src,
                                      to_state=dst, actor=actor, reason_code="other",
                                      comment="Bench decision."))
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    # Spread the decisions over the last 60 days for the overview.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE vetting_decision SET created_at = now() - "
                       "(random() * interval '60 days')")


def page_cursor(page: int, sort: str = "risk") -> str:
    from review.queue import queue_sorted_page
    from review.selectors import queue_base

    cursor = None
    for _ in range(page - 1):
        cursor = queue_sorted_page(queryset=queue_base(), sort=sort, cursor=cursor).next_cursor
    return cursor


def pending_make(ids: list[int], rng: random.Random, count: int = 200) -> None:
    """Some candidates still waiting for their first score (the queue's "scoring…" rows),
    a few of them for longer than REVIEW_STUCK_MINUTES."""
    from candidates.models import Candidate

    waiting = rng.sample(ids, count)
    Candidate.objects.filter(pk__in=waiting).update(risk_score=None, risk_level="",
                                                    risk_flags=[], risk_status="pending")


def webhooks_on() -> None:
    """An enabled endpoint subscribed to review.decided for every integration: each
    clearance then writes a webhook event and a delivery. Handing them to the broker after
    commit is not measured: here (no REDIS_URL) tasks run eagerly and would try to send."""
    from candidates.models import Integration
    from webhooks import outbox
    from webhooks.models import Endpoint

    outbox.deliveries_publish = lambda **kwargs: True

    for integration in Integration.objects.all():
        Endpoint.objects.create(integration=integration, url="https://hooks.example.org/in",
                                event_types=["review.decided"], secret_encrypted="bench")


def bulk_clear_measure(rounds: int = 3, size: int = 1000) -> list[dict]:
    """review_bulk_clear of `size` open low and medium candidates, `rounds` times (distinct
    candidates each time): seconds and queries of the service call, as the POST makes it."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from candidates.models import Candidate
    from review.bulk import review_bulk_clear

    actor = get_user_model().objects.get(username="bench-rec0")
    pool = list(Candidate.objects.filter(risk_level__in=["low", "medium"], review__isnull=True)
                .order_by("?").values_list("pk", flat=True)[: rounds * size])
    results = []
    for n in range(rounds):
        ids = pool[n * size:(n + 1) * size]
        queries = []
        with connection.execute_wrapper(lambda execute, *args: queries.append(1) or
                                        execute(*args)):
            started = time.perf_counter()
            result = review_bulk_clear(actor=actor, candidate_ids=ids,
                                       reason_code="weak_signals", comment="Bench.")
            seconds = time.perf_counter() - started
        results.append({"seconds": seconds, "queries": len(queries),
                        "cleared": len(result.done), "skipped": result.skipped_count})
    return results


# --- Measuring -----------------------------------------------------------------------------


def measure(client, url: str, *, requests: int, warmup: int, before=None) -> dict:
    from django.db import connection

    for _ in range(warmup):
        if before:
            before()
        assert client.get(url).status_code == 200, url
    times, statuses, queries = [], set(), []
    if before:
        before()
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or
                                    execute(*args)):
        client.get(url)
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[max(0, round(0.95 * len(times)) - 1)],
            "max": times[-1], "queries": len(queries), "statuses": statuses,
            "bytes": len(response.content)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--db-name", default="vetting_bench_review")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an existing --keep database without reloading")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    os.environ.update(bench_env(args.db_name))
    if not args.reuse:
        database_recreate(args.db_name)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    rng = random.Random(args.seed)
    if args.reuse:

        from candidates.models import Identifier

        hub = (Identifier.objects.filter(kind="phone", key="hub-phone")
               .order_by("candidate_id").values_list("candidate_id", flat=True))
        hub = next(c for c in hub if Identifier.objects.filter(candidate_id=c, kind="ip",
                                                               key="hub-ip").exists()
                   and Identifier.objects.filter(candidate_id=c, kind="bank_account",
                                                 key="hub-bank_account").exists())
        world = world_get(hub)
    else:
        print(f"Loading {args.candidates:,} candidates into {args.db_name}…", flush=True)
        call_command("migrate", verbosity=0)
        world = load(args.candidates, rng)

    # Production static storage (hashed names from the manifest) needs collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(world["user"])
    recruiter = Client()
    recruiter.force_login(world["recruiter"])
    pages = [
        ("queue (default: chips, assignees, scoring rows)", "/", None, client),
        ("queue (critical + reuse.bank_account + \"ander\")",
         "/?level=critical&flag=reuse.bank_account&q=ander", None, client),
        ("queue (page 40, keyset)", f"/?after={world['cursor']}", None, client),
        ("queue Mine (recruiter, ~400 open)", "/?view=mine", None, recruiter),
        ("queue Unassigned", "/?view=unassigned", None, recruiter),
        ("queue Low risk", "/?view=low_risk", None, recruiter),
        ("queue oldest application first", "/?sort=applied", None, recruiter),
        ("queue oldest application, page 40",
         f"/?sort=applied&after={world['cursor_applied']}", None, recruiter),
        ("queue oldest arrival first", "/?sort=arrived", None, recruiter),
        ("queue oldest arrival, page 40",
         f"/?sort=arrived&after={world['cursor_arrived']}", None, recruiter),
        ("candidate linked to 50 others", f"/candidates/{world['hub']}/", None, client),
        ("overview (aggregates cached 60 s)", "/overview/", None, client),
        ("overview (cold: cache cleared each time)", "/overview/", cache.clear, client),
    ]
    loadavg = os.getloadavg()
    print(f"\n{args.requests} requests each after {args.warmup} warm-up, in process, DEBUG=0, "
          f"{args.candidates:,} candidates; load average {loadavg[0]:.1f} on {os.cpu_count()} "
          "CPUs (other work on the machine shows in the figures)\n")
    header = f"{'page':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'KB':>6}"
    print(header)
    print("-" * len(header))
    failed = False
    for name, url, before, who in pages:
        result = measure(who, url, requests=args.requests, warmup=args.warmup, before=before)
        ok = result["p95"] < TARGET_MS and result["statuses"] == {200}
        failed |= not ok
        print(f"{name:<48} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['max']:>8.1f} "
              f"{result['queries']:>8} {result['bytes'] / 1024:>6.0f}"
              f"{'' if ok else '  MISSES TARGET'}", flush=True)
    # The case pages (bench/review_cases.py): a 60-member ring opened as a case.
    from bench.review_cases import cases_measure

    for name, result in cases_measure(client, rng=rng, requests=args.requests,
                                      warmup=args.warmup):
        ok = result["p95"] < TARGET_MS and result["statuses"] == {200}
        failed |= not ok
        print(f"{name:<48} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['max']:>8.1f} "
              f"{result['queries']:>8} {result['bytes'] / 1024:>6.0f}"
              f"{'' if ok else '  MISSES TARGET'}", flush=True)
    print(f"\nTarget: p95 < {TARGET_MS:.0f} ms for every page: "
          f"{'met' if not failed else 'NOT MET'}.")
    print(f"\nBulk clear of {BULK_SIZE:,} open low and medium candidates (review_bulk_clear, "
          "one Decision, audit event and ReviewTransitioned each; target under "
          f"{BULK_TARGET_S:.0f} s):")
    runs = bulk_clear_measure(size=BULK_SIZE)
    webhooks_on()
    runs += bulk_clear_measure(rounds=2, size=BULK_SIZE)
    for n, run in enumerate(runs, start=1):
        ok = run["seconds"] < BULK_TARGET_S and run["cleared"] == BULK_SIZE
        failed |= not ok
        note = " (every integration has a webhook endpoint: 1,000 events and deliveries)" \
            if n > 3 else ""
        print(f"  run {n}: {run['seconds']:.2f} s, {run['queries']:,} queries, "
              f"{run['cleared']:,} cleared, {run['skipped']} skipped{note}"
              f"{'' if ok else '  MISSES TARGET'}", flush=True)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        database_recreate(args.db_name, drop_only=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
