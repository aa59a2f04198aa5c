"""A ring decided as one case, end to end in headless Chromium against the live server:

a recruiter opens a ring of 6 as a case, excludes one member with a reason and escalates the
case; another user, an HR lead, rejects the case as fraud: the 5 others are rejected, the
excluded one is untouched and its row says it is linked to 5 applicants rejected as fraud.

Screenshots go to tests/screenshots/case-*.png.
"""

from django.urls import reverse

from core.audit import AuditEvent
from review import roles
from review.models import Case, CaseState, Decision
from review.rings import fraud_links
from tests.review.browser import BROWSER_MARKS, screenshot
from tests.review.factories import ring_make, user_make
from tests.review.test_csp_browser import console_problems
from tests.review.test_e2e import all_css, by_css, click_and_wait, sign_in, sign_out, state_of

pytestmark = BROWSER_MARKS


def decide_case(driver, action: str, reason: str, comment: str, *, confirm: bool = False,
                accept_count: int = 5):
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    form = by_css(driver, f"#case-form-{action}")
    Select(by_css(driver, f"#id_case_{action}_reason_code")).select_by_value(reason)
    by_css(driver, f"#id_case_{action}_comment").send_keys(comment)
    form.find_element("css selector", "button[type=submit]").click()
    if confirm or action in ("approve", "reject"):  # static/review/cases.js asks first
        alert = WebDriverWait(driver, 10).until(expected_conditions.alert_is_present())
        assert f"{accept_count} members of case #" in alert.text
        alert.accept()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(form))


def test_a_ring_is_opened_excluded_from_escalated_and_rejected_as_one_case(live_server,
                                                                           browser):
    ring = ring_make(6)
    user_make("rita", roles.RECRUITER)
    user_make("hana", roles.HR_LEAD)
    base = live_server.url
    excluded, decided = ring[5], ring[:5]

    # 1. The recruiter looks at the riskiest member's ring before opening it.
    sign_in(browser, base, "rita")
    browser.get(base + reverse("review:case_open") + f"?candidate={ring[0].pk}")
    assert by_css(browser, "h1").text == "Ring sharing Bank account …0042, 77 Elm Street"
    assert len(all_css(browser, "table.members tbody tr")) == 6
    assert "Bank account …0042" in by_css(browser, "table.hubs-table").text
    screenshot(browser, "case-01-preview")
    click_and_wait(browser, by_css(browser, "form.open-case button[type=submit]"))
    case = Case.objects.get()
    assert f"/cases/{case.pk}/" in browser.current_url
    assert f"Case #{case.pk} opened with 6 members." in by_css(browser, ".messages").text
    assert len(all_css(browser, "table.members tbody tr.member")) == 6
    screenshot(browser, "case-02-opened")

    # 2. One member is a flatmate who explained the shared address: excluded, with why.
    by_css(browser, f"#exclude-{excluded.pk}").click()
    by_css(browser, "#id_exclude_reason").send_keys("Flatmate; identity verified on video")
    click_and_wait(browser, by_css(browser, "#case-exclude button[type=submit]"))
    row = by_css(browser, f"#member-{excluded.pk}")
    assert "is-excluded" in row.get_attribute("class")
    assert "Excluded by rita: Flatmate; identity verified on video" in row.text
    assert "Applies to 5 members" in by_css(browser, "#case-form-escalate").text
    screenshot(browser, "case-03-member-excluded")

    # 3. The recruiter gives the case to an HR lead and escalates it: recruiters do not
    # reject.
    from selenium.webdriver.support.ui import Select

    Select(by_css(browser, "#id_assign_assignee")).select_by_visible_text("hana")
    click_and_wait(browser, by_css(browser, "#assign button[type=submit]"))
    assert f"Case #{case.pk} assigned to hana." in by_css(browser, ".messages").text
    assert not all_css(browser, "#case-form-reject")
    decide_case(browser, "escalate", "laptop_farm",
                "Five applicants, one IBAN and one shipping address.")
    assert "Escalated as case #" in by_css(browser, ".messages").text
    assert [state_of(m) for m in ring] == ["escalated"] * 5 + ["new"]
    assert not all_css(browser, "#case-form-reject")
    screenshot(browser, "case-04-escalated-by-recruiter")
    sign_out(browser)

    # 4. An HR lead finds it under Cases and rejects it as fraud.
    sign_in(browser, base, "hana")
    click_and_wait(browser, by_css(browser, 'nav a[href="/cases/"]'))
    listed = by_css(browser, "table.cases tbody tr")
    assert "Escalated 5 hana by rita" in " ".join(listed.text.split())
    screenshot(browser, "case-05-cases-list")
    click_and_wait(browser, listed.find_element("css selector", ".row-link"))
    assert "Applies to 5 members" in by_css(browser, "#case-form-reject").text
    decide_case(browser, "reject", "fraud_confirmed",
                "Borrowed identities; the IBAN belongs to a payment mule.", confirm=True)
    assert "Rejected as case #" in by_css(browser, ".messages").text
    assert [state_of(m) for m in decided] == ["rejected"] * 5
    assert state_of(excluded) == "new"  # untouched
    assert not Decision.objects.filter(candidate=excluded).exists()
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED

    # 5. The excluded member is linked to the five rejected as fraud, and the page says so.
    assert fraud_links([excluded.pk]) == {excluded.pk: [m.pk for m in decided]}
    assert "linked to 5 rejected as fraud" in by_css(browser, f"#member-{excluded.pk}").text
    timeline = by_css(browser, f"#timeline-{decided[0].pk}")
    timeline.find_element("css selector", "summary").click()
    assert f"Decided as case #{case.pk}: Borrowed identities" in timeline.text
    screenshot(browser, "case-06-rejected-by-hr-lead")
    assert not console_problems(browser)  # no CSP report, no script error on the way
    assert list(AuditEvent.objects.filter(target_type="case").order_by("id")
            .values_list("actor_label", "action")) == [
        ("rita", "case.open"), ("rita", "case.exclude"), ("rita", "case.assign"),
        ("rita", "case.decide"),
        ("hana", "case.decide")]

    # 6. Outside the case too: the ring-mate's row in the queue and its own page say so.
    browser.get(base + reverse("review:queue"))
    row = by_css(browser, f'tr[data-id="{excluded.pk}"]')
    assert "Linked to 5 rejected as fraud" in row.text
    browser.get(base + reverse("review:candidate", args=[excluded.pk]))
    assert "Linked to 5 applicants rejected as fraud" in by_css(browser, "#fraud-links").text
    screenshot(browser, "case-08-ring-mate-page")


def test_an_hr_lead_who_escalated_the_case_is_refused_for_every_member(live_server, browser):
    """Maker-checker per member: the page says which members and why; nothing is applied."""
    from review.cases import case_decide, case_open

    ring = ring_make(3)
    hana = user_make("hana", roles.HR_LEAD)
    case = case_open(candidate_id=ring[0].pk, actor=hana)
    case_decide(case_id=case.pk, actor=hana, action="escalate", reason_code="identity_ring",
                comment="Three applicants, one IBAN.")
    sign_in(browser, live_server.url, "hana")
    browser.get(live_server.url + reverse("review:case", kwargs={"pk": case.pk}))
    assert "You escalated 3 of them" in by_css(browser, "#case-form-reject").text
    decide_case(browser, "reject", "fraud_confirmed", "Rejecting my own escalation.",
                accept_count=3)
    error = by_css(browser, "#case-error").text
    assert "Nothing was applied: 3 members of the case cannot be rejected" in error
    assert len(all_css(browser, "#case-error .refusals li")) == 3
    assert [state_of(m) for m in ring] == ["escalated"] * 3
    screenshot(browser, "case-07-maker-checker-refused")
