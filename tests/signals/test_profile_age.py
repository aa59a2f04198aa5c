"""The profile-age check (THREATS A2): young GitHub and LinkedIn profiles against the claimed
experience, missing GitHub accounts, honest look-alikes, odd data, and the pipeline while
GitHub rate-limits us."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from candidates.models import Candidate
from intel import github, ratelimit
from signals.checks.profile_age import profile_age
from signals.engine import (
    CandidateSnapshot,
    CheckPending,
    EmploymentSnap,
    GithubAccountInfo,
    Lookups,
    ProfileSnap,
    run_checks,
)
from signals.models import ScoreRun
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

APPLIED = datetime(2026, 11, 2, 15, tzinfo=UTC)


class GithubLookups(Lookups):
    """GitHub answers from memory: username -> GithubAccountInfo, or an exception to raise."""

    def __init__(self, accounts=None):
        self.accounts = accounts or {}
        self.asked = []

    def github_account(self, username):
        self.asked.append(username)
        answer = self.accounts.get(username)
        if isinstance(answer, Exception):
            raise answer
        return answer


def account(username="danawhit", created=APPLIED - timedelta(days=40), **fields):
    return GithubAccountInfo(username=username, found=True, created_at=created,
                             public_repos=fields.get("public_repos", 2),
                             followers=fields.get("followers", 0))


def career(*starts) -> tuple[EmploymentSnap, ...]:
    return tuple(EmploymentSnap(f"Employer {n}", start=s) for n, s in enumerate(starts))


def snapshot(profiles=(), employments=(), applied_at=APPLIED) -> CandidateSnapshot:
    return CandidateSnapshot(id=1, full_name="Dana Whitfield", applied_at=applied_at,
                             profiles=tuple(profiles), employments=tuple(employments))


GITHUB = ProfileSnap("github", "https://github.com/danawhit", "danawhit")
SENIOR = career(date(2016, 3, 1), date(2020, 6, 1))  # 10.7 years claimed
JUNIOR = career(date(2025, 9, 1))  # 1.2 years claimed


def check(profiles=(GITHUB,), employments=SENIOR, accounts=None, **fields):
    lookups = GithubLookups(accounts if accounts is not None else {})
    return profile_age(snapshot(profiles, employments, **fields), lookups)


class TestGithub:
    def test_a_new_account_claiming_a_decade_is_younger_than_the_experience(self):
        [flag] = check(accounts={"danawhit": account(public_repos=4, followers=1)})
        assert flag.code == "profile.github_younger_than_experience"
        assert flag.multiplier == 1.0
        assert "40 days before the application" in flag.summary
        assert "10.7 years of experience since 2016-03-01" in flag.summary
        assert flag.evidence["created_at"].startswith("2026-09-23")
        assert flag.evidence["age_days"] == 40
        assert flag.evidence["claimed_years"] == 10.7
        assert flag.evidence["username"] == "danawhit"
        assert (flag.evidence["public_repos"], flag.evidence["followers"]) == (4, 1)
        assert flag.evidence["source"] == "github_api"

    def test_a_new_account_without_employment_dates_is_only_young(self):
        [flag] = check(employments=(), accounts={"danawhit": account()})
        assert flag.code == "profile.github_young"
        assert flag.evidence["claimed_years"] is None

    def test_a_two_year_old_account_with_a_long_career_is_flagged(self):
        two_years = APPLIED - timedelta(days=730)
        [flag] = check(accounts={"danawhit": account(created=two_years)})
        assert flag.code == "profile.github_younger_than_experience"
        assert "2.0 years before" in flag.summary

    def test_an_established_account_of_a_late_joiner_counts_at_half(self):
        six_years = APPLIED - timedelta(days=6 * 365)
        long_career = career(date(2008, 1, 1))
        [flag] = check(employments=long_career, accounts={"danawhit": account(created=six_years)})
        assert flag.code == "profile.github_younger_than_experience"
        assert flag.multiplier == 0.5
        assert flag.evidence["established"] is True

    def test_a_missing_account_is_a_finding(self):
        missing = GithubAccountInfo(username="danawhit", found=False)
        [flag] = check(accounts={"danawhit": missing})
        assert flag.code == "profile.github_missing"
        assert "does not exist" in flag.summary
        assert flag.evidence["url"] == "https://github.com/danawhit"

    def test_an_account_created_after_the_application_is_young(self):
        later = APPLIED + timedelta(days=3)
        [flag] = check(employments=JUNIOR, accounts={"danawhit": account(created=later)})
        assert flag.code == "profile.github_young"
        assert "after the application" in flag.summary

    def test_pending_github_makes_the_check_pending(self):
        waiting = CheckPending("GitHub rate limit", retry_after=42)
        results = run_checks(snapshot([GITHUB], SENIOR), GithubLookups({"danawhit": waiting}),
                             {"profile_age": profile_age})
        assert results.flags == []
        assert results.pending == [
            {"check": "profile_age", "reason": "GitHub rate limit", "retry_after": 42}]

    def test_each_username_is_asked_once(self):
        twice = (GITHUB, ProfileSnap("github", "https://github.com/DanaWhit/", "DanaWhit"))
        lookups = GithubLookups({"danawhit": account()})
        assert len(profile_age(snapshot(twice, SENIOR), lookups)) == 1
        assert lookups.asked == ["danawhit"]

    def test_an_ats_date_is_used_when_github_look_ups_are_off(self):
        dated = ProfileSnap("github", GITHUB.url, "danawhit", APPLIED - timedelta(days=10))
        [flag] = check(profiles=[dated], accounts={})  # the look-up answers None
        assert flag.code == "profile.github_younger_than_experience"
        assert flag.evidence["source"] == "ats"


class TestLinkedin:
    def profile(self, created_at):
        return ProfileSnap("linkedin", "https://www.linkedin.com/in/dana", "dana", created_at)

    def test_a_new_profile_claiming_a_decade_is_flagged(self):
        [flag] = check(profiles=[self.profile(APPLIED - timedelta(days=90))])
        assert flag.code == "profile.linkedin_younger_than_experience"
        assert flag.evidence["source"] == "ats"
        assert "LinkedIn profile dana was created" in flag.summary

    def test_a_new_profile_of_a_junior_is_only_young(self):
        [flag] = check(profiles=[self.profile(APPLIED - timedelta(days=90))],
                       employments=JUNIOR)
        assert flag.code == "profile.linkedin_young"

    def test_a_profile_without_a_date_says_nothing(self):
        assert check(profiles=[self.profile(None)]) == []

    def test_it_never_asks_github_about_linkedin(self):
        lookups = GithubLookups()
        profile_age(snapshot([self.profile(APPLIED)], SENIOR), lookups)
        assert lookups.asked == []


class TestHonestLookAlikes:
    def test_a_junior_with_a_new_account_gets_only_the_weak_flag(self):
        [flag] = check(employments=JUNIOR, accounts={"danawhit": account()})
        assert flag.code == "profile.github_young"
        assert flag.spec.severity == "low"

    def test_a_graduate_with_no_experience_gets_only_the_weak_flag(self):
        just_started = career(date(2026, 10, 1))
        [flag] = check(employments=just_started, accounts={"danawhit": account()})
        assert flag.code == "profile.github_young"

    def test_a_senior_with_an_old_account_gets_nothing(self):
        old = account(created=datetime(2012, 5, 1, tzinfo=UTC))
        assert check(accounts={"danawhit": old}) == []

    def test_a_mid_career_account_matching_the_experience_gets_nothing(self):
        nine_years = account(created=APPLIED - timedelta(days=9 * 365))
        assert check(accounts={"danawhit": nine_years}) == []

    def test_an_account_within_the_slack_gets_nothing(self):
        # 10.7 years claimed, account 9 years old: inside the two years' slack.
        assert check(accounts={"danawhit": account(created=datetime(2017, 11, 1, tzinfo=UTC))}
                     ) == []


class TestOddData:
    def test_no_profiles_no_employment_no_dates(self):
        assert check(profiles=(), employments=()) == []
        assert profile_age(CandidateSnapshot(id=1, full_name=""), GithubLookups()) == []

    def test_future_and_missing_employment_starts_are_ignored(self):
        odd = (EmploymentSnap("Later Inc", start=date(2030, 1, 1)),
               EmploymentSnap("Undated"), EmploymentSnap("Now", start=date(2026, 1, 1)))
        [flag] = check(employments=odd, accounts={"danawhit": account()})
        assert flag.code == "profile.github_young"  # 0.8 years claimed: no experience flag
        assert flag.evidence["experience_since"] == "2026-01-01"

    def test_an_absurdly_old_start_is_a_typo_not_a_career(self):
        typo = career(date(1901, 6, 1))
        [flag] = check(employments=typo, accounts={"danawhit": account()})
        assert flag.code == "profile.github_young"

    def test_an_account_without_created_at_says_nothing(self):
        no_date = GithubAccountInfo(username="danawhit", found=True, created_at=None)
        assert check(accounts={"danawhit": no_date}) == []

    def test_naive_and_date_values_are_read_as_utc(self):
        naive = account(created=datetime(2026, 10, 1))
        [flag] = check(accounts={"danawhit": naive}, applied_at=datetime(2026, 11, 2))
        assert flag.code == "profile.github_younger_than_experience"
        dated = ProfileSnap("linkedin", "u", "dana", date(2026, 10, 1))
        [flag] = check(profiles=[dated], employments=JUNIOR)
        assert flag.code == "profile.linkedin_young"

    def test_no_application_date_measures_from_now(self):
        recent = account(created=datetime.now(UTC) - timedelta(days=5))
        [flag] = check(employments=(), accounts={"danawhit": recent}, applied_at=None)
        assert flag.code == "profile.github_young"
        assert flag.evidence["age_days"] in (4, 5)

    def test_a_future_application_date_measures_from_now(self):
        recent = account(created=datetime.now(UTC) - timedelta(days=400))
        far = datetime(2099, 1, 1, tzinfo=UTC)
        assert check(employments=(), accounts={"danawhit": recent}, applied_at=far) == []

    def test_a_profile_without_username_or_network_does_not_crash(self):
        odd = (ProfileSnap("github", "", ""), ProfileSnap("", "", ""),
               ProfileSnap("stackoverflow", "u", "1"), ProfileSnap("GitHub", "u", "x"))
        assert check(profiles=odd, accounts={}) == []

    def test_it_never_fails_in_the_engine(self):
        odd = snapshot([GITHUB, ProfileSnap("linkedin", "", "", "not a date")],
                       (EmploymentSnap("X", start="2019-01"),), applied_at="yesterday")
        results = run_checks(odd, GithubLookups({"danawhit": account()}),
                             {"profile_age": profile_age})
        assert results.failed == []
        assert [f.code for f in results.flags] == ["profile.github_young"]


# --- In the pipeline -------------------------------------------------------------------------

URL = "/api/v1/candidates/"


@pytest.fixture
def github_api(httpserver, settings):
    settings.GITHUB_ENABLED = True
    settings.GITHUB_API_URL = httpserver.url_for("/")
    settings.GITHUB_TIMEOUT = 2
    ratelimit.window_clear(github.RATE_LIMIT_NAME)
    yield httpserver
    ratelimit.window_clear(github.RATE_LIMIT_NAME)


@pytest.mark.django_db
class TestInThePipeline:
    def test_a_rate_limited_check_is_pending_then_completed_by_the_rescore(self, api,
                                                                           github_api):
        response = api.post(URL, CandidatePayloadFactory(), format="json")  # github: danawhit
        assert response.status_code == 201
        candidate_id = response.json()["id"]
        assert github_api.log == []  # the API request never calls GitHub

        github_api.expect_oneshot_request("/users/danawhit").respond_with_json(
            {"message": "API rate limit exceeded"}, status=429, headers={"Retry-After": "1"})
        outcome = candidate_score(candidate_id=candidate_id)
        assert outcome.retry_after == 1
        run = ScoreRun.objects.get(candidate_id=candidate_id)
        assert [p["check"] for p in run.pending_checks] == ["profile_age"]
        candidate = Candidate.objects.get(pk=candidate_id)
        assert candidate.risk_status == "scored"  # scored meanwhile, without the check
        assert not [f for f in candidate.risk_flags if f["code"].startswith("profile.")]

        time.sleep(1.1)  # the rate-limit window passes
        young = {"login": "danawhit", "created_at": "2026-09-20T10:00:00Z",
                 "public_repos": 1, "followers": 0}
        github_api.expect_oneshot_request("/users/danawhit").respond_with_json(young)
        outcome = candidate_score(candidate_id=candidate_id)
        assert outcome.pending == [] and outcome.retry_after is None
        latest = ScoreRun.objects.filter(candidate_id=candidate_id).latest("id")
        assert latest.pending_checks == []
        codes = {f["code"] for f in latest.flags}
        assert "profile.github_younger_than_experience" in codes
        assert len(github_api.log) == 2

        candidate_score(candidate_id=candidate_id)  # a re-score reads the cache
        assert len(github_api.log) == 2
