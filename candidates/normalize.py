"""Canonical forms of identity evidence, so that reuse across candidates is an index look-up.

Pure functions: each takes what an ATS sent and returns the normalised value, or raises
ValueError with a message fit to show the integrator (never echoing an account number).
"""

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from django.conf import settings
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(address: str) -> str:
    """Trimmed and lower-cased; for Gmail also without dots and +tags, on one domain."""
    address = address.strip().lower()
    local, _, domain = address.rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# ISO 3166-1 alpha-2, plus XK (Kosovo): a user-assigned code that IBANs (XK05...), phone
# numbering and the EU use, so it arrives with payment data and must be taken and shown.
COUNTRY_CODES = tuple(sorted({c.alpha_2 for c in pycountry.countries} | {"XK"}))
_COUNTRY_SET = frozenset(COUNTRY_CODES)


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code (or XK), upper-cased; ValueError for anything else."""
    code = value.strip().upper()
    if code not in _COUNTRY_SET:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code.")
    return code


@dataclass(frozen=True)
class PhoneInfo:
    e164: str
    region: str  # "" where the number belongs to no single region (e.g. +800)
    number_type: str  # phonenumbers.PhoneNumberType name: MOBILE, VOIP, FIXED_LINE, ...
    is_valid: bool  # possible length, but is the range assigned?


def parse_phone(raw: str, default_region: str | None) -> PhoneInfo:
    """Parse with the claimed country as the default region.

    Unparseable numbers and numbers of an impossible length for their country are rejected.
    A possible number in an unassigned range is kept with is_valid=False: that is evidence
    for the phone check, not an input error.
    """
    try:
        number = phonenumbers.parse(raw, default_region or None)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise ValueError(
                "Phone number has no country code and no location.country to infer it from."
            ) from None
        raise ValueError("Not a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        region = phonenumbers.region_code_for_number(number) or default_region or "its country"
        raise ValueError(f"Not a possible phone number for {region}.")
    number_type = phonenumbers.PhoneNumberType.to_string(phonenumbers.number_type(number))
    region = phonenumbers.region_code_for_number(number) or ""
    if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:  # "001": +800, +882, ...
        region = ""
    return PhoneInfo(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        region=region,
        number_type=number_type,
        is_valid=phonenumbers.is_valid_number(number),
    )


# network -> (accepted hosts, how the username sits in the path)
PROFILE_HOSTS = {
    "github": {"github.com"},
    "gitlab": {"gitlab.com"},
    "linkedin": {"linkedin.com"},
    "stackoverflow": {"stackoverflow.com"},
}
HANDLE_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9_])?$")
GITHUB_RESERVED = {"orgs", "settings", "about", "features", "topics", "search", "marketplace"}


# A scheme before a colon, as in "javascript:", "data:" or "mailto:"; "example.com:8080/x"
# (a host and port without a scheme) is told apart by the digits after the colon.
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?![0-9]+(?:[/?#]|$))")
HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def _web_address(text: str) -> tuple[str, list[str]]:
    """(host without "www.", path segments) of an http(s) URL with a real host name.

    Anything else is a ValueError: other schemes (javascript:, data:, file:, mailto:), a
    host without a dot (which is how "javascript:alert(1)" once became the key
    "https://javascript"), IP addresses, "localhost", and credentials in the URL. A bare
    "example.com/x" is read as https.
    """
    if "://" not in text:
        if SCHEME_RE.match(text):
            raise ValueError("Not a web address: only http and https URLs are profiles.")
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("Not a web address: only http and https URLs are profiles.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("Profile URLs carry no user name or password.")
    host = (parts.hostname or "").rstrip(".")
    try:
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if (len(labels) < 2 or not all(HOST_LABEL_RE.match(label) for label in labels)
            or not labels[-1].replace("-", "").isalnum() or labels[-1].isdigit()):
        raise ValueError("Not a web address: the host must be a domain name such as "
                         "example.com.")
    return host.removeprefix("www."), [s for s in parts.path.split("/") if s]


def canonical_profile(network: str, url: str) -> tuple[str, str]:
    """Return (canonical username, canonical URL) for a profile URL in any common shape.

    `github.com/x`, `https://www.github.com/x/`, `http://github.com/x?tab=repos` and the bare
    handle `x` all give ("x", "https://github.com/x"). Usernames are lower-cased: GitHub,
    GitLab and LinkedIn treat them case-insensitively. Portfolio and other sites are keyed
    by host and path.
    """
    text = url.strip()
    if not text:
        raise ValueError("Profile URL is empty.")
    hosts = PROFILE_HOSTS.get(network)
    if hosts and HANDLE_RE.match(text) and network in ("github", "gitlab"):
        username = text.lower()
        return username, f"https://{network}.com/{username}"
    host, segments = _web_address(text)
    if hosts is None:
        path = "/".join(segments)
        key = f"{host}/{path}".rstrip("/").lower()
        return key, f"https://{key}"
    if host not in hosts and not any(host.endswith("." + h) for h in hosts):
        raise ValueError(f"Not a {network} address (host is {host}).")
    if network == "linkedin":
        if len(segments) < 2 or segments[0] not in ("in", "pub"):
            raise ValueError("LinkedIn profile URLs look like linkedin.com/in/<name>.")
        username = segments[1].lower()
        return username, f"https://www.linkedin.com/in/{username}"
    if network == "stackoverflow":
        if len(segments) < 2 or segments[0] != "users" or not segments[1].isdigit():
            raise ValueError("Stack Overflow profile URLs look like stackoverflow.com/users/<id>.")
        return segments[1], f"https://stackoverflow.com/users/{segments[1]}"
    if not segments or not HANDLE_RE.match(segments[0]) or segments[0] in GITHUB_RESERVED:
        raise ValueError(f"No {network} username in the address.")
    username = segments[0].lower()
    return username, f"https://{network}.com/{username}"


# USPS-style abbreviations and common unit words, so that "12 Main Street, Apt. 4" and
# "12 main st apt 4" give one key. libpostal would do this better for every country but needs
# a 2 GB model download at start-up; this covers the English-language forms ATSs send.
ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr",
    "boulevard": "blvd", "lane": "ln", "court": "ct", "place": "pl", "square": "sq",
    "highway": "hwy", "parkway": "pkwy", "terrace": "ter", "circle": "cir", "way": "way",
    "apartment": "apt", "suite": "ste", "unit": "unit", "floor": "fl", "building": "bldg",
    "room": "rm", "number": "", "no": "", "north": "n", "south": "s", "east": "e", "west": "w",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "and": "",
}


def _fold(text: str) -> str:
    """Accents off, lower case, punctuation to spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^\w]+", " ", text)


def address_key(*, line1: str, line2: str, city: str, postal_code: str, country: str) -> str:
    """A matching key for a postal address: country, postal code, then the folded street."""
    words = [ADDRESS_WORDS.get(w, w) for w in _fold(f"{line1} {line2}").split()]
    street = " ".join(w for w in words if w)
    postal = re.sub(r"\s+", "", postal_code.upper())
    # With a postal code the city adds nothing but spelling variants ("NYC", "New York").
    place = postal or " ".join(_fold(city).split())
    return f"{country.upper()}|{place}|{street}"


def fingerprint(kind: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a sensitive number, for reuse matching without keeping it.

    The kind is mixed in so that an IBAN and an account number never collide by accident.
    """
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.FINGERPRINT_KEY.encode(), message, hashlib.sha256).hexdigest()


def compact_account_number(value: str) -> str:
    compact = re.sub(r"[\s-]+", "", value).upper()
    if not re.fullmatch(r"[A-Z0-9]{4,34}", compact):
        raise ValueError("Account numbers are 4 to 34 letters or digits.")
    return compact


IBAN_ERRORS = {
    "InvalidChecksumDigits": "the check digits do not match (a typo?)",
    "InvalidLength": "wrong length for its country",
    "InvalidCountryCode": "unknown country prefix",
    "InvalidStructure": "unexpected characters for its country's format",
    "InvalidBBANChecksum": "the national check digits do not match",
    "InvalidBankCode": "unknown bank code",
    "InvalidAccountCode": "invalid account code",
    "InvalidBranchCode": "invalid branch code",
}


@dataclass(frozen=True)
class IbanInfo:
    compact: str
    country: str
    bank_code: str
    bank_name: str
    bic: str


def parse_iban(value: str) -> IbanInfo:
    try:
        iban = IBAN(value)
    except SchwiftyException as exc:
        # Our own words: some of schwifty's messages quote the number, which must not travel.
        reason = IBAN_ERRORS.get(type(exc).__name__, "it is not a valid IBAN")
        raise ValueError(f"Invalid IBAN: {reason}.") from None
    bic = iban.bic
    return IbanInfo(
        compact=iban.compact,
        country=iban.country_code,
        bank_code=iban.bank_code or "",
        bank_name=iban.bank_name or "",
        bic=str(bic) if bic else "",
    )
