from django.apps import AppConfig


class SignalsConfig(AppConfig):
    """The red-flag checks and the risk score. (The app is named for risk signals; the code
    calls them checks, and there is deliberately no signals/signals.py.)"""

    name = "signals"
    verbose_name = "Risk checks and scoring"
    default_auto_field = "django.db.models.BigAutoField"
