"""The example shop's own settings: its external API and its periodic tasks.

They live with the app, so removing the app removes them, and the
infrastructure settings never mention it. config/settings/base.py imports
this module last.
"""

from typing import Any

from config import env
from config.env import Variable
from config.settings import celery

env.declare(
    {
        "SHIPPING_API_URL": Variable(
            "https://HOST/PATH/",
            "Base URL of the shipping-rate API (shop/clients.py).",
            "https://shipping.example.com/v1/",
        ),
        "SHIPPING_API_TOKEN": Variable(
            "an API token, or empty to send none",
            "Bearer token for the shipping-rate API.",
            "",
            secret=True,
        ),
    }
)

# The shipping-rate API (shop/clients.py), called through core.http's session.
SHIPPING_API_URL = env.read_url("SHIPPING_API_URL", schemes=("https", "http"))
SHIPPING_API_TOKEN = env.read_str("SHIPPING_API_TOKEN")

CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    **celery.CELERY_BEAT_SCHEDULE,
    # Signals miss bulk writes (bulk_create, queryset.update): re-derive the counts nightly.
    "shop-products-image-count-refresh": {
        "task": "{{ cookiecutter.project_slug }}.shop.tasks.products_image_count_refresh",
        "schedule": 24 * 60 * 60,
    },
}
