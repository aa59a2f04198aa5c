"""Cases: a ring decided as one (issue 12).

A case is opened from a candidate's ring (review.rings.ring_member_ids) and freezes its
members then: a ring-mate who applies later is not pulled into a case someone is deciding.
One decision of the case is applied to every member it applies to, each member through
review.services.review_transition (the same rules as on the candidate page: roles,
maker-checker per member, scored only, reason and comment), in ONE transaction: if any
member is refused, nothing is applied and the refusal says which members and why, so that
they can be excluded (or decided on their own page) and the case decided again.

- Which members a decision applies to: those not excluded whose state the transition
  starts from (escalate and clear: new or in review; approve and reject: escalated). The
  others keep their state and the page says so (a member already rejected stays rejected).
- Excluded members stay listed with who excluded them and why; no decision of the case
  touches them. Excluding and including again are audited.
- A candidate is in at most one open case (a partial unique index on CaseMember.case_open).
  Opening a ring whose members are partly in another open case opens it without them and
  says so; opening from a candidate that is in an open case is refused (open that one).
- The case is decided when no member it decides (not excluded) is still open (new, in
  review, escalated); or closed without a decision by whoever closes it.
- Its history is the audit trail: case.open, case.assign, case.exclude, case.include,
  case.decide, case.close (target "case", the case id); each member's own decisions are
  review.* events on the candidate, their comments starting "Decided as case #12: ".

Selectors (reads) follow the services; every one is a fixed number of queries whatever the
number of members.
"""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from candidates.choices import WEAK_IDENTIFIER_KINDS
from candidates.events import CandidateErased
from candidates.models import Candidate
from core.audit import AuditEvent, audit_record
from core.exceptions import ApplicationError
from review import roles
from review.events import ReviewTransitioned
from review.graph import kind_label, mask_label
from review.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Case,
    CaseMember,
    CaseState,
    DecisionAction,
    ReviewState,
)
from review.rings import fraud_links, ring_member_ids, ring_sizes
from review.selectors import (
    KIND_ORDER,
    GraphData,
    _shared_identifiers,
    member_timelines,
)
from review.services import ALL_REASONS, COMMENT_MAX, TRANSITIONS, review_transition

# The decisions a case takes, and the capability each needs (as on the candidate page).
CASE_ACTIONS = (DecisionAction.ESCALATE, DecisionAction.CLEAR, DecisionAction.APPROVE,
                DecisionAction.REJECT)
# Room left in a member's decision comment for "Decided as case #123456: ".
CASE_COMMENT_MAX = COMMENT_MAX - 40
REASON_MAX = 1000
TITLE_HUBS = 2  # identifiers named in a case's title


def _case_prefix(case_id: int) -> str:
    return f"Decided as case #{case_id}: "


# --- Services ------------------------------------------------------------------------------


def _require(actor, capability: str) -> None:
    if not roles.user_can(actor, capability):
        raise ApplicationError(roles.CAPABILITY_HINTS[capability], code="forbidden")


def _locked_case(case_id: int, *, open_only: bool = True) -> Case:
    """The case row, locked: operations on one case (exclude, decide, assign) never
    interleave."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise ApplicationError("No such case.", code="not_found")
    if open_only and case.state != CaseState.OPEN:
        raise ApplicationError(f"Case #{case.pk} is {case.get_state_display().lower()}.",
                               code="invalid_transition")
    return case


def case_title(hubs: list[dict]) -> str:
    """"Ring sharing Bank account …0042, 77 Elm Street": the strong identifiers shared by
    the most members."""
    strong = [h for h in hubs if h["kind"] not in WEAK_IDENTIFIER_KINDS]
    strong.sort(key=lambda h: (-len(h["members"]), KIND_ORDER.get(h["kind"], 99)))
    names = [hub_name(h["kind"], h["label"]) for h in strong[:TITLE_HUBS]]
    return ("Ring sharing " + ", ".join(names))[:200] if names else "Linked applicants"


def hub_name(kind: str, label: str) -> str:
    """A shared identifier as a reviewer may read it: masked, with its kind unless the label
    says it already; addresses by their first line."""
    label = mask_label(kind, label)
    if kind.endswith("_address"):
        return label.split(",")[0]
    kind_text = kind_label(kind)
    return label if label.lower().startswith(kind_text.lower()) else f"{kind_text} {label}"


@transaction.atomic
def case_open(*, candidate_id: int, actor) -> Case:
    """Open the candidate's ring as a case, its members frozen now. Ring-mates already in
    another open case are left out (and named on the audit event)."""
    _require(actor, roles.REVIEW)
    if not Candidate.objects.filter(pk=candidate_id).exists():
        raise ApplicationError("No such candidate.", code="not_found")
    current = open_case_of(candidate_id)
    if current is not None:
        raise ApplicationError(f"This candidate is already in case #{current.pk}, which is "
                               "open: decide it there.", code="invalid_transition",
                               extra={"case_id": current.pk})
    ring = ring_member_ids(candidate_id)
    taken = dict(CaseMember.objects.filter(candidate_id__in=ring, case_open=True)
                 .values_list("candidate_id", "case_id"))
    members = [i for i in ring if i not in taken]
    if len(members) < 2:
        raise ApplicationError("This candidate shares no strong identifier with another "
                               "applicant outside an open case: there is no ring to open.",
                               code="invalid_transition")
    case = Case(title=case_title(_shared_identifiers(members)), opened_from_id=candidate_id,
                opened_by=actor)
    case.full_clean()
    case.save()
    try:
        with transaction.atomic():
            CaseMember.objects.bulk_create([CaseMember(case=case, candidate_id=i)
                                            for i in members])
    except IntegrityError as exc:  # a ring-mate went into another case meanwhile
        raise ApplicationError("Another case was opened with some of these applicants just "
                               "now. Nothing was saved; look again.", code="stale") from exc
    audit_record(actor=actor, action="case.open", target_type="case", target_id=case.pk,
                 before=None, after={"opened_from": candidate_id,
                                     "members": members,
                                     "left_out": {str(k): v for k, v in taken.items()}})
    return case


def on_candidate_erased(event: CandidateErased) -> None:
    """Subscribed to candidates' CandidateErased (review/apps.py), in the erasing
    transaction: a case's title quotes shared identifiers (an address's first line), so the
    titles of the cases the candidate is in are written again from what is left."""
    cases = Case.objects.filter(members__candidate_id=event.candidate_id).distinct()
    for case in cases:
        ids = list(case.members.values_list("candidate_id", flat=True))
        case.title = case_title(_shared_identifiers(ids))
        case.save(update_fields=["title", "updated_at"])


@transaction.atomic
def case_assign(*, case_id: int, actor, assignee_id: int | None) -> Case:
    """Give the case to a recruiter or HR lead (None: to nobody)."""
    _require(actor, roles.REVIEW)
    case = _locked_case(case_id)
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None or not roles.user_can(assignee, roles.REVIEW):
            raise ApplicationError("Assign the case to a recruiter or an HR lead.",
                                   code="invalid")
    before = case.assignee.get_username() if case.assignee_id else None
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    audit_record(actor=actor, action="case.assign", target_type="case", target_id=case.pk,
                 before={"assignee": before},
                 after={"assignee": assignee.get_username() if assignee else None})
    return case


@transaction.atomic
def case_members_exclude(*, case_id: int, actor, candidate_ids: list[int],
                         reason: str) -> list[int]:
    """Exclude members from the case's decisions, with why. Returns the ids excluded."""
    _require(actor, roles.REVIEW)
    case = _locked_case(case_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ApplicationError("Say why these applicants are left out of the case's "
                               "decisions.", code="invalid",
                               extra={"fields": {"reason": ["Give a reason."]}})
    members = list(CaseMember.objects.filter(case=case, candidate_id__in=candidate_ids,
                                             excluded=False))
    if not members or len(members) != len(set(candidate_ids)):
        raise ApplicationError("Choose members of the case that are not excluded yet.",
                               code="invalid",
                               extra={"fields": {"members": ["Choose members."]}})
    now = timezone.now()
    for member in members:
        member.excluded, member.excluded_by, member.excluded_at = True, actor, now
        member.excluded_reason = reason
    CaseMember.objects.bulk_update(members, ["excluded", "excluded_by", "excluded_at",
                                             "excluded_reason"])
    ids = sorted(m.candidate_id for m in members)
    audit_record(actor=actor, action="case.exclude", target_type="case", target_id=case.pk,
                 before=None, after={"members": ids, "reason": reason})
    return ids


@transaction.atomic
def case_member_include(*, case_id: int, actor, candidate_id: int) -> None:
    """Undo an exclusion: the case's next decision applies to the member again."""
    _require(actor, roles.REVIEW)
    case = _locked_case(case_id)
    member = CaseMember.objects.filter(case=case, candidate_id=candidate_id,
                                       excluded=True).first()
    if member is None:
        raise ApplicationError("This applicant is not excluded from the case.",
                               code="invalid")
    before = {"member": candidate_id, "reason": member.excluded_reason,
              "excluded_by": member.excluded_by.get_username()}
    member.excluded, member.excluded_by, member.excluded_at = False, None, None
    member.excluded_reason = ""
    member.save(update_fields=["excluded", "excluded_by", "excluded_at", "excluded_reason"])
    audit_record(actor=actor, action="case.include", target_type="case", target_id=case.pk,
                 before=before, after={"member": candidate_id})


@dataclass
class CaseDecided:
    case: Case
    applied: list[int]  # members the decision was applied to
    unaffected: list[int] = field(default_factory=list)  # not in a state it starts from


@dataclass
class MemberRefusal:
    candidate_id: int
    name: str
    code: str
    message: str


def case_decide(*, case_id: int, actor, action: str, reason_code: str, comment: str,
                expected: dict[int, str] | None = None, override: bool = False,
                override_reason: str = "") -> CaseDecided:
    """Apply one decision to every member it applies to, all or nothing.

    `expected` is {member id: state} as the page showed the members not excluded: if the
    members or their states changed since, nothing is applied (stale). If any member is
    refused by review_transition, nothing is applied and ApplicationError is raised with
    extra={"members": [MemberRefusal, ...]} (every refused member, not just the first)
    and the code of the first refusal.

    `override` and `override_reason` are passed to every member's approval: a critical member
    without a passed identity verification is approved only on the HR lead's explicit
    override with a reason (review.services), recorded on each member's decision.
    """
    if action not in CASE_ACTIONS:
        raise ApplicationError(f"Unknown action {action!r}.", code="invalid")
    _require(actor, TRANSITIONS[action].capability)
    return _case_decide(case_id=case_id, actor=actor, action=action, reason_code=reason_code,
                        comment=comment, expected=expected, override=override,
                        override_reason=override_reason)


@transaction.atomic
def _case_decide(*, case_id, actor, action, reason_code, comment, expected, override,
                 override_reason) -> CaseDecided:
    rule = TRANSITIONS[action]
    case = _locked_case(case_id)
    comment = (comment or "").strip()
    if len(comment) > CASE_COMMENT_MAX:
        raise ApplicationError("The decision needs a shorter comment.", code="invalid",
                               extra={"fields": {"comment": [
                                   f"Keep the comment under {CASE_COMMENT_MAX} characters."]}})
    members = _decided_members(case)
    states = {m["id"]: m["state"] for m in members}
    if expected is not None and expected != states:
        raise ApplicationError("The case changed while you were looking at it (a member's "
                               "state, or who is excluded). Nothing was saved; look again.",
                               code="stale")
    targets = [m for m in members if m["state"] in rule.sources]
    if not targets:
        raise ApplicationError(f"No member of the case can be "
                               f"{DecisionAction(action).label.lower()} now.",
                               code="invalid_transition")
    refusals = []
    token = _deciding_as_case.set(True)  # the members' own events do not finish the case
    try:
        for member in targets:  # by candidate id: the row locks are always taken in one order
            try:
                review_transition(candidate_id=member["id"], actor=actor, action=action,
                                  reason_code=reason_code,
                                  comment=_case_prefix(case.pk) + comment if comment else "",
                                  expected_state=member["state"], override=override,
                                  override_reason=override_reason)
            except ApplicationError as exc:
                if exc.code == "invalid":  # the reason or comment: the same for every member
                    raise
                refusals.append(MemberRefusal(member["id"], member["name"], exc.code,
                                              exc.message))
    finally:
        _deciding_as_case.reset(token)
    if refusals:
        names = ", ".join(r.name for r in refusals)
        raise ApplicationError(
            f"Nothing was applied: {len(refusals)} member{'s' if len(refusals) > 1 else ''} "
            f"of the case cannot be {DecisionAction(action).label.lower()} ({names}). "
            "Exclude them from the case's decisions, or decide them on their own page.",
            code=refusals[0].code, extra={"members": refusals})
    applied = [m["id"] for m in targets]
    unaffected = [m["id"] for m in members if m["state"] not in rule.sources]
    after_states = {**states, **{i: rule.target for i in applied}}
    closing = not any(state in OPEN_STATES for state in after_states.values())
    if closing:
        _case_finish(case, CaseState.DECIDED, actor)
    audit_record(actor=actor, action="case.decide", target_type="case", target_id=case.pk,
                 before={"state": CaseState.OPEN.value},
                 after={"action": action, "reason_code": reason_code, "comment": comment,
                        "applied": applied, "unaffected": unaffected,
                        "excluded": _excluded_ids(case), "state": case.state})
    return CaseDecided(case=case, applied=applied, unaffected=unaffected)


# Set while a case decision applies itself to its members: their ReviewTransitioned events
# must not finish the case before the decision does (it finishes it once, with its audit).
_deciding_as_case: ContextVar[bool] = ContextVar("deciding_as_case", default=False)


def on_review_transitioned(event: ReviewTransitioned) -> None:
    """Subscribed to ReviewTransitioned (review/apps.py): a member decided on its own page
    (or cleared in bulk) may have been the last open member of its case."""
    on_reviews_transitioned([event])


def on_reviews_transitioned(events_: list[ReviewTransitioned]) -> None:
    """The batch twin (core.events.emit_many, bulk clear): one query for all of them.

    An open case whose every member not excluded is decided is finished as decided, by
    whoever took the last decision, and audited ("case.decided_elsewhere"); a case whose
    last decision was the system's (no review needed) stays open for a person to close."""
    if _deciding_as_case.get():
        return
    last_actor = {e.candidate_id: e.actor for e in events_ if e.to_state in CLOSED_STATES}
    if not last_actor:
        return
    members = (CaseMember.objects.filter(candidate_id__in=list(last_actor), case_open=True)
               .values_list("case_id", "candidate_id"))
    last = {case_id: (last_actor[candidate_id], candidate_id)  # case -> (actor, member)
            for case_id, candidate_id in members}
    user_model = get_user_model()
    users = {user.get_username(): user for user in user_model.objects.filter(
        **{f"{user_model.USERNAME_FIELD}__in": {actor for actor, _ in last.values()}})}
    cases = list(Case.objects.select_for_update().filter(pk__in=list(last),
                                                         state=CaseState.OPEN))
    still_open = set(CaseMember.objects.filter(
        case__in=cases, excluded=False).filter(
        Q(candidate__review__isnull=True) | Q(candidate__review__state__in=OPEN_STATES))
        .values_list("case_id", flat=True))
    for case in cases:
        actor, member = last[case.pk]
        decider = users.get(actor)
        if decider is None or case.pk in still_open:
            continue
        _case_finish(case, CaseState.DECIDED, decider)
        audit_record(actor=decider, action="case.decided_elsewhere", target_type="case",
                     target_id=case.pk, before={"state": CaseState.OPEN.value},
                     after={"state": CaseState.DECIDED.value, "last_member": member})


def _decided_members(case: Case) -> list[dict]:
    """The members a decision may apply to (not excluded), by id, with their state now."""
    rows = (CaseMember.objects.filter(case=case, excluded=False).order_by("candidate_id")
            .values_list("candidate_id", "candidate__full_name", "candidate__review__state"))
    return [{"id": i, "name": name, "state": state or ReviewState.NEW.value}
            for i, name, state in rows]


def _excluded_ids(case: Case) -> list[int]:
    return sorted(CaseMember.objects.filter(case=case, excluded=True)
                  .values_list("candidate_id", flat=True))


def _case_finish(case: Case, state: str, actor) -> None:
    case.state = state
    case.decided_by, case.decided_at = actor, timezone.now()
    case.full_clean()
    case.save()
    CaseMember.objects.filter(case=case).update(case_open=False)


@transaction.atomic
def case_close(*, case_id: int, actor, comment: str) -> Case:
    """Close an open case without a decision (opened by mistake, not a ring after all): its
    members are free to be in another case; their reviews are untouched."""
    _require(actor, roles.REVIEW)
    case = _locked_case(case_id)
    comment = (comment or "").strip()
    if not comment or len(comment) > REASON_MAX:
        raise ApplicationError("Say why the case is closed without a decision.",
                               code="invalid", extra={"fields": {"comment": ["Say why."]}})
    _case_finish(case, CaseState.CLOSED, actor)
    audit_record(actor=actor, action="case.close", target_type="case", target_id=case.pk,
                 before={"state": CaseState.OPEN.value},
                 after={"state": CaseState.CLOSED.value, "comment": comment})
    return case


def case_refusal_record(*, case_id: int, actor, action: str, error: ApplicationError) -> None:
    """Put a refused case decision on the audit trail (in a transaction of its own: the
    decision itself was rolled back)."""
    members = [{"id": r.candidate_id, "code": r.code, "message": r.message}
               for r in error.extra.get("members", [])]
    audit_record(actor=actor, action=f"case.{action}.refused", target_type="case",
                 target_id=case_id, before=None,
                 after={"code": error.code, "message": error.message, "members": members})


# --- Selectors -----------------------------------------------------------------------------


def open_case_of(candidate_id: int) -> Case | None:
    """The open case the candidate is in, if any (the partial unique index)."""
    member = (CaseMember.objects.filter(candidate_id=candidate_id, case_open=True)
              .select_related("case").first())
    return member.case if member else None


def case_for_candidate(candidate_id: int, *, ring_size: int | None = None) -> dict:
    """What templates/review/_case_link.html shows on a candidate's page: the open case it
    is in ({"case", "member"}), else its ring size to offer opening one, and the last case
    it was decided in. One or two indexed queries; `ring_size` when the caller already
    counted the ring (review.rings.ring_sizes)."""
    member = (CaseMember.objects.filter(candidate_id=candidate_id)
              .select_related("case").order_by("-case_open", "-case_id").first())
    context = {"case": None, "member": None, "last_case": None, "ring_size": 1,
               "candidate_id": candidate_id}
    if member is not None and member.case_open:
        context.update(case=member.case, member=member)
        return context
    if member is not None:
        context["last_case"] = member.case
    context["ring_size"] = (ring_size if ring_size is not None
                            else ring_sizes([candidate_id]).get(candidate_id, 1))
    return context


def case_preview(*, candidate_id: int) -> dict:
    """What opening the candidate's ring as a case would do: its members (those already in
    an open case named apart), what ties them and the title."""
    ring = ring_member_ids(candidate_id)
    taken = dict(CaseMember.objects.filter(candidate_id__in=ring, case_open=True)
                 .values_list("candidate_id", "case_id"))
    members = [i for i in ring if i not in taken]
    rows = _candidate_rows(ring)
    hubs = _shared_identifiers(members)
    return {
        "members": [rows[i] for i in members if i in rows],
        "taken": [dict(rows[i], case_id=case_id) for i, case_id in taken.items() if i in rows],
        "hubs": _hub_rows(hubs, rows),
        "title": case_title(hubs),
        "current": open_case_of(candidate_id),
        "can_open": len(members) >= 2 and candidate_id not in taken,
    }


def _candidate_rows(ids: list[int]) -> dict[int, dict]:
    rows = (Candidate.objects.filter(pk__in=ids)
            .values("id", "full_name", "external_id", "risk_score", "risk_level",
                    "review__state", "review__assignee__username"))
    result = {}
    for row in rows:
        row["state"] = row.pop("review__state") or ReviewState.NEW.value
        row["assignee"] = row.pop("review__assignee__username") or ""
        result[row["id"]] = row
    return result


def _hub_rows(hubs: list[dict], rows: dict[int, dict]) -> list[dict]:
    return [{"kind": h["kind"], "kind_label": kind_label(h["kind"]),
             "label": mask_label(h["kind"], h["label"]),
             "weak": h["kind"] in WEAK_IDENTIFIER_KINDS,
             "members": [rows[i] for i in h["members"] if i in rows]}
            for h in hubs]


@dataclass
class CaseListRow:
    case: Case
    members: int
    excluded: int
    by_state: list[tuple[str, int]]  # (review state, members), in the workflow's order


def case_list(*, open_cases: bool = True, limit: int = 200) -> list[CaseListRow]:
    """Open cases, oldest first (the ones waiting longest), or the others (decided or
    closed), newest first; with member counts by review state. Two queries."""
    qs = Case.objects.select_related("assignee", "opened_by", "decided_by")
    if open_cases:
        qs = qs.filter(state=CaseState.OPEN).order_by("created_at", "id")
    else:
        qs = qs.exclude(state=CaseState.OPEN).order_by("-decided_at", "-id")
    cases = list(qs[:limit])
    counts = (CaseMember.objects.filter(case__in=cases).order_by()
              .values_list("case_id", "excluded", "candidate__review__state")
              .annotate(n=Count("id")))
    by_case: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    excluded: dict[int, int] = defaultdict(int)
    for case_id, is_excluded, review_state, n in counts:
        if is_excluded:
            excluded[case_id] += n
        else:
            by_case[case_id][review_state or ReviewState.NEW.value] += n
    order_of = {s: i for i, s in enumerate(ReviewState.values)}
    return [CaseListRow(case=c, members=sum(by_case[c.pk].values()) + excluded[c.pk],
                        excluded=excluded[c.pk],
                        by_state=sorted(by_case[c.pk].items(), key=lambda x: order_of[x[0]]))
            for c in cases]


def case_get(*, case_id: int) -> Case | None:
    return (Case.objects.select_related("assignee", "opened_by", "decided_by", "opened_from")
            .filter(pk=case_id).first())


@dataclass
class CasePage:
    case: Case
    members: list[dict]  # every member, with its review, exclusion, fraud links, timeline
    hubs: list[dict]
    graph: GraphData
    timeline: list[dict]  # the case's own history
    states: dict[int, str]  # {member id: state} of the members not excluded
    counts: dict[str, int]  # members not excluded, by review state


def case_page(case: Case) -> CasePage:
    """Everything the case page shows, in a fixed number of queries whatever the number of
    members: the members with their reviews (1), what ties them (1), their ring-mates
    rejected as fraud (1), their timelines (2: decisions, verifications), the case's audit
    events (1)."""
    members = list(
        CaseMember.objects.filter(case=case).order_by("candidate_id").values(
            "candidate_id", "excluded", "excluded_reason", "excluded_at",
            "excluded_by__username", "candidate__full_name", "candidate__external_id",
            "candidate__risk_score", "candidate__risk_level", "candidate__review__state",
            "candidate__review__escalated_by_id", "candidate__review__assignee__username"))
    ids = [m["candidate_id"] for m in members]
    hubs = _shared_identifiers(ids)
    fraud = fraud_links(ids)
    timelines = member_timelines(ids)
    shares: dict[int, list[str]] = defaultdict(list)
    for hub in hubs:
        for member_id in hub["members"]:
            if hub["kind"] not in shares[member_id]:
                shares[member_id].append(hub["kind"])
    rows, nodes = [], {}
    for m in members:
        cid = m["candidate_id"]
        node = {"id": cid, "full_name": m["candidate__full_name"],
                "external_id": m["candidate__external_id"],
                "risk_score": m["candidate__risk_score"],
                "risk_level": m["candidate__risk_level"],
                "state": m["candidate__review__state"] or ReviewState.NEW.value}
        nodes[cid] = node
        rows.append(node | {
            "assignee": m["candidate__review__assignee__username"] or "",
            "escalated_by_id": m["candidate__review__escalated_by_id"],
            "excluded": m["excluded"], "excluded_reason": m["excluded_reason"],
            "excluded_at": m["excluded_at"], "excluded_by": m["excluded_by__username"] or "",
            "fraud_links": len(fraud.get(cid, [])), "shares": shares.get(cid, []),
            "timeline": timelines.get(cid, []),
        })
    by_id = {r["id"]: r for r in rows}
    center = case.opened_from_id if case.opened_from_id in nodes else (ids[0] if ids else 0)
    graph = GraphData(center_id=center, nodes=nodes, hubs=hubs, links=[], hidden=0)
    states = {r["id"]: r["state"] for r in rows if not r["excluded"]}
    counts: dict[str, int] = defaultdict(int)
    for state in states.values():
        counts[state] += 1
    return CasePage(case=case, members=rows, hubs=_hub_rows(hubs, by_id), graph=graph,
                    timeline=case_timeline(case, names={r["id"]: r["full_name"] for r in rows}),
                    states=states, counts=dict(counts))


CASE_EVENT_LABELS = {
    "case.open": "Case opened",
    "case.assign": "Assigned",
    "case.exclude": "Excluded from the case's decisions",
    "case.include": "Included again",
    "case.decide": "Decision applied",
    "case.close": "Closed without a decision",
    "case.decided_elsewhere": "Decided: its last open member was decided on its own page",
}


def case_timeline(case: Case, *, names: dict[int, str]) -> list[dict]:
    """The case's own history, oldest first, from the audit trail (one indexed query)."""
    events = (AuditEvent.objects.filter(target_type="case", target_id=str(case.pk))
              .order_by("id"))
    entries = []
    for e in events:
        after = e.after or {}
        entry = {"at": e.created_at, "actor": e.actor_label, "action": e.action,
                 "label": CASE_EVENT_LABELS.get(e.action, e.action), "detail": "",
                 "comment": ""}

        def who(ids):
            return ", ".join(names.get(i, f"#{i}") for i in ids)

        if e.action == "case.open":
            entry["detail"] = f"{len(after.get('members', []))} members"
            if after.get("left_out"):
                entry["detail"] += (f"; {len(after['left_out'])} left out, already in "
                                    "another open case")
        elif e.action == "case.assign":
            entry["detail"] = f"to {after.get('assignee') or 'nobody'}"
        elif e.action == "case.exclude":
            entry["detail"], entry["comment"] = who(after.get("members", [])), after.get(
                "reason", "")
        elif e.action == "case.include":
            entry["detail"] = who([after.get("member")])
        elif e.action == "case.decide":
            label = DecisionAction(after["action"]).label if after.get("action") in \
                DecisionAction.values else after.get("action", "")
            entry["label"] = f"{label}: the case's decision"
            entry["detail"] = (f"{len(after.get('applied', []))} members; "
                               f"{ALL_REASONS.get(after.get('reason_code'), '')}")
            entry["comment"] = after.get("comment", "")
        elif e.action == "case.close":
            entry["comment"] = after.get("comment", "")
        elif e.action.endswith(".refused"):
            entry["label"] = "Refused: " + e.action.split(".")[1]
            entry["detail"] = after.get("message", "")
        entries.append(entry)
    return entries


def case_assignees() -> list[tuple[int, str]]:
    """Who a case can be given to: active recruiters and HR leads, by username."""
    groups = Group.objects.filter(name__in=roles.GROUP_ROLES)
    return list(get_user_model().objects.filter(is_active=True, groups__in=groups)
                .distinct().order_by("username").values_list("id", "username"))

