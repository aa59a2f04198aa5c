"""Ashby: webhooks signed with Ashby-Signature: sha256=<hex> over the raw body; the
candidate is fetched whole (candidate.info) with the IPs and user agents Ashby recorded
(candidate.listClientInfo) and its resume (file.info); the verdict goes back as a note
(candidate.createNote). A local HTTP server plays Ashby's API."""

import base64
import json

import pytest
from django.urls import reverse

from candidates.models import Candidate, Integration
from connectors import services
from connectors.models import AtsCandidate, AtsKind, Delivery, DeliveryStatus, Writeback
from signals.events import RiskChanged
from tests.connectors.helpers import docx_bytes, hmac_hex, payload, payload_json, pdf_bytes

SECRET = "8b943c474f5d1e1712f13e1a870b485c9b6b2b57"  # Ashby's documented example token
API_KEY = "ashby-api-key"
CANDIDATE = "5b591aad-1bd0-4fa8-8bad-3f8b2e1ca7d6"
RESUME_TEXT = "Adam Hart Staff Software Engineer Auction.com 2018 2024 Go Kubernetes"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def ashby(db, httpserver):
    return services.connection_create(
        integration=Integration.objects.create(name="acme-ashby"), kind=AtsKind.ASHBY,
        webhook_secret=SECRET, api_key=API_KEY, api_base_url=httpserver.url_for("/"))


def post(client, connection, body: bytes, *, signature: str | None = None):
    return client.post(
        reverse("connectors:webhook", args=[connection.token]), data=body,
        content_type="application/json",
        headers={"Ashby-Signature": signature if signature is not None
                 else f"sha256={hmac_hex(SECRET, body)}"})


def process() -> Delivery:
    delivery = Delivery.objects.latest("pk")
    services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def serve_ashby(httpserver, *, ext: str = "pdf", resume: bytes = b""):
    basic = base64.b64encode(f"{API_KEY}:".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}
    info = payload("ashby_candidate_info.json").replace(b"{EXT}", ext.encode())
    httpserver.expect_request("/candidate.info", method="POST", headers=auth,
                              json={"id": CANDIDATE}).respond_with_data(
        info, content_type="application/json")
    httpserver.expect_request("/candidate.listClientInfo", method="POST", headers=auth,
                              json={"candidateId": CANDIDATE}).respond_with_json(
        payload_json("ashby_listClientInfo.json"))
    httpserver.expect_request("/file.info", method="POST", headers=auth).respond_with_data(
        payload("ashby_file_info.json", httpserver.url_for("/")),
        content_type="application/json")
    # The signed file URL needs no credentials (and must not be sent ours).
    httpserver.expect_request("/s3/ashby-files/adam_hart_resume").respond_with_data(
        resume or pdf_bytes(RESUME_TEXT), content_type=DOCX if ext == "docx" else
        "application/pdf")


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_it_maps_a_submitted_application_with_ips_and_the_resume(client, ashby, httpserver,
                                                                 ext):
    serve_ashby(httpserver, ext=ext,
                resume=pdf_bytes(RESUME_TEXT) if ext == "pdf" else docx_bytes(RESUME_TEXT))

    assert post(client, ashby, payload("ashby_applicationSubmit.json")).status_code == 200
    delivery = process()

    assert delivery.status == DeliveryStatus.DONE, delivery.error
    candidate = Candidate.objects.get(integration=ashby.integration)
    assert candidate.external_id == f"ashby:{CANDIDATE}"
    assert candidate.full_name == "Adam Hart"
    assert candidate.position == "Staff Software Engineer"
    assert candidate.applied_at.isoformat() == "2022-08-12T20:29:56.964000+00:00"
    assert (candidate.location_country, candidate.location_region, candidate.location_city) == (
        "US", "Washington", "Seattle")
    assert [e.address for e in candidate.emails.all()] == ["adam.hart@example.com"]
    assert [p.e164 for p in candidate.phones.all()] == ["+12065550187"]
    assert sorted((p.network, p.username) for p in candidate.profiles.all()) == [
        ("github", "adamhart"), ("linkedin", "adamhart"), ("portfolio", "adamhart.dev")]
    assert sorted((i.ip, i.source, i.observed_at.isoformat())
                  for i in candidate.ip_observations.all()) == [
        ("198.51.100.7", "application", "2022-08-13T09:02:10+00:00"),
        ("203.0.113.24", "application", "2022-08-12T20:29:51+00:00")]
    assert candidate.resume_text == RESUME_TEXT
    link = AtsCandidate.objects.get(candidate=candidate)
    assert (link.ats_candidate_id, link.ats_application_id) == (
        CANDIDATE, "e9ed20fd-d45f-4aad-8a00-a19bfba0083e")
    assert (link.stage, link.source, link.job) == (
        "Application Review", "LinkedIn", "Staff Software Engineer")
    assert [e["value"] for e in link.contacts["emails"]] == [
        "adam.hart@example.com", "ahart@work.example.com"]
    assert [(p["value"], p["type"]) for p in link.contacts["phones"]] == [
        ("+1 206-555-0187", "Mobile"), ("+1 425-555-0110", "Work")]
    assert len(link.contacts["user_agents"]) == 2
    download = next(r for r, _ in httpserver.log if r.path.startswith("/s3/"))
    assert "Authorization" not in download.headers


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "tampered"])
def test_it_refuses_a_wrong_signature_and_stores_nothing(client, ashby, signature):
    body = payload("ashby_applicationSubmit.json")
    if signature == "tampered":
        signature = f"sha256={hmac_hex(SECRET, body)}"
        body = body.replace(b"Adam Hart", b"Eve Hart")
    assert post(client, ashby, body, signature=signature).status_code == 401
    assert not Delivery.objects.exists()


def test_it_acknowledges_a_replay_and_processes_it_once(client, ashby, httpserver):
    serve_ashby(httpserver)
    body = payload("ashby_applicationSubmit.json")
    assert post(client, ashby, body).json()["duplicate"] is False
    assert post(client, ashby, body).json()["duplicate"] is True
    assert Delivery.objects.count() == 1
    process()
    assert Candidate.objects.get().revision == 1


def test_it_moves_the_stage_on_an_offer_and_marks_the_hire(client, ashby, httpserver):
    serve_ashby(httpserver)
    post(client, ashby, payload("ashby_applicationSubmit.json"))
    process()
    application = payload_json("ashby_applicationSubmit.json")["data"]["application"]
    application["currentInterviewStage"]["title"] = "Offer"
    httpserver.expect_request("/application.info", method="POST", json={
        "applicationId": application["id"]}).respond_with_json(
        {"success": True, "results": application})

    post(client, ashby, payload("ashby_offerCreate.json"))
    assert process().status == DeliveryStatus.DONE
    link = AtsCandidate.objects.get()
    assert link.stage == "Offer" and link.hired_at is None
    hire = {"action": "candidateHire", "data": {"application": application}}
    post(client, ashby, json.dumps(hire).encode())
    process()
    link.refresh_from_db()
    assert link.hired_at is not None


def test_it_writes_the_verdict_back_as_a_candidate_note(client, ashby, httpserver):
    serve_ashby(httpserver)
    post(client, ashby, payload("ashby_applicationSubmit.json"))
    process()
    candidate = Candidate.objects.get()
    Candidate.objects.filter(pk=candidate.pk).update(
        risk_status="scored", scoped_score=35, scoped_level="medium", risk_score=90,
        risk_level="critical", scoped_flags=[{"code": "ip_datacenter", "points": 20}])
    httpserver.expect_request("/candidate.createNote", method="POST").respond_with_json(
        {"success": True, "results": {"id": "note-1"}})

    writebacks, _ = services.risk_changed_record(RiskChanged(
        candidate_id=candidate.pk, old_level="", new_level="medium", score=35,
        old_scoped_level="", new_scoped_level="medium"))
    assert services.writeback_send(writeback_id=writebacks[0]) is True

    note = json.loads(next(r for r, _ in httpserver.log
                           if r.path == "/candidate.createNote").get_data())
    assert note["candidateId"] == CANDIDATE
    assert "medium (35/100)" in note["note"]["value"] and "critical" not in note["note"]["value"]
    assert Writeback.objects.get().status == "sent"


def test_it_retries_when_ashby_answers_an_error(client, ashby, httpserver):
    httpserver.expect_request("/candidate.info", method="POST").respond_with_json(
        {"success": False, "errors": ["missing_endpoint_permission"]})
    post(client, ashby, payload("ashby_applicationSubmit.json"))
    with pytest.raises(Exception, match="missing_endpoint_permission"):
        services.delivery_process(delivery_id=Delivery.objects.get().pk)
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert not Candidate.objects.exists()
