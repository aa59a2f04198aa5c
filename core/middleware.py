"""Request-wide behaviour: audit records attributed to the signed-in user of the request,
and no response kept in a cache."""

from django.utils.cache import add_never_cache_headers

from core.audit import audit_actor


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user is lazy: the user is loaded only if an audit event is recorded.
        with audit_actor(request.user):
            return self.get_response(request)


class NoStoreMiddleware:
    """Cache-Control: no-store (and its older equivalents) on every response.

    Review pages, the audit trail and its CSV export, the admin and every API response carry
    applicant data, which must not stay in a browser's, a proxy's or a shared computer's
    cache; one rule for all responses leaves none out. Static files are served before this
    runs (WhiteNoise) and keep their long cache lifetimes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
