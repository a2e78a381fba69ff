"""Static files: collected once with hashed names, served by WhiteNoise from the app server.

Why WhiteNoise: the admin's CSS and JavaScript must come from somewhere in
production, and a separate file server is one more thing to deploy. WhiteNoise
serves what ``collectstatic`` wrote (the image runs it at build), compressed,
and with far-future cache headers for hashed names, which never change.
"""

from config import env
from config.env import BASE_DIR, Variable

env.declare(
    {
        "DJANGO_STATIC_ROOT": Variable(
            "a directory path",
            "Where collectstatic writes the static files and WhiteNoise serves them from.",
            str(BASE_DIR / "staticfiles"),
        ),
    }
)

STATIC_URL = "static/"
STATIC_ROOT = env.read_str("DJANGO_STATIC_ROOT", min_length=1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (admin/css/base.1a2b3c.css) and gzip/brotli copies, from a manifest.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
