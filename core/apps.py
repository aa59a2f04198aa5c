from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared ground: audit trail, error types, events."""

    name = "core"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"
