"""Sanctions screening against the OFAC SDN list (THREATS J1, C1).

- `sanctions.name_match`: the candidate's name matches a listed individual.
- `sanctions.holder_match`: a payment account's holder matches a listed person or company.
- `sanctions.employer_match`: an employer in the history matches a listed company.
- `sanctions.wallet_match`: a wallet address is, exactly, a listed digital currency address.

Every hit is critical and carries the entry (OFAC entry number, name, the name or alias that
matched, programmes) and the match score, for a human to confirm or dismiss. How names match
is described in intel/sanctions.py.
"""

from signals.checks.identity_reuse import same_name
from signals.engine import CandidateSnapshot, Flag, Lookups, SanctionsHit, check

CODES = {"name": "sanctions.name_match", "holder": "sanctions.holder_match",
         "employer": "sanctions.employer_match", "wallet": "sanctions.wallet_match"}
SUBJECTS = {"name": "Candidate's name", "holder": "Payment account holder",
            "employer": "Employer", "wallet": "Wallet"}
# OFAC's public record of an entry, by entry number.
OFAC_RECORD_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"


@check("sanctions")
def sanctions(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    names = screened_names(snapshot)
    wallets = list(dict.fromkeys(
        w for p in snapshot.payments if (w := (p.wallet_address or "").strip())
    ))
    if not names and not wallets:
        return []
    hits = lookups.sanctions_hits(names=names, wallets=wallets)
    return [_flag(hit) for hit in hits if hit.role in CODES]


def screened_names(snapshot: CandidateSnapshot) -> list[tuple[str, str]]:
    """(role, value) pairs to screen, each once. A holder who is the candidate (the same
    name in any order or case) is screened as the candidate's name only."""
    full_name = (snapshot.full_name or "").strip()
    names = [("name", full_name)] if full_name else []
    for payment in snapshot.payments:
        holder = (payment.holder_name or "").strip()
        if holder and not same_name(holder, full_name):
            names.append(("holder", holder))
    names += [("employer", employer) for e in snapshot.employments
              if (employer := (e.employer or "").strip())]
    return list(dict.fromkeys(names))


def _flag(hit: SanctionsHit) -> Flag:
    matched = hit.matched_name
    if hit.role == "wallet":
        summary = (f"Wallet {hit.query} is listed by OFAC for {hit.entry_name} "
                   f"(SDN #{hit.ent_num}, {hit.programs})")
    else:
        via = "" if matched == hit.entry_name else f" as {matched!r}"
        summary = (f"{SUBJECTS[hit.role]} {hit.query!r} matches OFAC SDN entry "
                   f"{hit.entry_name}{via} (#{hit.ent_num}, {hit.programs}), "
                   f"score {hit.score:g}/100")
    evidence = {
        "role": hit.role,
        "candidate_value": hit.query,
        "ent_num": hit.ent_num,
        "entry_name": hit.entry_name,
        "matched_name": matched,
        "matched_alias": hit.role != "wallet" and matched != hit.entry_name,
        "programs": hit.programs,
        "score": hit.score,
        "list": "OFAC SDN",
        "ofac_record": OFAC_RECORD_URL.format(ent_num=hit.ent_num),
        "note": "A possible match, not an identity: a human must confirm or dismiss it.",
    }
    return Flag(CODES[hit.role], summary, evidence)
