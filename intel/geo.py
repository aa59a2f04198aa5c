"""IP geolocation, offline (THREATS D3): the country of an IP address.

By default from `iptocc`, which ships the five Regional Internet Registries' allocation data
inside its wheel (no network call, no licence key; refreshed with the package). It gives
the country a block is *registered* to, which agrees with commercial geolocation for about
95% of IPv4 addresses (per its documentation).

An operator who has a MaxMind GeoLite2/GeoIP2 Country or City database can point
`GEOIP_MMDB_PATH` at the .mmdb file instead (read with `maxminddb`, memory-mapped, opened
once per process). A path that cannot be opened, or a database without countries (an ASN
database), raises ImproperlyConfigured at the first look-up rather than answering "unknown"
for every candidate.

Private, loopback, link-local, shared (CGNAT), documentation and other non-global addresses
have no country: "" (the same answer as for anything that is not an IP address).
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from iptocc import country_code

# Registry codes that are not a country: "EU" and "AP" (European Union, Asia/Pacific) mark
# blocks registered region-wide; "ZZ" and "XX" mean unknown.
NOT_COUNTRIES = {"EU", "AP", "ZZ", "XX"}


def country_for(ip: str) -> str:
    """ISO 3166-1 alpha-2 code (upper case) of the country of ip, or "" when unknown."""
    if not isinstance(ip, str):
        return ""
    path = settings.GEOIP_MMDB_PATH
    if path:
        address = _global_address(ip)
        code = _mmdb_country(path, address) if address is not None else ""
    else:
        # iptocc validates the text itself and has no country for private, reserved,
        # documentation or multicast space (the registries never allocate it), so the hot
        # path skips the ipaddress module, which costs several times the look-up.
        code = country_code(ip)
        if code is None and ":" in ip:
            address = _global_address(ip)  # ::ffff:8.8.8.8 is 8.8.8.8 (iptocc answers None)
            code = country_code(str(address)) if address is not None else None
    code = (code or "").upper()
    if len(code) != 2 or not code.isalpha() or code in NOT_COUNTRIES:
        return ""
    return code


def _global_address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(ip)
    except (TypeError, ValueError):
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address if address.is_global and not address.is_multicast else None


def _mmdb_country(path: str, address) -> str:
    reader = mmdb_reader(path)
    try:
        record = reader.get(str(address))
    except ValueError:
        return ""  # an IPv6 address in an IPv4-only database
    if not isinstance(record, dict):
        return ""
    for key in ("country", "registered_country"):
        value = record.get(key)
        if isinstance(value, dict):  # MaxMind: {"iso_code": "US", "names": {...}}
            value = value.get("iso_code")
        if isinstance(value, str) and value:  # flat layouts: {"country": "US"}
            return value
    return ""


@functools.lru_cache(maxsize=4)
def mmdb_reader(path: str):
    """The opened database at path (cached per process; a failure is not cached)."""
    try:
        import maxminddb
    except ImportError:  # pragma: no cover - maxminddb is a project dependency
        raise ImproperlyConfigured(
            "GEOIP_MMDB_PATH is set but the maxminddb package is not installed"
        ) from None
    try:
        reader = maxminddb.open_database(path)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise ImproperlyConfigured(
            f"GEOIP_MMDB_PATH={path!r} cannot be opened as a MaxMind database: {exc}"
        ) from exc
    kind = reader.metadata().database_type
    if "country" not in kind.lower() and "city" not in kind.lower():
        reader.close()
        raise ImproperlyConfigured(
            f"GEOIP_MMDB_PATH={path!r} is a {kind!r} database; it must be a GeoLite2/GeoIP2 "
            "Country or City database (one with countries)"
        )
    return reader
