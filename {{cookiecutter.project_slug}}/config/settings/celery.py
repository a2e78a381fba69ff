"""Celery that loses nothing: at-least-once delivery, bounded tasks, JSON only.

Why: a task message is acknowledged only after the task ran, so a worker that
dies mid-task leaves the message to be delivered again. Tasks are therefore
written to be idempotent (a second run finds the work done and does nothing),
every task is bounded in time, and the broker waits longer than any task plus
its longest retry delay before it hands an unacknowledged message to another
worker. The Celery app (config/celery.py) reads the CELERY_ names below; the
broker's URL and transport options are in config/settings/celery_broker.py.
"""

import re
from typing import Any

from config import env
from config.env import Variable
from config.settings import server

env.declare(
    {
        "CELERY_WORKER_CONCURRENCY": Variable(
            "a whole number, 0 for one per CPU",
            "Pool processes of a `celery worker`: tasks it runs at once.",
            "0",
        ),
        "CELERY_WORKER_MAX_TASKS_PER_CHILD": Variable(
            "a whole number, 0 to never replace",
            "A pool process is replaced after this many tasks, bounding slow leaks.",
            "500",
        ),
        "CELERY_WORKER_METRICS_BIND": Variable(
            "HOST:PORT, or empty for no metrics endpoint",
            "Where a `celery worker` serves Prometheus metrics of all its pool processes "
            "(with PROMETHEUS_MULTIPROC_DIR set to a directory of its own). Never public.",
            "0.0.0.0:9101",
        ),
        "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT": Variable(
            "seconds, below ORCHESTRATOR_GRACE_SECONDS",
            "On SIGTERM a worker lets its running tasks finish this long, then puts the "
            "rest back on the queue at once (needs REMAP_SIGTERM=SIGQUIT, as the image sets).",
            "20",
        ),
        "CELERY_BEAT_LOCK_SECONDS": Variable(
            "whole seconds, at least 1",
            "Only the beat holding a lock in Redis sends periodic tasks; a standby beat "
            "takes over within this time and a third more when the holder dies.",
            "30",
        ),
        "CELERY_TASK_DEFAULT_QUEUE": Variable(
            "a queue name, e.g. {{ cookiecutter.project_slug }}",
            "Queue the tasks go to and the workers read, so services sharing a broker never mix.",
            "{{ cookiecutter.project_slug }}",
        ),
    }
)

# A queue per deployment (and per test run) so services and runs sharing a broker never mix.
CELERY_TASK_DEFAULT_QUEUE = env.read_str("CELERY_TASK_DEFAULT_QUEUE", min_length=1)

# JSON only: pickle would let anyone who can write to the broker run code.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# No result backend: tasks record their outcome in the database they change.
CELERY_TASK_IGNORE_RESULT = True
# Keep retrying the broker at start-up rather than crash-looping the worker.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Log through Django's LOGGING (config/settings/logging.py) instead of Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- At-least-once delivery ---
# Acknowledge after the task ran, not on receipt: a crash mid-task means redelivery, not loss.
CELERY_TASK_ACKS_LATE = True
# A pool process killed mid-task (OOM killer, SIGKILL) re-queues its message instead of failing it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Reserve one message per process: none waits behind a long task or dies with a busy worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- The worker's processes ---
# Each pool process holds its own database connections (config/celery.py): concurrency
# is part of the connection budget (core/database/checks.py, config/settings/database_pooling.py).
CELERY_WORKER_CONCURRENCY = env.read_int("CELERY_WORKER_CONCURRENCY", minimum=0) or None
CELERY_WORKER_MAX_TASKS_PER_CHILD = (
    env.read_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", minimum=0) or None
)
# The worker's Prometheus endpoint (config/celery.py), summing its pool processes.
WORKER_METRICS_BIND = env.read_str("CELERY_WORKER_METRICS_BIND")
if WORKER_METRICS_BIND and not re.fullmatch(r"[\w.-]+:\d{1,5}", WORKER_METRICS_BIND):
    env.refuse("CELERY_WORKER_METRICS_BIND", WORKER_METRICS_BIND, "not HOST:PORT")
# On a lost broker connection the broker redelivers unacknowledged tasks; stop ours, don't run twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# --- Shutdown that loses nothing ---
# With REMAP_SIGTERM=SIGQUIT (Celery reads it from the environment: the Dockerfile and
# `make worker` set it, core.E018 refuses a worker without it) SIGTERM starts a cold
# shutdown: running tasks get this long to finish, then the rest are cancelled and their
# messages go back to the queue at once, for another worker. Without it, SIGTERM waits
# for every task to end, the orchestrator's SIGKILL cuts them off and, on Redis, their
# messages wait out the visibility timeout. Keep it below the grace period (README).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.read_float(
    "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", minimum=0
)
if CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT >= server.ORCHESTRATOR_GRACE_SECONDS:
    env.refuse(
        "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT",
        str(CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT),
        f"not below ORCHESTRATOR_GRACE_SECONDS={server.ORCHESTRATOR_GRACE_SECONDS}",
    )

# --- Beat: one sender of periodic tasks however many beats run (core/worker/beat.py) ---
CELERY_BEAT_SCHEDULER = "{{ cookiecutter.project_slug }}.core.worker.beat:SingleBeat"
BEAT_LOCK_SECONDS = env.read_int("CELERY_BEAT_LOCK_SECONDS", minimum=1)

# --- Time limits: without them a hung task holds its worker process forever ---
# Soft: SoftTimeLimitExceeded is raised inside the task, which may clean up.
CELERY_TASK_SOFT_TIME_LIMIT = 60
# Hard: the pool process is killed (and the message re-queued, see above).
CELERY_TASK_TIME_LIMIT = 90

# --- Retry policy of the tasks (autoretry_for in each task module) ---
# Exponential back-off 1, 2, 4 ... s capped at this, with full jitter, so that a
# burst of failures does not retry in lockstep against a recovering service.
TASK_RETRY_BACKOFF_MAX = 120
# Up to about 8 minutes of retries in all (1 + 2 + ... + 64 + 3 x 120 s; jitter
# draws each wait between 0 and that, so about half typically) before giving up.
TASK_MAX_RETRIES = 10

# The longest a delivered message may stay unacknowledged: the longest retry
# countdown, waiting for a free pool process (up to one hard limit), then running
# (up to one more). Never schedule a countdown or ETA longer than the back-off cap.
LONGEST_UNACKED_SECONDS = TASK_RETRY_BACKOFF_MAX + 2 * CELERY_TASK_TIME_LIMIT

# Periodic tasks, sent by `make beat`. Each app adds its own entries in its settings.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}
