#!/usr/bin/env python
"""Django's command-line utility; local settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings, which check every variable)
    except ImproperlyConfigured as error:
        # Django's command line would go on without the settings and fail later, the
        # variable unnamed: "Unknown command: 'release'" or AppRegistryNotReady.
        sys.exit(f"{error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
