"""Derived rows that make search fast: a text document and weekly opening intervals per service.

Both are rebuilt from the service by directory.search.index in the same transaction as every
write, so they never lag behind; `signpost reindex` rebuilds them all for repairs.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class SearchDocument(Base):
    """The text a service is found by. SQLite indexes it with FTS5 (external content, kept in
    step by triggers); PostgreSQL with a generated, weighted tsvector column and a GIN index.
    Both are created by migration 0002, not by the ORM."""

    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Open-now in SQL: opening_interval rows answer it, except near a bank holiday for services
    # that close on them, or for hours with validity dates; then the exact rules decide.
    hours_known: Mapped[bool] = mapped_column(default=False)
    # Facets come from these, in the same row as the match: no extra queries per search.
    issue_codes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    channel_types: Mapped[str] = mapped_column(Text, default="")  # published ones
    # Listed areas (or commissioning) but no location: found by area, never by distance.
    remote_area_coverage: Mapped[bool] = mapped_column(default=False, index=True)
    closes_on_bank_holidays: Mapped[bool] = mapped_column(default=False)
    has_validity_dates: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.service_id}>"


class OpeningInterval(Base):
    """One span in which some channel of a service is open, as minutes of a London week
    (Monday 00:00 = 0); a span past Sunday midnight is split in two."""

    __tablename__ = "opening_interval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    def __repr__(self) -> str:
        return f"<OpeningInterval {self.start_minute}-{self.end_minute}>"


class PostcodePoint(Base):
    """A full postcode's position, from an ONS Postcode Directory or Code-Point Open import
    (`signpost geodata import`); without it a full postcode resolves to its district."""

    __tablename__ = "postcode_point"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)  # "LS1 4AP"
    latitude: Mapped[float]
    longitude: Mapped[float]
    nation: Mapped[str | None] = mapped_column(String(3))

    def __repr__(self) -> str:
        return f"<PostcodePoint {self.postcode}>"
