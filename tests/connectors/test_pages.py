"""The connection page: admins only (checked on the server), the URL to paste, and the last
deliveries with their outcome."""

import json

from django.urls import reverse

from connectors import services
from connectors.models import Delivery
from review import roles
from tests.connectors.conftest import GH_SECRET
from tests.connectors.helpers import hmac_hex
from tests.review.factories import user_make


def test_it_shows_the_inbound_url_and_the_last_deliveries_to_an_admin(client, gh_connection):
    body = json.dumps({"action": "update_candidate", "payload": {}}).encode()
    client.post(reverse("connectors:webhook", args=[gh_connection.token]), data=body,
                content_type="application/json",
                headers={"Signature": f"sha256 {hmac_hex(GH_SECRET, body)}"})
    services.delivery_process(delivery_id=Delivery.objects.get().pk)
    client.force_login(user_make("ada", roles.ADMIN))

    page = client.get(reverse("connectors:detail", args=[gh_connection.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert f"http://testserver/connectors/in/{gh_connection.token}/" in html
    assert "update_candidate" in html and "unmappable" in html
    assert "<script>" not in html and "style=" not in html
    listing = client.get(reverse("connectors:list")).content.decode()
    assert str(gh_connection.integration) in listing


def test_it_refuses_the_page_to_recruiters_and_sends_anonymous_users_to_sign_in(
        client, gh_connection):
    url = reverse("connectors:detail", args=[gh_connection.pk])
    assert client.get(url).status_code == 302
    client.force_login(user_make("rita", roles.RECRUITER))
    assert client.get(url).status_code == 403
    assert client.get(reverse("connectors:list")).status_code == 403
