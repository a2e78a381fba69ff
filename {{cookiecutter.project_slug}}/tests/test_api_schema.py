"""The API fuzzed from its own OpenAPI schema: no input answers 5xx, every answer matches the schema.

schemathesis generates requests from /api/v1/openapi.json, valid ones and
invalid ones (EXAMPLES of each kind per operation), and calls the WSGI
application in this process: no network, no server. Writes carry a valid API
key, so they get past authentication. Every check runs (no 5xx; status codes,
content types, headers and bodies as documented; invalid input refused)
except "schema-valid input is accepted": an order for a product that does not
exist, or a cursor this API never gave out, is valid by the schema and rightly
refused.

schemathesis and hypothesis are imported inside the test, and their pytest
plugins are not loaded (pyproject.toml names the plugins the suite uses):
every other test process is spared loading them.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

EXAMPLES = 5


@pytest.fixture
def requests_in_the_test_transaction(db: None) -> Iterator[None]:
    """Django closes the database connection at the end of each request; its test
    client stops that for the duration of a request, and so does this fixture."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("requests_in_the_test_transaction")
def test_no_input_answers_5xx_and_every_answer_matches_the_schema(
    api_headers: dict[str, str],
) -> None:
    """One test for every operation: schemathesis is loaded once, in one test process."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings, strategies
    from schemathesis.core.result import Ok
    from schemathesis.generation import GenerationMode
    from schemathesis.generation.case import Case
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 1, "every operation of the schema can be generated"
    for operation in operations:
        cases = strategies.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=2 * EXAMPLES,
            deadline=None,
            database=None,  # nothing written to the project directory
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers_conform(case: Case[Any]) -> None:
            case.call_and_validate(headers=api_headers, excluded_checks=[positive_data_acceptance])

        answers_conform()
