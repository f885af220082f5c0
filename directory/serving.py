"""`signpost serve`: the app under gunicorn, with settings chosen for this service."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# Sync workers answer one request each at a time, and the work here is mostly Python on the
# CPU (ranking, hours, the triage rules) with short database reads, so workers beyond about
# two per core add memory and database connections, not throughput. gunicorn's usual
# 2 * cores + 1 keeps one worker busy while another waits on PostgreSQL or the geocoder; the
# cap keeps a big host from opening more connections than a small PostgreSQL allows.
MAX_DEFAULT_WORKERS = 8
# A search or triage takes milliseconds; a worker silent for this long is stuck, and is killed.
TIMEOUT_S = 30
# On SIGTERM, requests in flight get this long to finish before their workers are killed:
# less than the 30 s most process managers and orchestrators wait before SIGKILL.
GRACEFUL_TIMEOUT_S = 20


def default_workers(cores: int | None = None) -> int:
    """2 * cores + 1 sync workers, at most MAX_DEFAULT_WORKERS."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int | None = None

    def gunicorn_settings(self) -> dict[str, Any]:
        """gunicorn's settings for these options."""
        return {
            "bind": f"{self.host}:{self.port}",
            "workers": self.workers or default_workers(),
            "worker_class": "sync",
            "timeout": TIMEOUT_S,
            "graceful_timeout": GRACEFUL_TIMEOUT_S,
            # Our own JSON access log (directory/privacy.py) records the path without its query
            # string; gunicorn's would record the query string, which can carry what someone
            # searched for.
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            # Each worker builds its own app, so no database connection crosses a fork.
            "preload_app": False,
            # Several servers may run on one host (and the tests start two): no shared socket.
            "control_socket_disable": True,
            "proc_name": "signpost",
        }


class SignpostServer(BaseApplication):  # type: ignore[misc]
    """gunicorn running `directory.create_app()` in each worker."""

    def __init__(self, options: ServeOptions):
        self.options = options
        super().__init__()

    def init(self, parser: Any, opts: Any, args: Any) -> None:  # pragma: no cover - unused
        return None

    def load_config(self) -> None:
        for key, value in self.options.gunicorn_settings().items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from directory import create_app

        return create_app()


def serve(options: ServeOptions) -> None:
    """Run gunicorn in the foreground until it is told to stop (SIGTERM or SIGINT)."""
    SignpostServer(options).run()
