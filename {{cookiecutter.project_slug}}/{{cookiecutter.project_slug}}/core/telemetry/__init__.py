"""Where the service spends its time: request and task log lines, metrics, query budgets, ids.

Configured by config/settings/observability.py and logging.py. Every request
and task is measured once (measurement.py) and told three ways: one log line,
Prometheus series (metrics.py) and, over its query budget (query_budget.py),
a warning or, in development and tests, an exception. With a collector
configured, traces.py follows it across processes (OpenTelemetry).
"""
