from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed outbound webhooks: endpoints per integration, the outbox, delivery and its log.

    It learns what happened only through core.events (docs/architecture.md)."""

    name = "webhooks"
    verbose_name = "Outbound webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import events
        from review.events import ReviewTransitioned, VerificationRecorded
        from signals.events import RiskChanged
        from webhooks import outbox, tasks

        # Registers the tasks by name in every process, for the outbox's publish by name
        # (in the embedded demo, with eager tasks, no worker ever imported them).
        assert tasks.delivery_send_task.name == outbox.SEND_TASK

        # Each handler writes the outbox rows in the emitter's transaction and publishes
        # them after it commits (webhooks/outbox.py).
        events.subscribe(RiskChanged, outbox.on_risk_changed)
        events.subscribe(ReviewTransitioned, outbox.on_review_transitioned)
        events.subscribe_batch(outbox.on_review_transitioned, outbox.on_review_transitioned_many)
        events.subscribe(VerificationRecorded, outbox.on_verification_recorded)
