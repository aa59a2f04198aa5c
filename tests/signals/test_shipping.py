"""shipping: laptops shipped away from home, and to addresses other applicants ship to."""

import pytest

from signals.checks.identity_reuse import identity_reuse
from signals.checks.shipping import shipping
from signals.engine import AddressSnap, CandidateSnapshot, Lookups, OtherCandidate, run_checks
from signals.scoring import default_weights, score_flags
from tests.signals.helpers import URL, MemoryLookups, applicant, others, scored_flags

HOME = AddressSnap("residential", "1200 Barton Springs Rd", "US",
                   "US|78704|1200 barton springs rd", city="Austin", postal_code="78704")
FARM = AddressSnap("shipping", "48 Industrial Pkwy", "US", "US|89101|48 industrial pkwy",
                   city="Las Vegas", postal_code="89101")
PARENTS = AddressSnap("shipping", "9 Oak Lane", "US", "US|60614|9 oak ln", city="Chicago",
                      postal_code="60614")
ALEX = OtherCandidate(7, "app-7", "Alex Smith")


def snapshot(**fields) -> CandidateSnapshot:
    return CandidateSnapshot(
        **({"id": 1, "full_name": "Dana Whitfield", "location_country": "US"} | fields)
    )


def at_home(address: AddressSnap) -> AddressSnap:
    """The shipping twin of a home address (same match key, other spelling)."""
    return AddressSnap("shipping", address.line1.upper(), address.country, address.match_key)


def farm_shared_with(people) -> MemoryLookups:
    return MemoryLookups({("shipping_address", FARM.match_key): list(people)})


class TestDiffersFromHome:
    def test_it_flags_a_shipping_address_that_is_not_home(self):
        [flag] = shipping(snapshot(addresses=(HOME, FARM)), Lookups())
        assert flag.code == "shipping.differs_from_home"
        assert flag.multiplier == 1.0
        assert flag.summary == ("Equipment would ship to 48 Industrial Pkwy, Las Vegas, 89101, "
                                "US, not to the home address (1200 Barton Springs Rd, Austin, "
                                "78704, US)")
        assert flag.evidence == {
            "shipping_address": FARM.label, "home_addresses": [HOME.label],
            "location_country": "US",
        }

    def test_it_raises_nothing_when_shipping_home(self):
        assert shipping(snapshot(addresses=(HOME, at_home(HOME))), Lookups()) == []

    def test_it_compares_with_the_claimed_country_when_home_is_unknown(self):
        abroad = AddressSnap("shipping", "Hauptstr. 1", "DE", "DE|10115|hauptstr 1")
        [flag] = shipping(snapshot(addresses=(abroad,)), Lookups())
        assert flag.multiplier == 1.0
        assert flag.summary == ("Equipment would ship to Hauptstr. 1, DE in DE, but the "
                                "candidate says they live in US")

    @pytest.mark.parametrize("location", ["US", "", None])
    def test_it_asks_at_half_weight_when_home_is_unknown(self, location):
        [flag] = shipping(snapshot(addresses=(FARM,), location_country=location), Lookups())
        assert flag.code == "shipping.differs_from_home"
        assert flag.multiplier == 0.5
        assert flag.evidence["note"] == "home address unknown"
        assert flag.summary.endswith("; the home address is unknown")

    def test_it_does_not_count_a_mailing_address_as_home(self):
        mailbox = AddressSnap("mailing", "PO Box 5", "US", FARM.match_key)
        [flag] = shipping(snapshot(addresses=(mailbox, FARM)), Lookups())
        assert flag.multiplier == 0.5

    def test_it_flags_each_distinct_shipping_address_once(self):
        flags = shipping(snapshot(addresses=(HOME, FARM, FARM, PARENTS)), Lookups())
        assert [f.evidence["shipping_address"] for f in flags] == [FARM.label, PARENTS.label]


class TestSharedAddress:
    def test_it_flags_other_applicants_shipping_to_the_same_address(self):
        flags = shipping(snapshot(addresses=(HOME, FARM)), farm_shared_with([ALEX]))
        shared = [f for f in flags if f.code == "shipping.shared_address"]
        assert [f.code for f in flags] == ["shipping.differs_from_home",
                                           "shipping.shared_address"]
        assert shared[0].multiplier == 1.0
        assert shared[0].summary == ("Shipping address 48 Industrial Pkwy, Las Vegas, 89101, US "
                                     "is also on 1 other application (Alex Smith)")
        assert shared[0].evidence == {
            "shipping_address": FARM.label, "count": 1, "others": [ALEX.as_evidence()],
            "candidate_lives_there": False,
        }

    @pytest.mark.parametrize("count, multiplier", [(1, 1.0), (2, 1.3), (3, 1.3), (4, 1.6),
                                                   (30, 1.6)])
    def test_it_weighs_the_address_by_how_many_ship_there(self, count, multiplier):
        flags = shipping(snapshot(addresses=(HOME, FARM)), farm_shared_with(others(count)))
        [shared] = [f for f in flags if f.code == "shipping.shared_address"]
        assert shared.multiplier == multiplier
        assert shared.evidence["count"] == count

    def test_it_asks_only_about_shipping_addresses(self):
        lookups = farm_shared_with([ALEX])
        shipping(snapshot(addresses=(HOME, FARM)), lookups)
        assert lookups.asked == [("shipping_address", FARM.match_key)]

    @pytest.mark.parametrize("count", [1, 2])
    def test_it_lets_a_household_ship_to_its_own_home(self, count):
        lookups = MemoryLookups({("shipping_address", HOME.match_key): others(count)})
        assert shipping(snapshot(addresses=(HOME, at_home(HOME))), lookups) == []

    def test_it_flags_a_farm_even_at_the_candidates_own_home(self):
        lookups = MemoryLookups({("shipping_address", HOME.match_key): others(3)})
        [flag] = shipping(snapshot(addresses=(HOME, at_home(HOME))), lookups)
        assert flag.code == "shipping.shared_address"
        assert flag.multiplier == 1.3
        assert flag.evidence["candidate_lives_there"] is True

    def test_it_flags_an_address_several_other_applicants_give_as_home(self):
        # Personas of one farm: some list it as home, this one only ships there.
        residents = others(3)
        lookups = MemoryLookups(presenting={("residential_address", FARM.match_key): residents})
        flags = {f.code: f for f in shipping(snapshot(addresses=(HOME, FARM)), lookups)}
        shared = flags["shipping.shared_address"]
        assert shared.evidence["count"] == 3
        assert shared.evidence["living_there"] == [o.as_evidence() for o in residents]
        assert "3 of them give it as their home" in shared.summary
        assert shared.multiplier == 1.3

    def test_it_counts_shippers_and_residents_once_each(self):
        alex_twice = MemoryLookups(
            {("shipping_address", FARM.match_key): [ALEX]},
            presenting={("residential_address", FARM.match_key): [ALEX]},
        )
        [_, shared] = shipping(snapshot(addresses=(HOME, FARM)), alex_twice)
        assert shared.evidence["count"] == 1 and "living_there" not in shared.evidence

    def test_it_does_not_count_a_re_application_under_the_same_name(self):
        again = OtherCandidate(9, "lever-9", "WHITFIELD, Dana")
        flags = shipping(snapshot(addresses=(HOME, FARM)), farm_shared_with([again]))
        assert [f.code for f in flags] == ["shipping.differs_from_home"]

    def test_it_ignores_the_candidate_itself_in_the_answer(self):
        me = OtherCandidate(1, "app-1", "Someone Else")
        flags = shipping(snapshot(addresses=(HOME, FARM)), farm_shared_with([me]))
        assert [f.code for f in flags] == ["shipping.differs_from_home"]


class TestShippingLookAlikes:
    def test_it_only_asks_about_a_person_shipping_to_their_parents(self):
        # A sibling lives at the parents' house: that is their home, not a shipping drop.
        sibling = OtherCandidate(5, "app-5", "Sam Whitfield")
        lookups = MemoryLookups(presenting={("residential_address", PARENTS.match_key): [sibling]})
        flags = shipping(snapshot(addresses=(HOME, PARENTS)), lookups)
        assert [f.code for f in flags] == ["shipping.differs_from_home"]
        assert flags[0].spec.severity == "medium"


class TestShippingBadData:
    def test_it_returns_nothing_for_an_empty_snapshot(self):
        assert shipping(CandidateSnapshot(id=1, full_name=""), Lookups()) == []

    def test_it_returns_nothing_without_a_shipping_address(self):
        mailbox = AddressSnap("mailing", "PO Box 5", "US", "US|78704|po box 5")
        assert shipping(snapshot(addresses=(HOME, mailbox)), farm_shared_with([ALEX])) == []

    def test_it_skips_addresses_without_a_match_key(self):
        keyless = AddressSnap("shipping", "somewhere", "", "")
        lookups = MemoryLookups()
        assert shipping(snapshot(addresses=(HOME, keyless)), lookups) == []
        assert lookups.asked == []

    def test_it_survives_none_values(self):
        odd = AddressSnap("shipping", None, None, "XX||?", city=None, postal_code=None)
        flags = shipping(CandidateSnapshot(id=1, full_name=None, location_country=None,
                                           addresses=(odd, None)), farm_shared_with([ALEX]))
        assert [f.multiplier for f in flags] == [0.5]

    def test_it_never_fails_in_the_engine(self):
        odd = snapshot(addresses=(AddressSnap("shipping", "", "", "k"), None), full_name=None)
        results = run_checks(odd, MemoryLookups({("shipping_address", "k"): [ALEX]}),
                             {"shipping": shipping})
        assert results.failed == []


class TestLaptopFarmRingCombo:
    PHONE = ("phone", "+15125550199", "+15125550199")
    IP = ("ip", "203.0.113.7", "203.0.113.7")

    def score(self, identifiers, shared):
        snap = snapshot(addresses=(HOME, FARM), identifiers=identifiers)
        lookups = MemoryLookups(shared)
        flags = shipping(snap, lookups) + identity_reuse(snap, lookups)
        return {f["code"]: f for f in score_flags(flags, default_weights()).flags}

    def test_it_adds_the_ring_bonus_for_a_shared_address_and_a_strong_reuse(self):
        flags = self.score((self.PHONE,), {("shipping_address", FARM.match_key): [ALEX],
                                           self.PHONE[:2]: [ALEX]})
        assert {"shipping.shared_address", "reuse.phone", "combo.laptop_farm_ring"} <= set(flags)
        assert flags["combo.laptop_farm_ring"]["points"] == 30
        assert flags["combo.laptop_farm_ring"]["evidence"] == {
            "together": ["shipping.shared_address", "reuse:high"]
        }

    def test_it_gives_no_ring_bonus_for_a_shared_ip(self):
        flags = self.score((self.IP,), {("shipping_address", FARM.match_key): [ALEX],
                                        self.IP[:2]: [ALEX]})
        assert "reuse.ip" in flags and "shipping.shared_address" in flags
        assert "combo.laptop_farm_ring" not in flags

    def test_it_gives_no_ring_bonus_without_a_shared_address(self):
        flags = self.score((self.PHONE,), {self.PHONE[:2]: [ALEX]})
        assert "shipping.differs_from_home" in flags and "reuse.phone" in flags
        assert "combo.laptop_farm_ring" not in flags


def with_shipping(n: int, line1: str, city: str, postal_code: str) -> list[dict]:
    return [
        {"kind": "residential", "line1": f"{n} Elm Street", "city": "Austin",
         "postal_code": "78704", "country": "US"},
        {"kind": "shipping", "line1": line1, "city": city, "postal_code": postal_code,
         "country": "US"},
    ]


@pytest.mark.django_db
class TestShippingScoring:
    def test_it_flags_a_laptop_farm_ring_posted_through_the_api(self, api):
        bank = [{"method": "bank", "account_number": "987654321", "routing_number": "111000025",
                 "bank_country": "US", "holder_name": "Dana Whitfield"}]
        first = api.post(URL, applicant(
            1, "Dana Whitfield", payment_accounts=bank,
            addresses=with_shipping(1, "48 Industrial Parkway", "Las Vegas", "89101"),
        ), format="json").json()
        flags = scored_flags(api, applicant(
            2, "Lee Park", payment_accounts=bank,
            addresses=with_shipping(2, "48 industrial pkwy.", "LAS VEGAS", "89101"),
        ))
        assert {"shipping.differs_from_home", "shipping.shared_address", "reuse.bank_account",
                "combo.laptop_farm_ring"} <= set(flags)
        assert "reuse.shipping_address" not in flags
        evidence = flags["shipping.shared_address"]["evidence"]
        assert evidence["count"] == 1
        assert evidence["others"] == [{"id": first["id"], "external_id": first["external_id"],
                                       "full_name": "Dana Whitfield"}]
        assert flags["reuse.bank_account"]["evidence"]["identifier"] == "Bank account …4321"

    def test_it_finds_a_farm_that_other_personas_give_as_home(self, api):
        farm = {"kind": "residential", "line1": "48 Industrial Pkwy", "city": "Las Vegas",
                "postal_code": "89101", "country": "US"}
        for n, name in ((1, "Kevin Marlow"), (2, "Jason Tillery"), (3, "Brian Oakes")):
            api.post(URL, applicant(n, name, addresses=[farm]), format="json")
        flags = scored_flags(api, applicant(
            4, "Eric Dunmore", addresses=with_shipping(4, "48 Industrial Parkway", "Las Vegas",
                                                       "89101"),
        ))
        shared = flags["shipping.shared_address"]
        assert len(shared["evidence"]["living_there"]) == 3

    def test_it_only_asks_about_a_person_shipping_to_their_parents(self, api):
        api.post(URL, applicant(1, "Sam Whitfield", addresses=[
            {"kind": "residential", "line1": "9 Oak Lane", "city": "Chicago",
             "postal_code": "60614", "country": "US"},
        ]), format="json")
        flags = scored_flags(api, applicant(
            2, "Dana Whitfield", addresses=with_shipping(2, "9 Oak Lane", "Chicago", "60614"),
        ))
        assert {c for c in flags if c.startswith(("shipping.", "reuse.", "combo."))} == {
            "shipping.differs_from_home"
        }
        assert flags["shipping.differs_from_home"]["points"] == 12
