"""Rings as the review pages count them (review.rings): one hop over strong identifiers."""

import pytest

from review.models import Review, ReviewState
from review.rings import fraud_links, ring_member_ids, ring_sizes
from tests.review.factories import candidate_make, ring_make

pytestmark = pytest.mark.django_db


def test_ring_sizes_count_each_member_once_and_leave_loners_out():
    ring = ring_make(4)  # bank + shipping address shared by all, a phone by the first two
    loner = candidate_make("Alone Person", 5)
    sizes = ring_sizes([m.pk for m in ring] + [loner.pk])
    assert sizes == {m.pk: 4 for m in ring}


def test_weak_identifiers_make_no_ring():
    home = ("residential_address", "home-key-1", "1 Main St")
    ip = ("ip", "198.51.100.7", "198.51.100.7")
    a = candidate_make("Flat Mate One", 5, identifiers=[home, ip])
    b = candidate_make("Flat Mate Two", 5, identifiers=[home, ip])
    assert ring_sizes([a.pk, b.pk]) == {}
    assert ring_member_ids(a.pk) == [a.pk]


def test_ring_member_ids_start_with_the_candidate():
    ring = ring_make(3)
    third = ring[2]
    assert ring_member_ids(third.pk) == [third.pk, *sorted(m.pk for m in ring[:2])]
    assert len(ring_member_ids(third.pk, limit=2)) == 2


def test_fraud_links_name_ring_mates_rejected_as_fraud_only(hr_lead, hr_lead2):
    ring = ring_make(3)
    Review.objects.create(candidate=ring[0], state=ReviewState.REJECTED,
                          reason_code="fraud_confirmed", escalated_by=hr_lead,
                          decided_by=hr_lead2, decided_at=ring[0].created_at)
    # Rejected for another reason: not fraud.
    Review.objects.create(candidate=ring[1], state=ReviewState.REJECTED,
                          reason_code="other", escalated_by=hr_lead,
                          decided_by=hr_lead2, decided_at=ring[1].created_at)
    links = fraud_links([m.pk for m in ring])
    assert links == {ring[1].pk: [ring[0].pk], ring[2].pk: [ring[0].pk]}
