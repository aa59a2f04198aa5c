"""Schemathesis against the live app: requests generated from the OpenAPI schema, positive
(valid per the schema) and negative (invalid per the schema), for every operation, sent over
HTTP to pytest-django's live server on the test PostgreSQL database with a real API key.

Every answer must be what the schema documents: no server error, a documented status code,
the documented content type and headers, and a body matching the schema of that status.
Schemathesis's other default checks run too and are counted in the summary, not required:
"schema-valid request rejected" is mostly data the schema cannot describe (a phone number
that is not one, an IBAN with a bad checksum, a made-up cursor), and "schema-violating
request accepted" is leniency (unknown request headers are ignored, a lower-case country
code is read as upper case).

The run is deterministic (Hypothesis derandomized, no example database) and small enough for
CI: SCHEMATHESIS_EXAMPLES (default 40) per operation and mode, about 300 requests. The long
run is the same test with more examples (README "API fuzzing"):

    SCHEMATHESIS_EXAMPLES=700 .venv/bin/pytest tests/candidates/test_schemathesis.py -s
"""

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from tests.factories import integration_with_key

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
REQUIRED = {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_headers_conformance", "response_schema_conformance"}


class Tally:
    """What was sent and what came back, for the summary and the assertions."""

    def __init__(self):
        self.requests = 0
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.required: Counter[str] = Counter()  # failed conformance checks, by title
        self.other: Counter[str] = Counter()  # failed informational checks, by title
        self.examples: list[str] = []  # of conformance failures
        self.other_examples: dict[str, list[str]] = {}  # a few of each informational kind

    def record(self, case, response) -> None:
        self.requests += 1
        self.statuses[(case.operation.label, response.status_code)] += 1
        try:
            case.validate_response(response)  # every check schemathesis runs by default
        except FailureGroup as group:
            required = [f for f in group.exceptions if REQUIRED & set(f.checks)]
            for failure in group.exceptions:
                (self.required if failure in required else self.other)[failure.title] += 1
                seen = self.other_examples.setdefault(failure.title, [])
                if failure not in required and len(seen) < 3:
                    seen.append(f"{response.status_code} {case.as_curl_command()}"[:300])
            if required and len(self.examples) < 20:
                self.examples.append(
                    f"{case.operation.label} -> {response.status_code}: "
                    + "; ".join(f"{f.title}: {f.message}" for f in required)[:1500]
                    + f"\n  {case.as_curl_command()}"[:1000]
                )

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        lines = [(
            f"schemathesis: {self.requests} requests, {self.server_errors} server errors, "
            f"{sum(self.required.values())} conformance failures {dict(self.required)}; "
            f"informational: {dict(self.other)}"
        )]
        for (label, status), n in sorted(self.statuses.items()):
            lines.append(f"  {label:32} {status}: {n}")
        for title, examples in self.other_examples.items():
            lines += [f"  e.g. {title}:", *(f"    {example}" for example in examples)]
        return "\n".join(lines)


@pytest.fixture
def api_key(transactional_db) -> str:
    return integration_with_key("schemathesis-ats")[1]


@pytest.fixture
def queue_emptied(redis_client):
    """Scoring hand-offs of the candidates created go to the test Redis, emptied after."""
    return redis_client


def test_every_operation_answers_as_its_schema_says(live_server, api_key, queue_emptied,
                                                     settings):
    # Hundreds of requests a minute from one key: the rate limit is not what is tested here.
    settings.API_RATE_LIMIT = ""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    headers = {"Authorization": f"Bearer {api_key}"}
    tally = Tally()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14  # candidates, whoami, and the webhook endpoints

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None,
                                 deadline=None, phases=[Phase.generate],
                                 suppress_health_check=list(HealthCheck))
            def send(case):
                tally.record(case, case.call(base_url=live_server.url, headers=headers))

            try:
                send()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (GET /whoami/ takes nothing).
                assert mode is GenerationMode.NEGATIVE

    print("\n" + tally.summary())
    assert tally.requests >= len(operations) * EXAMPLES
    assert tally.server_errors == 0 and not tally.required, (
        tally.summary() + "\n\n" + "\n\n".join(tally.examples))
    # The run reaches the code behind the validation, not only 400s.
    statuses = {(label.split()[0], status) for (label, status) in tally.statuses}
    assert {("POST", 201), ("GET", 200), ("POST", 400)} <= statuses
