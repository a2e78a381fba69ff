"""Settings: ``base`` holds Django's core, one module per concern holds the rest.

Environments (``local``, ``test``, ``production``) only choose development
defaults for ``config.env`` and switch development tools on or off.
"""
