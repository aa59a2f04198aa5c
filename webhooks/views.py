"""The webhooks settings pages (/settings/webhooks/), for admins only: endpoints of every
integration, their secrets (shown once), the delivery log, resend, replay and test events.

Thin like review/views.py: check the role, validate a form, call one service or selector.
"""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from review import roles
from webhooks.forms import EndpointCreateForm, EndpointEditForm, LogFilterForm, ReplayForm
from webhooks.selectors import (
    delivery_log,
    endpoint_get,
    endpoint_list,
    endpoints_disabled_by_system,
)
from webhooks.services import (
    deliveries_resend,
    endpoint_create,
    endpoint_replay_since,
    endpoint_secret_rotate,
    endpoint_test_send,
    endpoint_update,
)


def _endpoint_or_404(pk: int):
    endpoint = endpoint_get(integration=None, endpoint_id=pk)
    if endpoint is None:
        raise Http404
    return endpoint


@never_cache  # the answer to a POST holds a secret: no cache may keep it
@require_http_methods(["GET", "POST"])
@roles.capability_required(roles.SETTINGS)
def endpoints(request):
    form = EndpointCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = endpoint_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("url", exc.message)
        else:
            # Rendered, not redirected: the secret is shown this once and never stored clear.
            return render(request, "webhooks/secret.html", {"endpoint": endpoint,
                                                             "secret": secret})
    return render(request, "webhooks/endpoints.html", {
        "endpoints": endpoint_list(integration=None), "form": form,
        "disabled": endpoints_disabled_by_system(),
    }, status=400 if form.errors else 200)


@require_GET
@roles.capability_required(roles.SETTINGS)
def endpoint_detail(request, pk: int):
    return _detail_page(request, _endpoint_or_404(pk))


def _detail_page(request, endpoint, *, form=None, status: int = 200):
    filters = LogFilterForm(request.GET)
    filters.is_valid()
    form = form or EndpointEditForm(initial={
        "url": endpoint.url, "description": endpoint.description,
        "event_types": endpoint.event_types, "enabled": endpoint.enabled})
    return render(request, "webhooks/endpoint.html", {
        "endpoint": endpoint, "form": form, "filters": filters, "replay": ReplayForm(),
        "log": delivery_log(endpoint=endpoint, **filters.cleaned_data),
    }, status=status)


@require_POST
@roles.capability_required(roles.SETTINGS)
def endpoint_edit(request, pk: int):
    endpoint = _endpoint_or_404(pk)
    form = EndpointEditForm(request.POST)
    if form.is_valid():
        try:
            endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("url", exc.message)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:endpoint", pk=pk)
    return _detail_page(request, _endpoint_or_404(pk), form=form, status=400)


@never_cache
@require_POST
@roles.capability_required(roles.SETTINGS)
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint_or_404(pk)
    secret = endpoint_secret_rotate(endpoint=endpoint, actor=request.user)
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret,
                                                     "rotated": True})


@require_POST
@roles.capability_required(roles.SETTINGS)
def endpoint_test(request, pk: int):
    event = endpoint_test_send(endpoint=_endpoint_or_404(pk), actor=request.user)
    messages.success(request, f"Test event {event.msg_id} queued.")
    return redirect("webhooks:endpoint", pk=pk)


@require_POST
@roles.capability_required(roles.SETTINGS)
def endpoint_replay(request, pk: int):
    endpoint = _endpoint_or_404(pk)
    form = ReplayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a date and time to replay from.")
        return redirect("webhooks:endpoint", pk=pk)
    count = endpoint_replay_since(endpoint=endpoint, since=form.cleaned_data["since"],
                                  actor=request.user)
    messages.success(request, f"{count} deliveries will be sent again.")
    return redirect("webhooks:endpoint", pk=pk)


@require_POST
@roles.capability_required(roles.SETTINGS)
def delivery_resend(request, pk: int, delivery_id: int):
    endpoint = _endpoint_or_404(pk)
    deliveries = endpoint.deliveries.filter(pk=delivery_id)
    if not deliveries.exists():
        raise Http404
    deliveries_resend(deliveries=deliveries, actor=request.user, endpoint=endpoint)
    messages.success(request, "The delivery will be sent again.")
    return redirect("webhooks:endpoint", pk=pk)
