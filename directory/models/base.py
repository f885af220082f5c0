"""Declarative base, id and timestamp helpers shared by every model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable ids: seed slugs map to the same UUID on every machine, so re-seeding upserts.
SIGNPOST_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-5c1e-9a2f-0d4b8e6c1a37")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def stable_id(kind: str, slug: str) -> str:
    """Return the UUID that a seed or import slug of this kind always maps to."""
    return str(uuid.uuid5(SIGNPOST_NAMESPACE, f"{kind}:{slug}"))


def new_id() -> str:
    """Return a fresh random UUID string."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)
