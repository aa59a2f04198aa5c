"""Cases (review/cases.py): a ring opened as a case, its members frozen, decided as one in
one transaction, each member through review_transition (maker-checker per member)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import AuditEvent
from core.exceptions import ApplicationError
from review.bulk import review_bulk_clear
from review.cases import (
    case_assign,
    case_close,
    case_decide,
    case_for_candidate,
    case_member_include,
    case_members_exclude,
    case_open,
    case_page,
)
from review.models import CaseMember, CaseState, Decision, Review, ReviewState
from review.rings import fraud_links
from review.selectors import candidate_timeline, member_timelines
from review.services import (
    review_clear,
    review_escalate,
    review_reject,
    verification_request_create,
)
from tests.review.factories import BANK, candidate_make, client_for, ring_make

pytestmark = pytest.mark.django_db

DECISION = {"reason_code": "other", "comment": "Checked the whole ring."}


def state(candidate) -> str:
    review = Review.objects.filter(candidate_id=candidate.pk).first()
    return review.state if review else ReviewState.NEW


def events(case) -> list[str]:
    return list(AuditEvent.objects.filter(target_type="case", target_id=str(case.pk))
                .order_by("id").values_list("action", flat=True))


def test_it_opens_the_ring_with_its_members_frozen(recruiter):
    ring = ring_make(4)
    case = case_open(candidate_id=ring[2].pk, actor=recruiter)
    assert case.state == CaseState.OPEN and case.opened_from_id == ring[2].pk
    assert case.title == "Ring sharing Bank account …0042, 77 Elm Street"
    assert sorted(case.members.values_list("candidate_id", flat=True)) == [m.pk for m in ring]
    late = candidate_make("Late Applicant", 90, identifiers=[BANK])  # same IBAN, later
    assert not case.members.filter(candidate_id=late.pk).exists()
    opened = AuditEvent.objects.get(action="case.open")
    assert opened.actor == recruiter and opened.after["members"] == [
        ring[2].pk, *sorted(m.pk for m in ring if m != ring[2])]


def test_a_candidate_is_in_one_open_case_at_most(recruiter):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    with pytest.raises(ApplicationError) as refused:
        case_open(candidate_id=ring[1].pk, actor=recruiter)
    assert refused.value.code == "invalid_transition" and refused.value.extra == {
        "case_id": case.pk}
    # The database holds the rule too.
    other = type(case).objects.create(title="x", opened_from=ring[0], opened_by=recruiter)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseMember.objects.create(case=other, candidate=ring[1])


def test_ring_mates_in_another_open_case_are_left_out(recruiter):
    phone = ("phone", "+15125550999", "+15125550999")
    a = candidate_make("Anna A", 60, identifiers=[BANK])
    b = candidate_make("Ben B", 60, identifiers=[BANK, phone])
    c = candidate_make("Cleo C", 60, identifiers=[phone])
    d = candidate_make("Dan D", 60, identifiers=[phone])
    first = case_open(candidate_id=a.pk, actor=recruiter)
    assert sorted(first.members.values_list("candidate_id", flat=True)) == [a.pk, b.pk]
    second = case_open(candidate_id=c.pk, actor=recruiter)
    assert sorted(second.members.values_list("candidate_id", flat=True)) == [c.pk, d.pk]
    assert AuditEvent.objects.filter(action="case.open").last().after["left_out"] == {
        str(b.pk): first.pk}
    alone = candidate_make("Eve E", 60)
    with pytest.raises(ApplicationError, match="no ring to open"):
        case_open(candidate_id=alone.pk, actor=recruiter)


def test_it_applies_one_decision_to_every_member_but_the_excluded(recruiter):
    ring = ring_make(4)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    assert case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[ring[3].pk],
                                reason="Flatmate, explained on the phone") == [ring[3].pk]
    decided = case_decide(case_id=case.pk, actor=recruiter, action="escalate",
                          reason_code="laptop_farm", comment="One IBAN, one address.")
    assert decided.applied == [m.pk for m in ring[:3]]
    assert [state(m) for m in ring] == ["escalated"] * 3 + ["new"]
    comment = Decision.objects.filter(candidate=ring[0]).get().comment
    assert comment == f"Decided as case #{case.pk}: One IBAN, one address."
    assert events(case) == ["case.open", "case.exclude", "case.decide"]
    decide_event = AuditEvent.objects.get(action="case.decide")
    assert decide_event.after["applied"] == decided.applied
    assert decide_event.after["excluded"] == [ring[3].pk]
    case.refresh_from_db()
    assert case.state == CaseState.OPEN  # escalated members still wait for an HR lead


def test_the_reject_is_all_or_nothing_and_maker_checker_holds_per_member(recruiter, hr_lead,
                                                                          hr_lead2):
    ring = ring_make(4)
    # The HR lead escalated one member on its own page before the case existed.
    review_escalate(candidate_id=ring[3].pk, actor=hr_lead, reason_code="identity_ring",
                    comment="Shares an IBAN.")
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    decided = case_decide(case_id=case.pk, actor=recruiter, action="escalate",
                          reason_code="laptop_farm", comment="Ring.")
    assert decided.unaffected == [ring[3].pk]  # already escalated: left as it is

    with pytest.raises(ApplicationError) as refused:
        case_decide(case_id=case.pk, actor=hr_lead, action="reject",
                    reason_code="fraud_confirmed", comment="Ring confirmed.")
    assert refused.value.code == "maker_checker"
    assert [r.candidate_id for r in refused.value.extra["members"]] == [ring[3].pk]
    assert [state(m) for m in ring] == ["escalated"] * 4  # nothing applied
    assert not Decision.objects.filter(action="reject").exists()
    assert not AuditEvent.objects.filter(action__in=["review.reject", "case.decide"]).filter(
        actor=hr_lead).exists()

    case_members_exclude(case_id=case.pk, actor=hr_lead, candidate_ids=[ring[3].pk],
                         reason="I escalated it: another HR lead decides it.")
    case_decide(case_id=case.pk, actor=hr_lead, action="reject",
                reason_code="fraud_confirmed", comment="Ring confirmed.")
    assert [state(m) for m in ring] == ["rejected"] * 3 + ["escalated"]
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.decided_by == hr_lead
    assert not CaseMember.objects.filter(case=case, case_open=True).exists()
    assert fraud_links([ring[3].pk]) == {ring[3].pk: [m.pk for m in ring[:3]]}


def test_approving_critical_members_needs_verification_or_the_override(recruiter, hr_lead):
    ring = ring_make(3)  # scores 95, 88, 81: all critical, none verified
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_decide(case_id=case.pk, actor=recruiter, action="escalate",
                reason_code="laptop_farm", comment="Ring.")
    with pytest.raises(ApplicationError) as refused:
        case_decide(case_id=case.pk, actor=hr_lead, action="approve",
                    reason_code="flags_explained", comment="Explained.")
    assert refused.value.code == "verification_required"
    assert len(refused.value.extra["members"]) == 3
    assert [state(m) for m in ring] == ["escalated"] * 3
    case_decide(case_id=case.pk, actor=hr_lead, action="approve", reason_code="flags_explained",
                comment="Explained.", override=True,
                override_reason="Met all three in person with ID.")
    assert [state(m) for m in ring] == ["approved"] * 3
    approvals = AuditEvent.objects.filter(action="review.approve")
    assert [e.after["override_reason"] for e in approvals] == [
        "Met all three in person with ID."] * 3


def test_a_case_whose_last_member_is_decided_on_its_own_page_is_decided(recruiter, hr_lead):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[ring[2].pk],
                         reason="Explained: a sister.")
    review_clear(candidate_id=ring[0].pk, actor=recruiter, reason_code="other",
                 comment="Checked on its own page.")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN  # ring[1] still open
    review_escalate(candidate_id=ring[1].pk, actor=recruiter, reason_code="identity_ring",
                    comment="Shares an IBAN.")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN  # escalated is still open
    review_reject(candidate_id=ring[1].pk, actor=hr_lead, reason_code="fraud_confirmed",
                  comment="Confirmed.")
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.decided_by == hr_lead
    event = AuditEvent.objects.get(action="case.decided_elsewhere")
    assert event.after == {"state": "decided", "last_member": ring[1].pk}
    # The excluded member is free for another case now.
    assert not CaseMember.objects.filter(case_open=True).exists()


def test_clearing_the_members_in_bulk_decides_their_case(recruiter):
    a = candidate_make("Low One", 30, identifiers=[BANK])
    b = candidate_make("Low Two", 25, identifiers=[BANK])
    case = case_open(candidate_id=a.pk, actor=recruiter)
    result = review_bulk_clear(actor=recruiter, candidate_ids=[a.pk, b.pk],
                               reason_code="weak_signals")
    assert sorted(result.done) == sorted([a.pk, b.pk])
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.decided_by == recruiter


def test_a_case_decision_finishes_its_case_once(recruiter, hr_lead):
    ring = ring_make(2)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_decide(case_id=case.pk, actor=recruiter, action="clear", reason_code="other",
                comment="Two flatmates.")
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED
    assert not AuditEvent.objects.filter(action="case.decided_elsewhere").exists()
    assert AuditEvent.objects.filter(action="case.decide").count() == 1


def test_a_recruiter_may_not_reject_a_case(recruiter):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_decide(case_id=case.pk, actor=recruiter, action="escalate", **DECISION)
    with pytest.raises(ApplicationError) as refused:
        case_decide(case_id=case.pk, actor=recruiter, action="reject",
                    reason_code="fraud_confirmed", comment="x")
    assert refused.value.code == "forbidden"


def test_an_unscored_member_refuses_the_whole_decision(recruiter):
    ring = ring_make(3)
    unscored = candidate_make("Not Scored Yet", None, identifiers=[BANK])
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    with pytest.raises(ApplicationError) as refused:
        case_decide(case_id=case.pk, actor=recruiter, action="escalate", **DECISION)
    assert refused.value.code == "not_scored"
    assert [r.name for r in refused.value.extra["members"]] == ["Not Scored Yet"]
    assert not Decision.objects.exists() and state(unscored) == ReviewState.NEW


def test_a_decision_on_a_case_that_changed_is_refused(recruiter, hr_lead):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    seen = {m.pk: "new" for m in ring}
    review_escalate(candidate_id=ring[1].pk, actor=hr_lead, reason_code="identity_ring",
                    comment="Meanwhile.")
    with pytest.raises(ApplicationError) as refused:
        case_decide(case_id=case.pk, actor=recruiter, action="clear", expected=seen,
                    reason_code="data_error", comment="Import error.")
    assert refused.value.code == "stale"
    assert state(ring[0]) == ReviewState.NEW
    with pytest.raises(ApplicationError, match="reason and a comment"):
        case_decide(case_id=case.pk, actor=recruiter, action="clear", reason_code="",
                    comment="")


def test_exclusion_needs_a_reason_and_can_be_undone(recruiter):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    with pytest.raises(ApplicationError):
        case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[ring[1].pk],
                             reason=" ")
    outsider = candidate_make("Outsider", 10)
    with pytest.raises(ApplicationError):
        case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[outsider.pk],
                             reason="Not one of them")
    case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[ring[1].pk],
                         reason="Household")
    case_member_include(case_id=case.pk, actor=recruiter, candidate_id=ring[1].pk)
    member = CaseMember.objects.get(case=case, candidate=ring[1])
    assert not member.excluded and member.excluded_by is None
    assert events(case)[-2:] == ["case.exclude", "case.include"]


def test_assign_and_close(recruiter, hr_lead, norole):
    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_assign(case_id=case.pk, actor=recruiter, assignee_id=hr_lead.pk)
    with pytest.raises(ApplicationError):
        case_assign(case_id=case.pk, actor=recruiter, assignee_id=norole.pk)
    event = AuditEvent.objects.get(action="case.assign")
    assert event.before == {"assignee": None} and event.after == {"assignee": "hana"}
    case_close(case_id=case.pk, actor=hr_lead, comment="One household, not a ring.")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    with pytest.raises(ApplicationError):
        case_decide(case_id=case.pk, actor=recruiter, action="escalate", **DECISION)
    again = case_open(candidate_id=ring[1].pk, actor=recruiter)  # the members are free
    assert again.members.count() == 3


def test_case_for_candidate(recruiter):
    ring = ring_make(3)
    assert case_for_candidate(ring[0].pk) | {"candidate_id": 0} == {
        "case": None, "member": None, "last_case": None, "ring_size": 3, "candidate_id": 0}
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    assert case_for_candidate(ring[1].pk)["case"] == case
    html = client_for(recruiter).get(f"/cases/{case.pk}/").content.decode()
    assert "Ring sharing Bank account …0042" in html


def test_member_timelines_are_the_candidate_timelines(recruiter, hr_lead):
    ring = ring_make(3)
    review_escalate(candidate_id=ring[0].pk, actor=recruiter, reason_code="laptop_farm",
                    comment="Ring.")
    verification_request_create(candidate_id=ring[1].pk, actor=recruiter,
                                method="live_video_id", note="Tuesday")
    timelines = member_timelines([m.pk for m in ring])
    for member in ring:
        assert timelines.get(member.pk, []) == candidate_timeline(candidate_id=member.pk)
    assert len(timelines[ring[1].pk]) == 2  # picked up by the request, and the request


def test_the_case_page_costs_the_same_queries_for_3_or_9_members(recruiter):
    def queries(members) -> int:
        for member in members:
            review_escalate(candidate_id=member.pk, actor=recruiter, reason_code="other",
                            comment="x")
        case = case_open(candidate_id=members[0].pk, actor=recruiter)
        with CaptureQueriesContext(connection) as captured:
            page = case_page(case)
        assert all(len(m["timeline"]) == 1 for m in page.members)
        case_close(case_id=case.pk, actor=recruiter, comment="Measured.")
        return len(page.members), len(captured)

    ring = ring_make(3)
    small = queries(ring)
    more = [candidate_make(f"Newcomer {i}", 50, identifiers=[BANK]) for i in range(6)]
    large = queries(more)  # the ring of 9 now
    assert (small[0], large[0]) == (3, 9)
    assert large[1] == small[1]


def test_the_timeline_html_escapes_what_people_typed(recruiter):
    from review.case_render import timeline_html

    ring = ring_make(2)
    review_escalate(candidate_id=ring[0].pk, actor=recruiter, reason_code="other",
                    comment='<script>alert("x")</script>\nsecond line')
    html = timeline_html(member_timelines([ring[0].pk])[ring[0].pk])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line" in html
    assert "<strong>Escalated</strong>" in html


def test_the_case_link_include_offers_a_case_then_links_to_it(recruiter):
    from django.template.loader import render_to_string

    ring = ring_make(3)
    alone = candidate_make("Alone Applicant", 20)

    def link(candidate) -> str:
        return " ".join(render_to_string("review/_case_link.html", {
            "case_link": case_for_candidate(candidate.pk)}).split())

    assert link(alone) == ""
    assert f'href="/cases/open/?candidate={ring[0].pk}">Open as case</a>' in link(ring[0])
    case = case_open(candidate_id=ring[0].pk, actor=recruiter)
    case_members_exclude(case_id=case.pk, actor=recruiter, candidate_ids=[ring[2].pk],
                         reason="Household")
    assert f'In <a href="/cases/{case.pk}/">case #{case.pk}</a>' in link(ring[1])
    assert "excluded from its decisions: Household" in link(ring[2])
    case_close(case_id=case.pk, actor=recruiter, comment="Not a ring.")
    assert f"was in <a href=\"/cases/{case.pk}/\">case #{case.pk}</a>, closed without a " \
           "decision" in link(ring[1])


def test_erasing_a_member_rewrites_the_title_without_its_identifiers(recruiter):
    from candidates.services import candidate_erase

    a = candidate_make("Pair One", 60, identifiers=[BANK])
    b = candidate_make("Pair Two", 60, identifiers=[BANK, ("shipping_address", "k-9",
                                                            "9 Quay Lane, Leeds, UK")])
    c = candidate_make("Pair Three", 60, identifiers=[("shipping_address", "k-9",
                                                       "9 Quay Lane, Leeds, UK")])
    case = case_open(candidate_id=b.pk, actor=recruiter)
    assert case.title == "Ring sharing Bank account …0042, 9 Quay Lane"
    candidate_erase(candidate_id=b.pk)
    case.refresh_from_db()
    assert "Quay Lane" not in case.title and "0042" not in case.title
    assert {a.pk, c.pk} < set(case.members.values_list("candidate_id", flat=True))


def test_the_case_pages_carry_the_hardened_headers(recruiter):
    from tests.review.test_headers import assert_hardened

    ring = ring_make(3)
    client = client_for(recruiter)
    assert_hardened(client.get(f"/cases/open/?candidate={ring[0].pk}"), "case preview")
    opened = client.post("/cases/open/", {"candidate": ring[0].pk})
    assert opened.status_code == 302
    assert_hardened(opened, "case open")
    for url in ("/cases/", opened["Location"]):
        response = client.get(url)
        assert response.status_code == 200
        assert_hardened(response, url)
