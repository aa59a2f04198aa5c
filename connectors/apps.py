from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """ATS connectors: webhooks in from Greenhouse, Lever, Ashby and Workable, the ATS's API
    for what they leave out, and the verdict written back."""

    name = "connectors"
    verbose_name = "ATS connectors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connectors import tasks
        from core import events
        from review.events import ReviewTransitioned
        from signals.events import RiskChanged

        # The only way we hear of scores and decisions: an outbox row in the emitter's
        # transaction; the HTTP write-back runs in a task after it commits.
        events.subscribe(RiskChanged, tasks.on_risk_changed)
        events.subscribe(ReviewTransitioned, tasks.on_review_transitioned)
        events.subscribe_batch(tasks.on_review_transitioned, tasks.on_review_transitioned_many)
