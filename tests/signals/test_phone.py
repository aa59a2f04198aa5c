"""The phone check: made-up numbers, foreign numbers and VoIP numbers (THREATS E1, E2)."""

import pytest

from candidates.models import Candidate
from candidates.normalize import parse_phone
from signals.checks.phone import phone_check
from signals.engine import CandidateSnapshot, Lookups, PhoneSnap
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"


def phone(raw: str, default_region: str | None = None) -> PhoneSnap:
    """A phone as the API stores it: parsed and typed by libphonenumber."""
    info = parse_phone(raw, default_region)
    return PhoneSnap(info.e164, info.region, info.number_type, info.is_valid)


def flags(*phones: PhoneSnap, country: str = "US") -> dict:
    snapshot = CandidateSnapshot(id=1, full_name="Dana Whitfield", location_country=country,
                                 phones=phones)
    return {flag.code: flag for flag in phone_check(snapshot, Lookups())}


class TestInvalid:
    def test_it_flags_a_possible_number_in_an_unassigned_range(self):
        found = flags(phone("+1 212 000 0000"))
        assert set(found) == {"phone.invalid"}
        assert found["phone.invalid"].evidence == {"phones": ["+12120000000"]}

    def test_it_does_not_flag_an_assigned_number(self):
        assert flags(phone("+1 512 555 0142")) == {}

    def test_it_says_nothing_else_about_an_invalid_number(self):
        # A made-up UK number for a US resident: no real country or type to compare.
        found = flags(phone("+44 7700 900123"))
        assert set(found) == {"phone.invalid"}


class TestCountryMismatch:
    def test_it_flags_a_number_from_another_country(self):
        found = flags(phone("+44 20 7946 0958"), country="US")
        assert set(found) == {"phone.country_mismatch"}
        flag = found["phone.country_mismatch"]
        assert flag.evidence == {"phones": [{"e164": "+442079460958", "region": "GB"}],
                                 "location_country": "US"}
        assert "GB" in flag.summary and "US" in flag.summary

    def test_it_does_not_flag_a_uk_number_for_a_uk_resident(self):
        assert flags(phone("020 7946 0958", "GB"), country="GB") == {}

    def test_it_does_not_flag_a_channel_islands_mobile_for_a_uk_resident(self):
        number = phone("+44 7781 123456")
        assert number.region == "GG"  # libphonenumber's region: Guernsey, in the UK plan
        assert flags(number, country="GB") == {}

    def test_it_compares_country_codes_in_any_case(self):
        assert flags(PhoneSnap("+442079460958", "gb", "FIXED_LINE", True), country="GB") == {}

    def test_it_ignores_a_candidate_without_a_claimed_country(self):
        assert flags(phone("+44 20 7946 0958"), country="") == {}

    def test_it_ignores_non_geographic_numbers(self):
        number = phone("+800 1234 5678")
        assert number.region == ""  # a global service number belongs to no country
        assert flags(number, country="US") == {}
        assert flags(PhoneSnap("+80012345678", "", "TOLL_FREE", True), country="US") == {}


class TestVoip:
    def test_it_flags_a_uk_voip_number(self):
        found = flags(phone("+44 56 1234 5678"), country="GB")
        assert set(found) == {"phone.voip"}
        assert found["phone.voip"].evidence == {
            "phones": [{"e164": "+445612345678", "region": "GB"}]}

    def test_it_flags_a_foreign_voip_number_twice_over(self):
        assert set(flags(phone("+44 56 1234 5678"), country="US")) == {
            "phone.voip", "phone.country_mismatch"}

    def test_it_says_nothing_about_us_numbers_it_cannot_type_offline(self):
        # Google Voice and TextNow numbers look like any US number to libphonenumber.
        number = phone("+1 512 555 0142")
        assert number.number_type == "FIXED_LINE_OR_MOBILE"
        assert flags(number, country="US") == {}

    def test_it_raises_one_flag_for_several_voip_numbers(self):
        found = flags(phone("+44 56 1234 5678"), phone("+44 56 1234 5679"), country="GB")
        assert len(found["phone.voip"].evidence["phones"]) == 2


class TestMissingOrMalformed:
    def test_it_says_nothing_without_a_phone(self):
        assert flags() == {}

    def test_it_never_raises_on_odd_stored_values(self):
        odd = PhoneSnap("", "", "", True), PhoneSnap("+1", "ZZ", "UNKNOWN", True)
        assert flags(*odd, country="US") == {}


@pytest.mark.django_db
class TestInThePipeline:
    CODES = {"phone.invalid", "phone.country_mismatch", "phone.voip"}

    def test_it_flags_a_posted_candidate(self, api):
        payload = CandidatePayloadFactory(phone="+44 56 1234 5678")  # lives in the US
        response = api.post(URL, payload, format="json")
        assert response.status_code == 201
        candidate_id = response.json()["id"]
        candidate_score(candidate_id=candidate_id)
        codes = {f["code"] for f in Candidate.objects.get(pk=candidate_id).risk_flags}
        assert {"phone.voip", "phone.country_mismatch"} <= codes
        assert "phone.invalid" not in codes

    def test_it_does_not_flag_the_default_honest_candidate(self, api):
        candidate_id = api.post(URL, CandidatePayloadFactory(), format="json").json()["id"]
        candidate_score(candidate_id=candidate_id)
        codes = {f["code"] for f in Candidate.objects.get(pk=candidate_id).risk_flags}
        assert not codes & self.CODES
