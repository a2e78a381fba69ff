"""What a locked-out login gets: 429, Retry-After, and a page that says how long to wait.

axes calls ``lockout_response`` (AXES_LOCKOUT_CALLABLE) for a login it refused.
The page says neither whether the account exists nor which count (username or
address) ran out: both would help the one guessing. It is the admin's style
sheet and a few lines of HTML, under the same CSP as every page.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils.html import format_html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Too many failed logins</title>
<link rel="stylesheet" href="{stylesheet}"></head>
<body><div id="container"><main id="content">
<h1>Too many failed logins</h1>
<p class="errornote">Logins are refused for {wait} after the last attempt, the right password
included.</p>
<p>Wait and try again, or ask an administrator to unlock your account.</p>
</main></div></body></html>
"""


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = round(seconds / 60)
    wait = f"{minutes} minute{'s' * (minutes != 1)}" if seconds >= 60 else f"{seconds} seconds"
    page = format_html(PAGE, stylesheet=static("admin/css/base.css"), wait=wait)
    response = HttpResponse(page, status=429)
    response["Retry-After"] = str(seconds)
    return response
