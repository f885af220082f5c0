"""Locations: where services are met in person. Hidden and area-only addresses are shown in
full only to keys with the restricted scope."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from directory.api.auth import (
    BEARER_SCHEME,
    ETAG_HEADER,
    audit,
    check_if_match,
    has_scope,
    key_required,
)
from directory.api.presenters import present_location
from directory.api.schemas import LocationSchema
from directory.api.write_schemas import LocationWriteSchema
from directory.api.writes import (
    UNPROCESSABLE,
    etag_headers,
    one_transaction,
    patch_body,
    patch_doc,
)
from directory.editing import apply_location, location_input, merged_form
from directory.errors import found_or_404
from directory.extensions import db
from directory.models import Location
from directory.models.base import utcnow

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/api/v1/locations",
    description="Where services are met in person (link them with a service's location_ids)",
)

PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization"}


@blp.route("")
class Locations(MethodView):
    @key_required(blp, "write")
    @blp.arguments(LocationWriteSchema)
    @blp.response(201, LocationSchema, headers={"ETag": ETAG_HEADER})
    def post(self, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Add a location (write scope); PATCH a service's location_ids to link it."""
        location = Location()
        with one_transaction():
            db.session.add(location)
            apply_location(location, form)
            db.session.flush()
            audit("create", "location", location.id, None, location_input(location))
        return _shown(location)


@blp.route("/<string:location_id>")
class LocationById(MethodView):
    @blp.doc(security=[{}, {BEARER_SCHEME: []}])
    @blp.response(200, LocationSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(401, response="UNAUTHORIZED")
    def get(self, location_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Get one location, with as much of its address as the caller may see."""
        return _shown(_location_or_404(location_id))

    @key_required(blp, "write", if_match=True)
    @blp.doc(**patch_doc(LocationWriteSchema, "location"))
    @blp.response(200, LocationSchema, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(422, response=UNPROCESSABLE)
    def patch(self, location_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Change a location (write scope, If-Match): send only the fields that change."""
        location = _location_or_404(location_id)
        check_if_match(location.version)
        before = location_input(location)
        form = merged_form(LocationWriteSchema(), before, patch_body())
        with one_transaction():
            apply_location(location, form)
            if location_input(location) != before:
                audit("update", "location", location.id, before, location_input(location))
        return _shown(location)

    @key_required(blp, "write", if_match=True)
    @blp.response(204)
    def delete(self, location_id: str) -> None:
        """Take a location off every service (write scope, If-Match); the record is kept.

        Its address stops being published at once; the services it leaves get new versions.
        """
        location = _location_or_404(location_id)
        check_if_match(location.version)
        links = list(location.service_links)
        before = {"service_ids": sorted(link.service_id for link in links)}
        with one_transaction():
            for link in links:
                link.service.updated_at = utcnow()  # a new version (ETag) for each service
                db.session.delete(link)
            location.service_links.clear()
            audit("delete", "location", location.id, before, {"service_ids": []})


def _location_or_404(location_id: str) -> Location:
    return found_or_404(db.session.get(Location, location_id), "location", location_id)


def _shown(location: Location) -> tuple[dict[str, Any], dict[str, str]]:
    restricted = has_scope("restricted")
    headers = etag_headers(location.version)
    if restricted:
        headers.update(PRIVATE)
    return present_location(location, full=restricted), headers
