"""Candidates and their identity evidence.

Each piece of evidence is a row of its own with a normalised form. Beside the evidence,
`Identifier` holds one row per (kind, key) a candidate presents, the single index through
which every check and the linked-identities view find reuse across candidates: one indexed
look-up, never a scan. It is written by the same service that writes the evidence, in the
same transaction, and is never edited on its own.
"""

from django.db import models
from django.db.models import Q

from candidates.choices import (  # noqa: F401  (re-exported: the record's label tables)
    WEAK_IDENTIFIER_KINDS,
    IdentifierKind,
    RiskLevel,
    RiskStatus,
)


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Integration(BaseModel):
    """One ATS connection. Its API keys see only the candidates it sent."""

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class ApiKey(BaseModel):
    """An integration's API key. Only the SHA-256 of the key is stored.

    Keys are 256-bit random tokens, so a fast hash is as safe as a slow one here and keeps
    authentication to one indexed look-up.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16, help_text="First characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.integration} {self.prefix}…"


class Candidate(BaseModel):
    integration = models.ForeignKey(Integration, on_delete=models.PROTECT,
                                    related_name="candidates")
    external_id = models.CharField(max_length=200)
    full_name = models.CharField(max_length=200)
    position = models.CharField(max_length=200, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    location_country = models.CharField(max_length=2, blank=True)
    location_region = models.CharField(max_length=100, blank=True)
    location_city = models.CharField(max_length=100, blank=True)
    resume_text = models.TextField(blank=True)

    # Bumped on every update; a scoring run records the revision it scored, so a run that
    # started before an update cannot overwrite the newer data's score.
    revision = models.PositiveIntegerField(default=1)

    # Current risk: written atomically by the scoring service, read by the API and the queue.
    risk_status = models.CharField(
        max_length=10, choices=RiskStatus.choices, default=RiskStatus.PENDING
    )
    risk_score = models.PositiveIntegerField(null=True, blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_flags = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    scored_revision = models.PositiveIntegerField(null=True, blank=True)
    # When the scoring task was last handed to the broker; NULL while it never was (e.g. the
    # broker was down at commit time). The sweep re-enqueues pending candidates by it.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Until when the worker that started scoring this revision may still be running it: set
    # when a worker starts (the scoring task's hard time limit plus a margin, in database
    # time). A pending candidate whose lease has run out lost its worker (SIGKILL, OOM, a
    # host gone), and the sweep sends it again at once instead of after
    # SCORING_REQUEUE_AFTER_SECONDS. NULL while no worker has started the current hand-off.
    scoring_lease_until = models.DateTimeField(null=True, blank=True)
    # Checks the last score lacks: [{"check", "status": "failed"|"pending", "reason"}] (a
    # crash, or GitHub rate-limiting us). The task retries them; the sweep tries again later
    # if the retries ran out. Shown to recruiters and integrators beside the score.
    incomplete_checks = models.JSONField(default=list, blank=True)

    # The same risk as the candidate's integration may see it: scored by the same checks
    # seeing only this integration's other candidates (signals.lookups.ScopedLookups). The
    # fields above match across every integration and are for recruiters (the review UI);
    # the ATS API reads only these (candidates.serializers.RiskOutput), so one integration's
    # responses never depend on another's applicants. Written with them, in one save.
    scoped_score = models.PositiveIntegerField(null=True, blank=True)
    scoped_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    scoped_flags = models.JSONField(default=list, blank=True)
    scoped_incomplete_checks = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="candidate_unique_external_id"
            ),
        ]
        indexes = [
            # The sweep: pending candidates, oldest hand-off first.
            models.Index(
                fields=["enqueued_at"],
                condition=Q(risk_status="pending"),
                name="candidate_pending_sweep",
            ),
            # The sweep: pending candidates whose worker died (lease run out). Only the few
            # candidates being scored right now are in it.
            models.Index(
                fields=["scoring_lease_until"],
                condition=Q(risk_status="pending", scoring_lease_until__isnull=False),
                name="candidate_lease_sweep",
            ),
            # The sweep: scored candidates whose last run lacks a check.
            models.Index(
                fields=["updated_at"],
                condition=~Q(incomplete_checks=[]),
                name="candidate_incomplete_sweep",
            ),
            # The review queue (riskiest first).
            models.Index(fields=["risk_level", "-risk_score"], name="candidate_risk"),
            # API list filter: an integration's candidates at a level, newest first.
            models.Index(fields=["integration", "scoped_level", "-id"],
                         name="candidate_api_level"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.external_id})"


class Email(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)
    canonical = models.CharField(max_length=254)
    domain = models.CharField(max_length=253)


class Phone(models.Model):
    """`raw` is the number as typed; `e164` is "" when no country could read it."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="phones")
    raw = models.CharField(max_length=40)
    e164 = models.CharField(max_length=20)
    region = models.CharField(max_length=2, blank=True)
    number_type = models.CharField(max_length=30)
    is_valid = models.BooleanField()
    # What did not normalise, as [{"kind": "phone_unparseable", "reason": "..."}]: the value
    # is stored as typed and the data-quality check flags it (docs/data-quality.md).
    data_issues = models.JSONField(default=list, blank=True)


class ProfileNetwork(models.TextChoices):
    GITHUB = "github"
    LINKEDIN = "linkedin"
    GITLAB = "gitlab"
    STACKOVERFLOW = "stackoverflow"
    PORTFOLIO = "portfolio"
    OTHER = "other"


class Profile(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="profiles")
    network = models.CharField(max_length=20, choices=ProfileNetwork.choices)
    url = models.CharField(max_length=500)
    username = models.CharField(max_length=300)
    # Account creation date where the ATS knows it (LinkedIn has no public API for it).
    created_at = models.DateTimeField(null=True, blank=True)
    # What did not normalise, as [{"kind": "phone_unparseable", "reason": "..."}]: the value
    # is stored as typed and the data-quality check flags it (docs/data-quality.md).
    data_issues = models.JSONField(default=list, blank=True)


class IpSource(models.TextChoices):
    APPLICATION = "application"
    INTERVIEW = "interview"
    LOGIN = "login"
    OTHER = "other"


class IpObservation(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="ip_observations"
    )
    ip = models.GenericIPAddressField()
    source = models.CharField(max_length=20, choices=IpSource.choices)
    observed_at = models.DateTimeField(null=True, blank=True)


class AddressKind(models.TextChoices):
    RESIDENTIAL = "residential"
    SHIPPING = "shipping"
    MAILING = "mailing"


class Address(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=AddressKind.choices)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    match_key = models.CharField(max_length=400)
    # What did not normalise, as [{"kind": "phone_unparseable", "reason": "..."}]: the value
    # is stored as typed and the data-quality check flags it (docs/data-quality.md).
    data_issues = models.JSONField(default=list, blank=True)


class PaymentMethod(models.TextChoices):
    BANK = "bank"
    PAYONEER = "payoneer"
    WISE = "wise"
    PAYPAL = "paypal"
    CRYPTO = "crypto"
    OTHER = "other"


class PaymentAccount(models.Model):
    """A payout account. Account numbers, IBANs and routing numbers are never stored in clear:
    only their keyed fingerprint (for reuse matching) and last four characters (for display).
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="payment_accounts"
    )
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    bank_country = models.CharField(max_length=2, blank=True)
    iban_country = models.CharField(max_length=2, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    iban_fingerprint = models.CharField(max_length=64, blank=True)
    iban_last4 = models.CharField(max_length=4, blank=True)
    account_fingerprint = models.CharField(max_length=64, blank=True)
    account_last4 = models.CharField(max_length=4, blank=True)
    routing_fingerprint = models.CharField(max_length=64, blank=True)
    routing_last4 = models.CharField(max_length=4, blank=True)
    holder_name = models.CharField(max_length=200, blank=True)
    account_email = models.CharField(max_length=254, blank=True)
    wallet_address = models.CharField(max_length=128, blank=True)
    # What did not normalise, as [{"kind": "phone_unparseable", "reason": "..."}]: the value
    # is stored as typed and the data-quality check flags it (docs/data-quality.md).
    data_issues = models.JSONField(default=list, blank=True)


class Employment(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="employments")
    employer = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="employment_end_after_start",
            )
        ]


class Identifier(models.Model):
    """The reuse index: one row per normalised identifier a candidate presents.

    `key` is the canonical value (canonical email, E.164 phone, account fingerprint, address
    match key, lower-cased handle, IP); `label` is what a recruiter may see of it (masked for
    accounts).
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=30, choices=IdentifierKind.choices)
    key = models.CharField(max_length=400)
    label = models.CharField(max_length=400)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "kind", "key"], name="identifier_unique_per_candidate"
            ),
        ]
        indexes = [
            # Reuse look-up: who else presents this (kind, key)?
            models.Index(fields=["kind", "key"], name="identifier_lookup"),
        ]


class IdempotencyRecord(models.Model):
    """The first response to a request carrying an Idempotency-Key, replayed on repeats.

    `request_hash` is an HMAC of the method, path and body, so a repeat with a different body
    is detected without keeping the body (which may hold account numbers).
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "key"], name="idempotency_unique_key"),
        ]
