"""The shipping-rate API, called through core.http (timeouts, retries, pooling).

Why a client module: callers get typed values or one domain error, never a
requests exception, a half-parsed payload or a hang. The whole answer is
validated before anything is returned, so a bad field anywhere fails the call.

Deferring: when a rate is not needed to build the response (refreshing a
quote after an order, say), enqueue a Celery task that calls
``shipping_rates_fetch`` with the same plain arguments; it takes and returns
only JSON-friendly values for that reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings

from {{ cookiecutter.project_slug }}.core.http.sessions import http_session


class ShippingRatesError(Exception):
    """The shipping-rate API failed or answered something unusable; no rates were returned."""


class ShippingRatesTimeoutError(ShippingRatesError):
    """The shipping-rate API did not connect or answer within the configured timeout."""


@dataclass(frozen=True)
class ShippingRate:
    carrier: str
    service: str
    amount: Decimal
    currency: str
    days: int


@functools.cache
def _shared_session(retries: int | None = None) -> requests.Session:
    """One pooled session per process and retry count: connections to the API are kept alive."""
    return http_session(retries=retries)


class ShippingClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        session: requests.Session | None = None,
        retries: int | None = None,
    ) -> None:
        """``retries`` of a connect error or a 502/503/504 (default HTTP_RETRIES), each after
        a back-off; a caller someone is waiting on passes 0."""
        self.base_url = (settings.SHIPPING_API_URL if base_url is None else base_url).rstrip("/")
        self.token = settings.SHIPPING_API_TOKEN if token is None else token
        self.session = _shared_session(retries) if session is None else session

    def rates(self, *, country: str, postal_code: str) -> list[ShippingRate]:
        """Rates for a standard parcel to a destination, cheapest first."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.get(
                f"{self.base_url}/rates",
                params={"country": country, "postal_code": postal_code},
                headers=headers,
            )
        except requests.Timeout as error:
            raise ShippingRatesTimeoutError(f"Shipping-rate API timed out: {error}") from error
        except requests.RequestException as error:
            raise ShippingRatesError(
                f"Shipping-rate API unreachable at {self.base_url}: {root_cause(error)}"
            ) from error
        if response.status_code != 200:
            raise ShippingRatesError(f"Shipping-rate API answered HTTP {response.status_code}.")
        try:
            payload = response.json(parse_float=Decimal)
        except ValueError as error:
            raise ShippingRatesError("Shipping-rate API answered with invalid JSON.") from error
        return parse_rates(payload)


def parse_rates(payload: Any) -> list[ShippingRate]:
    """Every rate, validated, or ShippingRatesError naming the first bad field."""
    if not isinstance(payload, dict) or not isinstance(payload.get("rates"), list):
        raise ShippingRatesError("Shipping-rate API answer has no 'rates' list.")
    rates = [_parse_rate(index, item) for index, item in enumerate(payload["rates"])]
    return sorted(rates, key=lambda rate: rate.amount)


def _parse_rate(index: int, item: Any) -> ShippingRate:
    def field(name: str, kind: type | tuple[type, ...], expected: str) -> Any:
        value = item.get(name) if isinstance(item, dict) else None
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ShippingRatesError(
                f"Shipping-rate API rate #{index}: {name!r} is {value!r}, expected {expected}."
            )
        return value

    rate = ShippingRate(
        carrier=field("carrier", str, "a string"),
        service=field("service", str, "a string"),
        amount=Decimal(field("amount", (Decimal, int), "a number")),
        currency=field("currency", str, "a currency code"),
        days=field("days", int, "whole days"),
    )
    if rate.amount < 0 or len(rate.currency) != 3 or rate.days < 0:
        raise ShippingRatesError(f"Shipping-rate API rate #{index} has impossible values: {rate}.")
    return rate


def root_cause(error: BaseException) -> str:
    """The first link of an exception chain, e.g. ``ConnectionRefusedError: [Errno 111] ...``.

    requests wraps urllib3's error, which wraps the socket's: the last names the cause
    in a few words, where the outer ones repeat the URL and "Max retries exceeded".
    """
    cause = error
    for _ in range(10):  # bounded: a chain is a handful of links
        inner = cause.__cause__ or cause.__context__
        if inner is None:
            break
        cause = inner
    return f"{type(cause).__name__}: {cause}"


def shipping_rates_fetch(
    *, country: str, postal_code: str, retries: int | None = None
) -> list[ShippingRate]:
    """Rates from the configured API; what views (via sync_to_async) and tasks call.

    ``retries`` as in ShippingClient: a view passes 0, a task keeps the default.
    """
    return ShippingClient(retries=retries).rates(country=country, postal_code=postal_code)
