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
