"""Places and distances: postcode parsing, the offline gazetteer, an optional online geocoder.

Pure: no Flask, no SQLAlchemy. Plain data in, frozen dataclasses out.
"""

from directory.geo.areas import area_key, area_keys, in_areas, place_keys
from directory.geo.distance import (
    EARTH_RADIUS_KM,
    bounding_box,
    distance_from,
    distance_km,
    haversine_term,
)
from directory.geo.gazetteer import (
    Gazetteer,
    OutcodeCentre,
    Place,
    PostcodeLookup,
    Town,
    UnknownPlace,
    load_gazetteer,
    normalise_name,
)
from directory.geo.geocoder import make_geocoder
from directory.geo.postcodes import (
    NATION_BY_COUNTRY_CODE,
    NATIONS,
    Postcode,
    parse_postcode,
    read_postcode_csv,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "NATIONS",
    "NATION_BY_COUNTRY_CODE",
    "Gazetteer",
    "OutcodeCentre",
    "Place",
    "Postcode",
    "PostcodeLookup",
    "Town",
    "UnknownPlace",
    "area_key",
    "area_keys",
    "bounding_box",
    "distance_from",
    "distance_km",
    "haversine_term",
    "in_areas",
    "load_gazetteer",
    "make_geocoder",
    "place_keys",
    "normalise_name",
    "parse_postcode",
    "read_postcode_csv",
]
