"""Network (THREATS D1, D2, D3): the IPs a candidate applied, interviewed and signed in from,
against the imported IP range lists and offline geolocation.

Range lists (`lookups.ip_categories`, from intel.ipranges): an IP counts once, as the
strongest category it is in, in this order and with these default weights:

    astrill 35 > vpn 12 > tor 10 > datacenter 8 > any other imported category 6

Astrill is the VPN the DPRK reporting names; a commercial VPN or Tor only hides the origin,
and honest people use them; a hosting address is the weakest hint (corporate gateways, cloud
desktops). The X4BNet datacenter list contains the VPN and Astrill blocks too, which is why
the strongest category wins rather than each list adding up. The order is fixed here; the
weights are the editable ones of each code.

Countries (`lookups.ip_country`, from intel.geo): an IP in another country than the claimed
residence is a mismatch; in China, Russia or Laos (where the workers are reported to
operate) a stronger one; both count at half when other IPs of the candidate are at home (a
trip abroad). Only IPs in no range list are compared: the country of a VPN or hosting IP is
the server's, and the range flag already says it. North Korean address space is flagged
whatever the claimed residence and whatever list the IP is in.

Private, loopback, link-local, CGNAT, documentation and other non-global addresses are never
flagged, and a value that is not an IP is skipped, not an error.
"""

import ipaddress
from dataclasses import dataclass

from signals.engine import CandidateSnapshot, Flag, Lookups, check

# Strongest first: an IP in several lists counts as the first of them found here.
CATEGORY_CODES = {
    "astrill": "network.astrill",
    "vpn": "network.vpn",
    "tor": "network.tor",
    "datacenter": "network.datacenter",
}
OTHER_CATEGORY_CODE = "network.category"
CATEGORY_LABELS = {  # (one IP, several IPs)
    "astrill": ("an Astrill VPN block", "Astrill VPN blocks"),
    "vpn": ("a commercial VPN range", "commercial VPN ranges"),
    "tor": ("the Tor exit list", "the Tor exit list"),
    "datacenter": ("a hosting provider's range", "hosting providers' ranges"),
}
# THREATS D3: north-east China (Dandong, Shenyang, Yanji), Russia (Vladivostok), Laos.
HIGH_RISK_COUNTRIES = {"CN": "China", "RU": "Russia", "LA": "Laos"}
NORTH_KOREA = "KP"
# A country mismatch next to IPs in the claimed country: most likely a trip.
PARTIAL_ABROAD = 0.5
SHOWN_IPS = 3  # in a summary line; the evidence lists them all


@dataclass(frozen=True)
class Seen:
    """One observation of a public IP, with what the look-ups said about it."""

    ip: str
    source: str  # application, interview, login, other
    categories: tuple[str, ...]
    strongest: str  # "" when in no list
    country: str  # "" when unknown

    def as_evidence(self) -> dict:
        return {"ip": self.ip, "source": self.source, "categories": list(self.categories),
                "category": self.strongest, "country": self.country}


@check("network")
def network_check(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    seen = observations(snapshot, lookups)
    return _category_flags(seen) + _country_flags(seen, _country(snapshot.location_country))


def observations(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Seen]:
    """Each distinct (public IP, source), with its categories and country (asked once per
    IP)."""
    answers: dict[str, tuple[tuple[str, ...], str]] = {}
    seen: dict[tuple[str, str], Seen] = {}
    for observed in snapshot.ips:
        ip = public_ip(observed.ip)
        source = (observed.source or "other").lower()
        if ip is None or (ip, source) in seen:
            continue
        if ip not in answers:
            categories = tuple(sorted({c.lower() for c in lookups.ip_categories(ip)}))
            answers[ip] = (categories, _country(lookups.ip_country(ip)))
        categories, country = answers[ip]
        seen[(ip, source)] = Seen(ip, source, categories, strongest(categories), country)
    return list(seen.values())


def public_ip(value) -> str | None:
    """The address in canonical form if it is a global unicast address, else None
    (private, reserved, not an IP at all). IPv4-mapped IPv6 is its IPv4 address."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        return None
    return str(address)


def strongest(categories: tuple[str, ...]) -> str:
    for name in CATEGORY_CODES:
        if name in categories:
            return name
    return categories[0] if categories else ""


def _category_flags(seen: list[Seen]) -> list[Flag]:
    by_code: dict[str, list[Seen]] = {}
    for item in seen:
        if item.strongest:
            code = CATEGORY_CODES.get(item.strongest, OTHER_CATEGORY_CODE)
            by_code.setdefault(code, []).append(item)
    flags = []
    for name, code in [*CATEGORY_CODES.items(), ("", OTHER_CATEGORY_CODE)]:
        items = by_code.get(code)
        if not items:
            continue
        names = sorted({item.strongest for item in items})
        if name:
            label = CATEGORY_LABELS[name][len(_ips(items)) > 1]
        else:
            label = "the imported list" + ("s " if len(names) > 1 else " ") + ", ".join(
                repr(n) for n in names)
        flags.append(Flag(
            code,
            f"{_where(items)} {_is(items)} in {label}",
            {"category": name or ", ".join(names),
             "ips": [item.as_evidence() for item in items]},
        ))
    return flags


def _country_flags(seen: list[Seen], residence: str) -> list[Flag]:
    flags = []
    dprk = [item for item in seen if item.country == NORTH_KOREA]
    if dprk:
        flags.append(Flag(
            "network.north_korea",
            f"{_where(dprk)} {_is(dprk)} in North Korean address space",
            {"ips": [item.as_evidence() for item in dprk], "location_country": residence},
        ))
    if not residence:
        return flags
    located = [item for item in seen
               if not item.categories and item.country and item.country != NORTH_KOREA]
    home = [item for item in located if item.country == residence]
    abroad = [item for item in located if item.country != residence]
    multiplier = PARTIAL_ABROAD if home else 1.0
    high_risk = [item for item in abroad if item.country in HIGH_RISK_COUNTRIES]
    elsewhere = [item for item in abroad if item.country not in HIGH_RISK_COUNTRIES]
    for code, items in (("network.high_risk_country", high_risk),
                        ("network.country_mismatch", elsewhere)):
        if not items:
            continue
        countries = ", ".join(dict.fromkeys(
            HIGH_RISK_COUNTRIES.get(item.country, item.country) for item in items))
        evidence = {"ips": [item.as_evidence() for item in items],
                    "location_country": residence}
        if home:
            evidence["ips_at_home"] = list(dict.fromkeys(item.ip for item in home))
        summary = (f"{_where(items)} {_is(items)} in {countries}; the candidate says they "
                   f"live in {residence}")
        if home:
            summary += f" (and {_count(home, 'IP')} there)"
        flags.append(Flag(code, summary, evidence, multiplier=multiplier))
    return flags


def _country(value: str | None) -> str:
    value = (value or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() else ""


def _ips(items: list[Seen]) -> list[str]:
    return list(dict.fromkeys(item.ip for item in items))


def _is(items: list[Seen]) -> str:
    return "is" if len(_ips(items)) == 1 else "are"


def _count(items: list[Seen], noun: str) -> str:
    n = len(_ips(items))
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _where(items: list[Seen]) -> str:
    """'Interview IP 1.2.3.4', 'Application IP 1.2.3.4 (also login)', '3 IPs (...)'."""
    sources: dict[str, list[str]] = {}
    for item in items:
        sources.setdefault(item.ip, []).append(item.source)
    if len(sources) == 1:
        ip, kinds = next(iter(sources.items()))
        also = f" (also {', '.join(kinds[1:])})" if len(kinds) > 1 else ""
        return f"{kinds[0].capitalize()} IP {ip}{also}"
    shown = [f"{kinds[0]} {ip}" for ip, kinds in list(sources.items())[:SHOWN_IPS]]
    more = f", +{len(sources) - SHOWN_IPS} more" if len(sources) > SHOWN_IPS else ""
    return f"{len(sources)} IPs ({', '.join(shown)}{more})"
