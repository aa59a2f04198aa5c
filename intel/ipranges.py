"""IP range lists (THREATS D1, D2): parsing, atomic import, and the in-memory look-up index.

A category (`vpn`, `datacenter`, `astrill`, `tor`, ... any slug) is one `IpRangeList` with
its `IpRange` rows. An import replaces the category's ranges in one transaction, so a
look-up sees the old list or the new one, never half of each, and a failed import leaves the
old list in place.

Look-ups never touch the database. Each process builds an index once, from every stored
range: per IP version, the sorted start addresses of elementary segments, each labelled with
the categories that cover it (overlapping ranges of one category merged first). A look-up is
one `bisect` over integers. The 42,000-range X4BNet datacenter list plus the VPN and Astrill
lists make about 65,000 segments (3.4 MiB), built in about a second; `bench/ip_lookup.py`
measures it.

Freshness: an import in this process drops the index on commit. Other processes (every
Celery worker) compare a cheap marker (number of lists, their newest `imported_at` and total
range count: one aggregate query) at most every `IP_RANGES_REFRESH_SECONDS` (30 s by default)
and rebuild when it changed. So a worker sees a new list at most that long after the import
commits.
"""

from __future__ import annotations

import bisect
import hashlib
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from core.audit import audit_data_import
from core.exceptions import ApplicationError
from intel.fetch import fetch_bytes
from intel.models import IpRange, IpRangeList

logger = logging.getLogger(__name__)

CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
_COMMENT = re.compile(r"[#;]")
# A range broader than this is a mistake in the list (or "0.0.0.0/0"), and would flag a good
# part of the internet. The broadest in the X4BNet lists are a /9 (IPv4) and a /29 (IPv6).
MIN_PREFIX = {4: 8, 6: 16}
# Rejected lines kept in the result to show (the count is always complete).
REJECTED_KEPT = 100
# Rows per INSERT: 2,000 parameters, within SQLite's limit too (the demo database).
INSERT_BATCH_SIZE = 1000
# A list bigger than this is not a range list (the X4BNet datacenter list is 0.7 MB).
FETCH_MAX_BYTES = 64 * 1024 * 1024
FETCH_TIMEOUT = (10, 60)  # connect, read (seconds)


class IpRangeSourceUnavailable(Exception):
    """The list's server could not answer now (timeout, connection error, 5xx, 429): retry
    later. Nothing was imported."""


# --- Parsing --------------------------------------------------------------------------------

# The common case, "a.b.c.d" or "a.b.c.d/n" with host bits clear, is checked without the
# ipaddress module (a third of the import time of the 42,000-range list otherwise).
_V4_FAST = re.compile(r"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?:/(\d|[12]\d|3[0-2]))?")


@dataclass(frozen=True)
class RejectedLine:
    number: int  # 1-based line number in the source
    text: str  # the line as written (shortened)
    reason: str


@dataclass
class ParsedRanges:
    networks: list[str] = field(default_factory=list)  # canonical CIDRs, unique, file order
    ipv4_count: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)  # the first REJECTED_KEPT
    rejected_count: int = 0
    duplicate_count: int = 0


def ip_ranges_parse(lines: Iterable[str]) -> ParsedRanges:
    """Parse a range list: one IPv4 or IPv6 CIDR, or a single address, per line.

    `#` (and `;`, as in Spamhaus DROP) start a comment, whole-line or after the range; blank
    lines are skipped. Ranges come out in canonical form: host bits cleared (`10.1.2.3/8` is
    `10.0.0.0/8`), an address as its /32 or /128, IPv6 compressed and lower-case, an
    IPv4-mapped IPv6 range (`::ffff:1.2.3.0/120`) as IPv4. Anything else is rejected with its
    line number; the other lines still count.
    """
    parsed = ParsedRanges()
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        text = _COMMENT.split(raw, maxsplit=1)[0].strip().lstrip("\ufeff")
        if not text:
            continue
        network, version, reason = _network(text)
        if network is None:
            parsed.rejected_count += 1
            if len(parsed.rejected) < REJECTED_KEPT:
                shown = raw.strip()
                shown = shown if len(shown) <= 80 else shown[:77] + "..."
                parsed.rejected.append(RejectedLine(number, shown, reason))
            continue
        if network in seen:
            parsed.duplicate_count += 1
            continue
        seen.add(network)
        parsed.networks.append(network)
        parsed.ipv4_count += version == 4
    return parsed


def _network(text: str) -> tuple[str | None, int, str]:
    """(canonical CIDR, IP version, "") or (None, 0, why not)."""
    fast = _V4_FAST.fullmatch(text)
    if fast:
        try:
            start = int.from_bytes(socket.inet_pton(socket.AF_INET, fast[1]), "big")
        except OSError:
            start = None  # e.g. 300.1.2.3 or a leading zero: the slow path says why
        prefix = int(fast[2] or 32)
        if start is not None and prefix >= MIN_PREFIX[4] and not start % (1 << (32 - prefix)):
            return f"{fast[1]}/{prefix}", 4, ""
    if "%" in text:
        return None, 0, "an IPv6 zone (%...) is not a range"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None, 0, "not an IPv4 or IPv6 address or CIDR"
    if network.version == 6 and network.network_address.ipv4_mapped and network.prefixlen >= 96:
        network = ipaddress.ip_network(
            (network.network_address.ipv4_mapped, network.prefixlen - 96)
        )
    if network.prefixlen < MIN_PREFIX[network.version]:
        return None, 0, f"broader than /{MIN_PREFIX[network.version]}: refusing to flag that much"
    return str(network), network.version, ""


# --- Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IpRangeImport:
    category: str
    source: str
    range_count: int
    ipv4_count: int
    ipv6_count: int
    duplicate_count: int
    rejected_count: int
    rejected: list[RejectedLine]
    replaced_count: int  # ranges the category had before

    def as_dict(self) -> dict:
        return {
            "category": self.category, "source": self.source, "ranges": self.range_count,
            "ipv4": self.ipv4_count, "ipv6": self.ipv6_count,
            "duplicates": self.duplicate_count, "rejected": self.rejected_count,
            "replaced": self.replaced_count,
        }


def ip_ranges_import(*, category: str, lines: Iterable[str], source: str,
                     actor: str = "system") -> IpRangeImport:
    """Replace the category's ranges with the list in `lines`, in one transaction.

    Creates the category on its first import. Refuses a list without a single valid range
    (an HTML error page, the wrong file): the category keeps its ranges. `actor` is who
    imported, for the audit trail ("command:import_ip_ranges", "task:...").
    """
    if not CATEGORY_RE.match(category):
        raise ApplicationError(
            f"Category {category!r} must be a lower-case slug (letters, digits, - and _)."
        )
    digest = hashlib.sha256()
    parsed = ip_ranges_parse(_hashed(lines, digest))
    if not parsed.networks:
        raise ApplicationError(
            f"No valid range in {source} ({parsed.rejected_count} rejected lines); "
            f"category {category!r} left unchanged.",
            extra={"rejected": [vars(r) for r in parsed.rejected[:10]]},
        )
    ipv4 = parsed.ipv4_count
    source = source[:500]
    with transaction.atomic():
        range_list, _ = IpRangeList.objects.select_for_update().get_or_create(
            category=category, defaults={"source": source, "imported_at": timezone.now()}
        )
        # No signals or cascades hang off IpRange, so this is one DELETE statement.
        replaced, _ = IpRange.objects.filter(range_list=range_list).delete()
        _ranges_insert(range_list.pk, parsed.networks)
        range_list.source = source
        range_list.range_count = len(parsed.networks)
        range_list.rejected_count = parsed.rejected_count
        range_list.imported_at = timezone.now()
        range_list.full_clean()
        range_list.save()
        result = IpRangeImport(
            category=category, source=source, range_count=len(parsed.networks),
            ipv4_count=ipv4, ipv6_count=len(parsed.networks) - ipv4,
            duplicate_count=parsed.duplicate_count, rejected_count=parsed.rejected_count,
            rejected=parsed.rejected, replaced_count=replaced,
        )
        audit_data_import(actor=actor, source=f"ip-ranges:{category}",
                              summary={**result.as_dict(), "sha256": digest.hexdigest()})
        transaction.on_commit(index_reset)
    logger.info("imported IP ranges %s", result.as_dict())
    return result


def _ranges_insert(range_list_id: int, networks: list[str]) -> None:
    """Multi-row INSERTs. `bulk_create` builds a model instance per row, which made up two
    thirds of the import time of the 42,000-range list; these rows need none of it."""
    quote = connection.ops.quote_name
    table = quote(IpRange._meta.db_table)
    columns = ", ".join(quote(IpRange._meta.get_field(name).column)
                        for name in ("range_list", "network"))
    with connection.cursor() as cursor:
        for i in range(0, len(networks), INSERT_BATCH_SIZE):
            batch = networks[i:i + INSERT_BATCH_SIZE]
            rows = ", ".join(["(%s, %s)"] * len(batch))
            params = [value for network in batch for value in (range_list_id, network)]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {rows}", params)


def _hashed(lines: Iterable[str], digest) -> Iterable[str]:
    for line in lines:
        digest.update(line.encode("utf-8", "replace"))
        digest.update(b"\n")
        yield line


def ip_ranges_fetch(url: str) -> str:
    """Download a range list. Raises IpRangeSourceUnavailable for what may pass (timeout,
    connection error, 5xx, 429) and ApplicationError for what will not (other 4xx, a body
    larger than FETCH_MAX_BYTES)."""
    body = fetch_bytes(url, user_agent="vetting-ip-ranges/1.0", timeout=FETCH_TIMEOUT,
                       unavailable=IpRangeSourceUnavailable,
                       max_bytes=FETCH_MAX_BYTES)
    return body.decode("utf-8-sig", errors="replace")


# --- The in-memory index --------------------------------------------------------------------


@dataclass(frozen=True)
class RangeIndex:
    """Elementary segments per IP version: `starts[i]` is the first address of segment i,
    `labels[i]` the categories covering it up to the next start (often none)."""

    v4_starts: list[int]
    v4_labels: list[tuple[str, ...]]
    v6_starts: list[int]
    v6_labels: list[tuple[str, ...]]
    marker: tuple = ()
    range_count: int = 0

    @property
    def segment_count(self) -> int:
        return len(self.v4_starts) + len(self.v6_starts)

    def categories(self, ip: str) -> tuple[str, ...]:
        parsed = ip_to_int(ip)
        if parsed is None:
            return ()
        version, number = parsed
        starts, labels = ((self.v4_starts, self.v4_labels) if version == 4
                          else (self.v6_starts, self.v6_labels))
        i = bisect.bisect_right(starts, number) - 1
        return labels[i] if i >= 0 else ()


def ip_to_int(ip: str) -> tuple[int, int] | None:
    """(version, address as an integer), or None when ip is not an address. IPv4-mapped
    IPv6 (::ffff:a.b.c.d) is IPv4. inet_pton is strict (no "1.2.3", no leading zeros) and
    several times faster than the ipaddress module."""
    try:
        if ":" in ip:
            number = int.from_bytes(socket.inet_pton(socket.AF_INET6, ip), "big")
            if number >> 32 == 0xFFFF:
                return 4, number & 0xFFFFFFFF
            return 6, number
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, ip), "big")
    except (OSError, TypeError, ValueError):
        return None


def index_build(rows: Iterable[tuple[str, str]], marker: tuple = ()) -> RangeIndex:
    """Build the index from (category, network) pairs."""
    intervals: dict[int, dict[str, list[tuple[int, int]]]] = {4: {}, 6: {}}
    count = 0
    for category, text in rows:
        interval = _interval(text)
        if interval is None:
            logger.warning("skipping stored IP range %r of %s: not a network", text, category)
            continue
        version, start, end = interval
        intervals[version].setdefault(category, []).append((start, end))
        count += 1
    v4_starts, v4_labels = _segments(intervals[4])
    v6_starts, v6_labels = _segments(intervals[6])
    return RangeIndex(v4_starts, v4_labels, v6_starts, v6_labels, marker, count)


def _interval(text: str) -> tuple[int, int, int] | None:
    """(version, first address, one past the last) of a stored "address/prefix"."""
    address, _, prefix = text.partition("/")
    parsed = ip_to_int(address)
    if parsed is None or parsed[0] == 4 and ":" in address:
        return None
    version, start = parsed
    bits = 32 if version == 4 else 128
    if not prefix.isdigit() or int(prefix) > bits:
        return None
    size = 1 << (bits - int(prefix))
    if start % size:  # host bits set: not what the importer stores
        return None
    return version, start, start + size


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _segments(by_category: dict[str, list[tuple[int, int]]]
              ) -> tuple[list[int], list[tuple[str, ...]]]:
    """Sweep over every category's merged intervals: a new segment starts wherever the set
    of covering categories changes. Within one category intervals no longer overlap, so
    each category is in or out at any point."""
    events: list[tuple[int, int, str]] = []  # (address, +1 enter / -1 leave, category)
    for category, intervals in by_category.items():
        for start, end in _merged(intervals):
            events.append((start, 1, category))
            events.append((end, -1, category))
    events.sort()
    starts: list[int] = []
    labels: list[tuple[str, ...]] = []
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    active: set[str] = set()
    i = 0
    while i < len(events):
        point = events[i][0]
        while i < len(events) and events[i][0] == point:
            _, kind, category = events[i]
            if kind > 0:
                active.add(category)
            else:
                active.discard(category)
            i += 1
        label = tuple(sorted(active))
        label = interned.setdefault(label, label)
        if labels and labels[-1] == label:
            continue
        starts.append(point)
        labels.append(label)
    return starts, labels


_index: RangeIndex | None = None
_fresh_until = 0.0  # time.monotonic() until which _index is served without asking the DB
_lock = threading.Lock()


def index_marker() -> tuple:
    """What changes whenever a category is imported, added or removed: one aggregate."""
    row = IpRangeList.objects.aggregate(lists=Count("id"), newest=Max("imported_at"),
                                        ranges=Sum("range_count"))
    return (row["lists"], row["newest"], row["ranges"])


def index_load() -> RangeIndex:
    # The marker is read before the ranges: an import committing in between makes the
    # next check rebuild again, rather than leave a stale index under a new marker.
    marker = index_marker()
    rows = IpRange.objects.values_list("range_list__category", "network").iterator(
        chunk_size=10_000
    )
    return index_build(rows, marker)


def ip_ranges_index() -> RangeIndex:
    """This process's index, rebuilt when an import happened (checked at most every
    IP_RANGES_REFRESH_SECONDS)."""
    global _index, _fresh_until
    index = _index
    if index is not None and time.monotonic() < _fresh_until:
        return index  # the hot path: no lock, no settings, no query
    with _lock:
        if _index is not None and time.monotonic() < _fresh_until:
            return _index
        if _index is None or index_marker() != _index.marker:
            started = time.perf_counter()
            _index = index_load()
            logger.info("IP range index built: %d ranges, %d segments in %.2fs",
                        _index.range_count, _index.segment_count, time.perf_counter() - started)
        _fresh_until = time.monotonic() + settings.IP_RANGES_REFRESH_SECONDS
        return _index


def index_reset() -> None:
    """Drop this process's index; the next look-up rebuilds it from the database."""
    global _index, _fresh_until
    with _lock:
        _index = None
        _fresh_until = 0.0


def categories_for(ip: str) -> list[str]:
    """The imported categories whose ranges contain ip, sorted; [] for none, and for
    anything that is not an IP address."""
    index = _index  # ip_ranges_index()'s hot path, inlined: this runs per look-up
    if index is None or time.monotonic() >= _fresh_until:
        index = ip_ranges_index()
    return list(index.categories(ip))
