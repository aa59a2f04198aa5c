"""Ownership (review/assignment.py): who may assign whom, the audit of every change, the
saved views "Mine" and "Unassigned", bulk "assign selected to me", and the round-robin."""

import pytest
from django.urls import reverse

from core.audit import AuditEvent
from core.exceptions import ApplicationError
from review import roles
from review.assignment import review_assign, review_bulk_assign, review_round_robin
from review.bulk import review_bulk_clear
from review.models import Review
from tests.review.factories import candidate_make, client_for, user_make

pytestmark = pytest.mark.django_db


def owner(candidate):
    review = Review.objects.filter(candidate=candidate).first()
    return review.assignee if review else None


class TestAssign:
    def test_a_recruiter_takes_an_unassigned_candidate_and_it_is_audited(self, recruiter):
        c = candidate_make("Free", 50)
        review_assign(candidate_id=c.pk, actor=recruiter, assignee=recruiter)
        assert owner(c) == recruiter
        assert Review.objects.get(candidate=c).state == "new"  # assigning is not deciding
        event = AuditEvent.objects.get(action="review.assign")
        assert (event.actor, event.target_id) == (recruiter, str(c.pk))
        assert (event.before, event.after) == ({"assignee": None}, {"assignee": "rita"})

    def test_a_recruiter_gives_their_own_away_but_does_not_take_someone_elses(
            self, recruiter, hr_lead):
        colleague = user_make("carl", roles.RECRUITER)
        c = candidate_make("Mine", 50)
        review_assign(candidate_id=c.pk, actor=recruiter, assignee=recruiter)
        review_assign(candidate_id=c.pk, actor=recruiter, assignee=colleague)
        assert owner(c) == colleague
        with pytest.raises(ApplicationError) as refused:
            review_assign(candidate_id=c.pk, actor=recruiter, assignee=recruiter)
        assert refused.value.code == "forbidden" and "carl has this candidate" in \
            refused.value.message
        # An HR lead reassigns anyone, and may unassign.
        review_assign(candidate_id=c.pk, actor=hr_lead, assignee=recruiter)
        assert owner(c) == recruiter
        review_assign(candidate_id=c.pk, actor=hr_lead, assignee=None)
        assert owner(c) is None
        trail = list(AuditEvent.objects.filter(action="review.assign").order_by("id")
                     .values_list("actor_label", "before", "after"))
        assert trail == [
            ("rita", {"assignee": None}, {"assignee": "rita"}),
            ("rita", {"assignee": "rita"}, {"assignee": "carl"}),
            ("hana", {"assignee": "carl"}, {"assignee": "rita"}),
            ("hana", {"assignee": "rita"}, {"assignee": None}),
        ]

    def test_only_reviewers_are_assigned_and_only_open_candidates(self, recruiter, admin_user,
                                                                  norole):
        c = candidate_make("Someone", 10)
        for user in (admin_user, norole):
            with pytest.raises(ApplicationError) as refused:
                review_assign(candidate_id=c.pk, actor=recruiter, assignee=user)
            assert refused.value.code == "invalid"
        with pytest.raises(ApplicationError) as forbidden:
            review_assign(candidate_id=c.pk, actor=admin_user, assignee=recruiter)
        assert forbidden.value.code == "forbidden"
        review_bulk_clear(actor=recruiter, candidate_ids=[c.pk], reason_code="weak_signals")
        with pytest.raises(ApplicationError) as closed:
            review_assign(candidate_id=c.pk, actor=recruiter, assignee=None)
        assert closed.value.code == "invalid_transition"

    def test_bulk_assign_to_me_skips_what_is_someone_elses(self, recruiter):
        colleague = user_make("carl", roles.RECRUITER)
        free = [candidate_make(f"Free {i}", 40) for i in range(3)]
        taken = candidate_make("Taken", 40)
        review_assign(candidate_id=taken.pk, actor=colleague, assignee=colleague)
        result = review_bulk_assign(actor=recruiter, assignee=recruiter,
                                    candidate_ids=[c.pk for c in [*free, taken]])
        assert sorted(result.done) == [c.pk for c in free]
        assert result.skipped == {"not_yours": [taken.pk]}
        assert all(owner(c) == recruiter for c in free) and owner(taken) == colleague
        assert AuditEvent.objects.filter(action="review.assign", actor=recruiter).count() == 3


class TestAssignViews:
    def test_take_from_the_queue_row_and_see_it_in_mine(self, recruiter):
        c = candidate_make("Row Candidate", 55)
        other = candidate_make("Someone Else", 54)
        client = client_for(recruiter)
        response = client.post(reverse("review:assign", kwargs={"pk": c.pk}),
                               {"to": "me", "view": "unassigned"})
        assert response.status_code == 302 and response["Location"] == "/?view=unassigned"
        assert owner(c) == recruiter
        mine = client.get("/?view=mine").content.decode()
        assert "Row Candidate" in mine and "Someone Else" not in mine
        unassigned = client.get("/?view=unassigned").content.decode()
        assert "Row Candidate" not in unassigned and "Someone Else" in unassigned
        assert other.pk

    def test_taking_someone_elses_is_refused_and_audited(self, recruiter):
        colleague = user_make("carl", roles.RECRUITER)
        c = candidate_make("Held", 55)
        review_assign(candidate_id=c.pk, actor=colleague, assignee=colleague)
        response = client_for(recruiter).post(reverse("review:assign", kwargs={"pk": c.pk}),
                                              {"to": "me"})
        assert response.status_code == 403
        assert b"carl has this candidate" in response.content
        assert AuditEvent.objects.filter(action="review.assign.refused").count() == 1

    def test_bulk_assign_selected_to_me(self, recruiter):
        rows = [candidate_make(f"Pick {i}", 30) for i in range(3)]
        response = client_for(recruiter).post(reverse("review:queue_bulk"), {
            "op": "assign", "assignee": "me", "ids": [r.pk for r in rows[:2]]})
        assert response.status_code == 302
        assert [owner(r) for r in rows] == [recruiter, recruiter, None]


class TestRoundRobin:
    def test_new_high_candidates_go_to_the_recruiter_with_fewest_open(self, settings, hr_lead):
        settings.REVIEW_ROUND_ROBIN = True
        a, b, c = (user_make(n, roles.RECRUITER) for n in ("ann", "ben", "cat"))
        busy = candidate_make("Already Ann's", 50)
        review_assign(candidate_id=busy.pk, actor=a, assignee=a)
        picks = []
        for i in range(5):
            cand = candidate_make(f"High {i}", 60)
            review_round_robin(candidate_id=cand.pk, old_level="", new_level="high")
            picks.append(owner(cand).username)
        # ben and cat have none, ann has one: ben, cat, then all three level, by id.
        assert picks == ["ben", "cat", "ann", "ben", "cat"]
        event = AuditEvent.objects.filter(action="review.assign",
                                          actor_label="system:round_robin").first()
        assert event.after["assignee"] == "ben"
        assert hr_lead.username not in picks  # HR leads are not in the rotation

    def test_it_is_off_by_default_and_leaves_rescores_and_low_alone(self, settings):
        user_make("ann", roles.RECRUITER)
        cand = candidate_make("High", 60)
        assert review_round_robin(candidate_id=cand.pk, old_level="", new_level="high") is None
        settings.REVIEW_ROUND_ROBIN = True
        assert review_round_robin(candidate_id=cand.pk, old_level="medium",
                                  new_level="high") is None
        assert review_round_robin(candidate_id=cand.pk, old_level="",
                                  new_level="low") is None
        assert owner(cand) is None
