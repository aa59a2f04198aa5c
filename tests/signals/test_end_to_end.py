"""Through the API, a real Celery worker on Redis scores candidates in PostgreSQL, and the
first member of a ring is re-scored as later members arrive."""

import pytest

from tests.conftest import wait_for
from tests.factories import CandidatePayloadFactory

URL = "/api/v1/candidates/"
FARM = {"kind": "shipping", "line1": "4410 Industrial Pkwy", "line2": "Unit 7",
        "city": "Phoenix", "region": "AZ", "postal_code": "85043", "country": "US"}


def ring_member(n: int) -> dict:
    """A persona of one facilitator: own name and home, shared phone, account and farm."""
    return CandidatePayloadFactory(
        external_id=f"ring-{n}",
        full_name=["Kevin Marlow", "Jason Tillery", "Brian Oakes", "Eric Dunmore"][n],
        email=f"{['kevin.marlow', 'jason.tillery', 'brian.oakes', 'eric.dunmore'][n]}@gmail.com",
        phone="+1 602 555 0143",
        addresses=[
            {"kind": "residential", "line1": f"{100 + n} Elm Street", "city": "Dallas",
             "region": "TX", "postal_code": "75201", "country": "US"},
            FARM,
        ],
        payment_accounts=[{"method": "payoneer", "account_email": "payouts.lee@outlook.com",
                           "holder_name": "Lee Jun"}],
        profiles=[{"network": "github", "url": f"github.com/persona-{n}"}],
        ip_addresses=[{"ip": f"198.51.100.{10 + n}", "source": "application"}],
    )


def risk(api, candidate_id: int) -> dict:
    return api.get(f"{URL}{candidate_id}/").json()["risk"]


@pytest.mark.worker
def test_a_ring_is_flagged_and_its_first_member_rescored_by_a_real_worker(
    api, celery_worker_process
):
    first = api.post(URL, ring_member(0), format="json").json()
    first_risk = wait_for(lambda: (r := risk(api, first["id"]))["status"] == "scored" and r)
    # Alone, the first persona shows only its own anomalies: nothing links it to anyone.
    assert not any(f["code"].startswith("reuse.") for f in first_risk["flags"])

    ids = [first["id"]]
    for n in (1, 2, 3):
        ids.append(api.post(URL, ring_member(n), format="json").json()["id"])

    def first_member_sees_the_whole_ring():
        current = risk(api, first["id"])
        phone = [f for f in current["flags"] if f["code"] == "reuse.phone"]
        if current["status"] != "scored" or not phone:
            return None
        others = {o["id"] for o in phone[0]["evidence"]["others"]}
        return current if others == set(ids[1:]) else None

    rescored = wait_for(first_member_sees_the_whole_ring, timeout=60)
    codes = {f["code"] for f in rescored["flags"]}
    assert {"reuse.phone", "reuse.payout_email", "shipping.shared_address",
            "combo.laptop_farm_ring"} <= codes
    assert rescored["level"] == "critical"
    assert rescored["score"] > first_risk["score"]
    for flag in rescored["flags"]:
        assert flag["summary"] and flag["next_step"] and isinstance(flag["evidence"], dict)

    last = wait_for(lambda: (r := risk(api, ids[-1]))["status"] == "scored" and r)
    assert last["level"] in ("high", "critical")
    links = api.get(f"{URL}{ids[-1]}/").json()["linked_candidates"]
    assert {link["id"] for link in links} == set(ids[:-1])
