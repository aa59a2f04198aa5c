"""What the HR leads decided feeds back (issue 10, item 5): a candidate rejected as fraud, or
whose verification failed, makes its strong identifiers known bad; any other record that
presents one is critical, re-scored when the decision is taken; reversing it withdraws."""

import pytest

from candidates.models import Candidate, RiskStatus
from review import roles
from review.services import (
    review_approve,
    review_clear,
    review_escalate,
    review_reject,
    verification_outcome_record,
    verification_request_create,
)
from signals.models import KnownBadIdentifier
from signals.services import candidate_score
from tests.review.factories import user_make
from tests.signals.helpers import URL, applicant

pytestmark = pytest.mark.django_db
SHARED_PHONE = "+1 512 555 0101"


@pytest.fixture
def people(db):
    return (user_make("rita", roles.RECRUITER), user_make("hana", roles.HR_LEAD),
            user_make("omar", roles.HR_LEAD))


def post(client, n: int, name: str, **overrides) -> Candidate:
    response = client.post(URL, applicant(n, name, **overrides), format="json")
    assert response.status_code == 201, response.json()
    candidate = Candidate.objects.get(pk=response.json()["id"])
    candidate_score(candidate_id=candidate.pk)
    return Candidate.objects.get(pk=candidate.pk)


def flags_of(candidate: Candidate) -> dict[str, dict]:
    return {f["code"]: f for f in Candidate.objects.get(pk=candidate.pk).risk_flags}


def own(n: int) -> dict:
    """Profiles and a career of the applicant's own (the factory's are everyone's)."""
    return {"profiles": [{"network": "github", "url": f"https://github.com/dev{n}"}],
            "employment_history": [{"employer": f"Employer {n}", "start": "2019-01"}]}


def reject_as_fraud(candidate, people, reason="fraud_confirmed"):
    recruiter, lead, _ = people
    review_escalate(candidate_id=candidate.pk, actor=recruiter, reason_code="identity_ring",
                    comment="Shares a phone.")
    review_reject(candidate_id=candidate.pk, actor=lead, reason_code=reason,
                  comment="Confirmed fraud on a live call.")


class TestKnownBadAfterADecision:
    def test_a_rejection_as_fraud_makes_the_phone_known_bad_and_the_newcomer_critical(
            self, api, people, django_capture_on_commit_callbacks):
        fraud = post(api, 1, "Dana Whitfield")
        newcomer = post(api, 2, "Lee Park", phone=SHARED_PHONE)
        assert newcomer.risk_level != "critical"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            reject_as_fraud(fraud, people)
        # Re-applied when the decision is taken: the newcomer is pending and handed over.
        assert Candidate.objects.get(pk=newcomer.pk).risk_status == RiskStatus.PENDING
        assert callbacks  # the re-score is enqueued after the decision commits
        assert KnownBadIdentifier.objects.filter(candidate=fraud, kind="phone").exists()
        candidate_score(candidate_id=newcomer.pk)
        newcomer.refresh_from_db()
        assert newcomer.risk_level == "critical"
        known = flags_of(newcomer)["known_bad.identifier"]
        assert "rejected as fraud (fraud confirmed)" in known["summary"]
        assert known["evidence"]["decisions"][0]["id"] == fraud.pk
        assert known["evidence"]["decisions"][0]["reason"] == "fraud_confirmed"

    def test_the_rejected_candidate_itself_is_not_flagged_by_its_own_decision(self, api,
                                                                               people):
        fraud = post(api, 1, "Dana Whitfield")
        reject_as_fraud(fraud, people)
        candidate_score(candidate_id=fraud.pk)
        assert "known_bad.identifier" not in flags_of(fraud)

    def test_a_rejection_for_another_reason_records_nothing(self, api, people):
        candidate = post(api, 1, "Dana Whitfield")
        reject_as_fraud(candidate, people, reason="verification_declined")
        assert not KnownBadIdentifier.objects.exists()

    def test_a_failed_verification_records_and_an_approval_withdraws(self, api, people):
        recruiter, lead, lead2 = people
        suspect = post(api, 1, "Dana Whitfield")
        newcomer = post(api, 2, "Lee Park", phone=SHARED_PHONE)
        request = verification_request_create(candidate_id=suspect.pk, actor=recruiter,
                                              method="live_video_id")
        verification_outcome_record(candidate_id=suspect.pk, verification_id=request.pk,
                                    actor=recruiter, outcome="failed")
        candidate_score(candidate_id=newcomer.pk)
        assert Candidate.objects.get(pk=newcomer.pk).risk_level == "critical"

        # The HR lead finds the failure was a mistake and approves: the decision is reversed.
        review_escalate(candidate_id=suspect.pk, actor=recruiter, reason_code="other",
                        comment="Verification to be reviewed.")
        review_approve(candidate_id=suspect.pk, actor=lead, reason_code="identity_verified",
                       comment="Verified in person after all.")
        assert not KnownBadIdentifier.objects.filter(withdrawn_at__isnull=True).exists()
        assert Candidate.objects.get(pk=newcomer.pk).risk_status == RiskStatus.PENDING
        candidate_score(candidate_id=newcomer.pk)
        assert "known_bad.identifier" not in flags_of(newcomer)
        assert lead2  # a second HR lead exists for maker-checker elsewhere

    def test_clearing_withdraws_too(self, api, people):
        recruiter, _, _ = people
        suspect = post(api, 1, "Dana Whitfield")
        request = verification_request_create(candidate_id=suspect.pk, actor=recruiter,
                                              method="live_video_id")
        verification_outcome_record(candidate_id=suspect.pk, verification_id=request.pk,
                                    actor=recruiter, outcome="failed")
        review_clear(candidate_id=suspect.pk, actor=recruiter, reason_code="identity_verified",
                     comment="Second call went fine.")
        assert not KnownBadIdentifier.objects.filter(withdrawn_at__isnull=True).exists()

    def test_another_integration_does_not_see_the_decision_in_its_api_risk(
            self, api, other_api, people):
        fraud = post(api, 1, "Dana Whitfield")
        reject_as_fraud(fraud, people)
        elsewhere = post(other_api, 2, "Lee Park", phone=SHARED_PHONE)
        elsewhere.refresh_from_db()
        assert "known_bad.identifier" in {f["code"] for f in elsewhere.risk_flags}
        assert "known_bad.identifier" not in {f["code"] for f in elsewhere.scoped_flags}


class TestRiskFlowsAlongStrongLinks:
    def test_a_bank_account_tie_to_a_candidate_made_critical_by_a_decision_is_at_least_high(
            self, api, people):
        fraud = post(api, 1, "Dana Whitfield", **own(1))

        def account(holder):
            return [{"method": "bank", "account_number": "000999888777",
                     "routing_number": "111000025", "bank_country": "US",
                     "holder_name": holder}]

        # The newcomer presents the fraud's phone and an account shared with a third record.
        newcomer = post(api, 2, "Lee Park", phone=SHARED_PHONE,
                        payment_accounts=account("Lee Park"), **own(2))
        partner = post(api, 3, "Ana Costa", payment_accounts=account("Ana Costa"), **own(3))
        assert Candidate.objects.get(pk=partner.pk).risk_level != "critical"

        reject_as_fraud(fraud, people)
        candidate_score(candidate_id=newcomer.pk)  # critical: the rejected fraud's phone
        assert Candidate.objects.get(pk=newcomer.pk).risk_level == "critical"
        # Crossing critical re-applies the flow now: the partner is waiting for a re-score.
        assert Candidate.objects.get(pk=partner.pk).risk_status == RiskStatus.PENDING
        candidate_score(candidate_id=partner.pk)
        partner.refresh_from_db()
        assert partner.risk_level in ("high", "critical")
        tie = flags_of(partner)["link.critical_tie"]
        assert tie["evidence"]["others"][0]["id"] == newcomer.pk
        assert tie["evidence"]["others"][0]["shares"] == ["bank_account"]

    def test_criticality_that_only_flows_is_not_passed_on(self, api, people):
        """Two records holding each other critical through the flow alone would never come
        down: only a candidate critical on its own passes it on."""
        account = [{"method": "bank", "account_number": "000999888777",
                    "routing_number": "111000025", "bank_country": "US",
                    "holder_name": "Lee Park"}]
        first = post(api, 2, "Lee Park", payment_accounts=account)
        second = post(api, 3, "Ana Costa", payment_accounts=account)
        Candidate.objects.filter(pk=first.pk).update(
            risk_level="critical", risk_score=90,
            risk_flags=[{"code": "link.critical_tie", "points": 45}])
        candidate_score(candidate_id=second.pk)
        assert "link.critical_tie" not in flags_of(second)
