"""API keys: Bearer secrets with scopes, ETags with If-Match, and how both are documented.

Secrets are 32 random bytes (256 bits) from `secrets`, so we store a plain SHA-256 of them,
not a slow password hash: slow hashes (bcrypt, argon2) exist to make guessing *low-entropy*
passwords expensive, and nobody can enumerate 2^256 secrets however fast the hash is. A fast
hash also lets every request find its key by an indexed equality lookup, instead of running a
deliberately slow function against every key. The final comparison uses
hmac.compare_digest so that it takes the same time however much of the hash matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.editing import record_audit
from directory.errors import (
    Forbidden,
    InvalidInput,
    PreconditionFailed,
    PreconditionRequired,
    Unauthenticated,
)
from directory.extensions import db
from directory.models import SCOPES, ApiKey
from directory.models.base import utcnow

SECRET_PREFIX = "sp_"  # noqa: S105 - a prefix that makes leaked keys easy to spot
BEARER_SCHEME = "bearerAuth"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    """The stored form of a secret: SHA-256, hex (see the module docstring for why)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Add a key (no commit); return it with its secret, which is never stored or shown again."""
    wanted = list(dict.fromkeys(scopes))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown or not wanted:
        raise InvalidInput(errors={"scope": [f"Give one or more of {', '.join(SCOPES)}."]})
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise InvalidInput(errors={"name": [f"A key called {name!r} already exists."]})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, secret_hash=hash_secret(secret), scopes=wanted)
    session.add(key)
    return key, secret


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The active key with this secret, or None."""
    digest = hash_secret(secret)
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == digest))
    if key is None or not hmac.compare_digest(key.secret_hash, digest) or not key.active:
        return None
    return key


def current_key() -> ApiKey | None:
    """The request's API key; None without an Authorization header; 401 for a bad one."""
    if "api_key" in g:
        cached: ApiKey | None = g.api_key
        return cached
    header = request.headers.get("Authorization")
    key = None
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated()
        key = find_key(db.session, secret.strip())
        if key is None:
            raise Unauthenticated("Unknown or revoked API key.")
        _note_use(key)
    g.api_key = key
    return key


def _note_use(key: ApiKey) -> None:
    now = utcnow()
    last = key.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > LAST_USED_RESOLUTION:
        key.last_used_at = now
        db.session.commit()


def has_scope(scope: str) -> bool:
    """Whether the request carries a valid key with this scope."""
    key = current_key()
    return key is not None and scope in key.scopes


def require_scope(scope: str) -> ApiKey:
    """The request's key, which must have `scope`: 401 without a valid key, 403 without it."""
    key = current_key()
    if key is None:
        raise Unauthenticated()
    if scope not in key.scopes:
        raise Forbidden(f"This API key does not have the {scope!r} scope.")
    return key


def key_required(blp: Blueprint, scope: str, *, if_match: bool = False) -> Callable[..., Any]:
    """Decorate a view (outermost, so it runs first): require a key with `scope`, and with
    `if_match` an If-Match header; document both in the OpenAPI spec."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_scope(scope)
            if if_match and not request.if_match:
                raise PreconditionRequired()
            return view(*args, **kwargs)

        documented = blp.doc(security=[{BEARER_SCHEME: []}])(wrapper)
        documented = blp.alt_response(401, response="UNAUTHORIZED")(documented)
        documented = blp.alt_response(403, response="FORBIDDEN")(documented)
        if if_match:
            documented = blp.doc(parameters=[IF_MATCH_PARAMETER])(documented)
            documented = blp.alt_response(412, response="PRECONDITION_FAILED")(documented)
            documented = blp.alt_response(428, response="PRECONDITION_REQUIRED")(documented)
        return documented

    return decorator


IF_MATCH_PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the version you read: the write is refused (412) if it changed",
    "schema": {"type": "string"},
}
ETAG_HEADER = {
    "description": "The version of the record, for If-Match",
    "schema": {"type": "string"},
}


def etag_of(version: int) -> str:
    """The ETag of a record at this version (unquoted, as werkzeug keeps them)."""
    return f"v{version}"


def check_if_match(version: int) -> None:
    """Refuse the write (412) unless If-Match names the record's current version."""
    if request.if_match.star_tag or not request.if_match.contains(etag_of(version)):
        raise PreconditionFailed()


def key_name() -> str:
    """The name of the key making this write (for the audit log)."""
    key = current_key()
    assert key is not None
    return key.name


def audit(
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Record this request's write in the audit log under its key (it lands with the write)."""
    record_audit(
        db.session,
        key_name=key_name(),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def register_security_scheme(spec: Any) -> None:
    """Declare the Bearer scheme that key_required views refer to."""
    spec.components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `signpost keys create`",
        },
    )
