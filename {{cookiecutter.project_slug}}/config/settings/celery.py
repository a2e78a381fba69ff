"""Celery, configured from Django settings (the CELERY_ namespace)."""

from config import env

CELERY_BROKER_URL = env.read_url("CELERY_BROKER_URL", schemes={{ '("redis", "rediss")' if cookiecutter.celery_broker == 'redis' else '("amqp", "amqps")' }})
# JSON only: pickle would let anyone who can write to the broker run code.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Keep retrying the broker at start-up rather than crash-looping the worker.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
