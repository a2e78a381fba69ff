"""The dead letters' admin: a read-only record, with a replay action."""

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.dead_letters.letters import TASK, letter_create
from tests.support.broker import queue_take_all

pytestmark = pytest.mark.django_db

LETTERS = "/admin/dead_letters/deadletter/"


def test_letters_are_listed_and_never_edited(admin_client: Client) -> None:
    letter = letter_create()
    assert TASK in admin_client.get(LETTERS).content.decode()
    assert admin_client.get(f"{LETTERS}add/").status_code == 403
    detail = admin_client.get(f"{LETTERS}{letter.pk}/change/").content.decode()
    assert 'name="task_name"' not in detail, "no field to edit"


@pytest.mark.usefixtures("task_queue")
def test_the_replay_action_sends_the_task(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    letter = letter_create()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            LETTERS, {"action": "replay", "_selected_action": [letter.pk]}, follow=True
        )
    assert "1 task(s) sent again." in response.content.decode()
    assert queue_take_all() == [(TASK, [7])]
