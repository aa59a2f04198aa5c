"""The check engine: snapshots, flags, the check registry, and running the checks.

A check is a small function `(snapshot, lookups) -> list[Flag]`, registered with `@check`.
It reads the candidate only through the snapshot (plain data, no database) and other
candidates only through `lookups` (read-only, indexed). Adding a check is one new function in
`signals/checks/`, plus its flag codes in `signals/catalog.py`.

`run_checks` notes which checks asked the look-ups about other candidates, so that a second
run seeing fewer of them (the integration-scoped result, docs/tenancy.md) re-runs only those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from intel.types import GithubAccountInfo, SanctionsHit  # noqa: F401  (the look-ups answer with them)
from signals.catalog import CATALOG


@dataclass(frozen=True)
class Flag:
    code: str  # a code from signals.catalog, e.g. "reuse.phone"
    summary: str  # one line a recruiter reads
    evidence: dict = field(default_factory=dict)  # what matched; for reuse, the other candidates
    # Optional: a stronger or weaker variant of the same code (e.g. reuse across 5 candidates
    # rather than 1) multiplies the code's weight.
    multiplier: float = 1.0

    @property
    def spec(self):
        return CATALOG[self.code]


class CheckPending(Exception):
    """A check could not run yet (e.g. an external API rate-limited us); retry later."""

    def __init__(self, reason: str, retry_after: int = 60):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


# --- Snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailSnap:
    address: str
    canonical: str
    domain: str


@dataclass(frozen=True)
class PhoneSnap:
    e164: str  # "" when no country could read the number (then see raw and data_issues)
    region: str
    number_type: str
    is_valid: bool
    raw: str = ""  # as typed
    # What did not normalise: ((kind, reason), ...), e.g. (("phone_unparseable", "..."),).
    data_issues: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProfileSnap:
    network: str
    url: str
    username: str  # "" when the value is not a profile of its network (see data_issues)
    created_at: datetime | None = None
    # What did not normalise: ((kind, reason), ...), e.g. (("phone_unparseable", "..."),).
    data_issues: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IpSnap:
    ip: str
    source: str
    observed_at: datetime | None = None


@dataclass(frozen=True)
class AddressSnap:
    kind: str
    line1: str
    country: str
    match_key: str
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    # What did not normalise: ((kind, reason), ...), e.g. (("phone_unparseable", "..."),).
    data_issues: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        parts = (self.line1, self.line2, self.city, self.postal_code, self.country)
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class PaymentSnap:
    method: str
    bank_country: str = ""
    iban_country: str = ""
    bank_name: str = ""
    holder_name: str = ""
    account_email: str = ""
    wallet_address: str = ""
    # The keyed fingerprint that identifies the account (IBAN or account number), if any.
    account_key: str = ""
    last4: str = ""
    # What did not normalise: ((kind, reason), ...), e.g. (("phone_unparseable", "..."),).
    data_issues: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EmploymentSnap:
    employer: str
    title: str = ""
    start: date | None = None
    end: date | None = None
    country: str = ""


@dataclass(frozen=True)
class CandidateSnapshot:
    """Everything the checks may know about one candidate, as plain data."""

    id: int
    full_name: str
    integration_id: int = 0
    external_id: str = ""
    position: str = ""
    applied_at: datetime | None = None
    location_country: str = ""
    location_region: str = ""
    location_city: str = ""
    resume_text: str = ""
    revision: int = 1
    emails: tuple[EmailSnap, ...] = ()
    phones: tuple[PhoneSnap, ...] = ()
    profiles: tuple[ProfileSnap, ...] = ()
    ips: tuple[IpSnap, ...] = ()
    addresses: tuple[AddressSnap, ...] = ()
    payments: tuple[PaymentSnap, ...] = ()
    employments: tuple[EmploymentSnap, ...] = ()
    # (kind, key) -> label for every identifier in the reuse index
    identifiers: tuple[tuple[str, str, str], ...] = ()


# --- Look-ups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherCandidate:
    id: int
    external_id: str
    full_name: str
    # Which integration sent it: what the integration-scoped look-ups filter on. Never part
    # of the evidence, and not of equality (look-ups built in memory may leave it unset; an
    # unset integration is seen by no integration).
    integration_id: int | None = field(default=None, compare=False)

    def as_evidence(self) -> dict:
        return {"id": self.id, "external_id": self.external_id, "full_name": self.full_name}


@dataclass(frozen=True)
class KnownBad:
    """An identifier made known bad by a decision on another candidate."""

    source: OtherCandidate  # the candidate decided on
    reason: str  # the decision's reason code, e.g. "fraud_confirmed"
    decided_at: datetime | None = None

    def as_evidence(self) -> dict:
        return self.source.as_evidence() | {
            "reason": self.reason,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None}


class Lookups:
    """Read-only questions a check may ask about the rest of the world.

    The database-backed implementation lives in `signals.lookups`; tests may pass a subclass
    answering from memory. Every method must be an indexed look-up, never a scan.
    """

    # The methods whose answers do not depend on other candidates: the outside world (range
    # lists, geolocation, GitHub, OFAC, the line-type provider), the same for everyone. A
    # check that asks anything else is taken to read other candidates (run_checks notes it),
    # so a new look-up is treated as one about other candidates until it is listed here.
    WORLD = frozenset({"ip_categories", "ip_country", "github_account", "sanctions_hits",
                       "phone_line_type", "phone_carrier"})

    def shared(self, kind: str, key: str) -> list[OtherCandidate]:
        """Other candidates presenting the identifier (kind, key)."""
        return []

    def presenting(self, kind: str, key: str) -> list[OtherCandidate]:
        """Other candidates presenting (kind, key), whether or not this candidate presents
        that kind: e.g. who lives at the address this candidate ships to."""
        return []

    def similar_resumes(self, snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
        """Other candidates whose resume text is a near-duplicate, with the similarity."""
        return []

    def resolution_corrections(self, candidate_id: int) -> list[tuple[OtherCandidate, str]]:
        """A recruiter's corrections of the entity resolution involving this candidate:
        (other candidate, "same" or "different")."""
        return []

    def known_bad(self, kind: str, key: str) -> list[KnownBad]:
        """Decisions that made (kind, key) known bad: the identifier of a candidate an HR
        lead rejected as fraud, or whose identity verification failed."""
        return []

    def career_peers(self, kind: str, key: str) -> list[OtherCandidate]:
        """Other candidates whose employment history has the career key (kind "career": two
        consecutive jobs, employers and start years; kind "employer": one employer's name),
        at most a limit: a key on that many is common, not a link."""
        return []

    def linked_risk(self, candidate_ids: list[int]) -> dict[int, bool]:
        """For each of these other candidates, whether it is critical on its own (not only
        through signals.checks.risk_flow's tie to yet another critical candidate)."""
        return {}

    def memo(self) -> dict:
        """A place for what a run derives from these look-ups once for every check (the
        entity resolution, signals.resolution): it lives as long as the look-ups object."""
        return self.__dict__.setdefault("_memo", {})

    # --- External intelligence (the intel app) ---------------------------------------------

    def ip_categories(self, ip: str) -> list[str]:
        """Names of the imported IP range categories containing ip (vpn, datacenter, ...)."""
        return []

    def ip_country(self, ip: str) -> str:
        """ISO 3166-1 alpha-2 country of ip from offline data, or "" when unknown."""
        return ""

    def github_account(self, username: str) -> GithubAccountInfo | None:
        """The GitHub account, from cache or the API. Raises CheckPending when GitHub cannot
        answer now (timeout, 5xx, rate limit); None when the check cannot know at all."""
        return None

    def sanctions_hits(self, *, names: list[tuple[str, str]],
                       wallets: list[str]) -> list[SanctionsHit]:
        """Sanctions entries matching any (role, name) or wallet address."""
        return []

    def phone_line_type(self, e164: str) -> str | None:
        """Line type from the optional provider (mobile, landline, nonFixedVoip, ...); None
        when no provider is configured. Raises CheckPending when it cannot answer now."""
        return None

    def phone_carrier(self, e164: str) -> str:
        """The carrier the line-type provider named for e164 (ask phone_line_type first);
        "" when unknown."""
        return ""


# --- Registry ------------------------------------------------------------------------------

CheckFn = Callable[[CandidateSnapshot, Lookups], list[Flag]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check under a stable name (shown when it fails, and in score history)."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = fn
        return fn

    return register


@dataclass
class CheckResults:
    flags: list[Flag] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # [{"check": name, "error": text}]
    pending: list[dict] = field(default_factory=list)  # [{"check", "reason", "retry_after"}]
    # Per check, what it returned (flags, failed, pending), and the names of the checks that
    # asked the look-ups about other candidates: a later run against look-ups that see fewer
    # of them re-runs only those and copies the rest (run_checks(..., reuse=...)).
    by_check: dict[str, CheckResults] = field(default_factory=dict, repr=False)
    asked_others: set[str] = field(default_factory=set)

    def add(self, name: str, part: CheckResults) -> None:
        self.by_check[name] = part
        self.flags += part.flags
        self.failed += part.failed
        self.pending += part.pending


class _Watched:
    """A check's look-ups, passed through, noting whether it asked about other candidates
    (anything outside Lookups.WORLD)."""

    def __init__(self, lookups: Lookups):
        self._lookups = lookups
        self.asked_others = False

    def __getattr__(self, name: str):
        if name not in Lookups.WORLD:
            self.asked_others = True
        return getattr(self._lookups, name)


def run_checks(snapshot: CandidateSnapshot, lookups: Lookups,
               checks: dict[str, CheckFn] | None = None, *,
               reuse: CheckResults | None = None) -> CheckResults:
    """Run every check; a check that raises is recorded as failed and the rest still run.

    With `reuse`, an earlier run of the same snapshot, a check that did not ask that run's
    look-ups about other candidates is not run again: its answer cannot depend on which other
    candidates the look-ups see, so its outcome is copied (also sparing GitHub and the
    line-type provider a second call).
    """
    import logging

    logger = logging.getLogger(__name__)
    results = CheckResults()
    for name, fn in sorted((checks or CHECKS).items()):
        if reuse is not None and name in reuse.by_check and name not in reuse.asked_others:
            results.add(name, reuse.by_check[name])
            continue
        part = CheckResults()
        watched = _Watched(lookups)
        try:
            flags = fn(snapshot, watched)
        except CheckPending as exc:
            part.pending.append(
                {"check": name, "reason": exc.reason, "retry_after": exc.retry_after}
            )
            flags = []
        except Exception as exc:  # a broken check must never cost the candidate its score
            logger.exception("check %s failed for candidate %s", name, snapshot.id)
            part.failed.append({"check": name, "error": f"{type(exc).__name__}: {exc}"})
            flags = []
        for flag in flags:
            if flag.code not in CATALOG:
                part.failed.append({"check": name, "error": f"unknown flag code {flag.code}"})
                continue
            part.flags.append(flag)
        if watched.asked_others:
            results.asked_others.add(name)
        results.add(name, part)
    return results
