"""Personas for the review UI: a recruiter, two HR leads, an admin, a user with no role, and
anonymous; candidates in each review state."""

import pytest
from django.core.cache import cache

from review import roles
from review.services import review_escalate
from tests.review.browser import browser_start, browser_stop
from tests.review.factories import candidate_make, flag, user_make


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and cached aggregates must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recruiter(db):
    return user_make("rita", roles.RECRUITER)


@pytest.fixture
def hr_lead(db):
    return user_make("hana", roles.HR_LEAD)


@pytest.fixture
def hr_lead2(db):
    return user_make("omar", roles.HR_LEAD)


@pytest.fixture
def admin_user(db):
    return user_make("ada", roles.ADMIN)


@pytest.fixture
def norole(db):
    return user_make("nora", None)


@pytest.fixture
def candidate(db):
    return candidate_make("Dana Whitfield", 88, flags=[
        flag("reuse.bank_account", summary="Bank account …0042 is also on 2 other applications",
             evidence={"kind": "bank_account", "identifier": "Bank account …0042", "count": 2}),
        flag("phone.voip"),
    ])


@pytest.fixture
def escalated(db, candidate):
    """The candidate, escalated by a recruiter who is neither HR lead."""
    maker = user_make("mike", roles.RECRUITER)
    review_escalate(candidate_id=candidate.pk, actor=maker, reason_code="identity_ring",
                    comment="Shares a bank account with two others.")
    return candidate



@pytest.fixture
def browser(settings):
    """Headless Chromium for a live-server test (plain HTTP, so the cookies are not Secure)."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    driver = browser_start()
    yield driver
    browser_stop(driver)
