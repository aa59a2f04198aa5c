"""Phone line type from the optional provider (THREATS E1): VoIP numbers that offline
numbering data cannot recognise.

libphonenumber types a number as FIXED_LINE_OR_MOBILE where the plan does not say which, as
for every US and other +1 number, so Google Voice or TextNow numbers pass the offline phone
check (signals/checks/phone.py, which flags the numbers it can type as VOIP). For exactly
those numbers this check asks the line-type provider (`lookups.phone_line_type`): a fixed or
non-fixed VoIP answer is `phone.voip`. Without a provider, or when the provider does not know
the number, it adds the note `phone.line_type_unknown` (severity info, never counted) so the
recruiter knows VoIP was not ruled out rather than assume it was.
"""

from signals.engine import CandidateSnapshot, Flag, Lookups, PhoneSnap, check

# Offline types that leave VoIP open. Numbers typed VOIP offline are the phone check's;
# invalid numbers are `phone.invalid` and have no line to look up.
UNDETERMINED_TYPES = {"FIXED_LINE_OR_MOBILE", "UNKNOWN"}
# Twilio Lookup v2 `line_type_intelligence.type` values meaning a VoIP line.
VOIP_TYPES = {"fixedVoip", "nonFixedVoip"}


@check("phone_line_type")
def phone_line_type_check(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    phones = list({p.e164: p for p in snapshot.phones
                   if p.is_valid and p.e164 and p.number_type in UNDETERMINED_TYPES}.values())
    voip: list[dict] = []
    no_provider: list[PhoneSnap] = []
    provider_unsure: list[PhoneSnap] = []
    for phone in phones:
        kind = lookups.phone_line_type(phone.e164)
        if kind is None:
            no_provider.append(phone)
        elif kind in VOIP_TYPES:
            voip.append({"e164": phone.e164, "region": phone.region, "line_type": kind,
                         "carrier": lookups.phone_carrier(phone.e164) or ""})
        elif not kind or kind == "unknown":
            provider_unsure.append(phone)

    flags = []
    if voip:
        flags.append(Flag(
            "phone.voip",
            f"Phone {_describe(voip)} is a VoIP number per line-type provider",
            {"phones": voip, "source": "line-type provider"},
        ))
    if no_provider:
        flags.append(Flag(
            "phone.line_type_unknown",
            f"VoIP could not be determined for {_numbers(no_provider)}: no line-type "
            "provider configured",
            {"phones": [p.e164 for p in no_provider], "reason": "no provider"},
        ))
    if provider_unsure:
        flags.append(Flag(
            "phone.line_type_unknown",
            f"VoIP could not be determined for {_numbers(provider_unsure)}: the line-type "
            "provider did not know the number",
            {"phones": [p.e164 for p in provider_unsure], "reason": "provider did not know"},
        ))
    return flags


def _describe(voip: list[dict]) -> str:
    return ", ".join(
        f"{p['e164']} ({p['line_type']}{', ' + p['carrier'] if p['carrier'] else ''})"
        for p in voip
    )


def _numbers(phones: list[PhoneSnap]) -> str:
    return ", ".join(p.e164 for p in phones)
