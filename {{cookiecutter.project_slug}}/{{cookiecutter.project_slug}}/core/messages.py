"""Django's messages (the admin's "saved" notices), their storage made only when used.

Why: ``MessageMiddleware`` builds its storage for every request (the storage
class imported by name, a cookie signer with its keys, a session storage),
although only the admin's pages read or add a message; an API request never
does. Here the storage is made on first use, and a request that never used it
has nothing to save, exactly as Django's own ``update`` would find. The admin's
check accepts the subclass.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = request.__dict__.get("_messages")
        if isinstance(messages, SimpleLazyObject) and messages.__dict__["_wrapped"] is empty:
            return response  # never read nor added to: nothing to store
        return super().process_response(request, response)
