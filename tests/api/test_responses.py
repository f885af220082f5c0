"""Responses sent without marshmallow must equal their schema's dump (api/responses.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import orjson
import pytest
from flask import Flask
from marshmallow import Schema, fields

from directory.api.responses import ResponseDrift, json_response
from directory.config import TestConfig


class ExampleSchema(Schema):
    name = fields.String(required=True)
    checked = fields.Date(allow_none=True)
    opens = fields.DateTime(allow_none=True)
    km = fields.Float(allow_none=True)


def _app(check: bool) -> Flask:
    app = Flask(__name__)
    app.config["CHECK_RESPONSES"] = check
    return app


def test_the_suite_checks_every_direct_response():
    assert TestConfig.CHECK_RESPONSES is True


def test_dates_and_times_are_sent_as_the_schema_writes_them():
    opens = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    data = {"name": "Line", "checked": date(2026, 11, 1), "opens": opens, "km": 1.5}
    with _app(check=True).app_context():
        response = json_response(ExampleSchema(), data, headers={"ETag": '"v1"'})
    assert orjson.loads(response.get_data()) == ExampleSchema().dump(data)
    assert response.headers["ETag"] == '"v1"'
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Line", "secret": "not in the schema"},  # a field the schema would drop
        {"name": "Line", "km": "1.5"},  # a string where the schema sends a number
    ],
)
def test_a_response_that_differs_from_its_dump_fails_loudly(data):
    with _app(check=True).app_context(), pytest.raises(ResponseDrift):
        json_response(ExampleSchema(), data)


def test_without_the_check_the_data_is_sent_as_it_is():
    with _app(check=False).app_context():
        response = json_response(ExampleSchema(), {"name": "Line", "extra": 1})
    assert orjson.loads(response.get_data()) == {"name": "Line", "extra": 1}
