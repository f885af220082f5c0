"""Services: list with filters, and one service in full."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate

from directory.api.args import AvailabilityQueryArgsSchema, at_field, nation_field
from directory.api.auth import (
    BEARER_SCHEME,
    ETAG_HEADER,
    audit,
    check_if_match,
    has_scope,
    key_name,
    key_required,
)
from directory.api.paging import PageQueryArgsSchema, page_envelope, page_schema
from directory.api.presenters import present_service
from directory.api.responses import json_response
from directory.api.schemas import ServiceSchema
from directory.api.write_schemas import ServiceWriteSchema, VerifySchema
from directory.api.writes import (
    UNPROCESSABLE,
    etag_headers,
    one_transaction,
    patch_body,
    patch_doc,
)
from directory.editing import apply_service, merged_form, service_input
from directory.errors import InvalidInput, found_or_404
from directory.extensions import db
from directory.hours import now_in_london
from directory.models import CHANNEL_TYPES, SERVICE_KINDS, Service
from directory.search.filters import ServiceFilters, filter_services, find_service, issue_exists
from directory.search.ranking import reset_stale_days, use_stale_days
from directory.search.snapshots import load_service

blp = Blueprint(
    "services", __name__, url_prefix="/api/v1/services", description="Services in the directory"
)

# Reads with a key may show more than the public sees: never from a shared cache.
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization"}


@blp.before_app_request
def _draw_the_stale_line() -> None:
    # Ranking, responses and the Open Referral feed all read it during this request.
    g.stale_days_token = use_stale_days(current_app.config["STALE_DAYS"])


@blp.teardown_app_request
def _forget_the_stale_line(_error: BaseException | None) -> None:
    token = g.pop("stale_days_token", None)
    if token is not None:
        reset_stale_days(token)


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

    @key_required(blp, "write")
    @blp.arguments(ServiceWriteSchema)
    @blp.response(201, ServiceSchema, headers={"ETag": ETAG_HEADER})
    def post(self, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Add a service (write scope); checked like a seed entry."""
        service = Service()
        with one_transaction():
            db.session.add(service)
            apply_service(db.session, service, form)
            db.session.flush()
            audit(
                "create",
                "service",
                service.id,
                None,
                service_input(service),
            )
        return _written(service)


SERVICE_RESPONSE = ServiceSchema()
AVAILABILITY_ARGS = AvailabilityQueryArgsSchema()  # an instance: see api/search.py SEARCH_ARGS


@blp.route("/<string:service_id>")
class ServiceById(MethodView):
    @blp.doc(security=[{}, {BEARER_SCHEME: []}])
    @blp.arguments(AVAILABILITY_ARGS, location="query", unknown=RAISE)
    @blp.response(200, ServiceSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(401, response="UNAUTHORIZED")
    def get(self, args: dict[str, Any], service_id: str) -> Response:
        """Get one service with its channels, hours, locations, eligibility and coverage.

        With a key that has the restricted scope: hidden addresses and internal notes too.
        """
        # The read-only record (search/snapshots.py): no ORM objects to build for a read.
        found = load_service(db.session, service_id)
        service = found_or_404(found, "service", service_id)
        restricted = has_scope("restricted")
        shown = present_service(
            service,
            at=args.get("at") or now_in_london(),
            nation=args.get("nation"),
            restricted=restricted,
        )
        headers = etag_headers(service.version)
        if restricted:
            headers.update(PRIVATE)
        return json_response(SERVICE_RESPONSE, shown, headers=headers)

    @key_required(blp, "write", if_match=True)
    @blp.doc(**patch_doc(ServiceWriteSchema, "service"))
    @blp.response(200, ServiceSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(422, response=UNPROCESSABLE)
    def patch(self, service_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Change a service (write scope, If-Match): send only the fields that change."""
        service = _service_or_404(service_id)
        check_if_match(service.version)
        before = service_input(service)
        form = merged_form(ServiceWriteSchema(), before, patch_body())
        with one_transaction():
            apply_service(db.session, service, form)
            after = service_input(service)
            if after == before:
                # Nothing changed: no new version, no audit entry.
                db.session.rollback()
                return _written(_service_or_404(service_id))
            audit(
                "update",
                "service",
                service.id,
                before,
                after,
            )
        return _written(service)

    @key_required(blp, "write", if_match=True)
    @blp.response(204)
    def delete(self, service_id: str) -> None:
        """Withdraw a service (write scope, If-Match): it is marked defunct, never deleted."""
        service = _service_or_404(service_id)
        check_if_match(service.version)
        before = service_input(service)
        with one_transaction():
            service.status = "defunct"
            service.updated_at = now_in_london()
            audit(
                "delete",
                "service",
                service.id,
                before,
                service_input(service),
            )


@blp.route("/<string:service_id>/verify")
class ServiceVerification(MethodView):
    @key_required(blp, "write", if_match=True)
    @blp.arguments(VerifySchema)
    @blp.response(200, ServiceSchema, headers={"ETag": ETAG_HEADER})
    def post(self, form: dict[str, Any], service_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Record that the listing was checked today, and by which key (write scope, If-Match).

        If-Match matters here too: it certifies the version the editor actually read.
        """
        service = _service_or_404(service_id)
        check_if_match(service.version)
        before = service_input(service) | {"verified_by": service.verified_by}
        with one_transaction():
            service.last_verified_at = now_in_london().date()
            service.verified_by = key_name()
            service.verification = "verified"
            if form.get("note"):
                service.verification_note = form["note"]
            service.updated_at = now_in_london()
            audit(
                "verify",
                "service",
                service.id,
                before,
                service_input(service) | {"verified_by": service.verified_by},
            )
        return _written(service)


def _service_or_404(service_id: str) -> Service:
    return found_or_404(find_service(db.session, service_id), "service", service_id)


def _written(service: Service) -> tuple[dict[str, Any], dict[str, str]]:
    """The service as it now stands, read afresh, with its new ETag."""
    db.session.expire(service)
    fresh = _service_or_404(service.id)
    shown = present_service(
        fresh, at=now_in_london(), nation=None, restricted=has_scope("restricted")
    )
    return shown, {**etag_headers(fresh.version), **PRIVATE}
