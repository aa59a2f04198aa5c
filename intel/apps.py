from django.apps import AppConfig


class IntelConfig(AppConfig):
    """External intelligence the checks consult: IP range lists, IP geolocation, the GitHub
    API, the OFAC sanctions list and an optional phone line-type provider."""

    name = "intel"
    verbose_name = "External intelligence"
    default_auto_field = "django.db.models.BigAutoField"
