"""Request logs never carry what someone searched for."""

from __future__ import annotations

import json
import logging
import socket
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from directory.privacy import ACCESS_LOGGER, DropQueryStrings, redact


def test_request_line_loses_its_query_string():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s %s',
        (
            "127.0.0.1",
            "26/Nov/2026",
            "GET /api/v1/services?issue=self-harm&age=15 HTTP/1.1",
            "200",
            "-",
        ),
        None,
    )
    DropQueryStrings().filter(record)
    line = record.getMessage()
    assert "self-harm" not in line
    assert "GET /api/v1/services HTTP/1.1" in line


def test_the_app_installs_the_filter(seeded_app):
    filters = logging.getLogger("werkzeug").filters
    assert any(isinstance(f, DropQueryStrings) for f in filters)


def test_a_failing_search_logs_neither_body_nor_query(seeded_app, monkeypatch, caplog):
    from directory.api import search

    def explode(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(search, "search_services", explode)
    seeded_app.testing = False  # the production error handler, which logs the failure
    caplog.set_level(logging.DEBUG)
    try:
        client = seeded_app.test_client()
        posted = client.post("/api/v1/search", json={"q": "self-harm tonight", "near": "LS6"})
        got = client.get("/api/v1/search?q=self-harm+tonight")
    finally:
        seeded_app.testing = True
    assert posted.status_code == got.status_code == 500
    assert "database fell over" in caplog.text  # the failure itself is logged...
    assert "self-harm" not in caplog.text  # ...but never what the person typed
    assert "LS6" not in caplog.text


# --- The access log, and nothing people tell us in any log -------------------------------

ACCESS_FIELDS = {"request_id", "method", "path", "status", "duration_ms", "bytes"}


class Capture(logging.Handler):
    """Every record from every logger, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(self.format(record) for record in self.records)

    def access_lines(self) -> list[dict]:
        return [json.loads(r.getMessage()) for r in self.records if r.name == ACCESS_LOGGER]


@pytest.fixture
def all_logs() -> Iterator[Capture]:
    """Every logger at DEBUG (SQLAlchemy's SQL log included), captured at the root and on
    each logger that does not propagate."""
    capture = Capture()
    for name in (ACCESS_LOGGER, "werkzeug", "flask-limiter", "sqlalchemy.engine.Engine"):
        logging.getLogger(name)
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    hooked = [logger for logger in loggers if logger is loggers[0] or not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in hooked:
        logger.addHandler(capture)
    yield capture
    for logger in hooked:
        logger.removeHandler(capture)
    for logger, level in levels.items():
        logger.setLevel(level)


def test_one_json_access_line_per_request_without_the_query(client, all_logs):
    response = client.get("/api/v1/services?issue=self-harm&age=15")
    body = response.get_data()
    [line] = all_logs.access_lines()
    assert set(line) == ACCESS_FIELDS
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/services"
    assert line["status"] == 200
    assert line["bytes"] == len(body)
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert "self-harm" not in json.dumps(line)


def test_a_place_in_the_path_is_not_logged(client, all_logs):
    client.get("/api/v1/places/LS6 2AB").get_data()
    client.get("/api/v1/places/Zqxtown").get_data()
    assert [line["path"] for line in all_logs.access_lines()] == ["/api/v1/places/<query>"] * 2
    assert "LS6" not in all_logs.text
    assert "Zqxtown" not in all_logs.text


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ('"GET /find?q=self-harm HTTP/1.1" 200 -', '"GET /find HTTP/1.1" 200 -'),
        ('"GET /api/v1/places/LS6 2AB HTTP/1.1" 200', '"GET /api/v1/places/<query> HTTP/1.1" 200'),
        (
            "Bad request syntax ('GET /api/v1/places/Leeds?x=1')",
            ("Bad request syntax ('GET /api/v1/places/<query>')"),
        ),
        ("/api/v1/places/53.8,-1.5", "/api/v1/places/<query>"),
    ],
)
def test_redact(line, shown):
    assert redact(line) == shown


# Distinctive words someone might type, each of which must never reach a log.
MARKERS = {
    "get_q": "zqxgetwords",
    "post_q": "zqxpostwords",
    "free_text": "zqxfreetext",
    "find_q": "zqxfindpage",
    # Places as "lat,lon": postcodes like LS6 are in the directory's own data, which
    # SQLAlchemy's DEBUG log prints row by row.
    "near": "53.81234,-1.55671",
    "place": "55.95123,-3.18765",
    "secret": "zqxsecretkey",
    "bad_line": "zqxbadline",
}


class LiveServer:
    """The app on the real development server (werkzeug), which logs through "werkzeug"."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _send(url: str, body: dict | None = None, method: str | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - local
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {MARKERS['secret']}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def test_search_and_triage_inputs_never_reach_any_log(seeded_app, all_logs):
    server = LiveServer(seeded_app)
    try:
        base = server.url
        statuses = [
            _send(f"{base}/api/v1/search?q={MARKERS['get_q']}&near={MARKERS['near']}&age=47"),
            _send(
                f"{base}/api/v1/search",
                {"q": MARKERS["post_q"], "near": MARKERS["near"], "age": 47},
            ),
            _send(
                f"{base}/api/v1/triage",
                {
                    "answers": {
                        "immediate_danger": "no",
                        "suicidal_thoughts": "sometimes",
                        "age": 47,
                        "place": MARKERS["place"],
                        "free_text": f"{MARKERS['free_text']} I feel awful",
                    }
                },
            ),
            # Bad input: each 422 names the field, but never logs what was sent.
            _send(f"{base}/api/v1/search", {"q": MARKERS["post_q"], "near": "Zqxnowhere"}),
            _send(f"{base}/api/v1/triage", {"answers": {"free_text": MARKERS["free_text"]}}),
            _send(f"{base}/api/v1/places/{MARKERS['near']}"),
            _send(f"{base}/find?q={MARKERS['find_q']}&near={MARKERS['near']}&age=47"),
            _send(f"{base}/hsds/services?search={MARKERS['get_q']}&postcode=LS6+2AB"),
        ]
        # A request line the server cannot parse: werkzeug logs it as an error.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(f"GET /find?q={MARKERS['bad_line']} HTTP/9.9\r\n\r\n".encode())
            raw.recv(4096)
    finally:
        server.stop()
    assert statuses == [200, 200, 200, 422, 422, 200, 200, 200]
    # The capture works: every request has its access line, and werkzeug's error was seen.
    lines = all_logs.access_lines()
    assert len(lines) >= len(statuses)
    assert {line["path"] for line in lines} >= {"/api/v1/search", "/api/v1/triage", "/find"}
    assert any(r.name == "werkzeug" and r.levelno >= logging.ERROR for r in all_logs.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in all_logs.records)
    text = all_logs.text
    for name, marker in MARKERS.items():
        for part in marker.split(","):
            assert part not in text, name
    for word in ("LS6+2AB", "Zqxnowhere", "I feel awful", "Bearer", "age=47", '"age"'):
        assert word not in text, word
    # The development server's own request lines are replaced by the access log.
    assert not any(r.name == "werkzeug" and "HTTP/1.1" in r.getMessage() for r in all_logs.records)


def test_a_database_error_logs_no_search_parameters(monkeypatch, all_logs):
    from sqlalchemy import text as sql

    from directory import create_app
    from directory.api import search
    from directory.config import TestConfig
    from directory.extensions import db

    typed = "zqx" + "bound"  # (spelt apart, or a traceback's source line would show it)

    def broken_query(session, request, *args):
        # A real failing statement that carries what was searched for as a bound parameter.
        db.session.execute(sql("SELECT * FROM no_such_table WHERE q = :q"), {"q": request.q})

    monkeypatch.setattr(search, "search_services", broken_query)
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "TESTING": False})  # the production error handler
    response = app.test_client().post("/api/v1/search", json={"q": typed})
    assert response.status_code == 500
    assert "no_such_table" in all_logs.text  # the failure is logged...
    assert typed not in all_logs.text  # ...without the parameters
    assert f"(request {response.headers['X-Request-Id']})" in all_logs.text  # ...and its id
