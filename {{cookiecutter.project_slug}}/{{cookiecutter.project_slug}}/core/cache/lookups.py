"""Every lookup of a cached entry counted: in the request's log line and in the metrics.

Why: a hit rate is the only proof a cache earns its keep; the count per
request shows next to its queries (core/telemetry/middleware.py), and
``cache_lookups_total{namespace, result}`` per kind of entry.
"""

from {{ cookiecutter.project_slug }}.core.telemetry import measurement, metrics


def lookup_count(namespace: str, *, hit: bool) -> None:
    current = measurement.current()
    if current is not None:
        current.add_cache_lookup(hit=hit)
    metrics.cache_looked_up(namespace, hit=hit)
