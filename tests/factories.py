"""Factories for models and for ATS payloads (the JSON an integration posts)."""

import factory

from candidates.authentication import api_key_create
from candidates.models import Integration


class IntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"ats-{n}")


def integration_with_key(name: str | None = None) -> tuple[Integration, str]:
    integration = IntegrationFactory(**({"name": name} if name else {}))
    return integration, api_key_create(integration=integration)


class LocationFactory(factory.DictFactory):
    country = "US"
    region = "TX"
    city = "Austin"


class CandidatePayloadFactory(factory.DictFactory):
    """A complete, valid applicant record as an ATS would send it."""

    external_id = factory.Sequence(lambda n: f"app-{n:06d}")
    full_name = "Dana Whitfield"
    email = factory.Sequence(lambda n: f"dana.whitfield{n}@example.org")
    phone = "+1 512 555 0142"
    position = "Senior Backend Engineer"
    applied_at = "2026-11-02T15:04:05Z"
    location = factory.SubFactory(LocationFactory)
    profiles = factory.LazyFunction(lambda: [
        {"network": "github", "url": "https://github.com/danawhit"},
        {"network": "linkedin", "url": "linkedin.com/in/dana-whitfield",
         "created_at": "2014-03-01T00:00:00Z"},
    ])
    ip_addresses = factory.LazyFunction(lambda: [
        {"ip": "203.0.113.7", "source": "application", "observed_at": "2026-11-02T15:04:00Z"},
    ])
    addresses = factory.LazyFunction(lambda: [
        {"kind": "residential", "line1": "1200 Barton Springs Road", "line2": "Apt 4",
         "city": "Austin", "region": "TX", "postal_code": "78704", "country": "US"},
    ])
    payment_accounts = factory.LazyFunction(lambda: [
        {"method": "bank", "account_number": "000123456789", "routing_number": "111000025",
         "bank_country": "US", "holder_name": "Dana Whitfield"},
    ])
    employment_history = factory.LazyFunction(lambda: [
        {"employer": "Initech", "title": "Backend Engineer", "start": "2018-06",
         "end": "2023-01", "country": "US"},
        {"employer": "Globex", "title": "Senior Engineer", "start": "2023-02", "end": None,
         "country": "US"},
    ])
    resume_text = "Backend engineer with eight years of Python, Django and PostgreSQL."
