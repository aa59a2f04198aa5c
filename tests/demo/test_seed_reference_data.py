"""seed_demo loads the demo's samples of the real reference lists (demo/data/), so the demo
shows every kind of network and sanctions flag, offline; and it shows its progress."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from candidates.models import Candidate
from demo.management.commands.seed_demo import DATA, IP_RANGE_SAMPLES
from intel.ipranges import ip_ranges_import, ip_ranges_parse
from intel.models import IpRangeList, SanctionsEntry
from intel.sanctions import sdn_parse
from signals.services import candidate_score

pytestmark = pytest.mark.django_db
FLAG_KINDS = ("network.vpn", "network.astrill", "network.datacenter", "sanctions.name_match",
              "sanctions.employer_match", "sanctions.holder_match", "sanctions.wallet_match")


def seed(*args, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--honest", "40", "--rings", "2", *args, stdout=out, **options)
    return out.getvalue()


def score_all() -> None:
    """Score as the in-process workers of `make demo` do after each commit (the on-commit
    hand-off does not run inside a test's transaction)."""
    for candidate_id in Candidate.objects.values_list("pk", flat=True):
        candidate_score(candidate_id=candidate_id)


def test_the_samples_are_well_formed_and_say_where_they_come_from():
    for _, files in IP_RANGE_SAMPLES:
        for name in files:
            parsed = ip_ranges_parse((DATA / "ip-ranges" / name).read_text().splitlines())
            assert parsed.networks and parsed.rejected_count == 0, name
    entries = sdn_parse((DATA / "sanctions" / "SDN.CSV").read_text())
    assert len(entries) == 17
    readme = (Path(settings.BASE_DIR) / "demo" / "data" / "README.md").read_text()
    assert "MIT License" in readme and "X4BNet/lists_vpn" in readme
    assert "sanctionslistservice.ofac.treas.gov" in readme and "public domain" in readme


def test_seeding_shows_every_kind_of_network_and_sanctions_flag():
    output = seed()
    assert "IP ranges 'vpn':" in output and "OFAC SDN entries" in output
    assert set(IpRangeList.objects.values_list("category", flat=True)) == {
        "vpn", "datacenter", "astrill"}
    assert SanctionsEntry.objects.filter(name="KIM, Sang Man").exists()
    score_all()
    codes = {flag["code"] for flags in Candidate.objects.values_list("risk_flags", flat=True)
             for flag in flags}
    assert set(FLAG_KINDS) <= codes
    sanctioned = Candidate.objects.get(full_name="Chol Min Myong")
    assert sanctioned.risk_level == "critical"
    assert "fraud: sanctioned wallet (OFAC SDN)" in output  # the report names them


def test_it_keeps_lists_a_deployment_already_imported():
    ip_ranges_import(category="vpn", lines=["10.9.0.0/16"], source="full list")
    output = seed()
    assert "IP ranges 'vpn': already imported, kept." in output
    assert IpRangeList.objects.get(category="vpn").range_count == 1
    output = seed("--integration", "second-ats")
    assert "Sanctions list: already imported, kept." in output


def test_it_shows_progress_and_stays_quiet_at_verbosity_0():
    output = seed()
    total = Candidate.objects.count()
    # "Scoring" where tasks run in process (make demo), "Loading" with a broker.
    progress = [line for line in output.splitlines()
                if re.fullmatch(r"(Scoring|Loading) candidates: \d+/\d+", line)]
    assert len(progress) >= 5 and progress[-1].endswith(f" candidates: {total}/{total}")
    quiet = seed("--integration", "quiet-ats", verbosity=0)
    assert " candidates: " not in quiet
