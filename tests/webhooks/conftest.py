"""A real receiver on localhost (pytest-httpserver), endpoints pointing at it, and helpers to
read what it got and to verify it with the standardwebhooks package's own verifier."""

import json

import pytest
from standardwebhooks.webhooks import Webhook

from candidates.models import Candidate, Integration
from tests.review.factories import candidate_make, flag
from webhooks import outbox
from webhooks.models import SUBSCRIBABLE, Delivery
from webhooks.services import endpoint_create


@pytest.fixture(autouse=True)
def _broker_backoff_reset():
    """A test that saw the broker down must not leave later tests skipping the publish."""
    outbox._broker_down_until = 0.0
    yield
    outbox._broker_down_until = 0.0


@pytest.fixture
def local_receiver_allowed(settings):
    """The allow-list the tests need for their receiver on localhost over plain http (the
    name may also resolve to ::1)."""
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32", "::1/128"]
    settings.WEBHOOK_REQUIRE_HTTPS = False


@pytest.fixture
def acme(db):
    return Integration.objects.get_or_create(name="greenhouse-acme")[0]


@pytest.fixture
def endpoint_and_secret(acme, httpserver, local_receiver_allowed):
    return endpoint_create(integration=acme, url=httpserver.url_for("/hook"),
                           event_types=SUBSCRIBABLE, actor="test")


@pytest.fixture
def candidate(acme):
    flags = [
        flag("reuse.bank_account", summary="Bank account …0042 is also on 2 other applications",
             evidence={"others": [{"id": 987654, "full_name": "Other Applicant"}]}),
        flag("phone.voip"),
    ]
    made = candidate_make("Dana Whitfield", 88, integration=acme, flags=flags)
    # What the integration may see (docs/tenancy.md); here the same as the full risk.
    Candidate.objects.filter(pk=made.pk).update(scoped_score=88, scoped_level=made.risk_level,
                                                scoped_flags=flags)
    made.refresh_from_db()
    return made


def received(httpserver) -> list[tuple[dict, bytes]]:
    """(headers, body) of every request the receiver got, in order."""
    return [(dict(request.headers), request.get_data()) for request, _ in httpserver.log]


def verify(secret: str, headers: dict, body: bytes) -> dict:
    """The receiver's side, with the package's verifier (raises if the signature is wrong)."""
    return Webhook(secret).verify(body, headers)


def deliveries_of(endpoint) -> list[Delivery]:
    return list(Delivery.objects.filter(endpoint=endpoint).select_related("event")
                .order_by("id"))


def body_json(body: bytes) -> dict:
    return json.loads(body)
