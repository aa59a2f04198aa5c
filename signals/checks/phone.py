"""Phone numbers (THREATS E1, E2): made-up numbers, numbers from another country than the
claimed residence, and VoIP numbers.

Everything here is offline, from the libphonenumber metadata the API stored with the number
(`region`, `number_type`, `is_valid`). That metadata defines VoIP ranges only for some
countries (e.g. UK 056): for US and other NANP numbers it answers FIXED_LINE_OR_MOBILE, so
Google Voice or TextNow numbers cannot be told apart offline and this check says nothing
about them. A phone shared with other applicants is the identity-reuse check's `reuse.phone`.
"""

from signals.engine import CandidateSnapshot, Flag, Lookups, PhoneSnap, check

# Regions inside another country's numbering plan that residents of that country commonly
# hold numbers from (a Jersey or Guernsey mobile in the UK, an Åland number in Finland).
# Counted as the main country, so they are not a "foreign" number.
SAME_PLAN_REGIONS = {
    "GG": "GB", "JE": "GB", "IM": "GB",
    "AX": "FI",
    "SJ": "NO",
    "CC": "AU", "CX": "AU",
    "VA": "IT",
}


@check("phone")
def phone_check(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    # A number no country could read (e164 "") is the data-quality check's: it has no range.
    invalid = [p for p in snapshot.phones if not p.is_valid and p.e164]
    # An invalid number has no real country or type: one flag says all there is to say.
    valid = [p for p in snapshot.phones if p.is_valid]
    flags = []
    if invalid:
        flags.append(Flag(
            "phone.invalid",
            f"Phone {_numbers(invalid)} is in a range that is not assigned to anyone",
            {"phones": [p.e164 for p in invalid]},
        ))

    residence = _country(snapshot.location_country)
    foreign = [p for p in valid
               if residence and _country(p.region) and _country(p.region) != residence]
    if foreign:
        flags.append(Flag(
            "phone.country_mismatch",
            f"Phone {_numbers(foreign)} is from {_regions(foreign)}; the candidate says they "
            f"live in {residence}",
            {"phones": [{"e164": p.e164, "region": p.region} for p in foreign],
             "location_country": residence},
        ))

    voip = [p for p in valid if p.number_type == "VOIP"]
    if voip:
        flags.append(Flag(
            "phone.voip",
            f"Phone {_numbers(voip)} is a VoIP number",
            {"phones": [{"e164": p.e164, "region": p.region} for p in voip]},
        ))
    return flags


def _country(region: str | None) -> str:
    """The ISO country a region code stands for; "" for unknown or non-geographic ("001",
    the region libphonenumber gives +800 and other global numbers)."""
    region = (region or "").strip().upper()
    if len(region) != 2 or not region.isalpha() or region == "ZZ":
        return ""
    return SAME_PLAN_REGIONS.get(region, region)


def _numbers(phones: list[PhoneSnap]) -> str:
    return ", ".join(p.e164 for p in phones)


def _regions(phones: list[PhoneSnap]) -> str:
    return ", ".join(dict.fromkeys(p.region.upper() for p in phones))
