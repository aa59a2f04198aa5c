"""Reads: endpoints and the delivery log, always scoped to an integration (the API) or to
what an admin may see (the review UI: every integration)."""

from django.db.models import Prefetch, QuerySet

from candidates.models import Integration
from webhooks.models import Attempt, Delivery, Endpoint

LOG_PAGE = 100


def endpoint_list(*, integration: Integration | None) -> QuerySet[Endpoint]:
    """The integration's endpoints; every endpoint for `None` (admins in the review UI)."""
    endpoints = Endpoint.objects.select_related("integration").order_by("integration__name", "id")
    return endpoints if integration is None else endpoints.filter(integration=integration)


def endpoint_get(*, integration: Integration | None, endpoint_id: int) -> Endpoint | None:
    return endpoint_list(integration=integration).filter(pk=endpoint_id).first()


def delivery_log(*, endpoint: Endpoint, event_type: str = "", status: str = "",
                 limit: int = LOG_PAGE) -> list[Delivery]:
    """The endpoint's newest deliveries with their attempts, filtered by event type and
    status."""
    deliveries = endpoint.deliveries.select_related("event").prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("number"))
    ).order_by("-created_at", "-id")
    if event_type:
        deliveries = deliveries.filter(event__type=event_type)
    if status:
        deliveries = deliveries.filter(status=status)
    return list(deliveries[:limit])


def endpoints_disabled_by_system() -> QuerySet[Endpoint]:
    """What the admins must be told: endpoints the system turned off (410, failing)."""
    return Endpoint.objects.filter(enabled=False).exclude(disabled_reason="")
