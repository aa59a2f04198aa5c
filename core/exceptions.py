"""One error type for services and one JSON error shape for the API.

Every error body is {"code": ..., "message": ..., "fields": {...}}; "fields" appears only
for validation errors and mirrors the payload's shape; in a list of objects, the errors are
keyed by the index of each item at fault: {"ip_addresses": {"0": {"ip": ["..."]}}}.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

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


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)

    response = exception_handler(exc, context)
    if response is None:
        return None
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
