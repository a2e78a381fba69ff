"""The benchmark site: the service plus every benchmark-only route, view and task.

Baselines and counter-examples live here and only here, so the service's own
URLs, views and tasks hold nothing that exists for a benchmark.
"""
