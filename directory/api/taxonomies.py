"""Taxonomies and their terms: issue codes with lay synonyms, and service kinds."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_term
from directory.api.schemas import TaxonomySchema, TaxonomyTermSchema
from directory.extensions import db
from directory.models import Taxonomy, TaxonomyTerm

blp = Blueprint(
    "taxonomies", __name__, url_prefix="/api/v1", description="Issue terms and service kinds"
)


class TaxonomyTermQueryArgsSchema(PageQueryArgsSchema):
    taxonomy = fields.String(metadata={"description": "Taxonomy slug: issues or service-kinds"})


@blp.route("/taxonomies")
class Taxonomies(MethodView):
    @blp.arguments(PageQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(TaxonomySchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the taxonomies."""
        page, per_page = args["page"], args["per_page"]
        total = db.session.scalar(select(func.count(Taxonomy.id))) or 0
        rows = db.session.scalars(
            select(Taxonomy).order_by(Taxonomy.slug).limit(per_page).offset((page - 1) * per_page)
        ).all()
        return page_envelope(list(rows), total, page, per_page)


@blp.route("/taxonomy_terms")
class TaxonomyTerms(MethodView):
    @blp.arguments(TaxonomyTermQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(TaxonomyTermSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List taxonomy terms in their display order."""
        page, per_page = args["page"], args["per_page"]
        statement = select(TaxonomyTerm)
        if args.get("taxonomy"):
            statement = statement.join(Taxonomy).where(Taxonomy.slug == args["taxonomy"])
        total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = db.session.scalars(
            statement.options(
                selectinload(TaxonomyTerm.taxonomy), selectinload(TaxonomyTerm.parent)
            )
            .order_by(TaxonomyTerm.taxonomy_id, TaxonomyTerm.position, TaxonomyTerm.code)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return page_envelope([present_term(t) for t in rows], total, page, per_page)
