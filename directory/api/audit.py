"""The audit log: every editor's write, with what it changed (admin scope)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate
from sqlalchemy import func, select

from directory.api.auth import key_required
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_audit_event
from directory.api.schemas import AuditEventSchema
from directory.extensions import db
from directory.models import AuditEvent

blp = Blueprint(
    "audit", __name__, url_prefix="/api/v1/audit", description="Who changed what (admin scope)"
)

ENTITY_TYPES = ("service", "organization", "location", "taxonomy_term", "report", "api_key")


class AuditQueryArgsSchema(PageQueryArgsSchema):
    entity_type = fields.String(validate=validate.OneOf(ENTITY_TYPES))
    entity_id = fields.String()


@blp.route("")
class AuditLog(MethodView):
    @key_required(blp, "admin")
    @blp.arguments(AuditQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(AuditEventSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List audit events, newest first, by entity type and id (admin scope)."""
        page, per_page = args["page"], args["per_page"]
        statement = select(AuditEvent)
        if args.get("entity_type"):
            statement = statement.where(AuditEvent.entity_type == args["entity_type"])
        if args.get("entity_id"):
            statement = statement.where(AuditEvent.entity_id == args["entity_id"])
        total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = db.session.scalars(
            statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return page_envelope([present_audit_event(e) for e in rows], total, page, per_page)
