"""What intel answers with: its own result types and its own "unavailable, try later" error.

The scoring engine (signals/) reads these and translates SourceUnavailable into a pending
check; intel itself knows nothing of checks or scores.
"""

from dataclasses import dataclass
from datetime import datetime


class SourceUnavailable(Exception):
    """An external source cannot answer now (timeout, rate limit, 5xx): ask again later."""

    def __init__(self, reason: str, retry_after: int = 60):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class GithubAccountInfo:
    username: str
    found: bool  # False: the API answered 404
    created_at: datetime | None = None
    public_repos: int | None = None
    followers: int | None = None


@dataclass(frozen=True)
class SanctionsHit:
    ent_num: int
    entry_name: str  # the SDN entry's primary name
    matched_name: str  # the name or alias that matched
    programs: str
    score: float  # 0-100; 100 for an exact wallet match
    role: str  # what of the candidate matched: name, holder, employer, wallet
    query: str  # the candidate's value that matched
