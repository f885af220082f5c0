"""Organizations: the bodies that run services."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_organization
from directory.api.schemas import OrganizationSchema
from directory.errors import NotFound
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


@blp.route("/<string:organization_id>")
class OrganizationById(MethodView):
    @blp.response(200, OrganizationSchema)
    def get(self, organization_id: str) -> dict[str, Any]:
        """Get one organisation with the services it runs."""
        organization = db.session.get(Organization, organization_id)
        if organization is None:
            raise NotFound(f"No organization with id {organization_id!r}.")
        return present_organization(organization)
