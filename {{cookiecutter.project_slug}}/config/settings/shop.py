"""The example shop's settings: the shipping-rate API it calls (shop/clients.py).

Removing the example removes this module and its import at the end of
config/settings/base.py; the shop's periodic tasks live in the shop itself
(shop/apps.py), so no infrastructure setting names it.
"""

from config import env
from config.env import Variable

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
