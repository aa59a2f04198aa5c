"""Template context for every page: who is signed in and what their role lets them do.

Lazy: nothing is queried unless a template asks (the admin's pages never do)."""

from functools import cached_property

from review import roles


class ReviewNav:
    def __init__(self, user):
        self.user = user

    @cached_property
    def roles(self) -> list[str]:
        return [roles.ROLE_LABELS[r] for r in roles.ROLES if r in roles.user_roles(self.user)]

    @cached_property
    def can_view(self) -> bool:
        return roles.user_can(self.user, roles.VIEW)

    @cached_property
    def can_review(self) -> bool:
        return roles.user_can(self.user, roles.REVIEW)

    @cached_property
    def can_decide(self) -> bool:
        return roles.user_can(self.user, roles.DECIDE)

    @cached_property
    def can_audit(self) -> bool:
        return roles.user_can(self.user, roles.AUDIT)

    @cached_property
    def is_admin(self) -> bool:
        return bool(getattr(self.user, "is_staff", False))


def review_nav(request) -> dict:
    return {"nav": ReviewNav(request.user)}
