"""Profile age (THREATS A2): a GitHub account or LinkedIn profile made recently, or made long
after the career the employment history claims began, and a claimed GitHub account that does
not exist.

GitHub's creation date comes from the GitHub API through `lookups.github_account` (cached;
it raises CheckPending when GitHub cannot answer now, so the check waits rather than guess).
LinkedIn has no public API for it: a LinkedIn profile is judged only when the ATS supplied
its `created_at`, and otherwise says nothing.

Claimed experience runs from the earliest employment start to the application (or today).
Ages are taken at the application, since that is when the persona was presented.

Honest look-alikes, and how they are kept weak:
- a junior or career changer with a new account claims little experience, so at most gets
  the weak "new account" flag, never "younger than the experience";
- a senior who joined GitHub late has an account older than ESTABLISHED_YEARS, and the
  "younger than the experience" flag then counts at half;
- a senior with an old account gets nothing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from signals.engine import CandidateSnapshot, Flag, Lookups, ProfileSnap, check

# An account younger than this at the application is "new" (about six months).
YOUNG_DAYS = 180
# THREATS A2: flag when account age < claimed years - EXPERIENCE_SLACK_YEARS. The slack covers
# people who start a job before they make the accounts that go with it.
EXPERIENCE_SLACK_YEARS = 2
# An account at least this old was not made for this application: a late joiner is the
# likelier story, so the "younger than the experience" flag counts at ESTABLISHED_MULTIPLIER.
ESTABLISHED_YEARS = 5
ESTABLISHED_MULTIPLIER = 0.5
# Employment starts further back than this are typos (1901 for 2019), not a career.
MAX_CAREER_YEARS = 50
DAYS_PER_YEAR = 365.25

# network -> (label, "new" code, "younger than the experience" code)
NETWORKS = {
    "github": ("GitHub account", "profile.github_young",
               "profile.github_younger_than_experience"),
    "linkedin": ("LinkedIn profile", "profile.linkedin_young",
                 "profile.linkedin_younger_than_experience"),
}


@dataclass(frozen=True)
class Claimed:
    years: float
    since: date


@check("profile_age")
def profile_age(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    reference = _reference(snapshot.applied_at)
    claimed = _claimed_experience(snapshot, reference)
    flags = []
    seen = set()
    for profile in snapshot.profiles:
        network = (profile.network or "").lower()
        key = (network, (profile.username or "").strip().lower())
        # No username: not a profile of its network (data.profile_unrecognised); no age.
        if network not in NETWORKS or not key[1] or key in seen:
            continue
        seen.add(key)
        if network == "github":
            flag = _github(profile, lookups, reference, claimed)
        else:
            flag = _judge(profile, profile.created_at, reference, claimed, {"source": "ats"})
        if flag is not None:
            flags.append(flag)
    return flags


def _github(profile: ProfileSnap, lookups: Lookups, reference: datetime,
            claimed: Claimed | None) -> Flag | None:
    account = lookups.github_account(profile.username) if profile.username else None
    if account is None:
        # GitHub look-ups are off (or there is no username): a date the ATS sent still counts.
        return _judge(profile, profile.created_at, reference, claimed, {"source": "ats"})
    if not account.found:
        return Flag(
            "profile.github_missing",
            f"GitHub account {profile.username} does not exist (GitHub answered 404)",
            {"username": profile.username, "url": profile.url, "source": "github_api"},
        )
    return _judge(profile, account.created_at, reference, claimed, {
        "source": "github_api", "public_repos": account.public_repos,
        "followers": account.followers,
    })


def _judge(profile: ProfileSnap, created_at, reference: datetime, claimed: Claimed | None,
           extra: dict) -> Flag | None:
    """The one flag a profile created at `created_at` earns, if any: "younger than the
    experience" when it applies (it says more), else "new"."""
    created = _aware(created_at)
    if created is None:
        return None
    label, young_code, experience_code = NETWORKS[profile.network.lower()]
    age_days = (reference - created).days  # negative: created after the application
    age_years = max(age_days, 0) / DAYS_PER_YEAR
    evidence = {
        "network": profile.network.lower(), "username": profile.username, "url": profile.url,
        "created_at": created.isoformat(), "age_days": age_days,
        "age_years": round(age_years, 1),
        "claimed_years": round(claimed.years, 1) if claimed else None,
        "experience_since": claimed.since.isoformat() if claimed else None,
        **extra,
    }
    made = f"{label} {profile.username} was created {created.date().isoformat()}"
    when = (f"{_age(age_days)} before the application" if age_days >= 0
            else "after the application")
    if claimed and age_years < claimed.years - EXPERIENCE_SLACK_YEARS:
        established = age_years >= ESTABLISHED_YEARS
        evidence["established"] = established
        return Flag(
            experience_code,
            f"{made} ({when}), but the employment history claims {claimed.years:.1f} years "
            f"of experience since {claimed.since.isoformat()}",
            evidence,
            multiplier=ESTABLISHED_MULTIPLIER if established else 1.0,
        )
    if age_days < YOUNG_DAYS:
        return Flag(young_code, f"{made}, {when}", evidence)
    return None


def _reference(applied_at) -> datetime:
    """When the ages are taken: the application, unless missing or in the future."""
    now = datetime.now(UTC)
    applied = _aware(applied_at)
    return applied if applied is not None and applied <= now else now


def _claimed_experience(snapshot: CandidateSnapshot, reference: datetime) -> Claimed | None:
    """Years from the earliest plausible employment start to the reference; None without one.

    Starts after the reference (future jobs, typos) and implausibly old ones are ignored."""
    ref_day = reference.date()
    starts = []
    for employment in snapshot.employments:
        start = employment.start
        if isinstance(start, datetime):
            start = start.date()
        if not isinstance(start, date) or start > ref_day:
            continue
        if (ref_day - start).days > MAX_CAREER_YEARS * DAYS_PER_YEAR:
            continue
        starts.append(start)
    if not starts:
        return None
    since = min(starts)
    return Claimed(years=(ref_day - since).days / DAYS_PER_YEAR, since=since)


def _aware(value) -> datetime | None:
    """A timezone-aware datetime from a datetime or date (naive values are taken as UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    return None


def _age(days: int) -> str:
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 2 * 365:
        return f"{round(days / 30.44)} months"
    return f"{days / DAYS_PER_YEAR:.1f} years"
