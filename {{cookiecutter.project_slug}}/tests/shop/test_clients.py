"""shop.clients: recorded answers replay offline; failures become one domain error."""

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from {{ cookiecutter.project_slug }}.core.http.sessions import http_session
from {{ cookiecutter.project_slug }}.shop.clients import (
    ShippingClient,
    ShippingRate,
    ShippingRatesError,
    ShippingRatesTimeoutError,
    shipping_rates_fetch,
)

from tests.support.cassettes import RECORDED_USER_AGENT, recorder, scrub_response
from tests.support.loopback import Reply, http_server, http_url, silent_listener

CASSETTES = Path(__file__).parent / "cassettes"
RECORDED = recorder(__file__)


def test_rates_are_parsed_cheapest_first() -> None:
    with RECORDED.use_cassette("shipping_rates_ok.yaml"):
        rates = shipping_rates_fetch(country="DE", postal_code="10115")
    assert rates == [
        ShippingRate("DHL", "standard", Decimal("4.90"), "EUR", 3),
        ShippingRate("UPS", "express", Decimal("12.50"), "EUR", 1),
    ]


def test_one_malformed_rate_fails_the_whole_answer() -> None:
    with (
        RECORDED.use_cassette("shipping_rates_malformed.yaml"),
        pytest.raises(ShippingRatesError, match=r"rate #1: 'amount' is None, expected a number"),
    ):
        shipping_rates_fetch(country="DE", postal_code="99999")


def test_rejected_token_is_a_domain_error() -> None:
    client = ShippingClient(token="expired-token")
    with (
        RECORDED.use_cassette("shipping_rates_unauthorized.yaml"),
        pytest.raises(ShippingRatesError, match=r"HTTP 401"),
    ):
        client.rates(country="DE", postal_code="10115")


def test_cassettes_hold_no_credentials_or_cookies() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert len(cassettes) >= 3
    for cassette in cassettes:
        text = cassette.read_text().lower()
        for secret in ("authorization", "bearer", "set-cookie", "cookie"):
            assert secret not in text, f"{cassette.name} contains {secret!r}"
        # Copied verbatim into every project: no other project's name in its User-Agent.
        agents = re.findall(r"user-agent:\n\s+- (.+)", text)
        assert agents == [RECORDED_USER_AGENT.lower()], f"{cassette.name}: {agents}"


def test_scrub_response_drops_cookies_only() -> None:
    response = {
        "headers": {"Set-Cookie": ["session=abc"], "Content-Type": ["application/json"]},
        "body": {"string": b"{}"},
    }
    assert scrub_response(response)["headers"] == {"Content-Type": ["application/json"]}


def test_a_request_without_a_cassette_fails_instead_of_going_out() -> None:
    missing = CASSETTES / "never_recorded.yaml"
    with (
        recorder(__file__, mode="none").use_cassette(missing.name),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        shipping_rates_fetch(country="FR", postal_code="75001")
    assert not missing.exists()


def test_timeout_is_a_domain_error_within_the_bound() -> None:
    with silent_listener() as port, http_session(timeout=(0.5, 0.3), retries=2) as session:
        client = ShippingClient(base_url=http_url(port), session=session)
        started = time.monotonic()
        with pytest.raises(ShippingRatesTimeoutError):
            client.rates(country="DE", postal_code="10115")
        assert time.monotonic() - started < 0.3 + 1.0


def rates_body(**changes: object) -> bytes:
    """A one-rate answer with some fields changed."""
    rate = {"carrier": "DHL", "service": "standard", "amount": 4.9, "currency": "EUR", "days": 3}
    return json.dumps({"rates": [{**rate, **changes}]}).encode()


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(500, b"oops"), "HTTP 500"),
        (Reply(200, b"<html>maintenance</html>"), "invalid JSON"),
        (Reply(200, b'{"quotes": []}'), "no 'rates' list"),
        (Reply(200, rates_body(amount=float("nan"))), "'amount' is nan"),
        (Reply(200, rates_body(amount="4.90")), "'amount' is '4.90', expected a number"),
        (Reply(200, rates_body(days=True)), "'days' is True"),
        (Reply(200, rates_body(amount=-1)), "impossible values"),
    ],
)
def test_bad_answers_are_domain_errors(reply: Reply, message: str) -> None:
    with http_server(lambda _: reply) as server, http_session(retries=0) as session:
        client = ShippingClient(base_url=server.url, session=session)
        with pytest.raises(ShippingRatesError, match=message):
            client.rates(country="DE", postal_code="10115")
