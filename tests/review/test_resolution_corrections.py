"""A recruiter corrects the entity resolution ("same person" / "not the same person"): the
role is checked on the server, the correction is on the audit trail, both candidates are
re-scored and the next score follows it (issue 10, item 1)."""

import pytest
from django.urls import reverse

from candidates.models import Candidate, RiskStatus
from core.models import AuditEvent
from signals.models import IdentityCorrection
from signals.services import candidate_score
from tests.review.factories import client_for
from tests.signals.helpers import URL, applicant

pytestmark = pytest.mark.django_db
PHONE = "+1 512 555 0101"


def post(client, n: int, name: str, **overrides) -> Candidate:
    response = client.post(URL, applicant(n, name, **overrides), format="json")
    assert response.status_code == 201, response.json()
    candidate_score(candidate_id=response.json()["id"])
    return Candidate.objects.get(pk=response.json()["id"])


def codes(candidate: Candidate) -> list[str]:
    return [f["code"] for f in Candidate.objects.get(pk=candidate.pk).risk_flags]


@pytest.fixture
def namesakes(api):
    """Two records under one name sharing a phone: resolved as one person applying twice."""
    first = post(api, 1, "Dana Whitfield")
    second = post(api, 2, "Dana Whitfield", phone=PHONE)
    assert "entity.same_person" in codes(second) and "reuse.phone" not in codes(second)
    return first, second


class TestResolutionCorrection:
    def test_a_recruiter_says_not_the_same_person_and_the_phone_becomes_reuse(
            self, namesakes, recruiter):
        first, second = namesakes
        page = client_for(recruiter).get(reverse("review:candidate", args=[second.pk]))
        assert "Mark as a different person from Dana Whitfield" in page.content.decode()
        response = client_for(recruiter).post(
            reverse("review:resolution", args=[second.pk]),
            {"other_id": first.pk, "verdict": "different"})
        assert response.status_code == 302
        correction = IdentityCorrection.objects.get()
        assert (correction.first_id, correction.second_id) == (first.pk, second.pk)
        assert correction.verdict == "different" and correction.corrected_by == "rita"
        event = AuditEvent.objects.get(action="resolution.correct")
        assert event.after == {"other_id": first.pk, "verdict": "different"}
        assert set(Candidate.objects.filter(risk_status=RiskStatus.PENDING)
                   .values_list("pk", flat=True)) == {first.pk, second.pk}
        candidate_score(candidate_id=second.pk)
        assert "reuse.phone" in codes(second) and "entity.same_person" not in codes(second)

    def test_a_user_without_a_role_is_refused_and_nothing_is_recorded(self, namesakes, norole):
        first, second = namesakes
        response = client_for(norole).post(reverse("review:resolution", args=[second.pk]),
                                           {"other_id": first.pk, "verdict": "different"})
        assert response.status_code == 403
        assert not IdentityCorrection.objects.exists()

    def test_anonymous_is_sent_to_sign_in(self, namesakes):
        first, second = namesakes
        response = client_for(None).post(reverse("review:resolution", args=[second.pk]),
                                         {"other_id": first.pk, "verdict": "same"})
        assert response.status_code == 302 and "login" in response["Location"]
        assert not IdentityCorrection.objects.exists()

    def test_a_candidate_cannot_be_corrected_against_itself(self, namesakes, recruiter):
        _, second = namesakes
        response = client_for(recruiter).post(reverse("review:resolution", args=[second.pk]),
                                              {"other_id": second.pk, "verdict": "same"})
        assert response.status_code == 400
        assert not IdentityCorrection.objects.exists()
