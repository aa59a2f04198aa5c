# The audit model lives beside its recording service (core/audit.py); Django finds models here.
from core.audit import AuditEvent  # noqa: F401
