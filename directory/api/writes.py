"""What every editor's write view shares: one transaction with its audit event, ETags, and a
JSON body for PATCH."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from directory.api.auth import etag_of
from directory.errors import Conflict, InvalidInput, PreconditionFailed
from directory.extensions import db

UNPROCESSABLE = "UNPROCESSABLE_ENTITY"


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit the block's writes together, or none of them.

    Two editors who passed the If-Match check at the same moment are told apart here: the
    version column makes the second UPDATE match no row, which is a 412 like any stale ETag.
    """
    try:
        yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise PreconditionFailed() from None
    except IntegrityError:
        db.session.rollback()
        raise Conflict("The change conflicts with another record.") from None
    except BaseException:
        db.session.rollback()
        raise


def etag_headers(version: int) -> dict[str, str]:
    """The ETag header of a record at this version."""
    return {"ETag": f'"{etag_of(version)}"'}


def patch_body() -> dict[str, Any]:
    """The JSON object a PATCH sends (422 for anything else)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.", errors={"json": ["Send a JSON object."]})
    return data


def patch_doc(schema: type, what: str) -> dict[str, Any]:
    """OpenAPI requestBody of a PATCH: any of the fields of `schema`."""
    return {
        "requestBody": {
            "required": True,
            "description": f"Any of the {what}'s fields; the rest keep their values. The result "
            "must pass the same rules as a new record.",
            "content": {"application/json": {"schema": schema}},
        }
    }
