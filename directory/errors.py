"""The one JSON error shape for every endpoint, and the domain errors that map to it.

Every error is ``{"code": 422, "status": "Unprocessable Entity", "message": "...",
"errors": {...}}``; ``errors`` appears when fields are at fault and names each one.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from directory.privacy import REQUEST_ID_KEY
from directory.safety import safety_block_dict

log = logging.getLogger(__name__)


T = TypeVar("T")


class DirectoryError(Exception):
    """A failure the client can act on, reported with an HTTP status."""

    code = 400
    message = "Bad request"

    def __init__(self, message: str | None = None, errors: dict[str, Any] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors

    @property
    def headers(self) -> dict[str, str]:
        """Response headers the error needs (e.g. WWW-Authenticate on a 401)."""
        return {}


class NotFound(DirectoryError):
    code = 404
    message = "Not found"


def found_or_404(found: T | None, noun: str, entity_id: str) -> T:
    """The thing looked up, or a 404 that names what was not found."""
    if found is None:
        raise NotFound(f"No {noun} with id {entity_id!r}.")
    return found


class Unauthenticated(DirectoryError):
    """No API key, or one that is unknown or revoked."""

    code = 401
    message = "Send a valid API key: Authorization: Bearer <secret>."

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="signpost"'}


class Forbidden(DirectoryError):
    """A valid API key without the scope the request needs."""

    code = 403
    message = "This API key does not have the scope this request needs."


class Conflict(DirectoryError):
    code = 409
    message = "Conflict"


class PreconditionFailed(DirectoryError):
    """If-Match names a version that is no longer current: someone else changed it."""

    code = 412
    message = "The record has changed since you read it: fetch it again and reapply your edit."


class PreconditionRequired(DirectoryError):
    """A write without If-Match: it could overwrite someone else's edit unseen."""

    code = 428
    message = "Send If-Match with the ETag of the version you are changing."


class InvalidInput(DirectoryError):
    code = 422
    message = "Invalid input"

    def __init__(self, message: str | None = None, errors: dict[str, Any] | None = None):
        super().__init__(message or invalid_fields_message(errors), errors)


def invalid_fields_message(errors: Any) -> str:
    """A message that names the bad fields: "Invalid age, nation"."""
    if isinstance(errors, dict) and errors:
        return "Invalid " + ", ".join(sorted(map(str, errors)))
    return "Invalid input"


def unknown_place(field: str, query: str, suggestions: tuple[str, ...]) -> InvalidInput:
    """A 422 for a place we cannot find, naming the field and suggesting close matches."""
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    return InvalidInput(errors={field: [f"Unknown place {query!r}.{hint}"]})


class SeedError(Exception):
    """A seed file is invalid; the message names the file, the entry and the field."""


def error_payload(code: int, message: str | None, errors: Any = None) -> dict[str, Any]:
    """Build the body of an error response."""
    payload: dict[str, Any] = {"code": code, "status": HTTPStatus(code).phrase}
    if message:
        payload["message"] = message
    if errors:
        payload["errors"] = errors
    return payload


def _json_error(code: int, message: str | None, errors: Any = None) -> Response:
    response = jsonify(error_payload(code, message, errors))
    response.status_code = code
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """Render any HTTP error (including webargs' 422) in the one shape, keeping its headers."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"query", "json", "path", "headers"}:
        # webargs nests field errors under the location; one level is enough for clients. A
        # body that is not JSON at all comes as {"json": ["Invalid JSON body."]}: keep that.
        errors = {
            k: v
            for location, found in errors.items()
            for k, v in (found.items() if isinstance(found, dict) else [(location, found)])
        }
    message = data.get("message") or error.description
    if error.code == 422 and not data.get("message"):
        message = invalid_fields_message(errors)
    payload = error_payload(error.code or 500, message, errors)
    if error.code == 429:
        # Someone told to slow down may be in crisis: the urgent routes come with the refusal.
        payload["safety"] = safety_block_dict(None)
    response = jsonify(payload)
    response.status_code = error.code or 500
    # Keep Allow on 405 (flask-smorest's own handler drops it); never echo the request.
    if isinstance(error, MethodNotAllowed):
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def handle_directory_error(error: DirectoryError) -> Response:
    """Render a domain error in the one shape."""
    response = _json_error(error.code, error.message, error.errors)
    response.headers.update(error.headers)
    return response


def handle_unexpected_error(error: Exception) -> Response:
    """Log the failure without the request body, answer a plain 500."""
    request_id = request.environ.get(REQUEST_ID_KEY, "-")
    log.error("Unhandled %s (request %s)", type(error).__name__, request_id, exc_info=error)
    return _json_error(500, InternalServerError.description)


# How long a client told the database is unreachable should wait before trying again.
DATABASE_RETRY_AFTER_S = 5


def database_is_unavailable(error: DBAPIError) -> bool:
    """Whether the database could not be reached or used just now, rather than refused SQL.

    SQLite reports a missing table as an OperationalError too: that is a bug (a 500), not an
    outage.
    """
    if error.connection_invalidated or error.statement is None:
        return True  # a dropped connection, or no connection at all (refused, timed out)
    message = str(error.orig).lower()
    return "database is locked" in message or "unable to open database" in message


def handle_database_error(error: DBAPIError) -> Response:
    """Answer 503 at once when the database cannot be reached (restarting, network cut, busy).

    The request fails fast instead of hanging, and the next one reconnects: the pool drops its
    connections when one turns out to be disconnected, and replaces at checkout any the server
    closed (extensions._replace_if_dropped), so no restart of the app is needed. Any other
    database error is unexpected (a 500).
    """
    if not database_is_unavailable(error):
        if current_app.testing:
            raise error
        return handle_unexpected_error(error)
    request_id = request.environ.get(REQUEST_ID_KEY, "-")
    # Only the error's type: its message may quote the statement (never the parameters).
    log.warning("Database unavailable: %s (request %s)", type(error.orig).__name__, request_id)
    response = _json_error(
        503, "The directory cannot reach its database just now: please try again in a moment."
    )
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


def register_error_handlers(app: Flask) -> None:
    """Send every error, whatever raised it, through the one shape."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DirectoryError, handle_directory_error)
    # OperationalError: refused, dropped or timed-out connections, a locked SQLite file.
    app.register_error_handler(OperationalError, handle_database_error)
    app.register_error_handler(InterfaceError, handle_database_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected_error)
