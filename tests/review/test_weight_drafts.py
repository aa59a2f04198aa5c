"""Trying weights before they go live (issue 10, item 6): a draft is scored against the
stored recent candidates and the evaluation population, shown in the admin, and published
with an audit event."""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from core.models import AuditEvent
from signals.models import EvaluationCase, FlagWeight, WeightDraft
from signals.preview import weights_preview
from signals.services import candidate_score
from tests.review.factories import client_for
from tests.signals.helpers import URL, applicant

pytestmark = pytest.mark.django_db
PHONE = "+1 512 555 0101"


@pytest.fixture
def pair(api):
    """Two strangers on one phone (reuse.phone, 35: medium) and a clean applicant."""
    ids = []
    for n, name, extra in ((1, "Dana Whitfield", {}), (2, "Lee Park", {"phone": PHONE}),
                           (3, "Ana Costa", {})):
        own = {"profiles": [{"network": "github", "url": f"https://github.com/dev{n}"}],
               "employment_history": [{"employer": f"Employer {n}", "start": "2019-01"}]}
        response = api.post(URL, applicant(n, name, **own | extra), format="json")
        ids.append(response.json()["id"])
    for pk in ids:
        candidate_score(candidate_id=pk)
    return [Candidate.objects.get(pk=pk) for pk in ids]


def draft_make(**overrides) -> WeightDraft:
    return WeightDraft.objects.create(name="phones matter more", **overrides)


class TestWeightsPreview:
    def test_it_lists_the_candidates_that_would_change_level_and_no_others(self, pair):
        dana, lee, ana = pair
        assert ana.risk_level == "low"
        assert {dana.risk_level, lee.risk_level} <= {"medium", "high"}
        preview = weights_preview(draft=draft_make(points={"reuse.phone": 80}))
        assert preview.scored == 3
        assert {c.candidate_id for c in preview.changes} == {dana.pk, lee.pk}
        assert {new for _, new in preview.transitions} == {"critical"}
        assert preview.changed == 2
        assert FlagWeight.objects.get(code="reuse.phone").points == 35  # nothing went live

    def test_it_scores_the_evaluation_population_under_both_weight_sets(self, pair):
        phone = {"code": "reuse.phone", "summary": "", "evidence": {}, "multiplier": 1.0}
        EvaluationCase.objects.create(seed=1, label="fraud", group="ring", flags=[phone])
        EvaluationCase.objects.create(seed=1, label="honest", group="ordinary", flags=[])
        preview = weights_preview(draft=draft_make(points={"reuse.phone": 45}))
        assert preview.current.recall == 0.0  # 35: medium
        assert preview.draft.recall == 1.0  # 45: high

        assert preview.draft.precision == 1.0

    def test_a_draft_with_an_unknown_code_is_invalid(self):
        with pytest.raises(Exception, match="Not flag codes"):
            draft_make(points={"reuse.fax": 3}).full_clean()


class TestWeightDraftAdmin:
    def test_an_admin_previews_then_publishes_and_it_is_audited(self, pair, admin_user):
        draft = draft_make(points={"reuse.phone": 80}, thresholds={"medium": 30})
        client = client_for(admin_user)
        page = client.get(reverse("admin:signals_weightdraft_preview", args=[draft.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "2 of 3 recently scored candidates would change level" in text
        assert "Lee Park" in text and "Ana Costa" not in text
        assert "<script" not in text.split('id="content-main"')[1]
        response = client.post(reverse("admin:signals_weightdraft_publish", args=[draft.pk]))
        assert response.status_code == 302
        assert FlagWeight.objects.get(code="reuse.phone").points == 80
        draft.refresh_from_db()
        assert draft.published_at is not None and draft.published_by == "ada"
        event = AuditEvent.objects.get(action="weights.publish_draft")
        assert event.before["reuse.phone"] == 35 and event.after["reuse.phone"] == 80
        assert event.after["threshold.medium"] == 30
        client.post(reverse("admin:signals_weightdraft_publish", args=[draft.pk]))
        # A published draft is history: publishing again is refused, nothing is written.
        assert AuditEvent.objects.filter(action="weights.publish_draft").count() == 1

    def test_a_recruiter_cannot_reach_the_preview_or_publish(self, pair, recruiter):
        draft = draft_make(points={"reuse.phone": 80})
        client = client_for(recruiter)
        page = client.get(reverse("admin:signals_weightdraft_preview", args=[draft.pk]))
        assert page.status_code == 302  # the admin sends non-staff to its sign-in
        client.post(reverse("admin:signals_weightdraft_publish", args=[draft.pk]))
        assert FlagWeight.objects.get(code="reuse.phone").points == 35
