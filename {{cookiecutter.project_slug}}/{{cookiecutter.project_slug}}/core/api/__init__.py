"""The HTTP API's shared parts: one error shape, bounded input, keyset pages, write throttling.

Configured by config/settings/api.py; the NinjaAPI instance is config/api.py.
"""
