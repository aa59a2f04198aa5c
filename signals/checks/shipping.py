"""Laptop farms (THREATS F1, F2): where the company laptop would go.

- `shipping.differs_from_home`: a shipping address that is none of the candidate's homes.
  Alone it is a question (parents' house, a new flat), not a verdict.
- `shipping.shared_address`: other applicants ship to the same address, or several give it as
  their home, which is how a laptop farm looks from HR.

Addresses are compared by their match key (candidates.normalize.address_key), so spelling
variants of one address are one address.
"""

from signals.checks.identity_reuse import applications, names_list, others_sharing, same_name
from signals.engine import AddressSnap, CandidateSnapshot, Flag, Lookups, check
from signals.resolution import resolve

# No home address to compare with and the shipping address is in the claimed country: it may
# well be home, so the question is asked at half weight.
HOME_UNKNOWN_MULTIPLIER = 0.5
# (minimum number of other applicants shipping there, multiplier), highest first.
SHARED_MULTIPLIERS = ((4, 1.6), (2, 1.3), (1, 1.0))
# Room-mates, couples and families ship laptops to the home they share. When the shipping
# address is the candidate's own home, a household of this many others is not yet a farm;
# more is (DOJ June 2025: ~137 laptops in 29 farms, about five a farm).
HOUSEHOLD_OTHERS = 2


def shared_multiplier(count: int) -> float:
    for minimum, multiplier in SHARED_MULTIPLIERS:
        if count >= minimum:
            return multiplier
    return 1.0


@check("shipping")
def shipping(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    addresses = [a for a in snapshot.addresses or () if a and a.match_key]
    homes = [a for a in addresses if a.kind == "residential"]
    home_keys = {a.match_key for a in homes}
    flags = []
    seen: set[str] = set()
    for address in addresses:
        if address.kind != "shipping" or address.match_key in seen:
            continue
        seen.add(address.match_key)
        at_home = address.match_key in home_keys
        if not at_home:
            flags.append(_differs_from_home(snapshot, address, homes))
        shared = _shared_address(snapshot, lookups, address, at_home)
        if shared:
            flags.append(shared)
    return flags


def label_of(address: AddressSnap) -> str:
    return address.label or "an address with no details"


def _differs_from_home(snapshot: CandidateSnapshot, address: AddressSnap,
                       homes: list[AddressSnap]) -> Flag:
    claimed = (snapshot.location_country or "").upper()
    ship_country = (address.country or "").upper()
    evidence = {
        "shipping_address": label_of(address),
        "home_addresses": [label_of(home) for home in homes],
        "location_country": claimed,
    }
    if homes:
        summary = (f"Equipment would ship to {label_of(address)}, not to the home address "
                   f"({label_of(homes[0])})")
        return Flag("shipping.differs_from_home", summary, evidence)
    if claimed and ship_country and ship_country != claimed:
        summary = (f"Equipment would ship to {label_of(address)} in {ship_country}, but the "
                   f"candidate says they live in {claimed}")
        return Flag("shipping.differs_from_home", summary, evidence)
    evidence["note"] = "home address unknown"
    summary = f"Equipment would ship to {label_of(address)}; the home address is unknown"
    return Flag("shipping.differs_from_home", summary, evidence,
                multiplier=HOME_UNKNOWN_MULTIPLIER)


def _shared_address(snapshot: CandidateSnapshot, lookups: Lookups, address: AddressSnap,
                    at_home: bool) -> Flag | None:
    # Another application under the candidate's own name is the same person applying again,
    # and the candidate's household ships to its own home (signals.resolution).
    resolution = resolve(snapshot, lookups)
    others = [o for o in others_sharing(snapshot, lookups, "shipping_address", address.match_key)
              if not same_name(snapshot.full_name, o.full_name)
              and not resolution.related(o.id)]
    # Applicants who give this address as their home, while this candidate only ships there:
    # one is likely family (a sibling at the parents'), several are personas of one farm.
    residents = [] if at_home else [
        o for o in lookups.presenting("residential_address", address.match_key)
        if not same_name(snapshot.full_name, o.full_name) and o not in others
        and not resolution.related(o.id)
    ]
    if at_home and len(others) <= HOUSEHOLD_OTHERS:
        return None
    if not others and len(residents) <= HOUSEHOLD_OTHERS:
        return None
    people = others + residents
    count = len(people)
    summary = (f"Shipping address {label_of(address)} is also on {applications(count)} "
               f"({names_list(people)})")
    if residents:
        summary += f"; {len(residents)} of them give it as their home"
    evidence = {
        "shipping_address": label_of(address),
        "count": count,
        "others": [o.as_evidence() for o in people],
        "candidate_lives_there": at_home,
    }
    if residents:
        evidence["living_there"] = [o.as_evidence() for o in residents]
    return Flag("shipping.shared_address", summary, evidence,
                multiplier=shared_multiplier(count))
