"""Signpost: a directory of UK mental-health support with a search and triage API."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

from flask import Flask

GC_THRESHOLDS = (5_000, 10, 200)


def create_app(config: type | Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, database, API blueprints, web pages, errors, CLI, hardening."""
    from directory import api as api_package
    from directory import cli, errors, web
    from directory.config import Config
    from directory.extensions import api, cors, db, limiter
    from directory.interop.feed import register_feed
    from directory.privacy import AccessLog, keep_queries_out_of_logs
    from directory.search.index import keep_index_in_step
    from directory.security import harden

    # The widget, scripts and styles live with the pages that use them: /static/widget.js.
    app = Flask(__name__, static_folder="web/static", instance_relative_config=False)
    app.config.from_object(Config)
    if isinstance(config, Mapping):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order
    # A serving process keeps thousands of cached service records. With Python's default
    # thresholds a full collection walked all of them every few hundred searches: pauses of
    # up to 160 ms at 50,000 services, about 1 s of collecting per 600 searches. With these,
    # the longest pause measured 26 ms and the total 0.2 s (process-wide; the last app made
    # sets it).
    gc.set_threshold(*GC_THRESHOLDS)
    keep_queries_out_of_logs()
    keep_index_in_step()
    db.init_app(app)
    api.init_app(app)
    limiter.init_app(app)
    cors.init_app(app)
    api_package.register_blueprints(api)
    web.register_pages(app)
    register_feed(app)
    errors.register_error_handlers(app)
    cli.register_commands(app)
    harden(app)
    if app.config["ACCESS_LOG"]:
        app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]
    return app
