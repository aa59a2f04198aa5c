"""Writes for the connectors: receiving a delivery, mapping it onto the candidate record,
erasing on request, the write-back outbox, and Greenhouse Assessment interviews."""

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidates_services
from candidates.models import Candidate, Integration
from candidates.serializers import CandidateInput
from candidates.services import candidate_upsert
from connectors import crypto, mapping, resumes
from connectors.clients import api_for
from connectors.models import (
    Assessment,
    AssessmentStatus,
    AtsCandidate,
    AtsKind,
    Connection,
    Delivery,
    DeliveryStatus,
    Writeback,
    WritebackStatus,
)
from connectors.selectors import candidate_verdict
from connectors.verify import VERIFIERS, SignatureInvalid
from core.audit import audit_record
from review.events import ReviewTransitioned
from signals.events import RiskChanged

logger = logging.getLogger(__name__)

__all__ = ["SignatureInvalid"]

EVENT_FIELDS = {  # where each ATS names the event in its body
    AtsKind.GREENHOUSE: ("action",),
    AtsKind.LEVER: ("event",),
    AtsKind.ASHBY: ("action",),
    # Workable's subscription calls it the event; its deliveries have carried it under
    # either name.
    AtsKind.WORKABLE: ("event_type", "firing_rule"),
}


# --- Connections --------------------------------------------------------------------------


# Secrets are never put on the audit trail; only that one was set or changed.
_AUDITED = ("kind", "api_base_url", "api_user_id", "writeback_enabled", "is_active")
# The ATSs where we choose the webhook secret (Lever issues its signature token, Workable
# signs with the account token).
SECRET_WE_CHOOSE = (AtsKind.GREENHOUSE, AtsKind.ASHBY)


def _audit_view(connection: Connection) -> dict:
    view = {name: getattr(connection, name) for name in _AUDITED}
    view["integration"] = connection.integration.name
    return view


@transaction.atomic
def connection_create(*, integration: Integration, kind: str, webhook_secret: str = "",
                      api_key: str = "", api_base_url: str = "", api_user_id: str = "",
                      writeback_enabled: bool = True, is_active: bool = True,
                      actor=None) -> Connection:
    connection = Connection(
        integration=integration, kind=kind, api_base_url=api_base_url, api_user_id=api_user_id,
        webhook_secret_encrypted=crypto.encrypt(webhook_secret),
        api_key_encrypted=crypto.encrypt(api_key), writeback_enabled=writeback_enabled,
        is_active=is_active,
    )
    connection.full_clean()
    connection.save()
    audit_record(actor=actor, action="connector.create", target_type="connectors.connection",
                 target_id=connection.pk,
                 after={**_audit_view(connection), "webhook_secret_set": bool(webhook_secret),
                        "api_key_set": bool(api_key)})
    return connection


@transaction.atomic
def connection_update(*, connection: Connection, actor, webhook_secret: str = "",
                      api_key: str = "", **fields) -> Connection:
    """Change a connection's settings; a blank secret keeps the stored one. Its integration
    and kind never change (its candidates and deliveries belong to them)."""
    connection = Connection.objects.select_for_update().select_related("integration").get(
        pk=connection.pk)
    before = _audit_view(connection)
    for name in ("api_base_url", "api_user_id", "writeback_enabled", "is_active"):
        if name in fields:
            setattr(connection, name, fields[name])
    if webhook_secret:
        connection.webhook_secret_encrypted = crypto.encrypt(webhook_secret)
    if api_key:
        connection.api_key_encrypted = crypto.encrypt(api_key)
    connection.full_clean()
    connection.save()
    audit_record(actor=actor, action="connector.update", target_type="connectors.connection",
                 target_id=connection.pk, before=before,
                 after={**_audit_view(connection), "webhook_secret_changed": bool(webhook_secret),
                        "api_key_changed": bool(api_key)})
    return connection


def webhook_secret_generate() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def connection_assessment_key_issue(*, connection: Connection) -> str:
    """A new Greenhouse Assessment partner key for the organisation, shown once; only its
    SHA-256 is kept (it is a 256-bit random token, so a fast hash is enough)."""
    key = secrets.token_urlsafe(32)
    connection.assessment_key_hash = hashlib.sha256(key.encode()).hexdigest()
    connection.save(update_fields=["assessment_key_hash", "updated_at"])
    audit_record(actor=None, action="connector.assessment_key", target_type="connectors.connection",
                 target_id=connection.pk)
    return key


# --- Inbound ------------------------------------------------------------------------------


def delivery_receive(*, connection: Connection, body: bytes,
                     headers: Mapping[str, str]) -> tuple[Delivery, bool]:
    """Verify the signature on the raw body, then store the delivery durably. Raises
    SignatureInvalid (nothing stored). Returns (delivery, created); a replay returns the
    stored delivery and created=False. connectors.tasks.delivery_accept hands it to a
    worker after commit."""
    secret = crypto.decrypt(connection.webhook_secret_encrypted)
    if not secret:
        raise SignatureInvalid
    delivery_id = VERIFIERS[connection.kind](secret, body, headers)
    try:
        parsed = json.loads(body)
        event = next((str(parsed[name]) for name in EVENT_FIELDS[connection.kind]
                      if parsed.get(name)), "")
    except (ValueError, AttributeError):
        event = ""
    return Delivery.objects.get_or_create(
        connection=connection, delivery_id=delivery_id[:200],
        defaults={"event": event[:100], "body": body.decode("utf-8", "replace")},
    )


def delivery_process(*, delivery_id: int) -> str:
    """Map one delivery. Fetches (ATS API, resume) run outside any transaction; the result is
    applied under the delivery's row lock, so a delivery is applied once even if two workers
    got it. Raises requests.RequestException when the ATS is down (the task retries).
    Returns the delivery's status."""
    delivery = Delivery.objects.select_related("connection__integration").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery.status
    connection = delivery.connection
    Delivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    note = ""
    try:
        try:
            body = json.loads(delivery.body)
        except ValueError as exc:
            raise mapping.Unmappable("the body is not JSON") from exc
        api = api_for(connection)
        mapper = mapping.MAPPERS.get(connection.kind)
        if mapper is None:
            raise mapping.Unmappable(f"{connection.kind} mapping is not built yet; kept")
        mapped = mapper(delivery.event, body, api)
        if mapped.action == mapping.IGNORE and delivery.event not in mapping.KNOWN[connection.kind]:
            logger.info("ignored %s event %r (delivery %s)", connection.kind, delivery.event,
                        delivery.pk)
        if mapped.resume and mapped.action in (mapping.UPSERT, mapping.STAGE, mapping.HIRE):
            try:
                content, content_type = resumes.resume_download(
                    mapped.resume.url, headers=api.download(mapped.resume.url))
                mapped.data["resume_text"] = resumes.resume_text(
                    content, filename=mapped.resume.filename, content_type=content_type)
            except resumes.ResumeUnreadable as exc:
                note = f"resume skipped: {exc}"
    except mapping.Unmappable as exc:
        return _delivery_finish(delivery.pk, DeliveryStatus.UNMAPPABLE, error=str(exc))
    except requests.RequestException as exc:
        Delivery.objects.filter(pk=delivery.pk).update(error=_http_error(exc))
        raise
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.PENDING:
            return locked.status
        try:
            candidate = _apply(connection, mapped, delivery=locked)
        except mapping.Unmappable as exc:
            transaction.set_rollback(True)
            return _delivery_finish(delivery.pk, DeliveryStatus.UNMAPPABLE, error=str(exc))
        status = DeliveryStatus.IGNORED if mapped.action == mapping.IGNORE else DeliveryStatus.DONE
        locked.status, locked.error, locked.processed_at = status, note, timezone.now()
        locked.candidate = candidate
        locked.save(update_fields=["status", "error", "processed_at", "candidate"])
        return status


def _delivery_finish(pk: int, status: str, *, error: str = "") -> str:
    Delivery.objects.filter(pk=pk).update(status=status, error=error[:2000],
                                          processed_at=timezone.now())
    return status


def delivery_fail(*, delivery_id: int, error: str) -> None:
    """The task's retries ran out (the ATS API stayed down): kept, shown, and re-sendable."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, error=error[:2000], processed_at=timezone.now())


def _http_error(exc: requests.RequestException) -> str:
    """What an admin needs to know of an HTTP failure, without the URL's query string
    (signed resume URLs carry credentials)."""
    response = getattr(exc, "response", None)
    request = getattr(exc, "request", None)
    where = ""
    if request is not None and request.url:
        parts = urlsplit(request.url)
        where = f" {parts.scheme}://{parts.netloc}{parts.path}"
    status = f" HTTP {response.status_code}" if response is not None else ""
    return f"{type(exc).__name__}{status}{where}"


def _apply(connection: Connection, mapped: mapping.Mapped, *,
           delivery: Delivery) -> Candidate | None:
    link = (AtsCandidate.objects.select_related("candidate")
            .filter(connection=connection, ats_candidate_id=mapped.ats_candidate_id).first()
            if mapped.ats_candidate_id else None)
    if mapped.action == mapping.IGNORE:
        return None
    if mapped.action == mapping.ERASE:
        if link:
            candidate_erase(link=link, reason=delivery.event)
        delivery.body = ""  # the erasure request names the person too
        delivery.save(update_fields=["body"])
        return link.candidate if link else None
    if mapped.action == mapping.MERGE:
        duplicate = AtsCandidate.objects.filter(connection=connection,
                                                ats_candidate_id=mapped.merged_from).first()
        if duplicate and not link:
            duplicate.ats_candidate_id = mapped.ats_candidate_id
            duplicate.save(update_fields=["ats_candidate_id", "updated_at"])
            return duplicate.candidate
        return link.candidate if link else None
    if link and link.erased_at:
        return link.candidate  # erased on the ATS's request: never filled in again
    if mapped.action == mapping.UPSERT or link is None:
        if link and mapped.resume is None:
            # An update without the attachment keeps the resume read earlier.
            mapped.data["resume_text"] = link.candidate.resume_text
        candidate = _upsert(connection, mapped)
    else:
        candidate = link.candidate
    link, _ = AtsCandidate.objects.update_or_create(
        connection=connection, ats_candidate_id=mapped.ats_candidate_id,
        defaults={"candidate": candidate},
    )
    for name in ("stage", "source", "job", "contacts"):
        value = getattr(mapped, name)
        if value:
            setattr(link, name, value)
    if mapped.ats_application_id:
        link.ats_application_id = mapped.ats_application_id
    if mapped.action == mapping.HIRE and link.hired_at is None:
        link.hired_at = timezone.now()
    link.save()
    return candidate


def _upsert(connection: Connection, mapped: mapping.Mapped) -> Candidate:
    if not mapped.data:
        raise mapping.Unmappable("the event does not carry the candidate")
    data = {"external_id": f"{connection.kind}:{mapped.ats_candidate_id}", **mapped.data}
    data = {k: v for k, v in data.items() if v not in (None, "")}
    serializer = CandidateInput(data=data)
    if not serializer.is_valid():
        raise mapping.Unmappable(f"the candidate does not fit the contract: {serializer.errors}")
    candidate, _ = candidate_upsert(integration=connection.integration,
                                    data=serializer.validated_data)
    return candidate


def candidate_erase(*, link: AtsCandidate, reason: str) -> None:
    """The ATS deleted or anonymised the candidate: erase its personal data here too (the
    record, its evidence, the raw deliveries that carried it) and record it on the audit
    trail. The row stays, emptied, so the audit trail and decisions still point somewhere."""
    candidate = link.candidate
    candidates_services.candidate_erase(candidate_id=candidate.pk)
    Delivery.objects.filter(candidate=candidate).update(body="")
    link.erased_at = timezone.now()
    link.contacts = {}
    link.save(update_fields=["erased_at", "contacts", "updated_at"])
    audit_record(actor=f"system:ats:{link.connection.kind}", action="candidate.erase",
                 target_type="candidates.candidate", target_id=candidate.pk,
                 after={"reason": reason, "connection": link.connection_id})


# --- Write-back ---------------------------------------------------------------------------


def risk_changed_record(event: RiskChanged) -> tuple[list[int], list[int]]:
    """Inside the scoring transaction: the first score and every change of level are owed
    to the ATS (an outbox row), and an open Assessment is completed. Returns the ids of the
    write-backs and assessments to send after commit."""
    link = _writeback_link(event.candidate_id)
    if link is None:
        return [], []
    writebacks = []
    # The integration-scoped levels: a change caused only by another integration's
    # applicants is neither written back nor hinted at (docs/tenancy.md).
    if (event.old_scoped_level != event.new_scoped_level
            and link.connection.writeback_enabled):
        writebacks.append(_writeback_queue(link, reason="risk", text=None))
    assessments = list(Assessment.objects.filter(
        candidate_id=event.candidate_id, status=AssessmentStatus.STARTED,
    ).values_list("pk", flat=True))
    Assessment.objects.filter(pk__in=assessments).update(status=AssessmentStatus.COMPLETE)
    return writebacks, assessments


def review_transitioned_record(event: ReviewTransitioned) -> list[int]:
    """Inside the decision's transaction: the decision is owed to the ATS."""
    link = _writeback_link(event.candidate_id)
    if link is None or not link.connection.writeback_enabled:
        return []
    return [_writeback_queue(link, reason="review",
                             text=f"Vetting review: {event.action} ({event.to_state}).")]


def writeback_linked_ids(candidate_ids: list[int]) -> set[int]:
    """The candidates among these that review_transitioned_record would owe a write-back
    (the same conditions as _writeback_link plus write-back enabled), in one query."""
    return set(AtsCandidate.objects.filter(
        candidate_id__in=candidate_ids, erased_at__isnull=True, connection__is_active=True,
        connection__writeback_enabled=True).values_list("candidate_id", flat=True))


def _writeback_link(candidate_id: int) -> AtsCandidate | None:
    return (AtsCandidate.objects.select_related("connection", "candidate")
            .filter(candidate_id=candidate_id, erased_at__isnull=True,
                    connection__is_active=True).first())


def _writeback_queue(link: AtsCandidate, *, reason: str, text: str | None) -> int:
    """The outbox row. The verdict itself is read when the write-back is sent, after the
    commit: RiskChanged is emitted before the new score is saved on the candidate."""
    writeback = Writeback.objects.create(
        connection=link.connection, candidate=link.candidate, reason=reason,
        body={"ats_candidate_id": link.ats_candidate_id,
              "ats_application_id": link.ats_application_id, "note": text or ""},
    )
    return writeback.pk


def writeback_text(candidate: Candidate, note: str = "") -> tuple[str, str]:
    """The note written back, and the level, from the candidate's own verdict only."""
    verdict = candidate_verdict(candidate)
    lines = [note] if note else []
    if verdict.level:
        lines.append(f"Vetting risk: {verdict.level} ({verdict.score}/100).")
    if verdict.flag_codes:
        lines.append("Top flags: " + ", ".join(verdict.flag_codes) + ".")
    lines.append(settings.SITE_URL
                 + reverse("review:candidate", args=[candidate.pk]))
    return "\n".join(lines), verdict.level


def writeback_send(*, writeback_id: int) -> bool:
    """Send one write-back. Raises requests.RequestException for the task to retry.
    Returns whether it was sent now (False: already sent, or write-back switched off)."""
    writeback = Writeback.objects.select_related("connection", "candidate").get(pk=writeback_id)
    if writeback.status != WritebackStatus.PENDING:
        return False
    connection = writeback.connection
    if not connection.writeback_enabled or not connection.is_active:
        return False
    Writeback.objects.filter(pk=writeback_id).update(attempts=writeback.attempts + 1)
    api = api_for(connection)
    text, level = writeback_text(writeback.candidate, writeback.body.get("note", ""))
    try:
        api.verdict_write(ats_candidate_id=writeback.body["ats_candidate_id"],
                          ats_application_id=writeback.body.get("ats_application_id", ""),
                          text=text, level=level)
    except requests.RequestException as exc:
        Writeback.objects.filter(pk=writeback_id).update(error=_http_error(exc))
        raise
    return bool(Writeback.objects.filter(pk=writeback_id, status=WritebackStatus.PENDING)
                .update(status=WritebackStatus.SENT, sent_at=timezone.now(), error=""))


def writeback_fail(*, writeback_id: int, error: str) -> None:
    Writeback.objects.filter(pk=writeback_id, status=WritebackStatus.PENDING).update(
        status=WritebackStatus.FAILED, error=error[:2000])


# --- Greenhouse Assessment ----------------------------------------------------------------


@transaction.atomic
def assessment_start(*, connection: Connection, partner_test_id: str, candidate: dict,
                     callback_url: str) -> Assessment:
    """send_test: start vetting the candidate Greenhouse names. Raises mapping.Unmappable
    when it lacks what the contract needs (an email)."""
    email = (candidate.get("email") or "").strip()
    if not email:
        raise mapping.Unmappable("the candidate has no email")
    name = " ".join(p for p in (candidate.get("first_name"), candidate.get("last_name")) if p)
    profile_url = candidate.get("greenhouse_profile_url") or ""
    ats_id = profile_url.rstrip("/").rpartition("/")[2] or email
    mapped = mapping.Mapped(
        action=mapping.UPSERT, ats_candidate_id=ats_id,
        data={"full_name": name or email, "email": email,
              "phone": candidate.get("phone_number") or ""},
    )
    try:
        candidate_row = _upsert(connection, mapped)
    except mapping.Unmappable:
        mapped.data.pop("phone")  # a malformed phone must not refuse the test
        candidate_row = _upsert(connection, mapped)
    AtsCandidate.objects.update_or_create(
        connection=connection, ats_candidate_id=ats_id, defaults={"candidate": candidate_row})
    return Assessment.objects.create(connection=connection, partner_test_id=partner_test_id,
                                     candidate=candidate_row, callback_url=callback_url)


def assessment_status(assessment: Assessment) -> dict:
    """test_status's answer: flat metadata, as Greenhouse requires."""
    verdict = candidate_verdict(assessment.candidate)
    complete = verdict.status == "scored" and verdict.score is not None
    answer = {
        "partner_status": "complete" if complete else "in_progress",
        "partner_profile_url": settings.SITE_URL
        + reverse("review:candidate", args=[assessment.candidate_id]),
    }
    if complete:
        answer["partner_score"] = verdict.score
        answer["metadata"] = {"Risk level": verdict.level,
                              "Top flags": ", ".join(verdict.flag_codes) or "none"}
    return answer


def assessment_callback_send(*, assessment_id: int) -> bool:
    """PATCH Greenhouse's url: the test is complete, fetch test_status. Raises
    requests.RequestException for the task to retry."""
    assessment = Assessment.objects.get(pk=assessment_id)
    if assessment.callback_sent_at or not assessment.callback_url:
        return False
    response = requests.patch(assessment.callback_url,
                              json={"partner_interview_id": assessment.partner_interview_id},
                              timeout=settings.CONNECTORS_HTTP_TIMEOUT)
    response.raise_for_status()
    Assessment.objects.filter(pk=assessment_id).update(callback_sent_at=timezone.now())
    return True
