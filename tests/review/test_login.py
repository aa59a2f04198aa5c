"""Sign-in, sign-out, and the failed sign-in lockout (5 failures per username and IP lock that
pair for 15 minutes), on the review UI's sign-in page and on the admin's."""

import time

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from core.audit import AuditEvent
from review.throttle import LOCKED_MESSAGE, login_failures
from tests.review.factories import PASSWORD

LOGIN = "/login/"


def attempt(password: str, *, username: str = "rita", ip: str = "198.51.100.1",
            url: str = LOGIN, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


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
        assert login_failures(username="rita", ip="198.51.100.1") == 0
        for _ in range(4):
            attempt("wrong")
        assert attempt(PASSWORD).status_code == 302

    def test_usernames_are_counted_case_insensitively(self, recruiter):
        for name in ("rita", "RITA", "Rita", "rItA", "ritA"):
            attempt("wrong", username=name)
        assert attempt(PASSWORD).status_code == 429

    def test_the_lock_expires(self, recruiter, settings):
        settings.LOGIN_LOCKOUT_SECONDS = 1
        for _ in range(5):
            attempt("wrong")
        assert attempt(PASSWORD).status_code == 429
        time.sleep(1.2)
        assert attempt(PASSWORD).status_code == 302

    def test_the_admin_sign_in_is_locked_too(self, admin_user):
        url = "/admin/login/?next=/admin/"
        for _ in range(5):
            attempt("wrong", username="ada", url=url)
        response = attempt(PASSWORD, username="ada", url=url)
        assert response.status_code == 200
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
        events = AuditEvent.objects.filter(action="auth.lockout")
        assert events.count() == 1
        assert events.get().target_id == "rita"
        assert events.get().after["ip"] == "198.51.100.1"

    def test_the_login_page_is_keyboard_first(self, db):
        page = Client().get(reverse("review:login")).content.decode()
        assert 'autofocus' in page and 'class="skip-link"' in page
        assert 'autocomplete="current-password"' in page
