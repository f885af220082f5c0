"""Great-circle distances, which rank local services by how far away they are."""

from __future__ import annotations

import pytest

from directory.geo import bounding_box, distance_km

LEEDS = (53.7965, -1.5479)
EDINBURGH = (55.9521, -3.1965)
CARDIFF = (51.4816, -3.1791)
BELFAST = (54.5968, -5.9254)


@pytest.mark.parametrize(
    ("start", "end", "km", "tolerance"),
    [
        (LEEDS, EDINBURGH, 261, 5),
        (CARDIFF, BELFAST, 392, 5),
        ((0.0, 0.0), (1.0, 0.0), 111.195, 0.001),  # one degree of a meridian
        (LEEDS, LEEDS, 0, 1e-9),
        ((0.0, 179.5), (0.0, -179.5), 111.2, 0.1),  # across the antimeridian, not round the world
    ],
)
def test_distance_km_matches_known_distances(
    start: tuple[float, float], end: tuple[float, float], km: float, tolerance: float
) -> None:
    assert distance_km(*start, *end) == pytest.approx(km, abs=tolerance)
    assert distance_km(*end, *start) == pytest.approx(distance_km(*start, *end))


def test_distance_km_agrees_with_geopy_great_circle() -> None:
    distance = pytest.importorskip("geopy.distance")

    assert distance_km(*LEEDS, *EDINBURGH) == pytest.approx(
        distance.great_circle(LEEDS, EDINBURGH).km, rel=1e-6
    )


@pytest.mark.parametrize("radius_km", [1, 10, 50])
def test_bounding_box_contains_every_point_within_the_radius(radius_km: float) -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(*LEEDS, radius_km)

    for bearing_lat, bearing_lon in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
        # Walk out along each axis until just inside the radius: the box must still hold it.
        lat, lon = LEEDS
        step = 0.0005
        while distance_km(*LEEDS, lat + bearing_lat * step, lon + bearing_lon * step) < radius_km:
            lat, lon = lat + bearing_lat * step, lon + bearing_lon * step
        assert min_lat <= lat <= max_lat
        assert min_lon <= lon <= max_lon
