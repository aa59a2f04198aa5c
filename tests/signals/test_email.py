"""The email check: disposable domains, persona patterns and other people's names (THREATS
B3, B4). The last two are weak heuristics, so most tests here are honest addresses that must
stay unflagged."""

import pytest

from candidates.models import Candidate
from candidates.normalize import canonical_email
from signals.checks.email import email_check
from signals.engine import CandidateSnapshot, EmailSnap, Lookups
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"


def email(address: str) -> EmailSnap:
    """An email as the API stores it."""
    canonical = canonical_email(address)
    return EmailSnap(address, canonical, canonical.rpartition("@")[2])


def flags(address: str | None, name: str = "Dana Whitfield") -> dict:
    emails = (email(address),) if address is not None else ()
    snapshot = CandidateSnapshot(id=1, full_name=name, emails=emails)
    return {flag.code: flag for flag in email_check(snapshot, Lookups())}


class TestDisposable:
    def test_it_flags_a_disposable_domain(self):
        found = flags("dana.whitfield@mailinator.com")
        assert "email.disposable" in found
        assert found["email.disposable"].evidence == {
            "address": "dana.whitfield@mailinator.com", "domain": "mailinator.com"}

    def test_it_flags_a_subdomain_of_a_disposable_domain(self):
        assert "email.disposable" in flags("dana@inbox.yopmail.com")

    def test_it_matches_the_domain_in_any_case(self):
        assert "email.disposable" in flags("Dana@MAILINATOR.COM")

    @pytest.mark.parametrize("address", [
        "dana.whitfield@gmail.com", "dana@whitfield.dev", "dana.whitfield@proton.me",
        "d.whitfield@acme.co.uk",
    ])
    def test_it_does_not_flag_permanent_mailboxes(self, address):
        assert "email.disposable" not in flags(address)


class TestPersonaPattern:
    @pytest.mark.parametrize("address", [
        "johnsmith1987@gmail.com", "john.smith87@outlook.com", "j_smith_2024@hotmail.com",
        "danawhitfield2291@yahoo.co.uk",
    ])
    def test_it_flags_a_name_followed_by_digits_on_webmail(self, address):
        assert "email.persona_pattern" in flags(address)

    @pytest.mark.parametrize("address, word", [
        ("danadev@gmail.com", "dev"), ("dana.whitfield.eng@proton.me", "eng"),
        ("dev.dana@icloud.com", "dev"), ("whitfieldsol@protonmail.com", "sol"),
    ])
    def test_it_flags_developer_role_words_on_webmail(self, address, word):
        flag = flags(address)["email.persona_pattern"]
        assert flag.evidence["pattern"] == f"role word '{word}'"

    def test_it_flags_a_hex_prefix(self):
        assert flags("0xdana@proton.me")["email.persona_pattern"].evidence["pattern"] == (
            "0x prefix")

    def test_it_does_not_flag_a_plain_name_on_gmail(self):
        assert flags("dana.whitfield@gmail.com") == {}

    def test_it_does_not_flag_the_pattern_on_an_own_domain(self):
        assert flags("dana1987@whitfield.dev") == {}

    @pytest.mark.parametrize("name, address", [
        ("Dev Patel", "dev.patel@gmail.com"),
        ("Kevin Eng", "kevin.eng@gmail.com"),
        ("Kevin Eng", "kevineng@gmail.com"),
        ("Marisol Garcia", "marisol.garcia@gmail.com"),
        ("Vasudev Rao", "vasudevrao@gmail.com"),
        ("Devon Miller", "devon.miller@outlook.com"),
    ])
    def test_it_does_not_take_a_name_for_a_role_word(self, name, address):
        assert flags(address, name=name) == {}


class TestNameMismatch:
    def test_it_flags_an_address_in_another_persons_name(self):
        found = flags("john.smith@gmail.com")
        assert set(found) == {"email.name_mismatch"}
        assert found["email.name_mismatch"].evidence == {
            "address": "john.smith@gmail.com", "email_name": "john smith",
            "full_name": "Dana Whitfield"}

    def test_it_flags_another_name_with_a_middle_initial_and_digits(self):
        found = flags("michael.r.brown1990@outlook.com")
        assert found["email.name_mismatch"].evidence["email_name"] == "michael brown"

    def test_it_keeps_a_birth_year_address_a_persona_pattern_only(self):
        assert set(flags("dana.whitfield87@gmail.com")) == {"email.persona_pattern"}

    @pytest.mark.parametrize("address", [
        "dana.whitfield@gmail.com",
        "whitfield.dana@outlook.com",  # reversed order
        "dw1987@gmail.com",  # initials
        "d.whitfield@gmail.com",
        "dan.whitfield@gmail.com",  # short form
        "dana.miller@gmail.com",  # a maiden or married name shares the first name
        "hello@whitfield.dev", "contact@whitfield.dev", "me@whitfield.dev",  # role addresses
        "dana@whitfield.dev",  # an own domain
        "jo.bloggs@whitfield-consulting.com",  # a mailbox on the candidate's own domain
        "hello.team@gmail.com",
        "coolcoder@gmail.com",  # one word: not readable as a name
    ])
    def test_it_does_not_flag_honest_addresses(self, address):
        assert "email.name_mismatch" not in flags(address)

    @pytest.mark.parametrize("name, address", [
        ("Robert Whitfield", "bob.jones@gmail.com"),  # nickname plus another surname
        ("Elizabeth Taylor", "liz.burton@gmail.com"),
        ("José Núñez", "jose.nunez@gmail.com"),  # accents folded
        ("Mohammed Ali", "muhammad.ali@gmail.com"),
        ("Mary-Jane O'Neil", "maryjane.oneil@gmail.com"),
        ("Whitfield, Dana", "dana.whitfield@gmail.com"),
        ("王伟", "wang.wei@qq.com"),  # no Latin letters to compare: says nothing
    ])
    def test_it_matches_names_generously(self, name, address):
        assert "email.name_mismatch" not in flags(address, name=name)


class TestMissingOrMalformed:
    def test_it_says_nothing_without_an_email(self):
        assert flags(None) == {}

    @pytest.mark.parametrize("address", [
        "", "@", "dana@", "@gmail.com", "dana", "dana@localhost", "a@[192.0.2.1]",
        "josé@exämple.com", "dana@.com.", "dana@xn--80ak6aa92e.com", "dana@@gmail.com",
        "dana@" + "x" * 300 + ".com",
    ])
    def test_it_never_raises_on_odd_addresses(self, address):
        flags(address)  # no exception is the test

    def test_it_never_raises_without_a_name(self):
        assert "email.name_mismatch" not in flags("john.smith@gmail.com", name="")


@pytest.mark.django_db
class TestInThePipeline:
    def test_it_flags_a_posted_candidate(self, api):
        payload = CandidatePayloadFactory(email="michael.brown1990@mailinator.com")
        candidate_id = api.post(URL, payload, format="json").json()["id"]
        candidate_score(candidate_id=candidate_id)
        codes = {f["code"] for f in Candidate.objects.get(pk=candidate_id).risk_flags}
        assert {"email.disposable", "email.name_mismatch"} <= codes

    def test_it_does_not_flag_a_plain_gmail_address(self, api):
        payload = CandidatePayloadFactory(email="dana.whitfield@gmail.com")
        candidate_id = api.post(URL, payload, format="json").json()["id"]
        candidate_score(candidate_id=candidate_id)
        codes = {f["code"] for f in Candidate.objects.get(pk=candidate_id).risk_flags}
        assert not {c for c in codes if c.startswith("email.")}
