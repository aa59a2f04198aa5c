"""Writes to candidates: the upsert from the ATS API."""

import logging

from django.db import transaction

from candidates import normalize
from candidates.events import CandidateErased, EvidenceChanged
from candidates.models import (
    Address,
    Candidate,
    Email,
    Employment,
    Identifier,
    IdentifierKind,
    Integration,
    IpObservation,
    PaymentAccount,
    Phone,
    Profile,
    RiskStatus,
)
from core import events

logger = logging.getLogger(__name__)

EVIDENCE_MODELS = (Email, Phone, Profile, IpObservation, Address, PaymentAccount, Employment,
                   Identifier)
PROFILE_KINDS = {
    "github": IdentifierKind.GITHUB,
    "linkedin": IdentifierKind.LINKEDIN,
    "gitlab": IdentifierKind.GITLAB,
    "stackoverflow": IdentifierKind.STACKOVERFLOW,
    "portfolio": IdentifierKind.PORTFOLIO,
}
ADDRESS_KINDS = {
    "residential": IdentifierKind.RESIDENTIAL_ADDRESS,
    "shipping": IdentifierKind.SHIPPING_ADDRESS,
    "mailing": IdentifierKind.MAILING_ADDRESS,
}


@transaction.atomic
def candidate_upsert(*, integration: Integration, data: dict) -> tuple[Candidate, bool]:
    """Create the candidate, or replace its record when the integration already sent it.

    `data` is CandidateInput's validated data. The whole record is written in one
    transaction (saved whole or not at all), and scoring is enqueued only after it commits.
    Returns (candidate, created).
    """
    location = data["location"]
    fields = {
        "full_name": data["full_name"],
        "position": data["position"],
        "applied_at": data["applied_at"],
        "location_country": location["country"],
        "location_region": location["region"],
        "location_city": location["city"],
        "resume_text": data["resume_text"],
    }
    # get_or_create survives a concurrent create of the same external_id: the loser's
    # insert waits for the winner's commit, fails on the unique constraint, and re-reads.
    candidate, created = Candidate.objects.select_for_update().get_or_create(
        integration=integration, external_id=data["external_id"], defaults=fields
    )
    if not created:
        for name, value in fields.items():
            setattr(candidate, name, value)
        candidate.revision += 1
        candidate.risk_status = RiskStatus.PENDING
        candidate.enqueued_at = None  # a new hand-off, not yet published nor started
        candidate.scoring_lease_until = None
        candidate.save()
        for model in EVIDENCE_MODELS:
            model.objects.filter(candidate=candidate).delete()

    _evidence_create(candidate, data)
    # Scoring (a higher layer) hears of it and hands the candidate to a worker after commit;
    # risk_status=PENDING, written in this transaction, is the durable record that it must.
    events.emit(EvidenceChanged(candidate_id=candidate.pk, revision=candidate.revision))
    return candidate, created


def _evidence_create(candidate: Candidate, data: dict) -> None:
    """One bulk insert per evidence table. The rows written are also left on the candidate
    as its prefetched relations, so the API answers without reading them back."""
    rows = evidence_build(candidate, data)
    cache = getattr(candidate, "_prefetched_objects_cache", {})
    for model, objects in rows.items():
        model.objects.bulk_create(objects)
        related_name = model._meta.get_field("candidate").remote_field.related_name
        queryset = model.objects.filter(candidate=candidate)
        queryset._result_cache = objects
        queryset._prefetch_done = True
        cache[related_name] = queryset
    candidate._prefetched_objects_cache = cache


def evidence_build(candidate: Candidate, data: dict) -> dict[type, list]:
    """The evidence rows of CandidateInput's validated data, and the identifiers they
    present, as unsaved model instances (also used by the benchmarks' bulk loaders)."""
    identifiers: dict[tuple[str, str], str] = {}

    def identify(kind: str, key: str, label: str) -> None:
        if key:
            identifiers.setdefault((kind, key), label)

    canonical = normalize.canonical_email(data["email"])
    emails = [Email(candidate=candidate, address=data["email"].strip(), canonical=canonical,
                    domain=canonical.rpartition("@")[2])]
    identify(IdentifierKind.EMAIL, canonical, data["email"].strip())

    phones = []
    if data["phone"]:
        phone = data["phone"]
        issues = [] if phone.parsed else [{"kind": "phone_unparseable", "reason": phone.problem}]
        phones.append(Phone(candidate=candidate, raw=phone.raw or phone.e164, e164=phone.e164,
                            region=phone.region, number_type=phone.number_type,
                            is_valid=phone.is_valid, data_issues=issues))
        if phone.parsed:
            identify(IdentifierKind.PHONE, phone.e164, phone.e164)
        else:
            # Digits as typed: no E.164 number has no "+", so the two never meet by chance.
            identify(IdentifierKind.PHONE, normalize.phone_fallback_key(phone.raw), phone.raw)

    profiles = [Profile(candidate=candidate, **p) for p in data["profiles"]]
    for p in profiles:
        if p.network in PROFILE_KINDS:
            key = normalize.profile_fallback_key(p.url) if p.data_issues else p.username
            identify(PROFILE_KINDS[p.network], key, p.url)

    ips = [IpObservation(candidate=candidate, **ip) for ip in data["ip_addresses"]]
    for ip in ips:
        identify(IdentifierKind.IP, ip.ip, ip.ip)

    addresses = [Address(candidate=candidate, **a) for a in data["addresses"]]
    for a in addresses:
        label = ", ".join(part for part in (a.line1, a.line2, a.city, a.postal_code, a.country)
                          if part)
        identify(ADDRESS_KINDS[a.kind], a.match_key, label)

    accounts = [_payment_account(candidate, p, identify) for p in data["payment_accounts"]]
    employments = [Employment(candidate=candidate, **e) for e in data["employment_history"]]
    return {
        Email: emails,
        Phone: phones,
        Profile: profiles,
        IpObservation: ips,
        Address: addresses,
        PaymentAccount: accounts,
        Employment: employments,
        Identifier: [Identifier(candidate=candidate, kind=kind, key=key, label=label)
                     for (kind, key), label in identifiers.items()],
    }


def _payment_account(candidate: Candidate, data: dict, identify) -> PaymentAccount:
    """Fingerprint and mask the numbers; the clear values go no further than this function."""
    account = PaymentAccount(
        candidate=candidate,
        method=data["method"],
        bank_country=data.get("bank_country", ""),
        holder_name=data.get("holder_name", ""),
        account_email=data.get("account_email", ""),
        wallet_address=data.get("wallet_address", ""),
        data_issues=data.get("data_issues", []),
    )
    iban = data.get("iban")
    if iban and iban.compact:
        # A mistyped IBAN is fingerprinted like a valid one (its compact form), so the same
        # typo on two applications is one account; nothing is read from it.
        account.iban_fingerprint = normalize.fingerprint("iban", iban.compact)
        account.iban_last4 = iban.compact[-4:]
        identify(IdentifierKind.BANK_ACCOUNT, account.iban_fingerprint,
                 f"IBAN …{account.iban_last4}")
    if iban and iban.valid:
        account.iban_country = iban.country
        account.bank_country = iban.country
        account.bank_code = iban.bank_code
        account.bank_name = iban.bank_name
        account.bic = iban.bic
    routing = data.get("routing_number", "")
    if routing:
        account.routing_fingerprint = normalize.fingerprint("routing", routing)
        account.routing_last4 = routing[-4:]
    number = data.get("account_number", "")
    if number:
        # The same account number at two banks is two accounts: key it with the routing
        # number (or the bank country) when there is one.
        scope = routing or account.bank_country or account.method
        account.account_fingerprint = normalize.fingerprint("account", f"{scope}:{number}")
        account.account_last4 = number[-4:]
        identify(IdentifierKind.BANK_ACCOUNT, account.account_fingerprint,
                 f"{account.get_method_display()} account …{account.account_last4}")
    if account.account_email:
        email = normalize.canonical_email(account.account_email)
        identify(IdentifierKind.PAYOUT_EMAIL, f"{account.method}:{email}",
                 f"{account.get_method_display()} {account.account_email}")
    if account.wallet_address:
        identify(IdentifierKind.WALLET, account.wallet_address, account.wallet_address)
    return account


# What an erased candidate's name becomes: its row stays (decisions and the audit trail point
# at it) and the review pages show it as an erased candidate.
ERASED_NAME = "Erased candidate"


@transaction.atomic
def candidate_erase(*, candidate_id: int) -> None:
    """Erase a candidate's personal data: its evidence, the identifiers it presented, its
    name, resume and the flags that quoted them. The row stays, emptied, so decisions and the
    audit trail still point somewhere; it is never scored again from what it was."""
    for model in EVIDENCE_MODELS:
        model.objects.filter(candidate_id=candidate_id).delete()
    Candidate.objects.filter(pk=candidate_id).update(
        full_name=ERASED_NAME, position="", applied_at=None, location_country="",
        location_region="", location_city="", resume_text="", risk_flags=[], scoped_flags=[],
        incomplete_checks=[], scoped_incomplete_checks=[],
    )
    events.emit(CandidateErased(candidate_id=candidate_id))
