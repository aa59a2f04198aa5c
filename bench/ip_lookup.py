"""IP range look-ups against the real lists: import time, look-ups per second, check time.

What it measures, in one run:

  import   `manage.py import_ip_ranges` of the real X4BNet datacenter list (about 42,000
           IPv4 ranges), the X4BNet VPN lists (IPv4 and IPv6, one category) and Astrill's
           registered blocks, each into its category in PostgreSQL, timed per list;
  index    building the in-memory interval index of every category from PostgreSQL (what
           each worker does once, and again after an import);
  look-up  `intel.ipranges.categories_for(ip)` over 1,000,000 addresses: random IPv4, IPv6,
           and addresses known to be inside the datacenter, VPN and Astrill ranges (target:
           at least 100,000 look-ups/s), and `intel.geo.country_for(ip)` (iptocc) likewise;
  check    the network check per candidate with 3 IPs (application, interview, login),
           through the database-backed look-ups the scoring workers use.

The lists are read from shared/data/ip-ranges/ beside the project (never copied into it).
It creates its own PostgreSQL database (vetting_bench_ip), migrates it, and drops it at the
end unless --keep. Run it from the project root (PostgreSQL on 127.0.0.1, as for the tests):

    .venv/bin/python bench/ip_lookup.py
    .venv/bin/python bench/ip_lookup.py --lookups 200000 --candidates 2000 --keep
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import bench_env as _bench_env
from benchdb import database_drop, database_recreate

LISTS = ROOT.parent / "shared" / "data" / "ip-ranges"
IMPORTS = [  # category, files (imported together)
    ("datacenter", ["datacenter-ipv4.txt"]),
    ("vpn", ["vpn-ipv4.txt", "vpn-ipv6.txt"]),
    ("astrill", ["astrill-ipv4.txt"]),
]



def bench_env(db_name: str) -> dict[str, str]:
    return _bench_env(db_name, REDIS_URL="", GITHUB_ENABLED="0")


# --- Workload -----------------------------------------------------------------------------------

def read_networks(files: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    from intel.ipranges import ip_ranges_parse

    lines: list[str] = []
    for name in files:
        lines += (LISTS / name).read_text().splitlines()
    return [ipaddress.ip_network(n) for n in ip_ranges_parse(lines).networks]


def inside(rng: random.Random, networks: list) -> str:
    network = rng.choice(networks)
    return str(network.network_address + rng.randrange(network.num_addresses))


def workload(rng: random.Random, count: int, known: dict[str, list]) -> list[str]:
    """Addresses to look up: 60% random IPv4, 10% random IPv6 in 2000::/3, and 30% inside
    the lists (datacenter 20%, VPN IPv4 5%, VPN IPv6 3%, Astrill 2%)."""
    vpn4 = [n for n in known["vpn"] if n.version == 4]
    vpn6 = [n for n in known["vpn"] if n.version == 6]
    ips: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.60:
            ips.append(f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}."
                       f"{rng.randrange(256)}")
        elif roll < 0.70:
            ips.append(str(ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))))
        elif roll < 0.90:
            ips.append(inside(rng, known["datacenter"]))
        elif roll < 0.95:
            ips.append(inside(rng, vpn4))
        elif roll < 0.98:
            ips.append(inside(rng, vpn6))
        else:
            ips.append(inside(rng, known["astrill"]))
    return ips


def candidates(rng: random.Random, count: int, ips: list[str]):
    from signals.engine import CandidateSnapshot, IpSnap

    countries = ["US", "GB", "DE", "IN", "BR", "PL", "CA", "FR"]
    return [
        CandidateSnapshot(
            id=n + 1, full_name=f"Bench Candidate {n}", location_country=rng.choice(countries),
            ips=(IpSnap(rng.choice(ips), "application"), IpSnap(rng.choice(ips), "interview"),
                 IpSnap(rng.choice(ips), "login")),
        )
        for n in range(count)
    ]


# --- Measurements ---------------------------------------------------------------------------------

def import_lists() -> list[tuple]:
    from django.core.management import call_command

    rows = []
    for category, files in IMPORTS:
        out = io.StringIO()
        started = time.perf_counter()
        call_command("import_ip_ranges", category, *(str(LISTS / f) for f in files),
                     stdout=out)
        seconds = time.perf_counter() - started
        from intel.models import IpRangeList

        row = IpRangeList.objects.get(category=category)
        lines = sum(1 for f in files for line in (LISTS / f).read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
        rows.append((category, " + ".join(files), lines, row.range_count, row.rejected_count,
                     seconds))
    return rows


def measure_index() -> tuple:
    from intel import ipranges

    ipranges.index_reset()
    started = time.perf_counter()
    index = ipranges.ip_ranges_index()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    again = ipranges.index_load()
    _, peak = tracemalloc.get_traced_memory()
    size = tracemalloc.take_snapshot().statistics("filename")
    tracemalloc.stop()
    kept = sum(stat.size for stat in size)
    del again
    return index, seconds, kept, peak


def measure_calls(fn, values: list[str]) -> tuple[float, int]:
    hits = 0
    started = time.perf_counter()
    for value in values:
        if fn(value):
            hits += 1
    return time.perf_counter() - started, hits


def measure_check(snapshots) -> tuple[list[float], int]:
    from signals.checks.network import network_check
    from signals.lookups import DbLookups

    times = []
    flagged = 0
    for snapshot in snapshots:
        started = time.perf_counter()
        flags = network_check(snapshot, DbLookups(snapshot))
        times.append(time.perf_counter() - started)
        flagged += bool(flags)
    return times, flagged


# --- Main ---------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=int, default=1_000_000, help="addresses (1,000,000)")
    parser.add_argument("--candidates", type=int, default=20_000,
                        help="candidates with 3 IPs for the check timing (20,000)")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--db-name", default="vetting_bench_ip", help="database to (re)create")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    missing = [f for _, files in IMPORTS for f in files if not (LISTS / f).is_file()]
    if missing:
        parser.error(f"missing in {LISTS}: {', '.join(missing)}")

    os.environ.update(bench_env(args.db_name))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from intel.geo import country_for
    from intel.ipranges import categories_for

    database_recreate(args.db_name)
    try:
        call_command("migrate", interactive=False, verbosity=0)
        print(f"Importing the lists from {LISTS} into {args.db_name} ...", flush=True)
        imports = import_lists()

        index, index_seconds, index_bytes, index_peak = measure_index()

        rng = random.Random(args.seed)
        known = {category: read_networks(files) for category, files in IMPORTS}
        print(f"Generating {args.lookups:,} addresses and {args.candidates:,} candidates ...",
              flush=True)
        ips = workload(rng, args.lookups, known)
        snapshots = candidates(rng, args.candidates, ips)

        categories_for(ips[0])  # the index is built; no query inside the loops below
        country_for(ips[0])
        print("Measuring ...", flush=True)
        lookup_seconds, lookup_hits = measure_calls(categories_for, ips)
        raw_seconds, _ = measure_calls(index.categories, ips)
        geo_seconds, geo_known = measure_calls(country_for, ips)
        check_times, flagged = measure_check(snapshots)
        connections.close_all()

        report(args, imports, index, index_seconds, index_bytes, index_peak,
               (lookup_seconds, lookup_hits), raw_seconds, (geo_seconds, geo_known),
               check_times, flagged)
    finally:
        connections.close_all()
        if args.keep:
            print(f"Kept database {args.db_name}.")
        else:
            database_drop(args.db_name)
            print(f"Dropped database {args.db_name}.")
    return 0


def report(args, imports, index, index_seconds, index_bytes, index_peak, lookups, raw_seconds,
           geo, check_times, flagged) -> None:
    n = args.lookups
    print()
    print(f"IP range benchmark: Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"PostgreSQL database {args.db_name}")
    print()
    print(f"{'category':11} {'file(s)':34} {'lines':>7} {'ranges':>7} {'rejected':>8} "
          f"{'import s':>9}")
    print("-" * 81)
    for category, files, lines, ranges, rejected, seconds in imports:
        print(f"{category:11} {files:34} {lines:>7,} {ranges:>7,} {rejected:>8,} {seconds:>9.2f}")
    print()
    print(f"index: {index.range_count:,} ranges -> {index.segment_count:,} segments "
          f"(v4 {len(index.v4_starts):,}, v6 {len(index.v6_starts):,}); built from PostgreSQL "
          f"in {index_seconds:.2f} s; {index_bytes / 2**20:.1f} MiB kept "
          f"(peak {index_peak / 2**20:.1f} MiB while building)")
    print()
    print(f"{'measurement':44} {'count':>10} {'total s':>8} {'us/op':>7} {'ops/s':>11} "
          f"{'hits':>9}")
    print("-" * 94)
    rows = [
        ("categories_for(ip)  (in memory, public API)", n, lookups[0], lookups[1]),
        ("RangeIndex.categories(ip)  (bare index)", n, raw_seconds, lookups[1]),
        ("country_for(ip)  (iptocc, offline)", n, geo[0], geo[1]),
    ]
    for label, count, seconds, hits in rows:
        print(f"{label:44} {count:>10,} {seconds:>8.2f} {seconds / count * 1e6:>7.2f} "
              f"{count / seconds:>11,.0f} {hits:>9,}")
    total = sum(check_times)
    quantiles = statistics.quantiles(check_times, n=100, method="inclusive")
    print()
    print(f"network check, 3 IPs per candidate (DbLookups): {len(check_times):,} candidates, "
          f"{total:.2f} s; per candidate mean {total / len(check_times) * 1e3:.3f} ms, "
          f"p50 {quantiles[49] * 1e3:.3f} ms, p95 {quantiles[94] * 1e3:.3f} ms, "
          f"p99 {quantiles[98] * 1e3:.3f} ms; {flagged:,} flagged")
    rate = n / lookups[0]
    verdict = "meets" if rate >= 100_000 else "below"
    print(f"look-ups: {rate:,.0f}/s in memory ({verdict} the 100,000/s target)")


if __name__ == "__main__":
    sys.exit(main())
