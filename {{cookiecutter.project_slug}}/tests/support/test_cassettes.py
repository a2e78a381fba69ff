"""A cassette recorded against a real server keeps no credential, wherever it travelled."""

import json
import re
from pathlib import Path

from django.conf import settings

from {{ cookiecutter.project_slug }}.core.http.sessions import http_session

from tests.support.cassettes import RECORDED_USER_AGENT, SECRET_NAME, recorder
from tests.support.loopback import Reply, Seen, http_server

# One distinct value per place a credential travels, so a leak names its place. The
# places are named so that each word of SECRET_NAME alone catches one of them.
SECRETS = {
    "X-Auth-Token request header": "hdr-secret-x-auth",
    "Authorization request header": "hdr-secret-bearer",
    "api_key query parameter": "query-secret-api-key",
    "signature query parameter": "query-secret-signature",
    "token JSON request field": "body-secret-token",
    "client_secret JSON request field": "body-secret-client",
    "password JSON request field": "body-secret-password",
    "Set-Cookie response header": "cookie-secret-session",
    "X-Session-Id response header": "hdr-secret-session-id",
    "access_token JSON response field": "resp-secret-access-token",
    "credentials JSON response field": "resp-secret-credentials",
}


def secret(name: str) -> str:
    """The value sent under ``name`` (the first word of its place)."""
    (value,) = [value for place, value in SECRETS.items() if place.split()[0] == name]
    return value


def login_reply(_: Seen) -> Reply:
    body = {
        "access_token": secret("access_token"),
        "credentials": {"id": secret("credentials")},
        "expires_in": 60,
    }
    return Reply(
        200,
        json.dumps(body).encode(),
        {
            "Content-Type": "application/json",
            "Set-Cookie": f"session={secret('Set-Cookie')}; HttpOnly",
            "X-Session-Id": secret("X-Session-Id"),
        },
    )


def log_in(base_url: str) -> dict[str, object]:
    with http_session(retries=0) as session:
        response = session.post(
            f"{base_url}/login",
            params={"api_key": secret("api_key"), "signature": secret("signature"), "page": "1"},
            headers={
                "X-Auth-Token": secret("X-Auth-Token"),
                "Authorization": f"Bearer {secret('Authorization')}",
            },
            json={
                "token": secret("token"),
                "client_secret": secret("client_secret"),
                "password": secret("password"),
                "user": "ann",
            },
        )
        response.raise_for_status()
        answer: dict[str, object] = response.json()
        return answer


def test_each_word_of_the_pattern_alone_catches_one_of_the_places() -> None:
    """Removing a word from SECRET_NAME leaks a place below; a word added needs a place here."""
    words = SECRET_NAME.pattern.split("|")
    names = [place.split()[0] for place in SECRETS]

    def words_catching(name: str) -> list[str]:
        return [word for word in words if re.search(word, name, re.IGNORECASE)]

    caught_alone = {
        word: [name for name in names if words_catching(name) == [word]] for word in words
    }
    assert [word for word, caught in caught_alone.items() if not caught] == []


def test_recorded_cassette_holds_no_secret_and_still_replays(tmp_path: Path) -> None:
    test_file = str(tmp_path / "test_login.py")
    with (
        http_server(login_reply) as server,
        recorder(test_file, mode="all").use_cassette("login.yaml"),
    ):
        live = log_in(server.url)
    assert server.seen[0].headers["X-Auth-Token"] == secret("X-Auth-Token")
    assert live["access_token"] == secret("access_token")

    cassette = (tmp_path / "cassettes" / "login.yaml").read_text()
    leaks = [place for place, secret in SECRETS.items() if secret in cassette]
    assert leaks == [], f"the cassette holds the {', '.join(leaks)}"
    for kept in ("page=1", "ann", "expires_in", "signature=REDACTED", "client_secret"):
        assert kept in cassette, "only credentials are scrubbed"
    assert settings.HTTP_USER_AGENT not in cassette
    assert RECORDED_USER_AGENT in cassette

    # The server is gone: the scrubbed cassette answers the same request, credentials and all.
    with recorder(test_file, mode="none").use_cassette("login.yaml"):
        replayed = log_in(server.url)
    assert replayed == {"access_token": "REDACTED", "credentials": "REDACTED", "expires_in": 60}
