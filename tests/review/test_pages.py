"""What the review pages show: the queue (order, filters, search, saved views, keyset
pages), the candidate page (flags, masked evidence, graph, timeline, forms by role) and the
overview."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from candidates.models import Candidate, Integration
from review import roles
from review.filters import QueueFilterSet
from review.graph import graph_layout
from review.models import ReviewState
from review.selectors import (
    candidate_graph,
    overview_compute,
    queue_base,
    queue_filter_options,
    queue_page,
)
from review.services import review_clear, review_escalate, review_start
from signals.models import ScoreRun, WeightSet
from tests.review.factories import (
    BANK,
    PASSWORD,
    PHONE,
    candidate_make,
    client_for,
    flag,
    ring_make,
)


def names(page) -> list[str]:
    return [c.full_name for c in page.rows]


def queue(user=None, **filters):
    """The queue's first page with these filters, as the page's query string would set them."""
    data = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    filterset = QueueFilterSet(data, queryset=queue_base(), user=user or AnonymousUser(),
                               options=queue_filter_options())
    return queue_page(queryset=filterset.qs)


@pytest.mark.django_db
class TestQueue:
    def test_it_lists_scored_candidates_riskiest_first(self):
        candidate_make("Low", 5)
        candidate_make("High", 60)
        candidate_make("Critical", 90)
        candidate_make("Pending", None)
        assert names(queue()) == ["Critical", "High", "Low"]

    def test_it_shows_open_reviews_by_default(self, recruiter, hr_lead):
        new, started, cleared, escalated, approved = (
            candidate_make(name, score) for name, score in
            [("New", 50), ("Started", 49), ("Cleared", 48), ("Escalated", 47), ("Approved", 46)])
        review_start(candidate_id=started.pk, actor=recruiter)
        review_clear(candidate_id=cleared.pk, actor=recruiter, reason_code="other", comment="ok")
        for c in (escalated, approved):
            review_escalate(candidate_id=c.pk, actor=recruiter, reason_code="other",
                            comment="hm")
        from review.services import review_approve

        review_approve(candidate_id=approved.pk, actor=hr_lead, reason_code="other",
                       comment="fine")
        assert names(queue()) == ["New", "Started", "Escalated"]
        assert names(queue(state="all")) == ["New", "Started", "Cleared", "Escalated",
                                             "Approved"]
        assert names(queue(state="new")) == ["New"]
        assert names(queue(state="cleared")) == ["Cleared"]
        assert names(queue(view="awaiting_hr")) == ["Escalated"]
        assert names(queue(user=recruiter, view="my_escalations")) == ["Escalated", "Approved"]
        assert names(queue(user=hr_lead, view="my_escalations")) == []

    def test_it_filters_by_level_flag_position_and_source(self):
        other = Integration.objects.create(name="lever-beta")
        candidate_make("Voip Dev", 30, flags=[flag("phone.voip")], position="Go Developer")
        candidate_make("Bank Ring", 85, flags=[flag("reuse.bank_account")])
        candidate_make("Lever Person", 40, integration=other)
        assert names(queue(level="critical")) == ["Bank Ring"]
        assert names(queue(flag="phone.voip")) == ["Voip Dev"]
        assert names(queue(flag="reuse.bank_account", level="critical")) == ["Bank Ring"]
        assert names(queue(flag="not.a.code")) == []
        assert names(queue(position="Go Developer")) == ["Voip Dev"]
        assert names(queue(integration=other.pk)) == ["Lever Person"]

    def test_it_searches_name_email_and_external_id(self):
        candidate_make("Dana Whitfield", 30, email="dana.w@example.org", external_id="GH-1")
        candidate_make("Sam Park", 20, email="spark@mail.example", external_id="GH-2")
        assert names(queue(q="whit")) == ["Dana Whitfield"]
        assert names(queue(q="SPARK@mail")) == ["Sam Park"]
        assert names(queue(q="GH-2")) == ["Sam Park"]
        assert names(queue(q="nobody")) == []

    def test_it_pages_by_keyset_through_ties(self):
        for i in range(7):
            candidate_make(f"Tie {i}", 40)
        candidate_make("Top", 99)
        seen, cursor = [], None
        for _ in range(4):
            page = queue_page(queryset=queue_base().filter(review__isnull=True),
                              cursor=cursor, size=3)
            seen += names(page)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen[0] == "Top" and len(seen) == 8 and len(set(seen)) == 8
        assert page.count == 8

    def test_the_page_renders_level_as_text_and_links_each_candidate(self, recruiter):
        c = candidate_make("Dana Whitfield", 88, flags=[flag("reuse.bank_account")])
        html = client_for(recruiter).get("/").content.decode()
        assert "88 Critical" in re.sub(r"<[^>]+>|\s+", " ", html).replace("  ", " ")
        assert f'href="/candidates/{c.pk}/"' in html
        assert "Bank or payout account used by another applicant" in html

    def test_a_next_page_link_carries_the_filters(self, recruiter):
        for i in range(55):
            candidate_make(f"Person {i}", 30, flags=[flag("phone.voip")])
        response = client_for(recruiter).get("/", {"flag": "phone.voip"})
        match = re.search(r'href="\?([^"]*after=[^"]*)"', response.content.decode())
        assert match and "flag=phone.voip" in match.group(1).replace("&amp;", "&")
        second = client_for(recruiter).get("/?" + match.group(1).replace("&amp;", "&"))
        assert len(second.context["page"].rows) == 5

    def test_bad_filter_values_are_ignored(self, recruiter):
        candidate_make("Someone", 30)
        response = client_for(recruiter).get("/", {"level": "extreme", "integration": "x",
                                                   "after": "garbage"})
        assert response.status_code == 200
        assert names(response.context["page"]) == ["Someone"]


@pytest.mark.django_db
class TestCandidatePage:
    def test_it_explains_every_flag(self, recruiter, candidate):
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        assert "Bank account …0042 is also on 2 other applications" in html
        assert "+45 pts" in html
        assert "What to verify next:" in html
        assert "Ask for a bank letter or statement" in html
        assert "Shared identifier" in html  # the evidence, as a readable list

    def test_it_says_when_the_score_lacks_a_check(self, recruiter, candidate):
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        assert "may be incomplete" not in html
        Candidate.objects.filter(pk=candidate.pk).update(incomplete_checks=[
            {"check": "profile_age", "status": "pending", "reason": "GitHub rate limit"}])
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        assert "This score may be incomplete" in html
        assert "Profile age</strong> pending: GitHub rate limit" in html

    def test_it_masks_account_numbers(self, recruiter):
        c = candidate_make("Masked", 50, identifiers=[BANK])
        html = client_for(recruiter).get(f"/candidates/{c.pk}/").content.decode()
        assert "•••• 0042" in html
        assert "fp-bank-0042" not in html  # the fingerprint is for matching, never shown

    def test_it_shows_the_score_history(self, recruiter, candidate):
        weights = WeightSet.objects.create(digest="d" * 64, weights={})
        ScoreRun.objects.create(candidate=candidate, revision=1, version="1.0",
                                weight_set=weights, score=30, level="medium",
                                flags=[{"code": "phone.voip"}])
        ScoreRun.objects.create(candidate=candidate, revision=2, version="1.0",
                                weight_set=weights, score=88, level="critical",
                                flags=[{"code": "phone.voip"}, {"code": "reuse.bank_account"}])
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        # Flag titles, not internal codes.
        assert "+ Bank or payout account used by another applicant" in html
        assert "first score" in html and "+ reuse.bank_account" not in html

    def test_a_recruiter_sees_triage_forms_and_no_approval(self, recruiter, candidate):
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        assert 'id="form-escalate"' in html and 'id="form-clear"' in html
        assert 'id="form-approve"' not in html

    def test_an_hr_lead_sees_approval_forms_on_escalated_candidates(self, hr_lead, escalated):
        html = client_for(hr_lead).get(f"/candidates/{escalated.pk}/").content.decode()
        assert 'id="form-approve"' in html and 'id="form-reject"' in html
        assert "disabled" not in html.split('class="decision-set"')[1][:20]
        assert 'id="form-escalate"' not in html

    def test_a_recruiter_is_told_an_hr_lead_decides(self, recruiter, escalated):
        html = client_for(recruiter).get(f"/candidates/{escalated.pk}/").content.decode()
        assert "Waiting for an HR lead" in html and 'id="form-approve"' not in html

    def test_an_admin_reads_without_forms(self, admin_user, candidate):
        html = client_for(admin_user).get(f"/candidates/{candidate.pk}/").content.decode()
        assert 'id="form-escalate"' not in html and 'id="form-verify"' not in html
        assert "recruiters and HR leads take the decisions" in html

    def test_the_timeline_lists_decisions_and_verifications(self, recruiter, candidate):
        client = client_for(recruiter)
        client.post(f"/candidates/{candidate.pk}/verifications/",
                    {"method": "live_video_id", "note": "Tuesday"})
        client.post(f"/candidates/{candidate.pk}/escalate/",
                    {"reason_code": "identity_ring", "comment": "Ring of three.",
                     "expected_state": "in_review"})
        html = client.get(f"/candidates/{candidate.pk}/").content.decode()
        timeline = html.split('id="timeline"')[1]
        assert timeline.index("Verification requested") < timeline.index("Escalated")
        assert "Ring of three." in timeline and "by rita" in timeline


@pytest.mark.django_db
class TestGraph:
    def test_it_links_the_ring_and_the_links_between_the_others(self, recruiter):
        ring = ring_make(4)
        graph = candidate_graph(candidate=Candidate.objects.get(pk=ring[1].pk))
        assert set(graph.nodes) == {m.pk for m in ring}
        hubs = {(h["kind"], len(h["members"])) for h in graph.hubs}
        assert ("bank_account", 4) in hubs and ("shipping_address", 4) in hubs
        assert ("phone", 2) in hubs

        # A link that does not involve the candidate itself: members 3 and 4 share an email.
        from candidates.models import Identifier

        for member in ring[2:]:
            Identifier.objects.create(candidate=member, kind="github", key="gh-x", label="gh")
        graph = candidate_graph(candidate=Candidate.objects.get(pk=ring[0].pk))
        github = [h for h in graph.hubs if h["kind"] == "github"]
        assert github and sorted(github[0]["members"]) == sorted(m.pk for m in ring[2:])

    def test_resume_templates_from_the_flag_evidence_are_links_too(self):
        other = candidate_make("Template Twin", 40)
        me = candidate_make("Me", 60, flags=[flag("resume.near_duplicate", evidence={
            "others": [{"id": other.pk, "external_id": other.external_id,
                        "full_name": other.full_name, "similarity": 0.93}]})])
        graph = candidate_graph(candidate=me)
        assert other.pk in graph.nodes
        assert {"kind": "resume", "label": "Near-duplicate resume",
                "members": [me.pk, other.pk]} in graph.hubs

    def test_the_svg_has_a_link_per_node_and_labelled_hubs(self, recruiter):
        ring = ring_make(3)
        html = client_for(recruiter).get(f"/candidates/{ring[0].pk}/").content.decode()
        svg = html.split('<figure class="graph">', 1)[1]  # the full graph, under the flags
        for member in ring:
            assert f'<a href="/candidates/{member.pk}/" class="node' in svg
        assert ">Bank account · 3<" in svg and ">Shipping address · 3<" in svg
        assert ">Phone<" in svg

    def test_a_big_ring_is_drawn_with_radial_labels_and_the_rest_listed(self):
        center = candidate_make("Center", 95, identifiers=[PHONE])
        for i in range(70):
            candidate_make(f"Linked {i}", 30, identifiers=[PHONE])
        graph = candidate_graph(candidate=center)
        layout = graph_layout(graph)
        assert len(graph.links) == 70 and graph.hidden == 10
        assert len(layout.nodes) == 61 and layout.radial
        assert len(layout.hubs) == 1 and len(layout.edges) == 61

    def test_a_candidate_without_links_says_so(self, recruiter, candidate):
        html = client_for(recruiter).get(f"/candidates/{candidate.pk}/").content.decode()
        assert "No other applicant shares" in html


@pytest.mark.django_db
class TestOverview:
    def test_it_counts_levels_queue_age_decisions_and_flags(self, recruiter):
        candidate_make("A", 90, flags=[flag("reuse.bank_account"), flag("phone.voip")])
        candidate_make("B", 50, flags=[flag("phone.voip")], days_ago=20)
        cleared = candidate_make("C", 10)
        candidate_make("D", None)
        review_clear(candidate_id=cleared.pk, actor=recruiter, reason_code="other",
                     comment="ok")
        data = overview_compute()
        assert data["levels"] == {"low": 1, "medium": 0, "high": 1, "critical": 1,
                                  "unscored": 1}
        assert sum(b["count"] for b in data["queue_age"]) == 2
        by_code = {c["code"]: c["total"] for c in data["flags_by_week"]["codes"]}
        assert by_code == {"phone.voip": 2, "reuse.bank_account": 1}
        voip = next(c for c in data["flags_by_week"]["codes"] if c["code"] == "phone.voip")
        assert voip["counts"][-1] == 1 and sum(voip["counts"]) == 2
        decisions = {row["action"]: row["count"] for row in data["decisions"]["rows"]}
        assert decisions == {"clear": 1, "escalate": 0, "approve": 0, "reject": 0}

    def test_the_flag_table_follows_every_write_to_the_candidates(self):
        """vetting_candidateflag is kept by database triggers, whoever writes."""
        from review.models import CandidateFlag

        def codes(candidate):
            return sorted(CandidateFlag.objects.filter(candidate_id=candidate.pk)
                          .values_list("code", flat=True))

        c = candidate_make("Tracked", 50, flags=[flag("phone.voip"), flag("reuse.ip")])
        assert codes(c) == ["phone.voip", "reuse.ip"]
        Candidate.objects.filter(pk=c.pk).update(risk_flags=[flag("reuse.bank_account")])
        assert codes(c) == ["reuse.bank_account"]
        Candidate.objects.filter(pk=c.pk).update(risk_score=None)  # back to unscored
        assert codes(c) == []
        bulk = Candidate.objects.bulk_create([Candidate(
            integration=c.integration, external_id="bulk-1", full_name="Bulk", risk_score=5,
            risk_level="low", risk_flags=[flag("email.persona_pattern")])])
        assert codes(bulk[0]) == ["email.persona_pattern"]
        bulk[0].delete()
        assert not CandidateFlag.objects.filter(code="email.persona_pattern").exists()

    def test_the_page_draws_svg_charts_with_their_numbers(self, recruiter):
        candidate_make("A", 90, flags=[flag("reuse.bank_account")])
        html = client_for(recruiter).get("/overview/").content.decode()
        assert html.count('<svg viewBox') >= 4
        assert "Candidates by risk level" in html and "Flags by code over time" in html
        assert "Queue age" in html and "Decisions by outcome" in html
        assert "Bank or payout account used by another applicant" in html


@pytest.mark.django_db
class TestCommands:
    def test_create_user_gives_the_role_and_prints_a_password(self, capsys):
        call_command("create_user", "newlead", "--role", "hr_lead")
        out = capsys.readouterr().out
        password = out.split("Password: ")[1].strip()
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username="newlead")
        assert user.check_password(password)
        assert roles.user_roles(user) == {roles.HR_LEAD}

    def test_create_user_admin_is_staff(self):
        call_command("create_user", "boss", "--role", "admin", "--password", PASSWORD)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username="boss")
        assert user.is_staff and user.is_superuser

    def test_create_user_refuses_duplicates_and_bad_roles(self, recruiter):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="already exists"):
            call_command("create_user", "rita", "--role", "recruiter")
        with pytest.raises(CommandError):
            call_command("create_user", "x", "--role", "superhero")

    def test_demo_users_can_sign_in(self):
        from django.test import Client

        from demo.users import demo_users_create

        users = demo_users_create()
        assert [(u, r) for u, r, _ in users] == [("recruiter", "recruiter"),
                                                ("hrlead", "hr_lead"), ("hrlead2", "hr_lead")]
        for username, _, password in users:
            assert Client().login(username=username, password=password)
        again = demo_users_create()  # idempotent: same users, new passwords
        assert len(again) == 3 and again[0][2] != users[0][2]


@pytest.mark.django_db
def test_escalating_from_the_page_lands_in_awaiting_hr_approval(recruiter, hr_lead, candidate):
    client_for(recruiter).post(f"/candidates/{candidate.pk}/escalate/", {
        "reason_code": "identity_ring", "comment": "Two others share the bank account.",
        "expected_state": ReviewState.NEW})
    response = client_for(hr_lead).get("/", {"view": "awaiting_hr"})
    assert names(response.context["page"]) == ["Dana Whitfield"]
