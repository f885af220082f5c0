"""Places: resolve a postcode, district, town or 'lat,lon' offline."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from directory.api.limits import rate_limited
from directory.api.presenters import present_place
from directory.api.schemas import PlaceSchema
from directory.errors import unknown_place
from directory.extensions import db, gazetteer, geocoder
from directory.geo import UnknownPlace
from directory.search.service import resolve_place

blp = Blueprint("places", __name__, url_prefix="/api/v1/places", description="UK places")


@blp.route("/<path:query>")
class PlaceByQuery(MethodView):
    @blp.response(200, PlaceSchema)
    @rate_limited(blp)
    def get(self, query: str) -> dict[str, Any]:
        """Resolve a postcode, district, town or 'lat,lon' to a point, its precision and nation."""
        try:
            place = resolve_place(db.session, gazetteer(), query, geocoder())
        except UnknownPlace as unknown:
            raise unknown_place("query", unknown.query, unknown.suggestions) from None
        return present_place(place) or {}
