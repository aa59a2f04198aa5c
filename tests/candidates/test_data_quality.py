"""Evidence a person typed that does not normalise is stored as typed and flagged, never a
reason to lose the applicant (issue 10, item 2); malformed values keep a reuse key."""

import pytest
from django.db import connection

from candidates.models import Address, Candidate, Identifier, PaymentAccount, Phone, Profile
from candidates.normalize import parse_phone, phone_fallback_key, profile_fallback_key
from review.selectors import queue_base
from signals.checks.data_quality import data_quality
from signals.checks.phone import phone_check
from signals.engine import CandidateSnapshot, Lookups, PaymentSnap, PhoneSnap
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory
from tests.review.factories import client_for, user_make
from tests.signals.helpers import applicant

pytestmark = pytest.mark.django_db
URL = "/api/v1/candidates/"


def post(api, payload):
    return api.post(URL, payload, format="json")


def created(api, payload) -> int:
    response = post(api, payload)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def scored(candidate_id: int) -> Candidate:
    candidate_score(candidate_id=candidate_id)
    return Candidate.objects.get(pk=candidate_id)


def codes(flags: list[dict]) -> set[str]:
    return {flag["code"] for flag in flags}


def stored_phone(candidate_id):
    phone = Phone.objects.get(candidate_id=candidate_id)
    assert (phone.raw, phone.e164) == ("+1 512 555", "")
    assert phone.data_issues[0]["kind"] == "phone_unparseable"


def stored_phone_without_country(candidate_id):
    assert Phone.objects.get(candidate_id=candidate_id).raw == "555 0142"


def stored_iban(candidate_id):
    account = PaymentAccount.objects.get(candidate_id=candidate_id)
    assert account.iban_last4 == "3001" and len(account.iban_fingerprint) == 64
    assert account.iban_country == ""  # nothing is read from a number that does not validate


def stored_account_number(candidate_id):
    account = PaymentAccount.objects.get(candidate_id=candidate_id)
    assert account.account_last4 == "5544" and len(account.account_fingerprint) == 64


def stored_bank_country(candidate_id):
    account = PaymentAccount.objects.get(candidate_id=candidate_id)
    assert (account.bank_country, account.iban_country) == ("DE", "DE")


def stored_streetless_address(candidate_id):
    address = Address.objects.get(candidate_id=candidate_id)
    assert (address.line1, address.match_key) == ("-", "")


def stored_bad_postal_code(candidate_id):
    address = Address.objects.get(candidate_id=candidate_id)
    assert address.postal_code == "7870" and address.match_key.startswith("US|7870|")


def stored_gitlab_link(candidate_id):
    profile = Profile.objects.get(candidate_id=candidate_id, network="github")
    assert (profile.url, profile.username) == ("https://gitlab.com/Dana", "")


def stored_name_for_linkedin(candidate_id):
    profile = Profile.objects.get(candidate_id=candidate_id, network="linkedin")
    assert (profile.url, profile.username) == ("Dana Whitfield", "")


NOTHING_ELSE = {"addresses": [], "payment_accounts": [], "employment_history": []}
CASES = [
    ("phone no country reads", {"phone": "+1 512 555"}, "data.phone_unparseable",
     stored_phone),
    ("phone with no country anywhere in the record",
     {"phone": "555 0142", "location": {}, **NOTHING_ELSE}, "data.phone_unparseable",
     stored_phone_without_country),
    ("IBAN failing its check digits",
     {"payment_accounts": [{"method": "bank", "iban": "DE89 3704 0044 0532 0130 01"}]},
     "data.iban_invalid", stored_iban),
    ("account number with stray characters",
     {"payment_accounts": [{"method": "wise", "account_number": "9988-7766/5544",
                            "bank_country": "US"}]},
     "data.account_number_invalid", stored_account_number),
    ("bank country contradicting the IBAN",
     {"payment_accounts": [{"method": "bank", "iban": "DE89370400440532013000",
                            "bank_country": "FR"}]},
     "data.bank_country_conflict", stored_bank_country),
    ("address without a street",
     {"addresses": [{"kind": "residential", "line1": "-", "city": "Austin",
                     "postal_code": "78704", "country": "US"}]},
     "data.address_unparsed", stored_streetless_address),
    ("postal code not in the country's format",
     {"addresses": [{"kind": "residential", "line1": "12 Elm Street", "city": "Austin",
                     "postal_code": "7870", "country": "US"}]},
     "data.address_unparsed", stored_bad_postal_code),
    ("GitLab link in the GitHub box",
     {"profiles": [{"network": "github", "url": "https://gitlab.com/Dana"}]},
     "data.profile_unrecognised", stored_gitlab_link),
    ("a name in the LinkedIn box",
     {"profiles": [{"network": "linkedin", "url": "Dana Whitfield"}]},
     "data.profile_unrecognised", stored_name_for_linkedin),
]


class TestStoredFlaggedScored:
    @pytest.mark.parametrize("case, change, code, stored", CASES, ids=[c[0] for c in CASES])
    def test_it_stores_flags_and_scores_the_applicant(self, api, case, change, code, stored):
        response = post(api, CandidatePayloadFactory(**change))
        assert response.status_code == 201, response.json()  # nothing lost
        candidate_id = response.json()["id"]
        assert Candidate.objects.count() == 1
        stored(candidate_id)
        candidate = scored(candidate_id)
        assert code in codes(candidate.risk_flags)
        # Weak on its own: an honest typo does not lift anyone out of low.
        assert candidate.risk_level == "low"
        assert candidate in queue_base()
        risk = api.get(f"{URL}{candidate_id}/").json()["risk"]
        assert risk["status"] == "scored" and code in codes(risk["flags"])

    def test_the_api_shows_the_phone_and_profile_as_typed(self, api):
        body = post(api, CandidatePayloadFactory(
            phone="+1 512 555", profiles=[{"network": "linkedin", "url": "Dana Whitfield"}],
        )).json()
        assert body["phone"] == "+1 512 555"
        assert body["profiles"][0]["url"] == "Dana Whitfield"

    def test_a_clean_record_raises_no_data_quality_flag(self, api):
        candidate = scored(created(api, CandidatePayloadFactory()))
        assert not any(code.startswith("data.") for code in codes(candidate.risk_flags))

    def test_it_still_refuses_a_script_url(self, api):
        # An attack, not a typo: nothing is stored.
        response = post(api, CandidatePayloadFactory(
            profiles=[{"network": "linkedin", "url": "javascript:alert(1)"}]))
        assert response.status_code == 400
        assert not Candidate.objects.exists()

    def test_an_upsert_with_a_fixed_phone_drops_the_flag(self, api):
        first = CandidatePayloadFactory(external_id="fix-me", phone="+1 512 555")
        candidate_id = created(api, first)
        assert "data.phone_unparseable" in codes(scored(candidate_id).risk_flags)
        post(api, {**first, "phone": "+1 512 555 0142"})
        assert "data.phone_unparseable" not in codes(scored(candidate_id).risk_flags)


class TestReuseStillMatches:
    """A malformed value keeps a stable key, so a deliberate typo dodges nothing."""

    def test_two_applicants_typing_the_same_malformed_phone_are_linked(self, api):
        created(api, applicant(1, "Ann Lee", phone="+1 512 555"))
        second = created(api, applicant(2, "Bo Chen", phone="1-512-555"))
        flags = {f["code"]: f for f in scored(second).risk_flags}
        assert "data.phone_unparseable" in flags
        assert flags["reuse.phone"]["evidence"]["count"] == 1
        assert Identifier.objects.filter(kind="phone", key="1512555").count() == 2

    def test_the_same_mistyped_iban_is_one_account(self, api):
        bad = "GB82 WEST 1234 5698 7654 33"
        created(api, applicant(1, "Ann Lee", payment_accounts=[{"method": "bank",
                                                                "iban": bad}]))
        second = created(api, applicant(2, "Bo Chen", payment_accounts=[
            {"method": "bank", "iban": bad.replace(" ", "").lower()}]))
        assert {"reuse.bank_account", "data.iban_invalid"} <= codes(scored(second).risk_flags)

    def test_the_same_unrecognised_profile_is_one_profile(self, api):
        created(api, applicant(1, "Ann Lee", profiles=[
            {"network": "github", "url": "https://gitlab.com/annlee"}]))
        second = created(api, applicant(2, "Bo Chen", profiles=[
            {"network": "github", "url": "gitlab.com/AnnLee/"}]))
        assert "reuse.github" in codes(scored(second).risk_flags)

    def test_placeholder_phones_link_no_one(self, api):
        created(api, applicant(1, "Ann Lee", phone="000 0000"))
        second = created(api, applicant(2, "Bo Chen", phone="000-0000"))
        flags = codes(scored(second).risk_flags)
        assert "data.phone_unparseable" in flags and "reuse.phone" not in flags

    def test_a_streetless_address_links_no_one(self, api):
        home = {"kind": "residential", "line1": "n/a -", "city": "Austin",
                "postal_code": "78704", "country": "US"}
        created(api, applicant(1, "Ann Lee", addresses=[home | {"line1": "-"}]))
        second = created(api, applicant(2, "Bo Chen", addresses=[home | {"line1": "."}]))
        assert "reuse.residential_address" not in codes(scored(second).risk_flags)


class TestRelocatedApplicant:
    """A home-country number written the way it is written at home."""

    def test_it_reads_the_phone_for_the_country_of_an_address(self, api):
        payload = applicant(1, "Priya Nair", phone="07412 345678", addresses=[
            {"kind": "residential", "line1": "12 Elm Street", "city": "Austin",
             "postal_code": "78704", "country": "US"},
            {"kind": "mailing", "line1": "3 High Street", "city": "Leeds",
             "postal_code": "LS1 4AP", "country": "GB"}])
        candidate_id = created(api, payload)
        phone = Phone.objects.get(candidate_id=candidate_id)
        assert (phone.e164, phone.region, phone.raw) == ("+447412345678", "GB", "07412 345678")
        assert phone.data_issues == []
        flags = codes(scored(candidate_id).risk_flags)
        assert "phone.country_mismatch" in flags  # the phone check's, as for any UK number
        assert not any(code.startswith("data.") for code in flags)

    def test_it_reads_the_phone_for_the_country_of_the_bank_or_an_employer(self, api):
        by_iban = created(api, applicant(1, "Priya Nair", phone="07412 345678",
                                         payment_accounts=[{"method": "bank",
                                                            "iban": "GB82WEST12345698765432"}]))
        by_job = created(api, applicant(2, "Arjun Rao", phone="98765 43210", employment_history=[
            {"employer": "Infosys", "start": "2015-01", "end": "2020-01", "country": "IN"}]))
        assert Phone.objects.get(candidate_id=by_iban).e164 == "+447412345678"
        assert Phone.objects.get(candidate_id=by_job).e164 == "+919876543210"

    def test_a_number_read_that_way_matches_the_same_number_in_international_form(self, api):
        created(api, applicant(1, "Ann Lee", phone="+44 7412 345678"))
        second = created(api, applicant(2, "Bo Chen", phone="07412 345678", addresses=[
            {"kind": "residential", "line1": "3 High Street", "city": "Leeds",
             "postal_code": "LS1 4AP", "country": "GB"}]))
        assert "reuse.phone" in codes(scored(second).risk_flags)


class TestParsePhone:
    def test_the_claimed_country_wins_when_it_reads_the_number(self):
        # "06 12345678" is a Wiesbaden number in Germany and a Dutch mobile: the claimed
        # residence is the likelier reading.
        assert parse_phone("06 12345678", "DE", ("NL",)).e164 == "+49612345678"

    def test_a_valid_reading_elsewhere_beats_an_unassigned_one_at_home(self):
        info = parse_phone("98765 43210", "US", ("IN",))
        assert (info.e164, info.region, info.is_valid) == ("+919876543210", "IN", True)

    def test_a_leading_00_is_read_as_an_international_prefix(self):
        assert parse_phone("0044 7412 345678", "US").e164 == "+447412345678"

    def test_a_possible_but_unassigned_number_is_kept_as_before(self):
        info = parse_phone("+1 212 000 0000", "US", ("GB",))
        assert (info.e164, info.is_valid, info.problem) == ("+12120000000", False, "")

    def test_an_unreadable_number_says_where_it_was_tried(self):
        info = parse_phone("+1 512 555", "US", ("GB", "DE"))
        assert (info.e164, info.raw) == ("", "+1 512 555")
        assert "US, GB, DE" in info.problem

    @pytest.mark.parametrize("raw, key", [
        ("+1 (512) 555", "1512555"), ("1512555", "1512555"), ("000 0000", ""),
        ("1111111", ""), ("12 34", ""), ("n/a", ""),
    ])
    def test_the_reuse_key_of_an_unreadable_number_is_its_digits(self, raw, key):
        assert phone_fallback_key(raw) == key

    @pytest.mark.parametrize("text, key", [
        ("https://www.GitLab.com/X/", "gitlab.com/x"), ("Dana  Whitfield", "danawhitfield"),
        ("-", ""),
    ])
    def test_the_reuse_key_of_an_unrecognised_profile_is_its_folded_text(self, text, key):
        assert profile_fallback_key(text) == key


class TestChecks:
    def test_one_flag_per_kind_naming_what_was_typed(self):
        snapshot = CandidateSnapshot(
            id=1, full_name="Dana Whitfield",
            phones=(PhoneSnap("", "", "", False, "+1 512 555",
                              (("phone_unparseable", "Not a phone number."),)),),
            payments=(PaymentSnap("bank", last4="3001",
                                  data_issues=(("iban_invalid", "check digits"),)),
                      PaymentSnap("wise", last4="5544",
                                  data_issues=(("iban_invalid", "length"),))),
        )
        flags = {flag.code: flag for flag in data_quality(snapshot, Lookups())}
        assert set(flags) == {"data.phone_unparseable", "data.iban_invalid"}
        assert "+1 512 555" in flags["data.phone_unparseable"].summary
        assert [i["last4"] for i in flags["data.iban_invalid"].evidence["items"]] == [
            "3001", "5544"]

    def test_the_phone_check_leaves_an_unread_number_to_the_data_quality_check(self):
        snapshot = CandidateSnapshot(id=1, full_name="Dana Whitfield", location_country="US",
                                     phones=(PhoneSnap("", "", "", False, "+1 512 555"),))
        assert phone_check(snapshot, Lookups()) == []


class TestAccountNumbersNeverInClear:
    def test_mistyped_account_numbers_are_nowhere_in_clear(self, api):
        iban, account, routing = "DE89 3704 0044 0532 0130 01", "9988-7766/5544", "0260/09593"
        response = post(api, CandidatePayloadFactory(payment_accounts=[
            {"method": "bank", "iban": iban},
            {"method": "wise", "account_number": account, "routing_number": routing,
             "bank_country": "US"},
        ]), )
        assert response.status_code == 201
        candidate = scored(response.json()["id"])
        assert "data.iban_invalid" in codes(candidate.risk_flags)
        secrets = (iban, iban.replace(" ", ""), "0532013001", account, "99887766",
                   "998877665544", routing, "026009593")
        answers = response.content.decode() + api.get(f"{URL}{candidate.pk}/").content.decode()
        # Every table of every app: the evidence, the identifiers, the flags, score history.
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
                dump = " ".join(row[0] for row in cursor.fetchall())
                for secret in secrets:
                    assert secret not in dump, f"{secret} found in {table}"
                    assert secret not in answers


class TestCandidatePage:
    def test_it_shows_values_as_typed_and_never_links_an_unrecognised_profile(self, api):
        candidate_id = created(api, CandidatePayloadFactory(
            phone="+1 512 555",
            profiles=[{"network": "linkedin", "url": "Dana Whitfield"},
                      {"network": "github", "url": "https://github.com/danawhit"}]))
        scored(candidate_id)
        page = client_for(user_make("rita", "recruiter")).get(f"/candidates/{candidate_id}/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "+1 512 555" in html and "could not be read" in html
        assert "Dana Whitfield <span class=\"muted\">as typed · not recognised" in html
        assert 'href="Dana Whitfield"' not in html
        assert 'href="https://github.com/danawhit"' in html
