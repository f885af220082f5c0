"""Keep what people tell us out of logs.

There is one request log: the access log, one JSON line per request on the "signpost.access"
logger, with the method, the path (no query string, and no place: /api/v1/places/LS6 is logged
as /api/v1/places/<query>), the status, the time taken, the size of the response and a request
id (also sent back as X-Request-Id). It never has a request body, a query string, a header (so
no Authorization) or the client's address. The development server's own per-request lines are
dropped in its favour, and whatever else a server logs loses query strings and places.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask.logging import wsgi_errors_stream

ACCESS_LOGGER = "signpost.access"
REQUEST_ID_KEY = "signpost.request_id"

# "GET /api/v1/services?issue=self-harm HTTP/1.1" -> "GET /api/v1/services HTTP/1.1"
_QUERY = re.compile(r"\?[^\s\"']*")
# A place is what someone typed: "GET /api/v1/places/LS6 2AB HTTP/1.1" -> ".../<query> HTTP/1.1"
_PLACE = re.compile(r"(/api/v1/places/).*?(?=\sHTTP/|[\"']|$)", re.S)
MAX_LOGGED_PATH = 300


def redact(text: str) -> str:
    """Remove query strings and places from a request line, a path or a log message."""
    return _PLACE.sub(r"\1<query>", _QUERY.sub("", text))


class DropQueryStrings(logging.Filter):
    """Strip query strings and places from every line a server logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        return True


class DropRequestLines(logging.Filter):
    """Drop the development server's per-request lines (the access log replaces them; they
    carry the client's address) and Flask-Limiter's "limit exceeded for <address>" lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        if record.name == "werkzeug" and message.rstrip().endswith('"%s" %s %s'):
            return False
        return not (record.name == "flask-limiter" and message.startswith("ratelimit "))


def _install_filter(logger_name: str, kind: type[logging.Filter]) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def keep_queries_out_of_logs() -> None:
    """Install the filters on the servers' and the limiter's loggers (once per process)."""
    _install_filter("werkzeug", DropQueryStrings)
    _install_filter("werkzeug", DropRequestLines)
    _install_filter("flask-limiter", DropRequestLines)


def access_logger() -> logging.Logger:
    """The access log: INFO lines of JSON to the server's error stream (stderr).

    It does not propagate, so a root handler does not print each line twice; an operator
    who wants it elsewhere configures the "signpost.access" logger.
    """
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[arg-type]
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def logged_path(environ: dict[str, Any]) -> str:
    """The request's path as the access log shows it: no query string, no place."""
    path = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
    if path.startswith("/api/v1/places/"):
        path = "/api/v1/places/<query>"
    return path[:MAX_LOGGED_PATH]


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AccessLog:
    """WSGI middleware: give each request an id and log one JSON line when its response ends."""

    def __init__(self, wsgi_app: WSGIApp, logger: logging.Logger | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.logger = logger or access_logger()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        environ[REQUEST_ID_KEY] = request_id
        status: list[int] = []

        def start(status_line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status[:] = [int(status_line.split(" ", 1)[0])]
            headers.append(("X-Request-Id", request_id))
            return start_response(status_line, headers, *exc_info)

        def finish(size: int) -> None:
            line = {
                "request_id": request_id,
                "method": environ.get("REQUEST_METHOD", ""),
                "path": logged_path(environ),
                "status": status[0] if status else 500,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": size,
            }
            self.logger.info(json.dumps(line))

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            finish(0)
            raise
        return _LoggedBody(body, finish)


class _LoggedBody:
    """A response body that counts its bytes and reports once, when used up or closed."""

    def __init__(self, body: Iterable[bytes], finish: Callable[[int], None]) -> None:
        self._body = body
        self._chunks: Iterator[bytes] = iter(body)
        self._finish: Callable[[int], None] | None = finish
        self._size = 0

    def __iter__(self) -> _LoggedBody:
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._report()
            raise
        self._size += len(chunk)
        return chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._report()

    def _report(self) -> None:
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish(self._size)
