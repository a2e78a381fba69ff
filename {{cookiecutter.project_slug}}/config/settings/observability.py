"""What the service reports about itself, and to whom (core/middleware.py, core/health.py).

Why a setting each: timings and dependency details help the people running
the service and help an attacker map it, so they go to anonymous callers
only where that is harmless (development) or to callers that prove who they are.
"""

from config import env
from config.env import Variable

env.declare(
    {
        "DJANGO_SERVER_TIMING": Variable(
            "true or false",
            "Send each response's total time, SQL time and query count in Server-Timing.",
            "false",
        ),
        "DJANGO_HEALTH_TOKEN": Variable(
            "a random string, or empty to show no details to anyone",
            "Health checks show which dependency fails only to callers sending X-Health-Token.",
            "",
            secret=True,
        ),
    }
)

# Queries a request may run when its view declares no budget of its own
# (core/query_budget.py). A list page built with select_related and
# prefetch_related needs a handful, whatever its size.
QUERY_BUDGET = 20
# Over budget: raise (local and test settings turn it on), or, in production,
# log a warning and count it, never failing the request.
QUERY_BUDGET_RAISE = False
# Off in production: the header would tell any caller how much SQL each page runs.
SERVER_TIMING = env.read_bool("DJANGO_SERVER_TIMING")
HEALTH_TOKEN = env.read_str("DJANGO_HEALTH_TOKEN")
