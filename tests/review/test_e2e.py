"""End to end in a real headless Chromium (Debian's package) against the live server:

a recruiter signs in, opens the riskiest candidate, reads a flag's evidence, opens a linked
candidate from the graph and escalates; a different HR lead signs in and approves; an HR lead
who escalated tries to approve and is refused; every step is in the audit trail.

Screenshots of each step go to tests/screenshots/e2e-*.png.
"""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from core.audit import AuditEvent
from review import roles
from review.models import Review, ReviewState
from tests.review.browser import BROWSER_MARKS, browser_start, browser_stop, screenshot
from tests.review.factories import PASSWORD, candidate_make, flag, ring_make, user_make

pytestmark = BROWSER_MARKS


@pytest.fixture
def world(db):
    ring = ring_make(4)
    for i, score in enumerate([42, 18, 7]):
        candidate_make(f"Applicant {i + 1}", score, flags=[flag("phone.voip")] if score > 20
                       else [])
    return {
        "ring": ring,
        "recruiter": user_make("rita", roles.RECRUITER),
        "hr_lead": user_make("hana", roles.HR_LEAD),
        "hr_lead2": user_make("omar", roles.HR_LEAD),
    }


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def sign_in(driver, base: str, username: str) -> None:
    driver.get(base + reverse("review:login"))
    by_css(driver, "#id_username").send_keys(username)
    by_css(driver, "#id_password").send_keys(PASSWORD)
    by_css(driver, "form button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", ".who-name"))
    assert by_css(driver, ".who-name").text == username


def wait_for_url(driver, fragment: str) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(expected_conditions.url_contains(fragment))


def click_and_wait(driver, element) -> None:
    """Click a link and wait until the next page has replaced this one."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    marker = by_css(driver, "main")
    element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(marker))


def sign_out(driver) -> None:
    by_css(driver, ".who form button").click()
    wait_for_url(driver, "/login/")


def decide(driver, action: str, reason: str, comment: str, *, confirm: bool = False) -> None:
    """Open the decision's form, fill it and submit it with "<Action>, stay here"."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    details = by_css(driver, f"#decide-{action}")
    if details.get_attribute("open") is None:
        details.find_element("css selector", "summary").click()
    form = by_css(driver, f"#form-{action}")
    Select(by_css(driver, f"#id_{action}_reason_code")).select_by_value(reason)
    by_css(driver, f"#id_{action}_comment").send_keys(comment)
    form.find_element("css selector", "button[name=decision]").click()
    if confirm:  # approve and reject: one more look, in the page (static/review/candidate.js)
        step = form.find_element("css selector", ".confirm-step")
        WebDriverWait(driver, 10).until(lambda d: step.is_displayed())
        assert "Ring Member" in step.text
        step.find_element("css selector", "[data-confirm]").click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(form))


def state_of(candidate) -> str:
    review = Review.objects.filter(candidate=candidate).first()
    return review.state if review else ReviewState.NEW


def test_recruiter_escalates_hr_lead_approves_maker_is_refused(live_server, browser, world):
    base = live_server.url
    riskiest, linked = world["ring"][0], world["ring"][1]

    # 1. Anonymous: the root is the queue, behind sign-in.
    browser.get(base + "/")
    assert "/login/?next=/" in browser.current_url
    screenshot(browser, "e2e-01-sign-in")

    # 2. The recruiter signs in and sees the riskiest candidate first.
    sign_in(browser, base, "rita")
    rows = all_css(browser, "table.queue tbody tr")
    assert len(rows) == 7
    assert rows[0].find_element("css selector", ".row-link").text == riskiest.full_name
    assert " ".join(rows[0].text.split()).startswith("95 Critical Ring Member 1")
    by_css(browser, "body").send_keys("/")  # keyboard shortcut to the search box
    assert browser.switch_to.active_element.get_attribute("id") == "id_q"
    screenshot(browser, "e2e-02-queue-recruiter")

    # 3. Open the riskiest candidate and read a flag's evidence.
    click_and_wait(browser, rows[0].find_element("css selector", ".row-link"))
    assert by_css(browser, "h1").text == riskiest.full_name
    assert "Shares bank account …0042 and an Austin shipping address" in by_css(
        browser, "#verdict").text
    shipping = all_css(browser, ".flag-card")[1]
    assert "Shipping address used by other applicants" in shipping.text
    evidence = shipping.find_element("css selector", "details.flag-details")
    assert not evidence.find_element("css selector", "dl").is_displayed()
    evidence.find_element("css selector", "summary").click()
    assert "77 Elm Street, Austin 78701, US" in evidence.text
    assert "What to verify next: Do not ship" in shipping.text
    bank = all_css(browser, ".flag-card")[0]
    assert "Ring Member 2" in bank.text  # the applicants it names, as links
    screenshot(browser, "e2e-03-candidate-riskiest")

    # 4. Open a linked candidate from the graph.
    node = by_css(browser, f'svg .node[data-node="{linked.pk}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
    screenshot(browser, "e2e-04-graph", full_page=False)
    click_and_wait(browser, node)
    assert by_css(browser, "h1").text == linked.full_name
    assert f"/candidates/{linked.pk}/" in browser.current_url
    screenshot(browser, "e2e-05-candidate-linked")
    browser.back()
    assert by_css(browser, "h1").text == riskiest.full_name

    # 5. Escalate.
    decide(browser, "escalate", "laptop_farm",
           "Four applicants share a bank account and a shipping address.")
    assert "Escalated: Ring Member 1." in by_css(browser, ".messages").text
    assert "Escalated" in by_css(browser, ".review-box").text
    assert not all_css(browser, "#form-approve")  # recruiters do not approve
    assert state_of(riskiest) == ReviewState.ESCALATED
    screenshot(browser, "e2e-06-escalated-by-recruiter")
    sign_out(browser)

    # 6. A different HR lead approves it from "Awaiting HR approval".
    sign_in(browser, base, "hana")
    click_and_wait(browser, by_css(browser, 'a.chip-link[href="/?view=awaiting_hr"]'))
    rows = all_css(browser, "table.queue tbody tr")
    assert [r.find_element("css selector", ".row-link").text for r in rows] == [
        riskiest.full_name]
    assert "by rita" in rows[0].text
    screenshot(browser, "e2e-07-awaiting-hr-approval")
    click_and_wait(browser, rows[0].find_element("css selector", ".row-link"))
    # Critical: approving needs a passed identity verification on record (issue 12).
    assert "approving needs a passed identity verification" in by_css(browser, "#decide").text
    from selenium.webdriver.support.ui import Select

    Select(by_css(browser, "#id_verify_method")).select_by_value("live_video_id")
    click_and_wait(browser, by_css(browser, "#form-verify button[type=submit]"))
    Select(by_css(browser, ".outcome-form select")).select_by_value("passed")
    click_and_wait(browser, by_css(browser, ".outcome-form button[type=submit]"))
    assert "Identity verified" in by_css(browser, "#verification-badge").text
    decide(browser, "approve", "identity_verified",
           "Met all four in person with ID; one household, separate accounts.", confirm=True)
    assert "Approved" in by_css(browser, ".review-box").text
    assert state_of(riskiest) == ReviewState.APPROVED
    screenshot(browser, "e2e-08-approved-by-hr-lead")

    # 7. The HR lead escalates another candidate and tries to approve it herself: refused.
    browser.get(base + f"/candidates/{linked.pk}/")
    decide(browser, "escalate", "identity_ring", "Shares a phone with Ring Member 1.")
    assert ("Waiting for another HR lead: you escalated this candidate (maker-checker)"
            in by_css(browser, "#decide").text)
    assert not all_css(browser, "#form-approve")  # no form at all, not a disabled one
    screenshot(browser, "e2e-09-maker-is-told-to-wait")
    # Hidden buttons are not security: post an approval anyway.
    marker = by_css(browser, "main")
    browser.execute_script("""
        var token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        var form = document.createElement('form');
        form.method = 'post'; form.action = arguments[0];
        [['csrfmiddlewaretoken', token], ['reason_code', 'flags_explained'],
         ['comment', 'Approving my own escalation.'], ['expected_state', 'escalated']
        ].forEach(function (pair) {
          var input = document.createElement('input');
          input.type = 'hidden'; input.name = pair[0]; input.value = pair[1];
          form.appendChild(input);
        });
        document.body.appendChild(form);
        form.submit();
    """, f"/candidates/{linked.pk}/approve/")
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(marker))
    error = by_css(browser, "#decision-error").text
    assert "another HR lead must approve or reject it (maker-checker)" in error
    assert state_of(Candidate.objects.get(pk=linked.pk)) == ReviewState.ESCALATED
    screenshot(browser, "e2e-10-maker-checker-refused")

    # 8. Every step is on the audit trail.
    click_and_wait(browser, by_css(browser, 'nav a[href="/audit/"]'))
    table = by_css(browser, "table.audit").text
    for expected in ("rita auth.login", "rita review.escalate", "hana auth.login",
                     "hana review.approve", "hana review.escalate",
                     "hana review.approve.refused"):
        assert expected in table, expected
    screenshot(browser, "e2e-11-audit-trail")
    steps = list(AuditEvent.objects.filter(target_type="candidate").order_by("id")
                 .values_list("actor_label", "action", "target_id"))
    assert steps == [
        ("rita", "review.escalate", str(riskiest.pk)),
        ("hana", "verification.request", str(riskiest.pk)),
        ("hana", "verification.outcome", str(riskiest.pk)),
        ("hana", "review.approve", str(riskiest.pk)),
        ("hana", "review.escalate", str(linked.pk)),
        ("hana", "review.approve.refused", str(linked.pk)),
    ]

    # 9. The overview, and what a recruiter may not open.
    click_and_wait(browser, by_css(browser, 'nav a[href="/overview/"]'))
    assert "Candidates by risk level" in by_css(browser, "main").text
    screenshot(browser, "e2e-12-overview")
    sign_out(browser)
    sign_in(browser, base, "rita")
    assert not all_css(browser, 'nav a[href="/audit/"]')
    browser.get(base + "/audit/")
    assert "Your role does not allow this" in by_css(browser, "h1").text
    screenshot(browser, "e2e-13-recruiter-refused-audit")


def test_the_pages_work_without_javascript(live_server, world, settings):
    """Server-rendered: the queue, the graph's links and the forms need no script."""
    from selenium import webdriver  # noqa: F401

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    driver = browser_start()
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        sign_in(driver, live_server.url, "rita")
        click_and_wait(driver, all_css(driver, "table.queue .row-link")[0])
        click_and_wait(driver, by_css(driver, f'svg .node[data-node="{world["ring"][2].pk}"]'))
        assert by_css(driver, "h1").text == world["ring"][2].full_name
        screenshot(driver, "e2e-14-no-javascript")
    finally:
        browser_stop(driver)
