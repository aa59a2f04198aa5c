"""Lever: webhooks signed in the body (token + triggeredAt), ids only; the opportunity,
contact, posting and resume are fetched from Lever's API (a local HTTP server plays it), and
the verdict goes back as a note and a tag on the opportunity."""

import base64
import json

import pytest
from django.urls import reverse
from werkzeug import Response

from candidates.models import Candidate, Integration
from connectors import services
from connectors.models import AtsCandidate, AtsKind, Delivery, DeliveryStatus, Writeback
from core.audit import AuditEvent
from signals.events import RiskChanged
from tests.connectors.helpers import docx_bytes, hmac_hex, payload, payload_json, pdf_bytes

SECRET = "lever-signature-token"
API_KEY = "lever-api-key"
OPP = "250d8f03-738a-4bba-a671-8a3d73477145"
RESUME_TEXT = "Shane Smith Customer Success Manager Vandelay Industries 2016 2022"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RESUME_PATH = f"/v1/opportunities/{OPP}/resumes/91a2c4f3-7d1e-4e55-9a4b-0c3b3e9f3b10/download"


@pytest.fixture
def lever(db, httpserver):
    return services.connection_create(
        integration=Integration.objects.create(name="acme-lever"), kind=AtsKind.LEVER,
        webhook_secret=SECRET, api_key=API_KEY, api_base_url=httpserver.url_for("/v1"),
        api_user_id="8d49b010-cc6a-4f40-ace5-e86061c677ed")


def signed(name: str, token: str, *, secret: str = SECRET) -> bytes:
    """A documented example webhook, signed as Lever signs it: HMAC-SHA256 of token +
    triggeredAt with the webhook's signature token, in the body."""
    data = payload_json(name)
    data["token"] = token
    data["signature"] = hmac_hex(secret, f"{token}{data['triggeredAt']}".encode())
    return json.dumps(data).encode()


def post(client, connection, body: bytes):
    return client.post(reverse("connectors:webhook", args=[connection.token]), data=body,
                       content_type="application/json")


def process() -> Delivery:
    delivery = Delivery.objects.latest("pk")
    services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def serve_lever(httpserver, *, resume: bytes = b"", ext: str = "pdf"):
    basic = base64.b64encode(f"{API_KEY}:".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}
    httpserver.expect_request(f"/v1/opportunities/{OPP}", headers=auth).respond_with_json(
        payload_json("lever_opportunity.json"))
    httpserver.expect_request("/v1/contacts/7f23e772-d8ef-4d0e-a0b3-b8b9bfc6e1e8",
                              headers=auth).respond_with_json(payload_json("lever_contact.json"))
    httpserver.expect_request("/v1/postings/f2f01e16-27f8-4711-a728-7d49499795a0",
                              headers=auth).respond_with_json(payload_json("lever_posting.json"))
    resumes = payload("lever_resumes.json", httpserver.url_for("/")).replace(b"{EXT}",
                                                                             ext.encode())
    httpserver.expect_request(f"/v1/opportunities/{OPP}/resumes", headers=auth
                              ).respond_with_data(resumes, content_type="application/json")
    httpserver.expect_request(RESUME_PATH, headers=auth).respond_with_data(
        resume or pdf_bytes(RESUME_TEXT),
        content_type=DOCX if ext == "docx" else "application/pdf")


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_it_maps_an_application_with_everything_fetched_from_lever(client, lever, httpserver,
                                                                   ext):
    resume = pdf_bytes(RESUME_TEXT) if ext == "pdf" else docx_bytes(RESUME_TEXT)
    serve_lever(httpserver, resume=resume, ext=ext)

    response = post(client, lever, signed("lever_applicationCreated.json", "tok-1"))

    assert response.status_code == 200
    delivery = process()
    assert delivery.status == DeliveryStatus.DONE, delivery.error
    assert delivery.event == "applicationCreated"
    candidate = Candidate.objects.get(integration=lever.integration)
    assert candidate.external_id == f"lever:{OPP}"
    assert candidate.full_name == "Shane Smith"
    assert candidate.position == "Customer Success Manager"
    assert candidate.applied_at.isoformat() == "2014-08-08T01:07:51.043000+00:00"
    assert (candidate.location_country, candidate.location_region, candidate.location_city) == (
        "US", "CA", "Oakland")
    assert [e.address for e in candidate.emails.all()] == ["shane@exampleq3.com"]
    assert [p.e164 for p in candidate.phones.all()] == ["+14155550143"]
    assert sorted((p.network, p.username) for p in candidate.profiles.all()) == [
        ("github", "shanesmith"), ("linkedin", "shanesmith"), ("portfolio", "shanesmith.io")]
    assert candidate.resume_text == RESUME_TEXT
    link = AtsCandidate.objects.get(candidate=candidate)
    assert (link.ats_candidate_id, link.ats_application_id) == (
        OPP, "cdb1e7d0-8f0b-4f5b-9f3b-4a1d8f2b8f8b")
    assert (link.stage, link.source, link.job) == (
        "Phone screen", "linkedin", "Customer Success Manager")
    assert link.contacts["emails"] == [
        {"value": "shane@exampleq3.com", "type": ""},
        {"value": "shane.smith@work.example.com", "type": ""}]
    assert link.contacts["phones"] == [
        {"value": "+1 415-555-0143", "type": "mobile"},
        {"value": "+1 510-555-0172", "type": "work"}]


@pytest.mark.parametrize("tamper", ["wrong-secret", "token", "triggeredAt", "no-signature"])
def test_it_refuses_a_wrong_signature_and_stores_nothing(client, lever, tamper):
    body = json.loads(signed("lever_applicationCreated.json", "tok-1",
                             secret="not-ours" if tamper == "wrong-secret" else SECRET))
    if tamper == "token":
        body["token"] = "tok-2"
    elif tamper == "triggeredAt":
        body["triggeredAt"] += 1
    elif tamper == "no-signature":
        del body["signature"]
    assert post(client, lever, json.dumps(body).encode()).status_code == 401
    assert not Delivery.objects.exists()


def test_it_acknowledges_a_replayed_token_and_processes_it_once(client, lever, httpserver):
    serve_lever(httpserver)
    body = signed("lever_applicationCreated.json", "tok-1")
    assert post(client, lever, body).json() == {"received": True, "duplicate": False}
    # Same token, even in a re-serialised body: the token is the delivery.
    again = json.dumps(json.loads(body), indent=2).encode()
    assert post(client, lever, again).json() == {"received": True, "duplicate": True}
    assert Delivery.objects.count() == 1
    process()
    assert Candidate.objects.get().revision == 1


def test_it_moves_the_stage_marks_the_hire_and_erases_on_deletion(client, lever, httpserver):
    serve_lever(httpserver)
    post(client, lever, signed("lever_applicationCreated.json", "tok-1"))
    process()
    post(client, lever, signed("lever_candidateStageChange.json", "tok-2"))
    assert process().status == DeliveryStatus.DONE
    link = AtsCandidate.objects.get()
    assert link.stage == "Phone screen" and link.hired_at is None
    post(client, lever, signed("lever_candidateHired.json", "tok-3"))
    process()
    link.refresh_from_db()
    assert link.hired_at is not None

    post(client, lever, signed("lever_candidateDeleted.json", "tok-4"))
    assert process().status == DeliveryStatus.DONE
    candidate = Candidate.objects.get()
    assert candidate.full_name == "Erased candidate" and candidate.resume_text == ""
    assert not candidate.emails.exists() and not candidate.phones.exists()
    assert not candidate.profiles.exists()
    assert not Delivery.objects.exclude(body="").exists()
    assert AuditEvent.objects.filter(action="candidate.erase", actor_label__contains="lever",
                                     target_id=str(candidate.pk)).exists()


def test_it_leaves_the_delivery_pending_while_lever_is_down(client, lever, httpserver):
    httpserver.expect_request(f"/v1/opportunities/{OPP}").respond_with_response(
        Response("down", status=503))
    post(client, lever, signed("lever_applicationCreated.json", "tok-1"))
    with pytest.raises(Exception, match="503"):
        services.delivery_process(delivery_id=Delivery.objects.get().pk)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "HTTP 503" in delivery.error
    assert not Candidate.objects.exists()


def test_it_writes_the_verdict_back_as_a_note_and_a_tag_on_the_opportunity(client, lever,
                                                                           httpserver):
    serve_lever(httpserver)
    post(client, lever, signed("lever_applicationCreated.json", "tok-1"))
    process()
    candidate = Candidate.objects.get()
    Candidate.objects.filter(pk=candidate.pk).update(
        risk_status="scored", scoped_score=64, scoped_level="high", risk_score=97,
        risk_level="critical", scoped_flags=[{"code": "identity_reuse", "points": 40}])
    perform_as = {"perform_as": "8d49b010-cc6a-4f40-ace5-e86061c677ed"}
    for path in ("notes", "removeTags", "addTags"):
        httpserver.expect_request(f"/v1/opportunities/{OPP}/{path}", method="POST",
                                  query_string=perform_as).respond_with_json({"data": {}})

    writebacks, _ = services.risk_changed_record(RiskChanged(
        candidate_id=candidate.pk, old_level="", new_level="high", score=64,
        old_scoped_level="", new_scoped_level="high"))
    assert services.writeback_send(writeback_id=writebacks[0]) is True

    sent = {r.path.rpartition("/")[2]: json.loads(r.get_data()) for r, _ in httpserver.log
            if r.method == "POST"}
    assert "high (64/100)" in sent["notes"]["value"]
    assert "identity_reuse" in sent["notes"]["value"] and "critical" not in sent["notes"]["value"]
    assert sent["addTags"] == {"tags": ["Vetting risk: high"]}
    assert "Vetting risk: high" not in sent["removeTags"]["tags"]
    assert "Vetting risk: low" in sent["removeTags"]["tags"]
    assert Writeback.objects.get().status == "sent"
