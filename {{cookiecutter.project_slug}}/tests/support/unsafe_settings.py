"""The production settings with one unsafe edit a teammate might make: early acknowledgement.

A server started on them must refuse to start (config/startup.py runs the
checks; core.E007 is the one that fires).
"""

from config.settings.production import *  # noqa: F403

CELERY_TASK_ACKS_LATE = False
