"""Extension points of the ATS API (/api/v1/candidates/) for the layers above candidates.

candidates sits below the review workflow and may not import it (docs/architecture.md), yet
an integrator should read what the company decided about its applicant. So the API offers
two hooks, and a higher app registers into them from its AppConfig.ready():

- an **output field**: a read-only serializer field added to every candidate response
  (detail, list, create and update, and so the bodies an Idempotency-Key replays), with the
  select_related/prefetch_related it needs, applied to the list's and detail's queryset so a
  list page costs the same number of queries whatever its size;
- a **list filter**: a django-filter Filter added to CandidateFilterSet (query parameter
  validation, unknown or empty values answered 400, as for the built-in filters).

Both are real serializer fields and filters, so the OpenAPI schema documents them like the
built-in ones. Registration happens once, at start-up, before any request or schema.

What a registered field may show is the registering app's responsibility: it is read by an
integration about its own candidate only (the candidate is already scoped), and must say
nothing about another integration's candidates (tests/candidates/test_tenancy.py lists the
fields a response may carry).
"""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from candidates.filters import CandidateFilterSet


@dataclass(frozen=True)
class OutputField:
    name: str
    # A new field instance per serializer (DRF binds a field to one parent).
    field: Callable[[], serializers.Field]
    # What the field reads, loaded with the page: e.g. qs.select_related("review").
    queryset: Callable[[QuerySet], QuerySet]


_output_fields: dict[str, OutputField] = {}


def output_field_register(*, name: str, field: Callable[[], serializers.Field],
                          queryset: Callable[[QuerySet], QuerySet] = lambda qs: qs) -> None:
    """Add a read-only field `name` to every candidate response. Registering the same name
    again replaces it (a reloaded app); a name the API already has is refused."""
    _output_fields[name] = OutputField(name=name, field=field, queryset=queryset)


def output_fields() -> list[OutputField]:
    return list(_output_fields.values())


def queryset_extend(queryset: QuerySet) -> QuerySet:
    """The candidates queryset with what every registered output field reads."""
    for extension in _output_fields.values():
        queryset = extension.queryset(queryset)
    return queryset


def list_filter_register(*, name: str, filter: django_filters.Filter) -> None:
    """Add the query parameter `name` to GET /api/v1/candidates/. django-filter builds each
    FilterSet's filters from `base_filters`, and drf-spectacular documents them from there."""
    existing = CandidateFilterSet.base_filters.get(name)
    if existing is not None and name in CandidateFilterSet.declared_filters:
        raise ValueError(f"the candidate list already has a filter {name!r}")
    CandidateFilterSet.base_filters[name] = filter
