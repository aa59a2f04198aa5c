"""Evidence a person typed that does not normalise (docs/data-quality.md).

The API stores such a value as typed rather than refusing the applicant, and notes on the
evidence row what did not normalise (`data_issues`); this check turns those notes into one
weak `data.<kind>` flag per kind, naming what was typed and why it was not understood.
Account numbers appear only as their last four characters.
"""

from signals.catalog import CATALOG
from signals.engine import CandidateSnapshot, Flag, Lookups, check

SUMMARIES = {
    "phone_unparseable": "Phone {what} could not be read for any country of the record",
    "iban_invalid": "IBAN {what} does not validate",
    "account_number_invalid": "Account number {what} is not a valid account number",
    "bank_country_conflict": "Bank account {what}: the stated country contradicts the IBAN",
    "address_unparsed": "Address {what} does not normalise",
    "profile_unrecognised": "Profile {what} is not recognised",
}


@check("data_quality")
def data_quality(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    found: dict[str, list[dict]] = {}

    def note(issues, item: dict) -> None:
        for kind, reason in issues or ():
            found.setdefault(kind, []).append({**item, "reason": reason})

    for phone in snapshot.phones:
        note(phone.data_issues, {"what": phone.raw or phone.e164})
    for profile in snapshot.profiles:
        note(profile.data_issues, {"what": f"{profile.network} {profile.url}",
                                   "network": profile.network, "value": profile.url})
    for address in snapshot.addresses:
        note(address.data_issues, {"what": address.label, "kind": address.kind})
    for account in snapshot.payments:
        last4 = f"…{account.last4}" if account.last4 else "(no number)"
        note(account.data_issues, {"what": f"{account.method} {last4}",
                                   "method": account.method, "last4": account.last4})

    flags = []
    for kind, items in found.items():
        code = f"data.{kind}"
        if code not in CATALOG:
            continue
        what = ", ".join(dict.fromkeys(item["what"] for item in items))
        flags.append(Flag(code, SUMMARIES[kind].format(what=what), {"items": items}))
    return flags
