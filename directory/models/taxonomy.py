"""Taxonomy and TaxonomyTerm: issue terms with lay synonyms, and service kinds."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, new_id

ISSUES_TAXONOMY = "issues"
KINDS_TAXONOMY = "service-kinds"


class Taxonomy(Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str | None] = mapped_column(String(20))

    terms: Mapped[list[TaxonomyTerm]] = relationship(
        back_populates="taxonomy", order_by="TaxonomyTerm.position"
    )

    def __repr__(self) -> str:
        return f"<Taxonomy {self.slug}>"


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    taxonomy_id: Mapped[str] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy_term.id"))
    position: Mapped[int] = mapped_column(default=0)
    # Bumped on every change: the ETag that If-Match must name.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.code}>"
