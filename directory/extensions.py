"""Extensions created once at import and wired to an app with init_app: database, API,
rate limits, CORS."""

from __future__ import annotations

import logging
import math
import re
import select
import time
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, Response, current_app, g, request
from flask_limiter import Limit, Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from limits import parse_many
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from directory.geo import Gazetteer, load_gazetteer, make_geocoder
from directory.geo.geocoder import Geocode
from directory.ratelimits import limit_name_for

_EXTENSION_KEY = "signpost.db"
CONNECT_TIMEOUT_S = 3


def engine_for(url: str) -> Engine:
    """Create an engine with the settings each backend needs."""
    # hide_parameters: a failing statement's message (which reaches the error log) and
    # SQLAlchemy's own INFO logging would otherwise carry what someone searched for.
    options: dict[str, Any] = {"future": True, "hide_parameters": True}
    # JSON columns (hours rules, lists) are read on every page of results: orjson reads them
    # several times faster than json.
    options["json_deserializer"] = orjson.loads
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or every session would see its own empty database.
            options["poolclass"] = StaticPool
        else:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    else:
        if "connect_timeout" not in url:
            # An unreachable host fails the request in seconds instead of hanging a worker.
            options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
        event.listen(engine, "checkout", _replace_if_dropped)
    return engine


def _replace_if_dropped(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the database dropped (a restart, a terminated backend) is replaced
    before a request uses it. Dropping it, the server closed the socket (and may have sent why
    first), so there is something to read on an idle connection that should have nothing: one
    poll, where SQLAlchemy's pre-ping was a round trip on every checkout (about 105 us of CPU,
    client and server; 1.2% more mixed requests/s under the load benchmark). A connection lost
    with no word from the server (a network partition) is not seen here: its request's first
    statement fails, and the pool replaces its connections (errors.handle_database_error)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise DisconnectionError("the server closed the connection or is closing it")


# PostgreSQL settings for this app's connections (SET at connect, for the session).
POSTGRES_SETTINGS = {
    # No parallel workers: the app's queries take a few milliseconds, and starting a worker
    # process costs about as much. PostgreSQL planned one for a search's candidates query (an
    # issue filter with 3,000 services at 50,000), which under load takes a core from the
    # requests waiting.
    "max_parallel_workers_per_gather": "0",
    # Random reads priced as what they are when the search tables are in memory, not as disk
    # seeks (the default, 4): with it, an issue filter in England read every search document
    # (51 ms) rather than look up the 2,600 under the issue; in process, that class of search
    # took 17.3 ms on average with this, 22.7 ms without (p95 33.5 against 70.3 ms).
    "random_page_cost": "1.1",
}


def _postgres_settings(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        for name, value in POSTGRES_SETTINGS.items():
            cursor.execute(f"SET {name} = {value}")
    dbapi_connection.commit()


MMAP_BYTES = 1 << 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers carry on while the seeder or an editor writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # 64 MB of page cache (the default is 2 MB): a 50,000-service directory's search tables
    # stay in memory, and a search's row lookups stop going to the operating system.
    cursor.execute("PRAGMA cache_size=-65536")
    # Pages the cache does not hold are read through a memory map of the file, not a read()
    # into a copy each: a 50,000-service database (480 MB) does not fit the cache, and under
    # the load benchmark a worker spent 9.7 ms of CPU per request with the map, 11.3 without.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


class Database:
    """The app's engine and a session per application context."""

    def init_app(self, app: Flask) -> None:
        engine = engine_for(app.config["SQLALCHEMY_DATABASE_URL"])
        app.extensions[_EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        bind = current_app.extensions[_EXTENSION_KEY].kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions[_EXTENSION_KEY]()
        session: Session = g.db_session
        return session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.close()
        except DBAPIError:
            # The connection died after the response was made (a database restart): ending
            # its transaction failed. Throw the connection away rather than turn an answered
            # request into a 500; the pool opens a new one for the next request.
            session.invalidate()


def gazetteer() -> Gazetteer:
    """The offline gazetteer for this app (loaded once per process and directory)."""
    return load_gazetteer(Path(current_app.config["GAZETTEER_DIR"]))


def geocoder() -> Geocode | None:
    """The online geocoder when SIGNPOST_GEOCODER names one (cached per app), else None."""
    name = current_app.config.get("GEOCODER")
    if not name:
        return None
    if "signpost.geocoder" not in current_app.extensions:
        current_app.extensions["signpost.geocoder"] = make_geocoder(
            name,
            timeout=current_app.config["GEOCODER_TIMEOUT"],
            user_agent="signpost-directory",
        )
    geocode: Geocode = current_app.extensions["signpost.geocoder"]
    return geocode


class RateLimits:
    """Flask-Limiter, counting per client address the requests directory/ratelimits.py names.

    A Limiter is made per app (Flask-Limiter keeps its storage and settings on the instance,
    and the test suite builds many apps). Counts live in memory, or in Redis when
    SIGNPOST_RATELIMIT_STORAGE_URI names one, so that several hosts share them.

    When Redis cannot be reached the limits are counted in this process's memory instead (one
    warning in the log, Redis tried again after a back-off): the service neither fails (500)
    nor refuses (503) someone looking for help because the limiter's store is down, and a
    flood is still held back per host.
    """

    # Fail fast rather than hang a request on an unreachable Redis.
    REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    def init_app(self, app: Flask) -> None:
        limits = app.config["RATE_LIMITS"]
        for name, value in limits.items():
            try:
                parse_many(value)
            except ValueError as error:
                raise ValueError(f"Rate limit {name!r} is not a limit: {value!r}") from error
        if not app.config["RATELIMIT_ENABLED"]:
            return
        uri = app.config["RATELIMIT_STORAGE_URI"]
        options = dict(self.REDIS_OPTIONS) if uri.startswith(("redis", "rediss")) else {}
        options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        limiter = Limiter(
            key_func=get_remote_address,
            default_limits=[
                Limit(
                    _limit_for_request,
                    scope=_limit_name_for_request,
                    shared=True,
                    error_message=_too_many_requests_message,
                )
            ],
            storage_uri=uri,
            storage_options=options,
            strategy="fixed-window",
            key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
            in_memory_fallback_enabled=True,
            headers_enabled=False,
        )
        limiter.init_app(app)
        app.extensions["signpost.limiter"] = limiter
        app.after_request(_add_retry_after)


def rate_limiter() -> Limiter | None:
    """This app's Flask-Limiter, or None when limits are off."""
    limiter: Limiter | None = current_app.extensions.get("signpost.limiter")
    return limiter


def _limit_name_for_request(_endpoint: str = "") -> str:
    return limit_name_for(request.method, request.path) or ""


def _limit_for_request() -> str:
    name = _limit_name_for_request()
    return current_app.config["RATE_LIMITS"][name] if name else ""


def _too_many_requests_message() -> str:
    return (
        "Too many requests from your network: please wait a moment and try again. "
        "If you need help now, call 999, or Samaritans on 116 123."
    )


def _add_retry_after(response: Response) -> Response:
    """Tell a client that hit a limit how many seconds are left in the window."""
    limiter = rate_limiter()
    current = limiter.current_limit if limiter is not None else None
    if response.status_code == 429 and current is not None and current.breached:
        try:
            seconds = math.ceil(current.window[0] - time.time())
            response.headers["Retry-After"] = str(max(1, seconds))
        except Exception:  # noqa: BLE001 - the store went away between the check and now
            logging.getLogger(__name__).warning("Rate limit store unreachable for Retry-After")
            response.headers["Retry-After"] = "60"
    return response


class Cors:
    """Let pages on any origin read and search the directory (the widget is embedded there);
    let only the origins in SIGNPOST_CORS_ORIGINS write or send an API key.

    No cookies are involved, so `*` is safe for reads, for search and triage (they answer and
    write nothing) and for the public problem report the widget sends. Every other write
    (POST, PUT, PATCH, DELETE), and any request that asks to send Authorization or If-Match,
    is answered with the caller's own origin when it is on the allow-list, and with no CORS
    headers at all otherwise, so the browser refuses it.
    """

    # The public POSTs a page on another origin may make: search and triage answer without
    # writing anything; a problem report is the widget's "this information is wrong" form.
    PUBLIC_POSTS = re.compile(r"^/api/v1/(search|triage|services/[^/]+/reports)$")
    PUBLIC_HEADERS = "Content-Type"
    EDITOR_HEADERS = "Authorization, Content-Type, If-Match"
    EDITOR_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
    # ETag for editors' If-Match; Retry-After so the widget can say when to try again.
    EXPOSED_HEADERS = "ETag, Retry-After"
    MAX_AGE = "86400"

    def init_app(self, app: Flask) -> None:
        app.after_request(self.add_headers)

    def add_headers(self, response: Response) -> Response:
        preflight = request.method == "OPTIONS"
        method = request.headers.get("Access-Control-Request-Method", "") if preflight else ""
        method = method.upper() if preflight else request.method
        asked = {
            h.strip().lower()
            for h in request.headers.get("Access-Control-Request-Headers", "").split(",")
            if h.strip()
        }
        public_post = method == "POST" and self.PUBLIC_POSTS.match(request.path)
        public = (method in ("GET", "HEAD") or public_post) and asked <= {"content-type"}
        if public:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = self.EXPOSED_HEADERS
            if preflight:
                self._preflight(response, method, self.PUBLIC_HEADERS)
            return response
        if not method:
            return response
        # The answer depends on who asks: caches must keep one per origin.
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin and origin in current_app.config["CORS_ORIGINS"]:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = self.EXPOSED_HEADERS
            if preflight:
                self._preflight(response, self.EDITOR_METHODS, self.EDITOR_HEADERS)
        return response

    def _preflight(self, response: Response, methods: str, headers: str) -> None:
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = headers
        response.headers["Access-Control-Max-Age"] = self.MAX_AGE


db = Database()
api = Api()
limiter = RateLimits()
cors = Cors()
