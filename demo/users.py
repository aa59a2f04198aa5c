"""Demo users for `make demo`: a recruiter and two HR leads (two, so that maker-checker can be
tried: one escalates, the other approves).

seed_demo calls `demo_users_create()` and prints what it returns. Passwords are random and
set anew on every call, so a demo database never carries a known password.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from core.audit import audit_actor
from review import roles

DEMO_USERS = (
    ("recruiter", roles.RECRUITER),
    ("hrlead", roles.HR_LEAD),
    ("hrlead2", roles.HR_LEAD),
)


@transaction.atomic
def demo_users_create() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo users. Returns [(username, role, password)]."""
    user_model = get_user_model()
    created = []
    with audit_actor("demo:seed"):
        for username, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user, _ = user_model.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            roles.user_role_set(user=user, role=role)
            created.append((username, role, password))
    return created
