"""The candidate page in a real headless Chromium (issue 12).

1. At 1280x720 the first screen of a critical candidate shows why: the verdict, the score
   against its thresholds, the ring size and the top three reasons (their boxes are inside
   the viewport). Screenshots: tests/screenshots/page-*.png.
2. The whole escalate-approve flow from the keyboard alone: no clicks.
"""


import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import AuditEvent
from review import roles
from review.models import Review, ReviewState, VerificationRequest
from tests.review.browser import (
    BROWSER_MARKS,
    SCREENSHOTS,
    browser_start,
    browser_stop,
    viewport_set,
)
from tests.review.factories import PASSWORD, candidate_make, flag, ring_make, user_make

pytestmark = BROWSER_MARKS

IBAN = ("bank_account", "fp-iban-7690", "IBAN …7690")
SHIP = ("shipping_address", "addr-hillsboro-798", "798 S Congress Ave., Hillsboro, 97124, US")


@pytest.fixture
def browser(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    driver = browser_start(1280, 720)
    viewport_set(driver, 1280, 720)
    yield driver
    browser_stop(driver)


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"page-{name}.png"))


def others(members, me):
    return [{"id": m.pk, "external_id": m.external_id, "full_name": m.full_name}
            for m in members if m.pk != me.pk]


def critical_ring():
    """A ring of six sharing an IBAN and a shipping address, five of them critical; the first
    carries twelve flags, as a real critical candidate does, and a failed verification."""
    scores = [283, 190, 160, 120, 95, 60]
    ring = [candidate_make(f"Persona {i + 1}", score, identifiers=[IBAN, SHIP],
                           position="Senior React Developer")
            for i, score in enumerate(scores)]
    me = ring[0]
    combo = {"code": "combo.laptop_farm_ring", "title": "Combination", "severity": "high",
             "points": 30, "summary": "A shared shipping address plus a shared identity detail "
             "is a laptop-farm ring.", "evidence": {"together": ["shipping.shared_address",
                                                                 "reuse:high"]}}
    me.risk_flags = [
        flag("reuse.bank_account", points=58, summary="IBAN …7690 is also on 5 other "
             "applications (Persona 2, Persona 3, Persona 4 and 2 more)",
             evidence={"kind": "bank_account", "identifier": "IBAN …7690", "count": 5,
                       "others": others(ring, me)}),
        flag("shipping.shared_address", points=45, summary="Shipping address 798 S Congress "
             "Ave., Hillsboro, 97124, US is also on 5 other applications",
             evidence={"shipping_address": SHIP[2], "count": 5, "others": others(ring, me)}),
        flag("network.astrill", points=35, summary="IP 45.135.1.7 is in an Astrill VPN block",
             evidence={"ips": [{"ip": "45.135.1.7", "category": "astrill"}]}),
        combo,
        flag("resume.near_duplicate", points=25, summary="Resume is a near-duplicate (91% "
             "similar) of 3 other applicants' (Persona 2, Persona 3, Persona 4)",
             evidence={"others": others(ring[:4], me)}),
        flag("payment.holder_mismatch", points=25,
             summary="IBAN …7690 is held by Wei Zhang, not by Persona 1"),
        dict(combo, code="combo.templated_persona", points=20,
             summary="A templated resume plus a shared identifier: one operator, several "
                     "personas."),
        flag("phone.voip", points=12, summary="Phone +15035550199 is a VoIP number"),
        flag("shipping.differs_from_home", points=6, summary="Equipment would ship to 798 S "
             "Congress Ave., Hillsboro, not to the home address"),
        flag("reuse.ip", points=3, summary="IP 45.135.1.7 is also on 1 other application",
             evidence={"others": others(ring[5:], me)}),
        flag("payment.payout_service", points=2, summary="Paid through Wise"),
        flag("phone.line_type_unknown", points=0, summary="VoIP could not be determined for "
             "+15035550199: no line-type provider configured", evidence={"reason":
                                                                      "no provider"}),
    ]
    me.save(update_fields=["risk_flags"])
    VerificationRequest.objects.create(
        candidate=me, method="live_video_id", requested_by=user_make("vera", roles.RECRUITER),
        outcome="failed", outcome_by=user_make("vic", roles.RECRUITER),
        outcome_at=timezone.now(), outcome_note="Would not show ID on camera.")
    return ring


def boxes(driver, selectors: list[str]) -> dict:
    return driver.execute_script("""
        var found = {};
        arguments[0].forEach(function (selector) {
          found[selector] = Array.prototype.map.call(document.querySelectorAll(selector),
            function (el) { var r = el.getBoundingClientRect();
              return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; });
        });
        found.viewport = [window.innerWidth, window.innerHeight];
        return found;
    """, selectors)


def sign_in_by_keyboard(driver, base: str, username: str) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + reverse("review:login"))
    driver.switch_to.active_element.send_keys(username)  # the form focuses the username
    driver.switch_to.active_element.send_keys(Keys.TAB + PASSWORD + Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", ".who-name"))


def test_the_first_screen_of_a_critical_candidate_says_why(live_server, browser):
    from tests.review.test_e2e import sign_in

    ring = critical_ring()
    user_make("rita", roles.RECRUITER)
    sign_in(browser, live_server.url, "rita")
    browser.get(live_server.url + reverse("review:candidate", args=[ring[0].pk]))
    shot(browser, "critical-first-screen")

    verdict = browser.find_element("css selector", "#verdict").text
    assert verdict == ("Shares IBAN …7690, an Austin shipping address and a resume template "
                       "with 5 applicants, 4 of them critical; connects through Astrill VPN; "
                       "pay goes to an account in someone else's name.")
    assert browser.find_element("css selector", "[data-testid=score-scale]").text == \
        "critical from 80"
    assert "Ring of 6" in browser.find_element("css selector", "#ring").text
    assert "Identity verification failed" in browser.find_element(
        "css selector", "#verification-badge").text

    found = boxes(browser, ["#verdict", "[data-testid=score]", "[data-testid=score-scale]",
                            "#ring", "[data-testid=reason]", "#verification-badge"])
    width, height = found.pop("viewport")
    assert (width, height) == (1280, 720)
    assert len(found["[data-testid=reason]"]) == 3
    for selector, rects in found.items():
        assert rects, selector
        for rect in rects:
            assert rect["top"] >= 0 and rect["left"] >= 0, (selector, rect)
            assert rect["bottom"] <= height and rect["right"] <= width, (selector, rect)

    # The weak signals and the operator's note are folded away, and plain for a recruiter.
    page = browser.find_element("css selector", "main").text
    assert "TWILIO" not in page and "fixed_line_or_mobile" not in page
    assert "reuse.bank_account" not in page  # codes only behind "Details"


def test_escalate_then_approve_from_the_keyboard_alone(live_server, browser):
    """A recruiter escalates with e, reason, comment and Enter, and lands on the next
    candidate; another user, an HR lead, approves with p (override and its reason, since
    the candidate is critical and unverified), Enter, and Enter on the confirmation."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    ring = ring_make(4)
    user_make("rita", roles.RECRUITER)
    user_make("hana", roles.HR_LEAD)
    base = live_server.url

    def keys(*sequence):
        ActionChains(browser).send_keys(*sequence).perform()

    def wait_for_page(marker):
        WebDriverWait(browser, 10).until(expected_conditions.staleness_of(marker))

    # The recruiter opens the riskiest candidate from the queue: j, then Enter.
    sign_in_by_keyboard(browser, base, "rita")
    marker = browser.find_element("css selector", "main")
    keys("j")
    keys(Keys.ENTER)
    wait_for_page(marker)
    assert browser.find_element("css selector", "h1").text == ring[0].full_name

    # e opens the escalate form with the reason focused; two arrows pick "laptop farm".
    keys("e")
    assert browser.switch_to.active_element.get_attribute("id") == "id_escalate_reason_code"
    keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    keys(Keys.TAB, "Four applicants share an IBAN and a shipping address.")
    shot(browser, "keyboard-escalate")
    marker = browser.find_element("css selector", "main")
    keys(Keys.ENTER)
    wait_for_page(marker)
    assert browser.current_url.endswith(reverse("review:candidate", args=[ring[1].pk]))
    assert "Escalated: Ring Member 1." in browser.find_element("css selector", ".messages").text
    review = Review.objects.get(candidate=ring[0])
    assert review.state == ReviewState.ESCALATED and review.reason_code == "laptop_farm"

    # Another user, an HR lead, opens it; p, reason, comment, override, its reason, Enter.
    browser.delete_all_cookies()
    sign_in_by_keyboard(browser, base, "hana")
    browser.get(base + reverse("review:candidate", args=[ring[0].pk]))
    keys("p")
    assert browser.switch_to.active_element.get_attribute("id") == "id_approve_reason_code"
    keys(Keys.ARROW_DOWN)  # identity verified
    keys(Keys.TAB, "Met her at the office with her passport.")
    keys(Keys.TAB, Keys.SPACE)  # approve without a passed verification on record
    keys(Keys.TAB, "Verified in person before the system had a record of it.")
    keys(Keys.ENTER)
    confirm = browser.switch_to.active_element
    assert confirm.get_attribute("data-confirm") is not None  # the in-page confirmation
    assert "Approve the hire of Ring Member 1?" in browser.find_element(
        "css selector", "#form-approve .confirm-step").text
    shot(browser, "keyboard-approve-confirm")
    marker = browser.find_element("css selector", "main")
    keys(Keys.ENTER)
    wait_for_page(marker)
    assert browser.current_url.endswith(reverse("review:queue"))  # nothing else escalated
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED and review.reason_code == "identity_verified"
    event = AuditEvent.objects.get(action="review.approve")
    assert event.actor_label == "hana" and event.after["override"] is True
    assert event.after["override_reason"] == ("Verified in person before the system had a "
                                              "record of it.")
    shot(browser, "keyboard-approved-back-to-queue")
