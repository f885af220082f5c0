"""Which requests are rate limited, and by which of the configured limits.

Only the public endpoints that cost work or take what someone typed are limited; everything
else (reads of listings, the feed, /health and /ready) never is. Each entry maps the methods and
path of a request to the name of a limit in ``app.config["RATE_LIMITS"]`` (set from
SIGNPOST_RATELIMIT_SEARCH, _TRIAGE, _PLACES, _REPORTS). Requests that share a name share one
budget per client address: a search through the API or the receptionist's page counts once.
To limit another endpoint, add one line here (and a number to config.py for a new name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LimitedRoute:
    """Requests with one of these methods whose path matches `path` count against `limit`."""

    methods: frozenset[str]
    path: re.Pattern[str]
    limit: str


def _route(methods: str, path: str, limit: str) -> LimitedRoute:
    return LimitedRoute(frozenset(methods.split()), re.compile(path), limit)


LIMITED_ROUTES: tuple[LimitedRoute, ...] = (
    _route("GET HEAD POST", r"/api/v1/search", "search"),
    # The receptionist's page runs the same search when its form is filled in.
    _route("GET HEAD", r"/|/find", "search"),
    _route("POST", r"/api/v1/triage", "triage"),
    _route("GET HEAD", r"/api/v1/places/.+", "places"),
    _route("POST", r"/api/v1/services/[^/]+/reports", "reports"),
)


def limit_name_for(method: str, path: str) -> str | None:
    """The name of the limit a request counts against, or None when it is not limited."""
    for route in LIMITED_ROUTES:
        if method in route.methods and route.path.fullmatch(path):
            return route.limit
    return None
