"""Attribute audit records to the signed-in user of the request being served."""

from core.audit import audit_actor


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user is lazy: the user is loaded only if an audit event is recorded.
        with audit_actor(request.user):
            return self.get_response(request)
