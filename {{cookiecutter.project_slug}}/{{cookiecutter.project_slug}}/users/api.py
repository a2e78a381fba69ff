"""API operations of the users app: who the caller is, so a client can check its key."""

from django.http import HttpRequest
from ninja import Router, Schema

from {{ cookiecutter.project_slug }}.core.api.errors import ERROR_RESPONSES
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import query_budget
from {{ cookiecutter.project_slug }}.users.auth import WRITE_AUTH
from {{ cookiecutter.project_slug }}.users.models import ApiKey

router = Router(tags=["users"])


class Me(Schema):
    username: str
    key: str | None  # the prefix of the key used, None for a browser session


@router.get("/me", auth=WRITE_AUTH, response={200: Me, **ERROR_RESPONSES})
# The key or the session's user; a browser session read from the database, and deleted
# when it has ended (core/access/sessions.py).
@query_budget(3)
def me(request: HttpRequest) -> Me:
    key = request.auth.prefix if isinstance(request.auth, ApiKey) else None  # type: ignore[attr-defined]
    return Me(username=request.user.get_username(), key=key)
