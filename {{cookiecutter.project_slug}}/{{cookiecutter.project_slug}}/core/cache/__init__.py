"""The shared Redis cache: namespaced, versioned keys and a stampede-safe get-or-compute.

Configured by config/settings/cache.py. Five small pieces: namespaces.py (keys
and versions), local.py (this process's copies, where a namespace asks for
them), stampede.py (one recompute across processes), lookups.py (every
lookup counted) and breaker.py (a silent Redis costs one timeout per
cool-down); checks.py refuses a cache that is not shared, not bounded or
without the breaker.
"""

from {{ cookiecutter.project_slug }}.core.cache.namespaces import Namespace
from {{ cookiecutter.project_slug }}.core.cache.stampede import get_or_compute

__all__ = ["Namespace", "get_or_compute"]
