"""The candidate page's first sentence: why this candidate is where it is, in words a
recruiter reads in five seconds, composed from the strongest flags' evidence.

    "Shares IBAN …7690, a Hillsboro shipping address and a resume template with 6
     applicants, 4 of them critical; pay goes to an account in someone else's name."

Pure: the flags as stored on the candidate, plus the risk levels of the applicants they name
(the page reads them in one query) and the city of the candidate's shipping address.

- Sanctions matches and identifiers of candidates rejected as fraud lead: they decide alone.
- What the candidate shares with other applicants (strong and moderate reuse, a shipping
  address, a resume or career template, a rare employer) becomes one clause naming the
  strongest shared things and counting the distinct applicants behind them.
- Then the other strong flags as short phrases (moderate ones only when nothing stronger
  speaks), up to three clauses in all.
- Weak signals and notes never make the verdict; a candidate with nothing else says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.themes import MODERATE, STRONG, strength_of

MAX_CLAUSES = 3
MAX_SHARED = 3  # shared things named in the sharing clause

# What a flag says the candidate shares, as a noun phrase ({city}: the shipping city).
SHARED = {
    "reuse.bank_account": "a bank account",
    "reuse.payout_email": "a payout account",
    "reuse.wallet": "a crypto wallet",
    "reuse.email": "an email address",
    "reuse.phone": "a phone number",
    "reuse.github": "a GitHub account",
    "reuse.linkedin": "a LinkedIn profile",
    "reuse.gitlab": "a GitLab account",
    "reuse.stackoverflow": "a Stack Overflow profile",
    "reuse.portfolio": "a portfolio site",
    "reuse.residential_address": "a home address",
    "reuse.mailing_address": "a mailing address",
    "reuse.ip": "an IP address",
    "shipping.shared_address": "a shipping address",
    "resume.near_duplicate": "a resume template",
    "resume.same_career": "an employment history",
    "employer.rare_shared": "a rare employer",
}
# Named by the ring's other flags already: they add applicants, not a clause of their own.
SHARED_SILENT = {"link.critical_tie"}
# Flags that decide alone, worded as a leading clause.
LEADING = {
    "sanctions.name_match": "name matches a person on the OFAC sanctions list",
    "sanctions.holder_match": "the payout account holder is on the OFAC sanctions list",
    "sanctions.employer_match": "a past employer is on the OFAC sanctions list",
    "sanctions.wallet_match": "the pay wallet is a sanctioned address",
    "network.north_korea": "connects from North Korean address space",
}
# Codes the leading and the sharing clauses speak for.
SPOKEN_FOR = {*SHARED, *SHARED_SILENT, *LEADING, "known_bad.identifier"}
PHRASES = {
    "payment.holder_mismatch": "pay goes to an account in someone else's name",
    "payment.bank_country_mismatch": "pay goes to a bank in another country",
    "payment.crypto": "asks to be paid in cryptocurrency",
    "payment.multi_country_accounts": "has payout accounts in several countries",
    "network.astrill": "connects through Astrill VPN",
    "network.high_risk_country": "connects from China, Russia or Laos",
    "network.vpn": "connects through a commercial VPN",
    "network.tor": "connects through Tor",
    "network.country_mismatch": "connects from another country than claimed",
    "shipping.differs_from_home": "equipment would ship away from home",
    "phone.voip": "gives a VoIP phone number",
    "phone.invalid": "gives a phone number not in service",
    "phone.country_mismatch": "has a phone from another country",
    "email.disposable": "gives a disposable email address",
    "profile.github_missing": "links a GitHub account that does not exist",
    "profile.github_younger_than_experience": "has a GitHub account much younger than the "
                                              "career",
    "profile.linkedin_younger_than_experience": "has a LinkedIn profile much younger than "
                                                "the career",
}


@dataclass
class VerdictInput:
    flags: list[dict]
    levels: dict[int, str] = field(default_factory=dict)  # other applicant id -> risk level
    shipping_city: str = ""
    scored: bool = True


def verdict_compose(data: VerdictInput) -> str:
    """One sentence, ending with a full stop."""
    if not data.scored:
        return "Not scored yet: the checks are still running."
    counted = [f for f in data.flags or []
               if strength_of(f.get("severity", "")) in (STRONG, MODERATE)
               and not str(f.get("code", "")).startswith("combo.")]
    counted.sort(key=lambda f: -(f.get("points") or 0))
    if not counted:
        return _clean(data.flags or [])
    clauses = _leading(counted)
    sharing = _sharing(counted, data)
    if sharing:
        clauses.append(sharing)
    seen = set()
    for flag in counted:
        if clauses and strength_of(flag.get("severity", "")) != STRONG:
            continue  # moderate signals only speak when nothing stronger does
        phrase = PHRASES.get(flag["code"])
        if phrase is None and flag["code"] not in SPOKEN_FOR:
            phrase = _title_phrase(flag)
        if phrase and phrase not in seen:
            seen.add(phrase)
            clauses.append(phrase)
    clauses = clauses[:MAX_CLAUSES]
    if not any(strength_of(f.get("severity", "")) == STRONG for f in counted):
        # Nothing strong: say so, or a moderate signal reads like an accusation.
        lead = "one moderate signal" if len(counted) == 1 else "only moderate signals"
        clauses[0] = f"{lead}: {clauses[0]}"
    return _sentence(clauses)


def _leading(flags: list[dict]) -> list[str]:
    clauses = []
    for flag in flags:
        code = flag["code"]
        if code in LEADING and LEADING[code] not in clauses:
            clauses.append(LEADING[code])
        elif code == "known_bad.identifier":
            others = (flag.get("evidence") or {}).get("others") or []
            name = next((o.get("full_name") or o.get("external_id") for o in others
                         if isinstance(o, dict)), "")
            clause = (f"uses an identifier of {name}, rejected as fraud" if name
                      else "uses an identifier of a candidate rejected as fraud")
            if clause not in clauses:  # one flag per identifier: the phone, the account...
                clauses.append(clause)
    return clauses


def _sharing(flags: list[dict], data: VerdictInput) -> str:
    things: list[str] = []
    ids: set[int] = set()
    for flag in flags:
        code = flag["code"]
        if code not in SHARED and code not in SHARED_SILENT:
            continue
        evidence = flag.get("evidence") or {}
        ids |= {o["id"] for o in evidence.get("others") or []
                if isinstance(o, dict) and isinstance(o.get("id"), int)}
        thing = _shared_thing(code, evidence, data.shipping_city)
        if thing and thing not in things:
            things.append(thing)
    if not things:
        return ""
    named = things[:MAX_SHARED]
    what = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    if not ids:
        return f"shares {what} with other applicants"
    clause = f"shares {what} with {_applicants(len(ids))}"
    critical = sum(1 for i in ids if data.levels.get(i) == "critical")
    if critical and len(ids) == 1:
        clause += ", who is critical"
    elif critical:
        clause += f", {'all' if critical == len(ids) else critical} of them critical"
    return clause


def _shared_thing(code: str, evidence: dict, city: str) -> str:
    if code in SHARED_SILENT:
        return ""
    if code == "reuse.bank_account":
        label = str(evidence.get("identifier") or "")
        if "…" in label:  # "IBAN …7690" names itself, masked; "Bank account …0042" reads
            first = label.split()[0]  # as "bank account …0042" mid-sentence
            return label if first.isupper() else label[:1].lower() + label[1:]
        return SHARED[code]
    if code == "shipping.shared_address" and city:
        article = "an" if city[:1].upper() in "AEIOU" else "a"
        return f"{article} {city} shipping address"
    return SHARED[code]


def _applicants(n: int) -> str:
    return "another applicant" if n == 1 else f"{n} applicants"


def _title_phrase(flag: dict) -> str:
    title = str(flag.get("title") or "")
    return title[:1].lower() + title[1:] if title else ""


def _clean(flags: list[dict]) -> str:
    weak = [f for f in flags if strength_of(f.get("severity", "")) not in (STRONG, MODERATE)
            and f.get("severity") != "info"]
    if not weak:
        return "No red flags: nothing in this application matched a check."
    return (f"No strong signals: only {len(weak)} weak one{'s' if len(weak) != 1 else ''}, "
            "which mean little alone.")


def _sentence(clauses: list[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


def score_scale(level: str, thresholds: dict[str, int]) -> str:
    """The score's scale in words: where its level starts and where the next one does
    ("critical from 80"; "high from 45 · critical from 80"; "medium from 25" for low)."""
    order = ["medium", "high", "critical"]
    if level not in order:
        return f"medium from {thresholds['medium']}" if "medium" in thresholds else ""
    index = order.index(level)
    parts = [f"{level} from {thresholds[level]}"]
    if index + 1 < len(order):
        following = order[index + 1]
        parts.append(f"{following} from {thresholds[following]}")
    return " · ".join(parts)
