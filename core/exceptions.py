"""One error type for services and one JSON error shape for the API.

Every error body is {"code": ..., "message": ..., "fields": {...}}; "fields" appears only
for validation errors and mirrors the payload's shape; in a list of objects, the errors are
keyed by the index of each item at fault: {"ip_addresses": {"0": {"ip": ["..."]}}}.
"code" is a stable machine-readable word ("invalid", "parse_error", "not_found",
"not_authenticated", "authentication_failed", "method_not_allowed", "not_acceptable",
"request_too_large", "unsupported_media_type", "idempotency_key_reused", "throttled",
"server_error", "service_unavailable", ...); "message" is for people and may change.

Every answer under /api/ has this shape, not only those of the DRF views: the DRF exception
handler (api_exception_handler) shapes what the views raise, and ApiErrorMiddleware shapes
what Django answers on its own (unknown URLs, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE,
unexpected exceptions) and turns a database outage into a 503 with Retry-After.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# What a client is told to wait during a database outage: long enough not to hammer a
# database that is restarting, short enough that a fail-over is picked up soon.
DATABASE_RETRY_AFTER_SECONDS = 30

# What each error code means over HTTP. Services name the code (what went wrong); only this
# table decides the status, so that no service picks 403 or 409 itself.
STATUS_BY_CODE = {
    "invalid": 400,
    "rejected": 400,
    "forbidden": 403,
    "maker_checker": 403,
    "not_found": 404,
    "stale": 409,
    "not_scored": 409,
    "invalid_transition": 409,
    "verification_required": 409,
    "idempotency_key_reused": 422,
    "unavailable": 503,
}


class ApplicationError(Exception):
    """A business rule refused the request. Services raise it with a code from
    STATUS_BY_CODE; the API (and the review pages) turn the code into a status."""

    def __init__(self, message: str, *, code: str = "rejected", extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}

    @property
    def status_code(self) -> int:
        return STATUS_BY_CODE.get(self.code, 400)


def too_large_message() -> str:
    return (f"The request body is over the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
            "bytes.")


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Raised where a view reads request.body; ApiErrorMiddleware refuses most such
        # bodies earlier, from their Content-Length.
        exc = exceptions.APIException(too_large_message(), code="request_too_large")
        exc.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)

    response = exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it, and ApiErrorMiddleware answers a JSON 500
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "invalid",
            "message": "The request has invalid fields; nothing was saved.",
            "fields": fields,
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {"code": getattr(detail, "code", "error"), "message": str(detail)}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def error_response(status_code: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message}, status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


# For answers Django makes on its own (HTML pages): the code and message of the JSON body.
GENERIC_ERRORS = {
    400: ("bad_request", "The request is malformed."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found. See /api/v1/schema/ for the API's URLs."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("request_too_large", None),
    500: ("server_error", "Internal error. It has been logged; please try again later."),
}
# Headers of the original answer that still hold for its JSON replacement.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class ApiErrorMiddleware:
    """Everything answered under /api/ is JSON in the error shape above.

    Sits near the top of MIDDLEWARE, inside SecurityMiddleware (whose headers then apply to
    its answers too), so that it sees what every inner layer answers, including Django's
    own error pages. Paths outside /api/ (the review UI, the admin) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        refused = self._refuse_early(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            response = self._as_json(response)
        return response

    def _refuse_early(self, request):
        # Refused from the headers, before anything reads (and buffers) the body.
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():
            return error_response(400, "bad_request", "Content-Length is not a number.")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and int(length) > limit:
            return error_response(413, "request_too_large", too_large_message())
        # Django's APPEND_SLASH would redirect, which loses the body of a POST (and raises an
        # error with DEBUG on): say where the endpoint is instead.
        path = request.path_info
        if (request.method not in ("GET", "HEAD") and not path.endswith("/")
                and settings.APPEND_SLASH and not _resolves(path) and _resolves(path + "/")):
            return error_response(
                404, "not_found", f"Not found. API URLs end with a slash: {path}/"
            )
        return None

    def _as_json(self, response):
        code, message = GENERIC_ERRORS.get(
            response.status_code, ("error", getattr(response, "reason_phrase", "Error"))
        )
        if response.status_code == 413:
            message = too_large_message()
        replacement = error_response(response.status_code, code, message)
        for name in KEPT_HEADERS:
            if name in response:
                replacement[name] = response[name]
        return replacement

    def process_exception(self, request, exception):
        """A database outage (connection refused or lost) is a 503 the client may retry,
        not a 500: the request itself was fine."""
        if not request.path_info.startswith(API_PREFIX):
            return None
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # Logged here because answering it means Django will not log it.
        logger.error("Database unavailable while serving %s %s: %s", request.method,
                     request.path, exception, exc_info=exception)
        return error_response(
            503, "service_unavailable",
            "The service is temporarily unavailable. Please retry later; a write retried with "
            "the same Idempotency-Key is applied at most once.",
            Retry_After=str(DATABASE_RETRY_AFTER_SECONDS),
        )
