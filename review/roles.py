"""Roles and what each may do, checked on the server for every page and action.

- recruiter: sees the queue, candidates and the overview; starts reviews, clears or
  escalates, requests identity verification and records its outcome.
- hr_lead: everything a recruiter does, plus approving or rejecting escalated candidates
  (never one they escalated themselves), and reading and exporting the audit trail.
- admin (is_staff or is_superuser): the Django admin (weights, users, API keys); reads the
  review pages and the audit trail but takes no review decisions, so that running the system
  and judging candidates stay separate duties. An admin who also reviews is given a role
  group as well.

Recruiter and HR lead are auth groups (created after migrate); admin is the staff flag.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

RECRUITER = "recruiter"
HR_LEAD = "hr_lead"
ADMIN = "admin"
ROLES = (RECRUITER, HR_LEAD, ADMIN)
GROUP_ROLES = (RECRUITER, HR_LEAD)  # the roles that are auth groups
ROLE_LABELS = {RECRUITER: "Recruiter", HR_LEAD: "HR lead", ADMIN: "Admin"}

# Capabilities, and the roles that have them.
VIEW = "view"  # queue, candidate pages, overview
REVIEW = "review"  # start, clear, escalate, verification requests and outcomes
DECIDE = "decide"  # approve or reject an escalated candidate
AUDIT = "audit"  # read and export the audit trail
SETTINGS = "settings"  # ATS connections and webhook endpoints
CAPABILITIES = {
    VIEW: {RECRUITER, HR_LEAD, ADMIN},
    REVIEW: {RECRUITER, HR_LEAD},
    DECIDE: {HR_LEAD},
    AUDIT: {HR_LEAD, ADMIN},
    SETTINGS: {ADMIN},
}
# What the 403 page says when a capability is missing.
CAPABILITY_HINTS = {
    VIEW: "The review pages are for recruiters, HR leads and admins.",
    REVIEW: "Review decisions and verification requests are for recruiters and HR leads.",
    DECIDE: "Approving or rejecting a flagged hire is for HR leads.",
    AUDIT: "The audit trail is for HR leads and admins.",
    SETTINGS: "ATS connections and webhook settings are for admins.",
}


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The user's roles; one query, remembered on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_vetting_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True))
        if user.is_staff or user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._vetting_roles = cached
    return cached


def user_can(user, capability: str) -> bool:
    return bool(user_roles(user) & CAPABILITIES[capability])


def capability_required(capability: str) -> Callable:
    """View decorator: anonymous users go to the sign-in page, users without the capability
    get 403. Hidden buttons are not security: every view and POST action is decorated."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                raise PermissionDenied(CAPABILITY_HINTS[capability])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def groups_ensure() -> None:
    """Create the role groups that do not exist yet (run after every migrate)."""
    for name in GROUP_ROLES:
        Group.objects.get_or_create(name=name)


def user_role_set(*, user, role: str) -> None:
    """Give the user exactly this role. Group changes are audited by the m2m hook
    (vetting.apps); the staff flags by the user save hook."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    groups_ensure()
    is_admin = role == ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    role_groups = {group.name: group for group in Group.objects.filter(name__in=GROUP_ROLES)}
    stale = [group for name, group in role_groups.items() if name != role]
    if stale:
        user.groups.remove(*stale)
    if not is_admin:
        user.groups.add(role_groups[role])
    user.__dict__.pop("_vetting_roles", None)
