"""The service plus a loop-blocking twin of an async view, served only by benchmarks.async_views.

The twin is a counter-example: it lives here, never in the shop's routes.
"""
