"""Careers copied across personas (signals/checks/career.py): the link that survives a
language model rewording the resume, and rare employers shared by unrelated applicants."""

import random
from datetime import date

from demo.paraphrase import paraphrase
from demo.population import demo_population
from signals.checks.career import RARE_EMPLOYER_MAX, career, career_keys, employer_fold
from signals.engine import CandidateSnapshot, EmploymentSnap, OtherCandidate
from signals.resume import SIMILARITY_THRESHOLD, resume_signature, signature_similarity
from tests.signals.helpers import MemoryLookups

JOBS = (EmploymentSnap("Zentrix Tech LLC", start=date(2019, 3, 1)),
        EmploymentSnap("Quorvane Digital, Inc.", start=date(2022, 1, 1)))


class CareerLookups(MemoryLookups):
    def __init__(self, peers: dict):
        super().__init__({})
        self.peers = peers

    def career_peers(self, kind, key):
        return list(self.peers.get((kind, key), []))


def persona(name="Dana Whitfield", jobs=JOBS) -> CandidateSnapshot:
    return CandidateSnapshot(id=1, full_name=name, employments=jobs)


def peers_for(snapshot, others, kinds=("career", "employer")) -> CareerLookups:
    return CareerLookups({(kind, key): others for kind, key, _ in
                          career_keys(snapshot.employments) if kind in kinds})


class TestSameCareer:
    def test_a_paraphrased_template_defeats_minhash_but_not_the_career_key(self):
        template = next(a for a in demo_population(seed=5, honest=20, rings=1, hard=True)
                        if a.group == "quiet persona").payload["resume_text"]
        rng = random.Random(1)
        first, second = paraphrase(template, rng), paraphrase(template, rng)
        similarity = signature_similarity(resume_signature(first)[0],
                                          resume_signature(second)[0])
        assert similarity < SIMILARITY_THRESHOLD  # the text link is lost...
        snapshot = persona()
        others = [OtherCandidate(7, "gh-7", "Lee Park"), OtherCandidate(8, "gh-8", "Ana Costa")]
        flags = career(snapshot, peers_for(snapshot, others, kinds=("career",)))
        [flag] = [f for f in flags if f.code == "resume.same_career"]  # ...the career stays
        assert flag.multiplier == 1.3  # two other persons
        assert "Zentrix Tech LLC (2019), then Quorvane Digital, Inc. (2022)" in flag.summary

    def test_the_same_person_applying_again_is_not_a_copied_career(self):
        snapshot = persona()
        again = [OtherCandidate(7, "gh-7", "Whitfield, Dana")]
        assert career(snapshot, peers_for(snapshot, again)) == []

    def test_keys_ignore_legal_forms_and_need_two_dated_jobs(self):
        assert employer_fold("Quorvane Digital, Inc.") == employer_fold("QUORVANE DIGITAL")
        one_job = (EmploymentSnap("Zentrix Tech LLC", start=date(2019, 3, 1)),
                   EmploymentSnap("Undated Co"))
        assert [kind for kind, _, _ in career_keys(one_job)] == ["employer"]


class TestRareEmployer:
    def test_a_rare_employer_in_several_unrelated_histories_is_flagged(self):
        snapshot = persona(jobs=JOBS[:1])
        others = [OtherCandidate(7, "gh-7", "Lee Park"), OtherCandidate(8, "gh-8", "Ana Costa")]
        [flag] = career(snapshot, peers_for(snapshot, others))
        assert flag.code == "employer.rare_shared"
        assert flag.evidence["holders"] == 3 and flag.multiplier == 1.0

    def test_one_colleague_is_not_enough(self):
        snapshot = persona(jobs=JOBS[:1])
        assert career(snapshot, peers_for(snapshot, [OtherCandidate(7, "gh-7", "Lee Park")])) == []

    def test_a_common_employer_is_not_rare(self):
        snapshot = persona(jobs=JOBS[:1])
        many = [OtherCandidate(10 + i, f"gh-{i}", f"Person {i}") for i in range(RARE_EMPLOYER_MAX)]
        assert career(snapshot, peers_for(snapshot, many)) == []
