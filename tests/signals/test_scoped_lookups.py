"""The integration-scoped scoring run (docs/tenancy.md): ScopedLookups sees only the
candidate's own integration, and the engine re-runs only the checks that asked about other
candidates."""

import inspect
from collections import Counter

import pytest

from candidates.models import Candidate
from signals import lookups as lookups_module
from signals import resume
from signals.engine import CHECKS, Lookups, run_checks
from signals.lookups import DbLookups, ScopedLookups, snapshot_load
from signals.services import candidate_score
from tests.candidates.test_tenancy import RESUME, SHIP, SHIP_AS_HOME
from tests.signals.helpers import URL, applicant

pytestmark = pytest.mark.django_db
PHONE = "+15125550177"


def create(client, n: int, name: str, **overrides) -> Candidate:
    response = client.post(URL, applicant(n, name, **overrides), format="json")
    assert response.status_code == 201, response.json()
    candidate = Candidate.objects.get(pk=response.json()["id"])
    resume.resume_signature_store(candidate_id=candidate.pk, text=candidate.resume_text)
    return candidate


def scoped_and_full(candidate: Candidate) -> tuple[ScopedLookups, DbLookups]:
    full = DbLookups(snapshot_load(candidate.pk))
    return ScopedLookups(full, candidate.integration_id), full


class TestScopedLookups:
    def test_it_answers_every_look_up_itself(self):
        """A look-up it inherited would answer from the base class, or, if ever delegated
        by a generic pass-through, unfiltered: each must be written out here."""
        methods = {name for name, _ in inspect.getmembers(Lookups, inspect.isfunction)
                   if not name.startswith("_")}
        assert Lookups.WORLD <= methods
        assert methods <= set(vars(ScopedLookups)), methods - set(vars(ScopedLookups))

    def test_it_sees_its_own_integrations_candidates_beyond_another_ones_crowd(
        self, api, other_api, monkeypatch
    ):
        # Limits of 2 stand for the real 50 (and 500): A's three applicants come first (lower
        # ids) and fill the full answers, so B's own must be asked for separately.
        monkeypatch.setattr(lookups_module, "SHARED_LIMIT", 2)
        monkeypatch.setattr(resume, "NEIGHBOUR_LIMIT", 2)
        shared = {"phone": PHONE, "resume_text": RESUME}
        a = [create(api, 10 + i, f"Anna {i}", addresses=[SHIP_AS_HOME], **shared)
             for i in range(3)]
        mate = create(other_api, 1, "Carol Mate", addresses=[SHIP_AS_HOME], **shared)
        bob = create(other_api, 2, "Bob Persona", addresses=[SHIP], **shared)
        scoped, full = scoped_and_full(bob)
        ship_key = bob.addresses.get().match_key

        assert [o.id for o in full.shared("phone", PHONE)] == [a[0].pk, a[1].pk]
        assert [o.id for o in full.presenting("residential_address", ship_key)] == [
            a[0].pk, a[1].pk]
        assert [o.id for o, _ in full.similar_resumes(full.snapshot)] == [a[0].pk, a[1].pk]
        assert [o.id for o in scoped.shared("phone", PHONE)] == [mate.pk]
        assert [o.id for o in scoped.presenting("residential_address", ship_key)] == [mate.pk]
        assert [o.id for o, _ in scoped.similar_resumes(full.snapshot)] == [mate.pk]

    def test_it_filters_complete_answers_without_another_query(
        self, api, other_api, django_assert_num_queries
    ):
        shared = {"phone": PHONE, "resume_text": RESUME}
        anna = create(api, 10, "Anna", addresses=[SHIP_AS_HOME], **shared)
        mate = create(other_api, 1, "Carol Mate", addresses=[SHIP_AS_HOME], **shared)
        bob = create(other_api, 2, "Bob Persona", addresses=[SHIP], **shared)
        scoped, full = scoped_and_full(bob)
        ship_key = bob.addresses.get().match_key
        # The full look-ups, as the full run asks them first: both integrations.
        assert [o.id for o in full.shared("phone", PHONE)] == [anna.pk, mate.pk]
        assert [o.id for o in full.presenting("residential_address", ship_key)] == [
            anna.pk, mate.pk]
        assert [o.id for o, _ in full.similar_resumes(full.snapshot)] == [anna.pk, mate.pk]
        with django_assert_num_queries(0):
            assert [o.id for o in scoped.shared("phone", PHONE)] == [mate.pk]
            assert [o.id for o in scoped.presenting("residential_address", ship_key)] == [
                mate.pk]
            assert [o.id for o, _ in scoped.similar_resumes(full.snapshot)] == [mate.pk]


class TestScopedRun:
    def test_only_checks_that_asked_about_other_candidates_run_again(
        self, other_api, monkeypatch
    ):
        calls = Counter()

        def world(snapshot, lookups):
            calls["world"] += 1
            lookups.ip_country("203.0.113.7")
            return []

        def others(snapshot, lookups):
            calls["others"] += 1
            lookups.shared("phone", PHONE)
            return []

        def nothing(snapshot, lookups):
            calls["nothing"] += 1
            return []

        for name, fn in (("zz_world", world), ("zz_others", others), ("zz_nothing", nothing)):
            monkeypatch.setitem(CHECKS, name, fn)
        bob = create(other_api, 2, "Bob Persona")
        candidate_score(candidate_id=bob.pk)
        assert calls == {"world": 1, "others": 2, "nothing": 1}

    def test_with_no_other_integration_the_api_risk_is_the_full_risk(self, other_api):
        create(other_api, 1, "Carol Mate", phone=PHONE, addresses=[SHIP])
        bob = create(other_api, 2, "Bob Persona", phone=PHONE, addresses=[SHIP])
        candidate_score(candidate_id=bob.pk)
        bob.refresh_from_db()
        assert {f["code"] for f in bob.risk_flags} >= {"reuse.phone", "shipping.shared_address"}
        assert (bob.scoped_score, bob.scoped_level, bob.scoped_flags,
                bob.scoped_incomplete_checks) == (
            bob.risk_score, bob.risk_level, bob.risk_flags, bob.incomplete_checks)

    def test_the_checks_reading_other_candidates_are_the_reuse_checks(self, other_api):
        bob = create(other_api, 2, "Bob Persona", addresses=[SHIP], resume_text=RESUME)
        snapshot = snapshot_load(bob.pk)
        results = run_checks(snapshot, DbLookups(snapshot), CHECKS)
        # Issue 10 added the career links, rare employers, known-bad identifiers and the
        # risk flowing along strong links.
        assert results.asked_others == {"career", "identity_reuse", "known_bad", "resume_reuse",
                                        "risk_flow", "shipping"}
