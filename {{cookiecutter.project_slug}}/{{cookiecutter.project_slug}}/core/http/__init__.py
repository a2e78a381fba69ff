"""Outbound HTTP: the one session factory (timeouts, retries, pool, a breaker per host) and its check.

Configured by config/settings/http.py.
"""
