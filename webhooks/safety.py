"""Where a webhook may go (SSRF): checked when an endpoint is saved and again, with a fresh
DNS resolution, before every delivery, since a name can be pointed elsewhere at any time.

Refused unless WEBHOOK_ALLOWED_PRIVATE_NETWORKS names them: loopback, private (RFC 1918,
unique-local), link-local (169.254.0.0/16, where cloud metadata services answer), shared
(100.64.0.0/10), multicast, reserved and unspecified addresses, including IPv4 written as
IPv6 (::ffff:10.0.0.1). The request then connects to the address that was checked (see
send.PinnedAdapter), so a second DNS answer cannot slip another address in between.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from core.exceptions import ApplicationError


def _allowed_networks() -> list:
    return [ipaddress.ip_network(network, strict=False)
            for network in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS]


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def url_check(url: str) -> None:
    """The URL's form: https (unless WEBHOOK_REQUIRE_HTTPS is off), a host, no credentials."""
    parts = urlsplit(url)
    schemes = ("https",) if settings.WEBHOOK_REQUIRE_HTTPS else ("https", "http")
    if parts.scheme not in schemes:
        raise ApplicationError("The URL must start with https://.", code="invalid")
    if not parts.hostname or parts.username or parts.password:
        raise ApplicationError("The URL needs a host name and no user or password.",
                               code="invalid")


def url_resolve(url: str) -> str:
    """Check the URL and resolve its host; returns the one address to connect to.

    Raises ApplicationError("forbidden") when any address the name resolves to is not
    allowed (a name with one public and one private address is refused as a whole).
    """
    url_check(url)
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ApplicationError(f"{parts.hostname} does not resolve.", code="invalid") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    refused = [str(ip) for ip in addresses if not address_allowed(ip)]
    if refused:
        raise ApplicationError(
            f"{parts.hostname} resolves to a private, loopback or link-local address "
            f"({', '.join(sorted(set(refused)))}); webhooks may not go there.",
            code="forbidden",
        )
    return str(addresses[0])
