"""The demo population: deterministic, valid, diverse, with the look-alikes and rings it
promises; and the seed_demo command that loads it."""

import io
import ipaddress
import itertools
import random
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from candidates.authentication import api_key_hash
from candidates.models import ApiKey, Candidate, Integration
from candidates.normalize import canonical_email
from candidates.serializers import CandidateInput
from demo import population as demo
from demo.population import BASE_DATE, FRAUD, HONEST, demo_population

pytestmark = pytest.mark.django_db

# Identifiers one person does not share with another (room-mates share homes, not these).
STRONG = ("email", "phone", "bank", "payout_email", "wallet", "github", "linkedin", "shipping")


@pytest.fixture(scope="module")
def population():
    return demo_population()


@pytest.fixture(scope="module")
def rings(validated) -> dict[str, list[tuple]]:
    members = defaultdict(list)
    for applicant, data in validated:
        if applicant.ring:
            members[applicant.ring].append((applicant, data))
    return members


@pytest.fixture(scope="module")
def validated(population):
    """(applicant, validated data) pairs; a payload that fails validation fails here."""
    pairs = []
    for applicant in population:
        serializer = CandidateInput(data=applicant.payload)
        assert serializer.is_valid(), (applicant.persona, serializer.errors)
        pairs.append((applicant, serializer.validated_data))
    return pairs


def keys(data: dict) -> set[tuple[str, str]]:
    """What the reuse index would hold for one validated record."""
    found = {("email", canonical_email(data["email"]))}
    if data["phone"]:
        found.add(("phone", data["phone"].e164))
    found |= {(p["network"], p["username"]) for p in data["profiles"]}
    found |= {(a["kind"], a["match_key"]) for a in data["addresses"]}
    found |= {("ip", ip["ip"]) for ip in data["ip_addresses"]}
    for account in data["payment_accounts"]:
        if account.get("iban"):
            found.add(("bank", account["iban"].compact))
        if account.get("account_number"):
            found.add(("bank", f"{account.get('routing_number', '')}:{account['account_number']}"))
        if account["account_email"]:
            found.add(("payout_email", f"{account['method']}:{account['account_email'].lower()}"))
        if account["wallet_address"]:
            found.add(("wallet", account["wallet_address"]))
    return found


def holders(validated) -> dict[tuple[str, str], list]:
    """(kind, key) -> the applicants presenting it."""
    index = defaultdict(list)
    for applicant, data in validated:
        for key in keys(data):
            index[key].append(applicant)
    return index


def of(validated, persona: str) -> list[tuple]:
    return [(a, d) for a, d in validated if a.persona.startswith(f"honest: {persona}")]


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def max_jaccard(sets: list[set]) -> float:
    """The highest pairwise Jaccard, counting overlaps through an inverted index (all pairs
    compared directly take a few times longer)."""
    postings = defaultdict(list)
    for index, items in enumerate(sets):
        for item in items:
            postings[item].append(index)
    common = Counter(pair for docs in postings.values()
                     for pair in itertools.combinations(docs, 2))
    return max((n / (len(sets[i]) + len(sets[j]) - n) for (i, j), n in common.items()),
               default=0.0)


def in_blocks(ip: str, blocks) -> bool:
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(block) for block in blocks)


def country_of(ip: str) -> str | None:
    return next((c.code for c in demo.COUNTRIES.values() if in_blocks(ip, c.ip_blocks)), None)


def fold(text: str) -> str:
    return demo.ascii_word(text)


class TestDeterminism:
    def test_the_same_seed_gives_the_same_population(self):
        assert demo_population(seed=3, honest=40, rings=2) == demo_population(
            seed=3, honest=40, rings=2)

    def test_another_seed_gives_another_population(self):
        first = demo_population(seed=3, honest=40, rings=2)
        second = demo_population(seed=4, honest=40, rings=2)
        assert {a.payload["full_name"] for a in first} != {a.payload["full_name"] for a in second}
        assert [a.payload for a in first] != [a.payload for a in second]

    def test_it_neither_uses_nor_disturbs_the_global_random(self):
        random.seed(1)
        state = random.getstate()
        first = demo_population(seed=3, honest=20, rings=1)
        assert random.getstate() == state
        random.seed(2)
        assert demo_population(seed=3, honest=20, rings=1) == first

    def test_an_empty_population_is_allowed(self):
        assert demo_population(honest=0, rings=0) == []


class TestShape:
    def test_every_payload_is_valid_for_the_ats_contract(self, validated, population):
        assert len(validated) == len(population)

    def test_it_has_the_requested_honest_applicants_and_rings(self, population):
        labels = Counter(a.label for a in population)
        assert labels[HONEST] == 300
        assert all((a.ring is None) == (a.label == HONEST) for a in population)
        sizes = Counter(a.ring for a in population if a.ring)
        assert sorted(sizes) == [f"ring-{n}" for n in range(1, 7)]
        assert all(3 <= size <= 10 for size in sizes.values())

    def test_external_ids_are_unique_and_rise_with_application_time(self, population):
        ids = [int(a.payload["external_id"].removeprefix("gh-")) for a in population]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        applied = [a.payload["applied_at"] for a in population]
        assert applied == sorted(applied)

    def test_applications_fall_in_the_90_days_before_the_base_date(self, validated):
        for _, data in validated:
            assert BASE_DATE - timedelta(days=90) <= data["applied_at"] <= BASE_DATE

    def test_positions_span_the_engineering_families(self, population):
        positions = {a.payload["position"] for a in population}
        for family in ("Backend", "Frontend", "DevOps", "Mobile", "Data Engineer"):
            assert any(family in p for p in positions)

    def test_resumes_have_150_to_400_words(self, population):
        for applicant in population:
            assert 150 <= len(applicant.payload["resume_text"].split()) <= 400

    def test_honest_resumes_are_not_near_duplicates(self, population):
        texts = [shingles(a.payload["resume_text"]) for a in population if a.label == HONEST]
        assert max_jaccard(texts) < 0.3


class TestHonestApplicants:
    def test_they_come_from_many_countries(self, validated):
        countries = Counter(d["location"]["country"] for a, d in validated if a.label == HONEST)
        assert len(countries) >= 12
        assert countries.most_common(1)[0][1] < 0.3 * sum(countries.values())

    def test_their_strong_identifiers_are_their_own(self, validated):
        for (kind, _), applicants in holders(validated).items():
            if kind in STRONG and any(a.label == HONEST for a in applicants):
                assert len(applicants) == 1, (kind, [a.persona for a in applicants])

    def test_phones_are_valid_and_local_except_for_movers(self, validated):
        for applicant, data in validated:
            if applicant.label != HONEST:
                continue
            assert data["phone"].is_valid
            movers = ("honest: immigrant", "honest: traveller")
            if not applicant.persona.startswith(movers):
                assert data["phone"].region == data["location"]["country"]

    def test_home_addresses_and_ips_are_in_their_own_country(self, validated):
        for applicant, data in validated:
            if applicant.label != HONEST:
                continue
            country = data["location"]["country"]
            assert [a["country"] for a in data["addresses"]] == [country] * len(data["addresses"])
            application = data["ip_addresses"][0]["ip"]
            if applicant.persona != "honest: VPN user":
                assert country_of(application) == country

    def test_banks_are_in_their_own_country_except_wise(self, validated):
        for applicant, data in validated:
            for account in data["payment_accounts"] if applicant.label == HONEST else ():
                country = account["iban"].country if account.get("iban") else account[
                    "bank_country"]
                if account["method"] == "bank":
                    assert country == data["location"]["country"]

    def test_each_look_alike_has_a_decent_share(self, population):
        personas = Counter(a.persona.split(" (")[0] for a in population if a.label == HONEST)
        personas["couple or co-worker"] = personas.pop("honest: couple") + personas.pop(
            "honest: co-worker")
        for persona, count in personas.items():
            if persona != "honest: ordinary applicant":
                assert 0.04 <= count / 300 <= 0.11, persona


class TestLookAlikes:
    def test_room_mates_share_a_home_and_nothing_else(self, validated):
        pairs = defaultdict(list)
        for applicant, data in of(validated, "room-mate"):
            (home,) = [a["match_key"] for a in data["addresses"] if a["kind"] == "residential"]
            pairs[home].append(keys(data))
        assert len(pairs) >= 5
        for first, second in pairs.values():
            assert {kind for kind, _ in first & second} == {"residential"}

    def test_couples_and_co_workers_share_an_application_ip(self, validated):
        for persona in ("couple", "co-worker"):
            by_ip = defaultdict(list)
            for _, data in of(validated, persona):
                by_ip[data["ip_addresses"][0]["ip"]].append(data)
            assert by_ip and all(len(pair) == 2 for pair in by_ip.values())
            for first, second in by_ip.values():
                if persona == "couple":
                    assert first["addresses"][0]["match_key"] == second["addresses"][0][
                        "match_key"]
                else:
                    assert first["employment_history"][0]["employer"] == second[
                        "employment_history"][0]["employer"]

    def test_vpn_users_apply_from_commercial_vpn_exits(self, validated):
        users = of(validated, "VPN user")
        assert users
        for _, data in users:
            assert in_blocks(data["ip_addresses"][0]["ip"], demo.VPN_EXIT_BLOCKS)

    def test_juniors_have_new_github_accounts_and_at_most_one_job(self, validated):
        for _, data in of(validated, "junior"):
            (github,) = [p for p in data["profiles"] if p["network"] == "github"]
            assert data["applied_at"] - github["created_at"] <= timedelta(days=183)
            assert len(data["employment_history"]) <= 1

    def test_travellers_interview_abroad_with_a_phone_from_elsewhere(self, validated):
        for _, data in of(validated, "traveller"):
            home = data["location"]["country"]
            (interview,) = [ip["ip"] for ip in data["ip_addresses"] if ip["source"] == "interview"]
            assert country_of(interview) not in (home, None)
            assert data["phone"].region != home

    def test_freelancers_are_paid_through_wise_or_payoneer_in_their_own_name(self, validated):
        methods = Counter()
        for _, data in of(validated, "freelancer"):
            payout = data["payment_accounts"][0]
            methods[payout["method"]] += 1
            assert payout["holder_name"] == data["full_name"]
            if payout["method"] == "wise":
                assert payout["iban"].country in ("BE", "GB")
        assert set(methods) == {"wise", "payoneer"}

    def test_shipping_to_parents_differs_from_home_and_is_nobody_elses(self, validated):
        index = holders(validated)
        for _, data in of(validated, "ships to parents"):
            home, shipping = (a["match_key"] for a in data["addresses"])
            assert home != shipping and len(index[("shipping", shipping)]) == 1

    def test_immigrants_keep_a_phone_from_home(self, validated):
        for _, data in of(validated, "immigrant"):
            assert data["phone"].region != data["location"]["country"]
            assert data["phone"].is_valid

    def test_holder_name_variants_name_the_same_person(self, validated):
        for _, data in of(validated, "holder name variant"):
            holder = data["payment_accounts"][0]["holder_name"]
            assert holder != data["full_name"]
            surname = data["full_name"].split()[-1]
            assert fold(surname) in fold(holder)


class TestFraudRings:
    def test_every_ring_is_linked_by_a_shared_identifier_or_template(self, rings):
        for ring, members in rings.items():
            counts = Counter(k for _, data in members for k in keys(data) if k[0] in STRONG)
            templated = [shingles(a.payload["resume_text"]) for a, _ in members
                         if "templated" in a.persona]
            shared_template = len(templated) >= 2
            assert max(counts.values()) >= 2 or shared_template, ring

    def test_ring_identifiers_never_reach_outside_the_ring(self, validated):
        for key, applicants in holders(validated).items():
            groups = {a.ring or a.persona for a in applicants}
            if any(a.label == FRAUD for a in applicants):
                assert len(groups) == 1, key

    def test_members_use_different_subsets_of_the_tactics(self, population):
        members = [a for a in population if a.label == FRAUD]
        tactic_sets = {a.persona.split(": ", 1)[1] for a in members}
        assert len(tactic_sets) > len(members) // 2
        for label, _ in demo.TACTICS.values():
            assert sum(label in a.persona for a in members) < len(members)

    def test_shared_payouts_go_to_the_facilitator(self, validated):
        index = holders(validated)
        shared = 0
        for (kind, _), applicants in index.items():
            if kind in ("bank", "payout_email") and len(applicants) > 1:
                shared += 1
                names = {a.payload["full_name"] for a in applicants}
                holder_names = {p["holder_name"] for a in applicants
                                for p in a.payload["payment_accounts"]
                                if p["method"] in ("bank", "payoneer")}
                assert not names & holder_names
        assert shared

    def test_laptop_farms_are_us_addresses_away_from_claimed_homes(self, rings):
        farms = 0
        for members in rings.values():
            for applicant, data in members:
                if "laptop-farm shipping" in applicant.persona or "laptop-farm member" in (
                        applicant.persona):
                    home, farm = data["addresses"]
                    assert farm["kind"] == "shipping" and farm["country"] == "US"
                    assert farm["match_key"] != home["match_key"]
                    farms += 1
        assert farms

    def test_templated_resumes_are_near_duplicates_within_a_ring(self, rings):
        compared = 0
        for members in rings.values():
            texts = [shingles(a.payload["resume_text"]) for a, _ in members
                     if "templated" in a.persona]
            for first, second in itertools.combinations(texts, 2):
                assert jaccard(first, second) > 0.7
                compared += 1
        assert compared

    def test_the_default_population_shows_every_tactic(self, validated):
        # Each ring draws its own subset, so another seed may leave one out (e.g. crypto).
        members = [(a, d) for a, d in validated if a.label == FRAUD]
        phone_types = Counter(d["phone"].number_type for _, d in members)
        assert phone_types["VOIP"]
        domains = Counter(d["email"].rsplit("@", 1)[1] for _, d in members)
        assert any(domain in demo.DISPOSABLE_DOMAINS for domain in domains) or any(
            re.fullmatch(r"[a-z]+\.?[a-z]+\d{2,4}", d["email"].split("@")[0]) for _, d in members)
        assert any(p["method"] == "crypto" for _, d in members for p in d["payment_accounts"])
        assert any(in_blocks(ip["ip"], demo.RING_HOSTING_BLOCKS)
                   for _, d in members for ip in d["ip_addresses"])
        new_accounts = [d for _, d in members for p in d["profiles"] if p["network"] == "github"
                        and p["created_at"] > d["applied_at"] - timedelta(days=365)]
        assert new_accounts and all(
            len(d["employment_history"]) >= 2 for d in new_accounts)

    def test_claimed_locations_are_mostly_in_the_us(self, validated):
        claimed = Counter(d["location"]["country"] for a, d in validated if a.label == FRAUD)
        assert claimed["US"] >= 0.6 * sum(claimed.values())  # 85% expected; small samples


class TestSeedDemoCommand:
    def seed(self, *args: str, honest: int = 20, rings: int = 2) -> str:
        out = io.StringIO()
        call_command("seed_demo", "--honest", str(honest), "--rings", str(rings), *args,
                     stdout=out)
        return out.getvalue()

    def test_it_loads_the_population_and_prints_a_working_api_key(self):
        output = self.seed()
        expected = demo_population(seed=7, honest=20, rings=2, sanctioned=True)
        integration = Integration.objects.get(name="demo-ats")
        assert Candidate.objects.filter(integration=integration).count() == len(expected)
        assert f"Seeded {len(expected)} candidates" in output
        key = re.search(r"vk_\S+", output).group(0)
        assert ApiKey.objects.get(key_hash=api_key_hash(key)).integration == integration

    def test_if_empty_makes_a_second_run_a_no_op(self):
        self.seed("--if-empty")
        count = Candidate.objects.count()
        output = self.seed("--if-empty")
        assert "nothing seeded" in output
        assert Candidate.objects.count() == count
        # Each start of the demo prints a fresh key, since the first one was shown only once.
        key = re.search(r"vk_\S+", output).group(0)
        assert ApiKey.objects.get(key_hash=api_key_hash(key)).integration.name == "demo-ats"

    def test_a_second_run_without_if_empty_updates_in_place(self):
        self.seed(honest=5, rings=1)
        count = Candidate.objects.count()
        output = self.seed("--integration", "demo-ats", honest=5, rings=1)
        assert Candidate.objects.count() == count
        assert f"(0 created, {count} updated)" in output

    def test_it_creates_an_admin_for_a_local_demo_only(self, settings):
        self.seed(honest=2, rings=0)
        assert not get_user_model().objects.exists()
        settings.DEBUG = True
        output = self.seed("--integration", "other-ats", honest=2, rings=0)
        password = re.search(r"password: (\S+)", output).group(1)
        assert authenticate(username="admin", password=password).is_superuser
        second = self.seed("--integration", "third-ats", honest=2, rings=0)
        assert "no admin account created" in second
        # The review UI's demo users are there too, with passwords new on every run.
        recruiter = re.search(r"username: recruiter\s+password: (\S+)", second).group(1)
        assert authenticate(username="recruiter", password=recruiter) is not None
        assert set(get_user_model().objects.values_list("username", flat=True)) == {
            "admin", "recruiter", "hrlead", "hrlead2"}
