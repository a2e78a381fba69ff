"""make loadtest: locust against the production server on 127.0.0.1, then the route ranking.

gunicorn with the shipped configuration (2 workers), production settings and
the JSON request log, on a database of this run's own seeded with a catalog and
an API key; the orders' tasks go to a queue of the run's own, never the one
`make worker` reads, and the database, queue and cache keys are removed at the
end (benchmarks/load.py, benchmark_run). locust runs headless for LOADTEST_SECONDS (default 20) with
LOADTEST_USERS users (default 10), the users of benchmarks/locustfile.py.
Everything lands in reports/loadtest/ (git-ignored):

- report.html, stats_stats.csv ...: locust's report and CSV statistics;
- server.log: the server's output, one JSON line per request;
- metrics.txt: a scrape of the metrics port after the run;
- routes.txt: ``manage.py route_report`` over server.log.

Bounded: the run by its seconds (and locust's own stop timeout), every child
process by a timeout; the server is stopped whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from benchmarks.load import benchmark_run, shell

from config.env import BASE_DIR

from tests.support.servers import production_server, scrape_metrics

REPORTS = BASE_DIR / "reports" / "loadtest"
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "20"))
USERS = int(os.environ.get("LOADTEST_USERS", "10"))
PRODUCTS = 200

SEED = """
import os

from {{ cookiecutter.project_slug }}.shop.demo_data import analyze_catalog, generate_catalog
from {{ cookiecutter.project_slug }}.shop.models import Product
from {{ cookiecutter.project_slug }}.users.keys import api_key_issue
from {{ cookiecutter.project_slug }}.users.models import User

catalog = generate_catalog(products=int(os.environ["LOADTEST_PRODUCT_COUNT"]))
Product.objects.filter(pk__in=catalog.product_ids).update(stock=1_000_000)
analyze_catalog()
user, _ = User.objects.get_or_create(username="loadtest")
ids = catalog.product_ids
print(api_key_issue(user=user, name="make loadtest").key, min(ids), max(ids))
"""


def main() -> None:
    with benchmark_run(
        DJANGO_LOG_LEVEL="INFO",
        DJANGO_LOG_FORMAT="json",
        API_WRITE_RATE="1000000/m",  # the load is one client: no throttling here
    ) as env:
        load(env)


def load(env: dict[str, str]) -> None:
    key, first, last = shell({**env, "LOADTEST_PRODUCT_COUNT": str(PRODUCTS)}, SEED).split()
    shutil.rmtree(REPORTS, ignore_errors=True)
    REPORTS.mkdir(parents=True)
    log = REPORTS / "server.log"
    print(f"locust: {USERS} users for {SECONDS} s on gunicorn (2 workers), {PRODUCTS} products")
    with production_server(env, log=log, workers=2) as server:
        locust = [
            *(sys.executable, "-m", "locust", "-f", "benchmarks/locustfile.py", "--headless"),
            *("--host", server.url, "--users", str(USERS), "--spawn-rate", str(USERS)),
            *("--run-time", f"{SECONDS}s", "--stop-timeout", "5", "--only-summary"),
            *("--html", str(REPORTS / "report.html"), "--csv", str(REPORTS / "stats")),
        ]
        subprocess.run(
            locust,
            cwd=BASE_DIR,
            env={**env, "LOADTEST_API_KEY": key, "LOADTEST_PRODUCTS": f"{first}-{last}"},
            check=False,  # locust exits 1 when a request failed: the report says which
            timeout=SECONDS + 60,
        )
        (REPORTS / "metrics.txt").write_text(scrape_metrics(server))
    shutil.rmtree(REPORTS / "metrics")  # the workers' metric files (deploy/gunicorn_config.py)
    ranking = subprocess.run(
        [sys.executable, "manage.py", "route_report", str(log)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    (REPORTS / "routes.txt").write_text(ranking)
    print(ranking)
    print(f"Reports in {REPORTS.relative_to(BASE_DIR)}/: report.html, stats_*.csv, metrics.txt")


if __name__ == "__main__":
    main()
