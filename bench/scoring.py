"""Scoring cost against a small and a large database: per-candidate time, and full re-scores.

What it measures, in one run (about 7 minutes on 2 cores with the defaults):

  1k      a fresh database holding a realistic population of --small (1,000) applicants
          (demo.population: honest applicants with the innocent look-alikes of the red flags,
          and fraud rings), loaded through CandidateInput and candidate_upsert, each scored
          once by `signals.services.candidate_score` (so resume signatures exist and the
          rings are linked), then the candidates a first scoring set back to pending scored
          again, as the workers would;
  100k    a copy of that database grown to --total (100,000) candidates by a bulk loader:
          --sources (4,000) more demo applicants, validated once, then cloned with new
          identifiers (names recombined, e-mails, handles, phone digits, IPs within their
          /24, house numbers, IBAN and account digits, wallets), each value replaced the same
          way throughout a clone set, so that room-mates, couples, shared office IPs and
          fraud rings stay linked inside a set and unrelated across sets; resumes are rebuilt
          from lines of other applicants' resumes (ring members' templates are re-worded the
          same way inside a set, so they stay near-duplicates of each other and of nobody
          else). VPN users share exit addresses as in the demo (a pool that grows as they
          arrive), and a few popular exits are shared by about 0.1% of all applicants each.
          Employers are renamed per clone set too (the few large employers excepted). A
          forked process clones and computes the resume signatures (signals.resume); this
          one builds the rows with evidence_build (evidence and identifiers), ResumeSignature,
          the LSH bands and the career keys (signals.checks.career), and writes them with COPY (a few times faster than bulk_create).
          The clones are marked scored without running the checks; then VACUUM ANALYZE;
  score   `candidate_score` wall time per candidate on both databases, in alternating
          slices (--slices) so that other load on the machine weighs on both alike:
            re-score  --sample (300) candidates of the 1k population, already scored: the
                      steady-state cost (the same candidates, with the same evidence, in
                      both databases);
            new       --new (100) further demo applicants (with a fraud ring), inserted with
                      candidate_upsert into both databases (timed apart) and scored for the
                      first time: includes the cascade that sets the linked candidates back
                      to pending and hands them to the broker;
          with the CPU time per candidate of this process and of its PostgreSQL backend (less
          sensitive to other load than wall time), the time per query shape, the number of
          rows the reuse look-ups meet, and EXPLAIN ANALYZE of those look-ups;
  rescore a full re-score of the large database (what a change of weights or checks means):
          --rescore (3,000) random candidates re-scored one after the other in this process
          (candidates/s per worker process, and the time all --total would take with 1 and 2
          workers), and as many others by --procs (2) processes at once, each with its own
          connection, in alternating rounds.

No network call is made: GitHub look-ups are off (GITHUB_ENABLED=0), no line-type provider
is configured, IP countries come from the offline iptocc data. The real IP range lists are
imported from shared/data/ip-ranges/ (datacenter, VPN IPv4+IPv6, Astrill), and a generated
OFAC-sized sanctions list (bench/sanctions.py's generator, --sanctions entries, every
programme kept), so that the network and sanctions checks do their real work.

Set-up it does on its own: drops and creates the PostgreSQL databases --db-name
(vetting_bench_scoring, the large one) and --db-name + "_1k", migrates, and drops both at the
end unless --keep. Production settings (DEBUG=0). Scoring hand-offs (candidate_upsert's, and
the cascade's) are published to Redis database 14, queue vetting-bench-scoring, which
nothing consumes; that queue is deleted at the end (the rest of database 14 is left alone).
Run it from the project root (PostgreSQL and Redis on 127.0.0.1, as for the tests):

    .venv/bin/python bench/scoring.py                          # 1,000 vs 100,000
    .venv/bin/python bench/scoring.py --total 20000 --sample 100 --rescore 500 --keep
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib.util
import io
import ipaddress
import json
import math
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import PG_HOST, PG_PORT, PG_USER, database_drop, database_recreate
from benchdb import bench_env as _bench_env

REDIS_URL = "redis://127.0.0.1:6379/14"
QUEUE = "vetting-bench-scoring"
LISTS = ROOT.parent / "shared" / "data" / "ip-ranges"
IMPORTS = [  # category, files (imported together), as bench/ip_lookup.py
    ("datacenter", ["datacenter-ipv4.txt"]),
    ("vpn", ["vpn-ipv4.txt", "vpn-ipv6.txt"]),
    ("astrill", ["astrill-ipv4.txt"]),
]
TICKS = os.sysconf("SC_CLK_TCK")


def _admin_sql(*statements) -> None:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def database_copy(source: str, target: str) -> None:
    """A copy of `source` (which must have no connection open) as `target`."""
    from psycopg2 import sql

    _admin_sql(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)),
               sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target),
                                                                sql.Identifier(source)))


def redis_purge() -> int:
    """Delete this bench's queue (and kombu's binding for it) from Redis database 14; the rest
    of that database is left alone (other benchmarks use it)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = [QUEUE, f"_kombu.binding.{QUEUE}", *client.scan_iter(f"{QUEUE}*")]
    removed = client.delete(*set(keys))
    client.close()
    return removed


def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU in use over `seconds` (others' work, before measuring)."""
    def sample():
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values[:8]) - values[3] - values[4], sum(values[:8])
    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(total1 - total0, 1) * 100


def say(text: str) -> None:
    print(text, flush=True)



def bench_env(db_name: str) -> dict[str, str]:
    return _bench_env(db_name, REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE, GITHUB_ENABLED="0")


# --- Two databases behind one connection alias -------------------------------------------------

class Databases:
    """One persistent Django connection per database, swapped in as the 'default' alias: the
    services use django.db.connection (a proxy to connections['default']), so they run
    against whichever database is in use, without reconnecting between slices."""

    def __init__(self):
        self.wrappers = {}

    def use(self, name: str):
        from django.db import connections
        from django.db.utils import load_backend

        wrapper = self.wrappers.get(name)
        if wrapper is None:
            base = connections["default"].settings_dict
            backend = load_backend(base["ENGINE"])
            wrapper = backend.DatabaseWrapper({**base, "NAME": name}, "default")
            self.wrappers[name] = wrapper
        connections["default"] = wrapper
        return wrapper

    def backend_pid(self, name: str) -> int:
        wrapper = self.use(name)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    def close_all(self) -> None:
        for wrapper in self.wrappers.values():
            wrapper.close()


# --- Populations --------------------------------------------------------------------------------

def demo_applicants(seed: int, count: int, rings: int) -> list:
    """Exactly `count` demo applicants: demo_population with `rings` fraud rings, honest ones
    dropped at random (never ring members) down to the count."""
    from demo.population import demo_population

    pool = demo_population(seed=seed, honest=count, rings=rings)
    rng = random.Random(seed)
    honest = [i for i, a in enumerate(pool) if a.ring is None]
    drop = set(rng.sample(honest, max(len(pool) - count, 0)))
    return [a for i, a in enumerate(pool) if i not in drop]


def validated(applicants) -> list[dict]:
    from candidates.serializers import CandidateInput

    out = []
    for applicant in applicants:
        serializer = CandidateInput(data=applicant.payload)
        serializer.is_valid(raise_exception=True)
        out.append(serializer.validated_data)
    return out


def upsert_all(integration, datas: list[dict]) -> list[int]:
    from candidates.services import candidate_upsert

    return [candidate_upsert(integration=integration, data=d)[0].pk for d in datas]


def score_until_settled(ids: list[int]) -> tuple[int, int]:
    """Score `ids` once, then whatever a first scoring set back to pending, as the workers
    would: returns (first scorings, cascaded re-scorings)."""
    from candidates.models import Candidate, RiskStatus
    from signals.services import candidate_score

    for candidate_id in ids:
        candidate_score(candidate_id=candidate_id)
    again = 0
    for _ in range(5):
        pending = list(Candidate.objects.filter(risk_status=RiskStatus.PENDING)
                       .values_list("pk", flat=True))
        if not pending:
            break
        for candidate_id in pending:
            candidate_score(candidate_id=candidate_id)
        again += len(pending)
    return len(ids), again


def sanctions_load(entries: int, seed: int) -> tuple[int, float]:
    """Import a generated SDN list of `entries` (bench/sanctions.py's generator) and build
    the screening index; returns (names indexed, seconds)."""
    from intel import sanctions

    spec = importlib.util.spec_from_file_location("bench_sanctions", ROOT / "bench" / "sanctions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.perf_counter()
    sdn, alt, _ = module.sdn_generate(entries, random.Random(seed))
    sanctions.sanctions_import(sdn_text=sanctions.text_decode(sdn),
                               alt_text=sanctions.text_decode(alt), source="bench:generated",
                               all_programs=True, actor="bench")
    sanctions.index_reset()
    index = sanctions.sanctions_index()
    return index.name_count, time.perf_counter() - started


def ip_ranges_load() -> tuple[int, float]:
    from django.core.management import call_command

    from intel import ipranges

    started = time.perf_counter()
    for category, files in IMPORTS:
        call_command("import_ip_ranges", category, *(str(LISTS / f) for f in files),
                     stdout=io.StringIO())
    ipranges.index_reset()
    index = ipranges.ip_ranges_index()
    return index.range_count, time.perf_counter() - started


# --- Cloning validated applicants ---------------------------------------------------------------

PARTICLES = {"de", "van", "den", "der", "da", "das", "do", "dos", "del", "la", "le", "von", "di",
             "y", "e", "du", "ter", "ten", "al", "el", "bin", "ibn"}
NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LONG_WORD = re.compile(r"[^\W\d_]{4,}")
INITIAL = re.compile(r"(?<![^\W\d_])([^\W\d_])\.")
HOT_EXIT_SHARE = 0.001  # of all applicants, per popular exit address
HOT_EXITS = 3


@functools.lru_cache(maxsize=100_000)
def _key(token: str) -> str:
    """A name word folded for matching: "Łukasz", "LUKASZ" and "Lukasz" give "lukasz"."""
    from demo.population import plain_text

    return plain_text(token).lower()


class NamePools:
    """First names (by country and gender) and surname words (by country) of the demo."""

    def __init__(self):
        from demo.population import COUNTRIES

        self.countries = COUNTRIES
        self.first: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        self.surname: dict[str, list[str]] = defaultdict(list)
        self.spelling: dict[str, str] = {}
        self.surname_words: dict[str, list[str]] = {}
        for code, country in COUNTRIES.items():
            for female, names in ((False, country.male), (True, country.female)):
                for name in names:
                    self.first[_key(name)].append((code, female))
                    self.spelling.setdefault(_key(name), name)
            words = []
            for surname in country.surnames:
                for word in surname.split():
                    if word.lower() in PARTICLES:
                        continue
                    words.append(word)
                    self.surname[_key(word)].append(code)
                    self.spelling.setdefault(_key(word), word)
            self.surname_words[code] = sorted(set(words))


class PersonMap:
    """One person's name as recombined in a clone set: the new spelling of each word, for
    texts (names, account holders) and for the ASCII forms inside e-mails and handles."""

    def __init__(self, words: dict[str, str], initial: tuple[str, str] | None):
        from demo.population import ascii_word, plain_text

        self.words = words  # key (plain, lower) -> new word, as the pools spell it
        self.initial = initial  # (old first initial, new first initial), lower case
        pairs = {}
        for old, new in words.items():
            if old and ascii_word(old) and ascii_word(old) != ascii_word(new):
                pairs[ascii_word(old)] = ascii_word(new)
        self.ascii_pairs = sorted(pairs.items(), key=lambda p: -len(p[0]))
        self._plain = plain_text

    def text(self, text: str) -> str:
        """Names in a text: "Łukasz Wójcik", "WOJCIK LUKASZ", "Wójcik, Łukasz", "Ł. Wójcik"."""
        def swap(match):
            token = match.group(0)
            new = self.words.get(_key(token))
            if new is None:
                return token
            if token.isupper() and len(token) > 1:
                return self._plain(new).upper() if token == self._plain(token) else new.upper()
            return self._plain(new) if token == self._plain(token) else new

        out = NAME_TOKEN.sub(swap, text)
        if self.initial and self.initial[0] != self.initial[1]:
            old, new = self.initial[0].upper(), self.initial[1].upper()
            out = INITIAL.sub(lambda m: new + "." if m.group(1) == old else m.group(0), out)
        return out

    def ascii(self, text: str) -> str:
        """Names inside an e-mail address, a handle or a slug ("lkowalski", "jan-kowalski")."""
        marked = text
        for i, (old, _) in enumerate(self.ascii_pairs):
            marked = marked.replace(old, f"\0{i}\0")
        for i, (_, new) in enumerate(self.ascii_pairs):
            marked = marked.replace(f"\0{i}\0", new)
        if self.initial and self.initial[0] != self.initial[1] and \
                marked.startswith(self.initial[0]):
            # "tkowalski", "t.kowalski", "tjkowalski": the initial goes with the first name.
            rest = marked[1:]
            for family in (n for o, n in self.ascii_pairs if len(o) > 2):
                if any(rest[skip:].startswith(family) for skip in (0, 1, 2)):
                    marked = self.initial[1] + rest
                    break
        return marked


class Cloner:
    """Clones validated CandidateInput data with new identifiers.

    Within one clone set (`begin_set`) every identifier value is replaced the same way
    wherever it occurs, so evidence shared inside the source population (a ring's phone and
    payout account, a couple's address, colleagues' office IP, a ring's resume template)
    stays shared inside the set; across sets nothing is shared except VPN exit addresses.
    Every new identifier is checked against all those handed out before (and those of the
    measured populations), so unrelated applicants never collide by accident.
    """

    def __init__(self, rng: random.Random, sources: list, reserved: list[dict]):
        from demo.population import VPN_EXIT_BLOCKS

        self.rng = rng
        self.pools = NamePools()
        self.used: dict[str, set] = defaultdict(set)
        self.vpn_blocks = [ipaddress.ip_network(b) for b in VPN_EXIT_BLOCKS]
        self.vpn_pool: list[str] = []
        for data in reserved:
            self._reserve(data)
        lines, vocabulary = [], set()
        for applicant, data in sources:
            body = data["resume_text"].split("\n")[2:]
            for line in body:
                if len(line.split()) >= 5:
                    lines.append(line)
            vocabulary.update(w.lower() for w in LONG_WORD.findall(data["resume_text"]))
        self.lines = lines
        self.vocabulary = sorted(vocabulary)
        self.hot_exits = [self._fresh_vpn_exit() for _ in range(HOT_EXITS)]
        self.memo: dict[str, dict] = defaultdict(dict)
        self.set_number = -1

    # -- bookkeeping -------------------------------------------------------------------------

    def _reserve(self, data: dict) -> None:
        from candidates import normalize

        self.used["email"].add(normalize.canonical_email(data["email"]))
        if data["phone"]:
            self.used["phone"].add(data["phone"].e164)
        for p in data["profiles"]:
            self.used[p["network"]].add(p["username"])
        for ip in data["ip_addresses"]:
            self.used["ip"].add(ip["ip"])
            if self._is_vpn(ip["ip"]) and ip["ip"] not in self.vpn_pool:
                self.vpn_pool.append(ip["ip"])
        for a in data["addresses"]:
            self.used["address"].add(a["match_key"])
        for p in data["payment_accounts"]:
            if p.get("iban"):
                self.used["iban"].add(p["iban"].compact)
            if p.get("account_number"):
                self.used["account"].add(p["account_number"])
            if p.get("wallet_address"):
                self.used["wallet"].add(p["wallet_address"])
            if p.get("account_email"):
                self.used["email"].add(normalize.canonical_email(p["account_email"]))

    def _is_vpn(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in block for block in self.vpn_blocks if block.version == address.version)

    def _fresh_vpn_exit(self) -> str:
        for _ in range(1000):
            block = self.rng.choice(self.vpn_blocks)
            ip = str(block[self.rng.randrange(2, block.num_addresses - 2)])
            if ip not in self.used["ip"]:
                self.used["ip"].add(ip)
                return ip
        return ip

    def _unique(self, kind: str, value: str, retry) -> str:
        for attempt in range(1, 200):
            if value not in self.used[kind]:
                self.used[kind].add(value)
                return value
            value = retry(attempt)
        raise RuntimeError(f"no unique {kind} found")

    def begin_set(self, number: int) -> None:
        self.set_number = number
        self.memo = defaultdict(dict)

    # -- names -------------------------------------------------------------------------------

    def _word(self, role: str, key: str, country: str) -> str | None:
        memo = self.memo[role]
        if key in memo:
            return memo[key]
        pools = self.pools
        new = None
        if role == "first" and key in pools.first:
            options = pools.first[key]
            code, female = next((o for o in options if o[0] == country), options[0])
            c = pools.countries[code]
            new = self.rng.choice(c.female if female else c.male)
        elif role == "last":
            base, feminine = key, False
            if key not in pools.surname and key.endswith(("ska", "cka")) and \
                    key[:-1] + "i" in pools.surname:
                base, feminine = key[:-1] + "i", True
            if base in pools.surname:
                codes = pools.surname[base]
                code = country if country in codes else codes[0]
                new = self.rng.choice(pools.surname_words[code])
                if feminine and new.endswith(("ski", "cki")):
                    new = new[:-1] + "a"
        memo[key] = new
        return new

    def person(self, full_name: str, country: str) -> PersonMap:
        memo = self.memo["person"]
        if full_name in memo:
            return memo[full_name]
        tokens = NAME_TOKEN.findall(full_name)
        words: dict[str, str] = {}
        initial = None
        for i, token in enumerate(tokens):
            key = _key(token)
            if key in PARTICLES:
                continue
            new = self._word("first" if i == 0 else "last", key, country)
            if new is not None:
                words[key] = new
                if i == 0:
                    initial = (key[0], _key(new)[0])
        mapped = PersonMap(words, initial)
        memo[full_name] = mapped
        return mapped

    # -- identifiers -------------------------------------------------------------------------

    def email(self, address: str, person: PersonMap) -> str:
        """The address with the person's new name in it; digits added, as people do, when it
        is taken (one digit first, then two)."""
        from candidates import normalize

        memo = self.memo["email"]
        old = normalize.canonical_email(address)
        if old in memo:
            return memo[old]
        local, _, domain = address.rpartition("@")
        local, domain = person.ascii(local), person.ascii(domain)
        suffix = ""
        for attempt in range(200):
            new = f"{local}{suffix}@{domain}"
            canonical = normalize.canonical_email(new)
            if canonical not in self.used["email"]:
                break
            suffix = str(self.rng.randint(2, 9) if attempt < 4 else self.rng.randint(10, 99))
        self.used["email"].add(canonical)
        memo[old] = new
        return new

    def phone(self, phone):
        memo = self.memo["phone"]
        if phone.e164 in memo:
            return memo[phone.e164]
        stem = phone.e164[:-4]
        digits = lambda _=0: stem + f"{self.rng.randrange(10_000):04d}"
        new = dataclasses.replace(phone, e164=self._unique("phone", digits(), digits))
        memo[phone.e164] = new
        return new

    def ip(self, ip: str) -> str:
        memo = self.memo["ip"]
        if ip in memo:
            return memo[ip]
        if self._is_vpn(ip):
            # The demo's model: a pool of popular exits that grows as VPN users arrive.
            if not self.vpn_pool or self.rng.random() < 0.3:
                new = self._fresh_vpn_exit()
                self.vpn_pool.append(new)
            else:
                new = self.rng.choice(self.vpn_pool)
        else:
            address = ipaddress.ip_address(ip)
            if address.version == 4:  # the same /24 (the same network, country, range list)
                a, b, c, _ = ip.split(".")
                retry = lambda attempt=0: (
                    f"{a}.{b}.{c if attempt < 50 else self.rng.randrange(256)}."
                    f"{self.rng.randint(1, 254)}")
            else:
                base = int(address) & ~0xFFFF
                retry = lambda attempt=0: str(ipaddress.IPv6Address(
                    base | self.rng.randint(1, 0xFFFF)))
            new = self._unique("ip", retry(), retry)
        memo[ip] = new
        return new

    def address(self, address: dict) -> dict:
        from candidates import normalize

        memo = self.memo["address"]
        number = memo.get(address["match_key"])
        line1 = address["line1"]
        match = re.search(r"\d+", line1)

        def build(n):
            new_line1 = (line1[:match.start()] + str(n) + line1[match.end():]) if match \
                else f"{line1} {n}"
            return new_line1, normalize.address_key(
                line1=new_line1, line2=address["line2"], city=address["city"],
                postal_code=address["postal_code"], country=address["country"])

        if number is None:
            top = 9800 if match and len(match.group(0)) > 3 else 400
            for _ in range(200):
                number = self.rng.randint(1, top)
                _, key = build(number)
                if key not in self.used["address"]:
                    break
                top *= 2
            memo[address["match_key"]] = number
        new_line1, key = build(number)
        self.used["address"].add(key)
        return {**address, "line1": new_line1, "match_key": key}

    def _digits(self, kind: str, value: str) -> str:
        """The last six digits replaced (IBANs keep their country, check digits and bank)."""
        memo = self.memo[kind]
        if value in memo:
            return memo[value]
        positions = [i for i, ch in enumerate(value) if ch.isdigit()][-6:]

        def retry(_=0):
            chars = list(value)
            for i in positions:
                chars[i] = str(self.rng.randrange(10))
            return "".join(chars)

        new = self._unique(kind, retry(), retry)
        memo[value] = new
        return new

    def wallet(self, value: str) -> str:
        memo = self.memo["wallet"]
        if value in memo:
            return memo[value]
        alphabet = "abcdefghijkmnpqrstuvwxyz023456789" if value.islower() else \
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789"

        def retry(_=0):
            return value[:2] + "".join(self.rng.choice(alphabet) for _ in value[2:])

        new = self._unique("wallet", retry(), retry)
        memo[value] = new
        return new

    def profile(self, profile: dict, person: PersonMap) -> dict:
        from candidates import normalize

        network, username = profile["network"], profile["username"]
        memo = self.memo["profile"]
        key = (network, username)
        if key not in memo:
            if network in ("github", "gitlab", "linkedin", "portfolio"):
                base = person.ascii(username)
            elif network == "stackoverflow":
                base = str(self.rng.randrange(100_000, 30_000_000))
            else:
                base = username

            def retry(attempt):
                if network == "linkedin":
                    return f"{base}-{self.rng.randrange(16 ** 6):06x}"
                if network == "portfolio":
                    host, _, rest = base.partition(".")
                    return f"{host}{self.rng.randint(2, 99)}.{rest}"
                if network == "stackoverflow":
                    return str(self.rng.randrange(100_000, 30_000_000))
                return f"{base}{self.rng.randint(1, 99)}"

            new_username = self._unique(network, base, retry)
            if network in ("github", "gitlab"):
                url = f"https://{network}.com/{new_username}"
            elif network == "linkedin":
                url = f"https://www.linkedin.com/in/{new_username}"
            elif network == "stackoverflow":
                url = f"https://stackoverflow.com/users/{new_username}"
            else:
                url = f"https://{new_username}"
            memo[key] = normalize.canonical_profile(network, url)
        username, url = memo[key]
        return {**profile, "username": username, "url": url}

    # -- resumes -----------------------------------------------------------------------------

    def _reword(self, text: str) -> str:
        """The same words replaced the same way throughout the set (ring templates)."""
        memo = self.memo["word"]

        def swap(match):
            word = match.group(0)
            low = word.lower()
            new = memo.get(low)
            if new is None:
                new = memo[low] = self.rng.choice(self.vocabulary)
            return new.capitalize() if word[0].isupper() else new

        return LONG_WORD.sub(swap, text)

    def resume(self, text: str, ring: bool, old: dict, new: dict) -> str:
        lines = text.split("\n")
        header, body = lines[:2], lines[2:]
        if len(header) == 2:
            header[0] = new["full_name"]
            header[1] = header[1].replace(old["email"], new["email"])
            for before, after in zip(old["profiles"], new["profiles"]):
                if before["network"] == "github":
                    header[1] = header[1].replace(f"github.com/{before['username']}",
                                                  f"github.com/{after['username']}")
        if ring:
            body = [self._reword(line) for line in body]
        else:
            body = [self.rng.choice(self.lines) if len(line.split()) >= 5 else line
                    for line in body]
        return "\n".join(header + body)

    # -- one applicant -----------------------------------------------------------------------

    def clone(self, data: dict, ring: bool, external_id: str) -> dict:
        from candidates import normalize

        country = data["location"]["country"]
        person = self.person(data["full_name"], country)
        new = dict(data)
        new["external_id"] = external_id
        new["full_name"] = person.text(data["full_name"])
        new["email"] = self.email(data["email"], person)
        new["phone"] = self.phone(data["phone"]) if data["phone"] else None
        new["profiles"] = [self.profile(p, person) for p in data["profiles"]]
        ips = [{**ip, "ip": self.ip(ip["ip"])} for ip in data["ip_addresses"]]
        if ips and self._is_vpn(ips[0]["ip"]) and self.rng.random() < self.hot_share:
            ips[0] = {**ips[0], "ip": self.rng.choice(self.hot_exits)}
        new["ip_addresses"] = ips
        new["addresses"] = [self.address(a) for a in data["addresses"]]
        accounts = []
        own_names = {_key(t) for t in NAME_TOKEN.findall(data["full_name"])}
        for account in data["payment_accounts"]:
            account = dict(account)
            holder = account.get("holder_name", "")
            holder_person = person
            if holder:
                if own_names & {_key(t) for t in NAME_TOKEN.findall(holder)}:
                    account["holder_name"] = person.text(holder)
                else:  # someone else's account (a ring's facilitator)
                    holder_person = self.person(holder, account.get("bank_country") or country)
                    account["holder_name"] = holder_person.text(holder)
            if account.get("iban"):
                iban = account["iban"]
                account["iban"] = dataclasses.replace(iban, compact=self._digits("iban", iban.compact))
            if account.get("account_number"):
                account["account_number"] = self._digits("account", account["account_number"])
            if account.get("wallet_address"):
                account["wallet_address"] = self.wallet(account["wallet_address"])
            if account.get("account_email"):
                if normalize.canonical_email(account["account_email"]) == \
                        normalize.canonical_email(data["email"]):
                    account["account_email"] = new["email"]
                else:
                    account["account_email"] = self.email(account["account_email"], holder_person)
            accounts.append(account)
        new["payment_accounts"] = accounts
        new["resume_text"] = self.resume(data["resume_text"], ring, data, new)
        new["employment_history"] = self.employment(data["employment_history"])
        return new

    def employment(self, jobs: list[dict]) -> list[dict]:
        """Employers renamed the same way inside a clone set (a ring's template career and
        front companies stay shared in the set, colleagues stay colleagues), except the few
        large employers every set shares, as a real pool does."""
        from demo.population import LARGE_EMPLOYERS

        memo = self.memo["employer"]
        out = []
        for job in jobs:
            job = dict(job)
            name = job.get("employer") or ""
            if name and name not in LARGE_EMPLOYERS:
                job["employer"] = memo.setdefault(name, f"{name} {self.set_number}")
            out.append(job)
        return out

    hot_share = HOT_EXIT_SHARE * HOT_EXITS / 0.08  # of VPN users (8% of honest applicants)


# --- Bulk loading -------------------------------------------------------------------------------

def _copy_value(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


def copy_objects(model, objects: list, with_pk: bool = False) -> int:
    """Write unsaved model instances with one COPY: what bulk_create would insert (every
    concrete field's attribute value; auto_now fields must be set on the instances)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join(_copy_value(getattr(obj, f.attname)) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)
    return len(objects)


def copy_lines(table: str, columns: list[str], lines: list[str]) -> int:
    """COPY lines already in COPY's text format."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN",
                                  io.StringIO("".join(lines)))
    return len(lines)


def clone_batches(cloner: Cloner, sources: list, count: int, batch: int):
    """Batches of (clone, resume signature bytes or None, shingle count, LSH buckets)."""
    from signals.resume import band_buckets, resume_signature

    done = 0
    while done < count:
        out = []
        for n in range(done, min(done + batch, count)):
            set_number, index = divmod(n, len(sources))
            if set_number != cloner.set_number:
                cloner.begin_set(set_number)
            applicant, data = sources[index]
            external_id = f"{data['external_id']}-{n:06d}"
            clone = cloner.clone(data, applicant.ring is not None, external_id)
            computed = resume_signature(clone["resume_text"])
            if computed is None:
                out.append((clone, None, 0, []))
            else:
                signature, shingles = computed
                out.append((clone, signature.astype("<u4").tobytes(), shingles,
                            band_buckets(signature)))
        done += len(out)
        yield out


def _produce(queue, cloner: Cloner, sources: list, count: int, batch: int) -> None:
    """The clone process: clones and resume signatures, batch by batch, into `queue`."""
    try:
        for out in clone_batches(cloner, sources, count, batch):
            queue.put(("batch", out))
        queue.put(("done", None))
    except BaseException:  # noqa: BLE001 - handed to the loader, which raises it
        import traceback

        queue.put(("failed", traceback.format_exc()))


def bulk_load(integration, cloner: Cloner, sources: list, count: int, batch: int) -> dict:
    """Insert `count` clones of `sources` ((applicant, validated data) pairs).

    A forked process clones and computes resume signatures while this one builds the rows
    (Candidate instances, evidence_build's evidence and identifiers, ResumeSignature, the
    LSH bands) and writes them with COPY, one transaction per batch of `batch`. Candidate
    ids are reserved from the sequence first. Returns timings (s) by step, and row counts.
    """
    import multiprocessing

    from django.db import connection, connections, transaction
    from django.utils import timezone

    from candidates.models import Candidate, RiskLevel, RiskStatus
    from candidates.services import evidence_build
    from signals.checks.career import career_keys
    from signals.engine import EmploymentSnap
    from signals.models import CareerKey, ResumeBand, ResumeSignature
    from signals.resume import SIGNATURE_VERSION

    timings = defaultdict(float)
    rows = defaultdict(int)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Candidate._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        next_id = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, next_id + count - 1])
    connections.close_all()  # nothing open across the fork
    queue = multiprocessing.get_context("fork").Queue(maxsize=3)
    producer = multiprocessing.get_context("fork").Process(
        target=_produce, args=(queue, cloner, sources, count, batch), daemon=True)
    producer.start()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # this session only: a bench load
    started = last_report = time.perf_counter()
    done = 0
    try:
        while True:
            t0 = time.perf_counter()
            what, out = queue.get()
            t1 = time.perf_counter()
            timings["waiting for the clone process"] += t1 - t0
            if what == "done":
                break
            if what == "failed":
                raise RuntimeError(f"clone process failed:\n{out}")
            candidates, by_model, signatures, bands = [], defaultdict(list), [], []
            keys: list[str] = []
            for clone, signature, shingles, buckets in out:
                d = clone
                candidate = Candidate(
                    id=next_id, integration=integration, external_id=d["external_id"],
                    full_name=d["full_name"], position=d["position"],
                    applied_at=d["applied_at"], location_country=d["location"]["country"],
                    location_region=d["location"]["region"],
                    location_city=d["location"]["city"], resume_text=d["resume_text"],
                    revision=1, risk_status=RiskStatus.SCORED, risk_score=0,
                    risk_level=RiskLevel.LOW, risk_flags=[], scored_at=now, scored_revision=1,
                    created_at=now, updated_at=now,
                )
                next_id += 1
                candidates.append(candidate)
                for model, objects in evidence_build(candidate, d).items():
                    by_model[model].extend(objects)
                jobs = tuple(EmploymentSnap(j["employer"], start=j.get("start"))
                             for j in d["employment_history"])
                keys.extend(f"{candidate.pk}\t{kind}\t{key}\n"
                            for kind, key, _label in career_keys(jobs))
                if signature is not None:
                    signatures.append(ResumeSignature(
                        candidate=candidate, version=SIGNATURE_VERSION, signature=signature,
                        shingle_count=shingles, updated_at=now))
                    bands.extend(f"{candidate.pk}\t{band}\t{bucket}\n"
                                 for band, bucket in enumerate(buckets))
            t2 = time.perf_counter()
            with transaction.atomic():
                rows["candidate"] += copy_objects(Candidate, candidates, with_pk=True)
                t3 = time.perf_counter()
                for model, objects in by_model.items():
                    rows[model._meta.model_name] += copy_objects(model, objects)
                t4 = time.perf_counter()
                rows["resumesignature"] += copy_objects(ResumeSignature, signatures)
                rows["resumeband"] += copy_lines(ResumeBand._meta.db_table,
                                                 ["candidate_id", "band", "bucket"], bands)
                rows["careerkey"] += copy_lines(CareerKey._meta.db_table,
                                                ["candidate_id", "kind", "key"], keys)
                t5 = time.perf_counter()
            t6 = time.perf_counter()
            timings["rows: Candidate, evidence_build, signatures (Python)"] += t2 - t1
            timings["COPY candidates"] += t3 - t2
            timings["COPY evidence + identifiers"] += t4 - t3
            timings["COPY signatures + LSH bands"] += t5 - t4
            timings["commit"] += t6 - t5
            done += len(out)
            if time.perf_counter() - last_report > 30 or done == count:
                elapsed = time.perf_counter() - started
                say(f"  {done:,}/{count:,} clones in {elapsed:.0f}s ({done / elapsed:,.0f}/s)")
                last_report = time.perf_counter()
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")
    return {"timings": dict(timings), "rows": dict(rows)}


def vacuum_analyze() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


# --- Measuring ----------------------------------------------------------------------------------

def query_label(sql: str) -> str:
    """A short name for a query shape."""
    if "signals_resumeband m" in sql:
        return "resume_neighbours: LSH band self-join"
    if "candidates_identifier m" in sql:
        if "ORDER BY m.kind" in sql:
            return "DbLookups.shared: identifier self-join"
        return "candidate_links: identifier self-join"
    verb = sql.lstrip().split(None, 1)[0].upper()
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    table = match.group(1) if match else "?"
    if verb == "SELECT" and "FOR UPDATE" in sql:
        verb = "SELECT FOR UPDATE"
    return f"{verb} {table}"


class QueryTimer:
    """Wall time of every query by shape (django's execute_wrapper)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = query_label(sql)
            self.seconds[label] += time.perf_counter() - t0
            self.calls[label] += 1


@dataclasses.dataclass
class Measured:
    """Per-candidate wall times of candidate_score, the CPU it used in this process and in
    its PostgreSQL backend, and its queries by shape."""

    times: list = dataclasses.field(default_factory=list)
    client_cpu: float = 0.0
    backend_cpu: float = 0.0
    queries: QueryTimer = dataclasses.field(default_factory=QueryTimer)
    upserts: list = dataclasses.field(default_factory=list)  # new candidates' upsert times
    ids: list = dataclasses.field(default_factory=list)  # the new candidates

    def ms(self, q: int | None = None) -> float:
        if q is None:
            return statistics.fmean(self.times) * 1000
        return statistics.quantiles(self.times, n=100, method="inclusive")[q - 1] * 1000

    def cpu_ms(self) -> float:
        return (self.client_cpu + self.backend_cpu) / len(self.times) * 1000

    def score(self, candidate_id: int, backend_pid: int) -> None:
        """candidate_score, timed (the backend's CPU is read in clock ticks: summed over
        hundreds of calls it averages out)."""
        from django.db import connection

        from signals.services import candidate_score

        c0, b0 = time.process_time(), proc_cpu(backend_pid)
        with connection.execute_wrapper(self.queries):
            t0 = time.perf_counter()
            candidate_score(candidate_id=candidate_id)
            self.times.append(time.perf_counter() - t0)
        self.client_cpu += time.process_time() - c0
        self.backend_cpu += proc_cpu(backend_pid) - b0


def rescore_slice(dbs: Databases, name: str, pid: int, measured: Measured, ids) -> None:
    dbs.use(name)
    for candidate_id in ids:
        measured.score(candidate_id, pid)


def new_slice(dbs: Databases, name: str, pid: int, measured: Measured, integration_name: str,
              datas) -> None:
    """Insert each new candidate with candidate_upsert (timed apart), then score it."""
    from candidates.models import Integration
    from candidates.services import candidate_upsert

    dbs.use(name)
    integration = Integration.objects.get(name=integration_name)
    for data in datas:
        t0 = time.perf_counter()
        candidate, _ = candidate_upsert(integration=integration, data=data)
        measured.upserts.append(time.perf_counter() - t0)
        measured.ids.append(candidate.pk)
        measured.score(candidate.pk, pid)


def rescore_process(ids: list[int]) -> tuple[float, list[float]]:
    """In a worker process: re-score `ids` on its own connection; (wall, times)."""
    from django.db import connections

    from signals.services import candidate_score

    times = []
    started = time.perf_counter()
    for candidate_id in ids:
        t0 = time.perf_counter()
        candidate_score(candidate_id=candidate_id)
        times.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    connections.close_all()
    return wall, times


LOOKUP_SIZES_SQL = """
    SELECT s.id,
      (SELECT count(*) FROM candidates_identifier m
         JOIN candidates_identifier o
           ON o.kind = m.kind AND o.key = m.key AND o.candidate_id <> m.candidate_id
        WHERE m.candidate_id = s.id),
      (SELECT count(DISTINCT o.candidate_id) FROM signals_resumeband m
         JOIN signals_resumeband o
           ON o.band = m.band AND o.bucket = m.bucket AND o.candidate_id <> m.candidate_id
        WHERE m.candidate_id = s.id)
    FROM unnest(%s::bigint[]) AS s(id)
"""


def shared_groups() -> tuple[int, list[tuple[str, int]]]:
    """Identifier values presented by two candidates or more: how many, and the largest."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT kind, count(*) FROM candidates_identifier
            GROUP BY kind, key HAVING count(*) > 1 ORDER BY 2 DESC""")
        groups = cursor.fetchall()
    return len(groups), groups[:6]


def lookup_sizes(ids: list[int]) -> tuple[list[int], list[int]]:
    """Per candidate: rows the identifier self-join returns (other candidates sharing an
    identifier, per identifier), and candidates sharing an LSH bucket (before
    CANDIDATE_LIMIT and the similarity threshold)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(LOOKUP_SIZES_SQL, [ids])
        rows = cursor.fetchall()
    return [r[1] for r in rows], [r[2] for r in rows]


def explain(candidate_id: int) -> dict[str, tuple[float, list[str]]]:
    """EXPLAIN ANALYZE of the reuse look-ups, captured as the services send them for one
    candidate: (execution ms, scan nodes) per query."""
    from django.db import connection

    from candidates.selectors import candidate_links
    from signals import resume
    from signals.lookups import DbLookups, snapshot_load

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    snapshot = snapshot_load(candidate_id)
    with connection.execute_wrapper(capture):
        DbLookups(snapshot).shared("email", "")
        resume.resume_neighbours(snapshot)
        candidate_links(candidate_id=candidate_id)
    out = {}
    with connection.cursor() as cursor:
        for sql, params in captured:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
            took = next((float(re.search(r"([\d.]+) ms", line).group(1)) for line in plan
                         if line.startswith("Execution Time")), float("nan"))
            scans = sorted({re.sub(r"\s+\(cost.*", "", line.strip().removeprefix("->").strip())
                            for line in plan if "Scan" in line})
            out[query_label(sql)] = (took, scans)
    return out


# --- Main ---------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=100_000, help="large database (100,000)")
    parser.add_argument("--small", type=int, default=1_000, help="small database (1,000)")
    parser.add_argument("--rings", type=int, default=6,
                        help="fraud rings in the small population (6; the clones keep the rate)")
    parser.add_argument("--sample", type=int, default=300,
                        help="already-scored candidates re-scored on each database (300)")
    parser.add_argument("--new", type=int, default=100,
                        help="new candidates inserted and scored on each database (100)")
    parser.add_argument("--sources", type=int, default=4_000,
                        help="demo applicants validated for cloning (4,000)")
    parser.add_argument("--rescore", type=int, default=3_000,
                        help="candidates re-scored for the throughput (3,000)")
    parser.add_argument("--procs", type=int, default=2,
                        help="processes of the parallel re-score (2; 0 skips it)")
    parser.add_argument("--sanctions", type=int, default=18_000,
                        help="entries of the generated sanctions list (18,000; 0 skips it)")
    parser.add_argument("--batch", type=int, default=2_000, help="bulk-load batch (2,000)")
    parser.add_argument("--slices", type=int, default=6,
                        help="alternate the two databases in this many slices (6)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--db-name", default="vetting_bench_scoring",
                        help="the large database; the small one is this + '_1k'")
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    args = parser.parse_args()
    if not 0 < args.small < args.total or args.sample > args.small or args.sample < args.slices \
            or args.new < args.slices:
        parser.error("need 0 < --small < --total, --slices <= --sample <= --small, "
                     "and --new >= --slices")
    missing = [f for _, files in IMPORTS for f in files if not (LISTS / f).is_file()]
    if missing:
        parser.error(f"missing in {LISTS}: {', '.join(missing)}")

    big_db, small_db = args.db_name, f"{args.db_name}_1k"
    os.environ.update(bench_env(big_db))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from candidates.models import Candidate, Identifier, Integration

    started_all = time.perf_counter()
    rng = random.Random(args.seed)
    dbs = Databases()
    setup = {}
    database_recreate(big_db)
    try:
        # -- 1. schema, reference data ------------------------------------------------------
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        setup["migrate"] = time.perf_counter() - t0
        ranges, setup["IP range lists (import + index)"] = ip_ranges_load()
        say(f"Database {big_db}: migrated; {ranges:,} IP ranges imported from {LISTS}")
        if args.sanctions:
            names, setup["sanctions list (generate + import + index)"] = sanctions_load(
                args.sanctions, args.seed)
            say(f"Sanctions: {args.sanctions:,} generated entries, {names:,} names indexed")
        integration = Integration.objects.create(name="bench-scoring")

        # -- 2. the small population --------------------------------------------------------
        t0 = time.perf_counter()
        small = demo_applicants(args.seed, args.small, args.rings)
        small_data = validated(small)
        newcomers = demo_applicants(args.seed + 1, args.new, max(1, args.new // 100))
        newcomer_data = validated(newcomers)
        for d, a in zip(newcomer_data, newcomers):
            d["external_id"] = f"new-{a.payload['external_id']}"
        setup["small population (generate + validate)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        small_ids = upsert_all(integration, small_data)
        setup["small population (candidate_upsert)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        first, cascaded = score_until_settled(small_ids)
        setup["small population (scored until settled)"] = time.perf_counter() - t0
        say(f"Small population: {len(small_ids):,} applicants "
            f"({sum(1 for a in small if a.ring):,} in {args.rings} rings) upserted and scored "
            f"({first:,} first scorings, {cascaded:,} cascaded re-scorings) in "
            f"{setup['small population (scored until settled)']:.1f}s")
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        connections.close_all()
        t0 = time.perf_counter()
        database_copy(big_db, small_db)
        setup["copy to the 1k database"] = time.perf_counter() - t0

        # -- 3. grow the large database -----------------------------------------------------
        t0 = time.perf_counter()
        chunk = 1_000
        source_apps = []
        for k in range(math.ceil(args.sources / chunk)):
            size = min(chunk, args.sources - k * chunk)
            source_apps += demo_applicants(args.seed + 100 + k, size,
                                           max(1, round(args.rings * size / args.small)))
        source_data = validated(source_apps)
        sources = list(zip(source_apps, source_data))
        setup["clone sources (generate + validate)"] = time.perf_counter() - t0
        say(f"Clone sources: {len(sources):,} demo applicants "
            f"({sum(1 for a in source_apps if a.ring):,} ring members) validated in "
            f"{setup['clone sources (generate + validate)']:.1f}s; cloning "
            f"{args.total - args.small:,} ...")
        cloner = Cloner(random.Random(args.seed + 7), sources, small_data + newcomer_data)
        dbs.use(big_db)
        t0 = time.perf_counter()
        loaded = bulk_load(integration, cloner, sources, args.total - args.small, args.batch)
        setup["bulk load"] = time.perf_counter() - t0
        setup["VACUUM ANALYZE (large)"] = vacuum_analyze()
        dbs.use(small_db)
        setup["VACUUM ANALYZE (small)"] = vacuum_analyze()
        sizes = {}
        for name in (small_db, big_db):
            dbs.use(name)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                sizes[name] = (Candidate.objects.count(), Identifier.objects.count(),
                               cursor.fetchone()[0], *shared_groups())
        say(f"Large database: {sizes[big_db][0]:,} candidates, {sizes[big_db][1]:,} identifiers, "
            f"{sizes[big_db][2] / 2**20:,.0f} MiB; bulk load {setup['bulk load']:.0f}s")

        # -- 4. per-candidate scoring on both ---------------------------------------------------
        busy = machine_busy()
        say(f"Machine CPU busy before measuring: {busy:.0f}%"
            + ("  <- other work is running: wall times are noisier (see CPU columns)"
               if busy > 10 else ""))
        pids = {name: dbs.backend_pid(name) for name in (small_db, big_db)}
        sample = rng.sample(small_ids, args.sample)
        chosen = set(sample)
        warm = rng.sample([i for i in small_ids if i not in chosen],
                          min(20, args.small - args.sample))
        for name in (small_db, big_db):  # warm both connections and caches, not counted
            rescore_slice(dbs, name, pids[name], Measured(), warm)
        results = {(kind, name): Measured() for kind in ("rescore", "new")
                   for name in (small_db, big_db)}
        for s in range(args.slices):
            ids = sample[s * len(sample) // args.slices:(s + 1) * len(sample) // args.slices]
            datas = newcomer_data[s * len(newcomer_data) // args.slices:
                                  (s + 1) * len(newcomer_data) // args.slices]
            order = (small_db, big_db) if s % 2 == 0 else (big_db, small_db)
            for name in order:
                rescore_slice(dbs, name, pids[name], results["rescore", name], ids)
                new_slice(dbs, name, pids[name], results["new", name], integration.name, datas)
            say(f"  slice {s + 1}/{args.slices}: {len(ids)} re-scores and {len(datas)} new "
                f"on each database")
        explained, sizes_of = {}, {}
        for name in (small_db, big_db):
            dbs.use(name)
            explained[name] = explain(sample[0])
            sizes_of[name] = {"re-scored": lookup_sizes(sample),
                              "new": lookup_sizes(results["new", name].ids)}

        # -- 5. full re-score throughput -----------------------------------------------------
        # One process, then --procs processes at once, in alternating rounds so that other
        # load on the machine weighs on both alike.
        dbs.use(big_db)
        all_ids = list(Candidate.objects.values_list("pk", flat=True))
        procs = max(args.procs, 1)
        chosen = rng.sample(all_ids, min(len(all_ids), args.rescore * (2 if procs > 1 else 1)))
        sequential, sequential_wall, parallel = Measured(), 0.0, [0.0, []]
        rounds = max(1, min(args.slices // 2, args.rescore // 100))
        say(f"Full re-score: {args.rescore:,} random candidates in this process"
            + (f", and {args.rescore:,} others with {procs} processes at once" if procs > 1
               else "") + f", in {rounds} alternating rounds ...")
        for r in range(rounds):
            lo, hi = r * args.rescore // rounds, (r + 1) * args.rescore // rounds
            t0 = time.perf_counter()
            rescore_slice(dbs, big_db, pids[big_db], sequential, chosen[lo:hi])
            sequential_wall += time.perf_counter() - t0
            if procs > 1:
                import multiprocessing

                ids = chosen[args.rescore + lo:args.rescore + hi]
                parts = [ids[i::procs] for i in range(procs)]
                dbs.close_all()
                connections.close_all()
                t0 = time.perf_counter()
                with multiprocessing.get_context("fork").Pool(procs) as pool:
                    done = pool.map(rescore_process, parts)
                parallel[0] += time.perf_counter() - t0
                parallel[1] += [t for _, times in done for t in times]
                pids[big_db] = dbs.backend_pid(big_db)
        dbs.close_all()

        report(args, setup, loaded, sizes, small_db, big_db, results, explained,
               sizes_of, (sequential, sequential_wall), parallel if procs > 1 else None, busy,
               time.perf_counter() - started_all)
    finally:
        dbs.close_all()
        connections.close_all()
        removed = redis_purge()
        if args.keep:
            print(f"Kept databases {small_db} and {big_db}; deleted queue {QUEUE} "
                  f"({removed} keys) from {REDIS_URL}.")
        else:
            database_drop(small_db)
            database_drop(big_db)
            print(f"Dropped databases {small_db} and {big_db}; deleted queue {QUEUE} "
                  f"({removed} keys) from {REDIS_URL}.")
    return 0


def size_label(n: int) -> str:
    """1000 -> "1k", 100000 -> "100k", 2500 -> "2.5k", 500 -> "500"."""
    if n < 1000:
        return str(n)
    return f"{n / 1000:g}k"


def _spread(values: list[int]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return (f"median {q[49]:.0f}, p90 {q[89]:.0f}, p99 {q[98]:.0f}, max {max(values)}, "
            f"mean {statistics.fmean(values):.1f}")


def report(args, setup, loaded, sizes, small_db, big_db, results, explained, sizes_of,
           sequential, parallel, busy, total_seconds) -> None:
    print()
    print(f"Scoring benchmark: {os.cpu_count()} cores, machine {busy:.0f}% busy before "
          f"measuring; whole run {total_seconds / 60:.1f} min")
    print()
    print("Set-up (s): " + "; ".join(f"{k} {v:.1f}" for k, v in setup.items()))
    print("Bulk load (s): " + "; ".join(f"{k} {v:.1f}" for k, v in loaded["timings"].items()))
    print("Rows bulk-loaded: " + ", ".join(f"{k} {v:,}" for k, v in loaded["rows"].items()))
    print()
    print(f"{'database':28} {'candidates':>10} {'identifiers':>11} {'size MiB':>9} "
          f"{'shared':>7}  largest shared groups (kind: candidates)")
    for name in (small_db, big_db):
        c, i, b, shared, largest = sizes[name]
        print(f"{name:28} {c:>10,} {i:>11,} {b / 2**20:>9,.0f} {shared:>7,}  "
              + ", ".join(f"{kind}: {n}" for kind, n in largest))
    print()
    labels = {"rescore": "re-score (already scored)", "new": "first score (new candidate)"}
    header = (f"{'candidate_score per candidate':30} {'db':>5} {'n':>4} {'mean ms':>8} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU ms':>7}")
    print(header)
    print("-" * len(header))
    ratios = {}
    for kind in ("rescore", "new"):
        for name, tag in ((small_db, size_label(args.small)), (big_db, size_label(args.total))):
            m = results[kind, name]
            print(f"{labels[kind]:30} {tag:>5} {len(m.times):>4} {m.ms():>8.2f} {m.ms(50):>7.2f} "
                  f"{m.ms(95):>7.2f} {max(m.times) * 1000:>7.1f} {m.cpu_ms():>7.2f}")
        small, big = results[kind, small_db], results[kind, big_db]
        ratios[kind] = (big.ms() / small.ms(), big.ms(50) / small.ms(50),
                        big.ms(95) / small.ms(95), big.cpu_ms() / small.cpu_ms())
        print(f"{'  ratio ' + size_label(args.total) + ' / ' + size_label(args.small):30}"
              f" {'':>5} {'':>4} {ratios[kind][0]:>8.2f} {ratios[kind][1]:>7.2f} "
              f"{ratios[kind][2]:>7.2f} {'':>7} {ratios[kind][3]:>7.2f}")
    upsert_small = statistics.fmean(results["new", small_db].upserts) * 1000
    upsert_big = statistics.fmean(results["new", big_db].upserts) * 1000
    print(f"(candidate_upsert of the new candidates, not included above: {upsert_small:.2f} ms "
          f"at {size_label(args.small)}, {upsert_big:.2f} ms at {size_label(args.total)}; CPU = this "
          f"process + its PostgreSQL backend)")
    print()
    print("Time per candidate by query shape, ms (re-score | first score):")
    labels_all = set()
    for m in results.values():
        labels_all |= set(m.queries.seconds)
    big_re = results["rescore", big_db]
    order = sorted(labels_all, key=lambda lab: -big_re.queries.seconds.get(lab, 0))
    small_tag, big_tag = size_label(args.small), size_label(args.total)
    print(f"{'query':44} {'calls':>5} {small_tag:>7} {big_tag:>7} | {'calls':>5} {small_tag:>7} "
          f"{big_tag:>7}")
    for label in order:
        cells = []
        for kind in ("rescore", "new"):
            s, b = results[kind, small_db], results[kind, big_db]
            calls = b.queries.calls.get(label, 0) / len(b.times)
            cells.append(f"{calls:>5.1f} {s.queries.seconds.get(label, 0) / len(s.times) * 1000:>7.3f} "
                         f"{b.queries.seconds.get(label, 0) / len(b.times) * 1000:>7.3f}")
        print(f"{label[:44]:44} {cells[0]} | {cells[1]}")
    totals = []
    for kind in ("rescore", "new"):
        s, b = results[kind, small_db], results[kind, big_db]
        totals.append(f"{'':>5} {sum(s.queries.seconds.values()) / len(s.times) * 1000:>7.3f} "
                      f"{sum(b.queries.seconds.values()) / len(b.times) * 1000:>7.3f}")
    print(f"{'all queries':44} {totals[0]} | {totals[1]}")
    print()
    print("Rows the look-ups meet per candidate: other candidates' matches on its identifiers "
          "(DbLookups.shared, candidate_links),\nand candidates sharing an LSH bucket with its "
          "resume (resume_neighbours, before its limit of 500 and the similarity threshold):")
    for group in ("re-scored", "new"):
        for name in (small_db, big_db):
            shared, lsh = sizes_of[name][group]
            print(f"  {group:9} {name:28} identifier matches: {_spread(shared)}")
            print(f"  {'':9} {'':28} sharing an LSH bucket: {_spread(lsh)}")
    print()
    print("EXPLAIN ANALYZE for one sampled candidate (execution ms; scan nodes):")
    for query in explained[small_db]:
        for name in (small_db, big_db):
            took, scans = explained[name][query]
            print(f"  {query[:38]:38} {name:28} {took:7.3f} ms  {'; '.join(scans)}")
    print()
    measured, wall = sequential
    rate = len(measured.times) / wall
    print(f"Full re-score, one process: {len(measured.times):,} candidates in {wall:.1f}s = "
          f"{rate:.1f} candidates/s per worker process (mean {measured.ms():.2f} ms, p95 "
          f"{measured.ms(95):.2f} ms; CPU {measured.cpu_ms():.2f} ms per candidate)")
    print(f"  all {args.total:,}: {args.total / rate / 60:.1f} min with 1 worker process, "
          f"{args.total / rate / 2 / 60:.1f} min with 2 (if it scaled linearly)")
    if parallel:
        pwall, times = parallel
        prate = len(times) / pwall
        print(f"Full re-score, {args.procs} processes at once: {len(times):,} candidates in "
              f"{pwall:.1f}s = {prate:.1f} candidates/s ({prate / rate:.2f}x one process; "
              f"mean {statistics.fmean(times) * 1000:.2f} ms per candidate in each process)")
        print(f"  all {args.total:,}: {args.total / prate / 60:.1f} min with {args.procs} worker "
              f"processes on this {os.cpu_count()}-core machine (PostgreSQL on the same cores)")
    print()
    verdict = "near 1: the look-ups are indexed" if max(ratios["rescore"][0], ratios["new"][0]) \
        <= 1.5 else "above 1.5: see the query table"
    print(f"Ratio {size_label(args.total)} / {size_label(args.small)}, mean per-candidate time: "
          f"re-score {ratios['rescore'][0]:.2f}, first score {ratios['new'][0]:.2f} ({verdict})")


if __name__ == "__main__":
    sys.exit(main())
