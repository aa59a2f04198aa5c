"""Delivery to a real receiver on localhost: signatures checked with standardwebhooks'
own verifier, rotation, retries, Retry-After, 410, and the outbox's transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from candidates.models import Integration
from candidates.serializers import CandidateInput
from candidates.services import candidate_upsert
from core import events
from review.services import (
    REJECT_REASONS,
    review_escalate,
    review_reject,
    verification_request_create,
)
from signals.events import RiskChanged
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory
from tests.review.factories import candidate_make, user_make
from tests.webhooks.conftest import deliveries_of, received, verify
from vetting.celery import app as celery_app
from webhooks import outbox
from webhooks.models import SUBSCRIBABLE, Attempt, Delivery, DeliveryStatus, Event
from webhooks.services import (
    delivery_send,
    endpoint_create,
    endpoint_secret_rotate,
    endpoint_test_send,
    endpoint_update,
)
from webhooks.tasks import deliveries_sweep

REJECT_REASON = next(iter(REJECT_REASONS))


def escalate(candidate, django_capture_on_commit_callbacks):
    maker = user_make("mike", "recruiter")
    with django_capture_on_commit_callbacks(execute=False):
        review_escalate(candidate_id=candidate.pk, actor=maker, reason_code="identity_ring",
                        comment="Shares a bank account.")


def send_all(endpoint) -> list[str | None]:
    return [delivery_send(delivery_id=d.pk) for d in deliveries_of(endpoint)]


def test_it_delivers_a_signed_event_that_the_standard_verifier_accepts(
        endpoint_and_secret, candidate, httpserver, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint_and_secret
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    escalate(candidate, django_capture_on_commit_callbacks)

    assert send_all(endpoint) == [DeliveryStatus.DELIVERED]
    [(headers, body)] = received(httpserver)
    payload = verify(secret, headers, body)
    assert payload["type"] == "review.escalated"
    assert headers["Webhook-Id"] == Event.objects.get().msg_id
    data = payload["data"]
    assert data["candidate_id"] == candidate.pk and data["external_id"] == candidate.external_id
    assert data["by"] == "mike" and data["reason_code"] == "identity_ring"
    assert data["url"].endswith(f"/candidates/{candidate.pk}/")
    assert [f["code"] for f in data["top_flags"]] == ["reuse.bank_account", "phone.voip"]
    # Codes, titles and points only: evidence names other applicants.
    assert b"Other Applicant" not in body and b"evidence" not in body and b"987654" not in body
    attempt = Attempt.objects.get()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert attempt.latency_ms is not None and attempt.finished_at is not None


def test_it_signs_with_both_secrets_during_a_rotation_and_only_the_new_after(
        endpoint_and_secret, candidate, httpserver, django_capture_on_commit_callbacks):
    endpoint, old = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("ok")
    new = endpoint_secret_rotate(endpoint=endpoint, actor="test")
    assert new != old and new.startswith("whsec_")
    escalate(candidate, django_capture_on_commit_callbacks)
    send_all(endpoint)
    [(headers, body)] = received(httpserver)
    assert len(headers["Webhook-Signature"].split(" ")) == 2
    verify(old, headers, body)  # receivers not yet switched
    verify(new, headers, body)  # receivers already switched

    endpoint.refresh_from_db()
    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    endpoint_update(endpoint=endpoint, actor="test", description="grace over")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", next_attempt_at=timezone.now())
    delivery_send(delivery_id=delivery.pk)
    headers, body = received(httpserver)[1]
    assert len(headers["Webhook-Signature"].split(" ")) == 1
    verify(new, headers, body)
    with pytest.raises(WebhookVerificationError):
        verify(old, headers, body)


def test_it_stores_the_secret_only_encrypted(endpoint_and_secret):
    endpoint, secret = endpoint_and_secret
    endpoint.refresh_from_db()
    raw = secret.removeprefix("whsec_")
    assert raw not in endpoint.secret_encrypted and secret not in endpoint.secret_encrypted


def test_it_retries_a_500_then_stops_after_the_200(
        endpoint_and_secret, candidate, httpserver, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint_and_secret
    httpserver.expect_oneshot_request("/hook").respond_with_data("boom", status=500)
    httpserver.expect_request("/hook").respond_with_data("ok")
    escalate(candidate, django_capture_on_commit_callbacks)
    [delivery] = deliveries_of(endpoint)

    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    # The first retry comes after 5 s, with +/-20% jitter; not before it is due.
    wait = (delivery.next_attempt_at - started).total_seconds()
    assert 3.9 <= wait <= 6.1
    assert delivery_send(delivery_id=delivery.pk) is None
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # healthy again

    with django_capture_on_commit_callbacks(execute=False):
        assert deliveries_sweep() == 0
    assert delivery_send(delivery_id=delivery.pk) is None
    got = received(httpserver)
    assert len(got) == 2
    assert got[0][0]["Webhook-Id"] == got[1][0]["Webhook-Id"]  # same id: receivers de-dup
    for headers, body in got:
        verify(secret, headers, body)
    assert list(Attempt.objects.order_by("number").values_list("status_code", flat=True)) == [
        500, 200]


def test_it_honours_retry_after(endpoint_and_secret, candidate, httpserver,
                                django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"})
    escalate(candidate, django_capture_on_commit_callbacks)
    [delivery] = deliveries_of(endpoint)
    started = timezone.now()
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert 119 <= (delivery.next_attempt_at - started).total_seconds() <= 121
    assert delivery.published_at is None  # beyond a countdown: the sweep sends it when due


def test_it_disables_the_endpoint_on_410(endpoint_and_secret, candidate, httpserver,
                                         django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    escalate(candidate, django_capture_on_commit_callbacks)
    assert send_all(endpoint) == [DeliveryStatus.FAILED]
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    # Later events are not even written for it.
    with django_capture_on_commit_callbacks(execute=False):
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level="critical",
                                new_level="high", score=60,
                                old_scoped_level="critical", new_scoped_level="high"))
    assert Delivery.objects.count() == 1
    # An admin re-enables it once the receiver is fixed; the notice goes away.
    endpoint_update(endpoint=endpoint, actor="test", enabled=True)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""


def test_it_disables_an_endpoint_failing_for_days(
        endpoint_and_secret, candidate, httpserver, settings,
        django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    endpoint.failing_since = timezone.now() - timedelta(
        seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS + 60)
    endpoint.save()
    escalate(candidate, django_capture_on_commit_callbacks)
    assert send_all(endpoint) == [DeliveryStatus.FAILED]
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "failed since" in endpoint.disabled_reason


def test_it_writes_nothing_when_the_change_rolls_back(endpoint_and_secret, candidate):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level="low",
                                new_level="critical", score=88,
                                old_scoped_level="low", new_scoped_level="critical"))
        assert Event.objects.count() == 2  # written in the emitter's transaction...
        raise RuntimeError("the change failed")
    assert Event.objects.count() == 0 and Delivery.objects.count() == 0  # ...and undone


def test_it_maps_risk_changes_to_scored_and_level_changed(
        endpoint_and_secret, candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level="", new_level="critical",
                                score=88, old_scoped_level="", new_scoped_level="critical"))
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level="high",
                                new_level="critical", score=88,
                                old_scoped_level="high", new_scoped_level="critical"))
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types == ["candidate.scored", "candidate.scored", "candidate.risk_level_changed"]
    changed = Event.objects.get(type="candidate.risk_level_changed").payload["data"]
    assert (changed["old_level"], changed["new_level"], changed["score"]) == (
        "high", "critical", 88)
    assert len(callbacks) == 3  # each event's deliveries are published after the commit


def test_it_sends_events_only_to_the_candidates_own_integration(
        endpoint_and_secret, candidate, httpserver, django_capture_on_commit_callbacks):
    other = Integration.objects.create(name="lever-other")
    other_endpoint, _ = endpoint_create(integration=other, url=httpserver.url_for("/other"),
                                        event_types=SUBSCRIBABLE, actor="test")
    stranger = candidate_make("Sam Stranger", 20, integration=other)
    escalate(candidate, django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(endpoint=other_endpoint).count() == 0
    assert Event.objects.get().integration_id == candidate.integration_id
    assert stranger.full_name not in str(Event.objects.get().payload)


def test_it_sends_only_the_subscribed_event_types(endpoint_and_secret, candidate,
                                                  django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_and_secret
    endpoint_update(endpoint=endpoint, actor="test", event_types=["review.decided"])
    escalate(candidate, django_capture_on_commit_callbacks)
    assert Delivery.objects.count() == 0


def test_it_publishes_after_commit_and_leaves_it_to_the_sweep_when_the_broker_is_down(
        endpoint_and_secret, candidate, broker_down, django_capture_on_commit_callbacks):
    outbox._broker_down_until = 0.0
    escalate_started = timezone.now()
    maker = user_make("mike", "recruiter")
    with django_capture_on_commit_callbacks(execute=True):
        review_escalate(candidate_id=candidate.pk, actor=maker, reason_code="identity_ring",
                        comment="x")
    [delivery] = Delivery.objects.all()
    assert delivery.published_at is None  # the publish failed, the row is there
    assert (timezone.now() - escalate_started).total_seconds() < 8  # bounded, never hangs
    assert delivery.event.type == "review.escalated"
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_sweep() == 0  # still down: nothing handed over, nothing lost
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_it_sends_one_scored_event_per_stored_score(
        endpoint_and_secret, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created, _ = candidate_upsert(integration=acme, data=_validated(CandidatePayloadFactory()))
        candidate_score(candidate_id=created.pk)
        candidate_score(candidate_id=created.pk)  # nothing new: no ScoreRun, no event
    [event] = Event.objects.filter(type="candidate.scored")
    assert event.payload["data"]["score"] == created.score_runs.get().score
    assert "account_number" not in str(event.payload) and "000123456789" not in str(event.payload)


def _validated(payload: dict) -> dict:
    serializer = CandidateInput(data=payload)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def test_it_maps_decisions_and_verifications_from_the_review_services(
        endpoint_and_secret, candidate, django_capture_on_commit_callbacks):
    recruiter = user_make("rita", "recruiter")
    lead = user_make("hana", "hr_lead")
    with django_capture_on_commit_callbacks(execute=False):
        review_escalate(candidate_id=candidate.pk, actor=recruiter, reason_code="identity_ring",
                        comment="x")
        verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                    method="live_video_id")
        review_reject(candidate_id=candidate.pk, actor=lead, reason_code=REJECT_REASON,
                      comment="confirmed")
    payloads = [e.payload for e in Event.objects.order_by("id")]
    assert [p["type"] for p in payloads] == [
        "review.escalated", "verification.recorded", "review.decided"]
    decided = payloads[2]["data"]
    assert (decided["decision"], decided["by"], decided["reason_code"]) == (
        "rejected", "hana", REJECT_REASON)
    verification = payloads[1]["data"]
    assert (verification["method"], verification["outcome"], verification["by"]) == (
        "live_video_id", "pending", "rita")


def test_it_delivers_in_process_in_the_embedded_demo(
        endpoint_and_secret, httpserver, django_capture_on_commit_callbacks):
    """With eager tasks (make demo: no broker) the publish runs the delivery itself."""
    endpoint, secret = endpoint_and_secret
    httpserver.expect_request("/hook").respond_with_data("ok")
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            endpoint_test_send(endpoint=endpoint, actor="test")
    finally:
        celery_app.conf.task_always_eager = False
    [(headers, body)] = received(httpserver)
    assert verify(secret, headers, body)["type"] == "webhook.test"
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_change_only_another_integration_caused_sends_nothing(
        endpoint_and_secret, candidate, django_capture_on_commit_callbacks):
    """The full level rose because of another integration's applicant; what this
    integration may see did not change, so it is told nothing (docs/tenancy.md)."""
    with django_capture_on_commit_callbacks(execute=False):
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level="low",
                                new_level="critical", score=120, old_scoped_level="low",
                                new_scoped_level="low", scoped_score=10,
                                scoped_changed=False))
    assert not Event.objects.exists()
