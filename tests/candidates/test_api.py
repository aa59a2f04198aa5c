"""The ATS contract, field by field: create, read, list, upsert, isolation, bad input."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection

from candidates.models import (
    Address,
    ApiKey,
    Candidate,
    Email,
    Employment,
    IdempotencyRecord,
    Identifier,
    IpObservation,
    PaymentAccount,
    Phone,
    Profile,
)
from tests.factories import CandidatePayloadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/candidates/"
ALL_MODELS = (Candidate, Email, Phone, Profile, IpObservation, Address, PaymentAccount,
              Employment, Identifier, IdempotencyRecord)


def post(api, payload, **headers):
    return api.post(URL, payload, format="json", headers=headers)


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


class TestCreate:
    def test_it_creates_and_returns_the_candidate_with_its_id(self, api):
        payload = CandidatePayloadFactory(external_id="gh-1001")
        response = post(api, payload)
        assert response.status_code == 201
        body = response.json()
        candidate = Candidate.objects.get(pk=body["id"])
        assert candidate.external_id == "gh-1001"
        assert body["full_name"] == "Dana Whitfield"
        assert body["email"] == payload["email"]
        assert body["phone"] == "+15125550142"
        assert body["position"] == "Senior Backend Engineer"
        assert body["applied_at"] == "2026-11-02T15:04:05Z"
        assert body["location"] == {"country": "US", "region": "TX", "city": "Austin"}
        assert body["resume_text"] == payload["resume_text"]
        assert body["risk"] == {"status": "pending", "score": None, "level": None, "flags": [],
                                "scored_at": None, "incomplete_checks": []}
        assert body["linked_candidates"] == []

    def test_it_normalises_each_piece_of_evidence(self, api):
        payload = CandidatePayloadFactory(
            email="  Jo.Hn.Smith+jobs@GoogleMail.com ",
            phone="(512) 555-0142",
            profiles=[
                {"network": "github", "url": "https://www.github.com/OctoCat/"},
                {"network": "gitlab", "url": "gitlab.com/Some.One?tab=repos"},
                {"network": "linkedin", "url": "https://de.linkedin.com/in/John-Smith-12/"},
                {"network": "stackoverflow", "url": "stackoverflow.com/users/12345/john"},
                {"network": "portfolio", "url": "https://John.Netlify.app/about/"},
            ],
            ip_addresses=[{"ip": "2001:DB8::0:1", "source": "interview"}],
        )
        body = post(api, payload).json()
        candidate = Candidate.objects.get(pk=body["id"])
        assert candidate.emails.get().canonical == "johnsmith@gmail.com"
        phone = candidate.phones.get()
        assert (phone.e164, phone.region, phone.is_valid) == ("+15125550142", "US", True)
        assert sorted(candidate.profiles.values_list("network", "username")) == [
            ("github", "octocat"), ("gitlab", "some.one"), ("linkedin", "john-smith-12"),
            ("portfolio", "john.netlify.app/about"), ("stackoverflow", "12345"),
        ]
        assert body["profiles"][0]["url"] == "https://github.com/octocat"
        assert body["ip_addresses"] == [{"ip": "2001:db8::1", "source": "interview",
                                         "observed_at": None}]

    def test_it_reads_a_phone_with_the_claimed_country_as_default_region(self, api):
        payload = CandidatePayloadFactory(phone="020 7946 0018",
                                          location={"country": "GB", "city": "London"})
        body = post(api, payload).json()
        assert body["phone"] == "+442079460018"
        phone = Phone.objects.get(candidate_id=body["id"])
        assert (phone.region, phone.number_type) == ("GB", "FIXED_LINE")

    def test_it_keeps_voip_number_types(self, api):
        payload = CandidatePayloadFactory(phone="+44 56 1234 5678",
                                          location={"country": "US"})
        body = post(api, payload).json()
        assert Phone.objects.get(candidate_id=body["id"]).number_type == "VOIP"

    def test_it_keeps_non_geographic_numbers_without_a_region(self, api):
        payload = CandidatePayloadFactory(phone="+800 1234 5678")
        response = post(api, payload)
        assert response.status_code == 201
        phone = Phone.objects.get(candidate_id=response.json()["id"])
        assert (phone.e164, phone.region) == ("+80012345678", "")

    def test_it_takes_country_and_bank_from_the_iban(self, api):
        payload = CandidatePayloadFactory(payment_accounts=[
            {"method": "bank", "iban": "DE89 3704 0044 0532 0130 00", "holder_name": "D W"},
        ])
        body = post(api, payload).json()
        account = PaymentAccount.objects.get(candidate_id=body["id"])
        assert (account.bank_country, account.iban_country) == ("DE", "DE")
        assert account.bank_code == "37040044"
        assert account.bank_name == "Commerzbank"
        assert body["payment_accounts"][0]["iban_last4"] == "3000"
        assert "iban" not in body["payment_accounts"][0]

    def test_it_matches_address_spellings_to_one_key(self, api):
        a = CandidatePayloadFactory(addresses=[{
            "kind": "shipping", "line1": "12 North Main Street", "line2": "Apartment #4",
            "city": "Dallas", "postal_code": "75201", "country": "us"}])
        b = CandidatePayloadFactory(addresses=[{
            "kind": "shipping", "line1": "12 N. Main St.", "line2": "apt 4",
            "city": "DALLAS", "postal_code": " 75201", "country": "US"}])
        post(api, a), post(api, b)
        keys = set(Address.objects.values_list("match_key", flat=True))
        assert keys == {"US|75201|12 n main st apt 4"}

    def test_it_accepts_the_minimal_payload(self, api):
        response = post(api, {"external_id": "x1", "full_name": "A B", "email": "a@b.example"})
        assert response.status_code == 201
        body = response.json()
        assert body["phone"] is None
        assert body["profiles"] == [] and body["payment_accounts"] == []


class TestUpsert:
    def test_it_updates_when_the_external_id_is_known(self, api):
        first = post(api, CandidatePayloadFactory(external_id="gh-7")).json()
        changed = CandidatePayloadFactory(
            external_id="gh-7", full_name="Dana W. Whitfield", phone="",
            ip_addresses=[{"ip": "198.51.100.9", "source": "login"}],
        )
        response = post(api, changed)
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == first["id"]
        assert body["full_name"] == "Dana W. Whitfield"
        assert body["phone"] is None
        assert [ip["ip"] for ip in body["ip_addresses"]] == ["198.51.100.9"]
        candidate = Candidate.objects.get()
        assert candidate.revision == 2
        assert candidate.risk_status == "pending"
        assert not Phone.objects.exists()
        assert list(Identifier.objects.filter(kind="ip").values_list("key", flat=True)) == [
            "198.51.100.9"]

    def test_it_keeps_external_ids_separate_per_integration(self, api, other_api):
        a = post(api, CandidatePayloadFactory(external_id="same")).json()
        b = post(other_api, CandidatePayloadFactory(external_id="same"))
        assert b.status_code == 201
        assert b.json()["id"] != a["id"]


class TestIdempotency:
    def test_it_replays_the_first_response(self, api):
        payload = CandidatePayloadFactory()
        first = post(api, payload, **{"Idempotency-Key": "k-1"})
        again = post(api, payload, **{"Idempotency-Key": "k-1"})
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Candidate.objects.get().revision == 1  # the second request wrote nothing

    def test_it_refuses_the_same_key_with_a_different_body(self, api):
        post(api, CandidatePayloadFactory(external_id="a"), **{"Idempotency-Key": "k-2"})
        response = post(api, CandidatePayloadFactory(external_id="b"),
                        **{"Idempotency-Key": "k-2"})
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert Candidate.objects.count() == 1

    def test_it_does_not_store_validation_errors(self, api):
        bad = CandidatePayloadFactory(external_id="a", email="nope")
        assert post(api, bad, **{"Idempotency-Key": "k-3"}).status_code == 400
        good = CandidatePayloadFactory(external_id="a")
        assert post(api, good, **{"Idempotency-Key": "k-3"}).status_code == 201

    def test_keys_are_scoped_to_the_integration(self, api, other_api):
        payload = CandidatePayloadFactory()
        post(api, payload, **{"Idempotency-Key": "shared"})
        response = post(other_api, payload, **{"Idempotency-Key": "shared"})
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
        assert Candidate.objects.count() == 2


class TestReadAndIsolation:
    def test_it_returns_own_candidate(self, api):
        created = post(api, CandidatePayloadFactory()).json()
        response = api.get(f"{URL}{created['id']}/")
        assert response.status_code == 200
        assert response.json() == created | {"updated_at": response.json()["updated_at"]}

    def test_another_integrations_candidate_is_not_found(self, api, other_api):
        created = post(api, CandidatePayloadFactory()).json()
        assert other_api.get(f"{URL}{created['id']}/").status_code == 404
        assert other_api.get(URL).json()["results"] == []

    def test_linked_candidates_lists_shared_identifiers_within_the_integration(
        self, api, other_api
    ):
        shared_phone = "+1 512 555 0199"
        a = post(api, CandidatePayloadFactory(phone=shared_phone)).json()
        b = post(api, CandidatePayloadFactory(phone=shared_phone,
                                              email=a["email"].upper())).json()
        post(other_api, CandidatePayloadFactory(phone=shared_phone))
        links = api.get(f"{URL}{b['id']}/").json()["linked_candidates"]
        shared = ["bank_account", "email", "github", "ip", "linkedin", "phone",
                  "residential_address"]
        # Issue 10: each link also says how it ties, with kind and strength.
        assert links == [{"id": a["id"], "external_id": a["external_id"], "shared": shared,
                          "ties": [{"kind": kind, "strength": "weak" if kind in (
                              "ip", "residential_address") else "strong"} for kind in shared]}]

    def test_list_filters_and_paginates_stably(self, api):
        ids = [post(api, CandidatePayloadFactory()).json()["id"] for _ in range(5)]
        # The filter reads the level the integration sees (docs/tenancy.md).
        Candidate.objects.filter(pk=ids[1]).update(risk_status="scored", scoped_level="high")
        page = api.get(URL, {"page_size": 2}).json()
        assert [c["id"] for c in page["results"]] == [ids[4], ids[3]]
        # A candidate arriving between pages does not shift the next page.
        post(api, CandidatePayloadFactory())
        page2 = api.get(page["next"]).json()
        assert [c["id"] for c in page2["results"]] == [ids[2], ids[1]]
        high = api.get(URL, {"risk_level": "high"}).json()["results"]
        assert [c["id"] for c in high] == [ids[1]]
        assert [c["id"] for c in api.get(URL, {"status": "scored"}).json()["results"]] == [ids[1]]
        ext = Candidate.objects.get(pk=ids[0]).external_id
        assert [c["id"] for c in api.get(URL, {"external_id": ext}).json()["results"]] == [ids[0]]

    def test_list_rejects_unknown_filter_values(self, api):
        response = api.get(URL, {"risk_level": "extreme"})
        assert response.status_code == 400
        assert "risk_level" in response.json()["fields"]


class TestAuthentication:
    def test_it_requires_a_key(self, db):
        from rest_framework.test import APIClient

        response = APIClient().get(URL)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("header", ["Bearer nope", "Token abc", "Bearer "])
    def test_it_refuses_bad_keys(self, db, header):
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(URL).status_code == 401

    def test_it_refuses_a_revoked_key(self, api, integration):
        from django.utils import timezone

        ApiKey.objects.filter(integration=integration).update(revoked_at=timezone.now())
        assert api.get(URL).status_code == 401

    def test_whoami_names_the_integration(self, api):
        assert api.get("/api/v1/whoami/").json() == {"integration": "greenhouse-acme"}

    def test_only_the_hash_of_a_key_is_stored(self, integration_and_key):
        integration, key = integration_and_key
        stored = ApiKey.objects.get(integration=integration)
        assert key not in (stored.key_hash, stored.prefix)
        assert len(stored.key_hash) == 64


# What an integration sends wrong: refused whole. Evidence a person typed that does not
# normalise (a phone no country reads, an IBAN failing its check digits, a bank country
# contradicting the IBAN, a GitHub box holding a GitLab link) used to be here too; it is now
# stored as typed and flagged (tests/candidates/test_data_quality.py, issue 10).
BAD_INPUTS = [
    ("javascript: profile URL",
     {"profiles": [{"network": "github", "url": "javascript:alert(1)"}]},
     ["profiles", "0", "url"]),
    ("malformed IP", {"ip_addresses": [{"ip": "300.1.2.3", "source": "login"}]},
     ["ip_addresses", "0", "ip"]),
    ("CIDR instead of an IP", {"ip_addresses": [{"ip": "10.0.0.0/8", "source": "login"}]},
     ["ip_addresses", "0", "ip"]),
    ("unknown country code", {"location": {"country": "XX"}}, ["location", "country"]),
    ("unknown address country",
     {"addresses": [{"kind": "residential", "line1": "1 A St", "country": "ZZ"}]},
     ["addresses", "0", "country"]),
    ("malformed email", {"email": "dana at example"}, ["email"]),
    ("oversized resume", {"resume_text": "x" * 100_001}, ["resume_text"]),
    ("oversized name", {"full_name": "x" * 201}, ["full_name"]),
    ("unknown top-level field", {"phone_number": "+15125550142"}, ["phone_number"]),
    ("unknown nested field",
     {"profiles": [{"network": "github", "url": "github.com/x", "stars": 5}]},
     ["profiles", "0", "stars"]),
    ("unknown network", {"profiles": [{"network": "myspace", "url": "myspace.com/x"}]},
     ["profiles", "0", "network"]),
    ("missing required field", {"external_id": None}, ["external_id"]),
    ("employment ending before it starts",
     {"employment_history": [{"employer": "A", "start": "2020-01", "end": "2019-01"}]},
     ["employment_history", "0", "end"]),
    ("too many addresses",
     {"addresses": [{"kind": "mailing", "line1": f"{i} A St", "country": "US"}
                    for i in range(51)]},
     ["addresses"]),
]


class TestBadInput:
    @pytest.mark.parametrize("case, change, path", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
    def test_it_answers_400_naming_the_field_and_writes_nothing(self, api, case, change, path):
        before = counts()
        payload = CandidatePayloadFactory(**{k: v for k, v in change.items() if v is not None})
        for key, value in change.items():
            if value is None:
                del payload[key]
        response = post(api, payload, **{"Idempotency-Key": f"bad-{case}"})
        assert response.status_code == 400, response.json()
        body = response.json()
        assert body["code"] == "invalid"
        node = body["fields"]
        for step in path:
            node = node[step]
        assert node and all(isinstance(message, str) for message in node)
        assert counts() == before

    def test_it_reports_every_bad_field_in_one_answer(self, api):
        payload = CandidatePayloadFactory(email="nope", extra=1,
                                          ip_addresses=[{"ip": "1.2.3.0/24", "source": "login"}])
        fields = post(api, payload).json()["fields"]
        assert set(fields) == {"email", "extra", "ip_addresses"}

    def test_an_update_with_bad_input_leaves_the_old_record_whole(self, api):
        created = post(api, CandidatePayloadFactory(external_id="keep")).json()
        before = counts()
        bad = CandidatePayloadFactory(external_id="keep", full_name="Changed",
                                      ip_addresses=[{"ip": "nope", "source": "login"}])
        assert post(api, bad).status_code == 400
        assert counts() == before
        assert api.get(f"{URL}{created['id']}/").json()["full_name"] == "Dana Whitfield"

    def test_errors_do_not_echo_account_numbers(self, api):
        # A mistyped IBAN is no longer an error (it is stored as a fingerprint and flagged:
        # test_data_quality.py checks that path echoes nothing either); one over the
        # contract's length still is.
        response = post(api, CandidatePayloadFactory(payment_accounts=[
            {"method": "bank", "iban": "DE89 3704 0044 0532 0130 0!" * 3}]))
        assert response.status_code == 400
        assert "0532" not in response.content.decode()


class TestSensitiveNumbers:
    def test_account_numbers_are_stored_only_as_fingerprint_and_last4(self, api):
        iban = "GB82WEST12345698765432"
        account, routing = "998877665544", "026009593"
        payload = CandidatePayloadFactory(payment_accounts=[
            {"method": "bank", "iban": iban, "holder_name": "Dana Whitfield"},
            {"method": "wise", "account_number": account, "routing_number": routing,
             "bank_country": "US"},
        ])
        post(api, payload, **{"Idempotency-Key": "sensitive"})
        account_row = PaymentAccount.objects.get(method="wise")
        assert account_row.account_last4 == "5544"
        assert len(account_row.account_fingerprint) == 64
        with connection.cursor() as cursor:
            for model in ALL_MODELS:
                cursor.execute(f"SELECT row_to_json(t)::text FROM {model._meta.db_table} t")
                dump = " ".join(row[0] for row in cursor.fetchall())
                for secret in (iban, "12345698765432", account, routing):
                    assert secret not in dump, f"{secret} found in {model._meta.db_table}"

    def test_the_same_account_gets_the_same_fingerprint(self, api):
        accounts = [{"method": "bank", "iban": "GB82 WEST 1234 5698 7654 32"}]
        post(api, CandidatePayloadFactory(payment_accounts=accounts))
        accounts = [{"method": "bank", "iban": "gb82west12345698765432"}]
        post(api, CandidatePayloadFactory(payment_accounts=accounts))
        prints = set(PaymentAccount.objects.values_list("iban_fingerprint", flat=True))
        assert len(prints) == 1


class TestSchema:
    def test_the_openapi_schema_and_docs_are_served(self, client):
        schema = client.get("/api/v1/schema/")
        assert schema.status_code == 200
        text = schema.content.decode()
        assert "/api/v1/candidates/" in text and "payment_accounts" in text
        docs = client.get("/api/v1/docs/")
        assert docs.status_code == 200
        # Swagger UI is served from our own static files: every script, stylesheet, image
        # and link the page loads is same-origin (no CDN). A page-wide substring check
        # would also read the random CSRF token.
        urls = resource_urls(docs.content.decode())
        assert any(url.endswith(".js") for url in urls), urls  # the parse found the scripts
        assert all(not urlsplit(url).scheme and not urlsplit(url).netloc for url in urls), urls


class _ResourceUrls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def resource_urls(html: str) -> list[str]:
    """Every src and href of a page (scripts, stylesheets, icons, links)."""
    parser = _ResourceUrls()
    parser.feed(html)
    return parser.urls
