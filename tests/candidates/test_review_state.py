"""The review state in the ATS API: the `review` field on every candidate response and the
list's `review_state` filter, registered by the review app into candidates/extensions.py."""

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from candidates import extensions
from candidates.serializers import CandidateOutput
from review import roles
from review.models import Review, ReviewState
from review.services import review_approve, review_clear, review_escalate, review_start
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory
from tests.review.factories import user_make

pytestmark = pytest.mark.django_db
URL = "/api/v1/candidates/"
NEW = {"state": "new", "reason_code": "", "decided_at": None, "assignee": None}


def post(api, payload, **headers):
    response = api.post(URL, payload, format="json", headers=headers)
    assert response.status_code in (200, 201), response.json()
    return response


def scored(api, payload=None) -> int:
    """A candidate of this integration, scored (reviews start on scored candidates)."""
    cid = post(api, payload or CandidatePayloadFactory()).json()["id"]
    candidate_score(candidate_id=cid)
    return cid


def person(username: str, role: str, first: str = "", last: str = ""):
    user = user_make(username, role)
    user.first_name, user.last_name, user.email = first, last, f"{username}@corp.example"
    user.save()
    return user


@pytest.fixture
def staff(db):
    return {
        "rita": person("rita", roles.RECRUITER, "Rita", "Recruiter"),
        "hank": person("hank", roles.HR_LEAD, "Hank", "Lead"),
        "nona": person("nona.login", roles.RECRUITER),  # no display name
    }


class TestReviewField:
    def test_it_says_new_for_a_candidate_nobody_touched(self, api):
        created = post(api, CandidatePayloadFactory()).json()
        assert created["review"] == NEW
        assert api.get(f"{URL}{created['id']}/").json()["review"] == NEW
        assert api.get(URL).json()["results"][0]["review"] == NEW

    def test_it_shows_the_assignee_by_display_name_never_login_or_email(self, api, staff):
        cid = scored(api)
        review_start(candidate_id=cid, actor=staff["rita"])
        body = api.get(f"{URL}{cid}/").json()
        assert body["review"] == {"state": "in_review", "reason_code": "", "decided_at": None,
                                  "assignee": "Rita Recruiter"}
        assert "rita@corp.example" not in str(body) and "'rita'" not in str(body)

    def test_a_reviewer_without_a_display_name_is_null_not_their_login(self, api, staff):
        cid = scored(api)
        review_start(candidate_id=cid, actor=staff["nona"])
        body = api.get(f"{URL}{cid}/").json()
        assert body["review"]["assignee"] is None
        assert "nona" not in str(body)

    def test_it_shows_the_decision_and_when_it_was_taken(self, api, staff):
        cid = scored(api)
        review_start(candidate_id=cid, actor=staff["rita"])
        review = review_clear(candidate_id=cid, actor=staff["rita"],
                              reason_code="weak_signals", comment="Checked, all fine.")
        body = api.get(f"{URL}{cid}/").json()["review"]
        assert body["state"] == "cleared" and body["reason_code"] == "weak_signals"
        assert body["decided_at"] == review.decided_at.isoformat().replace("+00:00", "Z")

    def test_the_update_response_and_its_replay_carry_it(self, api, staff):
        payload = CandidatePayloadFactory()
        cid = scored(api, payload)
        review_start(candidate_id=cid, actor=staff["hank"])
        first = post(api, payload, **{"Idempotency-Key": "k-1"})
        again = post(api, payload, **{"Idempotency-Key": "k-1"})
        assert again["Idempotent-Replayed"] == "true"
        assert first.json()["review"]["assignee"] == "Hank Lead"
        assert again.json()["review"] == first.json()["review"]


class TestReviewStateFilter:
    @pytest.fixture
    def by_state(self, api, staff):
        """One candidate per state (new twice: without a Review row, and with one)."""
        ids = {}
        for name in ("untouched", "in_review", "cleared", "escalated", "approved"):
            ids[name] = scored(api)
        rita, hank = staff["rita"], staff["hank"]
        for name in ("in_review", "cleared", "escalated", "approved"):
            review_start(candidate_id=ids[name], actor=rita)
        review_clear(candidate_id=ids["cleared"], actor=rita, reason_code="weak_signals",
                     comment="Nothing to act on.")
        for name in ("escalated", "approved"):
            review_escalate(candidate_id=ids[name], actor=rita, reason_code="identity_ring",
                            comment="Shares a phone with two others.")
        review_approve(candidate_id=ids["approved"], actor=hank,
                       reason_code="identity_verified", comment="Live video with ID.")
        return ids

    def listed(self, api, state: str) -> set[int]:
        response = api.get(URL, {"review_state": state})
        assert response.status_code == 200, response.json()
        return {c["id"] for c in response.json()["results"]}

    def test_it_filters_by_each_state_and_new_includes_candidates_without_a_review(
            self, api, by_state):
        assert self.listed(api, "new") == {by_state["untouched"]}
        for state in ("in_review", "cleared", "escalated", "approved"):
            assert self.listed(api, state) == {by_state[state]}
        assert self.listed(api, "rejected") == set()

    def test_new_also_matches_a_review_row_in_state_new(self, api, by_state):
        # A reopened review goes back to "new" and keeps its row.
        Review.objects.filter(pk=by_state["cleared"]).update(state=ReviewState.NEW)
        assert self.listed(api, "new") == {by_state["untouched"], by_state["cleared"]}

    @pytest.mark.parametrize("value", ["done", "NEW", " new"])
    def test_an_unknown_state_is_refused_naming_the_parameter(self, api, value):
        response = api.get(URL, {"review_state": value})
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["review_state"]

    def test_an_empty_value_is_refused_like_the_other_filters(self, api):
        response = api.get(URL, {"review_state": ""})
        assert response.status_code == 400
        assert "review_state" in response.json()["fields"]

    def test_another_integrations_candidates_are_never_listed(self, api, other_api, staff):
        theirs = scored(other_api)
        review_start(candidate_id=theirs, actor=staff["rita"])
        for state in ReviewState.values:
            assert theirs not in self.listed(api, state)


class TestQueries:
    def test_a_list_page_costs_the_same_whatever_its_size(self, api, staff,
                                                          django_assert_max_num_queries):
        def page_queries(count: int) -> int:
            ids = [scored(api) for _ in range(count)]
            for cid in ids:
                review_start(candidate_id=cid, actor=staff["rita"])
            with CaptureQueriesContext(connection) as queries:
                assert api.get(URL, {"page_size": 200}).status_code == 200
            return len(queries)

        small = page_queries(2)
        large = page_queries(20)
        assert large == small
        with django_assert_max_num_queries(small):
            body = api.get(URL, {"page_size": 200, "review_state": "in_review"}).json()
        assert len(body["results"]) == 22
        assert {c["review"]["assignee"] for c in body["results"]} == {"Rita Recruiter"}


class TestSchema:
    def test_the_schema_documents_the_field_and_the_filter(self, client):
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
        components = schema["components"]["schemas"]
        for name in ("CandidateOutput", "CandidateDetailOutput"):
            assert "review" in components[name]["properties"]
            assert "review" in components[name]["required"]
        review = components["CandidateReviewOutput"]
        assert set(review["properties"]) == {"state", "reason_code", "decided_at", "assignee"}
        assert set(review["required"]) == set(review["properties"])
        assert review["properties"]["assignee"]["nullable"] is True
        assert components["ReviewStateEnum"]["enum"] == ReviewState.values
        parameters = schema["paths"][URL]["get"]["parameters"]
        state = next(p for p in parameters if p["name"] == "review_state")
        assert state["in"] == "query" and state["schema"]["enum"] == sorted(ReviewState.values)


class TestExtensionPoints:
    def test_a_registered_field_may_not_replace_a_built_in_one(self, monkeypatch):
        monkeypatch.setattr(extensions, "_output_fields", dict(extensions._output_fields))
        extensions.output_field_register(name="risk", field=lambda: serializers.CharField())
        with pytest.raises(ValueError, match="already have a field 'risk'"):
            _ = CandidateOutput().fields  # building the fields is what refuses it

    def test_a_registered_filter_may_not_replace_a_built_in_one(self):
        with pytest.raises(ValueError, match="already has a filter 'status'"):
            extensions.list_filter_register(name="status", filter=django_filters.CharFilter())
