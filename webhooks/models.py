"""Webhook endpoints, the outbox of events, and the delivery log.

An `Event` and its `Delivery` rows (one per subscribed endpoint) are written in the
transaction of the change that caused them (the transactional outbox): if the change
commits, the deliveries exist; if it rolls back, they never did. Workers send deliveries and
record every try as an `Attempt`, written before the request leaves, so that even a worker
killed mid-request leaves a trace in the log.
"""

from django.db import models
from django.db.models import Q

from candidates.models import BaseModel, Integration


class EventType(models.TextChoices):
    CANDIDATE_SCORED = "candidate.scored"
    CANDIDATE_RISK_LEVEL_CHANGED = "candidate.risk_level_changed"
    REVIEW_ESCALATED = "review.escalated"
    REVIEW_DECIDED = "review.decided"
    VERIFICATION_RECORDED = "verification.recorded"
    # Sent only by the "send test event" button; every endpoint receives it.
    TEST = "webhook.test"


SUBSCRIBABLE = [value for value in EventType.values if value != EventType.TEST]


class Endpoint(BaseModel):
    """A URL of the integration's systems and the events it wants.

    The signing secret is stored encrypted (webhooks/secrets.py); after a rotation the
    previous one keeps signing until `previous_secret_expires_at`.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Why the system disabled it (410 Gone, failing for days); "" when enabled or when an
    # admin disabled it. Shown to the admins until they re-enable it.
    disabled_reason = models.CharField(max_length=200, blank=True)
    # The first failure since the last success; NULL while healthy.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The outbox writer: the integration's enabled endpoints, on every event.
            models.Index(fields=["integration"], condition=Q(enabled=True),
                         name="webhook_endpoint_enabled"),
        ]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """One thing that happened, as the receivers see it: `payload` is the signed body."""

    # The `webhook-id` header: stable across retries and resends, for de-duplication.
    msg_id = models.CharField(max_length=40, unique=True)
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="webhook_events")
    type = models.CharField(max_length=50, choices=EventType.choices)
    candidate_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    # What caused it, where one cause must give one event: "score_run:<id>" for
    # candidate.scored (scoring emits RiskChanged on every run, a new score only on some).
    source_key = models.CharField(max_length=60, null=True, blank=True, unique=True)

    class Meta:
        indexes = [models.Index(fields=["integration", "-created_at"], name="webhook_event_recent")]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its first try or a retry
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # retries exhausted, 410 Gone, or the endpoint was refused or disabled


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # When it was last handed to the broker; NULL when it never was (broker down at commit)
    # or a retry is due. The sweep publishes it again when it stays unsent for a while.
    published_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim: no other worker sends it before this time (the claim of a worker
    # that died simply runs out).
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique"),
        ]
        indexes = [
            # The sweep: pending deliveries that are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="webhook_delivery_due"),
            # The delivery log and "replay since": an endpoint's deliveries, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]


class Attempt(models.Model):
    """One try at a delivery. Written (with no outcome) before the request is sent."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    # The first bytes of the answer, or why there was none (timeout, refused address).
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique"),
        ]
