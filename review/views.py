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

from core.audit import audit_record
from core.exceptions import ApplicationError
from review import charts, roles
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
from review.selectors import (
    audit_base,
    audit_page,
    candidate_get,
    candidate_graph,
    candidate_review,
    candidate_timeline,
    overview_data,
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
        "decisions": charts.decisions_chart(data["decisions"]),
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
    rows = filterset.qs.iterator(chunk_size=2000)
    writer = csv.writer(_Echo())
    header = ["id", "created_at", "actor", "action", "target_type", "target_id", "before",
              "after"]
    lines = (writer.writerow(_csv_safe(row)) for row in _audit_rows(header, rows))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"'})


# --- helpers -------------------------------------------------------------------------------


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
    return redirect("review:candidate", pk=pk)


def _refused(request, candidate, action: str, exc: ApplicationError, form=None):
    """The page again, with why the service refused; refusals on role or maker-checker
    grounds are put on the audit trail."""
    if exc.code in ("forbidden", "maker_checker"):
        review_refusal_record(candidate_id=candidate.pk, actor=request.user, action=action,
                              error=exc)
    candidate = _candidate_or_404(candidate.pk)  # reload: the state may have moved on
    forms = {action: form} if form is not None and exc.code == "invalid" else None
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
    initial = {"expected_state": state}
    decision_forms = {
        action: forms.get(action) or DecisionForm(initial=initial, action=action)
        for action in ("clear", "escalate", "approve", "reject")
    }
    context = {
        "candidate": candidate, "review": review, "state": ReviewState(state),
        "flags": candidate.risk_flags or [], "graph": graph,
        "graph_svg": graph_svg(graph_layout(graph),
                               title=f"Applicants linked to {candidate.full_name}",
                               node_url=lambda pk: reverse("review:candidate", args=[pk])),
        "history": score_history(candidate_id=candidate.pk),
        "timeline": candidate_timeline(candidate_id=candidate.pk),
        "verifications": verification_requests(candidate_id=candidate.pk),
        "forms": decision_forms, "start_form": StartForm(initial=initial),
        "verify_form": forms.get("verify") or VerificationRequestForm(),
        "outcome_form": VerificationOutcomeForm(),
        "can_start": can_review and state == ReviewState.NEW,
        "can_triage": can_review and state in (ReviewState.NEW, ReviewState.IN_REVIEW),
        "can_verify": can_review and state in (ReviewState.NEW, ReviewState.IN_REVIEW,
                                               ReviewState.ESCALATED),
        "can_decide": can_decide and state == ReviewState.ESCALATED,
        "is_maker": state == ReviewState.ESCALATED and review.escalated_by_id == user.pk,
        "error": error, "pending_outcome": VerificationOutcome.PENDING,
        "can_correct": can_review, "correctable_codes": CORRECTABLE_CODES,
    }
    return render(request, "review/candidate.html", context, status=status)


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
               "" if event.after is None else json.dumps(event.after, sort_keys=True)]


def _csv_safe(row):
    """Cells a spreadsheet would run as a formula (=, +, -, @) are prefixed with a quote."""
    return [f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t",
                                                                 "\r") else cell
            for cell in row]

