"""Outbound HTTP: the policy every external call gets from core.http.http_session().

Why: requests waits forever by default, and a retry loop without a cap turns
one slow upstream into a pile-up of stuck workers. Timeouts, retries and pool
size are settings so an environment can tune them without touching code.
"""

from config import env
from config.env import Variable

env.declare(
    {
        "HTTP_CONNECT_TIMEOUT": Variable(
            "seconds, e.g. 3.05",
            "Give up connecting to an external API after this long.",
            "3.05",
        ),
        "HTTP_READ_TIMEOUT": Variable(
            "seconds, e.g. 10",
            "Give up waiting for an external API's next bytes after this long.",
            "10",
        ),
        "HTTP_RETRIES": Variable(
            "a whole number, 0 to disable",
            "Retries of idempotent requests after a connect error or a 502/503/504.",
            "2",
        ),
        "HTTP_CIRCUIT_FAILURES": Variable(
            "a whole number, at least 1",
            "Calls in a row to one host that time out, fail to connect or answer 5xx "
            "before its circuit breaker opens.",
            "5",
        ),
        "HTTP_CIRCUIT_SECONDS": Variable(
            "seconds, 1 to 3600",
            "How long calls to a host whose breaker opened fail at once, before one probes it.",
            "30",
        ),
        "HTTP_POOL_MAXSIZE": Variable(
            "a whole number, at least 1",
            "Kept-alive connections per external host; at least the threads making calls.",
            "10",
        ),
    }
)

# (connect, read) seconds: the connect bound covers a dead host, the read bound
# a live host that stopped answering. Applied to every request that sets none.
HTTP_TIMEOUT = (
    env.read_float("HTTP_CONNECT_TIMEOUT", minimum=0.1),
    env.read_float("HTTP_READ_TIMEOUT", minimum=0.1),
)
# Idempotent requests only (GET, HEAD, PUT, DELETE, OPTIONS, TRACE): a POST that
# reached the server may have had its effect, so it is never repeated.
HTTP_RETRIES = env.read_int("HTTP_RETRIES", minimum=0)
HTTP_RETRY_STATUSES = (502, 503, 504)
# Waits between retries: 0 s, then 0.5 s, 1 s, ... never more than the max.
HTTP_RETRY_BACKOFF_FACTOR = 0.5
HTTP_RETRY_BACKOFF_MAX = 5.0
# A server's Retry-After is honoured up to this many seconds (urllib3 allows 6 hours).
HTTP_RETRY_AFTER_MAX = 10
HTTP_POOL_MAXSIZE = env.read_int("HTTP_POOL_MAXSIZE", minimum=1)
# A circuit breaker per host (core/http/breaker.py): a peer that keeps failing is
# left alone for a cool-down instead of costing every call its timeout.
HTTP_CIRCUIT_FAILURES = env.read_int("HTTP_CIRCUIT_FAILURES", minimum=1)
HTTP_CIRCUIT_SECONDS = env.read_float("HTTP_CIRCUIT_SECONDS", minimum=1, maximum=3600)
# Lets the API owner see who calls them, and find us when something goes wrong.
HTTP_USER_AGENT = "{{ cookiecutter.project_slug }}/0.1 (python-requests)"
