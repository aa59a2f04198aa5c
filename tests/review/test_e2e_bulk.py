"""The queue at recruiter scale in a real headless Chromium: a recruiter clears 100 low-risk
candidates in four actions (the "Low risk" view, "select all matching", a reason, Clear);
rows fit the screen (15+ at 1440x900, 10+ at 1280x720); the keys x and a work.

Screenshots: tests/screenshots/queue-*.png.
"""


import pytest

from review import roles
from review.models import Review
from tests.review.browser import BROWSER_MARKS, SCREENSHOTS, browser_start, browser_stop
from tests.review.factories import candidate_make, flag, ring_make, user_make
from tests.review.test_e2e import all_css, by_css, click_and_wait, sign_in

pytestmark = BROWSER_MARKS


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def live(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def busy_queue(db):
    ring_make(5)
    for i in range(12):
        candidate_make(f"Medium Applicant {i:02d}", 30 + i, flags=[
            flag("phone.voip"), flag("email.disposable")], position="Full-Stack Developer")
    low = [candidate_make(f"Low Applicant {i:03d}", 2 + i % 15,
                          flags=[flag("email.persona_pattern")] if i % 3 else [],
                          position="Frontend Developer") for i in range(100)]
    candidate_make("Still Scoring", None)
    return {"low": low, "recruiter": user_make("rita", roles.RECRUITER)}


def rows_in_viewport(driver) -> int:
    return driver.execute_script("""
        const h = window.innerHeight;
        return [...document.querySelectorAll('table.queue tbody tr')].filter(r => {
            const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= h;
        }).length;""")


@pytest.mark.parametrize("width,height,at_least", [(1440, 900, 15), (1280, 720, 10)])
def test_rows_fit_the_screen(live_server, live, busy_queue, width, height, at_least):
    driver = browser_start(width, height)
    try:
        sign_in(driver, live_server.url, "rita")
        # The window's inner size is the viewport the recruiter sees.
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
        driver.get(live_server.url + "/")
        heights = driver.execute_script(
            "return [...document.querySelectorAll('table.queue tbody tr')].slice(0, 20)"
            ".map(r => r.getBoundingClientRect().height)")
        assert max(heights) <= 36, heights
        assert rows_in_viewport(driver) >= at_least
        shot(driver, f"queue-{width}x{height}")
        driver.get(live_server.url + "/?level=medium&sort=applied")
        assert by_css(driver, "details.filters-box").get_attribute("open") is not None
        shot(driver, f"queue-filters-open-{width}x{height}")
    finally:
        browser_stop(driver)


def test_a_recruiter_clears_100_low_risk_candidates_in_four_actions(live_server, live,
                                                                   busy_queue):
    from selenium.webdriver.support.ui import Select

    driver = browser_start(1440, 900)
    try:
        sign_in(driver, live_server.url, "rita")
        actions = 0
        click_and_wait(driver, by_css(driver, 'a.chip-link[href="/?view=low_risk"]'))
        actions += 1
        assert "100 candidates" in by_css(driver, "#queue-count").text
        by_css(driver, "#select-all").click()
        actions += 1
        assert by_css(driver, "#bulk-clear").text == "Clear 100"
        Select(by_css(driver, "#bulk-reason")).select_by_value("weak_signals")
        actions += 1
        shot(driver, "queue-bulk-selected")
        click_and_wait(driver, by_css(driver, "#bulk-clear"))
        actions += 1
        assert actions <= 5
        assert "Cleared 100 candidates." in by_css(driver, ".messages").text
        assert Review.objects.filter(state="cleared",
                                     candidate__in=busy_queue["low"]).count() == 100
        assert "Nothing here" in by_css(driver, "main").text
        shot(driver, "queue-bulk-done")
    finally:
        browser_stop(driver)


def test_keys_x_selects_and_a_takes(live_server, live, busy_queue):
    driver = browser_start(1440, 900)
    try:
        sign_in(driver, live_server.url, "rita")
        from selenium.webdriver.common.action_chains import ActionChains

        def press(key):  # to whatever has the focus, as a person typing
            ActionChains(driver).send_keys(key).perform()

        press("j")  # the candidate being scored: no checkbox, "x" does nothing
        press("x")
        press("j")  # the riskiest scored candidate
        press("x")
        first = all_css(driver, "table.queue tbody:not(.pending-rows) tr")[0]
        assert first.find_element("css selector", ".row-check").is_selected()
        assert by_css(driver, "#bulk-clear").text == "Clear 1"
        press("?")
        assert by_css(driver, "#shortcut-help").is_displayed()
        shot(driver, "queue-shortcuts")
        by_css(driver, "#shortcut-help button").click()
        name = first.find_element("css selector", ".row-link").text
        first.find_element("css selector", ".row-link").send_keys("")  # focus back on it
        marker = by_css(driver, "main")
        press("a")
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, 10).until(expected_conditions.staleness_of(marker))
        assert "Assigned to rita." in by_css(driver, ".messages").text
        assert Review.objects.get(candidate__full_name=name).assignee.username == "rita"
    finally:
        browser_stop(driver)
