"""Tenants are isolated: an API key sees only its own integration's data, in every output
path, flags and evidence included (docs/tenancy.md).

Integration A (`api`) and integration B (`other_api`) receive applicants who share an email,
a phone, a bank account, a home and a shipping address and a resume. Reuse matching runs
across both (the review UI shows it); B's API responses must say nothing about A's
applicants: not their names, external ids or ids, not how many they are, and not through
B's score, level or the list's risk_level filter. The strongest form of that is the oracle
test: B's responses are the same whether A's applicants exist or not.
"""

import json

import pytest
from django.urls import get_resolver, reverse

from candidates.models import Candidate
from review import roles
from review.models import ReviewState
from review.services import review_start
from signals.services import candidate_score
from tests.review.factories import client_for, user_make
from tests.signals.helpers import applicant

pytestmark = pytest.mark.django_db
URL = "/api/v1/candidates/"
LEVELS = ("low", "medium", "high", "critical")

EMAIL = "shared.persona@example.org"
PHONE = "+1 512 555 0177"
BANK = {"method": "bank", "account_number": "000999888777", "routing_number": "111000025",
        "bank_country": "US", "holder_name": "Pay Master"}
HOME = {"kind": "residential", "line1": "77 Farm Lane", "city": "Austin",
        "postal_code": "78701", "country": "US"}
SHIP = {"kind": "shipping", "line1": "9 Depot Road", "city": "Austin",
        "postal_code": "78702", "country": "US"}
SHIP_AS_HOME = SHIP | {"kind": "residential"}
RESUME = """Senior Full Stack Engineer. Results-driven software engineer with over eight years
of experience designing, building and maintaining scalable web applications. Strong background
in Python, Django, React and PostgreSQL, with a passion for clean code, automated testing and
continuous delivery. Lead Software Engineer at Brightwave Solutions, 2020 to present.
Architected a multi-tenant SaaS platform serving more than two hundred thousand users. Reduced
API latency by forty percent through query optimisation and caching with Redis. Introduced a
CI/CD pipeline on GitHub Actions and Docker that cut release time from days to hours."""

# What B must never learn of A's applicants.
A_NAMES = ("Alice Zyxwvut", "Ann Qwertzu")
A_SECRETS = ("Zyxwvut", "Qwertzu", "A-SECRET")


def bob(**overrides) -> dict:
    """B's applicant: shares everything with A's, and a phone and a drop address with Carol."""
    return applicant(1, "Bob Persona", external_id="b-bob", email=EMAIL, phone=PHONE,
                     payment_accounts=[BANK], addresses=[HOME, SHIP], resume_text=RESUME,
                     **overrides)


def carol() -> dict:
    """B's other applicant, Bob's ring-mate: same phone, same drop address."""
    return applicant(2, "Carol Mate", external_id="b-carol", phone=PHONE,
                     addresses=[applicant(2, "x")["addresses"][0], SHIP])


def probe() -> dict:
    """What B would post to ask "does anyone else use this email and phone?"."""
    return applicant(3, "Pete Probe", external_id="b-probe", email=EMAIL, phone=PHONE)


def alice() -> dict:
    return applicant(11, A_NAMES[0], external_id="A-SECRET-ALICE", email=EMAIL, phone=PHONE,
                     payment_accounts=[BANK], addresses=[HOME, SHIP], resume_text=RESUME)


def ann() -> dict:
    """Lives at Bob's drop address (the shipping check's `presenting` path)."""
    return applicant(12, A_NAMES[1], external_id="A-SECRET-ANN", phone=PHONE,
                     payment_accounts=[BANK], addresses=[SHIP_AS_HOME], resume_text=RESUME)


def post(client, payload, **headers):
    response = client.post(URL, payload, format="json", headers=headers)
    assert response.status_code in (200, 201), response.json()
    return response


def settle() -> None:
    """Score every pending candidate, including the linked re-scores a scoring asks for,
    as the workers would (the on-commit hand-off does not run inside a test transaction)."""
    for _ in range(10):
        pending = list(Candidate.objects.filter(risk_status="pending").values_list("pk",
                                                                                  flat=True))
        if not pending:
            return
        for candidate_id in pending:
            candidate_score(candidate_id=candidate_id)
    pytest.fail("scoring did not settle")


def b_view(client, ids: list[int]) -> dict:
    """Every read B has of its candidates: detail, list, and each filter of the list."""
    view = {f"detail {i}": client.get(f"{URL}{i}/") for i in ids}
    view["list"] = client.get(URL)
    view["list page_size=1"] = client.get(URL, {"page_size": 1})
    for level in LEVELS:
        view[f"list risk_level={level}"] = client.get(URL, {"risk_level": level})
    for status in ("pending", "scored"):
        view[f"list status={status}"] = client.get(URL, {"status": status})
    view["list external_id=b-bob"] = client.get(URL, {"external_id": "b-bob"})
    for state in ReviewState.values:
        view[f"list review_state={state}"] = client.get(URL, {"review_state": state})
    for name, response in view.items():
        assert response.status_code == 200, (name, response.content)
    return {name: response.json() for name, response in view.items()}


def b_writes(client, key: str) -> dict:
    """B's upsert of an existing candidate (whose response carries its current risk), and
    the replay of that response under the same Idempotency-Key; then scores the update."""
    first = post(client, bob(), **{"Idempotency-Key": key})
    again = post(client, bob(), **{"Idempotency-Key": key})
    assert again["Idempotent-Replayed"] == "true"
    settle()
    return {"upsert": first.json(), "replay": again.json()}


VOLATILE = {"created_at", "updated_at", "scored_at"}
# Every route of the ATS API. A new route must be added here, and to b_view or b_writes
# when it serves candidate data.
API_ROUTES = {
    "candidate-list", "candidate-detail",  # candidate data: b_view, b_writes
    "whoami", "schema", "api-docs",  # the key's integration name; the contract
}


# Every field of a candidate response, and what it may say (docs/tenancy.md). A new field
# (built in, or registered through candidates/extensions.py) fails
# test_every_field_of_a_response_is_listed_here until it is listed, and covered by b_view.
CANDIDATE_FIELDS = {
    "id", "external_id", "full_name", "email", "phone", "position", "applied_at", "location",
    "profiles", "ip_addresses", "addresses", "payment_accounts", "employment_history",
    "resume_text", "created_at", "updated_at",  # what the integration sent
    "risk",  # the integration-scoped risk only (RiskOutput)
    "review",  # the company's review of this candidate (review/api.py): no other candidate
}
DETAIL_FIELDS = CANDIDATE_FIELDS | {"linked_candidates"}  # the integration's own links
REVIEW_FIELDS = {"state", "reason_code", "decided_at", "assignee"}


def stable(data):
    """The responses without timestamps, which move whenever anything is re-scored."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [stable(v) for v in data]
    return data


def candidate_ids_in(data, found=None) -> set[int]:
    """Every candidate id a response mentions: `id` keys and `same_name` lists."""
    found = set() if found is None else found
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and isinstance(value, int):
                found.add(value)
            elif key == "same_name" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, int))
            else:
                candidate_ids_in(value, found)
    elif isinstance(data, list):
        for value in data:
            candidate_ids_in(value, found)
    return found


def assert_nothing_of_a(responses: dict, a_ids: list[int]) -> None:
    text = json.dumps(responses)
    for secret in A_SECRETS:
        assert secret not in text, f"{secret!r} leaked into B's responses"
    assert not candidate_ids_in(responses) & set(a_ids), "A's candidate ids leaked"


class TestTenancy:
    def test_b_sees_nothing_of_a_and_its_responses_do_not_depend_on_a(self, api, other_api):
        b_ids = [post(other_api, payload).json()["id"] for payload in (bob(), carol())]
        settle()
        without_a = b_view(other_api, b_ids) | b_writes(other_api, "before-a")
        without_a = b_view(other_api, b_ids) | without_a  # the reads after the update too

        a_created = [post(api, alice()), post(api, ann())]
        a_ids = [r.json()["id"] for r in a_created]
        settle()
        # Reviewers work A's candidates: B's review fields (and filter) do not move.
        reviewer = user_make("rita", roles.RECRUITER)
        for a_id in a_ids:
            review_start(candidate_id=a_id, actor=reviewer)
        with_a = b_view(other_api, b_ids) | b_writes(other_api, "after-a")
        with_a = b_view(other_api, b_ids) | with_a
        assert_nothing_of_a(with_a, a_ids)
        assert stable(with_a) == stable(without_a)
        # Not vacuous: the matching ran across integrations, and A's data is in B's full risk.
        bobs = Candidate.objects.get(pk=b_ids[0])
        assert all(name in json.dumps(bobs.risk_flags) for name in A_NAMES)
        assert bobs.risk_score > bobs.scoped_score

    def test_a_probe_learns_nothing_about_another_integrations_applicants(self, api, other_api):
        a_ids = [post(api, payload).json()["id"] for payload in (alice(), ann())]
        b_ids = [post(other_api, payload).json()["id"] for payload in (bob(), carol())]
        settle()
        created = post(other_api, probe())
        assert created.status_code == 201
        probe_id = created.json()["id"]
        settle()
        with_a = b_view(other_api, [*b_ids, probe_id]) | {"create": created.json()}
        assert_nothing_of_a(with_a, a_ids)

        # The same reads once A's applicants are gone (B's candidates re-scored without
        # them) are the same, score and level included: the probe told B nothing.
        Candidate.objects.filter(pk__in=a_ids).delete()
        Candidate.objects.filter(pk__in=[*b_ids, probe_id]).update(risk_status="pending")
        settle()
        without_a = b_view(other_api, [*b_ids, probe_id]) | {"create": created.json()}
        assert stable(with_a) == stable(without_a)
        assert Candidate.objects.get(pk=probe_id).risk_flags  # it does share with Bob and Carol

    def test_b_still_sees_its_own_ring_mates(self, api, other_api):
        post(api, alice())
        bob_id = post(other_api, bob()).json()["id"]
        carol_id = post(other_api, carol()).json()["id"]
        settle()
        body = other_api.get(f"{URL}{bob_id}/").json()
        flags = {f["code"]: f for f in body["risk"]["flags"]}
        carol_seen = [{"id": carol_id, "external_id": "b-carol", "full_name": "Carol Mate"}]
        assert flags["reuse.phone"]["evidence"]["others"] == carol_seen
        assert flags["reuse.phone"]["evidence"]["count"] == 1
        assert flags["reuse.phone"]["summary"] == (
            f"Phone {PHONE.replace(' ', '')} is also on 1 other application (Carol Mate)")
        assert flags["shipping.shared_address"]["evidence"]["others"] == carol_seen
        # Issue 10: each link says how it ties (the factory's career is shared by everyone).
        assert body["linked_candidates"] == [
            {"id": carol_id, "external_id": "b-carol", "shared": ["phone", "shipping_address"],
             "ties": [{"kind": "phone", "strength": "strong"},
                      {"kind": "shipping_address", "strength": "strong"},
                      {"kind": "same_career", "strength": "strong"}]},
        ]
        assert body["risk"]["score"] > 0
        assert body["risk"]["level"] != "low"
        high = other_api.get(URL, {"risk_level": body["risk"]["level"]}).json()["results"]
        assert bob_id in [c["id"] for c in high]

    def test_the_review_ui_still_shows_the_cross_integration_matches(self, api, other_api):
        alice_id = post(api, alice()).json()["id"]
        bob_id = post(other_api, bob()).json()["id"]
        settle()
        recruiter = user_make("rita", roles.RECRUITER)
        page = client_for(recruiter).get(reverse("review:candidate", args=[bob_id]))
        assert page.status_code == 200
        html = page.content.decode()
        assert A_NAMES[0] in html  # in the flags' summaries and the linked-identities graph
        assert f'href="{reverse("review:candidate", args=[alice_id])}"' in html
        # while B's own API, for the same candidate, does not name her
        assert A_NAMES[0] not in json.dumps(other_api.get(f"{URL}{bob_id}/").json())


class TestEveryFieldIsListed:
    def test_every_field_of_a_response_is_listed_here(self, api):
        bob_id = post(api, bob()).json()["id"]
        settle()
        reads = b_view(api, [bob_id]) | b_writes(api, "fields")
        for name, body in reads.items():
            items = body["results"] if name.startswith("list") else [body]
            for item in items:
                expected = CANDIDATE_FIELDS if name.startswith("list") else DETAIL_FIELDS
                assert set(item) == expected, name
                assert set(item["review"]) == REVIEW_FIELDS, name


class TestEveryOutputPathReadsTheScopedRisk:
    """The guard: the full risk is poisoned, and no API response may carry the poison. A
    new output path that reads risk_score, risk_level, risk_flags or incomplete_checks
    (instead of the integration-scoped fields) fails here."""

    def test_no_response_carries_the_full_risk(self, api):
        from candidates import urls

        routes = set()
        for pattern in get_resolver(urls).url_patterns:
            routes |= {p.name for p in getattr(pattern, "url_patterns", [pattern])}
        assert routes == API_ROUTES, "a route was added or removed: see API_ROUTES"

        created = post(api, bob()).json()
        settle()
        Candidate.objects.filter(pk=created["id"]).update(
            risk_score=987654, risk_level="critical",
            risk_flags=[{"code": "reuse.phone", "title": "POISON", "severity": "high",
                         "points": 987654, "summary": "POISON full result",
                         "evidence": {"others": [{"id": 424242, "full_name": "POISON"}]},
                         "next_step": "POISON"}],
            incomplete_checks=[{"check": "POISON", "status": "failed", "reason": "POISON"}],
            scoped_score=7, scoped_level="low",
        )
        reads = b_view(api, [created["id"]])
        writes = b_writes(api, "poison")  # the update's response shows the stored risk
        responses = reads | {"upsert": writes["upsert"], "replay": writes["replay"]}
        text = json.dumps(responses)
        # (distinctive numbers: a short one like 999 also turns up inside timestamps)
        assert "POISON" not in text and "987654" not in text and "424242" not in text
        assert reads[f"detail {created['id']}"]["risk"]["score"] == 7
        assert writes["upsert"]["risk"]["level"] == "low"
        assert reads["list risk_level=critical"]["results"] == []
        assert [c["id"] for c in reads["list risk_level=low"]["results"]] == [created["id"]]
