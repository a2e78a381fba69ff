"""The HTTP API (config/api.py): its prefix, page sizes, input bounds, write rate, docs page,
and how long a shared cache (a CDN, a proxy) may keep its public reads.

Why settings: a page size or a body bound is a decision per deployment, and
every list and every parser reads the same numbers.
"""

import re

from config import env
from config.env import Variable

env.declare(
    {
        "API_PAGE_SIZE": Variable(
            "a whole number, at least 1",
            "Items on a list page when the client asks for none.",
            "50",
        ),
        "API_PAGE_SIZE_MAX": Variable(
            "a whole number, at least API_PAGE_SIZE",
            "The most items a client may ask for on one page (?limit=).",
            "100",
        ),
        "API_WRITE_RATE": Variable(
            "requests/period, e.g. 30/m (s, m, h or d)",
            "Writes one user may make, counted across every process in the shared cache.",
            "30/m",
        ),
        "API_CACHE_MAX_AGE": Variable(
            "whole seconds, 0 to have every use revalidated",
            "How long a shared cache or browser may serve a public read (the catalog) without "
            "asking; each revalidation is a 304 that runs no query (core/api/caching.py).",
            "10",
        ),
        "API_CACHE_STALE_WHILE_REVALIDATE": Variable(
            "whole seconds, 0 for none",
            "How long past API_CACHE_MAX_AGE a shared cache may still serve a public read "
            "while it revalidates it in the background.",
            "30",
        ),
        "DJANGO_API_DOCS": Variable(
            "true or false",
            "Serve the interactive docs page at /api/v1/docs (the schema is always served).",
            "false",
        ),
    }
)

API_PREFIX = "/api/"
API_PAGE_SIZE = env.read_int("API_PAGE_SIZE", minimum=1)
API_PAGE_SIZE_MAX = env.read_int("API_PAGE_SIZE_MAX", minimum=API_PAGE_SIZE)
API_WRITE_RATE = env.read_str("API_WRITE_RATE")
if not re.fullmatch(r"\d+/\d*(s|sec|m|min|h|hour|d|day)", API_WRITE_RATE):
    env.refuse("API_WRITE_RATE", API_WRITE_RATE)
    API_WRITE_RATE = "30/m"
API_DOCS = env.read_bool("DJANGO_API_DOCS")
# Cache-Control of the public reads that opt in (core/api/caching.py); everything
# authenticated or written says "private, no-store".
API_CACHE_MAX_AGE = env.read_int("API_CACHE_MAX_AGE", minimum=0)
API_CACHE_STALE_WHILE_REVALIDATE = env.read_int("API_CACHE_STALE_WHILE_REVALIDATE", minimum=0)
# Bounds on any JSON body, checked before a schema sees it (core/api/parser.py).
API_MAX_BODY_BYTES = 64 * 1024
API_MAX_JSON_DEPTH = 32
