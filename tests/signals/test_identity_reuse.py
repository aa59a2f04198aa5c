"""identity_reuse: identifiers this candidate shares with other applicants (reuse.<kind>)."""

import pytest

from signals.catalog import CATALOG
from signals.checks.identity_reuse import identity_reuse
from signals.engine import CandidateSnapshot, Lookups, OtherCandidate, run_checks
from signals.scoring import default_weights, score_flags
from tests.signals.helpers import URL, MemoryLookups, applicant, others, scored_flags

PHONE = ("phone", "+15125550199", "+15125550199")
ALEX = OtherCandidate(7, "app-7", "Alex Smith")
BO = OtherCandidate(8, "app-8", "Bo Lee")


def snapshot(**fields) -> CandidateSnapshot:
    return CandidateSnapshot(**({"id": 1, "full_name": "Dana Whitfield"} | fields))


def run(identifiers, shared, **fields):
    return identity_reuse(snapshot(identifiers=tuple(identifiers), **fields),
                          MemoryLookups(shared))


class TestIdentityReuse:
    def test_it_flags_a_phone_on_another_application(self):
        [flag] = run([PHONE], {PHONE[:2]: [ALEX]})
        assert flag.code == "reuse.phone"
        assert flag.multiplier == 1.0
        assert flag.summary == "Phone +15125550199 is also on 1 other application (Alex Smith)"
        assert flag.evidence == {
            "kind": "phone", "identifier": "+15125550199", "count": 1, "persons": 1,
            "others": [{"id": 7, "external_id": "app-7", "full_name": "Alex Smith"}],
        }

    @pytest.mark.parametrize("count, multiplier", [
        (1, 1.0), (2, 1.3), (4, 1.3), (5, 1.6), (40, 1.6),
    ])
    def test_it_weighs_reuse_by_how_many_others_share_it(self, count, multiplier):
        [flag] = run([PHONE], {PHONE[:2]: others(count)})
        assert flag.multiplier == multiplier
        assert flag.evidence["count"] == count
        assert len(flag.evidence["others"]) == count

    def test_it_names_three_others_in_the_summary_and_counts_the_rest(self):
        [flag] = run([PHONE], {PHONE[:2]: others(5)})
        assert flag.summary == ("Phone +15125550199 is also on 5 other applications "
                                "(Person 0, Person 1, Person 2 and 2 more)")

    def test_it_raises_one_flag_per_shared_identifier(self):
        ips = [("ip", "198.51.100.1", "198.51.100.1"), ("ip", "198.51.100.2", "198.51.100.2")]
        email = ("email", "dana@example.org", "Dana@Example.org")
        flags = run([*ips, email], {ips[0][:2]: [ALEX], ips[1][:2]: [BO]})
        assert [(f.code, f.evidence["identifier"]) for f in flags] == [
            ("reuse.ip", "198.51.100.1"), ("reuse.ip", "198.51.100.2"),
        ]

    @pytest.mark.parametrize("kind", [
        "email", "phone", "bank_account", "payout_email", "wallet", "github", "linkedin",
        "gitlab", "stackoverflow", "portfolio", "residential_address", "mailing_address", "ip",
    ])
    def test_it_raises_the_catalog_code_of_each_kind(self, kind):
        [flag] = run([(kind, "k", "label")], {(kind, "k"): [ALEX]})
        assert flag.code == f"reuse.{kind}"
        assert flag.spec.family == "reuse"

    def test_it_leaves_shipping_addresses_to_the_shipping_check(self):
        key = "US|78704|12 main st"
        lookups = MemoryLookups({("shipping_address", key): [ALEX]})
        found = identity_reuse(snapshot(identifiers=(("shipping_address", key, "12 Main St"),)),
                               lookups)
        assert found == []
        assert lookups.asked == []

    def test_it_shows_the_masked_account_label_never_the_key(self):
        fingerprint = "f" * 64
        [flag] = run([("bank_account", fingerprint, "IBAN …3000")],
                     {("bank_account", fingerprint): [ALEX]})
        assert flag.summary == "IBAN …3000 is also on 1 other application (Alex Smith)"
        assert fingerprint not in repr(flag.evidence)

    def test_it_ignores_the_candidate_itself_and_repeats_in_the_answer(self):
        me = OtherCandidate(1, "app-1", "Dana Whitfield")
        [flag] = run([PHONE], {PHONE[:2]: [me, ALEX, ALEX]})
        assert flag.evidence["count"] == 1
        assert flag.evidence["others"] == [ALEX.as_evidence()]

    def test_it_raises_nothing_when_nobody_else_presents_the_identifier(self):
        assert run([PHONE, ("email", "dana@example.org", "dana@example.org")], {}) == []


class TestIdentityReuseLookAlikes:
    def test_it_flags_room_mates_only_weakly(self):
        home = ("residential_address", "US|78704|1200 barton springs rd apt 4",
                "1200 Barton Springs Road, Apt 4, Austin, 78704, US")
        flags = run([PHONE, ("email", "dana@example.org", "dana@example.org"), home],
                    {home[:2]: [ALEX]})
        assert [f.code for f in flags] == ["reuse.residential_address"]
        assert flags[0].spec.severity == "low"
        assert flags[0].summary.startswith("Home address 1200 Barton Springs Road")

    def test_it_flags_a_co_working_ip_only_as_reuse_ip(self):
        ip = ("ip", "203.0.113.7", "203.0.113.7")
        flags = run([PHONE, ip], {ip[:2]: others(3)})
        assert [f.code for f in flags] == ["reuse.ip"]
        assert flags[0].spec.severity == "low"

    # Issue 10: a re-application under the same name is the same person (signals.resolution):
    # what the records share is shown as a note and no longer scored (it was 0.5x reuse).
    @pytest.mark.parametrize("name", ["DANA  WHITFIELD", "Whitfield, Dana", "Dána Whitfield",
                                      "Dana J. Whitfield"])
    def test_it_notes_a_re_application_under_the_same_name(self, name):
        again = OtherCandidate(9, "lever-9", name)
        [note] = run([PHONE], {PHONE[:2]: [again]})
        assert note.code == "entity.same_person"
        assert note.spec.severity == "info"
        assert note.summary.startswith(f"Same person, applied 2 times: also {name}")
        assert note.evidence["others"][0]["id"] == 9
        assert note.evidence["others"][0]["shares"] == ["phone"]
        assert score_flags([note], default_weights()).score == 0

    def test_it_does_not_score_a_home_or_ip_shared_with_the_same_name(self):
        home = ("residential_address", "US|78704|1 elm st", "1 Elm St")
        ip = ("ip", "203.0.113.7", "203.0.113.7")
        again = OtherCandidate(9, "lever-9", "Dana Whitfield")
        flags = run([home, ip], {home[:2]: [again], ip[:2]: [again]})
        assert [f.code for f in flags] == ["entity.same_person"]

    def test_it_counts_only_other_persons_when_a_namesake_shares_too(self):
        again = OtherCandidate(9, "lever-9", "Dana Whitfield")
        reuse, note = run([PHONE], {PHONE[:2]: [again, ALEX, BO]})
        assert reuse.code == "reuse.phone"
        assert reuse.multiplier == 1.3  # two other persons
        assert reuse.evidence["count"] == 2
        assert reuse.evidence["not_counted"] == [{"id": 9, "relation": "same_person"}]
        assert [o["id"] for o in reuse.evidence["others"]] == [7, 8]
        assert note.code == "entity.same_person"

    def test_it_counts_one_person_applying_twice_once(self):
        twice = [OtherCandidate(20, "gh-20", "Lee Park"), OtherCandidate(21, "lv-21", "Park, Lee")]
        [reuse] = run([PHONE], {PHONE[:2]: twice})
        assert reuse.multiplier == 1.0  # one other person, two records
        assert reuse.evidence["persons"] == 1
        assert reuse.summary.endswith(": 1 different person")

    def test_it_does_not_take_two_empty_names_for_the_same_name(self):
        nameless = OtherCandidate(9, "lever-9", "")
        [flag] = run([PHONE], {PHONE[:2]: [nameless]}, full_name="")
        assert flag.multiplier == 1.0
        assert flag.summary == "Phone +15125550199 is also on 1 other application (lever-9)"


    def test_it_lets_one_shared_phone_outweigh_many_shared_ips(self):
        ips = [("ip", f"10.0.0.{n}", f"10.0.0.{n}") for n in range(6)]
        weak = score_flags(run(ips, {ip[:2]: [ALEX] for ip in ips}), default_weights())
        strong = score_flags(run([PHONE], {PHONE[:2]: [ALEX]}), default_weights())
        assert strong.score > weak.score


class TestIdentityReuseBadData:
    def test_it_returns_nothing_for_an_empty_snapshot(self):
        assert identity_reuse(CandidateSnapshot(id=1, full_name=""), Lookups()) == []

    def test_it_skips_empty_keys_and_unknown_kinds(self):
        lookups = MemoryLookups({("fax", "123"): [ALEX], ("phone", ""): [ALEX]})
        found = identity_reuse(snapshot(identifiers=(("phone", "", ""), ("fax", "123", "123"))),
                               lookups)
        assert found == []
        assert lookups.asked == []

    def test_it_survives_missing_labels_and_names(self):
        [flag] = run([("phone", "+15125550199", "")],
                     {("phone", "+15125550199"): [OtherCandidate(3, "", "")]}, full_name=None)
        assert flag.summary == "Phone is also on 1 other application (#3)"

    def test_it_survives_a_lookup_answering_none(self):
        class NoneLookups(Lookups):
            def shared(self, kind, key):
                return None

        assert identity_reuse(snapshot(identifiers=(PHONE,)), NoneLookups()) == []

    def test_it_never_fails_in_the_engine(self):
        odd = snapshot(identifiers=(PHONE, ("", "", ""), ("ip", "x", None)), full_name=None)
        results = run_checks(odd, MemoryLookups({PHONE[:2]: [ALEX], ("ip", "x"): [BO]}),
                             {"identity_reuse": identity_reuse})
        assert results.failed == []
        assert sorted(f.code for f in results.flags) == ["reuse.ip", "reuse.phone"]
        assert all(f.code in CATALOG for f in results.flags)


@pytest.mark.django_db
class TestIdentityReuseScoring:
    def test_it_flags_a_phone_shared_between_two_applications(self, api):
        first = api.post(URL, applicant(1, "Dana Whitfield"), format="json").json()
        flags = scored_flags(api, applicant(2, "Lee Park", phone="+1 512 555 0101"))
        reuse = {code for code in flags if code.startswith("reuse.")}
        assert reuse == {"reuse.phone"}
        evidence = flags["reuse.phone"]["evidence"]
        assert evidence["kind"] == "phone"
        assert evidence["identifier"] == "+15125550101"
        assert evidence["count"] == 1
        assert evidence["others"] == [
            {"id": first["id"], "external_id": first["external_id"],
             "full_name": "Dana Whitfield"},
        ]
        assert flags["reuse.phone"]["points"] == CATALOG["reuse.phone"].points

    def test_it_flags_room_mates_only_with_a_weak_address_reuse(self, api):
        home = [{"kind": "residential", "line1": "1200 Barton Springs Road", "line2": "Apt 4",
                 "city": "Austin", "postal_code": "78704", "country": "US"}]
        api.post(URL, applicant(1, "Dana Whitfield", addresses=home), format="json")
        flags = scored_flags(api, applicant(2, "Lee Park", addresses=home))
        assert {code for code in flags if code.startswith("reuse.")} == {
            "reuse.residential_address"
        }
        assert not any(code.startswith("combo.") for code in flags)
