"""What the service reports about itself, and to whom (core/telemetry/, core/health/).

Traces (core/telemetry/traces.py) take the standard OpenTelemetry variables,
so a collector's documentation applies as written; they are off until
OTEL_EXPORTER_OTLP_ENDPOINT is set.

Why a setting each: timings and dependency details help the people running
the service and help an attacker map it, so they go to anonymous callers
only where that is harmless (development) or to callers that prove who they are.
"""

from urllib.parse import urlsplit

from config import env
from config.env import Variable

# OTEL_TRACES_SAMPLER's accepted values (core/telemetry/traces.py: all parent-based).
TRACES_SAMPLERS = ("parentbased_traceidratio", "parentbased_always_on", "parentbased_always_off")

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
        "OTEL_EXPORTER_OTLP_ENDPOINT": Variable(
            "an http(s) URL of an OTLP/HTTP collector (port 4318), or empty",
            "Where traces go (/v1/traces is added); empty: no traces, nothing instrumented.",
            "",
        ),
        "OTEL_SERVICE_NAME": Variable(
            "a name",
            "The service's name on its traces.",
            "{{ cookiecutter.project_slug }}",
        ),
        "OTEL_TRACES_SAMPLER": Variable(
            f"one of {', '.join(TRACES_SAMPLERS)}",
            "Which traces started here are kept; a caller's decision is always followed.",
            "parentbased_traceidratio",
        ),
        "OTEL_TRACES_SAMPLER_ARG": Variable(
            "a number from 0 to 1",
            "Share of the traces started here that are kept (parentbased_traceidratio).",
            "1.0",
        ),
        "OTEL_SDK_DISABLED": Variable(
            "true or false", "true: no traces even with an endpoint set.", "false"
        ),
    }
)

# Queries a request may run when its view declares no budget of its own
# (core/telemetry/query_budget.py). A list page built with select_related and
# prefetch_related needs a handful, whatever its size.
QUERY_BUDGET = 20
# Over budget: raise (local and test settings turn it on), or, in production,
# log a warning and count it, never failing the request.
QUERY_BUDGET_RAISE = False
# Off in production: the header would tell any caller how much SQL each page runs.
SERVER_TIMING = env.read_bool("DJANGO_SERVER_TIMING")
HEALTH_TOKEN = env.read_str("DJANGO_HEALTH_TOKEN")

# Traces (core/telemetry/traces.py): on with an endpoint, unless the SDK is disabled.
TRACES_ENDPOINT = env.read_str("OTEL_EXPORTER_OTLP_ENDPOINT")
if TRACES_ENDPOINT and (
    urlsplit(TRACES_ENDPOINT).scheme not in {"http", "https"}
    or not urlsplit(TRACES_ENDPOINT).hostname
):
    env.refuse("OTEL_EXPORTER_OTLP_ENDPOINT", TRACES_ENDPOINT, "not an http(s) URL with a host")
TRACES_SERVICE_NAME = env.read_str("OTEL_SERVICE_NAME", min_length=1)
TRACES_SAMPLER = env.read_choice("OTEL_TRACES_SAMPLER", TRACES_SAMPLERS)
TRACES_SAMPLER_RATIO = env.read_float("OTEL_TRACES_SAMPLER_ARG", minimum=0.0, maximum=1.0)
TRACES_DISABLED = env.read_bool("OTEL_SDK_DISABLED")
TRACES_ENABLED = bool(TRACES_ENDPOINT) and not TRACES_DISABLED
