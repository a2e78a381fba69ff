"""Error reporting to Sentry: where, and how much tracing (config/sentry.py initialises the SDK)."""

from config import env
from config.env import Variable

env.declare(
    {
        "SENTRY_DSN": Variable(
            "https://KEY@HOST/PROJECT, or empty to disable",
            "Where errors are reported.",
            "",
            secret=True,
        ),
        "SENTRY_ENVIRONMENT": Variable(
            "a name such as production or staging",
            "How this deployment's events are labelled in Sentry.",
            "production",
        ),
        "SENTRY_RELEASE": Variable(
            "the deployed version, e.g. the image tag or git commit; empty for none",
            "Which release an event came from, so a regression points at its deploy.",
            "",
        ),
        "SENTRY_TRACES_SAMPLE_RATE": Variable(
            "a fraction from 0 to 1",
            "Share of requests and tasks traced (probes, metrics and static files never are).",
            "0",
        ),
    }
)

SENTRY_DSN = env.read_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env.read_str("SENTRY_ENVIRONMENT", min_length=1)
SENTRY_RELEASE = env.read_str("SENTRY_RELEASE")
SENTRY_TRACES_SAMPLE_RATE = env.read_float("SENTRY_TRACES_SAMPLE_RATE", minimum=0.0)
if SENTRY_TRACES_SAMPLE_RATE > 1:
    env.refuse("SENTRY_TRACES_SAMPLE_RATE", str(SENTRY_TRACES_SAMPLE_RATE), "above 1")
