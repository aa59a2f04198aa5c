"""Reads of candidates, already scoped to whoever is asking."""

from collections import defaultdict

from django.db import connection
from django.db.models import QuerySet

from candidates import extensions
from candidates.choices import WEAK_IDENTIFIER_KINDS
from candidates.models import Candidate, Integration

EVIDENCE_PREFETCH = (
    "emails", "phones", "profiles", "ip_observations", "addresses", "payment_accounts",
    "employments",
)
LINKED_LIMIT = 200  # a link list longer than this is a co-working IP, not a ring to read


def candidate_list(*, integration: Integration) -> QuerySet:
    """The integration's candidates, with their evidence and what the fields registered in
    candidates.extensions read; candidates.filters narrows the list endpoint's."""
    queryset = Candidate.objects.filter(integration=integration)
    return extensions.queryset_extend(queryset.prefetch_related(*EVIDENCE_PREFETCH))


def identifier_matches(*, candidate_id: int, integration_id: int | None = None) -> list[tuple]:
    """Every (kind, key) this candidate presents that other candidates present too.

    Rows of (kind, key, other_id, other_external_id, other_full_name, other_integration_id),
    ordered by kind, key and other id. One query: a self-join of the identifier index on
    (kind, key). `integration_id` restricts the others to one integration (what an API key
    may see).
    """
    sql = """
        SELECT m.kind, m.key, c.id, c.external_id, c.full_name, c.integration_id
        FROM candidates_identifier m
        JOIN candidates_identifier o
          ON o.kind = m.kind AND o.key = m.key AND o.candidate_id <> m.candidate_id
        JOIN candidates_candidate c ON c.id = o.candidate_id
        WHERE m.candidate_id = %s {scope}
        ORDER BY m.kind, m.key, c.id
    """
    params: list = [candidate_id]
    scope = ""
    if integration_id is not None:
        scope = "AND c.integration_id = %s"
        params.append(integration_id)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(scope=scope), params)
        return cursor.fetchall()


def links_from_matches(rows: list[tuple]) -> list[dict]:
    """identifier_matches rows grouped by other candidate:
    [{"id", "external_id", "full_name", "shared": [kinds]}], most shared first."""
    shared: dict[int, set[str]] = defaultdict(set)
    names: dict[int, tuple[str, str]] = {}
    for kind, _key, other_id, external_id, full_name, _integration_id in rows:
        shared[other_id].add(kind)
        names[other_id] = (external_id, full_name)
    links = [
        {"id": cid, "external_id": names[cid][0], "full_name": names[cid][1],
         "shared": sorted(kinds)}
        for cid, kinds in shared.items()
    ]
    links.sort(key=lambda link: (-len(link["shared"]), link["id"]))
    return links[:LINKED_LIMIT]


def candidate_links(*, candidate_id: int, integration_id: int | None = None) -> list[dict]:
    """Other candidates presenting any identifier this candidate presents, most shared
    first (see links_from_matches)."""
    return links_from_matches(
        identifier_matches(candidate_id=candidate_id, integration_id=integration_id)
    )


# Ties the scoring found beyond a shared identifier, read from the candidate's stored
# (integration-scoped) flags: flag code -> (tie kind, strength).
FLAG_TIES = {
    "entity.same_person": ("same_person", "not_counted"),
    "entity.household": ("household", "not_counted"),
    "resume.near_duplicate": ("similar_resume", "medium"),
    "resume.same_career": ("same_career", "strong"),
    "employer.rare_shared": ("rare_employer", "weak"),
    "known_bad.identifier": ("known_bad", "strong"),
}


def links_with_ties(links: list[dict], flags: list[dict]) -> list[dict]:
    """The identifier links, each with its ties (kind and strength), plus the candidates the
    stored flags tie this one to without a shared identifier (a similar resume, the same
    career, a rare employer). `flags` are the scoped flags when the API asks, so only the
    integration's own candidates appear."""
    by_id = {link["id"]: dict(link, ties=[
        {"kind": kind, "strength": "weak" if kind in WEAK_IDENTIFIER_KINDS else "strong"}
        for kind in link["shared"]]) for link in links}
    for flag in flags or ():
        tie = FLAG_TIES.get(flag.get("code"))
        if tie is None:
            continue
        others = (flag.get("evidence") or {}).get("others") or []
        for other in others:
            if not isinstance(other, dict) or not isinstance(other.get("id"), int):
                continue
            link = by_id.setdefault(other["id"], {
                "id": other["id"], "external_id": other.get("external_id", ""),
                "full_name": other.get("full_name", ""), "shared": [], "ties": []})
            entry = {"kind": tie[0], "strength": tie[1]}
            if entry not in link["ties"]:
                link["ties"].append(entry)
    for link in by_id.values():  # shared within a person or household is not counted
        if any(t["kind"] in ("same_person", "household") for t in link["ties"]):
            for t in link["ties"]:
                if t["kind"] in link["shared"]:
                    t["strength"] = "not_counted"
    return sorted(by_id.values(), key=lambda link: (-len(link["ties"]), link["id"]))[
        :LINKED_LIMIT]
