"""Entity resolution (signals.resolution): one person, one household, or different persons,
and what the reuse check scores for each (issue 10)."""

from signals.checks.identity_reuse import identity_reuse
from signals.engine import CandidateSnapshot, OtherCandidate, PaymentSnap
from signals.resolution import (
    DISTINCT,
    HOUSEHOLD,
    SAME_PERSON,
    names_agree,
    resolve,
)
from signals.scoring import default_weights, score_flags
from tests.signals.helpers import MemoryLookups

EMAIL = ("email", "dana@example.org", "dana@example.org")
PHONE = ("phone", "+15125550199", "+15125550199")
BANK = ("bank_account", "f" * 64, "IBAN …3000")
HOME = ("residential_address", "US|78704|1 elm st", "1 Elm St, Austin")
IP = ("ip", "203.0.113.7", "203.0.113.7")


class CorrectingLookups(MemoryLookups):
    def __init__(self, shared, corrections=()):
        super().__init__(shared)
        self.corrections = list(corrections)

    def resolution_corrections(self, candidate_id):
        return self.corrections


def dana(*identifiers, payments=(), name="Dana Whitfield") -> CandidateSnapshot:
    return CandidateSnapshot(id=1, full_name=name, identifiers=tuple(identifiers),
                             payments=tuple(payments))


def shared_with(other, *identifiers) -> dict:
    return {identifier[:2]: [other] for identifier in identifiers}


def scored(snapshot, lookups):
    flags = identity_reuse(snapshot, lookups)
    return flags, score_flags(flags, default_weights())


class TestSamePerson:
    def test_it_resolves_a_re_application_under_the_same_name_as_one_person(self):
        again = OtherCandidate(9, "lever-9", "Whitfield, Dana")
        lookups = MemoryLookups(shared_with(again, EMAIL, PHONE, BANK))
        snapshot = dana(EMAIL, PHONE, BANK)
        assert resolve(snapshot, lookups).relation(9) == SAME_PERSON
        flags, result = scored(snapshot, lookups)
        assert [f.code for f in flags] == ["entity.same_person"]
        assert flags[0].summary.startswith("Same person, applied 2 times")
        assert result.score == 0 and result.level == "low"

    def test_the_same_person_under_another_name_is_a_ring_and_scores_high(self):
        persona = OtherCandidate(9, "lever-9", "Lee Park")
        lookups = MemoryLookups(shared_with(persona, EMAIL, PHONE, BANK))
        snapshot = dana(EMAIL, PHONE, BANK)
        assert resolve(snapshot, lookups).relation(9) == DISTINCT
        flags, result = scored(snapshot, lookups)
        assert {f.code for f in flags} == {"reuse.email", "reuse.phone", "reuse.bank_account"}
        assert result.level in ("high", "critical")

    def test_names_agree_with_a_middle_initial_but_not_with_another_first_name(self):
        assert names_agree("Dana J. Whitfield", "Dana Whitfield")
        assert names_agree("José García Navarro", "Jose Garcia Navarro")
        assert not names_agree("Sam Whitfield", "Dana Whitfield")
        assert not names_agree("", "")


class TestHousehold:
    def test_a_couple_with_one_surname_one_home_and_a_joint_account_is_a_household(self):
        spouse = OtherCandidate(9, "gh-9", "Sam Whitfield")
        lookups = MemoryLookups(shared_with(spouse, HOME, IP, BANK))
        snapshot = dana(HOME, IP, BANK)
        assert resolve(snapshot, lookups).relation(9) == HOUSEHOLD
        flags, result = scored(snapshot, lookups)
        assert [f.code for f in flags] == ["entity.household"]
        assert flags[0].summary.startswith("Household of 2: Sam Whitfield (one home and the "
                                           "surname Whitfield")
        assert result.score == 0

    def test_a_joint_account_naming_both_makes_a_household_without_a_common_surname(self):
        partner = OtherCandidate(9, "gh-9", "Lee Park")
        lookups = MemoryLookups(shared_with(partner, HOME, BANK))
        joint = PaymentSnap(method="bank", holder_name="Dana Whitfield & Lee Park",
                            account_key="f" * 64)
        snapshot = dana(HOME, BANK, payments=[joint])
        assert resolve(snapshot, lookups).relation(9) == HOUSEHOLD
        assert "joint account naming both" in resolve(snapshot, lookups).ties[9].why
        assert score_flags(identity_reuse(snapshot, lookups), default_weights()).score == 0

    def test_a_shared_account_without_a_shared_home_is_not_a_household(self):
        namesake = OtherCandidate(9, "gh-9", "Sam Whitfield")  # a surname is not enough alone
        lookups = MemoryLookups(shared_with(namesake, BANK))
        snapshot = dana(BANK)
        assert resolve(snapshot, lookups).relation(9) == DISTINCT
        assert [f.code for f in identity_reuse(snapshot, lookups)] == ["reuse.bank_account"]

    def test_a_family_of_many_at_one_home_is_a_farm_not_a_household(self):
        family = [OtherCandidate(10 + i, f"gh-{i}", f"{first} Whitfield")
                  for i, first in enumerate(("Sam", "Alex", "Jo", "Kim", "Ray"))]
        lookups = MemoryLookups({HOME[:2]: family})
        resolution = resolve(dana(HOME), lookups)
        assert {resolution.relation(o.id) for o in family} == {DISTINCT}


class TestUnrelatedPeopleSharingAPhone:
    def test_two_strangers_on_one_phone_are_different_persons_and_it_scores(self):
        stranger = OtherCandidate(9, "gh-9", "Lee Park")
        lookups = MemoryLookups(shared_with(stranger, PHONE))
        snapshot = dana(PHONE)
        assert resolve(snapshot, lookups).relation(9) == DISTINCT
        flags, result = scored(snapshot, lookups)
        assert [f.code for f in flags] == ["reuse.phone"]
        assert result.score > 0

    def test_records_of_one_other_person_count_once(self):
        twice = [OtherCandidate(9, "gh-9", "Lee Park"), OtherCandidate(10, "lv-10", "LEE PARK")]
        [flag] = identity_reuse(dana(PHONE), MemoryLookups({PHONE[:2]: twice}))
        assert flag.evidence["persons"] == 1 and flag.multiplier == 1.0


class TestRecruiterCorrections:
    def test_not_the_same_person_overrides_an_agreeing_name(self):
        namesake = OtherCandidate(9, "gh-9", "Dana Whitfield")
        lookups = CorrectingLookups(shared_with(namesake, PHONE), [(namesake, "different")])
        snapshot = dana(PHONE)
        tie = resolve(snapshot, lookups).ties[9]
        assert (tie.relation, tie.corrected) == (DISTINCT, True)
        assert [f.code for f in identity_reuse(snapshot, lookups)] == ["reuse.phone"]

    def test_same_person_overrides_a_changed_name(self):
        married = OtherCandidate(9, "gh-9", "Dana Park")
        lookups = CorrectingLookups(shared_with(married, EMAIL), [(married, "same")])
        flags = identity_reuse(dana(EMAIL), lookups)
        assert [f.code for f in flags] == ["entity.same_person"]
        assert "a recruiter confirmed" in flags[0].summary
