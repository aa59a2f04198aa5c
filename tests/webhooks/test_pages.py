"""/settings/webhooks/: admins only, checked on the server."""

import pytest

from review import roles
from tests.review.factories import client_for, user_make
from webhooks.models import SUBSCRIBABLE, Delivery, Endpoint
from webhooks.secrets import secret_decrypt

PAGE = "/settings/webhooks/"


@pytest.fixture
def admin(db):
    return user_make("ada", roles.ADMIN)


@pytest.mark.parametrize("role", [roles.RECRUITER, roles.HR_LEAD, None])
def test_it_is_forbidden_to_everyone_but_admins(role, endpoint_and_secret):
    endpoint, _ = endpoint_and_secret
    client = client_for(user_make("someone", role))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 403
    assert client.post(f"{PAGE}{endpoint.pk}/rotate/").status_code == 403
    assert client.post(f"{PAGE}{endpoint.pk}/test/").status_code == 403
    assert not Delivery.objects.exists()


def test_it_sends_anonymous_users_to_sign_in(db):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_adds_an_endpoint_and_shows_the_secret_once(admin, acme, httpserver,
                                                       local_receiver_allowed):
    client = client_for(admin)
    response = client.post(PAGE, {"integration": acme.pk, "url": httpserver.url_for("/hook"),
                                  "event_types": SUBSCRIBABLE})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    endpoint = Endpoint.objects.get()
    secret = secret_decrypt(endpoint.secret_encrypted)
    assert secret in response.content.decode()
    assert secret not in client.get(f"{PAGE}{endpoint.pk}/").content.decode()
    assert secret not in client.get(PAGE).content.decode()


def test_it_refuses_a_private_url(admin, acme, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    response = client_for(admin).post(PAGE, {"integration": acme.pk,
                                             "url": "https://10.0.0.1/hook",
                                             "event_types": SUBSCRIBABLE})
    assert response.status_code == 400 and "private" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_it_tells_admins_about_a_disabled_endpoint(admin, endpoint_and_secret):
    endpoint, _ = endpoint_and_secret
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_reason="The endpoint answered 410 Gone.")
    page = client_for(admin).get(PAGE).content.decode()
    assert "Disabled by the system" in page and "410 Gone" in page


def test_it_shows_the_log_and_queues_a_test_event(admin, endpoint_and_secret,
                                                  django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"{PAGE}{endpoint.pk}/test/")
    assert response.status_code == 302
    page = client.get(f"{PAGE}{endpoint.pk}/").content.decode()
    assert "webhook.test" in page and Delivery.objects.get().event.msg_id in page
    filtered = client.get(f"{PAGE}{endpoint.pk}/", {"event_type": "review.decided"})
    assert Delivery.objects.get().event.msg_id not in filtered.content.decode()


def test_it_rotates_the_secret(admin, endpoint_and_secret):
    endpoint, old = endpoint_and_secret
    response = client_for(admin).post(f"{PAGE}{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    new = secret_decrypt(endpoint.secret_encrypted)
    assert new != old and new in response.content.decode()
    assert secret_decrypt(endpoint.previous_secret_encrypted) == old
