"""Every flag the checks can raise: its default weight, why it matters, where that comes from,
and what a recruiter should verify next.

The defaults here seed the editable weights (`FlagWeight` in the admin) the first time a code
is seen; after that the database is the source of truth and every stored score records the
weights that produced it. docs/scoring.md is generated from this file
(`python manage.py scoring_docs`).

Families: flags of one family add up with diminishing returns (see signals/scoring.py), so
ten weak network flags do not outweigh one shared bank account.
"""

from dataclasses import dataclass

INFO, LOW, MEDIUM, HIGH, CRITICAL = "info", "low", "medium", "high", "critical"


@dataclass(frozen=True)
class FlagSpec:
    code: str
    family: str
    severity: str
    points: int
    title: str
    why: str
    source: str
    next_step: str


_SPECS = [
    # --- Identity reuse (THREATS B1, C2, E2, D4) ---------------------------------------------
    FlagSpec(
        "reuse.bank_account", "reuse", HIGH, 45, "Bank or payout account used by another applicant",
        "One facilitator opens accounts that receive the pay of many identities; an account "
        "number belongs to one person.",
        "FBI PSA I-012325 (cross-check applicant details); 2022 FBI/State/Treasury advisory "
        "(payment accounts reused across developer accounts); DOJ laptop-farm actions (29 "
        "financial accounts).",
        "Ask for a bank letter or statement in the candidate's own name and compare it with the "
        "other applicant's record.",
    ),
    FlagSpec(
        "reuse.email", "reuse", HIGH, 40, "Email address used by another applicant",
        "An email address belongs to one person; the same (canonical) address under another "
        "name is one operator behind two identities.",
        "FBI PSA I-012325; Mandiant UNC5267 (one email led to profiles under other names).",
        "Compare the two applications side by side; ask the candidate to confirm the address "
        "from a live call.",
    ),
    FlagSpec(
        "reuse.phone", "reuse", HIGH, 35, "Phone number used by another applicant",
        "Facilitators reuse a handful of phone numbers across many personas.",
        "FBI PSA I-012325 (cross-check phone numbers against other applicants); THREATS E2.",
        "Call the number during a scheduled video interview and confirm who answers.",
    ),
    FlagSpec(
        "reuse.payout_email", "reuse", HIGH, 35, "Payout account email used by another applicant",
        "The same PayPal/Payoneer/Wise login receiving pay for several identities.",
        "2022 FBI/State/Treasury advisory (same PayPal on several developer accounts).",
        "Ask for proof that the payout account is held in the candidate's own name.",
    ),
    FlagSpec(
        "reuse.wallet", "reuse", HIGH, 40, "Crypto wallet used by another applicant",
        "Salaries laundered in stablecoins go to wallets shared across identities.",
        "DOJ forfeiture actions (USDC/USDT salaries); Chainalysis on SDN wallet entries.",
        "Do not pay to the wallet; require a bank account in the candidate's own name.",
    ),
    FlagSpec(
        "reuse.github", "reuse", HIGH, 30, "GitHub account claimed by another applicant",
        "Personas share or pass around developer profiles; one account, two names.",
        "SEAL Frameworks (identity confusion); Mandiant UNC5267.",
        "Ask the candidate to sign in to the account during the interview or commit a given "
        "string to it.",
    ),
    FlagSpec(
        "reuse.linkedin", "reuse", HIGH, 30, "LinkedIn profile claimed by another applicant",
        "Stolen or rented LinkedIn profiles are presented by several personas.",
        "Mandiant UNC5267; SEAL Frameworks.",
        "Message the profile through LinkedIn and ask the owner to confirm the application.",
    ),
    FlagSpec(
        "reuse.gitlab", "reuse", MEDIUM, 20, "GitLab account claimed by another applicant",
        "As for GitHub: one developer account presented under two names.",
        "SEAL Frameworks.", "Ask the candidate to prove control of the account live.",
    ),
    FlagSpec(
        "reuse.stackoverflow", "reuse", MEDIUM, 15,
        "Stack Overflow profile claimed by another applicant",
        "As for GitHub: one public profile presented under two names.", "SEAL Frameworks.",
        "Ask the candidate to prove control of the profile live.",
    ),
    FlagSpec(
        "reuse.portfolio", "reuse", MEDIUM, 15, "Portfolio site claimed by another applicant",
        "Fabricated portfolios on free hosting are shared across personas.",
        "Mandiant UNC5267 (portfolio sites with fabricated testimonials).",
        "Ask who built the site and check its history.",
    ),
    FlagSpec(
        "reuse.residential_address", "reuse", LOW, 8, "Home address shared with another applicant",
        "Weak alone: room-mates, couples and families share homes. Strong with other links.",
        "FBI PSA I-012325; DOJ laptop-farm cases (many identities at one address).",
        "Confirm the address with a document in the candidate's name (utility bill, lease).",
    ),
    FlagSpec(
        "reuse.mailing_address", "reuse", LOW, 6, "Mailing address shared with another applicant",
        "Weak alone: shared mailboxes and family members are common.",
        "FBI PSA I-012325.", "Ask why mail goes to this address.",
    ),
    FlagSpec(
        "reuse.ip", "reuse", LOW, 6, "Application IP shared with another applicant",
        "Weak alone: offices, co-working spaces, universities and mobile carriers share IPs; "
        "stronger when it comes with other links.",
        "2022 FBI/State/Treasury advisory (several accounts from one IP); Mandiant (two "
        "'employees' on one IP).",
        "Look at the other applicants on this IP: do they share anything else?",
    ),
    # --- Resume reuse (THREATS B2) ------------------------------------------------------------
    FlagSpec(
        "resume.near_duplicate", "resume", MEDIUM, 25,
        "Resume nearly identical to another applicant's",
        "Teams work from shared resume templates, swapping the name and a few words.",
        "2022 FBI/State/Treasury advisory (same templates across developer accounts); "
        "Mandiant UNC5267 (similar resumes).",
        "Read the two resumes side by side; ask about a project in depth.",
    ),
    # --- Laptop farms (THREATS F1, F2) --------------------------------------------------------
    FlagSpec(
        "shipping.differs_from_home", "shipping", MEDIUM, 12,
        "Equipment would ship somewhere other than home",
        "Company laptops shipped to a 'laptop farm' are run remotely from abroad. Honest "
        "reasons exist (a relative's house, a new flat), so alone it is a question.",
        "FBI PSA May 2024 (reshipping laptops); KnowBe4 2024 incident; Unit 42.",
        "Ship only to a verified home address, or require in-person pickup with ID.",
    ),
    FlagSpec(
        "shipping.shared_address", "shipping", HIGH, 35,
        "Shipping address used by other applicants",
        "Several hires' laptops at one address is how a laptop farm looks from HR.",
        "DOJ June 2025 (29 laptop farms, ~137 laptops); Chapman case (60+ identities).",
        "Do not ship; require in-person device pickup with government ID.",
    ),
    # --- Payment (THREATS C1, C2, C4) ---------------------------------------------------------
    FlagSpec(
        "payment.bank_country_mismatch", "payment", MEDIUM, 15,
        "Bank account in another country than the claimed residence",
        "Pay routed to accounts abroad is how the schemes move salaries out.",
        "FBI PSA May 2024 (facilitators open financial accounts); THREATS C2.",
        "Ask why the salary goes abroad; require an account in the country of residence.",
    ),
    FlagSpec(
        "payment.holder_mismatch", "payment", HIGH, 25,
        "Account holder is not the candidate",
        "Facilitators receive the pay in their own names.",
        "DOJ Knoot and Chapman cases; THREATS C2.",
        "Require an account held in the candidate's own legal name.",
    ),
    FlagSpec(
        "payment.payout_service", "payment", LOW, 5, "Paid through a payout service",
        "Weak alone: many honest freelancers use Wise, Payoneer or PayPal.",
        "2022 FBI/State/Treasury advisory (PayPal); THREATS C4.",
        "Nothing alone; check it together with the other flags.",
    ),
    FlagSpec(
        "payment.crypto", "payment", HIGH, 25, "Asks to be paid in cryptocurrency",
        "Stablecoin salaries are a hallmark of the schemes; employees rarely need them.",
        "DOJ forfeiture (USDC/USDT salaries); SEAL Frameworks.",
        "Decline crypto payroll; require a bank account in the candidate's name.",
    ),
    FlagSpec(
        "payment.multi_country_accounts", "payment", MEDIUM, 15,
        "Payout accounts in several countries",
        "Accounts spread across countries suggest a facilitator network.",
        "THREATS C2 (several payees or accounts).",
        "Ask which account is the candidate's own and why the others exist.",
    ),
    # --- Phone (THREATS E1, E2) ---------------------------------------------------------------
    FlagSpec(
        "phone.invalid", "phone", MEDIUM, 15, "Phone number is not in service anywhere",
        "A number in an unassigned range cannot be called: made up for the form.",
        "FBI PSA I-012325 ('typos and unusual nomenclature').",
        "Ask for a working number and call it.",
    ),
    FlagSpec(
        "phone.country_mismatch", "phone", MEDIUM, 10,
        "Phone country differs from the claimed residence",
        "Weak alone (people keep their old numbers when they move); meaningful with other "
        "country mismatches.",
        "THREATS E2.", "Ask where the candidate lives and how long they have had the number.",
    ),
    FlagSpec(
        "phone.voip", "phone", MEDIUM, 12, "VoIP phone number",
        "Virtual numbers are cheap to get in bulk and hide where the caller is.",
        "Mandiant guidance on verifying contact data; THREATS E1.",
        "Ask for a mobile number in the candidate's name.",
    ),
    # --- Email (THREATS B4, B3) ---------------------------------------------------------------
    FlagSpec(
        "email.disposable", "email", MEDIUM, 20, "Disposable email address",
        "Throw-away mailboxes are made for one use; a real applicant keeps their address.",
        "FBI PSA I-012325; disposable-email-domains list.",
        "Ask for a permanent address and verify it.",
    ),
    FlagSpec(
        "email.persona_pattern", "email", LOW, 5, "Mass-produced email pattern",
        "Name plus a long digit run on webmail is how personas are generated in bulk. Weak "
        "alone: many honest people have such addresses.",
        "FBI PSA I-012325 ('unusual nomenclature'); Microsoft suspending 3,000 persona "
        "mailboxes (Jasper Sleet).",
        "Nothing alone; check it together with the other flags.",
    ),
    FlagSpec(
        "email.name_mismatch", "email", LOW, 8, "Email names someone else",
        "An address in another person's name may reveal the operator behind a persona.",
        "Mandiant UNC5267 (email revealed a different persona); THREATS B3.",
        "Ask whose address it is.",
    ),
]

CATALOG: dict[str, FlagSpec] = {spec.code: spec for spec in _SPECS}
assert len(CATALOG) == len(_SPECS), "duplicate flag code"


@dataclass(frozen=True)
class ComboSpec:
    """Flags that mean more together than apart: when every listed family or code is present,
    the bonus is added. Entries are codes ("shipping.shared_address") or a family at a
    severity ("reuse:high": any high-severity reuse flag, not a weak shared IP)."""

    name: str
    requires: tuple[str, ...]
    bonus: int
    why: str


COMBOS = [
    ComboSpec("laptop_farm_ring", ("shipping.shared_address", "reuse:high"), 30,
              "A shared shipping address plus a shared identity detail is a laptop-farm ring."),
    ComboSpec("paid_abroad_to_someone_else",
              ("payment.holder_mismatch", "payment.bank_country_mismatch"), 20,
              "Pay going abroad to another person's account."),
    ComboSpec("templated_persona", ("resume.near_duplicate", "reuse:high"), 20,
              "A templated resume plus a shared identifier: one operator, several personas."),
    ComboSpec("throwaway_contact", ("email.disposable", "phone.voip"), 15,
              "Both contact channels are throw-aways."),
]

# Score at or above which each level starts. Editable in the admin (LevelThreshold).
DEFAULT_THRESHOLDS = {"medium": 20, "high": 45, "critical": 80}
# Within a family, the n-th flag (by points, highest first) counts DECAY**n of its points.
FAMILY_DECAY = 0.5
