"""Nearby services: within the searcher's radius, and within a service's own radius."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from directory.extensions import db, gazetteer
from directory.geo import distance_km
from directory.models import Coverage, SearchPoint, Service
from directory.search import service as search


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


def test_the_nearby_query_is_built_once_per_shape(seeded_app):
    with seeded_app.app_context():
        leeds, york = gazetteer().resolve("LS6"), gazetteer().resolve("YO1")
        search._nearby_statement.cache_clear()
        search.nearby_services(db.session, leeds, 10.0)
        search.nearby_services(db.session, york, 25.0)
        search.nearby_documents(db.session, york, 25.0, '"grief"')
        info = search._nearby_statement.cache_info()
        assert (info.misses, info.hits) == (2, 1)
