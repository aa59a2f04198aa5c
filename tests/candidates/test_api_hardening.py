"""The ATS API under abuse: every answer under /api/ is JSON in the error shape, never a 500
for bad input, and the contract is strict about types, dates, URLs and paging."""

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from candidates.models import Candidate, Profile
from tests.candidates.test_api import counts, post
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is `status`, JSON, in the error shape, and shows no traceback."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("code"), str) and isinstance(body.get("message"), str), body
    if code:
        assert body["code"] == code, body
    text = response.content.decode()
    assert "Traceback" not in text and "File \"" not in text
    return body


def field_errors(body: dict, *path: str) -> list[str]:
    node = body["fields"]
    for step in path:
        node = node[step]
    assert node and all(isinstance(message, str) for message in node), node
    return node


@pytest.mark.django_db
class TestLookup:
    @pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "99999999999999999999999999"])
    def test_it_answers_404_json_for_an_id_that_is_not_a_candidate_id(self, api, pk):
        assert_error(api.get(f"{URL}{pk}/"), 404, "not_found")


@pytest.mark.django_db
class TestDeeplyNestedJson:
    @pytest.mark.parametrize("depth", [100_000, 2_000, 100])
    def test_it_answers_400_json_for_deeply_nested_brackets(self, api, depth):
        before = counts()
        body = "[" * depth + "]" * depth
        response = api.post(URL, body, content_type="application/json")
        assert "nested" in assert_error(response, 400, "parse_error")["message"]
        assert counts() == before

    def test_it_answers_400_json_for_deeply_nested_objects_inside_a_field(self, api):
        payload = CandidatePayloadFactory()
        nested = "x"
        for _ in range(200):
            nested = {"a": nested}
        payload["resume_text"] = nested
        response = api.post(URL, payload, format="json")
        assert_error(response, 400, "parse_error")

    def test_it_refuses_unpaired_surrogates_rather_than_failing_to_store_them(self, api):
        body = '{"external_id": "x", "full_name": "\\ud800", "email": "a@b.example"}'
        response = api.post(URL, body, content_type="application/json")
        assert_error(response, 400, "parse_error")


class TestEverythingUnderApiIsJson:
    """Django and DRF answer some errors with HTML pages of their own; under /api/ every
    answer is JSON in the shape of core/exceptions.py."""

    @pytest.fixture
    def raw(self, integration_and_key):
        # Exceptions are answered as the server would, not re-raised into the test.
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {integration_and_key[1]}")
        return client

    def test_malformed_json_is_400(self, raw):
        assert_error(raw.post(URL, "{nope", content_type="application/json"), 400,
                     "parse_error")

    @pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v2/candidates/", "/api/",
                                      "/api/v1/candidates/1/nope/"])
    def test_an_unknown_api_url_is_404(self, raw, path):
        assert_error(raw.get(path), 404, "not_found")
        assert_error(raw.post(path, {}, format="json"), 404, "not_found")

    def test_a_post_without_the_trailing_slash_is_404_naming_the_right_url(self, raw):
        body = assert_error(raw.post(URL.rstrip("/"), {}, format="json"), 404, "not_found")
        assert URL in body["message"]

    def test_an_unknown_url_outside_the_api_is_still_html(self, raw):
        response = raw.get("/nope/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    def test_a_method_the_endpoint_lacks_is_405_with_allow(self, raw):
        body = assert_error(raw.delete(f"{URL}1/"), 405, "method_not_allowed")
        assert "DELETE" in body["message"]
        assert "GET" in raw.delete(f"{URL}1/")["Allow"]

    def test_a_body_over_the_upload_limit_is_413(self, raw, settings):
        before = counts()
        body = b'{"resume_text": "' + b"x" * (20 * 1024 * 1024) + b'"}'
        response = raw.generic("POST", URL, body, content_type="application/json")
        body = assert_error(response, 413, "request_too_large")
        assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in body["message"]
        assert counts() == before

    def test_the_largest_valid_record_fits_under_the_upload_limit(self, raw, settings):
        """The limit is for abuse, not for big applicants: every list full, every text at its
        maximum length, in characters outside the BMP sent as \\u escapes (12 bytes each)."""
        import json

        from candidates.serializers import MAX_LIST, MAX_RESUME_CHARS

        s = "\U0001F600"
        payload = CandidatePayloadFactory(
            external_id=s * 200, full_name=s * 200, position=s * 200,
            resume_text=s * MAX_RESUME_CHARS,
            location={"country": "US", "region": s * 100, "city": s * 100},
            profiles=[{"network": "portfolio", "url": "https://a.example/" + s * 480,
                       "created_at": "2014-03-01T00:00:00Z"}] * MAX_LIST,
            addresses=[{"kind": "mailing", "line1": s * 200, "line2": s * 200,
                        "city": s * 100, "region": s * 100, "postal_code": s * 20,
                        "country": "US"}] * MAX_LIST,
            payment_accounts=[{"method": "other", "holder_name": s * 200,
                               "wallet_address": "a" * 128}] * MAX_LIST,
            employment_history=[{"employer": s * 200, "title": s * 200, "start": "2019-01",
                                 "end": "2020-01", "country": "US"}] * MAX_LIST,
            ip_addresses=[{"ip": "2001:db8::1", "source": "login",
                           "observed_at": "2026-11-02T15:04:05Z"}] * MAX_LIST,
        )
        size = len(json.dumps(payload, indent=2).encode())
        assert 2_000_000 < size < settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def test_an_unreadable_content_length_is_400(self, raw):
        response = raw.generic("POST", URL, b"{}", content_type="application/json",
                               CONTENT_LENGTH="12abc")
        assert_error(response, 400, "bad_request")

    def test_an_accept_header_without_json_is_406(self, raw):
        assert_error(raw.get(URL, HTTP_ACCEPT="text/html"), 406, "not_acceptable")

    def test_a_content_type_other_than_json_is_415(self, raw):
        response = raw.post(URL, "external_id=x", content_type="application/x-www-form-urlencoded")
        assert_error(response, 415, "unsupported_media_type")

    def test_an_unexpected_exception_is_a_json_500_without_a_traceback(self, raw, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("secret internals /srv/app/candidates/selectors.py")

        monkeypatch.setattr("candidates.apis.candidate_list", broken)
        body = assert_error(raw.get(URL), 500, "server_error")
        assert "secret" not in body["message"]

    @pytest.mark.parametrize("debug", [False, True])
    def test_a_500_stays_json_with_debug_on(self, raw, monkeypatch, settings, debug):
        settings.DEBUG = debug

        def broken(**kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr("candidates.apis.candidate_list", broken)
        response = raw.get(URL)
        assert_error(response, 500, "server_error")
        assert b"secret internals" not in response.content


def _refusing_port() -> int:
    """A localhost port where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _HangUpServer:
    """A listener that accepts each connection and closes it at once, like a database
    server going down under its clients."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.close()

    def close(self):
        self.sock.close()


@pytest.mark.django_db(transaction=True)
class TestDatabaseOutage:
    @pytest.mark.parametrize("outage", ["refused", "hang-up"])
    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_it_answers_503_json_with_retry_after(self, api, outage, method):
        server = _HangUpServer() if outage == "hang-up" else None
        port = server.port if server else _refusing_port()
        real_port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = port
        try:
            if method == "GET":
                response = api.get(URL)
            else:
                response = api.post(URL, CandidatePayloadFactory(), format="json")
        finally:
            connection.close()
            connection.settings_dict["PORT"] = real_port
            if server:
                server.close()
        body = assert_error(response, 503, "service_unavailable")
        assert int(response["Retry-After"]) > 0
        assert "password" not in body["message"] and str(port) not in body["message"]
        assert Candidate.objects.count() == 0


@pytest.mark.django_db
class TestRateLimit:
    def test_a_key_over_its_rate_gets_429_json_with_retry_after(self, api, other_api, settings):
        settings.API_RATE_LIMIT = "3/minute"
        for _ in range(3):
            assert api.get(URL).status_code == 200
        response = api.get(URL)
        assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 60
        # Per key: another integration's key is not held back by the first one's traffic.
        assert other_api.get(URL).status_code == 200

    def test_an_empty_rate_turns_throttling_off(self, api, settings):
        settings.API_RATE_LIMIT = ""
        assert all(api.get(URL).status_code == 200 for _ in range(5))

    def test_it_lets_requests_through_when_the_cache_is_down(self, api, settings):
        settings.API_RATE_LIMIT = "1/minute"
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_refusing_port()}/0",
        }}
        assert [api.get(URL).status_code for _ in range(2)] == [200, 200]


# --- The strict contract: JSON types, empty filters, dates, profile URLs, paging -------------

WRONG_TYPES = [
    ("number for external_id", {"external_id": 12345}, ["external_id"]),
    ("number for phone", {"phone": 5125550142}, ["phone"]),
    ("number for resume_text", {"resume_text": 0}, ["resume_text"]),
    ("boolean for full_name", {"full_name": True}, ["full_name"]),
    ("float for position", {"position": 1.5}, ["position"]),
    ("number for a nested country", {"location": {"country": 1}}, ["location", "country"]),
    ("number for a postal code",
     {"addresses": [{"kind": "mailing", "line1": "1 A St", "postal_code": 75201,
                     "country": "US"}]},
     ["addresses", "0", "postal_code"]),
    ("number for an IP", {"ip_addresses": [{"ip": 3232235777, "source": "login"}]},
     ["ip_addresses", "0", "ip"]),
    ("number for an account number",
     {"payment_accounts": [{"method": "bank", "account_number": 123456789}]},
     ["payment_accounts", "0", "account_number"]),
    ("list for a profile URL", {"profiles": [{"network": "github", "url": ["x"]}]},
     ["profiles", "0", "url"]),
    ("object for a title", {"employment_history": [{"employer": "A", "title": {"a": 1}}]},
     ["employment_history", "0", "title"]),
]


@pytest.mark.django_db
class TestJsonTypes:
    @pytest.mark.parametrize("case, change, path", WRONG_TYPES, ids=[c[0] for c in WRONG_TYPES])
    def test_it_rejects_a_wrong_json_type_naming_the_field(self, api, case, change, path):
        before = counts()
        response = post(api, CandidatePayloadFactory(**change))
        messages = field_errors(assert_error(response, 400, "invalid"), *path)
        assert any("Expected a string" in m for m in messages), messages
        assert counts() == before

    def test_it_checks_booleans_and_numbers_too(self):
        from rest_framework import serializers

        from candidates.serializers import StrictSerializer

        class Sample(StrictSerializer):
            flag = serializers.BooleanField()
            count = serializers.IntegerField()
            ratio = serializers.FloatField()

        sample = Sample(data={"flag": "true", "count": "3", "ratio": True})
        assert not sample.is_valid()
        assert set(sample.errors) == {"flag", "count", "ratio"}
        assert Sample(data={"flag": False, "count": 3, "ratio": 1}).is_valid()
        assert not Sample(data={"flag": True, "count": True, "ratio": 1.5}).is_valid()

    @pytest.mark.parametrize("name", ["status", "risk_level", "external_id"])
    def test_it_rejects_an_empty_filter_value(self, api, name):
        body = assert_error(api.get(URL, {name: ""}), 400, "invalid")
        assert field_errors(body, name)

    @pytest.mark.parametrize("name", ["risk", "level", ""])
    def test_it_rejects_an_unknown_filter(self, api, name):
        # A typo must not list every candidate as if there were no filter.
        body = assert_error(api.get(URL, {name: "high"}), 400, "invalid")
        assert field_errors(body, name)
        assert api.get(URL, {"format": "json", "page_size": "5"}).status_code == 200


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


FAR = "2099-01-01T00:00:00Z"
FUTURE_DATES = [
    ("applied_at", {"applied_at": FAR}, ["applied_at"]),
    ("IP observed_at",
     {"ip_addresses": [{"ip": "203.0.113.7", "source": "login", "observed_at": FAR}]},
     ["ip_addresses", "0", "observed_at"]),
    ("profile created_at",
     {"profiles": [{"network": "github", "url": "github.com/x", "created_at": FAR}]},
     ["profiles", "0", "created_at"]),
    ("employment end", {"employment_history": [{"employer": "A", "start": "2020-01",
                                                "end": "2099-01"}]},
     ["employment_history", "0", "end"]),
    ("employment start", {"employment_history": [{"employer": "A", "start": "2099-01-01"}]},
     ["employment_history", "0", "start"]),
]


@pytest.mark.django_db
class TestFutureDates:
    @pytest.mark.parametrize("case, change, path", FUTURE_DATES, ids=[c[0] for c in FUTURE_DATES])
    def test_it_rejects_a_date_in_the_future_naming_the_field(self, api, case, change, path):
        before = counts()
        response = post(api, CandidatePayloadFactory(**change))
        messages = field_errors(assert_error(response, 400, "invalid"), *path)
        assert any("future" in m for m in messages), messages
        assert counts() == before

    def test_it_allows_a_few_hours_of_clock_skew(self, api):
        soon = _iso(datetime.now(UTC) + timedelta(hours=3))
        payload = CandidatePayloadFactory(
            applied_at=soon,
            ip_addresses=[{"ip": "203.0.113.7", "source": "login", "observed_at": soon}],
        )
        assert post(api, payload).status_code == 201

    def test_it_rejects_a_timestamp_beyond_the_skew(self, api):
        later = _iso(datetime.now(UTC) + timedelta(days=2))
        assert post(api, CandidatePayloadFactory(applied_at=later)).status_code == 400


BAD_PROFILE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "javascript://example.com/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/me",
    "mailto:me@example.com",
    "https://javascript",
    "http://localhost/me",
    "https://127.0.0.1/me",
    "https://[::1]/me",
    "https://user:pass@example.com/me",
    "https://exa mple.com/me",
]


@pytest.mark.django_db
class TestProfileUrls:
    @pytest.mark.parametrize("url", BAD_PROFILE_URLS)
    @pytest.mark.parametrize("network", ["portfolio", "other"])
    def test_it_refuses_what_is_not_an_http_url_with_a_real_host(self, api, url, network):
        before = counts()
        payload = CandidatePayloadFactory(profiles=[{"network": network, "url": url}])
        body = assert_error(post(api, payload), 400, "invalid")
        assert field_errors(body, "profiles", "0", "url")
        assert counts() == before
        assert not Profile.objects.filter(url__icontains="javascript").exists()

    @pytest.mark.parametrize("url, key", [
        ("john.netlify.app/about", "john.netlify.app/about"),
        ("http://Portfolio.Example.co.uk/", "portfolio.example.co.uk"),
        ("https://bücher.example/me", "bücher.example/me"),
        ("example.com:8080/work", "example.com/work"),
    ])
    def test_it_keeps_real_web_addresses(self, api, url, key):
        payload = CandidatePayloadFactory(profiles=[{"network": "portfolio", "url": url}])
        response = post(api, payload)
        assert response.status_code == 201, response.json()
        assert Profile.objects.get().username == key


@pytest.mark.django_db
class TestPaging:
    @pytest.mark.parametrize("value", ["-1", "0", "abc", "1.5", "", " 5", "5_0"])
    def test_a_bad_page_size_is_400_naming_it(self, api, value):
        body = assert_error(api.get(URL, {"page_size": value}), 400, "invalid")
        assert field_errors(body, "page_size")

    def test_a_page_size_above_the_maximum_is_read_as_the_maximum(self, api):
        assert api.get(URL, {"page_size": "100000"}).status_code == 200

    @pytest.mark.parametrize("cursor", ["garbage", "cD1hYmM=", "cD0xZTk5", "bz0tMQ==",
                                        "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk="])
    def test_a_bad_cursor_is_400_naming_it(self, api, cursor):
        # cD1hYmM= is "p=abc" (a position that is not an id); cD0xZTk5 "p=1e99";
        # bz0tMQ== "o=-1"; the last a position beyond any id.
        body = assert_error(api.get(URL, {"cursor": cursor}), 400, "invalid")
        assert field_errors(body, "cursor")

    def test_a_good_cursor_still_pages(self, api):
        ids = [post(api, CandidatePayloadFactory()).json()["id"] for _ in range(3)]
        page = api.get(URL, {"page_size": 2}).json()
        assert [c["id"] for c in api.get(page["next"]).json()["results"]] == [ids[0]]


# --- The schema tells the whole truth ----------------------------------------------------------

@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, node: dict) -> dict:
    """Follow $ref (and a one-element allOf around it, drf-spectacular's way of adding a
    description to a reference)."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            return node


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.django_db
class TestSchemaTellsTheTruth:
    def test_it_is_a_valid_openapi_document(self, schema):
        from drf_spectacular.validation import validate_schema

        validate_schema(schema)

    def test_every_operation_documents_the_errors_it_can_answer(self, schema):
        expected = {
            "GET /api/v1/candidates/": {"200", "400", "401", "406", "429", "503"},
            "POST /api/v1/candidates/": {"200", "201", "400", "401", "406", "413", "415",
                                          "422", "429", "503"},
            "GET /api/v1/candidates/{id}/": {"200", "401", "404", "406", "429", "503"},
            "GET /api/v1/whoami/": {"200", "401", "406", "429", "503"},
            # The outbound-webhook endpoints an integration manages with its key.
            "GET /api/v1/webhooks/endpoints/": {"200", "401", "406", "429", "503"},
            "POST /api/v1/webhooks/endpoints/": {"201", "400", "401", "406", "413", "415",
                                                 "429", "503"},
            "GET /api/v1/webhooks/endpoints/{id}/": {"200", "401", "404", "406", "429", "503"},
            "PATCH /api/v1/webhooks/endpoints/{id}/": {"200", "400", "401", "404", "406", "413",
                                                       "415", "429", "503"},
            "DELETE /api/v1/webhooks/endpoints/{id}/": {"204", "401", "404", "406", "429",
                                                        "503"},
            "GET /api/v1/webhooks/endpoints/{id}/deliveries/": {"200", "400", "401", "404",
                                                                "406", "429", "503"},
            "POST /api/v1/webhooks/endpoints/{id}/deliveries/{delivery_id}/resend/": {
                "202", "401", "404", "406", "429", "503"},
            "POST /api/v1/webhooks/endpoints/{id}/replay/": {"202", "400", "401", "404", "406",
                                                             "413", "415", "429", "503"},
            "POST /api/v1/webhooks/endpoints/{id}/rotate-secret/": {"200", "401", "404", "406",
                                                                    "429", "503"},
            "POST /api/v1/webhooks/endpoints/{id}/test/": {"202", "401", "404", "406", "429",
                                                           "503"},
        }
        found = {name: set(op["responses"]) for name, op in operations(schema)}
        assert found == expected
        for name, operation in operations(schema):
            for code, response in operation["responses"].items():
                if code.startswith("2"):
                    continue
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (name, code)
                if code in ("429", "503"):
                    assert response["headers"]["Retry-After"]["required"] is True
        error = schema["components"]["schemas"]["Error"]
        assert error["required"] == ["code", "message"]

    def test_every_input_object_refuses_unknown_fields(self, schema):
        body = schema["paths"]["/api/v1/candidates/"]["post"]["requestBody"]
        seen = []

        def walk(node):
            node = resolve(schema, node)
            if node.get("type") == "object":
                seen.append(node)
                assert node["additionalProperties"] is False, node
                for child in node["properties"].values():
                    walk(child)
            elif node.get("type") == "array":
                walk(node["items"])

        walk(body["content"]["application/json"]["schema"])
        assert len(seen) == 7  # the candidate, location and the five kinds of list item

    def test_country_fields_list_the_iso_codes(self, schema):
        import pycountry

        components = schema["components"]["schemas"]
        codes = {c.alpha_2 for c in pycountry.countries}
        for name, field in [("CandidateInputRequest", "location"),
                            ("AddressInputRequest", "country"),
                            ("AddressOutput", "country"),
                            ("PaymentAccountInputRequest", "bank_country"),
                            ("PaymentAccountOutput", "bank_country"),
                            ("EmploymentInputRequest", "country"),
                            ("LocationOutput", "country")]:
            node = resolve(schema, components[name]["properties"][field])
            if field == "location":
                node = resolve(schema, node["properties"]["country"])
            assert codes <= set(node["enum"]), (name, field)
            assert "XX" not in node["enum"]
        assert "" not in resolve(schema, components["AddressInputRequest"]["properties"]
                                 ["country"])["enum"]

    def test_choice_fields_are_enumerations_in_and_out(self, schema):
        components = schema["components"]["schemas"]
        for name, field, values in [
            ("ProfileInputRequest", "network", {"github", "portfolio"}),
            ("ProfileOutput", "network", {"github", "portfolio"}),
            ("IpInputRequest", "source", {"application", "login"}),
            ("IpOutput", "source", {"application", "login"}),
            ("AddressInputRequest", "kind", {"residential", "shipping"}),
            ("AddressOutput", "kind", {"residential", "shipping"}),
            ("PaymentAccountInputRequest", "method", {"bank", "crypto"}),
            ("PaymentAccountOutput", "method", {"bank", "crypto"}),
            ("FlagOutput", "severity", {"info", "critical"}),
            ("RiskOutput", "status", {"pending", "scored"}),
        ]:
            node = resolve(schema, components[name]["properties"][field])
            assert values <= set(node["enum"]), (name, field)
        shared = components["LinkedCandidateOutput"]["properties"]["shared"]["items"]
        assert {"phone", "bank_account", "ip"} <= set(resolve(schema, shared)["enum"])

    def test_dates_say_they_may_not_be_in_the_future(self, schema):
        components = schema["components"]["schemas"]
        for name, field in [("CandidateInputRequest", "applied_at"),
                            ("IpInputRequest", "observed_at"),
                            ("ProfileInputRequest", "created_at"),
                            ("EmploymentInputRequest", "start"),
                            ("EmploymentInputRequest", "end")]:
            assert "future" in components[name]["properties"][field]["description"]
        start = components["EmploymentInputRequest"]["properties"]["start"]
        assert "format" not in start and start["pattern"]  # YYYY-MM is accepted too

    def test_paging_parameters_say_what_they_take(self, schema):
        parameters = {p["name"]: p for p in
                      schema["paths"]["/api/v1/candidates/"]["get"]["parameters"]}
        assert parameters["page_size"]["schema"]["minimum"] == 1
        assert parameters["cursor"]["schema"]["minLength"] == 1
