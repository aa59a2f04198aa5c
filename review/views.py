"""The review pages: server-rendered, thin. Each view checks the role (capability_required),
validates a form, and calls one service or selector; the rules live in the services.

GET pages never change anything; every change is a POST with a CSRF token, answered with a
redirect (PRG) or, when refused, the page again with the reason and a 4xx status.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from candidates.models import RiskLevel
from core.audit import audit_record
from core.exceptions import ApplicationError
from review import charts, roles
from review.cases import case_for_candidate
from review.filters import AuditFilterSet
from review.forms import (
    DecisionForm,
    IdentityCorrectionForm,
    StartForm,
    VerificationOutcomeForm,
    VerificationRequestForm,
)
from review.graph import graph_layout, graph_svg
from review.models import DecisionAction, ReviewState, VerificationOutcome
from review.queue_views import queue_render
from review.rings import fraud_links, ring_sizes
from review.selectors import (
    audit_base,
    audit_export_events,
    audit_page,
    candidate_get,
    candidate_graph,
    candidate_review,
    candidate_timeline,
    candidates_brief,
    overview_data,
    queue_next,
    score_history,
    verification_requests,
)
from review.services import (
    review_approve,
    review_clear,
    review_escalate,
    review_refusal_record,
    review_reject,
    review_start,
    verification_outcome_record,
    verification_request_create,
)
from review.signin import SignInForm
from review.themes import flag_views, themes_group, top_reasons
from review.verdict import VerdictInput, score_scale, verdict_compose
from signals.selectors import level_thresholds
from signals.services import identity_correction_record


class SignInView(LoginView):
    """Sign-in; a locked-out attempt is answered 429 by axes' middleware (review/signin.py)."""

    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_GET
@roles.capability_required(roles.VIEW)
def queue(request):
    """The dense queue: review/queue_views.py renders it (sorts, bulk bar, ownership)."""
    return queue_render(request, request.GET)


@require_GET
@roles.capability_required(roles.VIEW)
def candidate_detail(request, pk: int):
    return _candidate_page(request, _candidate_or_404(pk))


@require_POST
@roles.capability_required(roles.REVIEW)
def candidate_start(request, pk: int):
    candidate = _candidate_or_404(pk)
    form = StartForm(request.POST)
    state = form.cleaned_data["expected_state"] if form.is_valid() else None
    try:
        review_start(candidate_id=pk, actor=request.user, expected_state=state)
    except ApplicationError as exc:
        return _refused(request, candidate, DecisionAction.START, exc)
    messages.success(request, f"You are reviewing {candidate.full_name}.")
    return redirect("review:candidate", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def candidate_clear(request, pk: int):
    return _decide(request, pk, DecisionAction.CLEAR, review_clear)


@require_POST
@roles.capability_required(roles.REVIEW)
def candidate_escalate(request, pk: int):
    return _decide(request, pk, DecisionAction.ESCALATE, review_escalate)


@require_POST
@roles.capability_required(roles.DECIDE)
def candidate_approve(request, pk: int):
    return _decide(request, pk, DecisionAction.APPROVE, review_approve)


@require_POST
@roles.capability_required(roles.DECIDE)
def candidate_reject(request, pk: int):
    return _decide(request, pk, DecisionAction.REJECT, review_reject)


@require_POST
@roles.capability_required(roles.REVIEW)
def verification_request(request, pk: int):
    candidate = _candidate_or_404(pk)
    form = VerificationRequestForm(request.POST)
    if not form.is_valid():
        return _candidate_page(request, candidate, forms={"verify": form}, status=400)
    try:
        verification_request_create(candidate_id=pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, candidate, "verify", exc, form=form)
    messages.success(request, "Verification request recorded.")
    return redirect("review:candidate", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def verification_outcome(request, pk: int, verification_id: int):
    candidate = _candidate_or_404(pk)
    form = VerificationOutcomeForm(request.POST)
    if not form.is_valid():
        return _candidate_page(request, candidate, status=400,
                               error="Choose the outcome of the verification.")
    try:
        verification_outcome_record(candidate_id=pk, verification_id=verification_id,
                                    actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, candidate, "verification_outcome", exc)
    messages.success(request, "Verification outcome recorded.")
    return redirect("review:candidate", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def resolution_correct(request, pk: int):
    """"Same person" / "not the same person": recorded (and audited) by signals, which
    re-scores both candidates."""
    candidate = _candidate_or_404(pk)
    form = IdentityCorrectionForm(request.POST)
    if not form.is_valid():
        return _candidate_page(request, candidate, status=400,
                               error="Choose same person or not the same person.")
    try:
        identity_correction_record(candidate_id=pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, candidate, "resolution", exc)
    messages.success(request, "Correction recorded; both candidates are being re-scored.")
    return redirect("review:candidate", pk=pk)


@require_GET
@roles.capability_required(roles.VIEW)
def overview(request):
    data = overview_data()
    return render(request, "review/overview.html", {
        "data": data, "open_total": sum(bucket["count"] for bucket in data["queue_age"]),
        "levels": charts.levels_chart(data["levels"]),
        "flags": charts.flags_chart(data["flags_by_week"]),
        "age": charts.columns_chart(data["queue_age"]),
        "age_applied": charts.columns_chart(data["queue_age_applied"]),
        "decisions": charts.decisions_chart(data["decisions"]),
        "reviewers": charts.reviewers_chart(data["reviewers"]),
        "median_wait": charts.duration_text(data["time_to_decision"]["median_hours"]),
        "p90_wait": charts.duration_text(data["time_to_decision"]["p90_hours"]),
    })


@require_GET
@roles.capability_required(roles.AUDIT)
def audit(request):
    filterset = AuditFilterSet(request.GET, queryset=audit_base())
    before = filterset.value("before")
    events, next_before = audit_page(queryset=filterset.qs,
                                     before_id=int(before) if before else None)
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "review/audit.html", {
        "form": filterset.form, "events": events, "next_before": next_before,
        "query": query.urlencode(), "first_page": not before,
    })


@require_GET
@roles.capability_required(roles.AUDIT)
def audit_export(request):
    """The audit trail (filtered like the page) as CSV, streamed; the export is audited."""
    filterset = AuditFilterSet(request.GET, queryset=audit_base())
    audit_record(actor=request.user, action="audit.export", target_type="audit",
                 target_id="csv", before=None, after=filterset.applied())
    rows = audit_export_events(filterset.qs)
    writer = csv.writer(_Echo())
    # The candidate's columns come last, so that columns read by position stay where they were.
    header = ["id", "created_at", "actor", "action", "target_type", "target_id", "before",
              "after", "candidate_name", "candidate_external_id"]
    lines = (writer.writerow(_csv_safe(row)) for row in _audit_rows(header, rows))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"'})


# --- helpers -------------------------------------------------------------------------------


# Refusals put on the audit trail: a wrong role, a maker-checker breach, approving a critical
# candidate without a verification or an override.
AUDITED_REFUSALS = ("forbidden", "maker_checker", "verification_required")

# Flags whose "others" a recruiter may re-resolve: the entity notes ("not the same person")
# and the reuse of a strong identifier ("same person": e.g. a married name).
CORRECTABLE_CODES = ("entity.same_person", "entity.household", "reuse.email", "reuse.phone",
                     "reuse.bank_account", "reuse.payout_email", "reuse.github",
                     "reuse.linkedin")


def _decide(request, pk: int, action: str, service):
    candidate = _candidate_or_404(pk)
    form = DecisionForm(request.POST, action=action)
    if not form.is_valid():
        return _candidate_page(request, candidate, forms={action: form}, status=400)
    try:
        service(candidate_id=pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, candidate, action, exc, form=form)
    messages.success(request, f"{DecisionAction(action).label}: {candidate.full_name}.")
    if request.POST.get("then") == "next":
        return _to_next(request, candidate, deciding=action in (DecisionAction.APPROVE,
                                                                DecisionAction.REJECT))
    return redirect("review:candidate", pk=pk)


def _to_next(request, candidate, *, deciding: bool):
    """"Clear & next", "Approve & next"...: on to the next candidate the user can act on
    (review.selectors.queue_next), or back to the queue when there is none."""
    following = queue_next(candidate, request.user, deciding=deciding)
    if following is None:
        messages.info(request, "Nothing left to review after this one in the queue.")
        return redirect("review:queue")
    return redirect("review:candidate", pk=following.pk)


def _refused(request, candidate, action: str, exc: ApplicationError, form=None):
    """The page again, with why the service refused; refusals on role or maker-checker
    grounds are put on the audit trail."""
    if exc.code in AUDITED_REFUSALS:
        review_refusal_record(candidate_id=candidate.pk, actor=request.user, action=action,
                              error=exc)
    candidate = _candidate_or_404(candidate.pk)  # reload: the state may have moved on
    forms = None
    if form is not None and exc.code in ("invalid", "verification_required"):
        forms = {action: form}  # shown again as typed, with the service's field errors
        for name, errors in exc.extra.get("fields", {}).items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, errors)
    return _candidate_page(request, candidate, forms=forms, error=exc.message,
                           status=exc.status_code)


def _candidate_or_404(pk: int):
    candidate = candidate_get(candidate_id=pk)
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def _candidate_page(request, candidate, *, forms: dict | None = None, error: str = "",
                    status: int = 200):
    review = candidate_review(candidate)
    graph = candidate_graph(candidate=candidate)
    state = review.state
    forms = forms or {}
    user = request.user
    can_review = roles.user_can(user, roles.REVIEW)
    can_decide = roles.user_can(user, roles.DECIDE)
    # A score being written offers no decision: it may be about to change (issue 12).
    scoring = candidate.risk_score is None or candidate.risk_status == "pending"
    initial = {"expected_state": state}
    decision_forms = {
        action: forms.get(action) or DecisionForm(initial=initial, action=action)
        for action in ("clear", "escalate", "approve", "reject")
    }
    verifications = verification_requests(candidate_id=candidate.pk)
    is_maker = state == ReviewState.ESCALATED and review.escalated_by_id == user.pk
    context = {
        "candidate": candidate, "review": review, "state": ReviewState(state),
        "flags": candidate.risk_flags or [], "graph": graph,
        "graph_svg": graph_svg(graph_layout(graph),
                               title=f"Applicants linked to {candidate.full_name}",
                               node_url=lambda pk: reverse("review:candidate", args=[pk])),
        "graph_mini": graph_svg(graph_layout(graph, compact=True),
                                title=f"Applicants linked to {candidate.full_name}",
                                node_url=lambda pk: reverse("review:candidate", args=[pk]),
                                compact=True) if graph.links else "",
        "history": score_history(candidate_id=candidate.pk),
        "timeline": candidate_timeline(candidate_id=candidate.pk),
        "verifications": verifications,
        "forms": decision_forms, "start_form": StartForm(initial=initial),
        "verify_form": forms.get("verify") or VerificationRequestForm(),
        "outcome_form": VerificationOutcomeForm(),
        "scoring": scoring,
        "can_start": can_review and state == ReviewState.NEW and not scoring,
        "can_triage": can_review and state in (ReviewState.NEW, ReviewState.IN_REVIEW)
        and not scoring,
        "can_verify": can_review and state in (ReviewState.NEW, ReviewState.IN_REVIEW,
                                               ReviewState.ESCALATED),
        "can_decide": can_decide and state == ReviewState.ESCALATED and not is_maker
        and not scoring,
        "is_maker": is_maker,
        "error": error, "pending_outcome": VerificationOutcome.PENDING,
        "can_correct": can_review, "correctable_codes": CORRECTABLE_CODES,
        "next_candidate": queue_next(candidate, user),
        "previous_candidate": queue_next(candidate, user, backwards=True),
    }
    context |= _why(candidate, verifications, is_admin=roles.ADMIN in roles.user_roles(user))
    return render(request, "review/candidate.html", context, status=status)


def _why(candidate, verifications, *, is_admin: bool) -> dict:
    """The page's opening: the verdict, the score on its scale, the ring, the top reasons and
    the flags by theme (weak ones and notes folded away)."""
    views = flag_views(candidate.risk_flags or [], is_admin=is_admin)
    named = {o["id"] for v in views for o in v.others}
    ring = ring_sizes([candidate.pk]).get(candidate.pk, 1)
    fraud_ids = fraud_links([candidate.pk]).get(candidate.pk, [])
    brief = candidates_brief(named | set(fraud_ids))
    shipping = [a.city for a in candidate.addresses.all() if a.kind == "shipping" and a.city]
    verdict = verdict_compose(VerdictInput(
        flags=candidate.risk_flags or [], shipping_city=shipping[0] if shipping else "",
        levels={i: row["risk_level"] for i, row in brief.items()},
        scored=candidate.risk_score is not None))
    # Latest outcome first, in the order review.services.verification_passed reads them.
    outcomes = [v.outcome for v in sorted(
        (v for v in verifications if v.outcome != VerificationOutcome.PENDING),
        key=lambda v: (v.outcome_at, v.pk), reverse=True)]
    return {
        "verdict": verdict,
        "scale": score_scale(candidate.risk_level, level_thresholds()),
        "ring_size": ring, "case_link": case_for_candidate(candidate.pk, ring_size=ring),
        "fraud_links": [brief[i] for i in fraud_ids if i in brief],
        "reasons": top_reasons(views),
        "themes": themes_group([v for v in views if not v.folded]),
        "folded": themes_group([v for v in views if v.folded]),
        "folded_count": sum(1 for v in views if v.folded),
        "strong_count": sum(1 for v in views if not v.folded),
        "verification_badge": outcomes[0] if outcomes else "",  # the latest outcome
        # Approving needs a passed verification or an override (review.services).
        "needs_verification": (candidate.risk_level == RiskLevel.CRITICAL
                               and (outcomes[:1] != [VerificationOutcome.PASSED])),
        "is_admin": is_admin,
    }


class _Echo:
    """csv.writer target that hands each line back instead of buffering the whole file."""

    def write(self, value):
        return value


def _audit_rows(header, events):
    yield header
    for event in events:
        yield [event.pk, event.created_at.isoformat(), event.actor_label, event.action,
               event.target_type, event.target_id,
               "" if event.before is None else json.dumps(event.before, sort_keys=True),
               "" if event.after is None else json.dumps(event.after, sort_keys=True),
               event.candidate.name if event.candidate else "",
               event.candidate.external_id if event.candidate else ""]


def _csv_safe(row):
    """Cells a spreadsheet would run as a formula (=, +, -, @) are prefixed with a quote."""
    return [f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t",
                                                                 "\r") else cell
            for cell in row]

