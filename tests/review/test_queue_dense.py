"""The dense queue (review/queue.py): keyset paging for each sort, candidates being scored
shown (searchable, undecidable, "stuck" after REVIEW_STUCK_MINUTES), verdict chips from the
rings, fraud links and failed verifications, and the folded filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import Candidate
from review import roles
from review.filters import QueueFilterSet
from review.models import VerificationRequest
from review.queue import queue_sorted_page
from review.selectors import queue_base, queue_filter_options
from review.services import review_escalate, review_reject
from tests.review.factories import candidate_make, client_for, ring_make, user_make

pytestmark = pytest.mark.django_db


def all_pages(sort: str, size: int, user) -> list[int]:
    filterset = QueueFilterSet({"sort": sort}, queryset=queue_base(), user=user,
                               options=queue_filter_options())
    ids, cursor = [], None
    for _ in range(50):
        page = queue_sorted_page(queryset=filterset.qs, sort=sort, cursor=cursor, size=size)
        ids += [c.pk for c in page.rows]
        cursor = page.next_cursor
        if not cursor:
            return ids
    raise AssertionError("paging did not end")


@pytest.fixture
def spread(db):
    """Candidates with ties on every sort key, and two without an application date."""
    now = timezone.now()
    made = []
    for i in range(11):
        c = candidate_make(f"Spread {i}", [50, 50, 20, 20, 20, 90, 5, 5, 70, 70, 1][i])
        applied = None if i in (3, 7) else now - timedelta(days=[4, 4, 9, 1, 0, 4, 2, 0, 9, 6,
                                                                 3][i])
        arrived = now - timedelta(hours=[5, 5, 5, 1, 2, 8, 8, 3, 0, 4, 6][i])
        Candidate.objects.filter(pk=c.pk).update(applied_at=applied, created_at=arrived)
        made.append(Candidate.objects.get(pk=c.pk))
    return made


@pytest.mark.parametrize("sort", ["risk", "applied", "arrived"])
@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_keyset_paging_visits_every_candidate_once_in_order(spread, recruiter, sort, size):
    expected = {
        "risk": sorted(spread, key=lambda c: (-c.risk_score, -c.pk)),
        "applied": sorted(spread, key=lambda c: (c.applied_at is None,
                                                 c.applied_at or timezone.now(), c.pk)),
        "arrived": sorted(spread, key=lambda c: (c.created_at, c.pk)),
    }[sort]
    assert all_pages(sort, size, recruiter) == [c.pk for c in expected]


def test_the_sort_links_and_the_cursor_carry_the_sort(spread, recruiter):
    client = client_for(recruiter)
    page = client.get("/?sort=arrived").content.decode()
    assert 'aria-current="true">Oldest arrival first' in page
    oldest = min(spread, key=lambda c: (c.created_at, c.pk))
    first_row = page.split('<tbody>')[-1].split("</tr>")[0]
    assert oldest.full_name in first_row
    assert client.get("/?sort=applied&after=garbage").status_code == 200


def test_candidates_being_scored_are_shown_searchable_and_undecidable(recruiter, settings):
    candidate_make("Scored Person", 40)
    fresh = candidate_make("Fresh Arrival", None)
    stuck = candidate_make("Stuck Arrival", None)
    Candidate.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.REVIEW_STUCK_MINUTES + 5))
    client = client_for(recruiter)
    page = client.get("/").content.decode()
    pending = page.split('<tbody class="pending-rows">')[1].split("</tbody>")[0]
    assert "Stuck Arrival" in pending and "Fresh Arrival" in pending
    assert pending.index("Stuck Arrival") < pending.index("Fresh Arrival")  # oldest first
    assert ">stuck<" in pending and ">scoring…<" in pending
    assert "row-check" not in pending and "Take" not in pending  # no decision, no checkbox
    assert "2 being scored" in page
    found = client.get("/?q=Fresh").content.decode()
    assert "Fresh Arrival" in found and "Stuck Arrival" not in found
    assert "Fresh Arrival" not in client.get("/?level=low").content.decode()
    assert fresh.pk


def test_verdict_chips_ring_fraud_link_and_failed_id_check(recruiter, hr_lead2):
    ring = ring_make(4)
    maker = user_make("maker", roles.RECRUITER)
    review_escalate(candidate_id=ring[3].pk, actor=maker, reason_code="identity_ring",
                    comment="Ring.")
    review_reject(candidate_id=ring[3].pk, actor=hr_lead2, reason_code="fraud_confirmed",
                  comment="Confirmed.")
    VerificationRequest.objects.create(
        candidate=ring[1], method="live_video_id", requested_by=maker, outcome="failed",
        outcome_by=maker, outcome_at=timezone.now())
    page = client_for(recruiter).get("/").content.decode()
    rows = {c.full_name: page.split(f">{c.full_name}</a>")[1].split("</tr>")[0]
            for c in ring[:3]}
    assert "Linked to 1 rejected as fraud" in rows["Ring Member 1"]
    assert "Ring of 4" in rows["Ring Member 1"]
    assert "ID check failed" in rows["Ring Member 2"]
    assert rows["Ring Member 1"].count('class="vchip') == 2  # at most two chips, then +N
    assert 'class="more">+' in rows["Ring Member 1"]


def test_the_filters_fold_away_until_one_is_applied(recruiter):
    candidate_make("Anyone", 30)
    client = client_for(recruiter)
    assert '<details class="filters-box">' in client.get("/").content.decode()
    assert '<details class="filters-box" open>' in client.get("/?level=medium").content.decode()


def test_a_page_costs_a_fixed_number_of_queries(recruiter, django_assert_max_num_queries):
    for i in range(30):
        candidate_make(f"Many {i}", 10 + i)
    client = client_for(recruiter)
    client.get("/")
    with django_assert_max_num_queries(16):
        client.get("/")


def test_only_the_longest_waiting_are_listed_with_the_total(recruiter):
    for i in range(7):
        candidate_make(f"Waiting {i}", None)
    page = client_for(recruiter).get("/").content.decode()
    pending = page.split('<tbody class="pending-rows">')[1].split("</tbody>")[0]
    assert pending.count('class="row-link"') == 5
    assert "7 being scored in all; the 5 waiting longest are shown" in pending
