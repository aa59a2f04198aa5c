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


class IdentityCorrection(models.Model):
    """A recruiter's correction of the entity resolution (signals.resolution) for one pair of
    candidates: "same person" or "not the same person". The pair is stored with the lower id
    first, so one row holds the pair whichever page it was corrected from; a new correction
    of the pair replaces the old (both are on the audit trail)."""

    SAME, DIFFERENT = "same", "different"
    first = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10, choices=[(SAME, "Same person"),
                                                       (DIFFERENT, "Not the same person")])
    corrected_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="correction_unique_pair"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                   name="correction_ordered_pair"),
        ]
        indexes = [
            # Resolution asks for the corrections of one candidate, from either side.
            models.Index(fields=["second"], name="correction_second"),
        ]


class KnownBadIdentifier(models.Model):
    """A strong identifier (kind, key) of a candidate an HR lead rejected as fraud, or whose
    identity verification failed: any other record presenting it is critical, with the
    decision as evidence. Withdrawn (not deleted) when the decision is reversed, so the
    history stays."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=255)
    label = models.CharField(max_length=255, blank=True)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE,
                                  related_name="known_bad_identifiers")
    reason = models.CharField(max_length=40)
    decided_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The known-bad check: is (kind, key) known bad? (only rows still in force)
            models.Index(fields=["kind", "key"], name="knownbad_lookup",
                         condition=models.Q(withdrawn_at__isnull=True)),
            models.Index(fields=["candidate"], name="knownbad_candidate"),
        ]


class CareerKey(models.Model):
    """Keys of a candidate's employment history, indexed so that a look-up finds who else has
    them (signals.career): "career" keys (two consecutive jobs: employers and start years),
    which survive any rewording of the resume text, and "employer" keys (one employer's
    folded name) for rare employers shared by unrelated applicants (front companies).
    Written at scoring time by career_keys_store, like the resume signature."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE,
                                  related_name="career_keys", db_index=False)
    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "kind", "key"], name="careerkey_unique"),
        ]
        indexes = [
            # Who else has this key?
            models.Index(fields=["kind", "key"], name="careerkey_lookup"),
        ]


class WeightDraft(models.Model):
    """A weight set an admin tries before it goes live (issue 10, item 6): overrides of the
    weights in force (flag points, combination bonuses, level thresholds). Previewed against
    the stored recent candidates and the evaluation population (signals.preview), then
    published (audited), which writes the overrides into FlagWeight, ComboWeight and
    LevelThreshold."""

    name = models.CharField(max_length=100)
    points = models.JSONField(default=dict, blank=True, help_text='{"flag.code": points}')
    combos = models.JSONField(default=dict, blank=True, help_text='{"combo_name": bonus}')
    thresholds = models.JSONField(default=dict, blank=True,
                                  help_text='{"medium": 25, "high": 45, "critical": 80}')
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        unknown = sorted(set(self.points or {}) - set(CATALOG))
        if unknown:
            errors["points"] = f"Not flag codes of the catalog: {', '.join(unknown)}."
        bad = [k for k, v in (self.points or {}).items() if not isinstance(v, int) or v < 0]
        bad += [k for k, v in (self.combos or {}).items() if not isinstance(v, int) or v < 0]
        if bad:
            errors["points"] = f"Points must be whole numbers, 0 or more: {', '.join(bad)}."
        levels = set(self.thresholds or {}) - {"medium", "high", "critical"}
        if levels:
            errors["thresholds"] = "Levels are medium, high and critical."
        if errors:
            raise ValidationError(errors)


class EvaluationCase(models.Model):
    """One applicant of the last published evaluation (demo's evaluate_scoring --store): its
    label, group and flags as scored, so that a draft weight set can be scored against the
    evaluation population in a page, without re-running the checks."""

    seed = models.IntegerField()
    label = models.CharField(max_length=10)  # "honest" or "fraud"
    group = models.CharField(max_length=100)
    flags = models.JSONField(default=list)
