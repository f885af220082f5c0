"""Organizations: the bodies that run services."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api.auth import ETAG_HEADER, audit, check_if_match, key_required
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_organization
from directory.api.schemas import OrganizationSchema
from directory.api.write_schemas import OrganizationWriteSchema
from directory.api.writes import (
    UNPROCESSABLE,
    etag_headers,
    one_transaction,
    patch_body,
    patch_doc,
)
from directory.editing import apply_organization, merged_form, organization_input
from directory.errors import found_or_404
from directory.extensions import db
from directory.models import Organization

blp = Blueprint(
    "organizations",
    __name__,
    url_prefix="/api/v1/organizations",
    description="Organisations that run services",
)


@blp.route("")
class Organizations(MethodView):
    @blp.arguments(PageQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(OrganizationSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List organisations by name."""
        page, per_page = args["page"], args["per_page"]
        total = db.session.scalar(select(func.count(Organization.id))) or 0
        rows = db.session.scalars(
            select(Organization)
            .options(selectinload(Organization.services))
            .order_by(Organization.name, Organization.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return page_envelope([present_organization(o) for o in rows], total, page, per_page)

    @key_required(blp, "write")
    @blp.arguments(OrganizationWriteSchema)
    @blp.response(201, OrganizationSchema, headers={"ETag": ETAG_HEADER})
    def post(self, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Add an organisation (write scope)."""
        organization = Organization()
        with one_transaction():
            db.session.add(organization)
            apply_organization(db.session, organization, form)
            db.session.flush()
            audit("create", "organization", organization.id, None, organization_input(organization))
        return _written(organization)


@blp.route("/<string:organization_id>")
class OrganizationById(MethodView):
    @blp.response(200, OrganizationSchema, headers={"ETag": ETAG_HEADER})
    def get(self, organization_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Get one organisation with the services it runs."""
        organization = _organization_or_404(organization_id)
        return present_organization(organization), etag_headers(organization.version)

    # No DELETE: an organisation leaves the directory when its services are withdrawn
    # (DELETE /services/{id} marks each defunct), and nothing is hard-deleted.
    @key_required(blp, "write", if_match=True)
    @blp.doc(**patch_doc(OrganizationWriteSchema, "organisation"))
    @blp.response(200, OrganizationSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(422, response=UNPROCESSABLE)
    def patch(self, organization_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Change an organisation (write scope, If-Match): send only the fields that change."""
        organization = _organization_or_404(organization_id)
        check_if_match(organization.version)
        before = organization_input(organization)
        form = merged_form(OrganizationWriteSchema(), before, patch_body())
        with one_transaction():
            apply_organization(db.session, organization, form)
            if organization_input(organization) != before:
                audit(
                    "update",
                    "organization",
                    organization.id,
                    before,
                    organization_input(organization),
                )
        return _written(organization)


def _organization_or_404(organization_id: str) -> Organization:
    found = db.session.get(Organization, organization_id)
    return found_or_404(found, "organization", organization_id)


def _written(organization: Organization) -> tuple[dict[str, Any], dict[str, str]]:
    db.session.refresh(organization)
    return present_organization(organization), etag_headers(organization.version)
