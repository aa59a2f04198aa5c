"""The Content-Security-Policy in a real headless Chromium: every page renders with it and the
browser reports no violation (a blocked inline style or script shows up in the console).

Screenshots go to tests/screenshots/csp-*.png (compare them with the e2e ones).
"""

from django.urls import reverse

from review import roles
from tests.review.browser import BROWSER_MARKS, screenshot
from tests.review.factories import candidate_make, flag, ring_make, user_make
from tests.review.test_e2e import by_css, sign_in

pytestmark = BROWSER_MARKS


def console_problems(driver, page_url: str = "") -> list[str]:
    """Console errors and CSP reports since the last call (the log is drained when read).
    The page's own status (a 404 page answers 404) is not a problem, nor is the admin's
    missing /favicon.ico (the browser asks for it on pages that name no icon)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if (entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"])
            and not (page_url and entry["message"].startswith(f"{page_url} - "))
            and "/favicon.ico - " not in entry["message"]]


def visit(driver, url: str, name: str, ready: str = "main") -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", ready))
    screenshot(driver, f"csp-{name}")
    problems = console_problems(driver, url)
    assert not problems, f"{name}: {problems}"


def test_every_page_renders_without_a_csp_violation(live_server, browser):
    from django.contrib.auth import get_user_model

    ring = ring_make(4)
    candidate_make("Applicant 1", 42, flags=[flag("phone.voip")])
    user_make("hana", roles.HR_LEAD)
    user_make("ada", roles.ADMIN)
    base = live_server.url

    visit(browser, base + reverse("review:login"), "login")
    sign_in(browser, base, "hana")
    console_problems(browser)
    visit(browser, base + "/", "queue", "table.queue")
    visit(browser, base + f"/candidates/{ring[0].pk}/", "candidate", "svg [data-node]")
    # The graph's hover highlight is script: it must still run under the policy.
    from selenium.webdriver.common.action_chains import ActionChains

    node = by_css(browser, f'svg .node[data-node="{ring[1].pk}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
    ActionChains(browser).move_to_element(node).perform()
    assert "is-focus" in by_css(browser, "svg[data-graph]").get_attribute("class")
    visit(browser, base + "/overview/", "overview", "svg.chart")
    visit(browser, base + "/audit/", "audit", "table.audit")
    visit(browser, base + "/candidates/999999/", "not-found", "main")

    browser.delete_all_cookies()
    sign_in(browser, base, "ada")
    console_problems(browser)
    user = get_user_model().objects.get(username="hana")
    for name, path in [("admin", "/admin/"),
                       ("admin-users", "/admin/auth/user/"),
                       ("admin-user", f"/admin/auth/user/{user.pk}/change/"),
                       ("admin-audit", "/admin/core/auditevent/")]:
        visit(browser, base + path, name, "#content")


def test_the_api_docs_work_under_the_policy(live_server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server.url + "/api/v1/docs/")
    # Swagger UI is script: it has run when the operations from the schema are on the page.
    WebDriverWait(browser, 15).until(
        lambda d: d.find_elements("css selector", ".opblock-summary-path"))
    assert "/api/v1/candidates/" in browser.page_source
    screenshot(browser, "csp-api-docs")
    assert not console_problems(browser)
