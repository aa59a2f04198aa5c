"""The connectors' HTTP surface: the inbound webhook per connection, the Greenhouse
Assessment partner endpoints, and the connection page for admins.

The webhook view reads the raw body, refuses oversized ones (413) and bad signatures (401)
before parsing anything, stores the delivery and answers 200 at once; a worker maps it.
"""

import base64
import binascii
import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors import mapping, selectors, services
from connectors.forms import ConnectionForm
from connectors.models import Assessment, Connection
from connectors.tasks import delivery_accept
from connectors.verify import SignatureInvalid
from review import roles

logger = logging.getLogger(__name__)

ASSESSMENT_TESTS = [{"partner_test_id": "vetting-identity-fraud",
                     "partner_test_name": "Identity and fraud vetting"}]


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.CONNECTORS_MAX_BODY_BYTES


@csrf_exempt  # authenticated by the ATS's signature, not by a session
@require_POST
def webhook(request, token: str):
    connection = selectors.connection_by_token(token)
    if connection is None:
        raise Http404
    if _too_big(request):
        return JsonResponse({"error": "body too large"}, status=413)
    body = request.body
    if len(body) > settings.CONNECTORS_MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        delivery, created = delivery_accept(connection=connection, body=body,
                                            headers=request.headers)
    except SignatureInvalid:
        logger.warning("bad %s webhook signature for connection %s", connection.kind,
                       connection.pk)
        return JsonResponse({"error": "invalid signature"}, status=401)
    return JsonResponse({"received": True, "duplicate": not created})


# --- Greenhouse Assessment partner API ----------------------------------------------------


def _assessment_connection(request) -> Connection | None:
    """HTTP Basic with the organisation's key as the user name (password empty)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        key = base64.b64decode(encoded, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None
    return selectors.connection_by_assessment_key(key) if key else None


def _unauthorized() -> HttpResponse:
    response = JsonResponse({"error": "unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Basic realm="vetting"'
    return response


@require_GET
def assessment_list_tests(request):
    if _assessment_connection(request) is None:
        return _unauthorized()
    return JsonResponse(ASSESSMENT_TESTS, safe=False)


@csrf_exempt
@require_POST
def assessment_send_test(request):
    connection = _assessment_connection(request)
    if connection is None:
        return _unauthorized()
    try:
        data = json.loads(request.body)
        assessment = services.assessment_start(
            connection=connection, partner_test_id=str(data["partner_test_id"]),
            candidate=data["candidate"], callback_url=data.get("url") or "")
    except (ValueError, KeyError, TypeError, AttributeError, mapping.Unmappable) as exc:
        return JsonResponse({"error": f"invalid send_test request: {exc}"}, status=400)
    return JsonResponse({"partner_interview_id": assessment.partner_interview_id})


@require_GET
def assessment_test_status(request):
    connection = _assessment_connection(request)
    if connection is None:
        return _unauthorized()
    assessment = get_object_or_404(
        Assessment.objects.select_related("candidate"), connection=connection,
        partner_interview_id=request.GET.get("partner_interview_id", ""))
    return JsonResponse(services.assessment_status(assessment))


@csrf_exempt
@require_http_methods(["POST"])
def assessment_response_error(request):
    """Greenhouse reports what it could not accept from us; kept in the log for support."""
    if _assessment_connection(request) is None:
        return _unauthorized()
    logger.warning("Greenhouse Assessment response_error: %s", request.body[:2000])
    return JsonResponse({})


# --- The connection page (admins) ---------------------------------------------------------


@require_GET
@roles.capability_required(roles.SETTINGS)
def connection_list(request):
    return render(request, "connectors/connection_list.html",
                  {"connections": selectors.connection_list()})


def _detail(request, connection: Connection, *, new_secret: str = ""):
    inbound = request.build_absolute_uri(reverse("connectors:webhook", args=[connection.token]))
    return render(request, "connectors/connection_detail.html", {
        "connection": connection,
        "inbound_url": inbound,
        "new_secret": new_secret,
        "deliveries": selectors.connection_deliveries(connection),
    })


@require_GET
@roles.capability_required(roles.SETTINGS)
def connection_detail(request, pk: int):
    return _detail(request, get_object_or_404(selectors.connection_list(), pk=pk))


@require_http_methods(["GET", "POST"])
@roles.capability_required(roles.SETTINGS)
def connection_new(request):
    form = ConnectionForm(request.POST or None, initial={"writeback_enabled": True})
    if request.method != "POST" or not form.is_valid():
        return render(request, "connectors/connection_form.html", {"form": form})
    data = dict(form.cleaned_data)
    generated = ""
    if not data["webhook_secret"] and data["kind"] in services.SECRET_WE_CHOOSE:
        generated = data["webhook_secret"] = services.webhook_secret_generate()
    connection = services.connection_create(actor=request.user, **data)
    # The generated secret is shown in this answer only (no redirect keeps it anywhere).
    return _detail(request, connection, new_secret=generated)


@require_http_methods(["GET", "POST"])
@roles.capability_required(roles.SETTINGS)
def connection_edit(request, pk: int):
    connection = get_object_or_404(selectors.connection_list(), pk=pk)
    initial = {name: getattr(connection, name) for name in (
        "integration", "kind", "api_base_url", "api_user_id", "writeback_enabled", "is_active")}
    form = ConnectionForm(request.POST or None, initial=initial, editing=True)
    if request.method != "POST" or not form.is_valid():
        return render(request, "connectors/connection_form.html",
                      {"form": form, "connection": connection})
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("integration", "kind")}
    services.connection_update(connection=connection, actor=request.user, **data)
    return redirect("connectors:detail", pk=connection.pk)
