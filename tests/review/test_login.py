"""Sign-in, sign-out, and the sign-in lock-outs (django-axes, review/signin.py) on the review
UI's sign-in page and on the admin's: 5 failures per (username, address) lock that pair, 20
per address across usernames lock the address, a system-wide flood tightens every address to
5, and none of it can be aimed at a user from another address."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from core.audit import AuditEvent
from review.signin import LOCKED_MESSAGE
from tests.review.factories import PASSWORD

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
PROXY = "172.18.0.2"  # the TLS proxy's address, as the web container sees it


def attempt(password: str, *, username: str = "rita", ip: str = "198.51.100.1",
            url: str = LOGIN, client: Client | None = None, **headers):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip,
                       **headers)


def via_proxy(password: str, *, client_ip: str, username: str = "rita", forwarded: str = "",
              url: str = LOGIN):
    """An attempt through the TLS proxy: the proxy appends the address it saw to whatever
    X-Forwarded-For the client sent, and connects from its own address."""
    header = f"{forwarded}, {client_ip}" if forwarded else client_ip
    return attempt(password, username=username, ip=PROXY, url=url,
                   HTTP_X_FORWARDED_FOR=header)


def compose_setting(name: str) -> str:
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    return re.search(rf'^\s+{name}: "([^"]*)"$', compose, re.MULTILINE).group(1)


@pytest.fixture
def behind_proxy(settings):
    """The configuration docker-compose.yml ships, read from it: the client address is the one
    the proxy appended to X-Forwarded-For."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
        compose_setting("AXES_IPWARE_META_PRECEDENCE_ORDER").split(","))
    settings.AXES_IPWARE_PROXY_COUNT = int(compose_setting("AXES_IPWARE_PROXY_COUNT"))


def lockouts():
    return AuditEvent.objects.filter(action="auth.lockout").order_by("id")


@pytest.mark.django_db
class TestSignIn:
    def test_it_signs_in_and_lands_on_the_queue(self, recruiter):
        response = attempt(PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/"

    def test_it_follows_next(self, recruiter):
        client = Client()
        response = client.post(f"{LOGIN}?next=/overview/",
                               {"username": "rita", "password": PASSWORD, "next": "/overview/"})
        assert response["Location"] == "/overview/"

    def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(self, recruiter):
        response = attempt("nope")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content

    def test_sign_out_is_a_post(self, recruiter):
        client = Client()
        client.force_login(recruiter)
        assert client.get("/logout/").status_code == 405
        response = client.post("/logout/")
        assert response.status_code == 302 and response["Location"] == LOGIN
        assert client.get("/").status_code == 302

    def test_the_root_is_the_queue_not_the_api_docs(self, recruiter):
        response = Client().get("/")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/"

    def test_the_api_and_its_docs_stay_where_they_were(self, db):
        assert Client().get("/api/v1/docs/").status_code == 200
        assert Client().get("/api/v1/candidates/").status_code == 401


@pytest.mark.django_db
class TestLockout:
    def test_five_failures_lock_the_account_from_that_address(self, recruiter):
        for _ in range(4):
            assert attempt("wrong").status_code == 200
        fifth = attempt("wrong")
        assert LOCKED_MESSAGE.encode() in fifth.content and fifth.status_code == 429
        # Locked: even the right password is refused.
        response = attempt(PASSWORD)
        assert response.status_code == 429
        assert LOCKED_MESSAGE.encode() in response.content
        assert "_auth_user_id" not in response.wsgi_request.session

    def test_the_lockout_is_per_username_and_address(self, recruiter, hr_lead):
        for _ in range(5):
            attempt("wrong")
        assert attempt(PASSWORD, ip="203.0.113.50").status_code == 302
        assert attempt(PASSWORD, username="hana").status_code == 302

    def test_a_success_resets_the_count(self, recruiter):
        for _ in range(4):
            attempt("wrong")
        assert attempt(PASSWORD).status_code == 302
        for _ in range(4):
            attempt("wrong")
        assert attempt(PASSWORD).status_code == 302

    def test_usernames_are_counted_case_insensitively(self, recruiter):
        for name in ("rita", "RITA", "Rita", "rItA", "ritA"):
            attempt("wrong", username=name)
        assert attempt(PASSWORD).status_code == 429

    def test_the_lock_expires(self, recruiter, settings):
        settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
        for _ in range(5):
            attempt("wrong")
        assert attempt(PASSWORD).status_code == 429
        time.sleep(1.2)
        assert attempt(PASSWORD).status_code == 302

    def test_the_admin_sign_in_is_locked_too(self, admin_user):
        for _ in range(5):
            attempt("wrong", username="ada", url=ADMIN_LOGIN)
        response = attempt(PASSWORD, username="ada", url=ADMIN_LOGIN)
        assert response.status_code == 429
        assert LOCKED_MESSAGE.encode() in response.content
        assert "_auth_user_id" not in response.wsgi_request.session

    def test_the_backend_refuses_whatever_calls_it(self, recruiter):
        request = RequestFactory().post(LOGIN, REMOTE_ADDR="192.0.2.9")
        for _ in range(5):
            assert authenticate(request, username="rita", password="wrong") is None
        assert authenticate(request, username="rita", password=PASSWORD) is None

    def test_a_lockout_is_audited_once(self, recruiter):
        for _ in range(7):
            attempt("wrong")
        events = lockouts()
        assert events.count() == 1
        assert events.get().target_id == "rita"
        assert events.get().after["ip"] == "198.51.100.1"
        assert events.get().after["scope"] == "account"

    def test_the_login_page_is_keyboard_first(self, db):
        page = Client().get(reverse("review:login")).content.decode()
        assert 'autofocus' in page and 'class="skip-link"' in page
        assert 'autocomplete="current-password"' in page


@pytest.mark.django_db
class TestBehindAProxy:
    def test_others_behind_the_shared_proxy_cannot_lock_a_user_out(self, recruiter,
                                                                   behind_proxy):
        for _ in range(10):
            via_proxy("wrong", client_ip="203.0.113.66")
        assert via_proxy("wrong", client_ip="203.0.113.66").status_code == 429
        # Same proxy, same username, the real user's own address: not locked.
        assert via_proxy(PASSWORD, client_ip="198.51.100.23").status_code == 302

    def test_the_admin_sign_in_is_covered_behind_the_proxy_too(self, admin_user, behind_proxy):
        for _ in range(6):
            via_proxy("wrong", username="ada", client_ip="203.0.113.66", url=ADMIN_LOGIN)
        assert via_proxy(PASSWORD, username="ada", client_ip="203.0.113.66",
                         url=ADMIN_LOGIN).status_code == 429
        assert via_proxy(PASSWORD, username="ada", client_ip="198.51.100.23",
                         url=ADMIN_LOGIN).status_code == 302

    def test_a_client_cannot_pass_for_another_address_by_writing_the_header(self, recruiter,
                                                                            behind_proxy):
        # The attacker writes the victim's address into X-Forwarded-For; the proxy appends
        # the attacker's real one, and that is the one counted.
        for _ in range(5):
            via_proxy("wrong", client_ip="203.0.113.66", forwarded="198.51.100.23")
        assert via_proxy(PASSWORD, client_ip="198.51.100.23").status_code == 302
        assert via_proxy(PASSWORD, client_ip="203.0.113.66",
                         forwarded="192.0.2.1").status_code == 429

    def test_the_forwarded_header_is_not_trusted_unless_configured(self, recruiter):
        # Without configuration the address is REMOTE_ADDR, whatever the header says: a
        # client reaching the app directly cannot pick the address it is counted under.
        for n in range(5):
            via_proxy("wrong", client_ip=f"203.0.113.{n + 1}")
        assert via_proxy(PASSWORD, client_ip="198.51.100.23").status_code == 429

    def test_the_sign_in_is_audited_with_the_forwarded_address(self, recruiter, behind_proxy):
        via_proxy(PASSWORD, client_ip="198.51.100.23")
        assert AuditEvent.objects.get(action="auth.login").after["ip"] == "198.51.100.23"


@pytest.mark.django_db
class TestSpraying:
    def test_thirty_usernames_with_one_password_from_one_address_are_throttled(
            self, recruiter):
        statuses = [attempt("Summer2025!", username=f"user{n}").status_code for n in range(30)]
        # The 20th failure locks the address (and says so); the rest are refused unchecked.
        assert statuses[:19] == [200] * 19
        assert statuses[19:] == [429] * 11
        # The sprayer's address is locked for every account, the right password too...
        response = attempt(PASSWORD)
        assert response.status_code == 429 and LOCKED_MESSAGE.encode() in response.content
        # ...and nobody else is.
        assert attempt(PASSWORD, ip="198.51.100.99").status_code == 302
        address_lock = lockouts().get(target_type="address")
        assert address_lock.target_id == "198.51.100.1"
        assert address_lock.after["failures"] == 20

    def test_a_success_does_not_clear_the_address_count(self, recruiter):
        # Someone with one valid account cannot spray 19 at a time and sign in in between.
        for n in range(19):
            attempt("Summer2025!", username=f"user{n}")
        assert attempt(PASSWORD).status_code == 302
        assert attempt("Summer2025!", username="someone-else").status_code == 429

    def test_an_ipv6_client_counts_per_64(self, recruiter):
        for n in range(5):
            attempt("wrong", ip=f"2001:db8:aa:bb::{n + 1}")
        assert attempt(PASSWORD, ip="2001:db8:aa:bb:ffff::9").status_code == 429
        assert attempt(PASSWORD, ip="2001:db8:aa:cc::1").status_code == 302

    def test_a_system_wide_flood_tightens_every_address_but_locks_out_nobody(
            self, recruiter, hr_lead, settings):
        settings.SIGNIN_GLOBAL_FAILURE_LIMIT = 30
        # Distributed spraying: 30 addresses, one guess each; none is near its own limit.
        for n in range(30):
            assert attempt("Summer2025!", username=f"user{n}",
                           ip=f"203.0.113.{n + 1}").status_code == 200
        # Every address now gets AXES_FAILURE_LIMIT (5) failures across usernames, not 20.
        statuses = [attempt("Summer2025!", username=f"other{n}", ip="192.0.2.50").status_code
                    for n in range(6)]
        assert statuses == [200] * 4 + [429] * 2
        # Whoever does not fail is not affected: no global lock.
        assert attempt(PASSWORD, ip="192.0.2.77").status_code == 302
        assert attempt(PASSWORD, username="hana", ip="203.0.113.1").status_code == 302
        assert lockouts().filter(target_type="system", target_id="sign-in").count() == 1

    def test_a_username_glued_to_an_address_does_not_hit_another_pairs_count(self, recruiter):
        # axes joins username and address into one key: "rita1" + "98.51.100.1" must not be
        # "rita" + "198.51.100.1".
        for _ in range(5):
            attempt("wrong", username="rita1", ip="98.51.100.1")
        assert attempt(PASSWORD, username="rita", ip="198.51.100.1").status_code == 302


@pytest.mark.django_db
class TestLockoutAudit:
    def test_a_flood_of_lockouts_writes_a_bounded_number_of_events(self, recruiter, settings):
        settings.SIGNIN_AUDIT_LOCKOUT_LIMIT = 3
        for n in range(12):  # 12 pairs locked, each from its own address
            for _ in range(5):
                attempt("wrong", username=f"victim{n}", ip=f"203.0.113.{n + 1}")
        events = list(lockouts())
        assert len(events) == 4
        assert [e.target_type for e in events[:3]] == ["user"] * 3
        assert events[3].target_id == "audit-limit"
        # The locks themselves all hold; only the audit is capped.
        assert attempt("wrong", username="victim11", ip="203.0.113.12").status_code == 429

    def test_attempts_while_locked_are_not_audited_again(self, recruiter):
        for _ in range(50):
            attempt("wrong")
        assert lockouts().count() == 1

    def test_the_attacker_chosen_username_is_cut_short_and_printable(self, db):
        name = "x\u202e\u0007" + "y" * 140
        for _ in range(5):
            attempt("wrong", username=name)
        event = lockouts().get()
        assert len(event.target_id) <= 64
        assert event.target_id.isprintable() and event.target_id.startswith("xy")

    def test_a_lockout_does_not_audit_the_password(self, recruiter):
        for _ in range(5):
            attempt("hunter2-secret")
        assert "hunter2-secret" not in str(lockouts().get().after)


@pytest.mark.django_db
class TestCacheOutage:
    def test_sign_in_works_unthrottled_when_the_cache_is_down(self, recruiter, settings):
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }}
        settings.AXES_HANDLER = "review.signin.SignInLockoutHandler"  # rebuilt on this cache
        for _ in range(6):
            assert attempt("wrong").status_code == 200
        assert attempt(PASSWORD).status_code == 302
