"""Erasing a candidate (the ATS deleted or anonymised it) leaves no personal data behind,
in the record or in what scoring derived from it."""

import pytest

from candidates.models import Candidate, Identifier
from candidates.services import candidate_erase
from signals.models import ResumeBand, ResumeSignature, ScoreRun
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"


@pytest.mark.django_db
def test_it_erases_the_record_and_what_scoring_derived_from_it(api):
    phone = "+1 512 555 0199"
    first = api.post(URL, CandidatePayloadFactory(phone=phone), format="json").json()["id"]
    resume = "Senior backend engineer, ten years of Python, Django and PostgreSQL at scale. " * 5
    second = api.post(URL, CandidatePayloadFactory(phone=phone, resume_text=resume),
                      format="json").json()["id"]
    candidate_score(candidate_id=first)
    candidate_score(candidate_id=second)
    assert ScoreRun.objects.filter(candidate_id=second).exclude(flags=[]).exists()
    assert ResumeSignature.objects.filter(candidate_id=second).exists()

    candidate_erase(candidate_id=second)

    erased = Candidate.objects.get(pk=second)
    assert erased.full_name == "Erased candidate" and erased.resume_text == ""
    assert erased.risk_flags == [] and erased.scoped_flags == []
    assert not Identifier.objects.filter(candidate_id=second).exists()
    assert not erased.phones.exists() and not erased.emails.exists()
    assert not ScoreRun.objects.filter(candidate_id=second).exclude(flags=[]).exists()
    assert not ResumeSignature.objects.filter(candidate_id=second).exists()
    assert not ResumeBand.objects.filter(candidate_id=second).exists()
    # The other applicant keeps its own record; the erased one no longer links to it.
    candidate_score(candidate_id=first)
    assert Candidate.objects.get(pk=first).full_name != "Erased candidate"
    assert "reuse.phone" not in [f["code"] for f in Candidate.objects.get(pk=first).risk_flags]
