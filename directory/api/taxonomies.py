"""Taxonomies and their terms: issue codes with lay synonyms, and service kinds."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api.auth import ETAG_HEADER, audit, check_if_match, key_required
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_term
from directory.api.schemas import TaxonomySchema, TaxonomyTermSchema
from directory.api.write_schemas import TermWriteSchema
from directory.api.writes import (
    UNPROCESSABLE,
    etag_headers,
    one_transaction,
    patch_body,
    patch_doc,
)
from directory.editing import apply_term, merged_form, term_input
from directory.errors import found_or_404
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

    @key_required(blp, "write")
    @blp.arguments(TermWriteSchema)
    @blp.response(201, TaxonomyTermSchema, headers={"ETag": ETAG_HEADER})
    def post(self, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Add an issue term or service kind (write scope); search knows it at once."""
        term = TaxonomyTerm()
        with one_transaction():
            db.session.add(term)
            apply_term(db.session, term, form)
            db.session.flush()
            db.session.refresh(term)
            audit("create", "taxonomy_term", term.id, None, term_input(term))
        return _written(term)


@blp.route("/taxonomy_terms/<string:term_id>")
class TaxonomyTermById(MethodView):
    @blp.response(200, TaxonomyTermSchema, headers={"ETag": ETAG_HEADER})
    def get(self, term_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Get one taxonomy term (by id or code) with its lay synonyms."""
        term = _term_or_404(term_id)
        return present_term(term), etag_headers(term.version)

    # No DELETE: services, imports and the audit log refer to terms by code, and nothing is
    # hard-deleted; a term goes out of use when no service carries it.
    @key_required(blp, "write", if_match=True)
    @blp.doc(**patch_doc(TermWriteSchema, "term"))
    @blp.response(200, TaxonomyTermSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(422, response=UNPROCESSABLE)
    def patch(self, term_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Change a term's name, description, synonyms or parent (write scope, If-Match)."""
        term = _term_or_404(term_id)
        check_if_match(term.version)
        before = term_input(term)
        form = merged_form(TermWriteSchema(), before, patch_body())
        with one_transaction():
            apply_term(db.session, term, form)
            db.session.flush()
            db.session.refresh(term)
            if term_input(term) != before:
                audit("update", "taxonomy_term", term.id, before, term_input(term))
        return _written(term)


def _term_or_404(term_id: str) -> TaxonomyTerm:
    term = db.session.get(TaxonomyTerm, term_id) or db.session.scalar(
        select(TaxonomyTerm).where(TaxonomyTerm.code == term_id)
    )
    return found_or_404(term, "taxonomy term", term_id)


def _written(term: TaxonomyTerm) -> tuple[dict[str, Any], dict[str, str]]:
    db.session.refresh(term)
    return present_term(term), etag_headers(term.version)
