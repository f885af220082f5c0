"""Request logs never carry what someone searched for."""

from __future__ import annotations

import logging

from directory.privacy import DropQueryStrings


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
