"""Outbound HTTP: the policy every external call gets from core.http.http_session().

Why: requests waits forever by default, and a retry loop without a cap turns
one slow upstream into a pile-up of stuck workers. Timeouts, retries and pool
size are settings so an environment can tune them without touching code.
"""

from config import env

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
# Lets the API owner see who calls them, and find us when something goes wrong.
HTTP_USER_AGENT = "{{ cookiecutter.project_slug }}/0.1 (python-requests)"
{%- if cookiecutter.include_example_app %}

# The example shop's external API (shop/clients.py).
SHIPPING_API_URL = env.read_url("SHIPPING_API_URL", schemes=("https", "http"))
SHIPPING_API_TOKEN = env.read_str("SHIPPING_API_TOKEN")
{%- endif %}
