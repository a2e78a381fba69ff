"""Settings of the simulated pods: production's, plus the hooks the tests drive (pod_hooks.py).

A slow view (an in-flight request when SIGTERM comes), the nap task (a task
running when SIGTERM comes) and a periodic task due every 0.2 s (two beats,
counted).
"""

from config.settings.production import *  # noqa: F403

from tests.deploy.pod_hooks import TICK_SECONDS, TICK_TASK

ROOT_URLCONF = "tests.deploy.pod_urls"
CELERY_IMPORTS = ("tests.core.worker.shutdown_worker",)
CELERY_BEAT_SCHEDULE = {"tick": {"task": TICK_TASK, "schedule": TICK_SECONDS}}
