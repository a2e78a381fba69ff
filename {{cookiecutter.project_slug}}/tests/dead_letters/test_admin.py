"""The dead letters' admin: a read-only record, with a replay action."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.users.models import User

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


@pytest.mark.usefixtures("task_queue")
def test_viewing_the_letters_is_not_enough_to_replay_them(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_deadletter"))
    client.force_login(viewer)
    letter = letter_create()
    assert TASK in client.get(LETTERS).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LETTERS, {"action": "replay", "_selected_action": [letter.pk]})
    assert queue_take_all() == [], "a replay runs code: it takes more than view permission"
    letter.refresh_from_db()
    assert letter.replayed_at is None
