"""The production settings with one unsafe edit a teammate might make: a per-process cache.

A server started on them must refuse to start (config/startup.py runs the
checks; core.E001 is the one that fires): each process would cache, count
throttles and keep sessions on its own.
"""

from config.settings.production import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
