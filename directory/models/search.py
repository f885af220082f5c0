"""Derived rows that make search fast: a text document and weekly opening intervals per service.

Both are rebuilt from the service by directory.search.index in the same transaction as every
write, so they never lag behind; `signpost reindex` rebuilds them all for repairs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import INT4MULTIRANGE
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class SearchDocument(Base):
    """The text a service is found by. SQLite indexes it with FTS5 (external content, kept in
    step by triggers); PostgreSQL with a generated, weighted tsvector column and a GIN index.
    Both are created by migration 0002, not by the ORM."""

    __tablename__ = "search_document"
    # National services by freshness: triage's extra candidates walk it and stop after a few.
    __table_args__ = (
        Index(
            "ix_search_document_scope_freshness",
            "coverage_scope",
            "last_verified_at",
            "name",
            "service_id",
        ),
    )

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
    # PostgreSQL: this service's opening intervals (opening_interval's rows) as one
    # multirange, so that open-now is a check of the row itself instead of an index lookup
    # per candidate (an issue filter in England: 15 -> 9 ms). SQLite leaves it NULL and joins
    # opening_interval (filters.open_now_sql).
    open_week: Mapped[Any] = mapped_column(
        Text().with_variant(INT4MULTIRANGE(), "postgresql"), nullable=True
    )
    # Facets come from these, in the same row as the match: no extra queries per search.
    issue_codes: Mapped[str] = mapped_column(Text, default=" ")  # " anxiety panic "
    channel_types: Mapped[str] = mapped_column(Text, default=" ")  # published ones
    # Listed areas (or commissioning) but no location: found by area, never by distance.
    remote_area_coverage: Mapped[bool] = mapped_column(default=False, index=True)
    closes_on_bank_holidays: Mapped[bool] = mapped_column(default=False)
    has_validity_dates: Mapped[bool] = mapped_column(default=False)
    # Copies of what the filters and the ranking read, so that a search reads one row per
    # candidate instead of joining six tables. Lists are space-separated with a space at each
    # end (" ENG WLS "), so `LIKE '% ENG %'` matches a whole code.
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(30), default="")
    cost: Mapped[str] = mapped_column(String(8), default="unknown")
    self_referral: Mapped[bool] = mapped_column(default=True)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    nations: Mapped[str] = mapped_column(String(20), default=" ")
    languages: Mapped[str] = mapped_column(Text, default=" ")
    coverage_scope: Mapped[str] = mapped_column(String(14), default="national")
    coverage_radius_km: Mapped[float | None]
    coverage_areas: Mapped[str] = mapped_column(Text, default=" ")  # " LS6 LS LEEDS "
    last_verified_at: Mapped[date | None]
    # New and random every time the document is written: cached copies of the service are
    # kept under it (search/snapshots.py), so a change can never be served stale.
    revision: Mapped[str] = mapped_column(String(32), default="")

    def __repr__(self) -> str:
        return f"<SearchDocument {self.service_id}>"


class SearchPoint(Base):
    """Where a service can be visited: one row per location, with its search document's id
    and a copy of its coverage, so that a nearby search reads this small table alone."""

    __tablename__ = "search_point"
    __table_args__ = (Index("ix_search_point_position", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int]
    latitude: Mapped[float]
    longitude: Mapped[float]
    coverage_scope: Mapped[str] = mapped_column(String(14), default="national")
    coverage_radius_km: Mapped[float | None]
    coverage_areas: Mapped[str] = mapped_column(Text, default=" ")

    def __repr__(self) -> str:
        return f"<SearchPoint {self.latitude},{self.longitude}>"


class SearchCard(Base):
    """The service with everything a response shows, as JSON (search/records.py), written with
    its search document: a page of results reads one row per service here instead of eight
    tables. A table of its own keeps the search documents small, as the searches scan them."""

    __tablename__ = "search_card"

    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    card: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SearchCard {self.service_id}>"


class SearchIssue(Base):
    """A search document under one issue: its own terms' codes and their broader terms'
    (a panic service is under "panic" and "anxiety"). Filtering by issue reads one range of
    this key and then documents by their integer id: about twice as fast as going through
    the service's term links and its string id."""

    __tablename__ = "search_issue"
    # An issue and a nation, the commonest pair of filters without text, decided on this
    # index alone: only the documents in the person's nation are then read. On PostgreSQL it
    # carries the open-now copies too, so open-now is decided on it as well.
    __table_args__ = (
        Index(
            "ix_search_issue_issue_nations",
            "issue_code",
            "nations",
            "document_id",
            postgresql_include=["open_week", "open_week_incomplete"],
        ),
    )

    issue_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    nations: Mapped[str] = mapped_column(String(20), default=" ")  # the document's copy
    # Copies of what open-now reads, so that an issue filter with open-now leaves out, on the
    # index, the documents the weekly intervals say are closed (PostgreSQL; filters.py
    # issue_open_now): the document's open_week, and whether the exact rules may decide
    # instead (hours with validity dates, or closed on bank holidays).
    open_week: Mapped[Any] = mapped_column(
        Text().with_variant(INT4MULTIRANGE(), "postgresql"), nullable=True
    )
    open_week_incomplete: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<SearchIssue {self.issue_code} {self.document_id}>"


class OpeningInterval(Base):
    """One span in which some channel of a service is open, as minutes of a London week
    (Monday 00:00 = 0); a span past Sunday midnight is split in two."""

    __tablename__ = "opening_interval"
    # Open-now is an EXISTS on this index alone, per candidate.
    __table_args__ = (
        Index("ix_opening_interval_lookup", "service_id", "start_minute", "end_minute"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE")
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
