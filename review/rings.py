"""Rings as the review pages see them: who a candidate is linked to, how many, and whether
any of them was rejected as fraud.

A candidate's *ring* is the candidate and every other candidate presenting one of its
strong identifiers (every IdentifierKind but the weak ones: home and mailing address, IP):
the same bank account, payout account, wallet, email, phone, shipping address, GitHub or
LinkedIn. It is one hop of the identifier index (kind, key), as the graph draws it, so a ring
sharing one IBAN is the same set from every member's page. Nothing is stored: like entity
resolution (docs/resolution.md), the ring is what the index says now, so it cannot go stale.
A case (review.cases) freezes a ring's members when someone opens it.

Every function here is one indexed query whatever the number of candidates asked about
(the queue asks for its 50 rows at once), and plain SQL with a placeholder per id, so it
runs on SQLite (the demo) and PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from candidates.choices import WEAK_IDENTIFIER_KINDS, IdentifierKind
from candidates.models import Identifier
from review.models import Review, ReviewState

RING_KINDS = tuple(kind for kind in IdentifierKind.values if kind not in WEAK_IDENTIFIER_KINDS)
# Rejections that say the person is not who they claim (the same reasons that make the
# candidate's identifiers known bad, review.services).
FRAUD_REASONS = ("fraud_confirmed", "verification_failed", "sanctions_match")
# A ring bigger than this is listed up to this many members (a shared employer's HR inbox,
# say, is not a ring anyone decides on as one case).
RING_MEMBER_LIMIT = 500


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _linked_rows(candidate_ids: list[int], *, extra_join: str = "", extra_params=()
                 ) -> list[tuple[int, int]]:
    """(candidate_id, other_id) pairs, distinct, for the candidates asked about."""
    if not candidate_ids:
        return []
    identifiers = Identifier._meta.db_table
    sql = f"""
        SELECT DISTINCT m.candidate_id, o.candidate_id
        FROM {identifiers} m
        JOIN {identifiers} o
          ON o.kind = m.kind AND o.key = m.key AND o.candidate_id <> m.candidate_id
        {extra_join}
        WHERE m.candidate_id IN ({_placeholders(candidate_ids)})
          AND m.kind IN ({_placeholders(list(RING_KINDS))})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*extra_params, *candidate_ids, *RING_KINDS])
        return cursor.fetchall()


def ring_sizes(candidate_ids: Iterable[int]) -> dict[int, int]:
    """{candidate id: members of its ring, itself included} for the candidates that have a
    ring (at least one other member); candidates alone are left out."""
    counts: dict[int, int] = defaultdict(lambda: 1)
    for candidate_id, _other in _linked_rows(list(candidate_ids)):
        counts[candidate_id] += 1
    return dict(counts)


def ring_member_ids(candidate_id: int, *, limit: int = RING_MEMBER_LIMIT) -> list[int]:
    """The candidate's ring, the candidate first, then the others by id."""
    others = sorted({other for _, other in _linked_rows([candidate_id])})
    return [candidate_id, *others[: max(0, limit - 1)]]


def fraud_links(candidate_ids: Iterable[int]) -> dict[int, list[int]]:
    """{candidate id: [ids of ring-mates rejected as fraud]} for the candidates that have
    any: what "linked to N applicants rejected as fraud" counts."""
    reviews = Review._meta.db_table
    join = (f"JOIN {reviews} r ON r.candidate_id = o.candidate_id AND r.state = %s "
            f"AND r.reason_code IN ({_placeholders(list(FRAUD_REASONS))})")
    found: dict[int, list[int]] = defaultdict(list)
    rows = _linked_rows(list(candidate_ids), extra_join=join,
                        extra_params=[ReviewState.REJECTED.value, *FRAUD_REASONS])
    for candidate_id, other in rows:
        found[candidate_id].append(other)
    return {candidate_id: sorted(others) for candidate_id, others in found.items()}
