"""The connection page: admins only (checked on the server), the URL to paste, and the last
deliveries with their outcome."""

import json

from django.urls import reverse

from candidates.models import Integration
from connectors import crypto, services
from connectors.models import Connection, Delivery
from core.audit import AuditEvent
from review import roles
from tests.connectors.conftest import GH_API_KEY, GH_SECRET
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


def _form_data(integration, **overrides):
    data = {"integration": integration.pk, "kind": "greenhouse", "webhook_secret": "",
            "api_base_url": "https://harvest.greenhouse.io/v1", "api_key": "harvest-key-1",
            "api_user_id": "4080", "writeback_enabled": "on", "is_active": "on"}
    data.update(overrides)
    return data


def test_it_lets_an_admin_create_a_connection_and_shows_a_generated_secret_once(client, db):
    integration = Integration.objects.create(name="form-co")
    admin_user = user_make("ada", roles.ADMIN)
    client.force_login(admin_user)
    form = client.get(reverse("connectors:new")).content.decode()
    assert "<script>" not in form and "style=" not in form
    assert 'type="password"' in form

    page = client.post(reverse("connectors:new"), data=_form_data(integration))

    assert page.status_code == 200
    connection = Connection.objects.get(integration=integration)
    secret = crypto.decrypt(connection.webhook_secret_encrypted)
    assert len(secret) >= 32 and secret in page.content.decode()
    assert secret not in connection.webhook_secret_encrypted
    assert crypto.decrypt(connection.api_key_encrypted) == "harvest-key-1"
    assert (connection.kind, connection.api_user_id, connection.writeback_enabled) == (
        "greenhouse", "4080", True)
    assert f"/connectors/in/{connection.token}/" in page.content.decode()
    # Shown once: the connection's page never shows it again.
    again = client.get(reverse("connectors:detail", args=[connection.pk])).content.decode()
    assert secret not in again
    event = AuditEvent.objects.get(action="connector.create")
    assert event.actor == admin_user and event.target_id == str(connection.pk)
    assert secret not in json.dumps(event.after) and "harvest-key-1" not in json.dumps(event.after)
    assert event.after["webhook_secret_set"] is True


def test_it_keeps_a_lever_signature_token_as_typed(client, db):
    integration = Integration.objects.create(name="lever-form-co")
    client.force_login(user_make("ada", roles.ADMIN))
    page = client.post(reverse("connectors:new"), data=_form_data(
        integration, kind="lever", webhook_secret="lever-issued-token"))
    connection = Connection.objects.get(integration=integration)
    assert crypto.decrypt(connection.webhook_secret_encrypted) == "lever-issued-token"
    assert "lever-issued-token" not in page.content.decode()


def test_it_lets_an_admin_edit_a_connection_keeping_blank_secrets(client, gh_connection):
    admin_user = user_make("ada", roles.ADMIN)
    client.force_login(admin_user)
    other = Integration.objects.create(name="not-this-one")
    url = reverse("connectors:edit", args=[gh_connection.pk])
    form = client.get(url).content.decode()
    assert GH_SECRET not in form and GH_API_KEY not in form

    response = client.post(url, data=_form_data(
        other, kind="lever", api_key="", webhook_secret="", api_user_id="5000",
        writeback_enabled=""))

    assert response.status_code == 302
    gh_connection.refresh_from_db()
    assert (gh_connection.integration.name, gh_connection.kind) == ("acme-greenhouse",
                                                                   "greenhouse")
    assert (gh_connection.api_user_id, gh_connection.writeback_enabled) == ("5000", False)
    assert crypto.decrypt(gh_connection.webhook_secret_encrypted) == GH_SECRET
    assert crypto.decrypt(gh_connection.api_key_encrypted) == GH_API_KEY
    event = AuditEvent.objects.get(action="connector.update")
    assert event.actor == admin_user
    assert (event.before["writeback_enabled"], event.after["writeback_enabled"]) == (True, False)
    assert event.after["api_key_changed"] is False

    client.post(url, data=_form_data(gh_connection.integration, webhook_secret="rotated"))
    gh_connection.refresh_from_db()
    assert crypto.decrypt(gh_connection.webhook_secret_encrypted) == "rotated"


def test_it_refuses_the_form_to_recruiters_and_anonymous_users(client, gh_connection):
    integration = gh_connection.integration
    urls = [reverse("connectors:new"), reverse("connectors:edit", args=[gh_connection.pk])]
    for url in urls:
        assert client.post(url, data=_form_data(integration)).status_code == 302
    client.force_login(user_make("rita", roles.RECRUITER))
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, data=_form_data(integration, api_user_id="x")).status_code == 403
    assert Connection.objects.count() == 1
    gh_connection.refresh_from_db()
    assert gh_connection.api_user_id == "4080"
    assert not AuditEvent.objects.filter(action__startswith="connector.update").exists()
