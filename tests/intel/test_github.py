"""The GitHub users API client, against a real HTTP server on localhost (pytest-httpserver):
what it reads and caches, and that every failure is "pending", never a finding."""

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Response

from intel import github, ratelimit
from intel.models import GithubAccount
from intel.types import SourceUnavailable

pytestmark = pytest.mark.django_db

YOUNG = {"login": "danawhit", "id": 1, "type": "User", "created_at": "2026-09-14T08:00:00Z",
         "public_repos": 3, "followers": 0}
OLD = {"login": "octocat", "id": 583231, "type": "User", "created_at": "2011-01-25T18:44:36Z",
       "public_repos": 8, "followers": 9000}


@pytest.fixture
def github_server(httpserver, settings):
    """GitHub look-ups switched on and pointed at the local server, with no rate-limit window
    left over from another test."""
    settings.GITHUB_ENABLED = True
    settings.GITHUB_API_URL = httpserver.url_for("/")
    settings.GITHUB_TOKEN = ""
    settings.GITHUB_TIMEOUT = 2
    settings.GITHUB_CACHE_SECONDS = 3600
    ratelimit.window_clear(github.RATE_LIMIT_NAME)
    yield httpserver
    ratelimit.window_clear(github.RATE_LIMIT_NAME)


def pending(username: str = "danawhit") -> SourceUnavailable:
    with pytest.raises(SourceUnavailable) as caught:
        github.github_account(username)
    return caught.value


class TestFound:
    def test_it_reads_a_young_account_and_caches_it(self, github_server):
        github_server.expect_request("/users/danawhit", method="GET").respond_with_json(YOUNG)
        account = github.github_account("DanaWhit")
        assert account.found is True
        assert account.created_at == datetime(2026, 9, 14, 8, tzinfo=UTC)
        assert (account.public_repos, account.followers) == (3, 0)
        row = GithubAccount.objects.get(username="danawhit")
        assert row.found and row.created_at == account.created_at

    def test_it_reads_an_old_account(self, github_server):
        github_server.expect_request("/users/octocat").respond_with_json(OLD)
        account = github.github_account("octocat")
        assert account.created_at.year == 2011
        assert account.followers == 9000

    def test_it_sends_the_api_headers_and_no_token_by_default(self, github_server):
        github_server.expect_request("/users/octocat").respond_with_json(OLD)
        github.github_account("octocat")
        [(request, _)] = github_server.log
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert "candidate-vetting" in request.headers["User-Agent"]
        assert "Authorization" not in request.headers

    def test_it_sends_the_token_when_configured(self, github_server, settings):
        settings.GITHUB_TOKEN = "ghp_example"
        github_server.expect_request(
            "/users/octocat", headers={"Authorization": "Bearer ghp_example"}
        ).respond_with_json(OLD)
        assert github.github_account("octocat").found
        github_server.check_assertions()

    def test_a_second_call_is_answered_from_the_cache(self, github_server):
        github_server.expect_request("/users/octocat").respond_with_json(OLD)
        first = github.github_account("octocat")
        second = github.github_account("octocat")
        assert first == second
        assert len(github_server.log) == 1

    def test_a_stale_cache_entry_is_fetched_again(self, github_server):
        github_server.expect_request("/users/octocat").respond_with_json(OLD)
        github.github_account("octocat")
        GithubAccount.objects.update(fetched_at=datetime.now(UTC) - timedelta(hours=2))
        github.github_account("octocat")
        assert len(github_server.log) == 2

    def test_it_is_silent_when_switched_off(self, github_server, settings):
        settings.GITHUB_ENABLED = False
        assert github.github_account("octocat") is None
        assert github.github_account("") is None
        assert github_server.log == []

    def test_the_last_request_of_the_window_pauses_the_next_ones(self, github_server):
        reset = int(time.time()) + 300
        github_server.expect_request("/users/octocat").respond_with_json(
            OLD, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
        assert github.github_account("octocat").found  # this answer is good and kept
        assert 250 < pending("someoneelse").retry_after <= 302
        assert len(github_server.log) == 1


class TestMissing:
    def test_a_404_is_a_cached_missing_account(self, github_server):
        github_server.expect_request("/users/ghost-persona").respond_with_json(
            {"message": "Not Found"}, status=404)
        account = github.github_account("ghost-persona")
        assert account.found is False and account.created_at is None
        assert github.github_account("ghost-persona").found is False
        assert len(github_server.log) == 1
        assert GithubAccount.objects.get(username="ghost-persona").found is False


class TestNeverAFinding:
    """Every way GitHub can fail to answer: pending, nothing cached, retried later."""

    def assert_nothing_cached(self):
        assert not GithubAccount.objects.exists()

    def test_a_5xx_is_pending(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_data("oops", status=500)
        exc = pending()
        assert exc.retry_after == github.TRANSIENT_RETRY_SECONDS
        assert "500" in exc.reason
        self.assert_nothing_cached()

    def test_a_503_with_retry_after_says_when(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_data(
            "", status=503, headers={"Retry-After": "17"})
        assert pending().retry_after == 17

    def test_a_timeout_is_pending(self, github_server, settings):
        settings.GITHUB_TIMEOUT = 0.2

        def slow(request):
            time.sleep(0.6)
            return Response('{"created_at": "2026-09-14T08:00:00Z"}', status=200,
                            content_type="application/json")

        github_server.expect_request("/users/danawhit").respond_with_handler(slow)
        exc = pending()
        assert "did not answer" in exc.reason
        assert exc.retry_after == github.TRANSIENT_RETRY_SECONDS
        time.sleep(0.5)  # let the single-threaded server finish before the next test
        self.assert_nothing_cached()

    def test_a_refused_connection_is_pending(self, github_server, settings):
        with socket.socket() as sock:  # a port nothing listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        settings.GITHUB_API_URL = f"http://127.0.0.1:{port}"
        exc = pending()
        assert "unreachable" in exc.reason
        self.assert_nothing_cached()

    def test_a_403_rate_limit_waits_until_the_reset(self, github_server):
        reset = int(time.time()) + 120
        github_server.expect_request("/users/danawhit").respond_with_json(
            {"message": "API rate limit exceeded"}, status=403,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset),
                     "X-RateLimit-Limit": "60"})
        exc = pending()
        assert 110 <= exc.retry_after <= 122
        assert "rate limit" in exc.reason
        self.assert_nothing_cached()

    def test_a_429_with_retry_after_waits_that_long(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_json(
            {"message": "secondary rate limit"}, status=429, headers={"Retry-After": "42"})
        assert pending().retry_after == 42
        self.assert_nothing_cached()

    def test_a_403_without_headers_waits_a_minute(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_json({}, status=403)
        assert pending().retry_after == 60

    def test_while_rate_limited_other_candidates_do_not_call_github(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_json(
            {}, status=429, headers={"Retry-After": "90"})
        pending("danawhit")
        exc = pending("someoneelse")
        assert 85 <= exc.retry_after <= 90
        assert len(github_server.log) == 1

    def test_a_cached_answer_is_still_served_while_rate_limited(self, github_server):
        github_server.expect_request("/users/octocat").respond_with_json(OLD)
        github.github_account("octocat")
        ratelimit.window_set(github.RATE_LIMIT_NAME, 60)
        assert github.github_account("octocat").found
        assert len(github_server.log) == 1

    def test_an_unreadable_200_is_pending(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_data(
            "<html>proxy login</html>", status=200, content_type="text/html")
        assert pending().retry_after == github.UNEXPECTED_RETRY_SECONDS
        self.assert_nothing_cached()

    def test_a_200_without_created_at_is_pending(self, github_server):
        github_server.expect_request("/users/danawhit").respond_with_json({"login": "danawhit"})
        pending()
        self.assert_nothing_cached()

    def test_a_bad_token_is_pending_not_missing(self, github_server, settings):
        settings.GITHUB_TOKEN = "revoked"
        github_server.expect_request("/users/danawhit").respond_with_json(
            {"message": "Bad credentials"}, status=401)
        assert "401" in pending().reason
        self.assert_nothing_cached()
