"""Error reporting to Sentry: where to report (config/sentry.py initialises the SDK)."""

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
    }
)

SENTRY_DSN = env.read_str("SENTRY_DSN")
