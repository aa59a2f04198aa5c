"""The ATS contract: what integrators send, and what they read back.

Input serializers validate and normalise; unknown fields are rejected rather than ignored so
that a typo in an integration ("phone_number") fails loudly instead of dropping evidence.
"""

import ipaddress
from datetime import date, datetime, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates import extensions, normalize
from candidates.models import (
    AddressKind,
    Candidate,
    IdentifierKind,
    IpSource,
    PaymentMethod,
    ProfileNetwork,
    RiskLevel,
    RiskStatus,
)
from candidates.selectors import FLAG_TIES, candidate_links, links_with_ties

MAX_LIST = 50  # per evidence list; an applicant with more is a broken integration
MAX_RESUME_CHARS = 100_000
# A flag's severity: an informational note, or one of the risk levels (signals.catalog).
SEVERITIES = ["info", *RiskLevel.values]


# JSON types each kind of field takes. DRF coerces (12345 becomes "12345", "true" becomes
# True), which hides a broken integration and lets a number through where the contract says
# string; the contract takes each value in its own JSON type only. First match wins: an
# EmailField is a CharField, and bool is an int to Python.
JSON_TYPES = (
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    ((serializers.FloatField, serializers.DecimalField), (int, float), "a number"),
    ((serializers.CharField, serializers.ChoiceField, serializers.DateField,
      serializers.DateTimeField, serializers.TimeField, serializers.DurationField,
      serializers.UUIDField), (str,), "a string"),
)
JSON_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
                   list: "an array", dict: "an object"}


def json_type_error(field: serializers.Field, value) -> str | None:
    """Why `value` (from parsed JSON) has the wrong type for `field`, or None."""
    if value is None:
        return None  # allow_null decides
    for field_types, value_types, expected in JSON_TYPES:
        if isinstance(field, field_types):
            wrong_bool = isinstance(value, bool) and bool not in value_types
            if wrong_bool or not isinstance(value, value_types):
                got = JSON_TYPE_NAMES.get(type(value), type(value).__name__)
                return f"Expected {expected}, got {got}."
            return None
    return None  # nested serializers and lists check their own types


class StrictSerializer(serializers.Serializer):
    """Rejects keys the contract does not define, and values of the wrong JSON type, at
    every nesting level."""

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, dict):
            errors = {name: ["Unknown field; see the API schema for the fields."]
                      for name in sorted(set(data) - set(self.fields))}
            for name, field in self.fields.items():
                problem = None if field.read_only else json_type_error(field, data.get(name))
                if problem:
                    errors[name] = [problem]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Report these together with the other errors, in one answer; a type error
            # replaces whatever DRF made of the coerced value.
            if errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **errors}) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


# How far ahead of our clock a timestamp may be: the ATS's clock, and a date written in a
# time zone ahead of UTC ("today" in Auckland is tomorrow in UTC for half the day).
CLOCK_SKEW = timedelta(days=1)
NOT_IN_FUTURE = "Not in the future: at most one day ahead of the server's clock (UTC)."


def not_in_future(value: date | datetime) -> None:
    """Evidence is about the past; a future date is a bug in the integration (a wrong field
    or time zone) or an invented history, and would skew the age checks."""
    latest = timezone.now() + CLOCK_SKEW
    if isinstance(value, datetime):
        late = value > latest
    else:
        late = value > latest.date()
    if late:
        raise serializers.ValidationError(
            f"{value.isoformat()} is in the future (after {latest.date().isoformat()})."
        )


def past_datetime(**kwargs) -> serializers.DateTimeField:
    kwargs.setdefault("help_text", NOT_IN_FUTURE)
    return serializers.DateTimeField(validators=[not_in_future], **kwargs)


class CountryField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code; the schema lists every code (candidates/schema.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, e.g. US, DE (upper case; "
                                       "lower case is accepted on input).")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "":
            return value
        try:
            return normalize.country_code(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$"})
class MonthOrDateField(serializers.DateField):
    """Accepts YYYY-MM-DD or YYYY-MM (the first of the month): resumes rarely give days.

    Neither may be in the future. For `end` that is plain: a job has not ended yet until
    it has (send null for a current job). For `start` a future date could be a job the
    applicant was offered, but the history is evidence of past work, which the checks
    compare with the age of the applicant's profiles; a job not yet begun is no such
    evidence, so it is refused rather than stored.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [not_in_future])
        kwargs.setdefault("help_text", "YYYY-MM-DD, or YYYY-MM for the first of the month. "
                                       + NOT_IN_FUTURE)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 7 and value[4] == "-":
            value = f"{value}-01"
        return super().to_internal_value(value)


def issue(kind: str, reason: str) -> dict:
    """One entry of an evidence row's `data_issues`: what did not normalise, and why."""
    return {"kind": kind, "reason": reason}


class LocationInput(StrictSerializer):
    country = CountryField(required=False, allow_blank=True, default="")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class ProfileInput(StrictSerializer):
    network = serializers.ChoiceField(choices=ProfileNetwork.choices)
    url = serializers.CharField(
        max_length=500, help_text="An http(s) URL with a real host name (or, for github and "
        "gitlab, the bare username). A value that names another scheme (javascript:, data:, "
        "file:, mailto:...), carries credentials or points at localhost or an IP address is "
        "refused (400). Any other value that is not a profile of its network (no scheme and "
        "no web address, a link to another site) is stored as typed, never as a link, and "
        "flagged (data.profile_unrecognised)."
    )
    created_at = past_datetime(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        try:
            attrs["username"], attrs["url"] = normalize.canonical_profile(
                attrs["network"], attrs["url"]
            )
        except normalize.UnsafeUrl as exc:
            # javascript:, data:, localhost...: an attack or a broken integration, not a typo.
            raise serializers.ValidationError({"url": [str(exc)]}) from None
        except ValueError as exc:
            # What a person typed in the box ("John Smith", a GitLab link for GitHub): kept as
            # typed, never shown as a link, and flagged (data.profile_unrecognised).
            attrs["username"], attrs["url"] = "", attrs["url"].strip()
            attrs["data_issues"] = [issue("profile_unrecognised", str(exc))]
        return attrs


class IpInput(StrictSerializer):
    ip = serializers.CharField(max_length=64)
    source = serializers.ChoiceField(choices=IpSource.choices)
    observed_at = past_datetime(required=False, allow_null=True, default=None)

    def validate_ip(self, value: str) -> str:
        value = value.strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise serializers.ValidationError(f"'{value}' is not an IP address.") from None
        raise serializers.ValidationError(
            "Expected a single IP address, not a network (CIDR); send the observed address."
        )


class AddressInput(StrictSerializer):
    """A postal address. One that does not normalise (no street words, a postal code not in
    its country's format) is stored as typed and flagged (data.address_unparsed)."""

    kind = serializers.ChoiceField(choices=AddressKind.choices)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    postal_code = serializers.CharField(
        required=False, allow_blank=True, max_length=20, default=""
    )
    country = CountryField()

    def validate(self, attrs):
        attrs["match_key"] = normalize.address_key(
            line1=attrs["line1"],
            line2=attrs["line2"],
            city=attrs["city"],
            postal_code=attrs["postal_code"],
            country=attrs["country"],
        )
        problem = normalize.address_problem(
            line1=attrs["line1"], line2=attrs["line2"], postal_code=attrs["postal_code"],
            country=attrs["country"],
        )
        attrs["data_issues"] = [issue("address_unparsed", problem)] if problem else []
        return attrs


class PaymentAccountInput(StrictSerializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    iban = serializers.CharField(
        required=False, allow_blank=True, max_length=64, write_only=True,
        help_text="Kept only as a keyed fingerprint and its last four characters. An IBAN "
        "that does not validate (check digits, length) is kept the same way, from its "
        "letters and digits, and flagged (data.iban_invalid); its country is then not "
        "trusted. A bank_country contradicting a valid IBAN's country is flagged "
        "(data.bank_country_conflict); the IBAN's wins.",
    )
    account_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, write_only=True,
        help_text="Kept only as a keyed fingerprint and its last four characters; 4 to 34 "
        "letters or digits (spaces and dashes ignored). Anything else is kept the same way, "
        "from its letters and digits, and flagged (data.account_number_invalid).",
    )
    routing_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, write_only=True,
        help_text="As account_number.",
    )
    bank_country = CountryField(required=False, allow_blank=True, default="")
    holder_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    account_email = serializers.EmailField(required=False, allow_blank=True, default="")
    wallet_address = serializers.CharField(
        required=False, allow_blank=True, max_length=128, default=""
    )

    def validate_wallet_address(self, value: str) -> str:
        value = value.strip()
        if value and not value.isalnum():
            raise serializers.ValidationError("Wallet addresses are letters and digits only.")
        return value

    def validate(self, attrs):
        """Numbers a person typed that do not validate are kept (as fingerprints, like any
        other) and flagged; the messages never quote them."""
        issues = []
        iban = None
        if attrs.get("iban"):
            try:
                iban = normalize.parse_iban(attrs["iban"])
            except ValueError as exc:
                iban = normalize.iban_unchecked(attrs["iban"], str(exc))
                issues.append(issue("iban_invalid", str(exc)))
        attrs["iban"] = iban
        for name in ("account_number", "routing_number"):
            value = attrs.get(name, "")
            try:
                attrs[name] = normalize.compact_account_number(value) if value else ""
            except ValueError as exc:
                attrs[name] = normalize.account_fallback_compact(value)
                issues.append(issue("account_number_invalid", f"{name}: {exc}"))
        stated = attrs.get("bank_country", "")
        if iban and iban.valid and stated and stated != iban.country:
            # The IBAN's own country is what the account is; the stated one is kept in the
            # flag only.
            issues.append(issue("bank_country_conflict",
                                f"{stated} contradicts the IBAN's country {iban.country}."))
        attrs["data_issues"] = issues
        return attrs


class EmploymentInput(StrictSerializer):
    employer = serializers.CharField(max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    start = MonthOrDateField(required=False, allow_null=True, default=None)
    end = MonthOrDateField(required=False, allow_null=True, default=None)
    country = CountryField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": ["Ends before it starts."]})
        return attrs


def _list(serializer_class):
    """An optional list of objects; its errors come back as a list, one entry per item."""
    return serializer_class(many=True, required=False, default=list, max_length=MAX_LIST)


class CandidateInput(StrictSerializer):
    """The full current record of an applicant. Lists replace what was stored before."""

    external_id = serializers.CharField(max_length=200)
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default="",
        help_text="As the applicant wrote it. Read for location.country first, then as an "
        "international number and for the other countries the record names (addresses, "
        "bank, employers); stored in E.164 with its real region. A number no country reads is "
        "stored as typed and flagged (data.phone_unparseable), never refused.",
    )
    position = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    applied_at = past_datetime(required=False, allow_null=True, default=None)
    location = LocationInput(required=False)
    profiles = _list(ProfileInput)
    ip_addresses = _list(IpInput)
    addresses = _list(AddressInput)
    payment_accounts = _list(PaymentAccountInput)
    employment_history = _list(EmploymentInput)
    resume_text = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_RESUME_CHARS, default="",
        trim_whitespace=False,
    )

    def validate(self, attrs):
        location = attrs.get("location") or {"country": "", "region": "", "city": ""}
        attrs["location"] = location
        if attrs["phone"].strip():
            # Never an error: a number no country reads is stored as typed and flagged.
            attrs["phone"] = normalize.parse_phone(
                attrs["phone"], location["country"], record_countries(attrs)
            )
        else:
            attrs["phone"] = None
        return attrs


def record_countries(attrs: dict) -> tuple[str, ...]:
    """The countries the record names besides the claimed residence, in the order a phone
    is tried against them: addresses (home first), bank accounts (a valid IBAN's country,
    else the stated one), then employers (latest first). IP countries are not known yet:
    they come from the checks' look-ups."""
    homes = sorted(attrs["addresses"], key=lambda a: a["kind"] != AddressKind.RESIDENTIAL)
    jobs = sorted(attrs["employment_history"], reverse=True,
                  key=lambda e: (e["end"] is None, e["end"] or e["start"] or date.min))
    countries = [a["country"] for a in homes]
    for account in attrs["payment_accounts"]:
        iban = account.get("iban")
        countries.append(iban.country if iban and iban.valid else account.get("bank_country"))
    countries += [e["country"] for e in jobs]
    return tuple(c for c in dict.fromkeys(countries) if c)


# --- Output -------------------------------------------------------------------------------


# Output fields that take a fixed set of values are ChoiceFields and CountryFields so that
# the schema lists the values (enums) rather than saying "string".


class LocationOutput(serializers.Serializer):
    country = CountryField(source="location_country", allow_blank=True)
    region = serializers.CharField(source="location_region")
    city = serializers.CharField(source="location_city")


class ProfileOutput(serializers.Serializer):
    network = serializers.ChoiceField(choices=ProfileNetwork.choices)
    url = serializers.CharField()
    username = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)


class IpOutput(serializers.Serializer):
    ip = serializers.CharField()
    source = serializers.ChoiceField(choices=IpSource.choices)
    observed_at = serializers.DateTimeField(allow_null=True)


class AddressOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AddressKind.choices)
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = CountryField()


class PaymentAccountOutput(serializers.Serializer):
    """Account numbers come back masked: only their last four characters exist here."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    bank_country = CountryField(allow_blank=True)
    bank_name = serializers.CharField()
    bic = serializers.CharField()
    iban_last4 = serializers.CharField()
    account_last4 = serializers.CharField()
    routing_last4 = serializers.CharField()
    holder_name = serializers.CharField()
    account_email = serializers.CharField()
    wallet_address = serializers.CharField()


class EmploymentOutput(serializers.Serializer):
    employer = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    country = CountryField(allow_blank=True)


class FlagOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    points = serializers.IntegerField()
    summary = serializers.CharField()
    evidence = serializers.DictField()
    next_step = serializers.CharField()


class IncompleteCheckOutput(serializers.Serializer):
    """A check the score lacks for now: it failed, or waits on an outside source. The score
    may rise once it completes; it is retried automatically."""

    check = serializers.CharField()
    status = serializers.ChoiceField(choices=["failed", "pending"])
    reason = serializers.CharField()


class RiskOutput(serializers.Serializer):
    """The risk as this integration sees it: the checks' result against this integration's
    own applicants. Applicants sent by other integrations are neither shown nor counted."""

    # The one way risk enters an API response (detail, list, create, update, replay): the
    # integration-scoped fields only. The full result (risk_score, risk_level, risk_flags,
    # incomplete_checks) matches every integration's applicants and names them in its
    # flags: it is for the review UI (docs/tenancy.md; tests/candidates/test_tenancy.py).
    status = serializers.ChoiceField(choices=RiskStatus.choices, source="risk_status")
    score = serializers.IntegerField(source="scoped_score", allow_null=True)
    level = serializers.ChoiceField(
        choices=RiskLevel.choices, source="scoped_level", allow_null=True
    )
    flags = FlagOutput(many=True, source="scoped_flags")
    scored_at = serializers.DateTimeField(allow_null=True)
    incomplete_checks = IncompleteCheckOutput(many=True, source="scoped_incomplete_checks")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["level"] = data["level"] or None
        return data


# How two records are tied besides a shared identifier (candidates.selectors.FLAG_TIES).
TIE_KINDS = sorted({kind for kind, _ in FLAG_TIES.values()})


class TieOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[*IdentifierKind.values, *TIE_KINDS], help_text=(
        "An identifier kind (email, phone, bank_account, ip, ...), or same_person, "
        "household, similar_resume, same_career, rare_employer, known_bad."))
    strength = serializers.ChoiceField(
        choices=["strong", "medium", "weak", "not_counted"],
        help_text="How much the tie weighs in the score; not_counted: the same person or "
                  "household, shown but not scored.")


class LinkedCandidateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    shared = serializers.ListField(child=serializers.ChoiceField(choices=IdentifierKind.choices))
    ties = TieOutput(many=True)


class CandidateOutput(serializers.ModelSerializer):
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    location = LocationOutput(source="*")
    profiles = ProfileOutput(many=True)
    ip_addresses = IpOutput(many=True, source="ip_observations")
    addresses = AddressOutput(many=True)
    payment_accounts = PaymentAccountOutput(many=True)
    employment_history = EmploymentOutput(many=True, source="employments")
    risk = RiskOutput(source="*")

    class Meta:
        model = Candidate
        fields = [
            "id", "external_id", "full_name", "email", "phone", "position", "applied_at",
            "location", "profiles", "ip_addresses", "addresses", "payment_accounts",
            "employment_history", "resume_text", "risk", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        # The fields the apps above candidates registered (candidates/extensions.py), e.g.
        # the review workflow's `review`: after the built-in ones, never replacing one.
        fields = super().get_fields()
        for extension in extensions.output_fields():
            if extension.name in fields:
                raise ValueError(f"candidate responses already have a field {extension.name!r}")
            fields[extension.name] = extension.field()
        return fields

    def get_email(self, candidate) -> str:
        emails = list(candidate.emails.all())
        return emails[0].address if emails else ""

    @extend_schema_field({"type": "string", "nullable": True, "description": (
        "E.164 (+15125550142); a number no country could read comes back as it was typed, "
        "and is flagged (data.phone_unparseable).")})
    def get_phone(self, candidate) -> str | None:
        phones = list(candidate.phones.all())
        return (phones[0].e164 or phones[0].raw) if phones else None


class CandidateDetailOutput(CandidateOutput):
    linked_candidates = serializers.SerializerMethodField()

    class Meta(CandidateOutput.Meta):
        fields = CandidateOutput.Meta.fields + ["linked_candidates"]
        read_only_fields = fields

    @extend_schema_field(LinkedCandidateOutput(many=True))
    def get_linked_candidates(self, candidate) -> list[dict]:
        # This integration's own candidates only (one query), like the risk above.
        links = candidate_links(candidate_id=candidate.pk, integration_id=candidate.integration_id)
        return LinkedCandidateOutput(links_with_ties(links, candidate.scoped_flags),
                                     many=True).data
