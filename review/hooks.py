"""Receivers that put user and role changes on the audit trail (connected in apps.py).

They only append audit events; they never change other data or enqueue work.
"""

from core.audit import audit_record
from review.signin import client_address

ADMIN_FLAGS = ("is_staff", "is_superuser", "is_active")


def _group_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """User.groups changed, from either side (user.groups.add / group.user_set.add).

    pre_* remembers each user's groups on the object the change is made through; post_*
    compares and records a grant or a revoke when something actually changed."""
    from django.contrib.auth import get_user_model

    if not action.startswith(("pre_", "post_")):
        return
    snapshots = instance.__dict__.setdefault("_vetting_groups_before", {})
    if not reverse:
        users = [instance]
    elif pk_set is not None:
        users = list(get_user_model().objects.filter(pk__in=pk_set))
    elif action == "pre_clear":
        users = list(instance.user_set.all())
    else:  # post_clear of a group: the users it had are the ones remembered
        users = list(get_user_model().objects.filter(pk__in=list(snapshots)))
    for user in users:
        if action.startswith("pre_"):
            snapshots[user.pk] = _group_names(user)
            continue
        before = snapshots.pop(user.pk, None)
        after = _group_names(user)
        if before is None or before == after:
            continue
        granted = sorted(set(after) - set(before))
        audit_record(actor=None, action="role.grant" if granted else "role.revoke",
                     target_type="user", target_id=user.pk,
                     before={"username": user.get_username(), "groups": before},
                     after={"username": user.get_username(), "groups": after})
        user.__dict__.pop("_vetting_roles", None)


def user_pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._vetting_flags_before = None
        return
    old = sender.objects.filter(pk=instance.pk).values(*ADMIN_FLAGS).first()
    instance._vetting_flags_before = old


def user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = {flag: getattr(instance, flag) for flag in ADMIN_FLAGS}
    if created:
        audit_record(actor=None, action="user.create", target_type="user",
                     target_id=instance.pk, before=None,
                     after={"username": instance.get_username(), **after})
        return
    before = getattr(instance, "_vetting_flags_before", None)
    if before is not None and before != after:
        audit_record(actor=None, action="user.flags", target_type="user", target_id=instance.pk,
                     before={"username": instance.get_username(), **before},
                     after={"username": instance.get_username(), **after})


def user_post_delete(sender, instance, **kwargs):
    audit_record(actor=None, action="user.delete", target_type="user", target_id=instance.pk,
                 before={"username": instance.get_username()}, after=None)


def logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target_type="user", target_id=user.pk,
                 before=None, after={"ip": client_address(request)})

