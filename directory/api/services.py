"""Services: list with filters, and one service in full."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate

from directory.api.args import AvailabilityQueryArgsSchema, at_field, nation_field
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_service
from directory.api.schemas import ServiceSchema
from directory.errors import InvalidInput, NotFound
from directory.extensions import db
from directory.hours import now_in_london
from directory.models import CHANNEL_TYPES, SERVICE_KINDS
from directory.search.filters import ServiceFilters, filter_services, find_service, issue_exists

blp = Blueprint(
    "services", __name__, url_prefix="/api/v1/services", description="Services in the directory"
)


class ServiceQueryArgsSchema(PageQueryArgsSchema):
    issue = fields.String(metadata={"description": "Issue term code, e.g. eating-disorders"})
    kind = fields.String(validate=validate.OneOf(SERVICE_KINDS))
    channel = fields.String(
        validate=validate.OneOf(CHANNEL_TYPES),
        metadata={"description": "Only services reachable this way"},
    )
    nation = nation_field("Only services covering this nation; channels limited to it")
    age = fields.Integer(validate=validate.Range(min=0, max=120))
    free = fields.Boolean(metadata={"description": "true: free to use; false: charged"})
    self_referral = fields.Boolean(metadata={"description": "true: no GP referral needed"})
    open_now = fields.Boolean(
        metadata={"description": "true: open at `at` (unknown hours never are)"}
    )
    include_demo = fields.Boolean(
        load_default=True, metadata={"description": "false: leave out demo listings"}
    )
    at = at_field()


@blp.route("")
class Services(MethodView):
    @blp.arguments(ServiceQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_schema(ServiceSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List services matching the filters."""
        page, per_page = args.pop("page"), args.pop("per_page")
        args["at"] = args.get("at") or now_in_london()
        if args.get("issue") and not issue_exists(db.session, args["issue"]):
            raise InvalidInput(errors={"issue": [f"Unknown issue code {args['issue']!r}."]})
        filters = ServiceFilters(**args)
        services, total = filter_services(db.session, filters, page, per_page)
        contents = [present_service(s, at=filters.at, nation=filters.nation) for s in services]
        return page_envelope(contents, total, page, per_page)


@blp.route("/<string:service_id>")
class ServiceById(MethodView):
    @blp.arguments(AvailabilityQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ServiceSchema)
    def get(self, args: dict[str, Any], service_id: str) -> dict[str, Any]:
        """Get one service with its channels, hours, locations, eligibility and coverage."""
        service = find_service(db.session, service_id)
        if service is None:
            raise NotFound(f"No service with id {service_id!r}.")
        return present_service(
            service, at=args.get("at") or now_in_london(), nation=args.get("nation")
        )
