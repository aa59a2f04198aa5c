"""The candidate page says why first (issue 12): verdict, score on its scale, ring, top
reasons; flags by theme in words; operator notes for admins only; decisions "& next"; no
decision while the score is pending; no disabled forms."""

import re

import pytest
from django.urls import reverse

from candidates.models import Candidate
from core.audit import AuditEvent
from review.models import ReviewState
from review.services import review_clear, review_escalate, review_reject
from tests.review.factories import (
    candidate_make,
    client_for,
    flag,
    ring_make,
    verification_passed_make,
)

NOTE = flag("phone.line_type_unknown", points=0,
            summary="VoIP could not be determined for +15125550142: no line-type provider "
                    "configured", evidence={"phones": ["+15125550142"], "reason": "no provider"})


def page(user, candidate) -> str:
    response = client_for(user).get(reverse("review:candidate", args=[candidate.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def outside_details(html: str) -> str:
    """The page without the flags' "Details" toggles and the score history's titles."""
    return re.sub(r'<details class="flag-details">.*?</details>', "", html, flags=re.S)


@pytest.fixture
def ring():
    members = ring_make(4)
    for member in members:
        member.risk_flags.append(dict(NOTE))
        member.save(update_fields=["risk_flags"])
    return members


@pytest.mark.django_db
class TestWhyFirst:
    def test_it_opens_with_the_verdict_the_scale_the_ring_and_the_top_reasons(self, recruiter,
                                                                               ring):
        html = page(recruiter, ring[0])
        head = text(html.split('id="why"')[0])
        assert ("Shares bank account …0042 and an Austin shipping address with 3 applicants, "
                "2 of them critical.") in head
        assert "95 Critical risk critical from 80" in head
        assert "Ring of 4" in head and "3 other applicants share a bank account" in head
        reasons = html.split('data-testid="top-reasons"')[1].split("</ol>")[0]
        assert reasons.count('data-testid="reason"') == 2  # two concrete flags here
        assert "Bank or payout account used by another applicant" in reasons
        assert "strong signal" in reasons

    def test_the_scale_follows_the_live_thresholds(self, recruiter, ring):
        from signals.models import LevelThreshold
        from signals.selectors import level_thresholds_forget

        LevelThreshold.objects.update_or_create(level="critical", defaults={"min_score": 90})
        level_thresholds_forget()
        assert "critical from 90" in page(recruiter, ring[0])

    def test_it_says_loudly_when_the_ring_holds_a_rejected_fraud(self, recruiter, hr_lead, ring):
        assert 'id="fraud-links"' not in page(recruiter, ring[0])
        review_escalate(candidate_id=ring[2].pk, actor=recruiter, reason_code="identity_ring",
                        comment="Ring.")
        review_reject(candidate_id=ring[2].pk, actor=hr_lead, reason_code="fraud_confirmed",
                      comment="Borrowed identity.")
        html = page(recruiter, ring[0])
        line = text(html.split('id="fraud-links" ')[1].split("</p>")[0])
        assert "Linked to 1 applicant rejected as fraud: Ring Member 3" in line

    def test_flags_are_grouped_by_theme_with_strength_in_words(self, recruiter, ring):
        html = page(recruiter, ring[0])
        flags = html.split('id="flags"')[1].split('id="links"')[0]
        assert "Identity reuse" in flags and "Network &amp; location" in flags
        assert "strong signal" in flags
        assert "sev-high" not in flags and ">High<" not in flags  # no level words on flags
        weak = flags.split('id="weak-signals"')[1]
        assert "Line type not checked" in weak

    def test_internal_codes_are_only_behind_details(self, recruiter, ring):
        html = page(recruiter, ring[0])
        assert "reuse.bank_account" in html  # there, behind the toggle
        rest = outside_details(html)
        for code in ("reuse.bank_account", "shipping.shared_address", "phone.line_type_unknown",
                     "fixed_line_or_mobile", "+95 pts"):
            assert code not in rest, code

    def test_recruiters_never_see_the_operator_note_and_admins_do(self, recruiter, admin_user,
                                                                 ring):
        recruiter_html = page(recruiter, ring[0])
        assert "TWILIO" not in recruiter_html and "configure" not in recruiter_html.lower()
        admin_html = page(admin_user, ring[0])
        note = admin_html.split('data-testid="operator-note"')[1].split("</p>")[0]
        assert "TWILIO_ACCOUNT_SID" in note

    def test_a_failed_verification_is_a_badge_in_the_head(self, recruiter, candidate):
        from review.services import verification_outcome_record, verification_request_create

        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="live_video_id")
        verification_outcome_record(candidate_id=candidate.pk, verification_id=request.pk,
                                    actor=recruiter, outcome="failed")
        head = page(recruiter, candidate).split('id="verdict"')[0]
        assert 'id="verification-badge"' in head and "Identity verification failed" in head

    def test_a_clean_candidate_says_no_red_flags(self, recruiter):
        clean = candidate_make("Clean Person", 0)
        assert "No red flags: nothing in this application matched a check." in page(
            recruiter, clean)

    def test_the_graph_draws_rejected_and_cleared_people_apart_with_a_legend(
            self, recruiter, hr_lead, ring):
        review_escalate(candidate_id=ring[1].pk, actor=recruiter, reason_code="identity_ring",
                        comment="Ring.")
        review_reject(candidate_id=ring[1].pk, actor=hr_lead, reason_code="fraud_confirmed",
                      comment="Fraud.")
        review_clear(candidate_id=ring[2].pk, actor=recruiter, reason_code="explained_link",
                     comment="Sister.")
        html = page(recruiter, ring[0])
        for svg in (html.split('id="graph-mini"')[1], html.split('<figure class="graph">')[1]):
            def node(pk, svg=svg):  # the node's <a> opening tag and its content
                before, after = svg.split(f'" data-node="{pk}" aria-label', 1)
                return before.rsplit("<a ", 1)[1] + after.split("</a>")[0]
            assert "decided-rejected" in node(ring[1].pk)
            assert 'class="hatch"' in node(ring[1].pk)
            assert "decided-cleared" in node(ring[2].pk) and "hatch" not in node(ring[2].pk)
        assert "(REJECTED)" in html and "cleared or approved" in html


@pytest.mark.django_db
class TestDecisionsFromThePage:
    def test_clear_and_next_opens_the_next_candidate_then_the_queue(self, recruiter):
        first, second = candidate_make("First", 60), candidate_make("Second", 50)
        client = client_for(recruiter)
        data = {"reason_code": "weak_signals", "comment": "Nothing to act on.",
                "expected_state": "new", "then": "next"}
        response = client.post(reverse("review:clear", args=[first.pk]), data)
        assert response["Location"] == reverse("review:candidate", args=[second.pk])
        response = client.post(reverse("review:clear", args=[second.pk]), data, follow=True)
        assert response.redirect_chain[-1][0] == reverse("review:queue")
        assert b"Nothing left to review after this one" in response.content

    def test_the_page_links_next_and_previous_for_j_and_k(self, recruiter):
        top, middle, low = (candidate_make(n, s) for n, s in [("Top", 90), ("Mid", 50),
                                                              ("Low", 10)])
        html = page(recruiter, middle)
        assert f'rel="prev" id="previous-candidate" href="/candidates/{top.pk}/"' in html
        assert f'rel="next" id="next-candidate" href="/candidates/{low.pk}/"' in html
        assert '<dialog id="shortcut-help"' in html and "review/candidate.js" in html

    def test_a_pending_score_offers_no_decision(self, recruiter):
        rescoring = candidate_make("Re-scoring", 60)
        Candidate.objects.filter(pk=rescoring.pk).update(risk_status="pending")
        unscored = candidate_make("Unscored", None)
        for candidate in (rescoring, unscored):
            html = page(recruiter, candidate)
            assert "Scoring… decisions open once the score is in." in html
            assert 'id="form-clear"' not in html and 'id="form-start"' not in html

    def test_waiting_notes_replace_disabled_forms(self, recruiter, hr_lead, candidate):
        review_escalate(candidate_id=candidate.pk, actor=hr_lead, reason_code="identity_ring",
                        comment="Ring.")
        maker = page(hr_lead, candidate)
        assert "Waiting for another HR lead: you escalated this candidate (maker-checker)" \
            in maker
        assert "disabled" not in maker and 'id="form-approve"' not in maker
        assert "Waiting for an HR lead" in page(recruiter, candidate)

    def test_the_override_fields_show_only_when_a_verification_is_missing(self, hr_lead,
                                                                          escalated):
        assert 'name="override_reason"' in page(hr_lead, escalated)
        verification_passed_make(escalated, hr_lead)
        html = page(hr_lead, escalated)
        assert 'id="form-approve"' in html and 'name="override_reason"' not in html

    def test_approving_a_critical_candidate_without_verification_is_refused_and_audited(
            self, hr_lead, escalated):
        response = client_for(hr_lead).post(reverse("review:approve", args=[escalated.pk]), {
            "reason_code": "flags_explained", "comment": "Looks fine.",
            "expected_state": "escalated"})
        assert response.status_code == 409
        assert b"approving needs a passed identity verification" in response.content
        assert 'id="decide-approve" open' in response.content.decode()  # the form, as typed
        refusal = AuditEvent.objects.get(action="review.approve.refused")
        assert refusal.actor == hr_lead and refusal.after["code"] == "verification_required"

    def test_an_override_without_a_reason_shows_the_field_error(self, hr_lead, escalated):
        response = client_for(hr_lead).post(reverse("review:approve", args=[escalated.pk]), {
            "reason_code": "flags_explained", "comment": "Known to us.", "override": "on",
            "override_reason": "", "expected_state": "escalated"})
        assert response.status_code == 400
        assert b"Give the reason for the override." in response.content

    def test_approve_with_override_and_next(self, recruiter, hr_lead, escalated):
        following = candidate_make("Next Escalated", 70)
        review_escalate(candidate_id=following.pk, actor=recruiter, reason_code="other",
                        comment="Hm.")
        response = client_for(hr_lead).post(reverse("review:approve", args=[escalated.pk]), {
            "reason_code": "flags_explained", "comment": "Known to us.", "override": "on",
            "override_reason": "Hired before, verified then.", "expected_state": "escalated",
            "then": "next"})
        assert response["Location"] == reverse("review:candidate", args=[following.pk])
        event = AuditEvent.objects.get(action="review.approve")
        assert event.after["override"] is True
        assert candidate_review_state(escalated) == ReviewState.APPROVED


def candidate_review_state(candidate) -> str:
    return Candidate.objects.get(pk=candidate.pk).review.state


@pytest.mark.django_db
def test_start_review_is_assign_to_me(recruiter):
    """The "m" key (assign to me) is start review: there is no separate assign action."""
    c = candidate_make("Someone", 40)
    response = client_for(recruiter).post(reverse("review:start", args=[c.pk]),
                                          {"expected_state": "new"})
    assert response["Location"] == reverse("review:candidate", args=[c.pk])
    assert Candidate.objects.get(pk=c.pk).review.assignee == recruiter
