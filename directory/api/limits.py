"""How a rate-limited operation documents its 429 (directory/ratelimits.py says which are).

The refusal is the one error shape plus the safety block: someone told to slow down may be in
crisis (directory/errors.py). Without this the document promised the bare error shape, which
forbids the extra field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from directory.api.schemas import SafetySchema

RETRY_AFTER_HEADER = {
    "description": "Seconds until the limit's window resets",
    "schema": {"type": "integer"},
}


class RateLimitedSchema(Schema):
    code = fields.Integer(required=True, metadata={"description": "429"})
    status = fields.String(required=True)
    message = fields.String()
    safety = fields.Nested(SafetySchema, required=True)


def rate_limited(blp: Blueprint) -> Callable[..., Any]:
    """Document the 429 a rate-limited view can answer, with Retry-After and the safety block."""
    return blp.alt_response(
        429,
        schema=RateLimitedSchema,
        description="Too many requests from this address: slow down (urgent routes included)",
        headers={"Retry-After": RETRY_AFTER_HEADER},
    )
