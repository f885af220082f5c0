"""The Open Referral UK 3.0 feed under /hsds: GET only, no key, `Access-Control-Allow-Origin: *`.

It follows ORUK's own OpenAPI document (oruk-3.0/profile/openapi.json) rather than ours, so it is
a plain Flask blueprint and stays out of openapi.yaml: the spec that describes it is ORUK's.
Unknown query parameters are ignored (HSDS clients send `full`, `minimal` and the like); bad
values of known ones are a 422 in the app's one error shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import time
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, stream_with_context
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import func, select

from directory.api.paging import page_envelope
from directory.errors import InvalidInput, NotFound, found_or_404, unknown_place
from directory.extensions import db, gazetteer, geocoder
from directory.geo import UnknownPlace
from directory.interop.mapping import (
    HSDS_DAYS,
    HSDS_VERSION,
    ORUK_OPENAPI_URL,
    ORUK_PROFILE_URL,
    only_nation,
    organization_to_hsds,
    service_at_location_to_hsds,
    service_to_hsds,
    taxonomy_to_hsds,
    term_to_hsds,
)
from directory.interop.queries import (
    FeedFilters,
    find_service_at_locations,
    find_services,
    kind_terms,
)
from directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from directory.search.filters import find_service
from directory.search.service import resolve_place

bp = Blueprint("hsds", __name__, url_prefix="/hsds")

DAY_NAMES = {
    **{code: index for index, code in enumerate(HSDS_DAYS)},
    **{
        name: index
        for index, name in enumerate(
            ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        )
    },
}


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    """ORUK compliance: every response may be read by any web page."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class TimeOfDay(fields.Field):
    """HH:MM or HH:MM:SS."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        try:
            return time.fromisoformat(str(value))
        except ValueError as error:
            raise ValidationError("Not a time (HH:MM or HH:MM:SS).") from error


class DayOfWeek(fields.Field):
    """MO..SU or a day name, in any case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        day = DAY_NAMES.get(str(value).strip().upper())
        if day is None:
            raise ValidationError("Not a day (MO, TU, WE, TH, FR, SA, SU or a day name).")
        return day


class FeedPageArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))


class FeedServiceArgsSchema(FeedPageArgsSchema):
    search = fields.String()
    taxonomy_term_id = fields.String()
    taxonomy_id = fields.String()
    organization_id = fields.String()
    modified_after = fields.AwareDateTime(format="iso", default_timezone=None)
    minimum_age = fields.Float(validate=validate.Range(min=0))
    maximum_age = fields.Float(validate=validate.Range(min=0))
    postcode = fields.String()
    proximity = fields.Float(
        validate=validate.Range(min=0), metadata={"description": "metres from the postcode"}
    )
    day = DayOfWeek()
    start_time = TimeOfDay()
    end_time = TimeOfDay()
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "ndjson"]))
    full = fields.Boolean(load_default=False)
    include_demo = fields.Boolean(load_default=False)


class FeedDemoArgsSchema(FeedPageArgsSchema):
    include_demo = fields.Boolean(load_default=False)


class FeedTermArgsSchema(FeedPageArgsSchema):
    taxonomy_id = fields.String()
    parent_id = fields.String()
    top_only = fields.Boolean(load_default=False)


def _parse(schema: Schema) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(request.args)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages_dict) from None
    return loaded


def _filters(args: dict[str, Any]) -> FeedFilters:
    if args.get("modified_after") is not None and args["modified_after"].tzinfo is None:
        raise InvalidInput(errors={"modified_after": ["Give a time zone offset, e.g. Z."]})
    if args.get("proximity") is not None and not args.get("postcode"):
        raise InvalidInput(errors={"proximity": ["proximity needs a postcode."]})
    place = None
    if args.get("postcode"):
        try:
            place = resolve_place(db.session, gazetteer(), args["postcode"], geocoder())
        except UnknownPlace as unknown:
            raise unknown_place("postcode", unknown.query, unknown.suggestions) from None
    return FeedFilters(
        search=args.get("search"),
        taxonomy_term_id=args.get("taxonomy_term_id"),
        taxonomy_id=args.get("taxonomy_id"),
        organization_id=args.get("organization_id"),
        modified_after=args.get("modified_after"),
        minimum_age=args.get("minimum_age"),
        maximum_age=args.get("maximum_age"),
        day=args.get("day"),
        start_time=args.get("start_time"),
        end_time=args.get("end_time"),
        place=place,
        proximity_m=args.get("proximity"),
        include_demo=args["include_demo"],
    )


def _ndjson(items: list[dict[str, Any]]) -> Response:
    def lines() -> Iterator[str]:
        for item in items:
            yield json.dumps(item, ensure_ascii=False) + "\n"

    return Response(stream_with_context(lines()), mimetype="application/x-ndjson")


@bp.get("/")
def api_meta() -> Response:
    """Say which HSDS version and profile this feed follows."""
    return jsonify(
        {
            "version": HSDS_VERSION,
            "profile": ORUK_PROFILE_URL,
            "openapi_url": ORUK_OPENAPI_URL,
        }
    )


@bp.get("/services")
def services() -> Response:
    """List services (one-to-one fields and organisation; `full=true` nests everything)."""
    args = _parse(FeedServiceArgsSchema())
    filters = _filters(args)
    every = args["format"] == "ndjson"
    page, per_page = args["page"], args["per_page"]
    rows, total = find_services(db.session, filters, page, None if every else per_page)
    kinds = kind_terms(db.session)
    contents = [service_to_hsds(s, kinds.get(s.kind), full=args["full"]) for s in rows]
    if every:
        return _ndjson(contents)
    return jsonify(page_envelope(contents, total, page, per_page))


@bp.get("/services/<string:service_id>")
def service_by_id(service_id: str) -> Response:
    """Get one service, fully nested."""
    args = _parse(FeedDemoArgsSchema())
    service = find_service(db.session, service_id)
    if service is None or not _listed(service, args["include_demo"]):
        raise NotFound(f"No service with id {service_id!r}.")
    kind = kind_terms(db.session).get(service.kind)
    return jsonify(service_to_hsds(service, kind))


@bp.get("/service_at_locations")
def service_at_locations() -> Response:
    """List services at locations, with the location and the service's one-to-one fields."""
    args = _parse(FeedServiceArgsSchema())
    filters = _filters(args)
    every = args["format"] == "ndjson"
    page, per_page = args["page"], args["per_page"]
    rows, total = find_service_at_locations(db.session, filters, page, None if every else per_page)
    contents = [
        service_at_location_to_hsds(
            link,
            only_nation(link.service),
            service=service_to_hsds(link.service, None, full=False),
            full=False,
        )
        for link in rows
    ]
    if every:
        return _ndjson(contents)
    return jsonify(page_envelope(contents, total, page, per_page))


@bp.get("/service_at_locations/<string:link_id>")
def service_at_location_by_id(link_id: str) -> Response:
    """Get one service at a location: the location with its address, and the whole service."""
    args = _parse(FeedDemoArgsSchema())
    link = db.session.get(ServiceAtLocation, link_id)
    if link is None or not _listed(link.service, args["include_demo"]):
        raise NotFound(f"No service_at_location with id {link_id!r}.")
    service = find_service(db.session, link.service_id)
    assert service is not None
    kind = kind_terms(db.session).get(service.kind)
    return jsonify(
        service_at_location_to_hsds(
            link, only_nation(service), service=service_to_hsds(service, kind)
        )
    )


@bp.get("/taxonomies")
def taxonomies() -> Response:
    """List the taxonomies (issue terms, service kinds)."""
    args = _parse(FeedPageArgsSchema())
    page, per_page = args["page"], args["per_page"]
    rows = db.session.scalars(select(Taxonomy).order_by(Taxonomy.slug, Taxonomy.id)).all()
    chosen = rows[(page - 1) * per_page : page * per_page]
    contents = [taxonomy_to_hsds(taxonomy, with_terms=False) for taxonomy in chosen]
    return jsonify(page_envelope(contents, len(rows), page, per_page))


@bp.get("/taxonomies/<string:taxonomy_id>")
def taxonomy_by_id(taxonomy_id: str) -> Response:
    """Get one taxonomy with its terms."""
    taxonomy = found_or_404(db.session.get(Taxonomy, taxonomy_id), "taxonomy", taxonomy_id)
    return jsonify(taxonomy_to_hsds(taxonomy, with_terms=True))


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> Response:
    """List taxonomy terms in display order (`taxonomy_id`, `parent_id`, `top_only`)."""
    args = _parse(FeedTermArgsSchema())
    page, per_page = args["page"], args["per_page"]
    statement = select(TaxonomyTerm)
    if args.get("taxonomy_id"):
        statement = statement.where(TaxonomyTerm.taxonomy_id == args["taxonomy_id"])
    if args.get("parent_id"):
        statement = statement.where(TaxonomyTerm.parent_id == args["parent_id"])
    if args["top_only"]:
        statement = statement.where(TaxonomyTerm.parent_id.is_(None))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.scalars(
        statement.order_by(TaxonomyTerm.taxonomy_id, TaxonomyTerm.position, TaxonomyTerm.code)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(page_envelope([term_to_hsds(t) for t in rows], total, page, per_page))


@bp.get("/taxonomy_terms/<string:term_id>")
def taxonomy_term_by_id(term_id: str) -> Response:
    """Get one taxonomy term."""
    term = found_or_404(db.session.get(TaxonomyTerm, term_id), "taxonomy term", term_id)
    return jsonify(term_to_hsds(term))


def _listed(service: Service, include_demo: bool) -> bool:
    """Whether the feed publishes this service: active, and not a demo unless asked for."""
    return service.status == "active" and (include_demo or not service.demo)


def _listed_services(organization: Organization, include_demo: bool) -> list[Service]:
    listed = (s for s in organization.services if _listed(s, include_demo))
    return sorted(listed, key=lambda s: (s.name, s.id))


@bp.get("/organizations")
def organizations() -> Response:
    """List organisations (HSDS 3.0; the ORUK profile leaves these endpoints optional)."""
    args = _parse(FeedDemoArgsSchema())
    page, per_page = args["page"], args["per_page"]
    statement = select(Organization).order_by(Organization.name, Organization.id)
    if not args["include_demo"]:
        statement = statement.where(Organization.demo.is_(False))
    rows = db.session.scalars(statement).all()
    chosen = rows[(page - 1) * per_page : page * per_page]
    contents = [organization_to_hsds(o) for o in chosen]
    return jsonify(page_envelope(contents, len(rows), page, per_page))


@bp.get("/organizations/<string:organization_id>")
def organization_by_id(organization_id: str) -> Response:
    """Get one organisation with the ids and names of the services it runs."""
    args = _parse(FeedDemoArgsSchema())
    organization = db.session.get(Organization, organization_id)
    if organization is None or (organization.demo and not args["include_demo"]):
        raise NotFound(f"No organization with id {organization_id!r}.")
    services = [
        {"id": s.id, "name": s.name, "status": s.status}
        for s in _listed_services(organization, args["include_demo"])
    ]
    return jsonify(organization_to_hsds(organization, services))


def register_feed(app: Flask) -> None:
    """Mount the /hsds feed."""
    app.register_blueprint(bp)
