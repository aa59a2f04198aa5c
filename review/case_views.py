"""The case pages (review/cases.py): the list of cases, opening a ring as a case, and a
case's page with its decisions. Thin, like review/views.py: each view checks the role,
validates a form and calls one service or selector; every change is a POST answered with a
redirect, or with the page again, the reason and a 4xx status when refused."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates.models import Candidate
from core.exceptions import ApplicationError
from review import roles
from review.case_forms import (
    CaseAssignForm,
    CaseCloseForm,
    CaseDecisionForm,
    CaseExcludeForm,
    CaseIncludeForm,
    states_encode,
)
from review.case_render import candidate_url_maker, member_links, timeline_html
from review.cases import (
    CASE_ACTIONS,
    case_assign,
    case_assignees,
    case_close,
    case_decide,
    case_get,
    case_list,
    case_member_include,
    case_members_exclude,
    case_open,
    case_page,
    case_preview,
    case_refusal_record,
)
from review.graph import graph_layout, graph_svg, kind_label
from review.models import CaseState, DecisionAction
from review.services import TRANSITIONS
from review.templatetags.review import level_badge, state_badge


@require_GET
@roles.capability_required(roles.VIEW)
def cases(request):
    return render(request, "review/cases.html", {
        "open_cases": case_list(), "past_cases": case_list(open_cases=False, limit=30)})


@require_http_methods(["GET", "POST"])
@roles.capability_required(roles.VIEW)
def case_open_page(request):
    """GET: the candidate's ring as it would be opened; POST: open it."""
    candidate = _candidate_from(request)
    if request.method == "POST":
        return _case_open(request, candidate)
    return _preview(request, candidate)


@roles.capability_required(roles.REVIEW)
def _case_open(request, candidate):
    try:
        case = case_open(candidate_id=candidate.pk, actor=request.user)
    except ApplicationError as exc:
        return _preview(request, candidate, error=exc.message, status=exc.status_code)
    messages.success(request, f"Case #{case.pk} opened with {case.members.count()} members.")
    return redirect("review:case", pk=case.pk)


@require_GET
@roles.capability_required(roles.VIEW)
def case_detail(request, pk: int):
    return _case_page(request, _case_or_404(pk))


@require_POST
@roles.capability_required(roles.REVIEW)
def case_escalate(request, pk: int):
    return _decide(request, pk, DecisionAction.ESCALATE)


@require_POST
@roles.capability_required(roles.REVIEW)
def case_clear(request, pk: int):
    return _decide(request, pk, DecisionAction.CLEAR)


@require_POST
@roles.capability_required(roles.DECIDE)
def case_approve(request, pk: int):
    return _decide(request, pk, DecisionAction.APPROVE)


@require_POST
@roles.capability_required(roles.DECIDE)
def case_reject(request, pk: int):
    return _decide(request, pk, DecisionAction.REJECT)


@require_POST
@roles.capability_required(roles.REVIEW)
def case_exclude(request, pk: int):
    case = _case_or_404(pk)
    form = CaseExcludeForm(request.POST, member_ids=list(
        case.members.values_list("candidate_id", flat=True)))
    if not form.is_valid():
        return _case_page(request, case, forms={"exclude": form}, status=400,
                          error="Tick the members to exclude and say why.")
    try:
        ids = case_members_exclude(case_id=pk, actor=request.user,
                                   candidate_ids=form.cleaned_data["members"],
                                   reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        return _case_page(request, _case_or_404(pk), error=exc.message, status=exc.status_code)
    messages.success(request, f"{len(ids)} member{'s' if len(ids) > 1 else ''} excluded from "
                     "the case's decisions.")
    return redirect("review:case", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def case_include(request, pk: int):
    case = _case_or_404(pk)
    form = CaseIncludeForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error="Choose a member.")
    try:
        case_member_include(case_id=pk, actor=request.user,
                            candidate_id=form.cleaned_data["candidate"])
    except ApplicationError as exc:
        return _case_page(request, case, error=exc.message, status=exc.status_code)
    messages.success(request, "Included again in the case's decisions.")
    return redirect("review:case", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def case_assign_view(request, pk: int):
    case = _case_or_404(pk)
    form = CaseAssignForm(request.POST, users=case_assignees())
    if not form.is_valid():
        return _case_page(request, case, status=400, error="Choose a recruiter or HR lead.")
    try:
        case = case_assign(case_id=pk, actor=request.user,
                           assignee_id=form.cleaned_data["assignee"])
    except ApplicationError as exc:
        return _case_page(request, case, error=exc.message, status=exc.status_code)
    who = case.assignee.get_username() if case.assignee_id else "nobody"
    messages.success(request, f"Case #{pk} assigned to {who}.")
    return redirect("review:case", pk=pk)


@require_POST
@roles.capability_required(roles.REVIEW)
def case_close_view(request, pk: int):
    case = _case_or_404(pk)
    form = CaseCloseForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, forms={"close": form}, status=400,
                          error="Say why the case is closed without a decision.")
    try:
        case_close(case_id=pk, actor=request.user, comment=form.cleaned_data["comment"])
    except ApplicationError as exc:
        return _case_page(request, case, error=exc.message, status=exc.status_code)
    messages.success(request, f"Case #{pk} closed without a decision.")
    return redirect("review:case", pk=pk)


# --- helpers -------------------------------------------------------------------------------


def _decide(request, pk: int, action: str):
    case = _case_or_404(pk)
    form = CaseDecisionForm(request.POST, action=action)
    if not form.is_valid():
        return _case_page(request, case, forms={action: form}, status=400)
    try:
        decided = case_decide(case_id=pk, actor=request.user, action=action,
                              reason_code=form.cleaned_data["reason_code"],
                              comment=form.cleaned_data["comment"],
                              expected=form.cleaned_data["expected"],
                              override=form.cleaned_data.get("override", False),
                              override_reason=form.cleaned_data.get("override_reason", ""))
    except ApplicationError as exc:
        if exc.code in ("forbidden", "maker_checker"):
            case_refusal_record(case_id=pk, actor=request.user, action=action, error=exc)
        keep = {action: form} if exc.code == "invalid" else None
        return _case_page(request, _case_or_404(pk), forms=keep, error=exc.message,
                          refusals=exc.extra.get("members", []), status=exc.status_code)
    n = len(decided.applied)
    messages.success(request, f"{DecisionAction(action).label} as case #{pk}: {n} "
                     f"member{'s' if n > 1 else ''}.")
    return redirect("review:case", pk=pk)


def _candidate_from(request):
    raw = request.POST.get("candidate") or request.GET.get("candidate") or ""
    candidate = (Candidate.objects.only("id", "full_name", "external_id")
                 .filter(pk=int(raw)).first() if raw.isdigit() else None)
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def _case_or_404(pk: int):
    case = case_get(case_id=pk)
    if case is None:
        raise Http404("No such case.")
    return case


def _preview(request, candidate, *, error: str = "", status: int = 200):
    return render(request, "review/case_open.html", {
        "candidate": candidate, "preview": case_preview(candidate_id=candidate.pk),
        "can_open": roles.user_can(request.user, roles.REVIEW), "error": error,
    }, status=status)


def _ticked(form) -> set[int]:
    if form is None:
        return set()
    return {int(v) for v in form.data.getlist("members") if str(v).isdigit()}


def _case_page(request, case, *, forms: dict | None = None, error: str = "",
               refusals: list | None = None, status: int = 200):
    page = case_page(case)
    url = candidate_url_maker()
    for member in page.members:
        member["url"] = url(member["id"])
        member["timeline_html"] = timeline_html(member["timeline"])
        member["shares_text"] = ", ".join(kind_label(kind) for kind in member["shares"])
        member["level_html"] = level_badge(member["risk_level"], member["risk_score"])
        member["state_html"] = state_badge(member["state"])
    for hub in page.hubs:
        hub["links"] = member_links(hub["members"], url)
    forms = forms or {}
    user = request.user
    is_open = case.state == CaseState.OPEN
    expected = states_encode(page.states)
    decisions = []
    for action in CASE_ACTIONS:
        rule = TRANSITIONS[action]
        if not (is_open and roles.user_can(user, rule.capability)):
            continue
        targets = [m for m in page.members if not m["excluded"] and m["state"] in rule.sources]
        if not targets:
            continue
        decisions.append({
            "action": action, "targets": targets,
            "names": ", ".join(m["full_name"] or m["external_id"] for m in targets),
            "form": forms.get(action) or CaseDecisionForm(initial={"expected": expected},
                                                          action=action),
            "makers": [m for m in targets if rule.maker_checker
                       and m["escalated_by_id"] == user.pk],
        })
    ids = [m["id"] for m in page.members]
    can_review = is_open and roles.user_can(user, roles.REVIEW)
    return render(request, "review/case.html", {
        "case": case, "page": page, "decisions": decisions, "error": error,
        "refusals": refusals or [], "can_review": can_review,
        "exclude_form": forms.get("exclude") or CaseExcludeForm(member_ids=ids),
        # The members ticked in a refused exclusion stay ticked.
        "excluding": _ticked(forms.get("exclude")),
        "assign_form": CaseAssignForm(initial={"assignee": case.assignee_id},
                                      users=case_assignees()) if can_review else None,
        "close_form": forms.get("close") or CaseCloseForm(),
        "excluded_count": sum(1 for m in page.members if m["excluded"]),
        "graph_svg": graph_svg(graph_layout(page.graph),
                               title=f"Case #{case.pk}: what ties its members",
                               node_url=url),
    }, status=status)
