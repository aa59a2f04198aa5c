"""Throughput of the ATS create endpoint against a trivial authenticated endpoint.

What it measures, in one run and with the same client concurrency (--concurrency threads,
each with its own requests.Session):

  create   POST /api/v1/candidates/ with a few thousand (--count) realistic, all-different
           applicant records: 23 countries, valid phone numbers for them, 1-3 profiles, 1-3
           IPs, 1-2 addresses, 1-2 payout accounts (IBANs from schwifty's bank registry for
           EU countries, account + routing numbers for US/GB/CA, Payoneer/Wise/PayPal/crypto
           elsewhere), 1-4 jobs and a 300-600 word resume. Every one is a new candidate:
           validation, the whole evidence write in one transaction, the scoring hand-off
           published to a real Redis, the detail response. All must answer 201.
  trivial  GET /api/v1/whoami/ as many times (API-key authentication, DRF, one small JSON).

Both endpoints are warmed up first (--warmup requests each, not counted), then measured in
alternating slices (--rounds) so that a change in other load on the machine weighs on both
alike. It prints requests/s, p50/p95/p99 latency in ms, the ratio create/trivial throughput
(the goal: at least 0.5), and the CPU time per request of gunicorn, PostgreSQL (the bench
database's processes), Redis, the client itself and anything else running on the machine.

Set-up it does on its own: drops and creates a PostgreSQL database (--db-name, vetting_bench),
migrates it, creates an integration and an API key, and serves vetting.wsgi with gunicorn
(--workers sync workers, 2) on a free localhost port with production settings (DEBUG=0).
Scoring tasks go to Redis database 14, queue vetting-bench, where nobody consumes them; that
Redis database is emptied at the start and at the end, and the bench database is dropped at
the end unless --keep.

Run it from the project root (PostgreSQL and Redis on 127.0.0.1, as for the tests):

    .venv/bin/python bench/api_throughput.py                   # 3000 of each, 4 threads
    .venv/bin/python bench/api_throughput.py --count 500 --concurrency 8 --keep

The load generator runs on the same machine as the server and uses part of its CPU; the CPU
table shows how much, and warns when other work was already running before the measurement.
Exit status 1 if any request did not answer as expected (201 for create, 200 for whoami).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import bench_env as _bench_env
from benchdb import database_drop, database_recreate, free_port

REDIS_URL = "redis://127.0.0.1:6379/14"
QUEUE = "vetting-bench"
CREATE_URL = "/api/v1/candidates/"
TRIVIAL_URL = "/api/v1/whoami/"



def bench_env(db_name: str) -> dict[str, str]:
    # Far above what the bench sends, so that nothing is refused, while every request still
    # pays for the per-key rate limit's counter in Redis, as in production.
    return _bench_env(db_name, REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE,
                      API_RATE_LIMIT="1000000/minute")


# --- Realistic payloads ----------------------------------------------------------------------

@dataclass(frozen=True)
class Country:
    code: str
    locale: str  # Faker locale for names, streets, cities, postcodes, companies
    weight: int  # share of applicants
    payout: str  # "iban", "us", "uk", "ca" or "intl" (Payoneer, Wise, PayPal, crypto)


COUNTRIES = [
    Country("US", "en_US", 22, "us"),
    Country("GB", "en_GB", 7, "uk"),
    Country("CA", "en_CA", 4, "ca"),
    Country("DE", "de_DE", 7, "iban"),
    Country("FR", "fr_FR", 5, "iban"),
    Country("NL", "nl_NL", 4, "iban"),
    Country("ES", "es_ES", 4, "iban"),
    Country("IT", "it_IT", 4, "iban"),
    Country("PL", "pl_PL", 5, "iban"),
    Country("PT", "pt_PT", 3, "iban"),
    Country("IE", "en_IE", 2, "iban"),
    Country("SE", "sv_SE", 2, "iban"),
    Country("AT", "de_AT", 2, "iban"),
    Country("BE", "nl_BE", 2, "iban"),
    Country("FI", "fi_FI", 2, "iban"),
    Country("RO", "ro_RO", 3, "iban"),
    Country("IN", "en_IN", 8, "intl"),
    Country("BR", "pt_BR", 5, "intl"),
    Country("MX", "es_MX", 3, "intl"),
    Country("AR", "es_AR", 2, "intl"),
    Country("PH", "en_PH", 3, "intl"),
    Country("UA", "uk_UA", 3, "intl"),
    Country("NG", "en_NG", 2, "intl"),
]

POSITIONS = [
    "Senior Backend Engineer", "Backend Engineer", "Full-Stack Developer", "Frontend Engineer",
    "Staff Software Engineer", "DevOps Engineer", "Site Reliability Engineer", "Data Engineer",
    "Machine Learning Engineer", "Mobile Developer (iOS)", "Android Developer",
    "QA Automation Engineer", "Engineering Manager", "Product Designer", "Data Analyst",
    "Security Engineer", "Platform Engineer", "Solutions Architect",
]
TITLES = [
    "Software Engineer", "Senior Software Engineer", "Backend Developer", "Web Developer",
    "Junior Developer", "Tech Lead", "DevOps Engineer", "Data Engineer", "QA Engineer",
    "Consultant", "Intern", "Full-Stack Developer", "Systems Administrator", "Team Lead",
]
SKILLS = [
    "Python", "Django", "FastAPI", "PostgreSQL", "Redis", "Celery", "Kubernetes", "Docker",
    "Terraform", "AWS", "GCP", "Azure", "TypeScript", "React", "Vue.js", "Node.js", "Go",
    "Rust", "Java", "Kotlin", "Swift", "GraphQL", "Kafka", "Elasticsearch", "Airflow", "dbt",
    "Spark", "pandas", "PyTorch", "scikit-learn", "CI/CD", "GitHub Actions", "Linux",
    "Prometheus", "Grafana", "OAuth 2.0", "REST APIs", "gRPC", "MongoDB", "MySQL",
]
RESUME_SENTENCES = [
    "Designed and shipped {a} services handling {n} requests per day with {b}.",
    "Led a team of {k} engineers migrating a monolith to {a} and {b}.",
    "Reduced p95 latency by {p}% by profiling hot paths and adding {b} caching.",
    "Built data pipelines in {a} feeding the analytics warehouse, owned on-call for them.",
    "Introduced {a} and {b} to the deployment process, cutting release time from days to minutes.",
    "Mentored {k} junior developers and ran the weekly code review sessions.",
    "Worked closely with product and design to deliver features used by {n} customers.",
    "Wrote integration tests with {a}, raising coverage from {p}% to over 90%.",
    "Maintained the public API and its documentation; {b} SDKs for partners.",
    "Automated infrastructure provisioning with {a}, removing manual steps from {k} environments.",
    "Investigated production incidents, wrote post-mortems and fixed root causes in {a}.",
    "Implemented authentication and authorization with {a} across {k} internal services.",
    "Optimised {a} queries and indexes, cutting database load by {p}%.",
    "Contributed to open-source projects in the {a} ecosystem, including bug fixes in {b}.",
    "Owned the billing integration end to end, from {a} webhooks to reconciliation reports.",
    "Ran experiments and A/B tests, analysing the results with {a} and {b}.",
]
EDUCATION = [
    "BSc in Computer Science", "MSc in Software Engineering", "BEng in Electrical Engineering",
    "BSc in Mathematics", "Self-taught; completed a full-time coding bootcamp",
    "MSc in Data Science", "BSc in Information Systems",
]
EMAIL_DOMAINS = ["gmail.com"] * 6 + [
    "outlook.com", "yahoo.com", "hotmail.com", "proton.me", "icloud.com", "gmx.de", "mail.ru",
    "yandex.com", "fastmail.com", "zoho.com",
]
PORTFOLIO_TLDS = [".dev", ".io", ".me", ".com", ".net", ".codes"]
IP_SOURCES = ["application", "interview", "login", "other"]
PAYOUT_INTL = ["payoneer", "wise", "paypal", "crypto"]
# A few percent of applicants reuse evidence from another one (shared IP, account): what the
# service exists to find, and what makes the linked-candidates query return rows.
REUSE_RATE = 0.03

LATIN_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae",
                             "đ": "d", "ı": "i"})
CYRILLIC = dict(zip(
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэё",
    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m",
     "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia",
     "y", "e", "e"],
))


def ascii_slug(text: str) -> str:
    """'Łukasz Żółć' -> 'lukasz.zolc'; 'Ганна' -> 'hanna': for e-mails and handles."""
    text = "".join(CYRILLIC.get(c, c) for c in text.lower().translate(LATIN_EXTRA))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", ".", text).strip(".")


class PayloadGenerator:
    """Varied, valid CandidateInput payloads (see candidates/serializers.py)."""

    def __init__(self, seed: int, run_id: str):
        try:
            from faker import Faker  # installed with the test extras (factory-boy needs it)
        except ImportError:
            sys.exit("Faker is missing: install the test extras (make install).")
        from schwifty.registry import get_banks_by_country, get_iban_spec

        self.rng = random.Random(seed)
        self.run_id = run_id
        self.fakers = {}
        for country in COUNTRIES:
            fake = Faker(country.locale)
            fake.seed_instance(self.rng.randrange(1 << 30))
            self.fakers[country.code] = fake
        self.weights = [c.weight for c in COUNTRIES]
        self.banks = {}
        for country in COUNTRIES:
            if country.payout != "iban":
                continue
            spec = get_iban_spec(country.code)
            length = spec.positions.get(_component("BANK_CODE"))
            size = (length.end - length.start) if length else 0
            banks = [b for b in get_banks_by_country(country.code)
                     if b.bank_code and len(b.bank_code) == size and b.bic]
            self.banks[country.code] = banks[:300] or [None]
        self.shared_ips: list[str] = []
        self.shared_accounts: list[dict] = []

    # -- pieces --------------------------------------------------------------------------

    def phone(self, region: str, international: bool = False) -> str:
        """A valid number for the region, formatted as an ATS might send it.

        Starts from phonenumbers' example number and varies its last digits until the result
        is a valid (assigned-range) number. `international`: with its country code (needed
        when the number is not from the applicant's location country).
        """
        import phonenumbers as pn

        kind = pn.PhoneNumberType.MOBILE if self.rng.random() < 0.85 else \
            pn.PhoneNumberType.FIXED_LINE
        example = pn.example_number_for_type(region, kind) or pn.example_number(region)
        national = str(example.national_number)
        keep = max(len(national) - 6, 2)
        for _ in range(50):
            digits = national[:keep] + "".join(
                str(self.rng.randrange(10)) for _ in range(len(national) - keep)
            )
            number = pn.PhoneNumber(
                country_code=example.country_code, national_number=int(digits),
                italian_leading_zero=example.italian_leading_zero,
                number_of_leading_zeros=example.number_of_leading_zeros,
            )
            if pn.is_valid_number_for_region(number, region):
                break
        else:
            number = example
        style = self.rng.random() * (0.75 if international else 1)
        if style < 0.4:
            return pn.format_number(number, pn.PhoneNumberFormat.E164)
        if style < 0.75:
            return pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
        return pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)

    def ip(self) -> str:
        rng = self.rng
        if self.shared_ips and rng.random() < REUSE_RATE:
            return rng.choice(self.shared_ips)
        if rng.random() < 0.15:
            value = "2a0%d:%x:%x:%x::%x" % (rng.randrange(1, 10), rng.randrange(1 << 16),
                                            rng.randrange(1 << 16), rng.randrange(1 << 16),
                                            rng.randrange(1, 1 << 16))
        else:
            while True:
                first = rng.randrange(1, 224)
                if first not in (10, 127, 169, 172, 192, 100, 198, 203):
                    break
            value = f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if len(self.shared_ips) < 50:
            self.shared_ips.append(value)
        return value

    def iban(self, country: str) -> str:
        from schwifty import IBAN

        from candidates.normalize import parse_iban

        spec = _iban_spec(country)
        for _ in range(20):
            bank = self.rng.choice(self.banks[country])
            bank_code = bank.bank_code if bank else _digits(self.rng, spec["bank"])
            try:
                iban = IBAN.generate(
                    country,
                    bank_code=bank_code,
                    branch_code=_digits(self.rng, spec["branch"]),
                    account_code=_digits(self.rng, spec["account"]),
                )
                parse_iban(iban.compact)  # exactly what the API will do with it
            except Exception:  # noqa: BLE001 - some registry banks fail national checks
                continue
            return iban.formatted if self.rng.random() < 0.5 else iban.compact
        raise RuntimeError(f"could not generate a valid IBAN for {country}")

    def payment_account(self, country: Country, name: str, email: str, first: bool) -> dict:
        rng = self.rng
        if self.shared_accounts and rng.random() < REUSE_RATE:
            return dict(rng.choice(self.shared_accounts), holder_name=name)
        payout = country.payout if first else rng.choice([country.payout, "intl"])
        if payout == "iban":
            account = {"method": "bank", "iban": self.iban(country.code), "holder_name": name}
            if rng.random() < 0.5:
                account["bank_country"] = country.code
        elif payout == "us":
            account = {"method": "bank", "account_number": _digits(rng, rng.randint(8, 12)),
                       "routing_number": _aba_routing(rng), "bank_country": "US",
                       "holder_name": name}
        elif payout == "uk":
            sort_code = "-".join(_digits(rng, 2) for _ in range(3))
            account = {"method": "bank", "account_number": _digits(rng, 8),
                       "routing_number": sort_code, "bank_country": "GB", "holder_name": name}
        elif payout == "ca":
            account = {"method": "bank", "account_number": _digits(rng, 7),
                       "routing_number": f"{_digits(rng, 5)}-{_digits(rng, 3)}",
                       "bank_country": "CA", "holder_name": name}
        else:
            method = rng.choice(PAYOUT_INTL)
            if method == "crypto":
                wallet = ("0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
                          if rng.random() < 0.6 else
                          "bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz")
                                           for _ in range(38)))
                account = {"method": "crypto", "wallet_address": wallet}
            else:
                account = {"method": method, "account_email": email, "holder_name": name}
                if method == "wise" and rng.random() < 0.5:
                    account["bank_country"] = country.code
        if len(self.shared_accounts) < 30:
            self.shared_accounts.append(account)
        return account

    def resume(self, name: str, skills: list[str], jobs: list[dict]) -> str:
        """Plain text of 300 to 600 words: summary, experience bullets, skills, education."""
        rng = self.rng
        target = rng.randint(300, 600)
        head = [f"{name}\n{rng.choice(POSITIONS)}",
                f"Summary\nEngineer with {rng.randint(2, 18)} years of experience in "
                f"{', '.join(skills[:3])} and {skills[3]}, looking for a remote role."]
        tail = ["Skills\n" + ", ".join(skills), "Education\n" + rng.choice(EDUCATION)]
        words = sum(len(part.split()) for part in head + tail)
        blocks: list[list[str]] = []
        for job in itertools.cycle(jobs):
            line = (f"{job['title'] or 'Engineer'} at {job['employer']} "
                    f"({job['start'] or 'n/a'} to {job['end'] or 'present'})")
            blocks.append([line])
            words += len(line.split())
            for _ in range(rng.randint(3, 6)):
                a, b = rng.sample(skills, 2)
                line = "- " + rng.choice(RESUME_SENTENCES).format(
                    a=a, b=b, n=f"{rng.randint(2, 900)}k", k=rng.randint(2, 12),
                    p=rng.randint(10, 80))
                if words + len(line.split()) > target:
                    break
                blocks[-1].append(line)
                words += len(line.split())
            else:
                continue
            break
        return "\n\n".join(head + ["\n".join(block) for block in blocks] + tail)

    # -- the record ----------------------------------------------------------------------

    def payload(self, index: int) -> dict:
        rng = self.rng
        country = rng.choices(COUNTRIES, weights=self.weights)[0]
        fake = self.fakers[country.code]
        first, last = fake.first_name(), fake.last_name()
        name = f"{first} {last}"
        slug_first, slug_last = ascii_slug(first) or "dev", ascii_slug(last) or "user"

        local = rng.choice([f"{slug_first}.{slug_last}", f"{slug_first}{slug_last}",
                            f"{slug_first[0]}{slug_last}", f"{slug_last}.{slug_first}"])
        domain = rng.choice(EMAIL_DOMAINS)
        tag = f"+jobs{rng.randint(1, 9)}" if domain == "gmail.com" and rng.random() < 0.2 else ""
        email = f"{local}{index}{tag}@{domain}"
        if rng.random() < 0.1:
            email = email.title()  # ATSs pass on whatever case the applicant typed

        # Mostly a local number; some applicants give a number from another country.
        phone_region = country.code if rng.random() < 0.9 else rng.choice(COUNTRIES).code
        phone = self.phone(phone_region, international=phone_region != country.code)

        handle = f"{slug_first.replace('.', '')}{slug_last.replace('.', '')[:8]}{index % 997}"
        networks = rng.sample(["github", "linkedin", "gitlab", "stackoverflow", "portfolio"],
                              rng.randint(1, 3))
        profiles = []
        for network in networks:
            if network == "github":
                url = rng.choice([f"https://github.com/{handle}", f"github.com/{handle}/",
                                  f"https://www.github.com/{handle}?tab=repositories", handle])
            elif network == "linkedin":
                url = rng.choice([f"https://www.linkedin.com/in/{slug_first}-{slug_last}-{index}",
                                  f"linkedin.com/in/{slug_first}{slug_last}{index}/"])
            elif network == "gitlab":
                url = f"https://gitlab.com/{handle}"
            elif network == "stackoverflow":
                url = f"https://stackoverflow.com/users/{rng.randint(10_000, 22_000_000)}/{handle}"
            else:
                url = f"https://{handle}{rng.choice(PORTFOLIO_TLDS)}/"
            profile = {"network": network, "url": url}
            if network != "linkedin" and rng.random() < 0.6:
                profile["created_at"] = _timestamp(rng, days_ago=(400, 5000))
            profiles.append(profile)

        ip_addresses = [
            {"ip": self.ip(), "source": rng.choice(IP_SOURCES),
             **({"observed_at": _timestamp(rng, days_ago=(0, 60))} if rng.random() < 0.8 else {})}
            for _ in range(rng.randint(1, 3))
        ]

        addresses = []
        for kind in rng.sample(["residential", "shipping", "mailing"], rng.randint(1, 2)):
            address = {"kind": kind, "line1": fake.street_address()[:200], "city": fake.city(),
                       "postal_code": str(fake.postcode())[:20], "country": country.code}
            region = _region(fake)
            if region:
                address["region"] = region[:100]
            if rng.random() < 0.25:
                address["line2"] = rng.choice(["Apt 4", "Suite 210", "Flat 3B", "2nd floor",
                                               f"Unit {rng.randint(1, 40)}"])
            addresses.append(address)

        payment_accounts = [
            self.payment_account(country, name, email.lower(), first=i == 0)
            for i in range(rng.randint(1, 2))
        ]

        jobs = []
        cursor = date.today() - timedelta(days=rng.randint(0, 200))
        for i in range(rng.randint(1, 4)):
            end = None if i == 0 and rng.random() < 0.6 else cursor
            start = cursor - timedelta(days=rng.randint(180, 1600))
            job = {"employer": fake.company()[:200], "title": rng.choice(TITLES),
                   "start": _month_or_date(rng, start),
                   "end": _month_or_date(rng, end) if end else None}
            if job["end"] and job["end"] < job["start"]:
                job["end"] = job["start"]
            if rng.random() < 0.7:
                job["country"] = country.code if rng.random() < 0.8 else rng.choice(COUNTRIES).code
            jobs.append(job)
            cursor = start - timedelta(days=rng.randint(0, 120))

        skills = rng.sample(SKILLS, rng.randint(6, 12))
        location = {"country": country.code, "city": fake.city()}
        region = _region(fake)
        if region:
            location["region"] = region[:100]
        return {
            "external_id": f"{self.run_id}-{index:06d}",
            "full_name": name,
            "email": email,
            "phone": phone,
            "position": rng.choice(POSITIONS),
            "applied_at": _timestamp(rng, days_ago=(0, 90)),
            "location": location,
            "profiles": profiles,
            "ip_addresses": ip_addresses,
            "addresses": addresses,
            "payment_accounts": payment_accounts,
            "employment_history": jobs,
            "resume_text": self.resume(name, skills, jobs),
        }


def _component(name: str):
    from schwifty.registry import Component

    return getattr(Component, name)


_SPECS: dict[str, dict[str, int]] = {}


def _iban_spec(country: str) -> dict[str, int]:
    if country not in _SPECS:
        from schwifty.registry import get_iban_spec

        positions = get_iban_spec(country).positions

        def size(name):
            r = positions.get(_component(name))
            return (r.end - r.start) if r else 0

        _SPECS[country] = {"bank": size("BANK_CODE"), "branch": size("BRANCH_CODE"),
                           "account": size("ACCOUNT_CODE")}
    return _SPECS[country]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _aba_routing(rng: random.Random) -> str:
    """A 9-digit ABA routing number with a correct check digit."""
    first8 = f"{rng.choice(['0', '1', '2', '3'])}{rng.randrange(10)}" + _digits(rng, 6)
    weights = [3, 7, 1, 3, 7, 1, 3, 7]
    total = sum(int(d) * w for d, w in zip(first8, weights))
    return first8 + str((10 - total % 10) % 10)


def _timestamp(rng: random.Random, days_ago: tuple[int, int]) -> str:
    moment = datetime.now(UTC) - timedelta(days=rng.randint(*days_ago),
                                           seconds=rng.randrange(86_400))
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _month_or_date(rng: random.Random, day: date) -> str:
    return day.strftime("%Y-%m") if rng.random() < 0.7 else day.isoformat()


def _region(fake) -> str:
    for attr in ("administrative_unit", "state", "region"):
        method = getattr(fake, attr, None)
        if method:
            try:
                return method()
            except (AttributeError, TypeError):
                continue
    return ""


# --- Server set-up -----------------------------------------------------------------------------

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
    integration = Integration.objects.create(name="bench-ats")
    key = api_key_create(integration=integration)
    connections.close_all()
    return key


def gunicorn_start(env: dict[str, str], port: int, workers: int, log_path: Path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(log_path, "w")  # noqa: SIM115 - closed in gunicorn_stop
    process = subprocess.Popen(
        [str(gunicorn), "vetting.wsgi", "-w", str(workers), "-k", "sync",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    return process


def gunicorn_wait(process, base: str, key: str, log_path: Path, timeout: float = 30.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            r = requests.get(base + TRIVIAL_URL, headers={"Authorization": f"Bearer {key}"},
                             timeout=10)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{log_path.read_text()}")


def gunicorn_stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


# --- CPU accounting (Linux /proc) --------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _service_pids(db_name: str) -> dict[str, list[int]]:
    """The PostgreSQL backends of the bench database (the shared background processes, e.g.
    the WAL writer, also serve other databases and are left out) and Redis."""
    pids: dict[str, list[int]] = {"postgres": [], "redis": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm in ("postgres", "postmaster"):
                cmdline = (entry / "cmdline").read_text().replace("\0", " ")
                if cmdline.startswith("postgres:") and f" {db_name} " in cmdline:
                    pids["postgres"].append(int(entry.name))
            elif comm == "redis-server":
                pids["redis"].append(int(entry.name))
        except OSError:
            continue
    return pids


def machine_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU in use over `seconds` (before the run: others' work)."""
    def sample():
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values[:8]) - values[3] - values[4], sum(values[:8])
    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(total1 - total0, 1) * 100


def _machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS


class CpuMeter:
    """CPU seconds used during a phase by this client, gunicorn (master and workers), the
    bench's PostgreSQL processes, Redis, and the whole machine (/proc/stat).

    Processes are sampled every `interval` seconds, so that a PostgreSQL backend that ends
    during the phase (Django closes connections after CONN_MAX_AGE) still counts, up to its
    last sample; one that starts during the phase counts from zero.
    """

    GROUPS = ("gunicorn", "postgres", "redis")

    def __init__(self, gunicorn_pid: int, db_name: str, interval: float = 0.5):
        self.gunicorn_pid, self.db_name, self.interval = gunicorn_pid, db_name, interval
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.stopping = threading.Event()

    def _pids(self) -> dict[str, list[int]]:
        pids = _service_pids(self.db_name)
        pids["gunicorn"] = [self.gunicorn_pid, *_children(self.gunicorn_pid)]
        return pids

    def _sample(self, initial: bool = False) -> None:
        for group, pids in self._pids().items():
            for pid in pids:
                used = _proc_cpu(pid)
                if not used and (group, pid) in self.last:
                    continue  # gone between listing and reading
                self.first.setdefault((group, pid), used if initial else 0.0)
                self.last[(group, pid)] = used

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            self._sample()
        self.overhead = time.thread_time()  # this thread's CPU: not the client's load

    def start(self) -> None:
        self._sample(initial=True)
        self.client0, self.machine0 = time.process_time(), _machine_busy_seconds()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.thread.join()
        self._sample()
        used = {group: 0.0 for group in self.GROUPS}
        for (group, pid), last in self.last.items():
            used[group] += max(last - self.first[(group, pid)], 0.0)
        used["client"] = time.process_time() - self.client0 - self.overhead
        used["machine"] = _machine_busy_seconds() - self.machine0
        return used


# --- Load -------------------------------------------------------------------------------------

@dataclass
class PhaseResult:
    name: str
    latencies: list[float]
    statuses: list[int]
    wall: float
    cpu: dict[str, float]
    failures: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.wall

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @classmethod
    def merge(cls, parts: list[PhaseResult]) -> PhaseResult:
        return cls(
            name=parts[0].name,
            latencies=[x for p in parts for x in p.latencies],
            statuses=[x for p in parts for x in p.statuses],
            wall=sum(p.wall for p in parts),
            cpu={k: sum(p.cpu[k] for p in parts) for k in parts[0].cpu},
            failures=[x for p in parts for x in p.failures][:5],
        )

    def non_2xx(self) -> int:
        return sum(1 for s in self.statuses if not 200 <= s < 300)


def run_phase(name: str, base: str, key: str, requests_: list, concurrency: int,
              gunicorn_pid: int, db_name: str, expect: int) -> PhaseResult:
    """Send every request in `requests_` ((method, path, body) tuples) from `concurrency`
    threads, each with its own requests.Session; times each request and the whole phase."""
    import requests

    n = len(requests_)
    latencies = [0.0] * n
    statuses = [0] * n
    failures: list[str] = []
    counter = itertools.count()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
               "Accept": "application/json"}

    def worker():
        session = requests.Session()
        session.headers.update(headers)
        start.wait()
        while True:
            with lock:
                i = next(counter)
            if i >= n:
                break
            method, path, body = requests_[i]
            t0 = time.perf_counter()
            try:
                response = session.request(method, base + path, data=body, timeout=60)
                status = response.status_code
                text = response.text if status != expect else ""
            except requests.RequestException as exc:
                status, text = 0, f"{type(exc).__name__}: {exc}"
            latencies[i] = time.perf_counter() - t0
            statuses[i] = status
            if status != expect and len(failures) < 5:
                failures.append(f"#{i} {status}: {text[:500]}")
        session.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    meter = CpuMeter(gunicorn_pid, db_name)
    meter.start()
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = meter.stop()
    return PhaseResult(name, latencies, statuses, wall, cpu, failures)


# --- Main ---------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000,
                        help="candidates to create, and whoami requests to send (3000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (4)")
    parser.add_argument("--warmup", type=int, default=50,
                        help="requests per endpoint before measuring, not counted (50)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate create and trivial in this many slices (3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--seed", type=int, default=20261121, help="payload generator seed")
    parser.add_argument("--db-name", default="vetting_bench", help="database to (re)create")
    parser.add_argument("--keep", action="store_true",
                        help="keep the bench database (and the queued messages) at the end")
    args = parser.parse_args()
    if args.count < 2 or args.concurrency < 1 or not 1 <= args.rounds <= args.count // 2:
        parser.error("--count must be at least 2, --concurrency at least 1, and --rounds "
                      "between 1 and count/2")

    env = bench_env(args.db_name)
    django_setup(env)
    import redis

    redis_client = redis.Redis.from_url(REDIS_URL)
    redis_client.flushdb()

    print(f"Generating {args.count + args.warmup} candidate payloads (seed {args.seed}) ...",
          flush=True)
    t0 = time.perf_counter()
    generator = PayloadGenerator(args.seed, run_id=f"bench-{uuid.uuid4().hex[:8]}")
    payloads = [generator.payload(i) for i in range(args.count + args.warmup)]
    bodies = [json.dumps(p).encode() for p in payloads]
    sizes = sorted(len(b) for b in bodies)
    print(f"  done in {time.perf_counter() - t0:.1f}s; body size median "
          f"{sizes[len(sizes) // 2] / 1024:.1f} KiB, max {sizes[-1] / 1024:.1f} KiB; "
          f"{len({p['location']['country'] for p in payloads})} countries", flush=True)

    database_recreate(args.db_name)
    gunicorn = None
    log_path = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    exit_code = 0
    try:
        key = migrate_and_create_key()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = gunicorn_start(env, port, args.workers, log_path)
        gunicorn_wait(gunicorn, base, key, log_path)
        print(f"gunicorn: {args.workers} sync workers on {base} (pid {gunicorn.pid}); "
              f"database {args.db_name}; client threads: {args.concurrency}", flush=True)

        busy = machine_busy()
        print(f"Machine CPU busy before measuring (server idle): {busy:.0f}%"
              + ("  <- other work is running: the figures will be lower and noisier"
                 if busy > 10 else ""), flush=True)
        creates = [("POST", CREATE_URL, body) for body in bodies]
        trivial = [("GET", TRIVIAL_URL, None)] * (args.count + args.warmup)

        print(f"Warming up ({args.warmup} requests per endpoint) ...", flush=True)
        warm = [run_phase("warmup-trivial", base, key, trivial[:args.warmup], args.concurrency,
                          gunicorn.pid, args.db_name, expect=200),
                run_phase("warmup-create", base, key, creates[:args.warmup], args.concurrency,
                          gunicorn.pid, args.db_name, expect=201)]
        for phase in warm:
            if phase.non_2xx():
                print(f"  {phase.name}: {phase.non_2xx()} non-2xx", *phase.failures, sep="\n  ")

        # Alternate the two endpoints in --rounds slices so that a change in whatever else
        # runs on the machine weighs on both alike.
        create_parts, trivial_parts = [], []
        measured = creates[args.warmup:]
        for r in range(args.rounds):
            lo, hi = r * args.count // args.rounds, (r + 1) * args.count // args.rounds
            print(f"Round {r + 1}/{args.rounds}: {hi - lo} POST {CREATE_URL}, "
                  f"then {hi - lo} GET {TRIVIAL_URL} ...", flush=True)
            create_parts.append(run_phase("create", base, key, measured[lo:hi],
                                          args.concurrency, gunicorn.pid, args.db_name,
                                          expect=201))
            trivial_parts.append(run_phase("trivial", base, key, trivial[lo:hi],
                                           args.concurrency, gunicorn.pid, args.db_name,
                                           expect=200))
        create, whoami = PhaseResult.merge(create_parts), PhaseResult.merge(trivial_parts)

        from candidates.models import Candidate

        stored = Candidate.objects.count()
        queued = redis_client.llen(QUEUE)
        from django.db import connections

        connections.close_all()

        report(args, create, whoami, stored, queued)
        not_created = sum(1 for s in create.statuses if s != 201)
        if create.non_2xx() or whoami.non_2xx() or not_created:
            exit_code = 1
    except BaseException:
        exit_code = 1
        raise
    finally:
        if gunicorn is not None:
            gunicorn_stop(gunicorn)
        tail = log_path.read_text().strip().splitlines()[-20:]
        if exit_code and tail:
            print("gunicorn log (last lines):", *tail, sep="\n  ")
        log_path.unlink(missing_ok=True)
        if args.keep:
            print(f"Kept database {args.db_name} and the messages in {REDIS_URL} ({QUEUE}).")
        else:
            database_drop(args.db_name)
            redis_client.flushdb()
            print(f"Dropped database {args.db_name}; emptied {REDIS_URL}.")
    return exit_code


def report(args, create: PhaseResult, whoami: PhaseResult, stored: int, queued: int) -> None:
    rows = [("create  POST /api/v1/candidates/", create),
            ("trivial GET  /api/v1/whoami/", whoami)]
    print()
    print(f"{'endpoint':34} {'requests':>8} {'non-2xx':>7} {'wall s':>7} {'req/s':>8} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    print("-" * 92)
    for label, r in rows:
        print(f"{label:34} {r.count:>8} {r.non_2xx():>7} {r.wall:>7.2f} {r.throughput:>8.1f} "
              f"{r.percentile(50):>7.1f} {r.percentile(95):>7.1f} {r.percentile(99):>7.1f}")
    print()
    ratio = create.throughput / whoami.throughput
    verdict = "meets" if ratio >= 0.5 else "below"
    print(f"create / trivial throughput: {ratio:.3f}  ({verdict} the 0.5 goal)")
    print()
    cores = os.cpu_count() or 1
    print(f"CPU time per request, ms ({cores} cores shared by all of these; postgres = the bench "
          f"database's backends; other = the rest of the machine):")
    print(f"{'':9} {'gunicorn':>9} {'postgres':>9} {'redis':>6} {'client':>7} {'other':>7} "
          f"{'machine':>8} {'machine busy':>13}")
    own = {}
    for label, r in (("create", create), ("trivial", whoami)):
        per = {k: v / r.count * 1000 for k, v in r.cpu.items()}
        own[label] = sum(per[k] for k in ("gunicorn", "postgres", "redis", "client"))
        other = max(per["machine"] - own[label], 0.0)
        busy = min(r.cpu["machine"] / (r.wall * cores) * 100, 100.0)
        print(f"{label:9} {per['gunicorn']:>9.2f} {per['postgres']:>9.2f} {per['redis']:>6.2f} "
              f"{per['client']:>7.2f} {other:>7.2f} {per['machine']:>8.2f} {busy:>12.0f}%")
    print(f"create / trivial by the bench's own CPU per request (gunicorn + postgres + redis + "
          f"client),\n  which the throughput ratio approaches when the CPU is the limit: "
          f"{own['trivial'] / own['create']:.3f}")
    print()
    created = sum(1 for s in create.statuses if s == 201)
    print(f"create: {created} answered 201; candidates in the database: {stored} "
          f"(incl. {args.warmup} warm-up); scoring tasks waiting in Redis: {queued}")
    for r in (create, whoami):
        if r.failures:
            print(f"{r.name}: first failures:", *r.failures, sep="\n  ")


if __name__ == "__main__":
    sys.exit(main())
