"""The Open Referral `Page` envelope that every list endpoint returns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from marshmallow import Schema, fields, validate

MAX_PER_PAGE = 100


class PageQueryArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_envelope(contents: Sequence[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    """Wrap one page of results with the counts a client needs to walk the rest."""
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": len(contents) == 0,
        "contents": list(contents),
    }


_page_schemas: dict[str, type[Schema]] = {}


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """Return (once per item schema) the Page envelope schema holding that item."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = Schema.from_dict(
            {
                "total_items": fields.Integer(required=True),
                "total_pages": fields.Integer(required=True),
                "page_number": fields.Integer(required=True),
                "size": fields.Integer(required=True),
                "first_page": fields.Boolean(required=True),
                "last_page": fields.Boolean(required=True),
                "empty": fields.Boolean(required=True),
                "contents": fields.List(fields.Nested(item_schema), required=True),
            },
            name=name,
        )
    return _page_schemas[name]
