from django.apps import AppConfig


class SignalsConfig(AppConfig):
    """The red-flag checks and the risk score. (The app is named for risk signals; the code
    calls them checks, and there is deliberately no signals/signals.py.)"""

    name = "signals"
    verbose_name = "Risk checks and scoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from candidates.events import CandidateErased, EvidenceChanged
        from core import events
        from signals import tasks
        from signals.events import RescoreRequested
        from signals.services import on_candidate_erased, weights_sync

        # Like Django's own contenttypes: make sure every catalog flag has an editable weight.
        post_migrate.connect(lambda sender, **kwargs: weights_sync(), sender=self,
                             weak=False, dispatch_uid="signals.weights_sync")
        # The scoring hand-off: new evidence, or a linked candidate's change, is scored after
        # the change commits (see signals/tasks.py).
        events.subscribe(EvidenceChanged, tasks.on_evidence_changed)
        events.subscribe(RescoreRequested, tasks.on_rescore_requested)
        # An erased candidate leaves no derived personal data behind in scoring.
        events.subscribe(CandidateErased, on_candidate_erased)
