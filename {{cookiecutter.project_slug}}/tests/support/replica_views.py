"""Views that write and read users, to see where a request's reads went (tests/core/database).

A user row stands for any data: it exists in every project, with or without the
example app. With replay paused, a row the replica lacks tells replica from primary.
"""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.db import router
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from {{ cookiecutter.project_slug }}.users.models import User

import config.urls


def _found(username: str) -> dict[str, object]:
    return {
        "found": User.objects.filter(username=username).exists(),
        "alias": router.db_for_read(User),
    }


@csrf_exempt
def write(request: HttpRequest, username: str) -> JsonResponse:
    User.objects.create(username=username)
    return JsonResponse({"written": username})


@csrf_exempt
def write_then_read(request: HttpRequest, username: str) -> JsonResponse:
    User.objects.create(username=username)
    return JsonResponse(_found(username))


def read(request: HttpRequest, username: str) -> JsonResponse:
    return JsonResponse(_found(username))


# The async pair: one request writes and waits while the other reads. Made anew by
# each test, on its own event loop.
written = asyncio.Event()
read_done = asyncio.Event()


@csrf_exempt
async def awrite_and_wait(request: HttpRequest, username: str) -> JsonResponse:
    await User.objects.acreate(username=username)
    written.set()
    await asyncio.wait_for(read_done.wait(), timeout=10)
    return JsonResponse(await sync_to_async(_found)(username))


async def aread_after_write(request: HttpRequest, username: str) -> JsonResponse:
    await asyncio.wait_for(written.wait(), timeout=10)
    found = await sync_to_async(_found)(username)
    read_done.set()
    return JsonResponse(found)


urlpatterns = [
    *config.urls.urlpatterns,
    path("write/<str:username>", write),
    path("write-then-read/<str:username>", write_then_read),
    path("read/<str:username>", read),
    path("awrite/<str:username>", awrite_and_wait),
    path("aread/<str:username>", aread_after_write),
]
