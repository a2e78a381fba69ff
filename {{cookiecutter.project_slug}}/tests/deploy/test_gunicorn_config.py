"""deploy/gunicorn_config.py as gunicorn loads it: each worker's request limit is drawn apart.

gunicorn gives every worker it starts a limit of ``max_requests`` plus a random
draw up to ``max_requests_jitter``; without the jitter, workers started
together are replaced together. The configuration is loaded by gunicorn's own
application class in a child process (the file sets process-wide variables),
and workers are made there the way the master makes them. The booted server's
recycling is proven in tests/test_production_server.py.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.support.processes import python_child

WORKERS = 50

DRAW_LIMITS = f"""
import json, sys
sys.argv = ["gunicorn", "-c", "deploy/gunicorn_config.py", "config.wsgi:application"]
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.workers.base import Worker
config = WSGIApplication().cfg
limits = []
for age in range({WORKERS}):
    worker = Worker(age, 0, [], None, config.timeout, config, None)
    limits.append(worker.max_requests)
    worker.tmp.close()
print(json.dumps(limits))
"""


@pytest.mark.processes
def test_workers_get_limits_spread_over_a_tenth_above_web_max_requests() -> None:
    child = python_child(
        DRAW_LIMITS,
        env={"PATH": os.environ["PATH"], "WEB_MAX_REQUESTS": "1000"},
        setup=False,
    )
    assert child.returncode == 0, child.stderr
    limits = json.loads(child.stdout.splitlines()[-1])
    assert all(1000 <= limit <= 1100 for limit in limits), limits
    # 50 draws from 101 values: all alike only by a chance of 101**-49.
    assert len(set(limits)) > 1, "every worker got the same limit: no jitter"
