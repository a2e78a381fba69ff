"""dead_letters_list, dead_letters_replay and dead_letters_purge, as an operator runs them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter

from tests.dead_letters.letters import TASK, letter_create
from tests.support.broker import queue_take_all

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> list[str]:
    out = StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue().splitlines()


def test_list_shows_id_task_error_and_when() -> None:
    pending = letter_create()
    replayed = letter_create(exception_message="later " * 30, replayed_at=timezone.now())
    header, *rows = run("dead_letters_list")
    assert header.split() == ["ID", "TASK", "ERROR", "FAILED", "REPLAYED"]
    assert [row.split()[:2] for row in rows] == [[str(replayed.pk), TASK], [str(pending.pk), TASK]]
    assert "ConnectionError: the carrier is down" in rows[1]
    assert rows[1].endswith(" -"), "not replayed yet"
    assert "later later" in rows[0]
    assert "..." in rows[0], "a long error is shortened to one table line"
    assert f"{pending.failed_at:%Y-%m-%d %H:%M:%S}" in rows[1]

    _, *pending_rows = run("dead_letters_list", "--pending")
    assert [row.split()[0] for row in pending_rows] == [str(pending.pk)]


def test_list_says_when_there_is_nothing() -> None:
    assert run("dead_letters_list") == ["No dead letters."]


@pytest.mark.usefixtures("task_queue")
def test_replay_sends_each_named_letter_once(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    letter = letter_create()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("dead_letters_replay", str(letter.pk), "999999")
    letter.refresh_from_db()
    assert output == [
        f"#{letter.pk} {TASK} sent again as {letter.replay_task_id}",
        "Skipped (already replayed or no such id): #999999",
        "1 dead letter(s) replayed.",
    ]
    assert queue_take_all() == [(TASK, [7])]
    with django_capture_on_commit_callbacks(execute=True):
        assert run("dead_letters_replay", "--all")[-1] == "0 dead letter(s) replayed."
    assert queue_take_all() == []


@pytest.mark.parametrize("arguments", [(), ("1", "--all")])
def test_replay_asks_for_ids_or_all(arguments: tuple[str, ...]) -> None:
    with pytest.raises(CommandError, match=r"their ids, or --all \(not both\)"):
        run("dead_letters_replay", *arguments)


def test_purge_deletes_what_it_is_told_and_says_how_many() -> None:
    letter_create(failed_at=timezone.now() - timedelta(days=8))
    kept = letter_create()
    assert run("dead_letters_purge", "--older-than", "7") == ["1 dead letter(s) purged."]
    assert list(DeadLetter.objects.all()) == [kept]
    assert run("dead_letters_purge", str(kept.pk)) == ["1 dead letter(s) purged."]
    letter_create()
    assert run("dead_letters_purge", "--all") == ["1 dead letter(s) purged."]
    assert not DeadLetter.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ((), "their ids, --older-than DAYS or --all"),
        (("--all", "--older-than", "3"), "one of them"),
        (("--older-than", "-1"), "0 or more; got -1"),
    ],
)
def test_purge_refuses_an_unclear_choice(arguments: tuple[str, ...], error: str) -> None:
    letter_create()
    with pytest.raises(CommandError, match=error):
        run("dead_letters_purge", *arguments)
    assert DeadLetter.objects.count() == 1
