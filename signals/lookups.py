"""Building a candidate's snapshot from the database, and the database-backed look-ups."""

from collections import defaultdict

from django.db import connection

from candidates.models import Candidate, Identifier
from candidates.selectors import EVIDENCE_PREFETCH
from signals import resume
from signals.engine import (
    AddressSnap,
    CandidateSnapshot,
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
        self._shared: dict[tuple[str, str], list[OtherCandidate]] | None = None

    def shared(self, kind: str, key: str) -> list[OtherCandidate]:
        if self._shared is None:
            self._shared = self._load_shared()
        return self._shared.get((kind, key), [])

    def _load_shared(self) -> dict[tuple[str, str], list[OtherCandidate]]:
        """Every identifier of this candidate that others present too: one indexed self-join
        of the reuse index, rather than one query per identifier."""
        sql = """
            SELECT m.kind, m.key, c.id, c.external_id, c.full_name
            FROM candidates_identifier m
            JOIN candidates_identifier o
              ON o.kind = m.kind AND o.key = m.key AND o.candidate_id <> m.candidate_id
            JOIN candidates_candidate c ON c.id = o.candidate_id
            WHERE m.candidate_id = %s
            ORDER BY m.kind, m.key, c.id
        """
        shared: dict[tuple[str, str], list[OtherCandidate]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.snapshot.id])
            for kind, key, other_id, external_id, full_name in cursor.fetchall():
                others = shared[(kind, key)]
                if len(others) < SHARED_LIMIT:
                    others.append(OtherCandidate(other_id, external_id, full_name))
        return dict(shared)

    def presenting(self, kind: str, key: str) -> list[OtherCandidate]:
        rows = (Identifier.objects.filter(kind=kind, key=key)  # the (kind, key) index
                .exclude(candidate_id=self.snapshot.id)
                .order_by("candidate_id")
                .values_list("candidate_id", "candidate__external_id", "candidate__full_name")
                [:SHARED_LIMIT])
        return [OtherCandidate(*row) for row in rows]

    def similar_resumes(self, snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
        return resume.resume_neighbours(snapshot)

    def ip_categories(self, ip: str) -> list[str]:
        from intel.ipranges import categories_for

        return categories_for(ip)

    def ip_country(self, ip: str) -> str:
        from intel.geo import country_for

        return country_for(ip)

    def github_account(self, username: str):
        from intel.github import github_account

        return github_account(username)

    def sanctions_hits(self, *, names: list[tuple[str, str]], wallets: list[str]):
        from intel.sanctions import sanctions_hits

        return sanctions_hits(names=names, wallets=wallets)

    def phone_line_type(self, e164: str) -> str | None:
        from intel.linetype import line_type

        return line_type(e164)

    def phone_carrier(self, e164: str) -> str:
        from intel.linetype import carrier

        return carrier(e164)
