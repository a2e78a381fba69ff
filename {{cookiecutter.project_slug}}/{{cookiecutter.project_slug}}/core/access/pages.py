"""The Content-Security-Policy on the answers a browser renders: HTML pages and SVG images.

Why not on every answer: a JSON answer runs nothing in a browser (and
``X-Content-Type-Options: nosniff`` keeps it from being taken for a page), yet
django-csp builds the header anew for each response, the costliest of the
middlewares on an API call. The policy itself is ``CSP_DIRECTIVES`` in
config/settings/security.py. On Django 6 the same subclass sits on
``django.middleware.csp.ContentSecurityPolicyMiddleware`` (docs/security.md).
"""

from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponseBase

RENDERED = ("text/html", "image/svg+xml")


class PageCSPMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(RENDERED):
            return response
        return super().process_response(request, response)
