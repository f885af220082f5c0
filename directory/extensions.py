"""Extensions created once at import and wired to an app with init_app: database, API, CORS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_smorest import Api
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from directory.geo import Gazetteer, load_gazetteer, make_geocoder
from directory.geo.geocoder import Geocode

_EXTENSION_KEY = "signpost.db"


def engine_for(url: str) -> Engine:
    """Create an engine with the settings each backend needs."""
    options: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or every session would see its own empty database.
            options["poolclass"] = StaticPool
        else:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    else:
        options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers carry on while the seeder or an editor writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # 64 MB of page cache (the default is 2 MB): a 50,000-service directory's search tables
    # stay in memory, and a search's row lookups stop going to the operating system.
    cursor.execute("PRAGMA cache_size=-65536")
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
        if session is not None:
            session.close()


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


class Cors:
    """Let pages on any origin read and search the directory (the widget is embedded there).

    No credentials are involved, so `*` is safe for reads, for search and triage (they answer
    and write nothing) and for the public problem report the widget sends. Other writes are
    left out: they will get an allow-list of origins.
    """

    # The public POSTs a page on another origin may make: search and triage answer without
    # writing anything; a problem report is the widget's "this information is wrong" form.
    PUBLIC_POSTS = re.compile(r"^/api/v1/(search|triage|services/[^/]+/reports)$")
    MAX_AGE = "86400"

    def init_app(self, app: Flask) -> None:
        app.after_request(self.add_headers)

    def add_headers(self, response: Response) -> Response:
        method = request.method
        if method == "OPTIONS":
            method = request.headers.get("Access-Control-Request-Method", "")
        if method in ("GET", "HEAD") or (
            method == "POST" and self.PUBLIC_POSTS.match(request.path)
        ):
            response.headers["Access-Control-Allow-Origin"] = "*"
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = method
                response.headers["Access-Control-Allow-Headers"] = "Content-Type"
                response.headers["Access-Control-Max-Age"] = self.MAX_AGE
        return response


db = Database()
api = Api()
cors = Cors()
