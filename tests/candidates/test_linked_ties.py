"""linked_candidates says how records are tied (issue 10, item 7): every kind of tie the
page shows, each with its kind and strength, and only the integration's own candidates."""

import pytest

from candidates.models import Candidate
from signals.services import candidate_score
from tests.signals.helpers import URL, applicant

pytestmark = pytest.mark.django_db


def post(client, n, name, **overrides) -> int:
    response = client.post(URL, applicant(n, name, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def ties_of(client, pk) -> dict[int, list[dict]]:
    candidate_score(candidate_id=pk)
    external_id = Candidate.objects.get(pk=pk).external_id
    detail = client.get(f"{URL}{pk}/").json()
    assert detail["external_id"] == external_id
    return {link["id"]: link["ties"] for link in detail["linked_candidates"]}


def test_a_re_application_is_tied_as_the_same_person_and_its_phone_is_not_counted(api):
    first = post(api, 1, "Dana Whitfield")
    again = post(api, 2, "Dana Whitfield", phone="+1 512 555 0101")
    candidate_score(candidate_id=first)
    ties = ties_of(api, again)[first]
    assert {"kind": "same_person", "strength": "not_counted"} in ties
    assert {"kind": "phone", "strength": "not_counted"} in ties


def test_a_copied_career_is_a_strong_tie_without_a_shared_identifier(api):
    career = [{"employer": "Zentrix Tech LLC", "start": "2019-03"},
              {"employer": "Quorvane Digital Inc.", "start": "2022-01"}]
    first = post(api, 1, "Dana Whitfield", employment_history=career,
                 profiles=[{"network": "github", "url": "https://github.com/dev1"}])
    second = post(api, 2, "Lee Park", employment_history=career,
                  profiles=[{"network": "github", "url": "https://github.com/dev2"}])
    candidate_score(candidate_id=first)
    ties = ties_of(api, second)[first]
    assert {"kind": "same_career", "strength": "strong"} in ties


def test_another_integrations_candidate_is_never_listed(api, other_api):
    first = post(other_api, 1, "Dana Whitfield")
    again = post(api, 2, "Lee Park", phone="+1 512 555 0101")
    candidate_score(candidate_id=first)
    assert first not in ties_of(api, again)
