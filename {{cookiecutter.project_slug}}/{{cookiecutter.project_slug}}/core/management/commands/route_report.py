"""Rank the routes from the request log: where the server spends its time, and why.

    manage.py route_report requests.log
    kubectl logs deploy/web | manage.py route_report -

Reads the JSON lines of core/middleware.py (DJANGO_LOG_FORMAT=json, as in
production); other lines (gunicorn's, tasks') are skipped and counted. Prints
three rankings with request counts:

- total time (count x mean): where an optimisation saves the most server time;
- p95 latency: what the slowest twentieth of users wait;
- mean queries: the likeliest N+1s.

Each row shows the route's query budget (core/query_budget.py).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import get_resolver

from {{ cookiecutter.project_slug }}.core.query_budget import budget_of, route_views


@dataclass
class RouteStats:
    route: str
    durations_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0

    @property
    def count(self) -> int:
        return len(self.durations_ms)

    @property
    def total_ms(self) -> float:
        return sum(self.durations_ms)

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.count

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.durations_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def mean_queries(self) -> float:
        return sum(self.queries) / self.count


def routes_from(lines: Iterable[str]) -> tuple[dict[str, RouteStats], int]:
    """Stats per route from log lines, and how many lines were not request lines."""
    routes: dict[str, RouteStats] = {}
    skipped = 0
    for line in lines:
        try:
            record: Any = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        if not isinstance(record, dict) or record.get("event") != "request":
            skipped += 1
            continue
        route = str(record.get("route", "?"))
        stats = routes.setdefault(route, RouteStats(route))
        stats.durations_ms.append(float(record.get("duration_ms", 0)))
        stats.queries.append(int(record.get("queries", 0)))
        if int(record.get("status", 0)) >= 500:
            stats.errors += 1
    return routes, skipped


def route_budgets() -> dict[str, int]:
    """Each route's declared query budget (the largest of its operations'), from the URLconf."""
    budgets: dict[str, int] = {}
    for route, _methods, view in route_views(get_resolver().url_patterns):
        budget = budget_of(view)
        if budget is not None:
            budgets[route] = max(budget, budgets.get(route, 0))
    return budgets


def table(title: str, ranked: list[RouteStats], budgets: dict[str, int], limit: int) -> list[str]:
    header = (
        f"{'route':<48} {'requests':>8} {'5xx':>5} {'total s':>9} {'mean ms':>8} "
        f"{'p95 ms':>8} {'queries':>7} {'budget':>6}"
    )
    lines = ["", title, header]
    lines += [
        f"{stats.route[:48]:<48} {stats.count:>8} {stats.errors:>5} {stats.total_ms / 1000:>9.2f} "
        f"{stats.mean_ms:>8.1f} {stats.p95_ms:>8.1f} {stats.mean_queries:>7.1f} "
        f"{budgets.get(stats.route, settings.QUERY_BUDGET):>6}"
        for stats in ranked[:limit]
    ]
    return lines


def report(routes: dict[str, RouteStats], limit: int) -> list[str]:
    every = list(routes.values())
    budgets = route_budgets()
    return [
        *table(
            "By total time (count x mean)", sorted(every, key=lambda s: -s.total_ms), budgets, limit
        ),
        *table("By p95 latency", sorted(every, key=lambda s: -s.p95_ms), budgets, limit),
        *table("By mean queries", sorted(every, key=lambda s: -s.mean_queries), budgets, limit),
    ]


class Command(BaseCommand):
    help = "Rank the routes of a JSON request log by total time, p95 latency and queries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("log", help="A request log file, or - for standard input.")
        parser.add_argument("--limit", type=int, default=15, help="Routes per ranking.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["log"] == "-":
            routes, skipped = routes_from(sys.stdin)
        else:
            try:
                log: TextIO
                with open(options["log"], encoding="utf-8", errors="replace") as log:  # noqa: PTH123
                    routes, skipped = routes_from(log)
            except OSError as error:
                raise CommandError(f"Cannot read the log {options['log']!r}: {error}") from error
        if not routes:
            raise CommandError(
                f"No request lines in {options['log']!r} ({skipped} other lines). The log must "
                "be DJANGO_LOG_FORMAT=json output of the web server (core/middleware.py)."
            )
        requests = sum(stats.count for stats in routes.values())
        self.stdout.write(f"{requests} requests on {len(routes)} routes ({skipped} other lines).")
        for line in report(routes, options["limit"]):
            self.stdout.write(line)
