"""Every answer under settings.API_PREFIX leaves in the API's shape, saying who may keep it.

One middleware for both, placed outside the session, CSRF and authentication
middlewares so it sees what they add (a cookie, ``Vary: Cookie``):

- an error that is not JSON (an unknown path, a method not allowed, Django's
  500 page) gets the API's one error shape (errors.py);
- an answer no shared cache may keep says ``private, no-store`` (caching.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from {{ cookiecutter.project_slug }}.core.api.caching import private_unless_public
from {{ cookiecutter.project_slug }}.core.api.errors import reshape
from {{ cookiecutter.project_slug }}.core.middleware import Middleware


class ApiMiddleware(Middleware):
    def finish(
        self, request: HttpRequest, response: HttpResponseBase, state: Any
    ) -> HttpResponseBase:
        if not request.path.startswith(settings.API_PREFIX):
            return response
        return private_unless_public(request, reshape(request, response))
