"""Rank the routes from the request log: where the server spends its time, and why.

    manage.py route_report requests.log
    kubectl logs deploy/web | manage.py route_report -

Reads the JSON lines of core/telemetry/middleware.py (DJANGO_LOG_FORMAT=json, as in
production); other lines (gunicorn's, tasks') are skipped and counted. Prints
three rankings of the routes, each method of a route on its own row (a list
and a create on one path do different work and have budgets of their own),
with request counts:

- total time (count x mean): where an optimisation saves the most server time;
- p95 latency: what the slowest twentieth of users wait;
- mean queries: the likeliest N+1s.

With read replicas, the ``replica`` column is the share of each route's queries that
replicas answered (the rest went to the primary).

Each row shows the query budget of what answers that method on that route
(core/telemetry/query_budget.py).
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

from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import (
    budget_of,
    route_views,
)


@dataclass
class RouteStats:
    method: str
    route: str
    durations_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0
    # Queries per database alias, summed: with replicas, where the reads went.
    by_alias: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method} {self.route}"

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

    @property
    def replica_share(self) -> str:
        """The share of its queries that replicas answered ("-" when none was configured)."""
        on_replicas = sum(n for alias, n in self.by_alias.items() if alias != "default")
        total = sum(self.by_alias.values())
        return f"{100 * on_replicas / total:.0f}%" if on_replicas and total else "-"


def routes_from(lines: Iterable[str]) -> tuple[dict[tuple[str, str], RouteStats], int]:
    """Stats per (method, route) from log lines, and how many lines were not request lines."""
    routes: dict[tuple[str, str], RouteStats] = {}
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
        method, route = str(record.get("method", "?")), str(record.get("route", "?"))
        stats = routes.setdefault((method, route), RouteStats(method, route))
        stats.durations_ms.append(float(record.get("duration_ms", 0)))
        stats.queries.append(int(record.get("queries", 0)))
        by_alias = record.get("queries_by_alias")
        for alias, count in by_alias.items() if isinstance(by_alias, dict) else ():
            stats.by_alias[str(alias)] = stats.by_alias.get(str(alias), 0) + int(count)
        if int(record.get("status", 0)) >= 500:
            stats.errors += 1
    return routes, skipped


def route_budgets() -> dict[tuple[str, str], int]:
    """The declared query budget per (method, route) from the URLconf; "*" for any method."""
    budgets: dict[tuple[str, str], int] = {}
    for route, methods, view in route_views(get_resolver().url_patterns):
        budget = budget_of(view)
        if budget is not None:
            budgets.update({(method, route): budget for method in methods.split(",")})
    return budgets


def budget_shown(stats: RouteStats, budgets: dict[tuple[str, str], int]) -> int:
    """The budget the middleware held these requests to."""
    declared = budgets.get((stats.method, stats.route), budgets.get(("*", stats.route)))
    return settings.QUERY_BUDGET if declared is None else declared


def table(
    title: str, ranked: list[RouteStats], budgets: dict[tuple[str, str], int], limit: int
) -> list[str]:
    header = (
        f"{'route':<56} {'requests':>8} {'5xx':>5} {'total s':>9} {'mean ms':>8} "
        f"{'p95 ms':>8} {'queries':>7} {'replica':>7} {'budget':>6}"
    )
    lines = ["", title, header]
    lines += [
        f"{stats.label[:56]:<56} {stats.count:>8} {stats.errors:>5} {stats.total_ms / 1000:>9.2f} "
        f"{stats.mean_ms:>8.1f} {stats.p95_ms:>8.1f} {stats.mean_queries:>7.1f} "
        f"{stats.replica_share:>7} {budget_shown(stats, budgets):>6}"
        for stats in ranked[:limit]
    ]
    return lines


def report(routes: dict[tuple[str, str], RouteStats], limit: int) -> list[str]:
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
                "be DJANGO_LOG_FORMAT=json output of the web server (core/telemetry/middleware.py)."
            )
        requests = sum(stats.count for stats in routes.values())
        self.stdout.write(f"{requests} requests on {len(routes)} routes ({skipped} other lines).")
        for line in report(routes, options["limit"]):
            self.stdout.write(line)
