"""Nearby services: within the searcher's radius, and within a service's own radius."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from directory.extensions import db, gazetteer
from directory.geo import distance_km
from directory.models import Coverage, SearchPoint, Service
from directory.search import service as search
from tests.conftest import POSTGRES


def test_a_services_own_radius_limits_where_it_counts_as_nearby(app, seed):
    seed()  # the demo services have locations
    with app.app_context():
        session = db.session
        point = session.scalars(select(SearchPoint).order_by(SearchPoint.id)).first()
        service = session.get(Service, point.service_id)
        service.coverage = Coverage(scope="radius", radius_km=3.0)
        session.commit()
        here = replace(
            gazetteer().resolve("LS6"), latitude=point.latitude, longitude=point.longitude
        )
        two_km = replace(here, latitude=point.latitude + 0.018)  # 2 km north
        five_km = replace(here, latitude=point.latitude + 0.045)
        assert (
            1.9
            < distance_km(here.latitude, here.longitude, two_km.latitude, two_km.longitude)
            < 2.1
        )
        assert search.nearby_services(session, two_km, 25.0)[service.id] == distance_km(
            two_km.latitude, two_km.longitude, point.latitude, point.longitude
        )
        assert service.id not in search.nearby_services(session, five_km, 25.0)
        # The searcher's radius applies too.
        assert service.id not in search.nearby_services(session, two_km, 1.0)


def _radius_service_and_point(session, radius_km: float) -> tuple[Service, SearchPoint]:
    point = session.scalars(select(SearchPoint).order_by(SearchPoint.id)).first()
    service = session.get(Service, point.service_id)
    service.coverage = Coverage(scope="radius", radius_km=radius_km)
    session.commit()
    return service, point


def test_a_service_exactly_at_the_edge_of_either_radius_is_nearby(app, seed):
    seed()
    with app.app_context():
        session = db.session
        service, point = _radius_service_and_point(session, 1.0)
        here = gazetteer().resolve("LS6")
        north = replace(here, latitude=point.latitude + 0.009, longitude=point.longitude)
        km = distance_km(north.latitude, north.longitude, point.latitude, point.longitude)
        service.coverage.radius_km = km  # its own radius ends exactly here
        session.commit()
        assert search.nearby_services(session, north, km)[service.id] == km  # and the searcher's


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_postgresql_returns_only_the_points_within_reach(app, seed):
    """So that the full-text check runs only for those (search._within_reach)."""
    seed()
    with app.app_context():
        session = db.session
        service, point = _radius_service_and_point(session, 3.0)
        here = replace(
            gazetteer().resolve("LS6"), latitude=point.latitude, longitude=point.longitude
        )
        five_km = replace(here, latitude=point.latitude + 0.045, longitude=point.longitude)
        far_corner = replace(here, latitude=point.latitude + 0.08, longitude=point.longitude + 0.13)

        def returned(place, radius_km: float) -> set[str]:
            statement, params = search._nearby_query("postgresql", place, radius_km)
            return {row.service_id for row in session.execute(statement, params)}

        assert service.id in returned(here, 25.0)
        assert service.id not in returned(five_km, 25.0)  # beyond its own radius
        # In the box of a 10 km radius, but 12-13 km away (as far as the point's latitude has it).
        far = distance_km(
            point.latitude, point.longitude, far_corner.latitude, far_corner.longitude
        )
        assert far > 10.0
        service.coverage = Coverage(scope="national")
        session.commit()
        assert service.id in returned(far_corner, far + 0.5)
        assert service.id not in returned(far_corner, 10.0)
        service.coverage = Coverage(scope="radius", radius_km=40_030.0)  # round the Earth
        session.commit()
        assert service.id in returned(far_corner, far + 0.5)


def test_the_nearby_query_is_built_once_per_shape(seeded_app):
    with seeded_app.app_context():
        leeds, york = gazetteer().resolve("LS6"), gazetteer().resolve("YO1")
        search._nearby_statement.cache_clear()
        search.nearby_services(db.session, leeds, 10.0)
        search.nearby_services(db.session, york, 25.0)
        search.nearby_documents(db.session, york, 25.0, '"grief"')
        info = search._nearby_statement.cache_info()
        assert (info.misses, info.hits) == (2, 1)
