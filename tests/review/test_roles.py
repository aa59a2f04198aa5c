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
    """The maker is told another HR lead decides (no form, not even a disabled one); a
    crafted POST is still refused."""
    client = client_for(hr_lead)
    client.post(reverse("review:escalate", kwargs={"pk": candidate.pk}),
                DECISION | {"reason_code": "identity_ring", "expected_state": "new"})
    page = client.get(reverse("review:candidate", kwargs={"pk": candidate.pk}))
    assert (b"Waiting for another HR lead: you escalated this candidate (maker-checker)"
            in page.content)
    assert b'id="form-approve"' not in page.content and b"disabled" not in page.content

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


# --- Cases (review/case_views.py) ----------------------------------------------------------

CASE_PAGES = {
    "review:cases": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:case": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
    "review:case_open": {"recruiter": 200, "hr_lead": 200, "admin": 200, "norole": 403},
}
CASE_DECISION = {"reason_code": "other", "comment": "Checked the ring.", "expected": ""}
# action -> (how the case is prepared, POST data, expected status per persona)
CASE_ACTIONS = {
    "review:case_open": ("none", {}, REVIEWERS),
    "review:case_escalate": ("open", CASE_DECISION, REVIEWERS),
    "review:case_clear": ("open", CASE_DECISION, REVIEWERS),
    # The ring's members are critical with no verification: approving needs the override.
    "review:case_approve": ("escalated", CASE_DECISION | {
        "override": "on", "override_reason": "Met each of them in person with ID."}, DECIDERS),
    "review:case_reject": ("escalated", CASE_DECISION, DECIDERS),
    "review:case_exclude": ("open", {"members": "member", "reason": "Household"}, REVIEWERS),
    "review:case_include": ("excluded", {"candidate": "member"}, REVIEWERS),
    "review:case_assign": ("open", {"assignee": "maker"}, REVIEWERS),
    "review:case_close": ("open", {"comment": "Not a ring."}, REVIEWERS),
}


def case_prepared(how: str):
    """A ring of 3 and, unless `how` is "none", its case opened by someone who is none of
    the personas: escalated by them, or with its last member excluded."""
    from review.cases import case_decide, case_members_exclude, case_open
    from tests.review.factories import ring_make

    ring = ring_make(3)
    maker = user_make("matrix-maker", roles.RECRUITER)
    if how == "none":
        return ring, None, maker
    case = case_open(candidate_id=ring[0].pk, actor=maker)
    if how == "escalated":
        case_decide(case_id=case.pk, actor=maker, action="escalate", reason_code="other",
                    comment="Ring.")
    elif how == "excluded":
        case_members_exclude(case_id=case.pk, actor=maker, candidate_ids=[ring[2].pk],
                             reason="Household")
    return ring, case, maker


def case_footprint() -> tuple:
    from review.models import Case

    return (Case.objects.count(), AuditEvent.objects.filter(target_type="case").count(),
            Decision.objects.count())


def case_url(name: str, case, ring) -> str:
    if name == "review:cases":
        return reverse(name)
    if name == "review:case_open":
        return f"{reverse(name)}?candidate={ring[0].pk}"
    return reverse(name, kwargs={"pk": case.pk})

# Issue 12: decisions "& next" (then=next on the same endpoints) and the approval override.
NEXT_ACTIONS = {
    "review:clear": ("in_review", DECISION | {"expected_state": "in_review"}, REVIEWERS),
    "review:escalate": ("new", DECISION | {"expected_state": "new"}, REVIEWERS),
    "review:approve": ("escalated", DECISION | {"expected_state": "escalated"}, DECIDERS),
    "review:reject": ("escalated", DECISION | {"expected_state": "escalated"}, DECIDERS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("page", list(CASE_PAGES))
def test_case_pages(page, who):
    ring, case, _ = case_prepared("open")
    response = client_for(persona(who)).get(case_url(page, case, ring))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('review:login')}?next=")
    else:
        assert response.status_code == CASE_PAGES[page][who], response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("action", list(CASE_ACTIONS))
def test_case_actions(action, who):
    how, data, expected = CASE_ACTIONS[action]
    ring, case, maker = case_prepared(how)
    values = {"member": ring[2].pk, "maker": maker.pk}
    data = {key: values.get(value, value) for key, value in data.items()}
    if action == "review:case_open":
        data["candidate"] = ring[0].pk
        url = reverse(action)
    else:
        url = reverse(action, kwargs={"pk": case.pk})
    before = case_footprint()
    response = client_for(persona(who)).post(url, data)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login"))
        assert case_footprint() == before
        return
    assert response.status_code == expected[who], response.content[:500]
    if expected[who] == 302:
        from review.models import Case

        case = case or Case.objects.get()
        assert response["Location"] == reverse("review:case", kwargs={"pk": case.pk})
        assert case_footprint() != before
    else:
        assert case_footprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("action", [a for a in CASE_ACTIONS if a != "review:case_open"])
def test_case_actions_refuse_get(action, recruiter):
    ring, case, _ = case_prepared("open")
    assert client_for(recruiter).get(reverse(action, kwargs={"pk": case.pk})).status_code == 405


@pytest.mark.django_db
def test_a_refused_case_decision_names_the_members_and_is_audited(hr_lead, hr_lead2):
    from review.cases import case_decide, case_open
    from tests.review.factories import ring_make

    ring = ring_make(3)
    case = case_open(candidate_id=ring[0].pk, actor=hr_lead)
    case_decide(case_id=case.pk, actor=hr_lead, action="escalate", reason_code="other",
                comment="Ring.")
    client = client_for(hr_lead)
    page = client.get(reverse("review:case", kwargs={"pk": case.pk}))
    assert b"You escalated 3 of them" in page.content
    response = client.post(reverse("review:case_reject", kwargs={"pk": case.pk}),
                           CASE_DECISION | {"reason_code": "fraud_confirmed"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was applied: 3 members of the case cannot be rejected" in html
    assert html.count("another HR lead must approve or reject it") == 3
    refusal = AuditEvent.objects.get(action="case.reject.refused")
    assert refusal.actor == hr_lead and len(refusal.after["members"]) == 3
    assert not Decision.objects.filter(action="reject").exists()
    ok = client_for(hr_lead2).post(reverse("review:case_reject", kwargs={"pk": case.pk}),
                                   CASE_DECISION | {"reason_code": "fraud_confirmed"})
    assert ok.status_code == 302
    assert Decision.objects.filter(action="reject").count() == 3


@pytest.mark.django_db
def test_an_invalid_case_decision_is_shown_again_with_errors(recruiter):
    ring, case, _ = case_prepared("open")
    response = client_for(recruiter).post(
        reverse("review:case_escalate", kwargs={"pk": case.pk}),
        {"reason_code": "", "comment": "", "expected": ""})
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_an_unknown_case_or_candidate_is_404(recruiter):
    client = client_for(recruiter)
    assert client.get("/cases/987654/").status_code == 404
    assert client.get("/cases/open/?candidate=987654").status_code == 404
    assert client.get("/cases/open/").status_code == 404
    assert client.post("/cases/987654/escalate/", CASE_DECISION).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("action", list(NEXT_ACTIONS))
def test_actions_and_next(action, who):
    """Allowed: the decision is made and the next candidate opens (here none is left, so the
    queue); refused: 403 and nothing changes, as without "& next"."""
    state, data, expected = NEXT_ACTIONS[action]
    candidate = prepared(state)
    before = footprint(candidate)
    response = client_for(persona(who)).post(action_url(action, candidate),
                                             data | {"then": "next"})
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login"))
        assert footprint(candidate) == before
        return
    assert response.status_code == expected[who], response.content[:500]
    if expected[who] == 302:
        assert response["Location"] == reverse("review:queue")
        assert footprint(candidate) != before
    else:
        assert footprint(candidate) == before


def critical_escalated():
    candidate = candidate_make("Critical Candidate", 95)
    review_escalate(candidate_id=candidate.pk, actor=user_make("matrix-maker", roles.RECRUITER),
                    reason_code="identity_ring", comment="Ring.")
    return candidate


OVERRIDE = DECISION | {"expected_state": "escalated", "override": "on",
                       "override_reason": "Hired before; verified in person then."}


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", [("recruiter", 403), ("hr_lead", 302), ("admin", 403),
                                          ("norole", 403)])
def test_approve_with_override(who, expected):
    candidate = critical_escalated()
    response = client_for(persona(who)).post(reverse("review:approve",
                                                     kwargs={"pk": candidate.pk}), OVERRIDE)
    assert response.status_code == expected
    approved = Decision.objects.filter(candidate=candidate, action="approve").exists()
    assert approved == (expected == 302)


@pytest.mark.django_db
def test_approve_without_verification_or_override_is_409_and_audited():
    candidate = critical_escalated()
    lead = persona("hr_lead")
    response = client_for(lead).post(reverse("review:approve", kwargs={"pk": candidate.pk}),
                                     DECISION | {"expected_state": "escalated"})
    assert response.status_code == 409
    assert not Decision.objects.filter(candidate=candidate, action="approve").exists()
    refusal = AuditEvent.objects.get(action="review.approve.refused")
    assert refusal.actor == lead and refusal.after["code"] == "verification_required"


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
