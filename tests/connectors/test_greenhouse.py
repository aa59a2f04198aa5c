"""Greenhouse: signed webhooks in, the candidate mapped by the task, resumes read, the
verdict written back as a note through Harvest (a local HTTP server plays Greenhouse)."""

import base64
import json

import pytest
from django.urls import reverse
from werkzeug import Response

from candidates.models import Candidate, Integration
from connectors import services
from connectors.models import (
    AtsCandidate,
    AtsKind,
    Delivery,
    DeliveryStatus,
    Writeback,
    WritebackStatus,
)
from core.audit import AuditEvent
from signals.events import RiskChanged
from tests.connectors.conftest import GH_API_KEY, GH_SECRET
from tests.connectors.helpers import docx_bytes, hmac_hex, payload, pdf_bytes

RESUME_TEXT = "Johnny Smith Senior Backend Engineer Acme Corp 2019 2023 Python"


def post(client, connection, body: bytes, *, secret: str = GH_SECRET, event_id: str = "ev-1",
         signature: str | None = None):
    url = reverse("connectors:webhook", args=[connection.token])
    headers = {"Greenhouse-Event-ID": event_id}
    headers["Signature"] = signature if signature is not None else (
        f"sha256 {hmac_hex(secret, body)}")
    return client.post(url, data=body, content_type="application/json", headers=headers)


def process(response) -> Delivery:
    delivery = Delivery.objects.latest("pk")
    services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def serve_resumes(httpserver, resume: bytes, content_type: str = "application/pdf"):
    httpserver.expect_request("/attachments/resume.pdf").respond_with_data(
        resume, content_type=content_type)


def test_it_maps_a_new_application_with_every_field_and_the_pdf_resume(client, gh_connection,
                                                                        httpserver):
    serve_resumes(httpserver, pdf_bytes(RESUME_TEXT))
    body = payload("greenhouse_new_candidate_application.json", httpserver.url_for("/"))

    response = post(client, gh_connection, body)

    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.body == body.decode()
    assert process(response).status == DeliveryStatus.DONE, delivery.error
    candidate = Candidate.objects.get(integration=gh_connection.integration)
    assert candidate.external_id == "greenhouse:15"
    assert candidate.full_name == "Johnny Smith"
    assert candidate.position == "Senior Backend Engineer"
    assert candidate.applied_at.isoformat() == "2013-03-22T00:00:00+00:00"
    assert [e.address for e in candidate.emails.all()] == ["johnny.smith@example.com"]
    assert [p.e164 for p in candidate.phones.all()] == ["+13105552848"]
    assert sorted((p.network, p.username) for p in candidate.profiles.all()) == [
        ("github", "johnnysmith"), ("linkedin", "johnnysmith"), ("portfolio", "johnnysmith.dev"),
    ]
    address = candidate.addresses.get()
    assert (address.kind, address.line1, address.country) == ("residential", "455 Broadway", "US")
    assert candidate.resume_text == RESUME_TEXT
    link = AtsCandidate.objects.get(candidate=candidate)
    assert (link.ats_candidate_id, link.ats_application_id) == ("15", "69306314")
    assert (link.stage, link.source, link.job) == (
        "Application Review", "LinkedIn (Prospecting)", "Senior Backend Engineer")
    assert link.contacts["emails"] == [
        {"value": "johnny.smith@example.com", "type": "personal"},
        {"value": "jsmith@work.example.com", "type": "work"},
    ]
    assert {p["type"] for p in link.contacts["phones"]} == {"mobile", "work"}


def test_it_reads_a_docx_resume(client, gh_connection, httpserver):
    serve_resumes(httpserver, docx_bytes("Johnny Smith", "Acme Corp, 2019-2023"),
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    post(client, gh_connection,
         payload("greenhouse_new_candidate_application.json", httpserver.url_for("/")))
    assert process(None).status == DeliveryStatus.DONE
    assert Candidate.objects.get().resume_text == "Johnny Smith\nAcme Corp, 2019-2023"


@pytest.mark.parametrize("signature", ["", "sha256 " + "0" * 64, "sha1 abc"])
def test_it_refuses_a_bad_signature_and_stores_nothing(client, gh_connection, signature):
    response = post(client, gh_connection, payload("greenhouse_hire_candidate.json"),
                    signature=signature)
    assert response.status_code == 401
    assert not Delivery.objects.exists()


def test_it_refuses_a_body_signed_with_another_secret(client, gh_connection):
    response = post(client, gh_connection, payload("greenhouse_hire_candidate.json"),
                    secret="someone-else")
    assert response.status_code == 401
    assert not Delivery.objects.exists()


def test_it_acknowledges_a_replay_and_processes_it_once(client, gh_connection, httpserver):
    serve_resumes(httpserver, pdf_bytes(RESUME_TEXT))
    body = payload("greenhouse_new_candidate_application.json", httpserver.url_for("/"))
    first = post(client, gh_connection, body, event_id="same")
    second = post(client, gh_connection, body, event_id="same")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    assert Delivery.objects.count() == 1
    process(None)
    assert Candidate.objects.get().revision == 1


def test_it_refuses_an_oversized_body_with_413(client, gh_connection, settings):
    settings.CONNECTORS_MAX_BODY_BYTES = 100
    body = json.dumps({"action": "update_candidate", "padding": "x" * 200}).encode()
    assert post(client, gh_connection, body).status_code == 413
    assert not Delivery.objects.exists()


def test_it_answers_404_for_an_unknown_connection(client, db):
    url = reverse("connectors:webhook", args=["no-such-token"])
    assert client.post(url, data=b"{}", content_type="application/json").status_code == 404


def test_it_acknowledges_and_ignores_an_unknown_event(client, gh_connection):
    body = json.dumps({"action": "prospect_created", "payload": {}}).encode()
    assert post(client, gh_connection, body).status_code == 200
    assert process(None).status == DeliveryStatus.IGNORED
    assert not Candidate.objects.exists()


def test_it_keeps_an_unmappable_delivery_for_an_admin(client, gh_connection):
    data = json.loads(payload("greenhouse_hire_candidate.json"))
    data["payload"]["application"]["candidate"]["email_addresses"] = []
    post(client, gh_connection, json.dumps(data).encode())
    delivery = process(None)
    assert delivery.status == DeliveryStatus.UNMAPPABLE
    assert "email" in delivery.error
    assert delivery.body  # kept as received


def test_it_leaves_the_delivery_pending_while_the_ats_is_down(client, gh_connection, httpserver):
    httpserver.expect_request("/attachments/resume.pdf").respond_with_response(
        Response("down", status=503))
    post(client, gh_connection,
         payload("greenhouse_new_candidate_application.json", httpserver.url_for("/")))
    delivery = Delivery.objects.get()
    with pytest.raises(Exception) as raised:
        services.delivery_process(delivery_id=delivery.pk)
    assert "HTTPError" in type(raised.value).__name__
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "HTTP 503" in delivery.error and "/attachments/resume.pdf" in delivery.error
    assert not Candidate.objects.exists()
    services.delivery_fail(delivery_id=delivery.pk, error=delivery.error)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_it_moves_the_stage_keeps_the_resume_and_marks_the_hire(client, gh_connection,
                                                                httpserver):
    serve_resumes(httpserver, pdf_bytes(RESUME_TEXT))
    post(client, gh_connection,
         payload("greenhouse_new_candidate_application.json", httpserver.url_for("/")),
         event_id="1")
    process(None)
    post(client, gh_connection, payload("greenhouse_candidate_stage_change.json"), event_id="2")
    process(None)
    link = AtsCandidate.objects.get()
    assert link.stage == "Phone Screen" and link.hired_at is None
    assert link.candidate.resume_text == RESUME_TEXT
    post(client, gh_connection, payload("greenhouse_hire_candidate.json"), event_id="3")
    process(None)
    link.refresh_from_db()
    assert link.hired_at is not None and link.stage == "Offer"


def test_it_erases_a_deleted_candidate_and_audits_it(client, gh_connection, httpserver):
    serve_resumes(httpserver, pdf_bytes(RESUME_TEXT))
    post(client, gh_connection,
         payload("greenhouse_new_candidate_application.json", httpserver.url_for("/")),
         event_id="1")
    process(None)
    post(client, gh_connection, payload("greenhouse_delete_candidate.json"), event_id="2")
    assert process(None).status == DeliveryStatus.DONE
    candidate = Candidate.objects.get()
    assert candidate.full_name == "Erased candidate" and candidate.resume_text == ""
    assert not candidate.emails.exists() and not candidate.phones.exists()
    assert not candidate.profiles.exists() and not candidate.identifiers.exists()
    assert not Delivery.objects.exclude(body="").exists()
    assert AuditEvent.objects.filter(action="candidate.erase",
                                     target_id=str(candidate.pk)).exists()
    # A late update from the ATS does not fill the erased record in again.
    post(client, gh_connection, payload("greenhouse_candidate_stage_change.json"), event_id="3")
    process(None)
    assert Candidate.objects.get().full_name == "Erased candidate"


def test_it_stores_secrets_encrypted(gh_connection):
    assert GH_SECRET not in gh_connection.webhook_secret_encrypted
    assert GH_API_KEY not in gh_connection.api_key_encrypted
    assert gh_connection.webhook_secret_encrypted and gh_connection.api_key_encrypted


def _scored_candidate(client, connection, httpserver, *, flags):
    serve_resumes(httpserver, pdf_bytes(RESUME_TEXT))
    post(client, connection,
         payload("greenhouse_new_candidate_application.json", httpserver.url_for("/")))
    process(None)
    candidate = Candidate.objects.get(integration=connection.integration)
    # The ATS sees the integration-scoped risk; the full (cross-integration) risk differs
    # here so that a write-back reading the wrong one is caught.
    Candidate.objects.filter(pk=candidate.pk).update(
        risk_status="scored", scoped_score=72, scoped_level="high", scoped_flags=flags,
        risk_score=95, risk_level="critical",
        risk_flags=[{"code": "reuse.phone", "points": 45,
                     "evidence": {"others": [{"full_name": "Other Integration Person"}]}}])
    return candidate


def test_it_writes_the_verdict_back_as_a_harvest_note_and_tag(client, gh_connection, httpserver):
    flags = [{"code": "email_disposable", "points": 10, "evidence": {"other": "Jane Doe"}},
             {"code": "identity_reuse", "points": 40, "evidence": {"name": "Jane Doe"}}]
    candidate = _scored_candidate(client, gh_connection, httpserver, flags=flags)
    basic = base64.b64encode(f"{GH_API_KEY}:".encode()).decode()
    httpserver.expect_request(
        "/v1/candidates/15/activity_feed/notes", method="POST",
        headers={"On-Behalf-Of": "4080", "Authorization": f"Basic {basic}"},
    ).respond_with_json({"id": 1}, status=201)
    behalf = {"On-Behalf-Of": "4080", "Authorization": f"Basic {basic}"}
    httpserver.expect_request("/v1/tags/candidate", method="POST", headers=behalf,
                              json={"name": "Vetting risk: high"}).respond_with_json(
        {"id": 903, "name": "Vetting risk: high"}, status=201)
    httpserver.expect_request("/v1/candidates/15/tags", method="GET").respond_with_json(
        [{"id": 365, "name": "Python"}, {"id": 901, "name": "Vetting risk: low"}])
    httpserver.expect_request("/v1/candidates/15/tags/901", method="DELETE",
                              headers=behalf).respond_with_json({"message": "removed"})
    httpserver.expect_request("/v1/candidates/15/tags/903", method="PUT",
                              headers=behalf).respond_with_json({"message": "applied"})

    writebacks, _ = services.risk_changed_record(RiskChanged(
        candidate_id=candidate.pk, old_level="", new_level="high", score=72,
        old_scoped_level="", new_scoped_level="high"))
    assert services.writeback_send(writeback_id=writebacks[0]) is True

    calls = [(r.method, r.path) for r, _ in httpserver.log if r.path.startswith("/v1/")]
    # The level's tag replaces the previous level's; the recruiter's own tags stay.
    assert ("PUT", "/v1/candidates/15/tags/903") in calls
    assert ("DELETE", "/v1/candidates/15/tags/901") in calls
    assert ("DELETE", "/v1/candidates/15/tags/365") not in calls
    note = next(r for r, _ in httpserver.log if r.path.endswith("/activity_feed/notes"))
    sent = json.loads(note.get_data())
    assert sent["user_id"] == "4080" and sent["visibility"] == "admin_only"
    assert "high (72/100)" in sent["body"]
    assert "identity_reuse, email_disposable" in sent["body"]
    assert "Jane Doe" not in sent["body"]  # never another applicant's name
    assert "critical" not in sent["body"] and "reuse.phone" not in sent["body"]
    assert f"/candidates/{candidate.pk}/" in sent["body"]
    assert Writeback.objects.get().status == WritebackStatus.SENT


def test_it_writes_nothing_back_when_switched_off_or_the_level_is_unchanged(
        client, gh_connection, httpserver):
    candidate = _scored_candidate(client, gh_connection, httpserver, flags=[])
    same = RiskChanged(candidate_id=candidate.pk, old_level="high", new_level="high", score=72,
    old_scoped_level="high", new_scoped_level="high")
    assert services.risk_changed_record(same) == ([], [])
    gh_connection.writeback_enabled = False
    gh_connection.save()
    changed = RiskChanged(candidate_id=candidate.pk, old_level="low", new_level="high", score=72,
    old_scoped_level="low", new_scoped_level="high")
    assert services.risk_changed_record(changed) == ([], [])
    assert not Writeback.objects.exists()


def test_it_keeps_each_connection_to_its_own_candidates(client, gh_connection, httpserver):
    candidate = _scored_candidate(client, gh_connection, httpserver, flags=[])
    other = services.connection_create(
        integration=Integration.objects.create(name="other-co"), kind=AtsKind.GREENHOUSE,
        webhook_secret="other-secret", api_base_url=httpserver.url_for("/v1"))
    services.risk_changed_record(RiskChanged(candidate_id=candidate.pk, old_level="",
                                             new_level="high", score=72,
                                             old_scoped_level="", new_scoped_level="high"))
    assert list(Writeback.objects.values_list("connection", flat=True)) == [gh_connection.pk]
    # The other connection's URL does not accept our secret's signatures.
    assert post(client, other, payload("greenhouse_hire_candidate.json")).status_code == 401


def test_it_writes_nothing_back_for_a_change_another_integration_caused(
        client, gh_connection, httpserver):
    candidate = _scored_candidate(client, gh_connection, httpserver, flags=[])
    elsewhere = RiskChanged(candidate_id=candidate.pk, old_level="low", new_level="critical",
                            score=120, old_scoped_level="high", new_scoped_level="high",
                            scoped_score=72, scoped_changed=False)
    assert services.risk_changed_record(elsewhere) == ([], [])
