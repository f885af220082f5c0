"""Problem reports: the public says a listing is wrong; editors (admin scope) work the queue.

A report holds what is wrong and an optional message, never anything about who sent it.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api.auth import audit, key_name, key_required
from directory.api.limits import rate_limited
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_report
from directory.api.schemas import ProblemReportReceiptSchema, ProblemReportSchema
from directory.api.write_schemas import ProblemReportCreateSchema, ProblemReportUpdateSchema
from directory.api.writes import one_transaction
from directory.errors import found_or_404
from directory.extensions import db
from directory.models import REPORT_STATUSES, ProblemReport
from directory.models.base import utcnow
from directory.search.filters import find_service

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Problem reports from the public, and the editors' queue",
)

# The endpoint a rate limit attaches to (POST only): "reports.ServiceReports".
REPORT_ENDPOINT = "reports.ServiceReports"


class ReportQueryArgsSchema(PageQueryArgsSchema):
    status = fields.String(validate=validate.OneOf(REPORT_STATUSES))
    service_id = fields.String(metadata={"description": "Only reports about this service"})


@blp.route("/services/<string:service_id>/reports")
class ServiceReports(MethodView):
    @blp.arguments(ProblemReportCreateSchema)
    @blp.response(201, ProblemReportReceiptSchema)
    @rate_limited(blp)
    def post(self, form: dict[str, Any], service_id: str) -> dict[str, Any]:
        """Report that a listing is wrong (no key; no personal details, please)."""
        service = found_or_404(find_service(db.session, service_id), "service", service_id)
        message = (form.get("message") or "").strip() or None
        report = ProblemReport(service_id=service.id, kind=form["kind"], message=message)
        with one_transaction():
            db.session.add(report)
        return {"id": report.id, "status": report.status}


@blp.route("/reports")
class Reports(MethodView):
    @key_required(blp, "admin")
    @blp.arguments(ReportQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(ProblemReportSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List problem reports, oldest open first (admin scope)."""
        page, per_page = args["page"], args["per_page"]
        statement = select(ProblemReport)
        if args.get("status"):
            statement = statement.where(ProblemReport.status == args["status"])
        if args.get("service_id"):
            statement = statement.where(ProblemReport.service_id == args["service_id"])
        total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = db.session.scalars(
            statement.options(selectinload(ProblemReport.service))
            .order_by(ProblemReport.created_at, ProblemReport.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return page_envelope([present_report(r) for r in rows], total, page, per_page)


@blp.route("/reports/<string:report_id>")
class ReportById(MethodView):
    @key_required(blp, "admin")
    @blp.arguments(ProblemReportUpdateSchema)
    @blp.response(200, ProblemReportSchema)
    def patch(self, form: dict[str, Any], report_id: str) -> dict[str, Any]:
        """Resolve, reject or reopen a report, with a note (admin scope)."""
        report = found_or_404(db.session.get(ProblemReport, report_id), "report", report_id)
        before = {"status": report.status, "resolution_note": report.resolution_note}
        with one_transaction():
            report.status = form["status"]
            if form.get("resolution_note") is not None:
                report.resolution_note = form["resolution_note"]
            report.resolved_by = None if report.status == "open" else key_name()
            report.updated_at = utcnow()
            audit(
                "update",
                "report",
                report.id,
                before,
                {"status": report.status, "resolution_note": report.resolution_note},
            )
        return present_report(report)


def open_report_counts(service_ids: list[str]) -> dict[str, int]:
    """How many open reports each service has."""
    rows = db.session.execute(
        select(ProblemReport.service_id, func.count())
        .where(ProblemReport.status == "open", ProblemReport.service_id.in_(service_ids))
        .group_by(ProblemReport.service_id)
    ).all()
    return {service_id: count for service_id, count in rows}
