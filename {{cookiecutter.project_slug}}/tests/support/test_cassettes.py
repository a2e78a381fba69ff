"""A cassette recorded against a real server keeps no credential, wherever it travelled."""

import json
from pathlib import Path

from django.conf import settings

from {{ cookiecutter.project_slug }}.core.http import http_session

from tests.support.cassettes import RECORDED_USER_AGENT, recorder
from tests.support.loopback import Reply, Seen, http_server

# One distinct value per place a credential travels, so a leak names its place.
SECRETS = {
    "X-Auth-Token request header": "hdr-secret-x-auth",
    "Authorization request header": "hdr-secret-bearer",
    "api_key query parameter": "query-secret-api-key",
    "token JSON request field": "body-secret-token",
    "Set-Cookie response header": "cookie-secret-session",
    "access_token JSON response field": "resp-secret-access-token",
}


def login_reply(_: Seen) -> Reply:
    body = {"access_token": SECRETS["access_token JSON response field"], "expires_in": 60}
    return Reply(
        200,
        json.dumps(body).encode(),
        {
            "Content-Type": "application/json",
            "Set-Cookie": f"session={SECRETS['Set-Cookie response header']}; HttpOnly",
        },
    )


def log_in(base_url: str) -> dict[str, object]:
    with http_session(retries=0) as session:
        response = session.post(
            f"{base_url}/login",
            params={"api_key": SECRETS["api_key query parameter"], "page": "1"},
            headers={
                "X-Auth-Token": SECRETS["X-Auth-Token request header"],
                "Authorization": f"Bearer {SECRETS['Authorization request header']}",
            },
            json={"token": SECRETS["token JSON request field"], "user": "ann"},
        )
        response.raise_for_status()
        answer: dict[str, object] = response.json()
        return answer


def test_recorded_cassette_holds_no_secret_and_still_replays(tmp_path: Path) -> None:
    test_file = str(tmp_path / "test_login.py")
    with (
        http_server(login_reply) as server,
        recorder(test_file, mode="all").use_cassette("login.yaml"),
    ):
        live = log_in(server.url)
    assert server.seen[0].headers["X-Auth-Token"] == SECRETS["X-Auth-Token request header"]
    assert live["access_token"] == SECRETS["access_token JSON response field"]

    cassette = (tmp_path / "cassettes" / "login.yaml").read_text()
    leaks = [place for place, secret in SECRETS.items() if secret in cassette]
    assert leaks == [], f"the cassette holds the {', '.join(leaks)}"
    for kept in ("page=1", "ann", "expires_in"):
        assert kept in cassette, "only credentials are scrubbed"
    assert settings.HTTP_USER_AGENT not in cassette
    assert RECORDED_USER_AGENT in cassette

    # The server is gone: the scrubbed cassette answers the same request, credentials and all.
    with recorder(test_file, mode="none").use_cassette("login.yaml"):
        replayed = log_in(server.url)
    assert replayed == {"access_token": "REDACTED", "expires_in": 60}
