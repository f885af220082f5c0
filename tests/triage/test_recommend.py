"""Choosing extra candidates beyond the level's routes: local ones are never crowded out."""

from __future__ import annotations

from sqlalchemy import select

from directory.extensions import db, gazetteer
from directory.models import SearchDocument
from directory.search.service import nearby_services
from directory.triage import recommend
from directory.triage.engine import Answers


def test_local_services_keep_their_places_among_many_national_ones(seeded_app, monkeypatch):
    monkeypatch.setattr(recommend, "MAX_EXTRA_CANDIDATES", 3)
    monkeypatch.setattr(recommend, "MAX_LOCAL_CANDIDATES", 1)
    answers = Answers(immediate_danger="no", suicidal_thoughts="no", issues=("depression",))
    with seeded_app.app_context():
        session = db.session
        distances = nearby_services(session, gazetteer().resolve("LS11"), 10.0)
        chosen = recommend._extra_candidates(session, answers, 3, distances, set())
        scopes = dict(
            session.execute(select(SearchDocument.service_id, SearchDocument.coverage_scope)).all()
        )
    assert len(chosen) == 3
    # A local service first (without the cap, national ones sorted first took every place),
    # then national ones.
    assert chosen[0].id in distances
    assert all(scopes[s.id] == "national" for s in chosen[1:])


def test_extra_candidates_share_one_query_per_shape_with_their_own_values(seeded_app):
    recommend._extra_kept.clear()
    with seeded_app.app_context():
        session = db.session
        chosen = {}
        for nation in ("ENG", "WLS", "SCT"):
            answers = Answers(
                immediate_danger="no", suicidal_thoughts="no", issues=("depression",), nation=nation
            )
            chosen[nation] = recommend._extra_candidates(session, answers, 3, {}, set())
            assert chosen[nation]
            assert all(nation in service.nations for service in chosen[nation])
        assert len(recommend._extra_kept) == 1
        # Known services (the routes') are left out, whatever the last query's were.
        first = chosen["WLS"][0].id
        answers = Answers(
            immediate_danger="no", suicidal_thoughts="no", issues=("depression",), nation="WLS"
        )
        again = recommend._extra_candidates(session, answers, 3, {}, {first})
        assert first not in {service.id for service in again}
        assert len(recommend._extra_kept) == 1
