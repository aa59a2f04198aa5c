"""The README's curl command posts docs/examples/candidate.json: that exact file must stay a
valid, complete applicant record."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from candidates.serializers import CandidateInput

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "candidate.json"
README = Path(settings.BASE_DIR) / "README.md"


@pytest.mark.django_db
def test_the_readme_example_payload_is_accepted_as_it_is(api):
    body = EXAMPLE.read_bytes()
    response = api.generic("POST", "/api/v1/candidates/", body,
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["external_id"] == "gh-4100231" and created["risk"]["status"] == "pending"


def test_it_fills_every_field_of_the_contract():
    payload = json.loads(EXAMPLE.read_text())
    assert set(payload) == set(CandidateInput().fields)
    assert all(payload[name] for name in ("profiles", "ip_addresses", "addresses",
                                          "payment_accounts", "employment_history"))


def test_the_readme_posts_this_file():
    assert "--data @docs/examples/candidate.json" in README.read_text()
