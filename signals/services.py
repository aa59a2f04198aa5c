"""Scoring a candidate: run the checks, score the flags, store the run, update the risk.

Each scoring computes two results. The full one matches the candidate against every
integration's applicants (a fraudster applying through two ATSs is one fraudster): the review
UI shows it, and the score history keeps it. The integration-scoped one sees only the other
candidates of the candidate's own integration (signals.lookups.ScopedLookups): it is the only
risk the ATS API returns, so no API key learns anything about another integration's
applicants, not even through the score (docs/tenancy.md).
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from candidates.events import CandidateErased
from candidates.models import Candidate, Identifier, RiskStatus
from candidates.selectors import links_from_matches
from core import events
from core.audit import audit_record
from core.exceptions import ApplicationError
from signals import (
    checks,  # noqa: F401  (registers every check)
    resume,
)
from signals.career import career_keys_store
from signals.catalog import CATALOG, COMBOS, DEFAULT_THRESHOLDS
from signals.checks.career import RARE_EMPLOYER_MAX, career_keys
from signals.checks.known_bad import KNOWN_BAD_KINDS
from signals.engine import CHECKS, run_checks
from signals.events import RescoreRequested, RiskChanged
from signals.lookups import DbLookups, ScopedLookups, snapshot_load
from signals.models import (
    CareerKey,
    ComboWeight,
    EvaluationCase,
    FlagWeight,
    IdentityCorrection,
    KnownBadIdentifier,
    LevelThreshold,
    ResumeBand,
    ResumeSignature,
    ScoreRun,
    WeightDraft,
    WeightSet,
)
from signals.scoring import score_flags, weights_load
from signals.selectors import level_thresholds_forget

logger = logging.getLogger(__name__)

# Bump when a check or the scoring rules change meaning, so history shows which engine ran.
SCORING_VERSION = "1.0"
# At most this many linked candidates are re-scored when a candidate changes: the most
# strongly linked first. A ring is far smaller; a popular office IP is not worth 5,000 runs.
RESCORE_LINKED_LIMIT = 200
# Candidates linked to a newcomer only by an IP are re-scored only while they are few. Many
# applicants on one IP means a VPN exit, an office or a carrier NAT: their scores change by
# at most the weak reuse.ip flag, and re-scoring all of them for every newcomer would grow with
# the square of the exit's users (measured in bench/scoring.py). They catch up at their own
# next scoring.
FANOUT_LIMITED_KINDS = {"ip"}
FANOUT_LIMIT = 20


@dataclass
class ScoreOutcome:
    candidate_id: int
    score: int
    level: str
    stored: bool  # False when the outcome equalled the previous run (nothing new stored)
    failed: list = field(default_factory=list)
    pending: list = field(default_factory=list)

    @property
    def retry_after(self) -> int | None:
        """Seconds after which to run again, when a check failed or could not run yet."""
        if self.pending:
            return max(p["retry_after"] for p in self.pending)
        return 60 if self.failed else None


def candidate_scoring_claim(*, candidate_id: int, lease_seconds: int) -> bool:
    """Record that a worker starts scoring the candidate and may run for `lease_seconds`.

    Returns False when there is nothing to score: the candidate is gone, or scored at its
    current revision with every check complete. That is a duplicate message, e.g. one the
    sweep re-sent while the first still waited in a backlog, or one Redis redelivered after
    its visibility timeout because the worker holding it was killed. The lease is not
    exclusive (two runs are harmless: the score is stored under a row lock and an unchanged
    outcome stores nothing); a later start extends it. It is in database time, so the
    sweep's comparison does not depend on the clocks of the worker hosts.
    """
    claimed = (
        Candidate.objects.filter(pk=candidate_id)
        .filter(Q(risk_status=RiskStatus.PENDING) | ~Q(incomplete_checks=[]))
        .update(scoring_lease_until=Now() + timedelta(seconds=lease_seconds))
    )
    return claimed == 1


def candidate_score(*, candidate_id: int) -> ScoreOutcome | None:
    """Score the candidate's current revision. Idempotent: the same evidence and weights give
    the same outcome, and an unchanged outcome stores nothing new.

    The checks run outside the transaction (they only read); the result is written under a
    row lock, and discarded if the candidate changed meanwhile (its own task scores the new
    revision). The first scoring of a new revision also re-scores the candidates linked to
    it, so the first member of a ring is flagged once later members arrive.
    """
    snapshot = snapshot_load(candidate_id)
    if snapshot is None:
        return None  # deleted since it was enqueued
    resume.resume_signature_store(candidate_id=snapshot.id, text=snapshot.resume_text)
    career_keys_store(snapshot=snapshot)
    lookups = DbLookups(snapshot)
    results = run_checks(snapshot, lookups, CHECKS)
    # The same checks as the integration sees them: only those that asked about other
    # candidates run again, against the same self-join and resume search filtered in memory.
    scoped_results = run_checks(snapshot, ScopedLookups(lookups, snapshot.integration_id),
                                CHECKS, reuse=results)
    weights = weights_load()
    scored = score_flags(results.flags, weights)
    flags = json.loads(json.dumps(scored.flags, default=str))  # as stored, for comparison
    scoped = score_flags(scoped_results.flags, weights)

    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().filter(pk=candidate_id).first()
        if candidate is None or candidate.revision != snapshot.revision:
            return None
        weight_set, _ = WeightSet.objects.get_or_create(
            digest=weights.digest, defaults={"weights": weights.as_json()}
        )
        # A check failing in the scoped run only (same code, fewer others) is retried too.
        outcome = ScoreOutcome(
            candidate.pk, scored.score, scored.level, stored=False,
            failed=results.failed + [f for f in scoped_results.failed if f not in results.failed],
            pending=results.pending + [p for p in scoped_results.pending
                                       if p not in results.pending])
        previous = candidate.score_runs.order_by("-created_at", "-id").first()
        cascade = candidate.scored_revision != snapshot.revision
        current = (snapshot.revision, weight_set.pk, scored.score, scored.level, flags,
                   results.failed, results.pending)
        if previous is None or current != (
            previous.revision, previous.weight_set_id, previous.score, previous.level,
            previous.flags, previous.failed_checks, previous.pending_checks,
        ):
            ScoreRun.objects.create(
                candidate=candidate, revision=snapshot.revision, version=SCORING_VERSION,
                weight_set=weight_set, score=scored.score, level=scored.level,
                flags=flags, failed_checks=results.failed,
                pending_checks=results.pending,
            )
            outcome.stored = True
            candidate.scored_at = timezone.now()
        elif candidate.scored_at is None:
            candidate.scored_at = previous.created_at
        old_level, old_scoped = candidate.risk_level, (
            candidate.scoped_score, candidate.scoped_level, candidate.scoped_flags)
        candidate.risk_status = RiskStatus.SCORED
        candidate.risk_score = scored.score
        candidate.risk_level = scored.level
        candidate.risk_flags = flags
        candidate.scored_revision = snapshot.revision
        candidate.scoring_lease_until = None  # the run is over
        candidate.incomplete_checks = _incomplete(results)
        candidate.scoped_score = scoped.score
        candidate.scoped_level = scoped.level
        candidate.scoped_flags = json.loads(json.dumps(scoped.flags, default=str))
        candidate.scoped_incomplete_checks = _incomplete(scoped_results)
        candidate.save(update_fields=["risk_status", "risk_score", "risk_level", "risk_flags",
                                      "scored_at", "scored_revision", "incomplete_checks",
                                      "scoped_score", "scoped_level", "scoped_flags",
                                      "scoped_incomplete_checks", "scoring_lease_until",
                                      "updated_at"])
        # The review workflow (and whoever else listens) hears of it in this transaction,
        # with the new risk already saved on the candidate.
        events.emit(RiskChanged(
            candidate_id=candidate.pk, old_level=old_level, new_level=scored.level,
            score=scored.score, old_scoped_level=old_scoped[1] or "",
            new_scoped_level=scoped.level, scoped_score=scoped.score,
            scoped_changed=old_scoped != (candidate.scoped_score, candidate.scoped_level,
                                          candidate.scoped_flags)))
        # A level crossing critical changes what flows along strong links (risk_flow):
        # the linked candidates are re-scored too, so a decision's effect reaches them now.
        if cascade or (old_level == "critical") != (scored.level == "critical"):
            _rescore_linked(snapshot, lookups)
    return outcome


def _incomplete(results) -> list[dict]:
    return (
        [{"check": f["check"], "status": "failed", "reason": f["error"]}
         for f in results.failed]
        + [{"check": p["check"], "status": "pending", "reason": p["reason"]}
           for p in results.pending]
    )


def _rescore_linked(snapshot, lookups: DbLookups) -> None:
    """Mark the candidates linked to this one for re-scoring; the hand-off (signals/tasks.py)
    enqueues them after commit.

    They are set back to pending in this transaction, so a broker outage only delays their
    re-score (the sweep sends them) and never loses it. Their current score stays visible.
    """
    # The same self-join and resume search the checks just ran: read from the look-ups.
    links = links_from_matches(lookups.matches())
    linked = [link["id"] for link in links if set(link["shared"]) - FANOUT_LIMITED_KINDS]
    ip_only = [link["id"] for link in links if not set(link["shared"]) - FANOUT_LIMITED_KINDS]
    if len(ip_only) <= FANOUT_LIMIT:
        linked += ip_only
    linked += [other.id for other, _ in lookups.similar_resumes(snapshot)]
    for kind, key, _label in career_keys(snapshot.employments):
        peers = lookups.career_peers(kind, key)
        # A template's copies, and the holders of a rare employer (a front company), up to
        # and including the newcomer that makes it common (their flag goes); a common
        # employer's many holders do not change with one more.
        if kind == "career" or len(peers) <= RARE_EMPLOYER_MAX:
            linked += [other.id for other in peers]
    rescore_request(list(dict.fromkeys(linked))[:RESCORE_LINKED_LIMIT])


def rescore_request(ids: list[int]) -> None:
    """Set these candidates back to pending and hand them to the workers after commit
    (RescoreRequested): a new hand-off, not yet published nor started (updated_at dates it
    for the sweep, and an old worker's lease no longer holds it)."""
    if not ids:
        return
    Candidate.objects.filter(pk__in=ids).update(
        risk_status=RiskStatus.PENDING, enqueued_at=None, scoring_lease_until=None,
        updated_at=timezone.now(),
    )
    events.emit(RescoreRequested(candidate_ids=tuple(ids)))


def weights_sync() -> None:
    """Create a weight row for every catalog flag, combination and level that has none.

    Existing rows are never changed: after the first migrate, the admin owns the weights.
    """
    for code, spec in CATALOG.items():
        FlagWeight.objects.get_or_create(code=code, defaults={"points": spec.points})
    for combo in COMBOS:
        ComboWeight.objects.get_or_create(name=combo.name, defaults={"bonus": combo.bonus})
    for level, min_score in DEFAULT_THRESHOLDS.items():
        LevelThreshold.objects.get_or_create(level=level, defaults={"min_score": min_score})


def on_candidate_erased(event: CandidateErased) -> None:
    """Subscribed in signals/apps.py: what scoring derived from an erased candidate goes too
    (score history quoted its identifiers in flag evidence; the resume signature is a
    fingerprint of its resume). The scores themselves stay, for the decisions taken on them."""
    ScoreRun.objects.filter(candidate_id=event.candidate_id).update(flags=[])
    ResumeBand.objects.filter(candidate_id=event.candidate_id).delete()
    ResumeSignature.objects.filter(candidate_id=event.candidate_id).delete()
    CareerKey.objects.filter(candidate_id=event.candidate_id).delete()
    KnownBadIdentifier.objects.filter(candidate_id=event.candidate_id).delete()


# --- What the HR leads decided feeds back (issue 10, item 5) ---------------------------------

def known_bad_record(*, candidate_id: int, reason: str, decided_by: str = "") -> int:
    """Make the candidate's strong identifiers known bad (a rejection as fraud, a failed
    identity verification) and set every other candidate presenting one back to pending, so
    that they are re-scored now, not when the next newcomer arrives. Called by the review
    workflow inside the decision's transaction; the re-scores are enqueued after it commits
    (RescoreRequested). Idempotent: identifiers already known bad from this candidate are
    not recorded twice. Returns how many candidates were set back to pending."""
    identifiers = list(Identifier.objects.filter(candidate_id=candidate_id,
                                                 kind__in=KNOWN_BAD_KINDS)
                       .values_list("kind", "key", "label"))
    with transaction.atomic():
        in_force = set(KnownBadIdentifier.objects
                       .filter(candidate_id=candidate_id, withdrawn_at__isnull=True)
                       .values_list("kind", "key"))
        KnownBadIdentifier.objects.bulk_create([
            KnownBadIdentifier(kind=kind, key=key, label=label, candidate_id=candidate_id,
                               reason=reason, decided_by=decided_by)
            for kind, key, label in identifiers if (kind, key) not in in_force
        ])
        return _rescore_presenting(candidate_id, [(k, key) for k, key, _ in identifiers])


def known_bad_withdraw(*, candidate_id: int) -> int:
    """The decision was reversed (the review reopened): the candidate's identifiers are no
    longer known bad, and the candidates presenting them are re-scored. Returns how many."""
    with transaction.atomic():
        rows = KnownBadIdentifier.objects.filter(candidate_id=candidate_id,
                                                 withdrawn_at__isnull=True)
        keys = list(rows.values_list("kind", "key"))
        if not keys:
            return 0
        rows.update(withdrawn_at=timezone.now())
        return _rescore_presenting(candidate_id, keys)


def _rescore_presenting(candidate_id: int, keys: list[tuple[str, str]]) -> int:
    presenting = Q()
    for kind, key in keys:  # one query, each (kind, key) an indexed look-up
        presenting |= Q(kind=kind, key=key)
    ids = list(Identifier.objects.filter(presenting).exclude(candidate_id=candidate_id)
               .order_by("candidate_id").values_list("candidate_id", flat=True)
               .distinct()[:RESCORE_LINKED_LIMIT])
    rescore_request(ids)
    return len(ids)


# --- Recruiter corrections of the entity resolution ------------------------------------------

def identity_correction_record(*, candidate_id: int, other_id: int, verdict: str,
                               actor) -> IdentityCorrection:
    """Record a recruiter's "same person" / "not the same person" for a pair of candidates,
    on the audit trail, and re-score both (after commit). The caller checks the role."""
    if verdict not in (IdentityCorrection.SAME, IdentityCorrection.DIFFERENT):
        raise ApplicationError("Choose same person or not the same person.", code="invalid")
    if candidate_id == other_id:
        raise ApplicationError("A candidate is always the same person as itself.",
                               code="invalid")
    first, second = sorted((candidate_id, other_id))
    with transaction.atomic():
        found = list(Candidate.objects.select_for_update().filter(pk__in=(first, second))
                     .order_by("pk").values_list("pk", flat=True))
        if len(found) != 2:
            raise ApplicationError("No such candidate.", code="not_found")
        previous = IdentityCorrection.objects.filter(first_id=first, second_id=second).first()
        correction, _ = IdentityCorrection.objects.update_or_create(
            first_id=first, second_id=second,
            defaults={"verdict": verdict, "corrected_by": actor.get_username()})
        audit_record(actor=actor, action="resolution.correct", target_type="candidate",
                     target_id=candidate_id,
                     before={"other_id": other_id,
                             "verdict": previous.verdict if previous else None},
                     after={"other_id": other_id, "verdict": verdict})
        rescore_request([first, second])
    return correction


# --- Draft weights (issue 10, item 6) ---------------------------------------------------------

def weight_draft_publish(*, draft_id: int, actor) -> WeightDraft:
    """Put a previewed draft live: its overrides are written into the weight rows, each
    change on the audit trail, and the draft is marked published. Scores change at each
    candidate's next scoring (the weights in force are read then)."""
    with transaction.atomic():
        draft = WeightDraft.objects.select_for_update().filter(pk=draft_id).first()
        if draft is None:
            raise ApplicationError("No such draft.", code="not_found")
        if draft.published_at is not None:
            raise ApplicationError("This draft is already live.", code="invalid_transition")
        draft.full_clean()
        before, after = {}, {}
        for code, points in (draft.points or {}).items():
            row, _ = FlagWeight.objects.select_for_update().get_or_create(
                code=code, defaults={"points": points})
            before[code], after[code] = row.points, points
            row.points = points
            row.save(update_fields=["points", "updated_at"])
        for name, bonus in (draft.combos or {}).items():
            row, _ = ComboWeight.objects.select_for_update().get_or_create(
                name=name, defaults={"bonus": bonus})
            before[f"combo.{name}"], after[f"combo.{name}"] = row.bonus, bonus
            row.bonus = bonus
            row.save(update_fields=["bonus", "updated_at"])
        for level, min_score in (draft.thresholds or {}).items():
            row, _ = LevelThreshold.objects.select_for_update().get_or_create(
                level=level, defaults={"min_score": min_score})
            before[f"threshold.{level}"], after[f"threshold.{level}"] = row.min_score, min_score
            row.min_score = min_score
            row.save(update_fields=["min_score", "updated_at"])
        if draft.thresholds:
            transaction.on_commit(level_thresholds_forget)
        draft.published_at = timezone.now()
        draft.published_by = actor.get_username()
        draft.save(update_fields=["published_at", "published_by"])
        audit_record(actor=actor, action="weights.publish_draft", target_type="signals.weightdraft",
                     target_id=draft.pk, before=before, after=after)
    return draft


def evaluation_cases_store(*, cases: list[tuple[int, str, str, list]]) -> int:
    """Replace the stored evaluation population (seed, label, group, flags): what the
    draft-weights preview scores drafts against. Called by demo's evaluate_scoring."""
    with transaction.atomic():
        EvaluationCase.objects.all().delete()
        EvaluationCase.objects.bulk_create([
            EvaluationCase(seed=seed, label=label, group=group, flags=flags)
            for seed, label, group, flags in cases])
    return len(cases)
