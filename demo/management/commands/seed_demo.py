"""Load the demo population through the same path as the ATS API: validate, then upsert.

Going through CandidateInput and candidate_upsert (rather than writing rows directly) means
the demo data is normalised, indexed and scored exactly like real traffic.
"""

import secrets
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from candidates.authentication import api_key_create
from candidates.models import Candidate, Integration
from candidates.serializers import CandidateInput
from candidates.services import candidate_upsert
from demo.population import FRAUD, HONEST, DemoApplicant, demo_population
from demo.users import demo_users_create
from intel.ipranges import ip_ranges_import
from intel.models import IpRangeList, SanctionsImport
from intel.sanctions import sanctions_import, sanctions_read

# Small samples of the real lists, shipped with the demo (their sources and licences:
# demo/data/README.md): the network and sanctions checks need them to flag anything.
DATA = Path(__file__).resolve().parents[2] / "data"
IP_RANGE_SAMPLES = (
    ("datacenter", ("datacenter-ipv4.txt",)),
    ("vpn", ("vpn-ipv4.txt", "vpn-ipv6.txt")),
    ("astrill", ("astrill-ipv4.txt",)),
)
PROGRESS_EVERY = 250  # candidates between two progress lines (and every tenth of the run)


class Command(BaseCommand):
    help = (
        "Load a deterministic demo population (honest applicants, honest look-alikes and "
        "fraud rings) as an ATS integration, then print an API key for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same population.")
        parser.add_argument("--honest", type=int, default=300, help="Honest applicants.")
        parser.add_argument("--rings", type=int, default=6, help="Fraud rings (3-10 each).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when any candidate exists (for `make demo`).")
        parser.add_argument("--integration", default="demo-ats",
                            help="Integration the candidates belong to (created if new).")

    def handle(self, *args, seed: int, honest: int, rings: int, if_empty: bool,
               integration: str, **options):
        if honest < 0 or rings < 0:
            raise CommandError("--honest and --rings must not be negative.")
        target, _ = Integration.objects.get_or_create(name=integration)
        self.verbosity = options.get("verbosity", 1)
        if if_empty and Candidate.objects.exists():
            self.stdout.write("Candidates already exist; nothing seeded.")
        else:
            self._reference_data_load()
            population = demo_population(seed=seed, honest=honest, rings=rings,
                                         sanctioned=True)
            created = self._load(target, population)
            self._report(target, population, created)
        self._print_api_key(target)
        if settings.DEBUG:  # known passwords only ever exist on a local demo
            self._demo_superuser()
            self._demo_users()

    def _load(self, integration: Integration, population: list[DemoApplicant]) -> int:
        """Upsert every applicant, one transaction each (candidate_upsert is atomic), so that
        scoring is enqueued after each commit as for API traffic. Returns how many were new."""
        created = 0
        total = len(population)
        every = max(1, min(PROGRESS_EVERY, total // 10))
        # Without a broker, scoring runs in process after each commit: the slow part.
        doing = "Scoring candidates" if settings.CELERY_TASK_ALWAYS_EAGER else "Loading candidates"
        for done, applicant in enumerate(population, start=1):
            serializer = CandidateInput(data=applicant.payload)
            if not serializer.is_valid():
                # The generator's tests guarantee valid payloads; this is a bug, not bad input.
                raise CommandError(
                    f"Demo payload {applicant.payload['external_id']} is invalid: "
                    f"{serializer.errors}"
                )
            _, is_new = candidate_upsert(integration=integration, data=serializer.validated_data)
            created += is_new
            if self.verbosity >= 1 and (done % every == 0 or done == total):
                self.stdout.write(f"{doing}: {done}/{total}")
                self.stdout.flush()
        return created

    def _reference_data_load(self) -> None:
        """The demo's samples of the IP range lists and the OFAC SDN list, each only where
        nothing is imported yet: a database holding the full lists keeps them."""
        for category, files in IP_RANGE_SAMPLES:
            if IpRangeList.objects.filter(category=category).exists():
                self.stdout.write(f"IP ranges {category!r}: already imported, kept.")
                continue
            lines: list[str] = []
            for name in files:
                lines += (DATA / "ip-ranges" / name).read_text(encoding="utf-8").splitlines()
            result = ip_ranges_import(category=category, lines=lines, actor="demo:seed",
                                      source=f"demo/data/ip-ranges ({', '.join(files)})")
            self.stdout.write(f"IP ranges {category!r}: {result.range_count} ranges from "
                              "the demo sample.")
        if SanctionsImport.objects.exists():
            self.stdout.write("Sanctions list: already imported, kept.")
            return
        folder = DATA / "sanctions"
        result = sanctions_import(sdn_text=sanctions_read(str(folder / "SDN.CSV")),
                                  alt_text=sanctions_read(str(folder / "ALT.CSV")),
                                  source="demo/data/sanctions (OFAC SDN sample)",
                                  actor="demo:seed")
        self.stdout.write(f"Sanctions list: {result.entry_count} OFAC SDN entries "
                          f"({result.alias_count} aliases) from the demo sample.")

    def _report(self, integration: Integration, population: list[DemoApplicant],
                created: int) -> None:
        labels = Counter(a.label for a in population)
        ring_names = sorted({a.ring for a in population if a.ring},
                            key=lambda name: int(name.split("-")[1]))
        loners = Counter(a.persona for a in population if a.label == FRAUD and not a.ring)
        in_rings = labels[FRAUD] - sum(loners.values())
        self.stdout.write(
            f"Seeded {len(population)} candidates into integration {integration.name!r} "
            f"({created} created, {len(population) - created} updated): "
            f"{labels[HONEST]} honest, {labels[FRAUD]} fraud ({in_rings} in "
            f"{len(ring_names)} rings)."
        )
        personas = Counter(a.persona for a in population if a.label == HONEST) + loners
        for persona, count in sorted(personas.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {count:4d}  {persona}")
        for ring in ring_names:
            size = sum(1 for a in population if a.ring == ring)
            self.stdout.write(f"  {size:4d}  fraud: {ring}")
        statuses = Counter(
            Candidate.objects.filter(integration=integration).values_list("risk_status",
                                                                          flat=True)
        )
        self.stdout.write("Risk status: " + ", ".join(
            f"{count} {status}" for status, count in sorted(statuses.items())))

    def _print_api_key(self, integration: Integration) -> None:
        key = api_key_create(integration=integration)
        self.stdout.write(f"API key for {integration.name!r} (shown once; store it now):")
        self.stdout.write(f"  {key}")

    def _demo_users(self) -> None:
        """The review UI's demo sign-ins; passwords are new on every run (`make demo` shows
        them each time it starts)."""
        self.stdout.write("Review UI sign-ins for this local demo (new passwords each run):")
        for username, role, password in demo_users_create():
            self.stdout.write(f"  {role:<10} username: {username:<10} password: {password}")

    def _demo_superuser(self) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser already exists; no admin account created.")
            return
        if users.objects.filter(username="admin").exists():
            self.stdout.write("A user named 'admin' exists but is not a superuser; left alone.")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username="admin", email="", password=password)
        self.stdout.write("Admin login for this local demo (shown once):")
        self.stdout.write(f"  username: admin  password: {password}")
