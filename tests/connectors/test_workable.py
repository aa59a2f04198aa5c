"""Workable: webhooks signed with X-Workable-Signature (HMAC-SHA256 of the body with the
account token); the candidate comes in the body, and is fetched from the SPI when the
webhook lacks fields; the verdict goes back as a comment. A local HTTP server plays the
Workable SPI and its resume host."""

import json

import pytest
from django.urls import reverse

from candidates.models import Candidate, Integration
from connectors import services
from connectors.models import AtsCandidate, AtsKind, Delivery, DeliveryStatus, Writeback
from signals.events import RiskChanged
from tests.connectors.helpers import docx_bytes, hmac_hex, payload, pdf_bytes

SECRET = "workable-account-token"
API_KEY = "workable-spi-token"
RESUME_TEXT = "Lakita Marrero Operations Manager Groove Tech 2015 2023 Sales"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def workable(db, httpserver):
    return services.connection_create(
        integration=Integration.objects.create(name="acme-workable"), kind=AtsKind.WORKABLE,
        webhook_secret=SECRET, api_key=API_KEY, api_base_url=httpserver.url_for("/spi/v3"),
        api_user_id="13e0eb0e")


def body_of(name: str, httpserver, ext: str = "pdf") -> bytes:
    return payload(name, httpserver.url_for("/")).replace(b"{EXT}", ext.encode())


def post(client, connection, body: bytes, *, signature: str | None = None):
    return client.post(
        reverse("connectors:webhook", args=[connection.token]), data=body,
        content_type="application/json",
        headers={"X-Workable-Signature": signature if signature is not None
                 else hmac_hex(SECRET, body)})


def process() -> Delivery:
    delivery = Delivery.objects.latest("pk")
    services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def serve_resume(httpserver, ext: str, resume: bytes):
    httpserver.expect_request(f"/files/resumes/ce4da98.{ext}").respond_with_data(
        resume, content_type=DOCX if ext == "docx" else "application/pdf")


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_it_maps_a_created_candidate_from_the_webhook_alone(client, workable, httpserver, ext):
    serve_resume(httpserver, ext,
                 pdf_bytes(RESUME_TEXT) if ext == "pdf" else docx_bytes(RESUME_TEXT))

    assert post(client, workable,
                body_of("workable_candidate_created.json", httpserver, ext)).status_code == 200
    delivery = process()

    assert delivery.status == DeliveryStatus.DONE, delivery.error
    assert delivery.event == "candidate_created"
    candidate = Candidate.objects.get(integration=workable.integration)
    assert candidate.external_id == "workable:ce4da98"
    assert candidate.full_name == "Lakita Marrero"
    assert candidate.position == "Sales Intern"
    assert candidate.applied_at.isoformat() == "2024-03-11T10:12:41+00:00"
    assert (candidate.location_country, candidate.location_region, candidate.location_city) == (
        "US", "California", "Mountain View")
    assert [e.address for e in candidate.emails.all()] == ["lakita.marrero@example.com"]
    assert [p.e164 for p in candidate.phones.all()] == ["+16505550164"]
    assert sorted((p.network, p.username) for p in candidate.profiles.all()) == [
        ("github", "lmarrero"), ("linkedin", "lakitamarrero")]
    address = candidate.addresses.get()
    assert (address.line1, address.city, address.country) == (
        "1600 Amphitheatre Parkway", "Mountain View", "US")
    assert candidate.resume_text == RESUME_TEXT
    link = AtsCandidate.objects.get(candidate=candidate)
    assert (link.ats_candidate_id, link.stage, link.source, link.job) == (
        "ce4da98", "Applied", "linkedin.com", "Sales Intern")
    # Everything was in the webhook: the SPI was not called.
    assert not [r for r, _ in httpserver.log if r.path.startswith("/spi/")]


def test_it_fetches_the_candidate_when_the_webhook_lacks_fields(client, workable, httpserver):
    serve_resume(httpserver, "pdf", pdf_bytes(RESUME_TEXT))
    httpserver.expect_request("/spi/v3/candidates/ce4da98",
                              headers={"Authorization": f"Bearer {API_KEY}"}
                              ).respond_with_data(body_of("workable_candidate.json", httpserver),
                                                  content_type="application/json")

    post(client, workable, payload("workable_candidate_moved.json"))
    assert process().status == DeliveryStatus.DONE

    candidate = Candidate.objects.get()
    assert candidate.full_name == "Lakita Marrero" and candidate.resume_text == RESUME_TEXT
    assert AtsCandidate.objects.get().stage == "Phone Screen"
    download = next(r for r, _ in httpserver.log if r.path.startswith("/files/"))
    assert "Authorization" not in download.headers  # the token stays with the SPI


@pytest.mark.parametrize("signature", ["", "0" * 64, "tampered"])
def test_it_refuses_a_wrong_signature_and_stores_nothing(client, workable, httpserver,
                                                         signature):
    body = body_of("workable_candidate_created.json", httpserver)
    if signature == "tampered":
        signature = hmac_hex(SECRET, body)
        body = body.replace(b"Sales Intern", b"CEO")
    assert post(client, workable, body, signature=signature).status_code == 401
    assert not Delivery.objects.exists()


def test_it_acknowledges_a_replay_and_processes_it_once(client, workable, httpserver):
    serve_resume(httpserver, "pdf", pdf_bytes(RESUME_TEXT))
    body = body_of("workable_candidate_created.json", httpserver)
    assert post(client, workable, body).json()["duplicate"] is False
    assert post(client, workable, body).json()["duplicate"] is True
    assert Delivery.objects.count() == 1
    process()
    assert Candidate.objects.get().revision == 1


def test_it_writes_the_verdict_back_as_a_comment(client, workable, httpserver):
    serve_resume(httpserver, "pdf", pdf_bytes(RESUME_TEXT))
    post(client, workable, body_of("workable_candidate_created.json", httpserver))
    process()
    candidate = Candidate.objects.get()
    Candidate.objects.filter(pk=candidate.pk).update(
        risk_status="scored", scoped_score=12, scoped_level="low", risk_score=80,
        risk_level="critical", scoped_flags=[])
    httpserver.expect_request("/spi/v3/candidates/ce4da98/comments", method="POST",
                              headers={"Authorization": f"Bearer {API_KEY}"}
                              ).respond_with_json({}, status=201)

    writebacks, _ = services.risk_changed_record(RiskChanged(
        candidate_id=candidate.pk, old_level="", new_level="low", score=12,
        old_scoped_level="", new_scoped_level="low"))
    assert services.writeback_send(writeback_id=writebacks[0]) is True

    sent = json.loads(next(r for r, _ in httpserver.log if r.path.endswith("/comments"))
                      .get_data())
    assert sent["member_id"] == "13e0eb0e"
    assert "low (12/100)" in sent["comment"]["body"]
    assert "critical" not in sent["comment"]["body"]
    assert Writeback.objects.get().status == "sent"
