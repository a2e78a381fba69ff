"""One scaffold for the project's middlewares, serving sync and async stacks alike.

Why: Django runs a middleware in whichever mode the stack around it runs;
one that is sync only pushes every async view through a thread and back (a
millisecond each way), so each of ours is both. The scaffolding for that is
written once, here; a subclass says only what it does:

- ``answers(request)``: whether it answers this request itself, without the
  rest of the chain (cheap, no I/O: it runs on the event loop under ASGI);
  ``answer(request)`` then makes the answer, in a thread under ASGI, so it may block;
- ``around(request)``: a context manager around the rest of the chain (a
  request id bound, a measurement taken); what it yields reaches ``finish``;
- ``finish(request, response, state)``: the response on its way out.

Each runs on every request, so the scaffold costs what a subclass uses: which
of the three it overrides is read once, at start-up, and a hook it leaves
alone is never called (no context manager entered for nothing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase

GetResponse = (
    Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]
)


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield None


class Middleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        cls = type(self)
        self._answers = cls.answers is not Middleware.answers
        self._around = cls.around is not Middleware.around

    def answers(self, request: HttpRequest) -> bool:
        return False

    def answer(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError

    def around(self, request: HttpRequest) -> AbstractContextManager[Any]:
        return _nothing()

    def finish(
        self, request: HttpRequest, response: HttpResponseBase, state: Any
    ) -> HttpResponseBase:
        return response

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        if self._answers and self.answers(request):
            return self.answer(request)
        response: HttpResponseBase
        if not self._around:
            response = self.get_response(request)  # type: ignore[assignment]
            return self.finish(request, response, None)
        with self.around(request) as state:
            response = self.get_response(request)  # type: ignore[assignment]
            return self.finish(request, response, state)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self._answers and self.answers(request):
            return await sync_to_async(self.answer)(request)
        response: HttpResponseBase
        if not self._around:
            response = await self.get_response(request)  # type: ignore[misc]
            return self.finish(request, response, None)
        with self.around(request) as state:
            response = await self.get_response(request)  # type: ignore[misc]
            return self.finish(request, response, state)
