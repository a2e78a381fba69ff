"""How this process serves: "wsgi", "asgi" or "celery" once started, "" in commands and tests.

Why: some settings are safe for one kind of process and an outage for
another (persistent connections under ASGI, a worker's metrics without the
shared directory, a worker whose SIGTERM waits for its tasks). config/startup.py
sets the interface once, as a server or worker process starts, before it runs
the system checks that read it.
"""

INTERFACE = ""


def interface_set(interface: str) -> None:
    """Record how this process serves; config/startup.py calls it once, at start."""
    global INTERFACE  # noqa: PLW0603 (one value per process, set once at start)
    INTERFACE = interface
