"""The role matrix: every page and action of the review UI, for every persona.

Anonymous users are sent to sign in; a signed-in user whose role lacks the capability gets
403 and nothing changes; allowed users get the page (200) or, for actions, a redirect back to
the candidate (302) with the change made.
"""

import pytest
from django.urls import reverse

from core.audit import AuditEvent
from review import roles
from review.models import Decision, Review, ReviewState, VerificationRequest
from review.services import review_escalate, verification_request_create
from review.triage import _system_clear
from tests.review.factories import candidate_make, client_for, user_make

PERSONAS = ["anonymous", "recruiter", "hr_lead", "admin", "norole"]
ROLE_OF = {"recruiter": roles.RECRUITER, "hr_lead": roles.HR_LEAD, "admin": roles.ADMIN,
           "norole": None}

# page -> expected status per signed-in persona
PAGES = {
    "review:queue": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:candidate": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:overview": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:audit": {"recruiter": 403, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:audit_export": {"recruiter": 403, "hr_lead": 200, "admin": 200, "norole": 403},
}
REVIEWERS = {"recruiter": 302, "hr_lead": 302, "admin": 403, "norole": 403}
DECIDERS = {"recruiter": 403, "hr_lead": 302, "admin": 403, "norole": 403}
DECISION = {"reason_code": "other", "comment": "Checked by phone.", "expected_state": ""}
# action -> (state the candidate is put in, POST data, expected status per persona)
ACTIONS = {
    "review:start": ("new", {"expected_state": "new"}, REVIEWERS),
    "review:clear": ("in_review", DECISION | {"expected_state": "in_review"}, REVIEWERS),
    "review:escalate": ("new", DECISION | {"expected_state": "new"}, REVIEWERS),
    "review:approve": ("escalated", DECISION | {"expected_state": "escalated"}, DECIDERS),
    "review:reject": ("escalated", DECISION | {"expected_state": "escalated"}, DECIDERS),
    "review:verify": ("new", {"method": "live_video_id", "note": ""}, REVIEWERS),
    "review:verification_outcome": ("verification", {"outcome": "passed"}, REVIEWERS),
}


def persona(name: str):
    return None if name == "anonymous" else user_make(f"p-{name}", ROLE_OF[name])


def page_url(name: str, candidate) -> str:
    return reverse(name, kwargs={"pk": candidate.pk}) if name == "review:candidate" \
        else reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_pages(page, who, candidate):
    url = page_url(page, candidate)
    response = client_for(persona(who)).get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('review:login')}?next=")
    else:
        assert response.status_code == PAGES[page][who], response.content[:300]


def prepared(state: str):
    """A scored candidate in `state`, put there by someone who is none of the personas."""
    candidate = candidate_make("Matrix Candidate", 70)
    maker = user_make("matrix-maker", roles.RECRUITER)
    if state == "in_review":
        from review.services import review_start

        review_start(candidate_id=candidate.pk, actor=maker)
    elif state == "escalated":
        review_escalate(candidate_id=candidate.pk, actor=maker, reason_code="identity_ring",
                        comment="Ring.")
    elif state == "verification":
        verification_request_create(candidate_id=candidate.pk, actor=maker,
                                    method="live_video_id")
    return candidate


def action_url(name: str, candidate) -> str:
    kwargs = {"pk": candidate.pk}
    if name == "review:verification_outcome":
        kwargs["verification_id"] = VerificationRequest.objects.get(candidate=candidate).pk
    return reverse(name, kwargs=kwargs)


def footprint(candidate) -> tuple:
    return (Decision.objects.filter(candidate=candidate).count(),
            VerificationRequest.objects.filter(candidate=candidate, outcome="pending").count(),
            VerificationRequest.objects.filter(candidate=candidate).count())


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions(action, who):
    state, data, expected = ACTIONS[action]
    candidate = prepared(state)
    user = persona(who)
    before = footprint(candidate)
    response = client_for(user).post(action_url(action, candidate), data)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login"))
        assert footprint(candidate) == before
        return
    assert response.status_code == expected[who], response.content[:500]
    if expected[who] == 302:
        assert response["Location"] == reverse("review:candidate", kwargs={"pk": candidate.pk})
        assert footprint(candidate) != before
    else:
        assert footprint(candidate) == before


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_refuse_get(action, recruiter):
    candidate = prepared(ACTIONS[action][0])
    assert client_for(recruiter).get(action_url(action, candidate)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", [("recruiter", 302), ("hr_lead", 302), ("admin", 200),
                                          ("norole", 302)])
def test_only_admins_reach_the_django_admin(who, expected):
    response = client_for(persona(who)).get("/admin/")
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_escalating_hr_lead_is_refused_on_the_server_and_it_is_audited(candidate, hr_lead):
    """The approve form is shown disabled to the maker; a crafted POST is still refused."""
    client = client_for(hr_lead)
    client.post(reverse("review:escalate", kwargs={"pk": candidate.pk}),
                DECISION | {"reason_code": "identity_ring", "expected_state": "new"})
    page = client.get(reverse("review:candidate", kwargs={"pk": candidate.pk}))
    assert b"You escalated this candidate" in page.content
    assert b'<fieldset class="decision-set" disabled' in page.content

    response = client.post(reverse("review:approve", kwargs={"pk": candidate.pk}),
                           DECISION | {"expected_state": "escalated"})
    assert response.status_code == 403
    assert b"another HR lead must approve or reject it" in response.content
    assert Decision.objects.filter(candidate=candidate).last().to_state == ReviewState.ESCALATED
    refusal = AuditEvent.objects.get(action="review.approve.refused")
    assert refusal.actor == hr_lead and refusal.after["code"] == "maker_checker"


@pytest.mark.django_db
def test_a_refused_transition_shows_why(escalated, recruiter):
    response = client_for(recruiter).post(
        reverse("review:clear", kwargs={"pk": escalated.pk}),
        DECISION | {"expected_state": "escalated"})
    assert response.status_code == 409
    assert b"cannot be cleared" in response.content


@pytest.mark.django_db
def test_an_invalid_decision_form_is_shown_again_with_errors(candidate, recruiter):
    response = client_for(recruiter).post(
        reverse("review:escalate", kwargs={"pk": candidate.pk}),
        {"reason_code": "", "comment": "", "expected_state": "new"})
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_an_unknown_candidate_is_404(recruiter):
    assert client_for(recruiter).get("/candidates/987654/").status_code == 404
    response = client_for(recruiter).post("/candidates/987654/escalate/", DECISION)
    assert response.status_code == 404


# --- The queue's actions (review/queue_views.py) -------------------------------------------


def _system_cleared():
    candidate = candidate_make("Quiet Matrix", 5)
    _system_clear([(candidate.pk, 5, "low", "new")])
    return candidate


# action -> (make the candidate, POST data, where an allowed persona is sent)
QUEUE_ACTIONS = {
    "review:queue_bulk": (lambda: candidate_make("Bulk Matrix", 5),
                          lambda c: {"op": "clear", "ids": [c.pk],
                                     "reason_code": "weak_signals", "view": "low_risk"},
                          lambda c: "/?view=low_risk"),
    "review:assign": (lambda: candidate_make("Assign Matrix", 50),
                      lambda c: {"to": "me"}, lambda c: "/"),
    "review:review_anyway": (_system_cleared, lambda c: {},
                             lambda c: reverse("review:candidate", kwargs={"pk": c.pk})),
}


def queue_footprint(candidate) -> tuple:
    review = Review.objects.filter(candidate=candidate).first()
    return (Decision.objects.filter(candidate=candidate).count(),
            review and (review.state, review.assignee_id))


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("action", list(QUEUE_ACTIONS))
def test_queue_actions(action, who):
    make, data, location = QUEUE_ACTIONS[action]
    candidate = make()
    url = reverse(action) if action == "review:queue_bulk" else \
        reverse(action, kwargs={"pk": candidate.pk})
    before = queue_footprint(candidate)
    response = client_for(persona(who)).post(url, data(candidate))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login"))
        assert queue_footprint(candidate) == before
        return
    assert response.status_code == REVIEWERS[who], response.content[:500]
    if REVIEWERS[who] == 302:
        assert response["Location"] == location(candidate)
        assert queue_footprint(candidate) != before
    else:
        assert queue_footprint(candidate) == before


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(QUEUE_ACTIONS))
def test_queue_actions_refuse_get(action, recruiter):
    candidate = QUEUE_ACTIONS[action][0]()
    url = reverse(action) if action == "review:queue_bulk" else \
        reverse(action, kwargs={"pk": candidate.pk})
    assert client_for(recruiter).get(url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["mine", "unassigned", "low_risk", "no_review_needed"])
@pytest.mark.parametrize("who", PERSONAS)
def test_saved_views_and_sorts(view, who, candidate):
    response = client_for(persona(who)).get(f"/?view={view}&sort=applied")
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == PAGES["review:queue"][who]
