"""The suite runs offline: every socket connect except to loopback is refused.

pytest-socket (``--allow-hosts=127.0.0.1,::1`` in pyproject's addopts) checks
the address before the real ``connect``, so a forgotten cassette fails the test
instead of reaching, or waiting on, the network. Addresses are IP literals from
TEST-NET-1 (RFC 5737, never routed): nothing needs a DNS lookup.
"""

from typing import Any

import pytest
import pytest_socket
import requests

from {{ cookiecutter.project_slug }}.core.http.sessions import http_session

from tests.support.loopback import http_url, silent_listener

NOWHERE = "192.0.2.1"


@pytest.fixture
def real_connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address that reached the real socket.connect during the test."""
    calls: list[Any] = []
    true_connect = pytest_socket._true_connect

    def counted(sock: Any, address: Any) -> Any:
        calls.append(address)
        return true_connect(sock, address)

    monkeypatch.setattr(pytest_socket, "_true_connect", counted)
    return calls


def test_non_loopback_connect_is_refused_before_connecting(real_connects: list[Any]) -> None:
    with (
        pytest.warns(UserWarning, match="socket.socket.connect"),
        pytest.raises(pytest_socket.SocketConnectBlockedError, match=NOWHERE),
        http_session(timeout=(1.0, 1.0), retries=0) as session,
    ):
        session.get(f"http://{NOWHERE}/rates")
    assert real_connects == []


def test_loopback_connects_pass(real_connects: list[Any]) -> None:
    with (
        silent_listener() as port,
        http_session(timeout=(1.0, 0.1), retries=0) as session,
        pytest.raises(requests.ReadTimeout),
    ):
        session.get(http_url(port))
    assert [host for host, _port in real_connects] == ["127.0.0.1"]
