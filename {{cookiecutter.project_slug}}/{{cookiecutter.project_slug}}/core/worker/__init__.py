"""Celery workers and beat: at-least-once delivery checked, one beat, a shutdown that loses nothing.

Configured by config/settings/celery.py and celery_broker.py; the Celery app is
config/celery.py. Not named ``tasks``: Celery's autodiscovery imports each
app's ``tasks`` module, and this package holds none.
"""
