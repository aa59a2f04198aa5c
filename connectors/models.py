"""ATS connections, the deliveries they send us, and what we owe them back.

A connection belongs to an integration (candidates.Integration): the candidates its
webhooks create are that integration's, and its write-back only ever touches them.
Secrets the ATS signs with, and the API keys we call it with, are stored encrypted
(connectors.crypto); the Greenhouse Assessment key we hand out is stored as its SHA-256 only,
since checking it needs no more.
"""

import secrets

from django.db import models
from django.db.models import Q

from candidates.models import BaseModel, Candidate, Integration


class AtsKind(models.TextChoices):
    GREENHOUSE = "greenhouse", "Greenhouse"
    LEVER = "lever", "Lever"
    ASHBY = "ashby", "Ashby"
    WORKABLE = "workable", "Workable"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Connection(BaseModel):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="ats_connections")
    kind = models.CharField(max_length=20, choices=AtsKind.choices)
    # The unguessable part of the inbound URL; it only picks the connection, the signature
    # (checked with that connection's secret) is what authenticates a delivery.
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True)
    api_key_encrypted = models.TextField(blank=True)
    api_base_url = models.URLField(blank=True, help_text="The ATS's API root, e.g. "
                                   "https://harvest.greenhouse.io/v1")
    # Greenhouse Harvest needs the acting user's id on writes (On-Behalf-Of).
    api_user_id = models.CharField(max_length=50, blank=True)
    writeback_enabled = models.BooleanField(default=True)
    # Greenhouse Assessment partner key, SHA-256 hex; we hand the key out once.
    assessment_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.integration}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # stored, waiting for (or between attempts of) the mapping task
    DONE = "done"
    IGNORED = "ignored"  # an event we do not act on; acknowledged and kept
    UNMAPPABLE = "unmappable"  # the payload lacks what the mapping needs; kept for an admin
    FAILED = "failed"  # retries ran out (the ATS API stayed down); kept for an admin


class Delivery(models.Model):
    """One verified webhook, stored as received before it is answered."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE,
                                   related_name="deliveries")
    delivery_id = models.CharField(max_length=200)
    event = models.CharField(max_length=100)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Replays: the ATS's delivery id (or Lever's token) is taken once per connection.
            models.UniqueConstraint(fields=["connection", "delivery_id"],
                                    name="delivery_unique_per_connection"),
        ]
        indexes = [
            # The connection page: last deliveries first.
            models.Index(fields=["connection", "-received_at"], name="delivery_recent"),
            # The sweep: pending deliveries whose task was lost.
            models.Index(fields=["received_at"], condition=Q(status="pending"),
                         name="delivery_pending"),
        ]


class AtsCandidate(BaseModel):
    """Which ATS candidate (and application) a vetting candidate came from, with what the
    ATS says of it beyond the vetting record: its stage and whether it was hired."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE,
                                   related_name="ats_candidates")
    ats_candidate_id = models.CharField(max_length=100)
    ats_application_id = models.CharField(max_length=100, blank=True)
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE,
                                     related_name="ats_link")
    stage = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=200, blank=True)  # the application's source
    job = models.CharField(max_length=200, blank=True)
    # Every email and phone with its type as the ATS gave them; the vetting record keeps
    # the primary one of each (the contract's shape).
    contacts = models.JSONField(default=dict, blank=True)
    hired_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "ats_candidate_id"],
                                    name="ats_candidate_unique"),
        ]


class WritebackStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Writeback(models.Model):
    """The outbox: a verdict owed to the ATS, written in the scoring or decision
    transaction and sent by a task after it commits."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE,
                                   related_name="writebacks")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)  # "risk" or "review"
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=WritebackStatus.choices,
                              default=WritebackStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep: write-backs whose task was lost.
            models.Index(fields=["created_at"], condition=Q(status="pending"),
                         name="writeback_pending"),
        ]


class AssessmentStatus(models.TextChoices):
    STARTED = "started"
    COMPLETE = "complete"


class Assessment(models.Model):
    """A Greenhouse Assessment partner interview: send_test started vetting a candidate;
    we PATCH Greenhouse's url once it is scored."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE,
                                   related_name="assessments")
    partner_interview_id = models.CharField(max_length=64, unique=True, default=_new_token)
    partner_test_id = models.CharField(max_length=100)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    callback_url = models.URLField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.STARTED)
    callback_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
