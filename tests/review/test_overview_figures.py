"""The overview's issue-12 figures, against known data: decisions per reviewer, the time from
arrival to the final decision (median and p90), and the queue's age by application date."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from candidates.models import Candidate
from review import charts, roles
from review.models import CLOSED_STATES, Decision, Review
from review.selectors import _time_to_decision_ranked, overview_compute
from review.services import (
    review_approve,
    review_clear,
    review_escalate,
    review_reject,
    review_start,
)
from tests.review.factories import candidate_make, client_for, user_make

pytestmark = pytest.mark.django_db
NOTE = "Checked the evidence."


@pytest.fixture
def staff():
    rita = user_make("rita", roles.RECRUITER)
    rita.first_name, rita.last_name = "Rita", "Recruiter"
    rita.save()
    return {"rita": rita, "hank": user_make("hank", roles.HR_LEAD),
            "hana": user_make("hana", roles.HR_LEAD)}


def arrived(candidate, hours_ago: float) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago))


def decided(candidate, hours_ago: float) -> None:
    Review.objects.filter(pk=candidate.pk).update(
        decided_at=timezone.now() - timedelta(hours=hours_ago))


class TestDecisionsPerReviewer:
    def test_it_counts_each_reviewers_outcomes_of_the_last_30_days(self, staff):
        rita, hank, hana = staff["rita"], staff["hank"], staff["hana"]
        a, b, c, d = (candidate_make(n, 60) for n in "ABCD")
        for x in (a, b, c, d):
            review_start(candidate_id=x.pk, actor=rita)
        review_clear(candidate_id=a.pk, actor=rita, reason_code="weak_signals", comment=NOTE)
        review_clear(candidate_id=b.pk, actor=rita, reason_code="weak_signals", comment=NOTE)
        review_escalate(candidate_id=c.pk, actor=rita, reason_code="identity_ring",
                        comment=NOTE)
        review_escalate(candidate_id=d.pk, actor=hank, reason_code="identity_ring",
                        comment=NOTE)
        review_approve(candidate_id=c.pk, actor=hank, reason_code="identity_verified",
                       comment=NOTE)
        review_reject(candidate_id=d.pk, actor=hana, reason_code="fraud_confirmed",
                      comment=NOTE)
        # Older than the window: not counted (Decision rows are history: re-dated by SQL).
        old = Decision.objects.filter(candidate=a, action="clear")
        Decision.objects.filter(pk__in=old).update(
            created_at=timezone.now() - timedelta(days=31))

        reviewers = overview_compute()["reviewers"]
        assert [a["action"] for a in reviewers["actions"]] == [
            "clear", "escalate", "approve", "reject"]
        rows = {r["name"]: (r["counts"], r["total"]) for r in reviewers["rows"]}
        # Starting a review is not a decision; Rita shows by her name, the others by login.
        assert rows == {"Rita Recruiter": ([1, 1, 0, 0], 2), "hank": ([0, 1, 1, 0], 2),
                        "hana": ([0, 0, 0, 1], 1)}
        assert [r["name"] for r in reviewers["rows"]] == ["Rita Recruiter", "hank", "hana"]

    def test_the_chart_stacks_the_outcomes_on_one_scale(self, staff):
        data = {"actions": [{"action": "clear", "label": "Cleared"},
                            {"action": "reject", "label": "Rejected"}],
                "rows": [{"name": "A", "counts": [3, 1], "total": 4},
                         {"name": "B", "counts": [0, 2], "total": 2}]}
        chart = charts.reviewers_chart(data, width=200, label_width=100)
        first, second = chart["rows"]
        assert [(s["action"], s["x"], s["w"]) for s in first["segments"]] == [
            ("clear", "100", "150"), ("reject", "250", "50")]
        assert [(s["action"], s["w"]) for s in second["segments"]] == [("reject", "100")]


class TestTimeToDecision:
    def test_median_and_p90_from_arrival_to_the_final_decision(self, staff):
        rita, hank = staff["rita"], staff["hank"]
        waits = {"A": 2, "B": 10, "C": 50, "D": 30}
        people = {name: candidate_make(name, 60) for name in [*waits, "Old", "Open"]}
        for name, x in people.items():
            review_start(candidate_id=x.pk, actor=rita)
        for name in ("A", "B", "Old"):
            review_clear(candidate_id=people[name].pk, actor=rita, reason_code="weak_signals",
                         comment=NOTE)
        review_escalate(candidate_id=people["C"].pk, actor=rita, reason_code="identity_ring",
                        comment=NOTE)
        review_reject(candidate_id=people["C"].pk, actor=hank, reason_code="fraud_confirmed",
                      comment=NOTE)
        review_escalate(candidate_id=people["D"].pk, actor=rita, reason_code="identity_ring",
                        comment=NOTE)
        review_approve(candidate_id=people["D"].pk, actor=hank,
                       reason_code="identity_verified", comment=NOTE)
        review_escalate(candidate_id=people["Open"].pk, actor=rita,
                        reason_code="identity_ring", comment=NOTE)  # not final: not counted
        for name, wait in waits.items():
            arrived(people[name], 100 + wait)
            decided(people[name], 100)
        arrived(people["Old"], 40 * 24 + 5)
        decided(people["Old"], 40 * 24)  # decided before the window

        figures = overview_compute()["time_to_decision"]
        # Waits 2, 10, 30, 50 h: nearest rank, the median is the 2nd, p90 the 4th.
        assert figures["count"] == 4
        assert figures["median_hours"] == pytest.approx(10, abs=0.01)
        assert figures["p90_hours"] == pytest.approx(50, abs=0.01)
        # SQLite (the demo) ranks the durations in Python: the same figures.
        window = Review.objects.filter(state__in=CLOSED_STATES,
                                       decided_at__gte=timezone.now() - timedelta(days=30))
        assert _time_to_decision_ranked(window) == figures

    def test_without_decisions_there_is_no_figure(self):
        assert overview_compute()["time_to_decision"] == {
            "days": 30, "count": 0, "median_hours": None, "p90_hours": None}

    @pytest.mark.parametrize("hours, text", [
        (None, "—"), (0.2, "12 min"), (7.5, "7.5 h"), (10, "10 h"), (50, "2.1 days"),
        (72, "3 days")])
    def test_durations_read_as_people_say_them(self, hours, text):
        assert charts.duration_text(hours) == text


class TestQueueAgeByApplication:
    def test_open_candidates_by_application_date_next_to_arrival(self, staff):
        for name, days in (("A", 0), ("B", 2), ("C", 2), ("D", 10), ("E", 45), ("F", 120)):
            candidate_make(name, 40, days_ago=days)
        undated = candidate_make("Undated", 40)
        Candidate.objects.filter(pk=undated.pk).update(applied_at=None)
        candidate_make("Unscored", None, days_ago=2)
        done = candidate_make("Done", 40, days_ago=2)
        review_start(candidate_id=done.pk, actor=staff["rita"])
        review_clear(candidate_id=done.pk, actor=staff["rita"], reason_code="weak_signals",
                     comment=NOTE)

        data = overview_compute()
        by_applied = {b["label"]: b["count"] for b in data["queue_age_applied"]}
        assert by_applied == {"< 1 day": 1, "1–7 days": 2, "1–4 wk": 1, "1–2 mo": 1,
                              "2–3 mo": 0, "> 3 mo": 1, "no date": 1}
        by_arrival = {b["label"]: b["count"] for b in data["queue_age"]}
        assert by_arrival["< 1 day"] == 7 and sum(by_arrival.values()) == 7


class TestPage:
    def test_the_page_shows_the_new_figures_and_is_cached(self, staff):
        cache.clear()
        x = candidate_make("X", 60)
        review_start(candidate_id=x.pk, actor=staff["rita"])
        review_clear(candidate_id=x.pk, actor=staff["rita"], reason_code="weak_signals",
                     comment=NOTE)
        client = client_for(staff["rita"])
        html = client.get("/overview/").content.decode()
        assert "Decisions per reviewer" in html and "Rita Recruiter" in html
        assert "Time to decision" in html and "Queue age, by application" in html
        assert 'class="seg-clear"' in html and "style=" not in html
        # Cached with the rest: a decision taken now shows after the cache expires.
        y = candidate_make("Y", 60)
        review_start(candidate_id=y.pk, actor=staff["hank"])
        review_clear(candidate_id=y.pk, actor=staff["hank"], reason_code="weak_signals",
                     comment=NOTE)
        assert ">hank<" not in client.get("/overview/").content.decode()
        cache.clear()
        assert ">hank<" in client.get("/overview/").content.decode()
