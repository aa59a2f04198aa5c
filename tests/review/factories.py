"""Candidates as the review pages see them: scored, flagged and linked, written directly
(the scoring pipeline has its own tests), plus users with roles."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from candidates.models import (
    Address,
    Candidate,
    Email,
    Identifier,
    Integration,
    PaymentAccount,
    Phone,
)
from review import roles
from signals.catalog import CATALOG

PASSWORD = "correct-horse-battery-staple"


def user_make(username: str, role: str | None) -> "get_user_model()":
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role:
        roles.user_role_set(user=user, role=role)
    return user


def client_for(user) -> Client:
    """A test client signed in as `user` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def flag(code: str, *, summary: str | None = None, evidence: dict | None = None,
         points: int | None = None) -> dict:
    spec = CATALOG[code]
    return {"code": code, "title": spec.title, "severity": spec.severity,
            "points": spec.points if points is None else points,
            "summary": summary or spec.title, "evidence": evidence or {},
            "next_step": spec.next_step}


def verification_passed_make(candidate, actor):
    """A passed identity verification on record, written directly (the services that record
    one have their own tests): what approving a critical candidate needs."""
    from review.models import VerificationOutcome, VerificationRequest

    return VerificationRequest.objects.create(
        candidate=candidate, method="live_video_id", requested_by=actor,
        outcome=VerificationOutcome.PASSED, outcome_by=actor, outcome_at=timezone.now())


def level_for(score: int) -> str:
    return "critical" if score >= 80 else "high" if score >= 45 else "medium" if score >= 20 \
        else "low"


_counter = {"n": 0}


def candidate_make(name: str, score: int | None = 10, *, flags: list[dict] | None = None,
                   identifiers: list[tuple[str, str, str]] = (), integration=None,
                   position: str = "Backend Engineer", email: str | None = None,
                   days_ago: int = 3, **fields) -> Candidate:
    _counter["n"] += 1
    integration = integration or Integration.objects.get_or_create(name="greenhouse-acme")[0]
    external_id = fields.pop("external_id", f"app-{Candidate.objects.count() + 1:05d}")
    candidate = Candidate.objects.create(
        integration=integration, external_id=external_id,
        full_name=name, position=position,
        applied_at=timezone.now() - timedelta(days=days_ago),
        location_country="US", location_region="TX", location_city="Austin",
        risk_status="scored" if score is not None else "pending", risk_score=score,
        risk_level=level_for(score) if score is not None else "", risk_flags=flags or [],
        scored_at=timezone.now() if score is not None else None, **fields,
    )
    email = email or f"{name.lower().replace(' ', '.')}{_counter['n']}@example.org"
    Email.objects.create(candidate=candidate, address=email, canonical=email,
                         domain=email.split("@")[1])
    rows = [Identifier(candidate=candidate, kind="email", key=email, label=email)]
    for kind, key, label in identifiers:
        rows.append(Identifier(candidate=candidate, kind=kind, key=key, label=label))
        if kind == "phone":
            Phone.objects.create(candidate=candidate, raw=key, e164=key, region="US",
                                 number_type="MOBILE", is_valid=True)
        elif kind == "bank_account":
            PaymentAccount.objects.create(candidate=candidate, method="bank", bank_country="US",
                                          account_fingerprint=key, account_last4=label[-4:],
                                          holder_name=name)
        elif kind == "shipping_address":
            Address.objects.create(candidate=candidate, kind="shipping", line1=label,
                                   city="Austin", country="US", match_key=key)
    Identifier.objects.bulk_create(rows)
    return candidate


BANK = ("bank_account", "fp-bank-0042", "Bank account …0042")
PHONE = ("phone", "+15125550142", "+15125550142")
SHIP = ("shipping_address", "addr-key-77", "77 Elm Street, Austin 78701, US")


def ring_make(size: int = 3) -> list[Candidate]:
    """A laptop-farm ring: `size` applicants sharing a bank account and a shipping address;
    the first also shares a phone with the second. Riskiest first."""
    members = []
    for i in range(size):
        others = [{"id": 0, "full_name": "placeholder"}]
        identifiers = [BANK, SHIP] + ([PHONE] if i < 2 else [])
        score = 95 - i * 7
        flags = [
            flag("reuse.bank_account",
                 summary=f"Bank account …0042 is also on {size - 1} other applications",
                 evidence={"kind": "bank_account", "identifier": "Bank account …0042",
                           "count": size - 1, "others": others}),
            flag("shipping.shared_address",
                 summary="Shipping address 77 Elm Street is used by other applicants",
                 evidence={"shipping_address": "77 Elm Street, Austin 78701, US",
                           "home_addresses": ["1200 Barton Springs Road, Austin, US"],
                           "count": size - 1}),
        ]
        members.append(candidate_make(f"Ring Member {i + 1}", score, flags=flags,
                                      identifiers=identifiers, position="Senior React Developer"))
    # Point each member's evidence at the real others.
    for member in members:
        others = [{"id": o.pk, "external_id": o.external_id, "full_name": o.full_name}
                  for o in members if o.pk != member.pk]
        member.risk_flags[0]["evidence"]["others"] = others
        member.save(update_fields=["risk_flags"])
    return members
