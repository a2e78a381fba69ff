"""Celery loses nothing and never runs a task twice by accident (config/settings/celery.py).

Each task is checked as Celery will run it (through Celery's current app, the
one config/celery.py makes): its own options where it sets
them, the settings' defaults otherwise, so a single ``@shared_task(acks_late=False)``
is caught as surely as a changed setting.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from celery import Task, current_app
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.module_loading import autodiscover_modules

from {{ cookiecutter.project_slug }}.core import process


def project_tasks() -> Iterator[Task[Any, Any]]:
    """The registered tasks, Celery's own (celery.*) left out."""
    autodiscover_modules("tasks")  # every app's tasks module, as the worker imports them
    for name, task in sorted(current_app.tasks.items()):
        if not name.startswith("celery."):
            yield task


@checks.register("core")
def check_at_least_once(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Acknowledged late, re-queued when its process dies: a crash means a rerun, not a loss."""
    messages: list[checks.CheckMessage] = []
    for task in project_tasks():
        if not task.acks_late:
            messages.append(
                checks.Error(
                    f"Task {task.name!r} is acknowledged on receipt: a worker that dies "
                    "while running it loses it.",
                    hint="Keep CELERY_TASK_ACKS_LATE = True (config/settings/celery.py) and "
                    "no acks_late=False on the task.",
                    id="core.E007",
                )
            )
        if not task.reject_on_worker_lost:
            messages.append(
                checks.Error(
                    f"Task {task.name!r} is marked failed, not re-queued, when its pool "
                    "process is killed (OOM, SIGKILL).",
                    hint="Keep CELERY_TASK_REJECT_ON_WORKER_LOST = True (config/settings/celery.py).",
                    id="core.E008",
                )
            )
    return messages


def _limits(task: Task[Any, Any]) -> tuple[float | None, float | None]:
    """(soft, hard) time limits as Celery applies them to ``task``: its own, else the app's."""
    soft = task.soft_time_limit or current_app.conf.task_soft_time_limit
    hard = task.time_limit or current_app.conf.task_time_limit
    return soft, hard


@checks.register("core")
def check_time_limits(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without a hard limit a hung task holds its process forever; soft must come first."""
    messages: list[checks.CheckMessage] = []
    for task in project_tasks():
        soft, hard = _limits(task)
        if not hard or not soft or soft >= hard:
            messages.append(
                checks.Error(
                    f"Task {task.name!r} runs with soft limit {soft} s and hard limit {hard} s: "
                    "both are needed, the soft one first so the task can clean up.",
                    hint="Set CELERY_TASK_SOFT_TIME_LIMIT below CELERY_TASK_TIME_LIMIT "
                    "(config/settings/celery.py).",
                    id="core.E009",
                )
            )
    return messages


@checks.register("core")
def check_visibility_timeout(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """On Redis, a message unacknowledged past the visibility timeout is delivered again.

    A task can stay unacknowledged for its longest retry countdown, a wait for a
    free process (up to one hard limit) and its own run (one more).
    """
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        return []
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    visibility = options.get("visibility_timeout", 3600)  # kombu's default
    messages: list[checks.CheckMessage] = []
    for task in project_tasks():
        _, hard = _limits(task)
        # Set by autoretry_for's options, so not on the Task class itself.
        backoff = (
            getattr(task, "retry_backoff_max", 600)
            if getattr(task, "retry_backoff", False)
            else task.default_retry_delay
        )
        longest = (backoff or 0) + 2 * (hard or 0)
        if longest >= visibility:
            messages.append(
                checks.Error(
                    f"Task {task.name!r} can stay unacknowledged {longest} s (back-off "
                    f"{backoff} s + 2 x hard limit {hard} s), longer than Redis's visibility "
                    f"timeout of {visibility} s: Redis hands it to a second worker meanwhile.",
                    hint="Raise CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] "
                    "(config/settings/celery_broker.py) or lower the back-off cap or limit.",
                    id="core.E010",
                )
            )
    return messages


@checks.register("core")
def check_worker_shutdown(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """SIGTERM must put long tasks back on the queue, not wait for them until SIGKILL."""
    from billiard.common import REMAP_SIGTERM  # read once from the environment by Celery

    if process.INTERFACE != "celery" or REMAP_SIGTERM == "SIGQUIT":
        return []
    message = (
        "This worker runs without REMAP_SIGTERM=SIGQUIT: on SIGTERM it waits for every "
        "running task, the orchestrator kills it after its grace period, and the tasks' "
        "messages come back only after the broker notices (Redis: the visibility timeout)."
    )
    hint = (
        "Start the worker with REMAP_SIGTERM=SIGQUIT in its environment (the Dockerfile "
        "and `make worker` set it); CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT is the time "
        "running tasks then get."
    )
    if getattr(settings, "ENVIRONMENT", "") == "production":
        return [checks.Error(message, hint=hint, id="core.E018")]
    return [checks.Warning(message, hint=hint, id="core.W018")]
