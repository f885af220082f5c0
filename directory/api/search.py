"""Search: GET for links and type-ahead, POST so that a need never sits in a URL or a log."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from directory.api.args import at_field, nation_field
from directory.api.limits import rate_limited
from directory.api.paging import MAX_PER_PAGE, page_envelope, page_schema
from directory.api.presenters import present_place, present_service
from directory.api.responses import json_response
from directory.api.schemas import PlaceSchema, SafetySchema, ServiceSchema
from directory.errors import InvalidInput, unknown_place
from directory.extensions import db, gazetteer, geocoder
from directory.geo import UnknownPlace
from directory.hours import now_in_london
from directory.models import CHANNEL_TYPES, SERVICE_KINDS
from directory.safety import safety_block_dict
from directory.search.filters import issue_exists
from directory.search.service import SearchRequest, search_services, shown_distance_km

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/api/v1/search",
    description="Find services by need, place and availability",
)

FILTERS = (
    "issue", "kind", "channel", "nation", "age", "free", "self_referral", "open_now",
    "language", "include_demo", "without_phone",
)  # fmt: skip


class SearchArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(
        validate=validate.Length(max=4096),
        metadata={"description": "What the person needs, in their words (typos, synonyms fine)"},
    )
    issue = fields.String(metadata={"description": "Issue term code, e.g. bereavement"})
    kind = fields.String(validate=validate.OneOf(SERVICE_KINDS))
    channel = fields.String(validate=validate.OneOf(CHANNEL_TYPES))
    nation = nation_field("The person's nation; inferred from `near` when omitted")
    age = fields.Integer(validate=validate.Range(min=0, max=120))
    open_now = fields.Boolean()
    free = fields.Boolean()
    self_referral = fields.Boolean()
    near = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Postcode, district, town or 'lat,lon'"},
    )
    radius_km = fields.Float(validate=validate.Range(min=0.1, max=200))
    language = fields.String(validate=validate.Regexp(r"^[a-z]{2}$"))
    include_demo = fields.Boolean(load_default=True)
    without_phone = fields.Boolean(
        metadata={
            "description": "Only services you can reach without a voice call: text, chat, "
            "email, app, online community, in person or video"
        }
    )
    at = at_field()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class MatchedSchema(Schema):
    terms = fields.List(fields.String(), required=True)
    synonyms = fields.List(fields.Dict(), required=True)
    issues = fields.List(fields.String(), required=True)
    place = fields.Dict(allow_none=True)


class SearchHitSchema(ServiceSchema):
    distance_km = fields.Float(allow_none=True)
    score = fields.Float(required=True)
    matched = fields.Nested(MatchedSchema, required=True)


class QuerySchema(Schema):
    text = fields.String(required=True)
    words = fields.List(fields.String(), required=True)
    synonyms = fields.List(fields.Dict(), required=True)
    corrections = fields.List(fields.Dict(), required=True)


class SearchResponseSchema(page_schema(SearchHitSchema)):  # type: ignore[misc]
    """The Page envelope of hits, plus what the search understood."""

    query = fields.Nested(QuerySchema, allow_none=True)
    suggestion = fields.String(allow_none=True)
    place = fields.Nested(PlaceSchema, allow_none=True)
    facets = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer())
    )
    safety = fields.Nested(SafetySchema, required=True)


SEARCH_RESPONSE = SearchResponseSchema()
# Instances, not classes: given a class, webargs builds a schema for every request (2.4% of a
# worker's time under the load benchmark, py-spy).
SEARCH_ARGS = SearchArgsSchema()


def run_search(args: dict[str, Any]) -> dict[str, Any]:
    """Validate what the schema cannot, search, and shape the response."""
    if args.get("issue") and not issue_exists(db.session, args["issue"]):
        raise InvalidInput(errors={"issue": [f"Unknown issue code {args['issue']!r}."]})
    request = SearchRequest(
        at=args.get("at") or now_in_london(),
        q=args.get("q"),
        near=args.get("near"),
        radius_km=args.get("radius_km"),
        page=args["page"],
        per_page=args["per_page"],
        filters={key: args[key] for key in FILTERS if key in args},
    )
    try:
        result = search_services(db.session, request, gazetteer(), geocoder())
    except UnknownPlace as unknown:
        raise unknown_place("near", unknown.query, unknown.suggestions) from None
    contents = [
        {
            **present_service(hit.service, at=request.at, nation=result.nation),
            "distance_km": shown_distance_km(hit.service, hit.distance_km),
            "score": hit.score,
            "matched": hit.matched,
        }
        for hit in result.hits
    ]
    parsed = result.query
    return {
        **page_envelope(contents, result.total, request.page, request.per_page),
        "query": None
        if parsed is None
        else {
            "text": parsed.text,
            "words": list(parsed.words),
            "synonyms": [{"typed": s.typed, "issue": s.issue} for s in parsed.synonyms],
            "corrections": [{"typed": t, "meant": m} for t, m in parsed.corrections],
        },
        "suggestion": parsed.suggestion if parsed else None,
        "place": present_place(result.place),
        "facets": result.facets,
        "safety": safety_block_dict(result.nation),
    }


@blp.route("")
class Search(MethodView):
    @blp.arguments(SEARCH_ARGS, location="query", unknown=RAISE)
    @blp.response(200, SearchResponseSchema)
    @rate_limited(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """Search services (query string; prefer POST for what a person typed)."""
        return json_response(SEARCH_RESPONSE, run_search(args))

    @blp.arguments(SEARCH_ARGS, location="json")
    @blp.response(200, SearchResponseSchema)
    @rate_limited(blp)
    def post(self, args: dict[str, Any]) -> Response:
        """Search services with the request in the body, so it stays out of URLs and logs."""
        return json_response(SEARCH_RESPONSE, run_search(args))
