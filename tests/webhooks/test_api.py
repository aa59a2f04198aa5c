"""/api/v1/webhooks/endpoints/: an integration manages its own endpoints with its key."""

import pytest
from django.utils import timezone

from tests.webhooks.conftest import verify
from webhooks.models import SUBSCRIBABLE, Delivery, Endpoint
from webhooks.services import delivery_send

URL = "/api/v1/webhooks/endpoints/"


@pytest.fixture
def created(api, httpserver, local_receiver_allowed):
    response = api.post(URL, {"url": httpserver.url_for("/hook"),
                              "event_types": ["review.decided", "candidate.scored"]},
                        format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_creates_an_endpoint_and_shows_the_secret_once(api, created):
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["candidate.scored", "review.decided"]
    listed = api.get(URL).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0] and "secret" not in api.get(f"{URL}{created['id']}/").json()


def test_it_refuses_private_urls_with_a_json_error(api, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    response = api.post(URL, {"url": "https://169.254.169.254/", "event_types": SUBSCRIBABLE},
                        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "url" in body["fields"]
    assert Endpoint.objects.count() == 0


def test_it_rejects_unknown_event_types(api, local_receiver_allowed, httpserver):
    response = api.post(URL, {"url": httpserver.url_for("/hook"), "event_types": ["nope"]},
                        format="json")
    assert response.status_code == 400 and "event_types" in response.json()["fields"]


def test_it_hides_other_integrations_endpoints(other_api, created):
    assert other_api.get(URL).json() == []
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "rotate-secret/"),
                         ("post", "test/"), ("get", "deliveries/")]:
        response = getattr(other_api, method)(f"{URL}{created['id']}/{path}", {}, format="json")
        assert response.status_code == 404, (method, path)
    assert Endpoint.objects.filter(pk=created["id"]).exists()


def test_it_needs_an_api_key(client, created):
    assert client.get(URL).status_code == 401


def test_it_updates_disables_and_deletes(api, created):
    response = api.patch(f"{URL}{created['id']}/", {"enabled": False}, format="json")
    assert response.status_code == 200 and response.json()["enabled"] is False
    assert api.delete(f"{URL}{created['id']}/").status_code == 204
    assert not Endpoint.objects.exists()


def test_it_rotates_and_both_secrets_sign(api, created, httpserver,
                                          django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_data("ok")
    rotated = api.post(f"{URL}{created['id']}/rotate-secret/").json()
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(f"{URL}{created['id']}/test/")
    assert response.status_code == 202
    delivery_send(delivery_id=Delivery.objects.get().pk)
    request, _ = httpserver.log[0]
    for secret in (created["secret"], rotated["secret"]):
        verify(secret, dict(request.headers), request.get_data())


def test_it_lists_the_log_and_resends_and_replays(api, created, httpserver,
                                                  django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=False):
        api.post(f"{URL}{created['id']}/test/")
    delivery = Delivery.objects.get()
    delivery_send(delivery_id=delivery.pk)
    log = api.get(f"{URL}{created['id']}/deliveries/", {"event_type": "webhook.test"}).json()
    assert log[0]["status"] == "delivered" and log[0]["attempt_log"][0]["status_code"] == 200
    assert api.get(f"{URL}{created['id']}/deliveries/",
                   {"event_type": "review.decided"}).json() == []
    with django_capture_on_commit_callbacks(execute=False):
        resent = api.post(f"{URL}{created['id']}/deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 202 and resent.json() == {"deliveries": 1}
    assert delivery_send(delivery_id=delivery.pk) == "delivered"
    with django_capture_on_commit_callbacks(execute=False):
        replayed = api.post(f"{URL}{created['id']}/replay/",
                            {"since": (timezone.now() - timezone.timedelta(hours=1)).isoformat()},
                            format="json")
    assert replayed.json() == {"deliveries": 1}
    assert len(httpserver.log) == 2


def test_it_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/webhooks/endpoints/{id}/rotate-secret/" in schema
    assert "/api/v1/webhooks/endpoints/{id}/replay/" in schema
