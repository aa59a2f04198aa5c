"""Scoring results: the history of every scoring run of a candidate."""

from django.db import models

from candidates.models import Candidate, RiskLevel


class ScoreRun(models.Model):
    """One scoring run: what the checks found, the score, and what produced it.

    A run is stored only when its result differs from the candidate's previous run, so
    re-running the same scoring (a redelivered task) adds nothing.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="score_runs")
    revision = models.PositiveIntegerField(help_text="The candidate revision that was scored.")
    version = models.CharField(max_length=40, help_text="Scoring engine version.")
    score = models.PositiveIntegerField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    flags = models.JSONField(default=list)
    failed_checks = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Score history on the candidate page, newest first.
            models.Index(fields=["candidate", "-created_at"], name="scorerun_history"),
        ]
