"""The optional line-type provider client (Twilio Lookup v2 compatible), against a real HTTP
server on localhost (pytest-httpserver)."""

import base64
import time

import pytest
from werkzeug import Response

from intel import linetype, ratelimit
from intel.models import PhoneLineType
from intel.types import SourceUnavailable

pytestmark = pytest.mark.django_db

NUMBER = "+15125550142"
PATH = f"/v2/PhoneNumbers/{NUMBER}"
FIELDS = {"Fields": "line_type_intelligence"}


def lookup_body(kind: str | None, carrier: str | None = "Example Carrier") -> dict:
    """A Lookup v2 answer as Twilio shapes it."""
    return {
        "calling_country_code": "1", "country_code": "US", "phone_number": NUMBER,
        "national_format": "(512) 555-0142", "valid": True, "validation_errors": [],
        "line_type_intelligence": {
            "mobile_country_code": "311", "mobile_network_code": "180",
            "carrier_name": carrier, "type": kind, "error_code": None,
        },
        "url": f"https://lookups.twilio.com{PATH}",
    }


@pytest.fixture
def provider(httpserver, settings):
    settings.TWILIO_ACCOUNT_SID = "AC0123456789abcdef"
    settings.TWILIO_AUTH_TOKEN = "auth-token"
    settings.TWILIO_LOOKUP_URL = httpserver.url_for("/")
    settings.TWILIO_TIMEOUT = 2
    settings.LINE_TYPE_CACHE_SECONDS = 3600
    ratelimit.window_clear(linetype.RATE_LIMIT_NAME)
    yield httpserver
    ratelimit.window_clear(linetype.RATE_LIMIT_NAME)


def pending() -> SourceUnavailable:
    with pytest.raises(SourceUnavailable) as caught:
        linetype.line_type(NUMBER)
    return caught.value


class TestAnswers:
    @pytest.mark.parametrize(
        "kind", ["mobile", "landline", "fixedVoip", "nonFixedVoip", "tollFree", "personal"])
    def test_it_returns_and_caches_each_type(self, provider, kind):
        provider.expect_request(PATH, query_string=FIELDS).respond_with_json(
            lookup_body(kind, "Google (Grand Central) - SVR"))
        assert linetype.line_type(NUMBER) == kind
        assert linetype.carrier(NUMBER) == "Google (Grand Central) - SVR"
        row = PhoneLineType.objects.get(e164=NUMBER)
        assert (row.line_type, row.carrier) == (kind, "Google (Grand Central) - SVR")

    def test_it_authenticates_with_basic_auth(self, provider):
        token = base64.b64encode(b"AC0123456789abcdef:auth-token").decode()
        provider.expect_request(
            PATH, query_string=FIELDS, headers={"Authorization": f"Basic {token}"}
        ).respond_with_json(lookup_body("mobile"))
        assert linetype.line_type(NUMBER) == "mobile"
        provider.check_assertions()

    def test_a_second_call_is_answered_from_the_cache(self, provider):
        provider.expect_request(PATH).respond_with_json(lookup_body("nonFixedVoip"))
        linetype.line_type(NUMBER)
        assert linetype.line_type(NUMBER) == "nonFixedVoip"
        assert len(provider.log) == 1

    def test_no_data_for_the_number_is_an_empty_type(self, provider):
        body = lookup_body(None, None)
        body["line_type_intelligence"]["error_code"] = 60600
        provider.expect_request(PATH).respond_with_json(body)
        assert linetype.line_type(NUMBER) == ""
        assert linetype.carrier(NUMBER) == ""

    def test_an_invalid_number_without_intelligence_is_an_empty_type(self, provider):
        body = lookup_body(None) | {"valid": False, "line_type_intelligence": None}
        provider.expect_request(PATH).respond_with_json(body)
        assert linetype.line_type(NUMBER) == ""

    def test_a_404_is_an_empty_type(self, provider):
        provider.expect_request(PATH).respond_with_json({"code": 20404}, status=404)
        assert linetype.line_type(NUMBER) == ""


class TestNotConfigured:
    def test_it_returns_none_and_calls_nobody(self, httpserver, settings):
        settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
        settings.TWILIO_LOOKUP_URL = httpserver.url_for("/")
        assert linetype.line_type(NUMBER) is None
        assert linetype.carrier(NUMBER) == ""
        assert httpserver.log == []


class TestNeverAFinding:
    def test_a_429_is_pending_and_pauses_the_provider(self, provider):
        provider.expect_request(PATH).respond_with_json(
            {"code": 20429, "message": "Too Many Requests"}, status=429,
            headers={"Retry-After": "30"})
        assert pending().retry_after == 30
        assert 25 <= pending().retry_after <= 30  # from the window, without a request
        assert len(provider.log) == 1
        assert not PhoneLineType.objects.exists()

    def test_a_5xx_is_pending(self, provider):
        provider.expect_request(PATH).respond_with_data("", status=502)
        assert pending().retry_after == linetype.TRANSIENT_RETRY_SECONDS
        assert not PhoneLineType.objects.exists()

    def test_rejected_credentials_are_pending(self, provider):
        provider.expect_request(PATH).respond_with_json({"code": 20003}, status=401)
        assert "401" in pending().reason
        assert not PhoneLineType.objects.exists()

    def test_a_timeout_is_pending(self, provider, settings):
        settings.TWILIO_TIMEOUT = 0.2

        def slow(request):
            time.sleep(0.6)
            return Response("{}", status=200, content_type="application/json")

        provider.expect_request(PATH).respond_with_handler(slow)
        assert "did not answer" in pending().reason
        time.sleep(0.5)  # let the single-threaded server finish before the next test
        assert not PhoneLineType.objects.exists()
