"""Building a candidate's snapshot from the database, and the database-backed look-ups."""

from collections import defaultdict
from contextlib import contextmanager

from candidates.models import Candidate, Identifier
from candidates.selectors import EVIDENCE_PREFETCH, identifier_matches
from intel import geo, github, ipranges, linetype, sanctions
from intel.types import SourceUnavailable
from signals import resume
from signals.catalog import DEFAULT_THRESHOLDS
from signals.engine import (
    AddressSnap,
    CandidateSnapshot,
    CheckPending,
    EmailSnap,
    EmploymentSnap,
    IpSnap,
    KnownBad,
    Lookups,
    OtherCandidate,
    PaymentSnap,
    PhoneSnap,
    ProfileSnap,
)
from signals.models import CareerKey, IdentityCorrection, KnownBadIdentifier, LevelThreshold

# Per identifier, the most other candidates the checks look at. A key shared by more is a
# carrier-grade NAT or a big office, and the count alone says what matters.
SHARED_LIMIT = 50
# Per career key, the most other candidates read: enough to tell a rare employer (a handful)
# from a common one, and every copy of a template career a mill would send.
CAREER_PEER_LIMIT = 50


def shared_from_matches(rows: list[tuple]) -> dict[tuple[str, str], list[OtherCandidate]]:
    """identifier_matches rows as {(kind, key): [OtherCandidate, ...]}, at most SHARED_LIMIT
    a key (the rows come ordered by other id)."""
    shared: dict[tuple[str, str], list[OtherCandidate]] = defaultdict(list)
    for kind, key, other_id, external_id, full_name, integration_id in rows:
        others = shared[(kind, key)]
        if len(others) < SHARED_LIMIT:
            others.append(OtherCandidate(other_id, external_id, full_name, integration_id))
    return dict(shared)


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
        phones=tuple(PhoneSnap(p.e164, p.region, p.number_type, p.is_valid, p.raw,
                               _issues(p.data_issues))
                     for p in c.phones.all()),
        profiles=tuple(ProfileSnap(p.network, p.url, p.username, p.created_at,
                                   _issues(p.data_issues))
                       for p in c.profiles.all()),
        ips=tuple(IpSnap(i.ip, i.source, i.observed_at) for i in c.ip_observations.all()),
        addresses=tuple(
            AddressSnap(kind=a.kind, line1=a.line1, line2=a.line2, city=a.city,
                        region=a.region, postal_code=a.postal_code, country=a.country,
                        match_key=a.match_key, data_issues=_issues(a.data_issues))
            for a in c.addresses.all()
        ),
        payments=tuple(
            PaymentSnap(
                method=p.method, bank_country=p.bank_country, iban_country=p.iban_country,
                bank_name=p.bank_name, holder_name=p.holder_name,
                account_email=p.account_email, wallet_address=p.wallet_address,
                account_key=p.iban_fingerprint or p.account_fingerprint,
                last4=p.iban_last4 or p.account_last4, data_issues=_issues(p.data_issues),
            )
            for p in c.payment_accounts.all()
        ),
        employments=tuple(EmploymentSnap(e.employer, e.title, e.start, e.end, e.country)
                          for e in c.employments.all()),
        identifiers=tuple((i.kind, i.key, i.label) for i in c.identifiers.all()),
    )


def _issues(rows: list[dict] | None) -> tuple[tuple[str, str], ...]:
    return tuple((row.get("kind", ""), row.get("reason", "")) for row in rows or ())


class DbLookups(Lookups):
    """Look-ups against PostgreSQL (or the demo's SQLite) through indexed tables only.

    They see the candidates of every integration (a fraudster applying through two ATSs is
    one fraudster); `ScopedLookups` narrows them to one integration.
    """

    def __init__(self, snapshot: CandidateSnapshot):
        self.snapshot = snapshot
        self._matches: list[tuple] | None = None
        self._shared: dict[tuple[str, str], list[OtherCandidate]] | None = None
        self._resumes: tuple[list[tuple[OtherCandidate, float]], bool] | None = None
        self._presenting: dict[tuple[str, str], list[OtherCandidate]] = {}
        self._answers: dict[tuple, list] = {}  # corrections and known-bad, asked by both runs

    def matches(self) -> list[tuple]:
        """The identifier self-join for this candidate, run once per scoring (the checks, the
        integration-scoped checks and the linked re-scoring all read it)."""
        if self._matches is None:
            self._matches = identifier_matches(candidate_id=self.snapshot.id)
        return self._matches

    def shared(self, kind: str, key: str) -> list[OtherCandidate]:
        if self._shared is None:
            self._shared = shared_from_matches(self.matches())
        return self._shared.get((kind, key), [])

    def presenting(self, kind: str, key: str, *,
                   integration_id: int | None = None) -> list[OtherCandidate]:
        if integration_id is None and (kind, key) in self._presenting:
            return self._presenting[(kind, key)]  # both runs ask
        rows = Identifier.objects.filter(kind=kind, key=key)  # the (kind, key) index
        if integration_id is not None:
            rows = rows.filter(candidate__integration_id=integration_id)
        rows = (rows.exclude(candidate_id=self.snapshot.id)
                .order_by("candidate_id")
                .values_list("candidate_id", "candidate__external_id", "candidate__full_name",
                             "candidate__integration_id")
                [:SHARED_LIMIT])
        others = [OtherCandidate(*row) for row in rows]
        if integration_id is None:
            self._presenting[(kind, key)] = others
        return others

    def similar_resumes(self, snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
        return self.resume_search(snapshot)[0]

    def resume_search(self, snapshot: CandidateSnapshot, *, integration_id: int | None = None
                      ) -> tuple[list[tuple[OtherCandidate, float]], bool]:
        """(near-duplicates, complete): see signals.resume.resume_search."""
        if snapshot is not self.snapshot or integration_id is not None:
            return resume.resume_search(snapshot, integration_id=integration_id)
        if self._resumes is None:  # the checks, both runs and the linked re-scoring ask
            self._resumes = resume.resume_search(snapshot)
        return self._resumes

    def resolution_corrections(self, candidate_id: int) -> list[tuple[OtherCandidate, str]]:
        # Both runs ask (the scoped one filters this answer): read once per scoring.
        key = ("resolution_corrections", candidate_id)
        if key not in self._answers:
            self._answers[key] = self._resolution_corrections(candidate_id)
        return self._answers[key]

    def _resolution_corrections(self, candidate_id: int) -> list[tuple[OtherCandidate, str]]:
        rows = (IdentityCorrection.objects.filter(first_id=candidate_id)
                .values_list("second_id", "second__external_id", "second__full_name",
                             "second__integration_id", "verdict")
                .union(IdentityCorrection.objects.filter(second_id=candidate_id)
                       .values_list("first_id", "first__external_id", "first__full_name",
                                    "first__integration_id", "verdict")))
        return [(OtherCandidate(*row[:4]), row[4]) for row in rows]

    def known_bad(self, kind: str, key: str) -> list[KnownBad]:
        answer_key = ("known_bad", kind, key)
        if answer_key not in self._answers:
            self._answers[answer_key] = self._known_bad(kind, key)
        return self._answers[answer_key]

    def _known_bad(self, kind: str, key: str) -> list[KnownBad]:
        rows = (KnownBadIdentifier.objects.filter(kind=kind, key=key, withdrawn_at__isnull=True)
                .order_by("created_at", "id")
                .values_list("candidate_id", "candidate__external_id", "candidate__full_name",
                             "candidate__integration_id", "reason", "created_at")
                [:SHARED_LIMIT])
        return [KnownBad(OtherCandidate(*row[:4]), row[4], row[5]) for row in rows]

    def linked_risk(self, candidate_ids: list[int], *, scoped: bool = False
                    ) -> dict[int, bool]:
        """Critical on its own: critical, and still critical without the points of its own
        link.critical_tie flag. `scoped` reads the integration-scoped risk (what the API
        run may build on), else the full one."""
        level, score, flags = (("scoped_level", "scoped_score", "scoped_flags") if scoped
                               else ("risk_level", "risk_score", "risk_flags"))
        threshold = self.memo().get("critical_threshold")
        if threshold is None:
            threshold = self.memo()["critical_threshold"] = (
                LevelThreshold.objects.filter(level="critical")
                .values_list("min_score", flat=True).first()
                or DEFAULT_THRESHOLDS["critical"])
        rows = (Candidate.objects.filter(pk__in=candidate_ids[:SHARED_LIMIT],
                                         **{level: "critical"})
                .values_list("pk", score, flags))
        return {pk: (value or 0) - sum(f.get("points", 0) for f in stored or ()
                                       if f.get("code") == "link.critical_tie") >= threshold
                for pk, value, stored in rows}

    def career_peers(self, kind: str, key: str, *,
                     integration_id: int | None = None) -> list[OtherCandidate]:
        memo = self.memo().setdefault("career_peers", {})
        if integration_id is None and (kind, key) in memo:
            return memo[(kind, key)]
        rows = CareerKey.objects.filter(kind=kind, key=key)  # the (kind, key) index
        if integration_id is not None:
            rows = rows.filter(candidate__integration_id=integration_id)
        rows = (rows.exclude(candidate_id=self.snapshot.id).order_by("candidate_id")
                .values_list("candidate_id", "candidate__external_id", "candidate__full_name",
                             "candidate__integration_id")[:CAREER_PEER_LIMIT])
        others = [OtherCandidate(*row) for row in rows]
        if integration_id is None:
            memo[(kind, key)] = others
        return others

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

class ScopedLookups(Lookups):
    """The look-ups as one integration may see them: the single place deciding which other
    candidates an integration's API results may be built from (docs/tenancy.md).

    The rule: another candidate is seen only when the same integration sent it. Everything
    about other candidates is filtered by it; questions about the outside world (Lookups.
    WORLD) are passed through unchanged. The answers are the full look-ups' answers filtered
    in memory (no extra query), except where a limit cut the full answer (a key presented by
    SHARED_LIMIT or more, a resume template with hundreds of copies): then this integration's
    own are asked for, so that what one integration sees never depends on how many
    applicants another one has. A look-up added to Lookups answers nothing here until it is
    filtered too (the base class's empty answer): nothing leaks by omission.
    """

    def __init__(self, full: DbLookups, integration_id: int):
        self.full = full
        self.integration_id = integration_id
        self._shared: dict[tuple[str, str], list[OtherCandidate]] | None = None

    def sees(self, integration_id: int | None) -> bool:
        """The rule."""
        return integration_id == self.integration_id

    def matches(self) -> list[tuple]:
        return [row for row in self.full.matches() if self.sees(row[5])]

    def shared(self, kind: str, key: str) -> list[OtherCandidate]:
        if self._shared is None:
            self._shared = shared_from_matches(self.matches())
        return self._shared.get((kind, key), [])

    def presenting(self, kind: str, key: str) -> list[OtherCandidate]:
        others = self.full.presenting(kind, key)
        if len(others) >= SHARED_LIMIT:  # cut: others beyond the cut may be this integration's
            others = self.full.presenting(kind, key, integration_id=self.integration_id)
        return [o for o in others if self.sees(o.integration_id)]

    def similar_resumes(self, snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
        neighbours, complete = self.full.resume_search(snapshot)
        if not complete:
            neighbours, _ = self.full.resume_search(snapshot,
                                                    integration_id=self.integration_id)
        return [(o, similarity) for o, similarity in neighbours if self.sees(o.integration_id)]

    def memo(self) -> dict:
        # Its own: what a run derives (the entity resolution) from the scoped answers must
        # never be mixed with what the full run derived. Written out, as every look-up here
        # is (tests/signals/test_scoped_lookups.py), though it is the base class's.
        return self.__dict__.setdefault("_memo", {})

    def resolution_corrections(self, candidate_id: int) -> list[tuple[OtherCandidate, str]]:
        return [(o, verdict) for o, verdict in self.full.resolution_corrections(candidate_id)
                if self.sees(o.integration_id)]

    def known_bad(self, kind: str, key: str) -> list[KnownBad]:
        # A decision on another integration's candidate is theirs: not seen here.
        return [d for d in self.full.known_bad(kind, key) if self.sees(d.source.integration_id)]

    def linked_risk(self, candidate_ids: list[int]) -> dict[int, bool]:
        # Only this integration's candidates, by the risk this integration sees.
        mine = [o.id for o in self._visible_sharers() if o.id in set(candidate_ids)]
        return self.full.linked_risk(mine, scoped=True) if mine else {}

    def _visible_sharers(self) -> list[OtherCandidate]:
        seen = {}
        for row in self.matches():
            seen.setdefault(row[2], OtherCandidate(*row[2:6]))
        return list(seen.values())

    def career_peers(self, kind: str, key: str) -> list[OtherCandidate]:
        others = self.full.career_peers(kind, key)
        if len(others) >= CAREER_PEER_LIMIT:  # cut: this integration's may lie beyond it
            others = self.full.career_peers(kind, key, integration_id=self.integration_id)
        return [o for o in others if self.sees(o.integration_id)]

    def ip_categories(self, ip: str) -> list[str]:
        return self.full.ip_categories(ip)

    def ip_country(self, ip: str) -> str:
        return self.full.ip_country(ip)

    def github_account(self, username: str):
        return self.full.github_account(username)

    def sanctions_hits(self, *, names: list[tuple[str, str]], wallets: list[str]):
        return self.full.sanctions_hits(names=names, wallets=wallets)

    def phone_line_type(self, e164: str) -> str | None:
        return self.full.phone_line_type(e164)

    def phone_carrier(self, e164: str) -> str:
        return self.full.phone_carrier(e164)


@contextmanager
def _pending_when_unavailable():
    """intel's "cannot answer now" becomes the engine's pending check (retried later)."""
    try:
        yield
    except SourceUnavailable as exc:
        raise CheckPending(exc.reason, exc.retry_after) from exc
