"""Sending the large responses without a second pass through marshmallow.

The presenters already build each response in exactly its documented shape, so for the
responses that carry whole services (a search page, a service, a triage answer) flask-smorest's
`schema.dump` only repeated the work: it took about a fifth of a search request. These views
send the presenters' data as JSON directly. The schema still documents the response, and with
CHECK_RESPONSES on (the test suite turns it on) every such response is also dumped through its
schema and must come out the same, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from flask import Response, current_app
from marshmallow import Schema


class ResponseDrift(AssertionError):
    """A response sent directly differs from its schema's dump (a bug in a presenter)."""


def json_response(
    schema: Schema, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """`data` as the JSON response that `schema.dump(data)` would have given."""
    body = orjson.dumps(data)
    if current_app.config.get("CHECK_RESPONSES"):
        dumped = orjson.loads(orjson.dumps(schema.dump(data)))
        sent = orjson.loads(body)
        if sent != dumped:
            raise ResponseDrift(f"{type(schema).__name__}: {_first_difference(sent, dumped)}")
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _first_difference(sent: Any, dumped: Any, path: str = "") -> str:
    """Where two JSON values first differ, for the error message."""
    if isinstance(sent, dict) and isinstance(dumped, dict):
        for key in sorted(set(sent) | set(dumped)):
            if key not in dumped:
                return f"{path}/{key} is not in the schema"
            if key not in sent:
                return f"{path}/{key} is missing"
            if sent[key] != dumped[key]:
                return _first_difference(sent[key], dumped[key], f"{path}/{key}")
    if isinstance(sent, list) and isinstance(dumped, list) and len(sent) == len(dumped):
        for index, (a, b) in enumerate(zip(sent, dumped, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}/{index}")
    return f"{path or '/'}: sent {sent!r}, the schema gives {dumped!r}"
