"""The ATS contract: what integrators send, and what they read back.

Input serializers validate and normalise; unknown fields are rejected rather than ignored so
that a typo in an integration ("phone_number") fails loudly instead of dropping evidence.
"""

import ipaddress
from datetime import date

from rest_framework import serializers

from candidates import normalize
from candidates.models import (
    AddressKind,
    Candidate,
    IpSource,
    PaymentMethod,
    ProfileNetwork,
    RiskLevel,
    RiskStatus,
)
from candidates.selectors import candidate_links, links_with_ties

MAX_LIST = 50  # per evidence list; an applicant with more is a broken integration
MAX_RESUME_CHARS = 100_000


class StrictSerializer(serializers.Serializer):
    """Rejects keys the contract does not define, at every nesting level."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            unknown = {name: ["Unknown field; see the API schema for the fields."]
                       for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Report unknown fields together with the other errors, in one answer.
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class CountryField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, e.g. US, DE.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "":
            return value
        try:
            return normalize.country_code(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class MonthOrDateField(serializers.DateField):
    """Accepts YYYY-MM-DD or YYYY-MM (the first of the month): resumes rarely give days."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 7 and value[4] == "-":
            value = f"{value}-01"
        return super().to_internal_value(value)


class LocationInput(StrictSerializer):
    country = CountryField(required=False, allow_blank=True, default="")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class ProfileInput(StrictSerializer):
    network = serializers.ChoiceField(choices=ProfileNetwork.choices)
    url = serializers.CharField(max_length=500)
    created_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        try:
            attrs["username"], attrs["url"] = normalize.canonical_profile(
                attrs["network"], attrs["url"]
            )
        except ValueError as exc:
            raise serializers.ValidationError({"url": [str(exc)]}) from None
        return attrs


class IpInput(StrictSerializer):
    ip = serializers.CharField(max_length=64)
    source = serializers.ChoiceField(choices=IpSource.choices)
    observed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

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
        return attrs


class PaymentAccountInput(StrictSerializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    iban = serializers.CharField(required=False, allow_blank=True, max_length=64, write_only=True)
    account_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, write_only=True
    )
    routing_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, write_only=True
    )
    bank_country = CountryField(required=False, allow_blank=True, default="")
    holder_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    account_email = serializers.EmailField(required=False, allow_blank=True, default="")
    wallet_address = serializers.CharField(
        required=False, allow_blank=True, max_length=128, default=""
    )

    def validate_iban(self, value: str):
        if not value:
            return None
        try:
            return normalize.parse_iban(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def _account_number(self, value: str) -> str:
        if not value:
            return ""
        try:
            return normalize.compact_account_number(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_account_number(self, value: str) -> str:
        return self._account_number(value)

    def validate_routing_number(self, value: str) -> str:
        return self._account_number(value)

    def validate_wallet_address(self, value: str) -> str:
        value = value.strip()
        if value and not value.isalnum():
            raise serializers.ValidationError("Wallet addresses are letters and digits only.")
        return value

    def validate(self, attrs):
        iban = attrs.get("iban")
        stated = attrs.get("bank_country", "")
        if iban and stated and stated != iban.country:
            raise serializers.ValidationError(
                {"bank_country": [f"{stated} contradicts the IBAN's country {iban.country}."]}
            )
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
        if start and start > date.today():
            raise serializers.ValidationError({"start": ["Starts in the future."]})
        return attrs


def _list(serializer_class):
    """An optional list of objects; its errors come back as a list, one entry per item."""
    return serializer_class(many=True, required=False, default=list, max_length=MAX_LIST)


class CandidateInput(StrictSerializer):
    """The full current record of an applicant. Lists replace what was stored before."""

    external_id = serializers.CharField(max_length=200)
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    position = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    applied_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
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
        if attrs["phone"]:
            try:
                attrs["phone"] = normalize.parse_phone(attrs["phone"], location["country"])
            except ValueError as exc:
                raise serializers.ValidationError({"phone": [str(exc)]}) from None
        else:
            attrs["phone"] = None
        return attrs


# --- Output -------------------------------------------------------------------------------


class LocationOutput(serializers.Serializer):
    country = serializers.CharField(source="location_country")
    region = serializers.CharField(source="location_region")
    city = serializers.CharField(source="location_city")


class ProfileOutput(serializers.Serializer):
    network = serializers.CharField()
    url = serializers.CharField()
    username = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)


class IpOutput(serializers.Serializer):
    ip = serializers.CharField()
    source = serializers.CharField()
    observed_at = serializers.DateTimeField(allow_null=True)


class AddressOutput(serializers.Serializer):
    kind = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()


class PaymentAccountOutput(serializers.Serializer):
    """Account numbers come back masked: only their last four characters exist here."""

    method = serializers.CharField()
    bank_country = serializers.CharField()
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
    country = serializers.CharField()


class FlagOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
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
        choices=RiskLevel.choices, source="scoped_level", allow_blank=True, allow_null=True
    )
    flags = FlagOutput(many=True, source="scoped_flags")
    scored_at = serializers.DateTimeField(allow_null=True)
    incomplete_checks = IncompleteCheckOutput(many=True, source="scoped_incomplete_checks")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["level"] = data["level"] or None
        return data


class TieOutput(serializers.Serializer):
    kind = serializers.CharField(help_text=(
        "An identifier kind (email, phone, bank_account, ip, ...), or same_person, "
        "household, similar_resume, same_career, rare_employer, known_bad."))
    strength = serializers.ChoiceField(
        choices=["strong", "medium", "weak", "not_counted"],
        help_text="How much the tie weighs in the score; not_counted: the same person or "
                  "household, shown but not scored.")


class LinkedCandidateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    shared = serializers.ListField(child=serializers.CharField())
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

    def get_email(self, candidate) -> str:
        emails = list(candidate.emails.all())
        return emails[0].address if emails else ""

    def get_phone(self, candidate) -> str | None:
        phones = list(candidate.phones.all())
        return phones[0].e164 if phones else None


class CandidateDetailOutput(CandidateOutput):
    linked_candidates = serializers.SerializerMethodField()

    class Meta(CandidateOutput.Meta):
        fields = CandidateOutput.Meta.fields + ["linked_candidates"]
        read_only_fields = fields

    def get_linked_candidates(self, candidate) -> list[dict]:
        # This integration's own candidates only (one query), like the risk above.
        links = candidate_links(candidate_id=candidate.pk, integration_id=candidate.integration_id)
        return LinkedCandidateOutput(links_with_ties(links, candidate.scoped_flags),
                                     many=True).data
