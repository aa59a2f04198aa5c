"""The audit trail: an append-only record of who changed what, when, from what, to what.

Any part of the product records an event with one call, inside the transaction that makes
the change, so the change and its record commit (or roll back) together:

    from core.audit import audit_record

    audit_record(actor=request.user, action="weights.change", target_type="signals.flagweight",
                 target_id=weight.pk, before={"points": 40}, after={"points": 45})

`actor` is a user, a short label for a non-person ("system:rescore", "import:workday"), or
None for whoever the current request is acting as (see `audit_actor`). Data imports have
their own shortcut, `audit_data_import`.

Append-only at every layer:
- the model refuses `save()` on an existing row and `delete()`, and its queryset refuses
  `update()` and `delete()`;
- the admin shows the rows read-only; no view or API edits them;
- the database refuses UPDATE and DELETE with a trigger (migration 0002). TRUNCATE is left to
  the table owner (the test runner flushes with it): in production run the web processes as
  a role that is not the owner, with only SELECT and INSERT on vetting_auditevent.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

SYSTEM = "system"

# Who the code running now acts for: set per request by core.middleware, and around
# commands with `audit_actor(...)`. Used when audit_record gets actor=None.
_current_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_actor", default=None)


class AuditImmutable(Exception):
    """An attempt to change or delete an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditImmutable("Audit events cannot be deleted.")

    # bulk_update goes through update(); _raw_delete is what Collector uses for fast deletes.
    def _raw_delete(self, using):
        raise AuditImmutable("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    # No database constraint and DO_NOTHING: deleting a user must neither fail on nor touch
    # their history; actor_label keeps the name they had.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        app_label = "core"
        # Born in the review app (label "vetting"); moved here without touching the table.
        db_table = "vetting_auditevent"
        indexes = [
            # The audit page, newest first, filtered by target (a candidate's history)...
            models.Index(fields=["target_type", "target_id", "-id"], name="audit_target"),
            # ...by action, and by who acted.
            models.Index(fields=["action", "-id"], name="audit_action"),
            models.Index(fields=["actor_label", "-id"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("Audit events cannot be deleted.")


def audit_record(*, actor: Any, action: str, target_type: str, target_id: Any,
                 before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records.

    `before`/`after` are JSON-serialisable dicts (dates, decimals and UUIDs are converted);
    leave out what must not be kept (secrets, full account numbers).
    """
    user, label = _actor_resolve(actor)
    return AuditEvent.objects.create(
        actor=user, actor_label=label[:150], action=action[:60], target_type=target_type[:60],
        target_id=str(target_id)[:64], before=_plain(before), after=_plain(after),
    )


def audit_record_many(*, actor: Any, action: str, target_type: str,
                      rows: list[tuple[Any, dict | None, dict | None]]) -> list[AuditEvent]:
    """Append one event per (target_id, before, after) row in a single INSERT: a bulk action
    on many candidates keeps one event per candidate (each candidate's history stays whole)
    without a round trip each. Same rules as audit_record."""
    user, label = _actor_resolve(actor)
    return AuditEvent.objects.bulk_create([
        AuditEvent(actor=user, actor_label=label[:150], action=action[:60],
                   target_type=target_type[:60], target_id=str(target_id)[:64],
                   before=_plain(before), after=_plain(after))
        for target_id, before, after in rows
    ], batch_size=1000)


def audit_data_import(*, actor: Any, source: str, summary: dict) -> AuditEvent:
    """Record a data import (a file of applicants, a sanctions list, a range list...).

    `source` names what was imported ("ofac-sdn", "ats-csv:greenhouse"); `summary` says how
    much and from where, e.g. {"file": "sdn.csv", "sha256": "...", "rows": 1234}.
    """
    return audit_record(actor=actor, action="data.import", target_type="import",
                        target_id=source, before=None, after=summary)


@contextmanager
def audit_actor(actor: Any) -> Iterator[None]:
    """Attribute the audit records written inside the block to `actor` (a user or a label)."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def _actor_resolve(actor: Any) -> tuple[Any, str]:
    if actor is None:
        actor = _current_actor.get()
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, str):
        return None, actor
    if not getattr(actor, "is_authenticated", False):
        return None, "anonymous"
    return actor, actor.get_username()


def _plain(value: dict | None) -> dict | None:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
