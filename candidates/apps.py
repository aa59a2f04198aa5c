from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # drf-spectacular extensions register on import: they must exist before any schema
        # is generated.
        from candidates import schema  # noqa: F401
