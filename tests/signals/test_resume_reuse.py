"""Resume template reuse (THREATS B2): MinHash signatures, LSH bands in an indexed table, and
the `resume_reuse` check on top of them."""

import pytest
from django.db import connection

from candidates.models import Candidate
from signals import resume
from signals.checks.resume_reuse import resume_reuse_check
from signals.engine import CandidateSnapshot, Lookups, OtherCandidate
from signals.models import ResumeBand, ResumeSignature
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"

TEMPLATE = """{name}
Senior Full Stack Engineer
Summary: Results-driven software engineer with over eight years of experience designing,
building and maintaining scalable web applications. Strong background in Python, Django,
React and PostgreSQL, with a passion for clean code, automated testing and continuous
delivery. Proven ability to lead small teams, mentor junior developers and deliver projects
on time in fast-paced remote environments.
Experience: Lead Software Engineer at Brightwave Solutions, 2020 to present. Architected a
multi-tenant SaaS platform serving more than two hundred thousand users. Reduced API latency
by forty percent through query optimisation and caching with Redis. Introduced a CI/CD
pipeline on GitHub Actions and Docker that cut release time from days to hours.
Software Engineer at Northpeak Digital, 2016 to 2020. Built RESTful services with Django REST
framework and GraphQL. Developed responsive front ends in React and TypeScript. Worked closely
with product managers and designers to ship features used by enterprise clients.
Skills: Python, Django, Flask, FastAPI, JavaScript, TypeScript, React, Node.js, PostgreSQL,
MySQL, MongoDB, Redis, Docker, Kubernetes, AWS, Terraform, Git, Agile and Scrum.
Education: Bachelor of Science in Computer Science. Contact {name} for references."""

# Five words edited, as a persona team does to tell its copies apart.
EDITS = [("eight", "nine"), ("Brightwave", "Bluewave"), ("forty", "thirty"),
         ("small", "agile"), ("enterprise", "banking")]


def templated(name: str) -> str:
    text = TEMPLATE.format(name=name)
    for old, new in EDITS:
        text = text.replace(old, new, 1)
    return text


# The same stack and seniority, written by someone else.
HONEST = """Priya Raman. Backend developer, Python and Django. I have spent the last seven years
writing Python services, mostly in Django and PostgreSQL, first at a logistics start-up and
now at a payments company. At Ledgerly I own the reconciliation service: it matches bank
statements against our ledger every night and flags mismatches for the finance team. I
rewrote it from cron scripts into Celery tasks with proper retries, which took the nightly run
from three hours to twenty minutes. Before that, at Shipfast, I built the routing API that
drivers' phones call every few seconds, and learned a lot about indexes and connection pooling
the hard way. I like code review, writing tests first when the problem is fuzzy, and boring
deployments. Tools I use daily: Python, Django, Django REST framework, PostgreSQL, Redis,
Celery, Docker, GitHub Actions, AWS. I studied mathematics at the University of Leeds."""

UNRELATED = """Marketing coordinator with a background in hospitality. Planned and ran twelve
trade-show stands a year for a furniture maker, wrote the monthly newsletter, and managed a
small budget for print and social advertising. Before that I was a hotel receptionist in
Lisbon and Porto, where I learned Portuguese and Spanish and how to calm down tired guests.
Comfortable with spreadsheets, Canva, Mailchimp and a little HTML. Looking for a role where
events and writing come together, ideally in the travel or food industry, and where I can
keep learning about analytics and customer research."""


def similarity(a: str, b: str) -> float:
    return resume.signature_similarity(resume.resume_signature(a)[0],
                                       resume.resume_signature(b)[0])


def post(api, **fields) -> int:
    response = api.post(URL, CandidatePayloadFactory(**fields), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def resume_flag(candidate_id: int) -> dict | None:
    flags = Candidate.objects.get(pk=candidate_id).risk_flags
    return next((f for f in flags if f["code"] == "resume.near_duplicate"), None)


class TestSignature:
    def test_it_finds_a_templated_resume_with_the_name_swapped_and_words_edited(self):
        a, b = templated("Dana Whitfield"), templated("Michael Brown")
        assert similarity(TEMPLATE.format(name="Dana Whitfield"), b) >= 0.6
        assert similarity(a, b) >= 0.9  # same template, same edits, only the name differs

    def test_it_keeps_two_honest_resumes_on_the_same_stack_apart(self):
        assert similarity(TEMPLATE.format(name="Dana Whitfield"), HONEST) < 0.1

    def test_it_ignores_case_accents_punctuation_and_digits(self):
        text = TEMPLATE.format(name="José Núñez")
        shouted = text.upper().replace(",", " ;").replace("2020", "2021")
        assert similarity(text, shouted.replace("JOSÉ NÚÑEZ", "jose nunez")) == 1.0

    @pytest.mark.parametrize("text", ["", "   ", None, "Python developer. " * 5, "1234 5678 " * 50])
    def test_it_computes_nothing_for_short_or_empty_resumes(self, text):
        assert resume.resume_signature(text) is None

    def test_its_buckets_fit_a_signed_bigint(self):
        signature, _ = resume.resume_signature(HONEST)
        buckets = resume.band_buckets(signature)
        assert len(buckets) == resume.BANDS
        assert all(-(2**63) <= b < 2**63 for b in buckets)

    def test_its_lsh_parameters_find_near_duplicates_and_rarely_others(self):
        def found(j):
            return 1 - (1 - j**resume.ROWS) ** resume.BANDS

        assert found(0.6) > 0.98 and found(0.7) > 0.999
        assert found(0.2) < 0.06 and found(0.1) < 0.005


class FakeLookups(Lookups):
    def __init__(self, *similar):
        self.similar = list(similar)

    def similar_resumes(self, snapshot):
        return self.similar


def other(n: int, name: str) -> OtherCandidate:
    return OtherCandidate(n, f"app-{n}", name)


def check(*similar, name="Dana Whitfield") -> list:
    return resume_reuse_check(CandidateSnapshot(id=1, full_name=name), FakeLookups(*similar))


class TestCheck:
    def test_it_flags_a_near_duplicate_under_another_name(self):
        [flag] = check((other(2, "Michael Brown"), 0.83))
        assert flag.code == "resume.near_duplicate"
        assert flag.multiplier == 1.0
        assert flag.evidence == {"others": [
            {"id": 2, "external_id": "app-2", "full_name": "Michael Brown", "similarity": 0.83}]}
        assert "Michael Brown" in flag.summary and "83%" in flag.summary

    @pytest.mark.parametrize("name", ["Dana Whitfield", "Whitfield, Dana", "DANA WHITFIELD",
                                      "Dana W. Whitfield", "Dána Whitfield"])
    def test_it_does_not_flag_the_same_person_applying_again(self, name):
        assert check((other(2, name), 0.97)) == []

    def test_it_lists_only_the_others_with_another_name(self):
        [flag] = check((other(2, "Dana Whitfield"), 0.99), (other(3, "Michael Brown"), 0.8))
        assert [o["id"] for o in flag.evidence["others"]] == [3]

    @pytest.mark.parametrize("count, multiplier", [(1, 1.0), (2, 1.3), (4, 1.3), (5, 1.6),
                                                   (12, 1.6)])
    def test_its_weight_grows_with_the_number_of_others(self, count, multiplier):
        similar = [(other(n, f"Persona Number{chr(65 + n)}"), 0.9) for n in range(count)]
        [flag] = check(*similar)
        assert flag.multiplier == multiplier
        assert len(flag.evidence["others"]) == count

    def test_it_says_nothing_without_near_duplicates(self):
        assert check() == []


@pytest.mark.django_db
class TestInThePipeline:
    def test_it_flags_a_templated_resume_under_another_name(self, api):
        first = post(api, full_name="Dana Whitfield",
                     resume_text=TEMPLATE.format(name="Dana Whitfield"))
        second = post(api, full_name="Michael Brown", email="m.brown@example.org",
                      resume_text=templated("Michael Brown"))
        candidate_score(candidate_id=first)
        candidate_score(candidate_id=second)
        flag = resume_flag(second)
        assert flag is not None
        [seen] = flag["evidence"]["others"]
        assert (seen["id"], seen["full_name"]) == (first, "Dana Whitfield")
        assert seen["similarity"] >= 0.6
        # The first one is flagged too once re-scored (the pipeline enqueues that re-score).
        candidate_score(candidate_id=first)
        assert resume_flag(first)["evidence"]["others"][0]["id"] == second

    def test_it_does_not_flag_an_unrelated_resume(self, api):
        first = post(api, full_name="Dana Whitfield",
                     resume_text=TEMPLATE.format(name="Dana Whitfield"))
        for text, name in ((HONEST, "Priya Raman"), (UNRELATED, "Ana Sousa")):
            candidate_id = post(api, full_name=name, resume_text=text)
            candidate_score(candidate_id=candidate_id)
            assert resume_flag(candidate_id) is None
        candidate_score(candidate_id=first)
        assert resume_flag(first) is None

    def test_it_does_not_flag_the_same_person_reapplying(self, api):
        text = TEMPLATE.format(name="Dana Whitfield")
        first = post(api, resume_text=text, position="Backend Engineer")
        again = post(api, resume_text=text.replace("eight", "nine"), position="Staff Engineer")
        candidate_score(candidate_id=first)
        candidate_score(candidate_id=again)
        assert resume_flag(again) is None
        assert [o.id for o, _ in resume.resume_neighbours(_snapshot(again))] == [first]

    def test_it_never_finds_the_candidate_itself(self, api):
        candidate_id = post(api, resume_text=TEMPLATE.format(name="Dana Whitfield"))
        candidate_score(candidate_id=candidate_id)
        assert resume.resume_neighbours(_snapshot(candidate_id)) == []

    def test_it_scores_candidates_without_a_usable_resume(self, api):
        ids = [post(api, resume_text=text, full_name=f"Person {n}")
               for n, text in enumerate(["", "Python developer.", "   \n\t  "])]
        for candidate_id in ids:
            candidate_score(candidate_id=candidate_id)
            candidate = Candidate.objects.get(pk=candidate_id)
            assert candidate.risk_status == "scored" and resume_flag(candidate_id) is None
        assert not ResumeSignature.objects.exists() and not ResumeBand.objects.exists()


def _store(candidate_id: int) -> None:
    """What the scoring pipeline does first: store the candidate's current resume."""
    text = Candidate.objects.get(pk=candidate_id).resume_text
    resume.resume_signature_store(candidate_id=candidate_id, text=text)


def _snapshot(candidate_id: int) -> CandidateSnapshot:
    candidate = Candidate.objects.get(pk=candidate_id)
    return CandidateSnapshot(id=candidate.pk, full_name=candidate.full_name,
                             resume_text=candidate.resume_text)


@pytest.mark.django_db
class TestStore:
    def test_it_writes_one_signature_and_one_row_per_band(self, api):
        candidate_id = post(api, resume_text=HONEST)
        resume.resume_signature_store(candidate_id=candidate_id, text=HONEST)
        signature = ResumeSignature.objects.get(candidate_id=candidate_id)
        assert signature.version == resume.SIGNATURE_VERSION
        assert len(bytes(signature.signature)) == resume.NUM_PERM * 4
        assert signature.shingle_count > 100
        bands = ResumeBand.objects.filter(candidate_id=candidate_id)
        assert sorted(bands.values_list("band", flat=True)) == list(range(resume.BANDS))

    def test_it_is_idempotent(self, api, django_assert_num_queries):
        candidate_id = post(api, resume_text=HONEST)
        resume.resume_signature_store(candidate_id=candidate_id, text=HONEST)
        before = list(ResumeBand.objects.filter(candidate_id=candidate_id).values_list(
            "id", "band", "bucket"))
        # Unchanged: the lock and one read, nothing written.
        with django_assert_num_queries(4):  # savepoint, lock, read, release
            resume.resume_signature_store(candidate_id=candidate_id, text=HONEST)
        assert list(ResumeBand.objects.filter(candidate_id=candidate_id).values_list(
            "id", "band", "bucket")) == before

    def test_it_replaces_the_rows_of_a_changed_resume(self, api):
        payload = CandidatePayloadFactory(resume_text=TEMPLATE.format(name="Dana Whitfield"))
        first = api.post(URL, payload, format="json").json()["id"]
        second = post(api, full_name="Michael Brown", resume_text=templated("Michael Brown"))
        for candidate_id in (first, second):
            _store(candidate_id)
        assert [o.id for o, _ in resume.resume_neighbours(_snapshot(second))] == [first]

        api.post(URL, payload | {"resume_text": UNRELATED}, format="json")  # an update
        _store(first)
        assert ResumeBand.objects.filter(candidate_id=first).count() == resume.BANDS
        assert resume.resume_neighbours(_snapshot(second)) == []

    def test_it_ignores_a_resume_an_update_has_replaced(self, api):
        payload = CandidatePayloadFactory(resume_text=HONEST)
        candidate_id = api.post(URL, payload, format="json").json()["id"]
        api.post(URL, payload | {"resume_text": UNRELATED}, format="json")
        _store(candidate_id)
        stored = bytes(ResumeSignature.objects.get(candidate_id=candidate_id).signature)
        # A scoring task of the first revision, running late, must not write its old text.
        resume.resume_signature_store(candidate_id=candidate_id, text=HONEST)
        assert bytes(ResumeSignature.objects.get(candidate_id=candidate_id).signature) == stored

    def test_it_removes_the_rows_when_the_resume_is_emptied(self, api):
        payload = CandidatePayloadFactory(resume_text=HONEST)
        candidate_id = api.post(URL, payload, format="json").json()["id"]
        _store(candidate_id)
        api.post(URL, payload | {"resume_text": ""}, format="json")
        _store(candidate_id)
        assert not ResumeSignature.objects.filter(candidate_id=candidate_id).exists()
        assert not ResumeBand.objects.filter(candidate_id=candidate_id).exists()

    def test_it_ignores_a_deleted_candidate(self, db):
        resume.resume_signature_store(candidate_id=987654321, text=HONEST)
        assert not ResumeSignature.objects.exists()


@pytest.mark.django_db
class TestNeighbourQuery:
    def test_it_runs_one_query_however_many_candidates_there_are(
        self, api, django_assert_num_queries
    ):
        target = post(api, resume_text=TEMPLATE.format(name="Dana Whitfield"))
        resume.resume_signature_store(candidate_id=target,
                                      text=TEMPLATE.format(name="Dana Whitfield"))
        snapshot = _snapshot(target)
        for n in range(12):
            name = f"Persona {chr(65 + n)}"
            candidate_id = post(api, full_name=name,
                                resume_text=templated(name) if n % 2 else HONEST)
            resume.resume_signature_store(
                candidate_id=candidate_id,
                text=Candidate.objects.get(pk=candidate_id).resume_text)
            with django_assert_num_queries(1):
                neighbours = resume.resume_neighbours(snapshot)
            assert len(neighbours) == (n + 1) // 2

    def test_it_returns_the_most_similar_first_and_caps_the_list(self, api, monkeypatch):
        monkeypatch.setattr(resume, "NEIGHBOUR_LIMIT", 2)
        text = TEMPLATE.format(name="Dana Whitfield")
        target = post(api, resume_text=text)
        resume.resume_signature_store(candidate_id=target, text=text)
        variants = [text.replace("eight", "nine"),  # one edit
                    templated("Persona B"),  # name and five edits
                    text.replace("eight", "nine").replace("forty", "thirty")]  # two edits
        for n, variant in enumerate(variants):
            candidate_id = post(api, full_name=f"Persona {n}", resume_text=variant)
            resume.resume_signature_store(candidate_id=candidate_id, text=variant)
        found = resume.resume_neighbours(_snapshot(target))
        assert len(found) == 2
        assert found[0][1] >= found[1][1]
        assert {o.full_name for o, _ in found} == {"Persona 0", "Persona 2"}

    def test_it_looks_neighbours_up_through_the_band_index(self, api, integration):
        """EXPLAIN on a table large enough for the planner to choose: the band look-up must
        use resumeband_lookup, never a sequential scan of the band table."""
        text = TEMPLATE.format(name="Dana Whitfield")
        target = post(api, resume_text=text)
        resume.resume_signature_store(candidate_id=target, text=text)
        Candidate.objects.bulk_create([
            Candidate(integration=integration, external_id=f"bulk-{n}", full_name=f"P {n}")
            for n in range(3000)
        ])
        with connection.cursor() as cursor:
            # Random buckets for 3,000 other resumes (96,000 band rows), written by the
            # database itself: fast, and the planner sees a realistically sized table.
            cursor.execute("""
                INSERT INTO signals_resumeband (candidate_id, band, bucket)
                SELECT c.id, b.band, (random() * 9e18)::bigint
                FROM candidates_candidate c CROSS JOIN generate_series(0, %s) AS b(band)
                WHERE c.external_id LIKE 'bulk-%%'
            """, [resume.BANDS - 1])
            cursor.execute("ANALYZE signals_resumeband")
            cursor.execute("EXPLAIN " + resume.NEIGHBOURS_SQL, [
                target, resume.CANDIDATE_LIMIT, resume.SIGNATURE_VERSION, target,
                resume.SIGNATURE_VERSION])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "resumeband_lookup" in plan, plan
        assert "Seq Scan on signals_resumeband" not in plan, plan
