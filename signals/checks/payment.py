"""Where the pay would go (THREATS C1, C2, C4).

- `payment.bank_country_mismatch`: an account in another country than the claimed residence.
- `payment.payout_service`: Payoneer, Wise or PayPal (weak: common among honest freelancers).
- `payment.crypto`: a crypto payout or a wallet address.
- `payment.holder_mismatch`: the account holder is someone else.
- `payment.multi_country_accounts`: accounts in two or more countries.

An account shared with other applicants is `reuse.bank_account` (identity_reuse), not here.
Only masked values (last four characters) ever reach the evidence.
"""

import pycountry
from rapidfuzz import fuzz

from signals.checks.identity_reuse import name_tokens
from signals.engine import CandidateSnapshot, Flag, Lookups, PaymentSnap, check

PAYOUT_SERVICES = {"payoneer": "Payoneer", "wise": "Wise", "paypal": "PayPal"}
# Payout services hold their customers' money in their own hubs (Wise in BE, Payoneer in the
# US, PayPal in LU/GB), so an honest freelancer's account there often "sits abroad".
PAYOUT_SERVICE_MULTIPLIER = 0.5
# Two spellings of one name word: "Whitfeld"/"Whitfield" (94), "Sergei"/"Sergey" (83), but
# not "Parker"/"Park" (80) or "John"/"Dana".
WORD_SIMILARITY = 82
# The whole name written differently ("DanaWhitfield", "Dana Whitfield").
NAME_SIMILARITY = 90
# Accounts in three or more countries, on top of the two the flag is about.
MANY_COUNTRIES = 3
MANY_COUNTRIES_MULTIPLIER = 1.3


@check("payment")
def payment(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    accounts = [a for a in snapshot.payments or () if a]
    flags = []
    flags += _bank_country_mismatch(snapshot, accounts)
    flags += _payout_service(accounts)
    flags += _crypto(accounts)
    flags += _holder_mismatch(snapshot, accounts)
    flags += _multi_country_accounts(accounts)
    return flags


# --- Account details -----------------------------------------------------------------------


def method_of(account: PaymentSnap) -> str:
    return (account.method or "").strip().lower()


def country_of(account: PaymentSnap) -> str:
    """The account's country: the IBAN's (authoritative), else the one stated."""
    return (account.iban_country or account.bank_country or "").strip().upper()


def account_label(account: PaymentSnap) -> str:
    """What a recruiter may see of an account: its kind and last four characters."""
    method = method_of(account)
    name = PAYOUT_SERVICES.get(method) or (method.capitalize() if method else "Account")
    if account.iban_country and account.last4:
        return f"{name} IBAN …{account.last4}"
    return f"{name} …{account.last4}" if account.last4 else name


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return f"{country.name} ({code})" if country else code


# --- Flags ---------------------------------------------------------------------------------


def _bank_country_mismatch(snapshot: CandidateSnapshot,
                           accounts: list[PaymentSnap]) -> list[Flag]:
    """One flag per foreign country; a plain bank account there outweighs a payout service."""
    home = (snapshot.location_country or "").strip().upper()
    if not home:
        return []
    abroad: dict[str, list[PaymentSnap]] = {}
    for account in accounts:
        country = country_of(account)
        if country and country != home:
            abroad.setdefault(country, []).append(account)
    flags = []
    for country, there in abroad.items():
        services_only = all(method_of(a) in PAYOUT_SERVICES for a in there)
        labels = [account_label(a) for a in there]
        summary = (f"Pay would go to {', '.join(labels)} in {country_name(country)}, but the "
                   f"candidate says they live in {country_name(home)}")
        evidence = {"bank_country": country, "location_country": home, "accounts": labels}
        if services_only:
            summary += " (payout services often hold accounts abroad)"
            evidence["note"] = "payout service"
        flags.append(Flag("payment.bank_country_mismatch", summary, evidence,
                          multiplier=PAYOUT_SERVICE_MULTIPLIER if services_only else 1.0))
    return flags


def _payout_service(accounts: list[PaymentSnap]) -> list[Flag]:
    services = sorted({PAYOUT_SERVICES[m] for a in accounts if (m := method_of(a))
                       in PAYOUT_SERVICES})
    if not services:
        return []
    return [Flag("payment.payout_service", f"Paid through {' and '.join(services)}",
                 {"services": services})]


def _crypto(accounts: list[PaymentSnap]) -> list[Flag]:
    crypto = [a for a in accounts if method_of(a) == "crypto" or (a.wallet_address or "").strip()]
    if not crypto:
        return []
    wallets = sorted({a.wallet_address.strip() for a in crypto if (a.wallet_address or "").strip()})
    summary = "Asks to be paid in cryptocurrency"
    if wallets:
        summary += f" (wallet {', '.join(wallets)})"
    return [Flag("payment.crypto", summary, {"wallets": wallets})]


def _holder_mismatch(snapshot: CandidateSnapshot, accounts: list[PaymentSnap]) -> list[Flag]:
    if not name_tokens(snapshot.full_name):
        return []  # nobody to compare with
    flags = []
    seen: set[str] = set()
    for account in accounts:
        holder = (account.holder_name or "").strip()
        key = " ".join(name_tokens(holder))
        if not key or key in seen or names_match(snapshot.full_name, holder):
            continue
        seen.add(key)
        summary = (f"{account_label(account)} is held by {holder}, "
                   f"not by {snapshot.full_name.strip()}")
        flags.append(Flag("payment.holder_mismatch", summary, {
            "holder_name": holder,
            "candidate_name": snapshot.full_name.strip(),
            "account": account_label(account),
        }))
    return flags


def _multi_country_accounts(accounts: list[PaymentSnap]) -> list[Flag]:
    countries = sorted({c for a in accounts if (c := country_of(a))})
    if len(countries) < 2:
        return []
    banks = {c for a in accounts if (c := country_of(a)) and method_of(a) not in PAYOUT_SERVICES}
    summary = f"Payout accounts in {len(countries)} countries: {', '.join(countries)}"
    evidence = {"countries": countries, "accounts": [account_label(a) for a in accounts
                                                     if country_of(a)]}
    if len(banks) < 2:
        # A home bank plus a Wise/Payoneer balance abroad is how many freelancers get paid.
        multiplier = PAYOUT_SERVICE_MULTIPLIER
        evidence["note"] = "the other countries are payout services"
    elif len(countries) >= MANY_COUNTRIES:
        multiplier = MANY_COUNTRIES_MULTIPLIER
    else:
        multiplier = 1.0
    return [Flag("payment.multi_country_accounts", summary, evidence, multiplier=multiplier)]


# --- Names ---------------------------------------------------------------------------------


def names_match(a: str | None, b: str | None) -> bool:
    """Whether two spellings can name the same person.

    Order, case, accents and titles do not matter; an initial stands for any word starting
    with it ("D. Whitfield"); a word may be misspelt slightly ("Whitfeld"); and the shorter
    name may leave words out (a middle name, a second surname). Every word of the shorter
    name must find its own partner, and at least one of them must be a whole word rather
    than an initial. "John Whitfield" is therefore not "Dana Whitfield" (a spouse's account
    is a mismatch to ask about).
    """
    left, right = name_tokens(a), name_tokens(b)
    if not left or not right:
        return False
    shorter, longer = sorted((left, right), key=len)
    if _words_pair(shorter, longer):
        return True
    # The same letters spaced differently: "DanaWhitfield", "Mary Jane" / "Maryjane".
    return fuzz.ratio("".join(sorted(shorter)), "".join(sorted(longer))) >= NAME_SIMILARITY or (
        fuzz.ratio("".join(shorter), "".join(longer)) >= NAME_SIMILARITY
    )


def _words_pair(shorter: list[str], longer: list[str]) -> bool:
    unused = list(longer)
    whole_words = 0
    # Whole words first, so that an initial cannot take the word a whole word needs.
    for word in sorted(shorter, key=lambda w: (len(w) == 1, -len(w))):
        partner = _partner(word, unused)
        if partner is None:
            return False
        unused.remove(partner)
        whole_words += len(word) > 1 and len(partner) > 1
    return whole_words > 0


def _partner(word: str, candidates: list[str]) -> str | None:
    if word in candidates:
        return word
    if len(word) == 1:
        return next((c for c in candidates if c.startswith(word)), None)
    scored = [(fuzz.ratio(word, c), c) for c in candidates if len(c) > 1]
    best = max(scored, default=(0, None))
    if best[0] >= WORD_SIMILARITY:
        return best[1]
    # An initial in the other name standing for this word.
    return next((c for c in candidates if len(c) == 1 and word.startswith(c)), None)
