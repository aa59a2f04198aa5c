"""API-key authentication for ATS integrations: `Authorization: Bearer <key>`."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from candidates.models import ApiKey, Integration
from core.audit import audit_record

KEY_PREFIX = "vk_"


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, integration: Integration, actor=None) -> str:
    """Create a key and return it in clear; this is the only time it exists in clear.

    The audit trail records who made which key (by its prefix), never the key.
    """
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(integration=integration, prefix=key[:10],
                                    key_hash=api_key_hash(key))
    audit_record(actor=actor or "system", action="api_key.create", target_type="integration",
                 target_id=integration.pk,
                 after={"integration": integration.name, "prefix": api_key.prefix})
    return key


class IntegrationPrincipal:
    """What request.user is for an API call: the integration, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False

    def __init__(self, integration: Integration):
        self.integration = integration
        self.pk = None

    def __str__(self) -> str:
        return f"integration:{self.integration.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        api_key = (
            ApiKey.objects.select_related("integration")
            .filter(key_hash=api_key_hash(key.strip()), revoked_at__isnull=True)
            .first()
        )
        if api_key is None or not api_key.integration.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        # At most one write a minute per key: "last used" is for humans, not an audit log.
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return IntegrationPrincipal(api_key.integration), api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class IsIntegration(permissions.BasePermission):
    message = "An integration API key is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the API key to the OpenAPI schema (and the docs page's Authorize button)."""

    target_class = "candidates.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Integration API key."}
