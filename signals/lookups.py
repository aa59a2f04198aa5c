"""Building a candidate's snapshot from the database, and the database-backed look-ups."""

from collections import defaultdict
from contextlib import contextmanager

from candidates.models import Candidate, Identifier
from candidates.selectors import EVIDENCE_PREFETCH, identifier_matches
from intel import geo, github, ipranges, linetype, sanctions
from intel.types import SourceUnavailable
from signals import resume
from signals.engine import (
    AddressSnap,
    CandidateSnapshot,
    CheckPending,
    EmailSnap,
    EmploymentSnap,
    IpSnap,
    Lookups,
    OtherCandidate,
    PaymentSnap,
    PhoneSnap,
    ProfileSnap,
)

# Per identifier, the most other candidates the checks look at. A key shared by more is a
# carrier-grade NAT or a big office, and the count alone says what matters.
SHARED_LIMIT = 50


def snapshot_load(candidate_id: int) -> CandidateSnapshot | None:
    candidate = (
        Candidate.objects.prefetch_related(*EVIDENCE_PREFETCH, "identifiers")
        .filter(pk=candidate_id)
        .first()
    )
    return snapshot_from(candidate) if candidate else None


def snapshot_from(c: Candidate) -> CandidateSnapshot:
    return CandidateSnapshot(
        id=c.pk, integration_id=c.integration_id, external_id=c.external_id,
        full_name=c.full_name, position=c.position, applied_at=c.applied_at,
        location_country=c.location_country, location_region=c.location_region,
        location_city=c.location_city, resume_text=c.resume_text, revision=c.revision,
        emails=tuple(EmailSnap(e.address, e.canonical, e.domain) for e in c.emails.all()),
        phones=tuple(PhoneSnap(p.e164, p.region, p.number_type, p.is_valid)
                     for p in c.phones.all()),
        profiles=tuple(ProfileSnap(p.network, p.url, p.username, p.created_at)
                       for p in c.profiles.all()),
        ips=tuple(IpSnap(i.ip, i.source, i.observed_at) for i in c.ip_observations.all()),
        addresses=tuple(
            AddressSnap(kind=a.kind, line1=a.line1, line2=a.line2, city=a.city,
                        region=a.region, postal_code=a.postal_code, country=a.country,
                        match_key=a.match_key)
            for a in c.addresses.all()
        ),
        payments=tuple(
            PaymentSnap(
                method=p.method, bank_country=p.bank_country, iban_country=p.iban_country,
                bank_name=p.bank_name, holder_name=p.holder_name,
                account_email=p.account_email, wallet_address=p.wallet_address,
                account_key=p.iban_fingerprint or p.account_fingerprint,
                last4=p.iban_last4 or p.account_last4,
            )
            for p in c.payment_accounts.all()
        ),
        employments=tuple(EmploymentSnap(e.employer, e.title, e.start, e.end, e.country)
                          for e in c.employments.all()),
        identifiers=tuple((i.kind, i.key, i.label) for i in c.identifiers.all()),
    )


class DbLookups(Lookups):
    """Look-ups against PostgreSQL (or the demo's SQLite) through indexed tables only."""

    def __init__(self, snapshot: CandidateSnapshot):
        self.snapshot = snapshot
        self._matches: list[tuple] | None = None
        self._shared: dict[tuple[str, str], list[OtherCandidate]] | None = None
        self._resumes: list[tuple[OtherCandidate, float]] | None = None

    def matches(self) -> list[tuple]:
        """The identifier self-join for this candidate, run once per scoring (the checks and
        the linked re-scoring both read it)."""
        if self._matches is None:
            self._matches = identifier_matches(candidate_id=self.snapshot.id)
        return self._matches

    def shared(self, kind: str, key: str) -> list[OtherCandidate]:
        if self._shared is None:
            shared: dict[tuple[str, str], list[OtherCandidate]] = defaultdict(list)
            for m_kind, m_key, other_id, external_id, full_name in self.matches():
                others = shared[(m_kind, m_key)]
                if len(others) < SHARED_LIMIT:
                    others.append(OtherCandidate(other_id, external_id, full_name))
            self._shared = dict(shared)
        return self._shared.get((kind, key), [])

    def presenting(self, kind: str, key: str) -> list[OtherCandidate]:
        rows = (Identifier.objects.filter(kind=kind, key=key)  # the (kind, key) index
                .exclude(candidate_id=self.snapshot.id)
                .order_by("candidate_id")
                .values_list("candidate_id", "candidate__external_id", "candidate__full_name")
                [:SHARED_LIMIT])
        return [OtherCandidate(*row) for row in rows]

    def similar_resumes(self, snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
        if snapshot is not self.snapshot:
            return resume.resume_neighbours(snapshot)
        if self._resumes is None:  # the resume check and the linked re-scoring both ask
            self._resumes = resume.resume_neighbours(snapshot)
        return self._resumes

    def ip_categories(self, ip: str) -> list[str]:
        return ipranges.categories_for(ip)

    def ip_country(self, ip: str) -> str:
        return geo.country_for(ip)

    def github_account(self, username: str):
        with _pending_when_unavailable():
            return github.github_account(username)

    def sanctions_hits(self, *, names: list[tuple[str, str]], wallets: list[str]):
        return sanctions.sanctions_hits(names=names, wallets=wallets)

    def phone_line_type(self, e164: str) -> str | None:
        with _pending_when_unavailable():
            return linetype.line_type(e164)

    def phone_carrier(self, e164: str) -> str:
        with _pending_when_unavailable():
            return linetype.carrier(e164)


@contextmanager
def _pending_when_unavailable():
    """intel's "cannot answer now" becomes the engine's pending check (retried later)."""
    try:
        yield
    except SourceUnavailable as exc:
        raise CheckPending(exc.reason, exc.retry_after) from exc
