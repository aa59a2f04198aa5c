"""The phone line-type check (THREATS E1): VoIP numbers that offline data cannot type, per
the optional provider; without one, a note that VoIP could not be determined."""

import pytest

from candidates.models import Candidate
from intel import linetype, ratelimit
from signals.checks.line_type import phone_line_type_check
from signals.engine import CandidateSnapshot, CheckPending, Lookups, PhoneSnap, run_checks
from signals.scoring import default_weights, score_flags
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

US = PhoneSnap("+15125550142", "US", "FIXED_LINE_OR_MOBILE", True)
US_2 = PhoneSnap("+12025550123", "US", "FIXED_LINE_OR_MOBILE", True)
UK_VOIP = PhoneSnap("+445612345678", "GB", "VOIP", True)
UK_MOBILE = PhoneSnap("+447400123456", "GB", "MOBILE", True)
INVALID = PhoneSnap("+15555550100", "US", "UNKNOWN", False)


class ProviderLookups(Lookups):
    """Line types from memory: e164 -> (type, carrier), or an exception to raise."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def phone_line_type(self, e164):
        self.asked.append(e164)
        answer = self.answers.get(e164, ("", ""))
        if isinstance(answer, Exception):
            raise answer
        return answer[0]

    def phone_carrier(self, e164):
        return self.answers.get(e164, ("", ""))[1]


def flags(*phones, lookups=None):
    snapshot = CandidateSnapshot(id=1, full_name="Dana Whitfield", phones=phones)
    return {f.code: f for f in phone_line_type_check(snapshot, lookups or Lookups())}


class TestWithAProvider:
    @pytest.mark.parametrize("kind", ["nonFixedVoip", "fixedVoip"])
    def test_it_flags_voip_per_the_provider(self, kind):
        lookups = ProviderLookups({US.e164: (kind, "Google (Grand Central) - SVR")})
        flag = flags(US, lookups=lookups)["phone.voip"]
        assert flag.summary == (f"Phone +15125550142 ({kind}, Google (Grand Central) - SVR) "
                                "is a VoIP number per line-type provider")
        assert flag.evidence["phones"] == [{"e164": US.e164, "region": "US", "line_type": kind,
                                            "carrier": "Google (Grand Central) - SVR"}]

    @pytest.mark.parametrize("kind", ["mobile", "landline", "tollFree", "personal"])
    def test_other_line_types_say_nothing(self, kind):
        assert flags(US, lookups=ProviderLookups({US.e164: (kind, "AT&T")})) == {}

    def test_an_unknown_answer_is_a_note(self):
        found = flags(US, US_2, lookups=ProviderLookups({US.e164: ("", ""),
                                                          US_2.e164: ("mobile", "")}))
        note = found["phone.line_type_unknown"]
        assert note.summary.endswith("the line-type provider did not know the number")
        assert note.evidence["phones"] == [US.e164]

    def test_it_asks_only_about_numbers_offline_data_cannot_type(self):
        lookups = ProviderLookups({})
        flags(US, UK_VOIP, UK_MOBILE, INVALID, lookups=lookups)
        assert lookups.asked == [US.e164]

    def test_offline_voip_is_left_to_the_phone_check(self):
        assert flags(UK_VOIP, lookups=ProviderLookups({UK_VOIP.e164: ("nonFixedVoip", "")})
                     ) == {}

    def test_a_pending_provider_makes_the_check_pending(self):
        lookups = ProviderLookups({US.e164: CheckPending("provider rate limit", 30)})
        snapshot = CandidateSnapshot(id=1, full_name="", phones=(US,))
        results = run_checks(snapshot, lookups, {"phone_line_type": phone_line_type_check})
        assert results.flags == [] and results.pending[0]["retry_after"] == 30


class TestWithoutAProvider:
    def test_a_us_number_gets_the_note(self):
        note = flags(US)["phone.line_type_unknown"]
        assert note.summary == ("VoIP could not be determined for +15125550142: no line-type "
                                "provider configured")
        assert note.spec.severity == "info" and note.spec.points == 0

    def test_the_note_is_shown_and_never_counted(self):
        scored = score_flags(list(flags(US).values()), default_weights())
        assert scored.score == 0 and scored.level == "low"
        assert [(f["code"], f["points"]) for f in scored.flags] == [
            ("phone.line_type_unknown", 0)]

    def test_numbers_typed_offline_get_no_note(self):
        assert flags(UK_VOIP, UK_MOBILE, INVALID) == {}

    def test_a_number_listed_twice_is_noted_once(self):
        assert flags(US, US)["phone.line_type_unknown"].evidence["phones"] == [US.e164]

    def test_odd_stored_values_do_not_crash(self):
        odd = (PhoneSnap("", "", "FIXED_LINE_OR_MOBILE", True), PhoneSnap("+1", "", "", True))
        assert flags(*odd) == {}


# --- In the pipeline, with the provider on a local HTTP server ------------------------------

URL = "/api/v1/candidates/"


@pytest.mark.django_db
class TestInThePipeline:
    def score(self, api) -> list[dict]:
        candidate_id = api.post(URL, CandidatePayloadFactory(), format="json").json()["id"]
        candidate_score(candidate_id=candidate_id)
        return Candidate.objects.get(pk=candidate_id).risk_flags

    def test_a_voip_answer_is_flagged_with_the_carrier(self, api, httpserver, settings):
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "secret"
        settings.TWILIO_LOOKUP_URL = httpserver.url_for("/")
        ratelimit.window_clear(linetype.RATE_LIMIT_NAME)
        httpserver.expect_request("/v2/PhoneNumbers/+15125550142").respond_with_json(
            {"phone_number": "+15125550142", "valid": True, "line_type_intelligence": {
                "type": "nonFixedVoip", "carrier_name": "Google (Grand Central) - SVR"}})
        [voip] = [f for f in self.score(api) if f["code"] == "phone.voip"]
        assert voip["points"] > 0
        assert voip["evidence"]["phones"][0]["carrier"] == "Google (Grand Central) - SVR"
        assert "per line-type provider" in voip["summary"]

    def test_without_a_provider_the_note_is_shown_with_no_points(self, api):
        notes = [f for f in self.score(api) if f["code"] == "phone.line_type_unknown"]
        assert [(n["severity"], n["points"]) for n in notes] == [("info", 0)]
