from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review workflow: sign-in and roles, queue, candidate pages, decisions.

    The app label stays "vetting", the name it had when the review workflow lived in the
    project package: its tables (vetting_review, vetting_decision, ...) and its migration
    history keep their names, so an upgrade moves no data."""

    name = "review"
    label = "vetting"
    verbose_name = "Review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib import admin
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_save,
        )

        from candidates.events import CandidateErased
        from core import events
        from review import hooks, triage
        from review.api import api_extensions_register
        from review.cases import (
            on_candidate_erased,
            on_review_transitioned,
            on_reviews_transitioned,
        )
        from review.events import ReviewTransitioned
        from review.roles import groups_ensure
        from review.services import on_risk_changed
        from review.signin import AdminSignInForm, lockout_audit
        from signals.events import RiskChanged

        user_model = get_user_model()
        # Role changes happen wherever users are edited (admin, shell, create_user): they
        # are recorded from these hooks, which know nothing else about those places. This
        # is the "things that should not know about each other" case for signals.
        m2m_changed.connect(hooks.groups_changed, sender=user_model.groups.through,
                            dispatch_uid="vetting.groups_changed")
        pre_save.connect(hooks.user_pre_save, sender=user_model,
                         dispatch_uid="vetting.user_pre_save")
        post_save.connect(hooks.user_post_save, sender=user_model,
                          dispatch_uid="vetting.user_post_save")
        post_delete.connect(hooks.user_post_delete, sender=user_model,
                            dispatch_uid="vetting.user_post_delete")
        user_logged_in.connect(hooks.logged_in, dispatch_uid="vetting.logged_in")
        # Like Django's own contenttypes: the role groups exist after every migrate (and
        # after the test runner's flush).
        post_migrate.connect(lambda sender, **kwargs: groups_ensure(), sender=self,
                             weak=False, dispatch_uid="vetting.groups_ensure")
        # The admin's sign-in form shows the same lock-out message as ours (the lock-out itself
        # is enforced by axes' authentication backend for every sign-in).
        admin.site.login_form = AdminSignInForm
        # Lock-outs go on the audit trail, rate-limited (review/signin.py).
        user_locked_out.connect(lockout_audit, dispatch_uid="vetting.lockout_audit")
        # Scoring tells us when a risk was (re)computed: a higher level reopens a decision.
        events.subscribe(RiskChanged, on_risk_changed)
        # An erased candidate's identifiers leave the titles of its cases (review.cases).
        events.subscribe(CandidateErased, on_candidate_erased)
        # A case whose last open member was decided on its own page is decided too.
        events.subscribe(ReviewTransitioned, on_review_transitioned)
        events.subscribe_batch(on_review_transitioned, on_reviews_transitioned)
        # The ATS API shows the review state and filters by it; candidates cannot import us,
        # so we register into its extension points (candidates/extensions.py).
        api_extensions_register()
        # ...then "no review needed" and the round-robin (review/triage.py), after it.
        events.subscribe(RiskChanged, triage.on_risk_changed)
