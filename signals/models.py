"""Scoring data: editable weights, and the history of every scoring run of a candidate."""

from django.core.exceptions import ValidationError
from django.db import models

from candidates.models import Candidate, RiskLevel
from signals.catalog import CATALOG


class FlagWeight(models.Model):
    """The points one flag code adds. Rows are created from signals.catalog on migrate, and
    from then on edited here (admin); an edit applies to every score computed after it."""

    # No `choices`: the catalog grows with every new check, and a migration per new flag code
    # would be churn. clean() keeps codes to the catalog.
    code = models.CharField(max_length=60, unique=True)
    points = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.code}: {self.points}"

    def clean(self) -> None:
        if self.code not in CATALOG:
            raise ValidationError({"code": "Not a flag code of the catalog."})


class ComboWeight(models.Model):
    """Bonus points when flags occur together (see signals.catalog.COMBOS)."""

    name = models.CharField(max_length=60, unique=True)
    bonus = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: +{self.bonus}"


class LevelThreshold(models.Model):
    """The score at which a level starts (low starts at 0)."""

    level = models.CharField(
        max_length=10, unique=True,
        choices=[(c.value, c.label) for c in RiskLevel if c != RiskLevel.LOW],
    )
    min_score = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(min_score__gt=0), name="threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.level} from {self.min_score}"


class WeightSet(models.Model):
    """An immutable copy of the weights a score was computed with, stored once per version."""

    digest = models.CharField(max_length=64, unique=True)
    weights = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)


class ScoreRun(models.Model):
    """One scoring run: what the checks found, the score, and the weights that produced it.

    A run is stored only when its outcome differs from the candidate's previous run, so
    re-running the same scoring (a redelivered task, a re-score with nothing new) adds nothing.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="score_runs")
    revision = models.PositiveIntegerField(help_text="The candidate revision that was scored.")
    version = models.CharField(max_length=40, help_text="Scoring engine version.")
    weight_set = models.ForeignKey(WeightSet, on_delete=models.PROTECT)
    score = models.PositiveIntegerField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    flags = models.JSONField(default=list)
    failed_checks = models.JSONField(default=list)
    pending_checks = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Score history on the candidate page, newest first.
            models.Index(fields=["candidate", "-created_at"], name="scorerun_history"),
        ]


class ResumeSignature(models.Model):
    """A candidate's resume as a MinHash signature (signals.resume), to estimate how similar
    it is to the resumes it shares an LSH bucket with. Written by resume_signature_store."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE,
                                     related_name="resume_signature")
    version = models.PositiveSmallIntegerField(help_text="signals.resume.SIGNATURE_VERSION")
    signature = models.BinaryField(help_text="NUM_PERM little-endian uint32 minimums.")
    shingle_count = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)


class ResumeBand(models.Model):
    """One LSH band of a candidate's resume signature: resumes sharing a (band, bucket) are
    the only ones compared, so finding near-duplicates is an index look-up, not a scan."""

    # No index of its own: the unique (candidate, band) constraint's index starts with it.
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE,
                                  related_name="resume_bands", db_index=False)
    band = models.SmallIntegerField()
    bucket = models.BigIntegerField(help_text="64-bit hash of the band's signature values.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "band"], name="resumeband_unique_band"),
        ]
        indexes = [
            # Near-duplicate look-up: who else has this bucket in this band?
            models.Index(fields=["band", "bucket"], name="resumeband_lookup"),
        ]
