"""With a real Celery worker: a signed Greenhouse webhook posted to the running app is
mapped, scored and written back to the fake Greenhouse; and the Assessment partner flow
list_tests -> send_test -> scoring -> PATCH callback -> test_status."""

import base64
import json

import pytest
import requests

from candidates.models import Candidate, Integration
from connectors.models import AtsKind, Delivery, DeliveryStatus
from connectors.services import connection_assessment_key_issue, connection_create
from tests.conftest import wait_for
from tests.connectors import test_lever
from tests.connectors.helpers import hmac_hex, payload, pdf_bytes

SECRET = "e2e-greenhouse-secret"


@pytest.fixture
def connection(transactional_db, httpserver):
    return connection_create(
        integration=Integration.objects.create(name="e2e-greenhouse"),
        kind=AtsKind.GREENHOUSE, webhook_secret=SECRET, api_key="harvest-key",
        api_base_url=httpserver.url_for("/v1"), api_user_id="4080")


def _requests_to(httpserver, path):
    return [request for request, _ in httpserver.log if request.path == path]


@pytest.mark.worker
def test_a_signed_webhook_is_mapped_scored_and_written_back_by_a_real_worker(
        live_server, httpserver, connection, celery_worker_process):
    httpserver.expect_request("/attachments/resume.pdf").respond_with_data(
        pdf_bytes("Johnny Smith Backend Engineer"), content_type="application/pdf")
    httpserver.expect_request("/v1/candidates/15/activity_feed/notes",
                              method="POST").respond_with_json({"id": 1}, status=201)
    httpserver.expect_request("/v1/tags/candidate", method="POST").respond_with_json(
        {"id": 903, "name": "Vetting risk"}, status=201)
    httpserver.expect_request("/v1/candidates/15/tags", method="GET").respond_with_json([])
    httpserver.expect_request("/v1/candidates/15/tags/903", method="PUT").respond_with_json({})
    body = payload("greenhouse_new_candidate_application.json", httpserver.url_for("/"))

    response = requests.post(
        f"{live_server.url}/connectors/in/{connection.token}/", data=body, timeout=10,
        headers={"Content-Type": "application/json", "Greenhouse-Event-ID": "e2e-1",
                 "Signature": f"sha256 {hmac_hex(SECRET, body)}"})

    assert response.status_code == 200
    candidate = wait_for(lambda: Candidate.objects.filter(
        integration=connection.integration, risk_status="scored").first(), timeout=40)
    assert candidate.resume_text == "Johnny Smith Backend Engineer"
    assert Delivery.objects.get().status == DeliveryStatus.DONE
    notes = wait_for(lambda: _requests_to(httpserver, "/v1/candidates/15/activity_feed/notes"),
                     timeout=30)
    note = json.loads(notes[0].get_data())["body"]
    assert f"{candidate.risk_level} ({candidate.risk_score}/100)" in note


@pytest.mark.worker
def test_the_greenhouse_assessment_flow_runs_end_to_end(
        live_server, httpserver, connection, celery_worker_process):
    key = connection_assessment_key_issue(connection=connection)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    base = f"{live_server.url}/connectors/greenhouse/assessment"
    httpserver.expect_request("/gh/partner_callback/77", method="PATCH").respond_with_data("")

    assert requests.get(f"{base}/list_tests", timeout=10).status_code == 401
    tests = requests.get(f"{base}/list_tests", headers=auth, timeout=10).json()
    assert tests == [{"partner_test_id": "vetting-identity-fraud",
                      "partner_test_name": "Identity and fraud vetting"}]
    sent = requests.post(f"{base}/send_test", headers=auth, timeout=10, json={
        "partner_test_id": tests[0]["partner_test_id"],
        "candidate": {"first_name": "Harry", "last_name": "Potter",
                      "email": "harry.potter@example.com", "phone_number": "+1 310 555 0100",
                      "greenhouse_profile_url": "https://app.greenhouse.io/people/4812"},
        "url": httpserver.url_for("/gh/partner_callback/77"),
    })
    assert sent.status_code == 200
    interview = sent.json()["partner_interview_id"]
    early = requests.get(f"{base}/test_status", headers=auth, timeout=10,
                         params={"partner_interview_id": interview}).json()
    assert early["partner_status"] in ("in_progress", "complete")

    wait_for(lambda: _requests_to(httpserver, "/gh/partner_callback/77"), timeout=40)
    status = requests.get(f"{base}/test_status", headers=auth, timeout=10,
                          params={"partner_interview_id": interview}).json()
    candidate = Candidate.objects.get(integration=connection.integration)
    assert status["partner_status"] == "complete"
    assert status["partner_score"] == candidate.risk_score
    assert status["partner_profile_url"].endswith(f"/candidates/{candidate.pk}/")
    assert status["metadata"]["Risk level"] == candidate.risk_level
    assert all(isinstance(v, str) for v in status["metadata"].values())  # flat


@pytest.mark.worker
def test_a_signed_lever_webhook_is_fetched_mapped_scored_and_written_back_by_a_real_worker(
        live_server, httpserver, transactional_db, celery_worker_process):
    lever = connection_create(
        integration=Integration.objects.create(name="e2e-lever"), kind=AtsKind.LEVER,
        webhook_secret=test_lever.SECRET, api_key=test_lever.API_KEY,
        api_base_url=httpserver.url_for("/v1"))
    test_lever.serve_lever(httpserver)
    for path in ("notes", "removeTags", "addTags"):
        httpserver.expect_request(f"/v1/opportunities/{test_lever.OPP}/{path}",
                                  method="POST").respond_with_json({"data": {}})
    body = test_lever.signed("lever_applicationCreated.json", "e2e-token")

    response = requests.post(f"{live_server.url}/connectors/in/{lever.token}/", data=body,
                             headers={"Content-Type": "application/json"}, timeout=10)

    assert response.status_code == 200
    candidate = wait_for(lambda: Candidate.objects.filter(
        integration=lever.integration, risk_status="scored").first(), timeout=40)
    assert candidate.resume_text == test_lever.RESUME_TEXT
    tags = wait_for(lambda: _requests_to(
        httpserver, f"/v1/opportunities/{test_lever.OPP}/addTags"), timeout=30)
    assert json.loads(tags[0].get_data()) == {"tags": [f"Vetting risk: {candidate.scoped_level}"]}
