"""Settings of the beats that test_beat.py starts: one periodic task, due often."""

from config.settings.test import *  # noqa: F403

BEAT_TICK_TASK = "tests.beat.tick"
BEAT_TICK_SECONDS = 0.2
# By name only: beat sends it, nothing runs it; the test counts the messages.
CELERY_BEAT_SCHEDULE = {"tick": {"task": BEAT_TICK_TASK, "schedule": BEAT_TICK_SECONDS}}
