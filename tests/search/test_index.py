"""The search index follows every write in the same transaction; reindex repairs it."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import OpeningInterval, SearchDocument, Service, TaxonomyTerm
from directory.search.index import index_is_complete, reindex_all
from directory.search.vocabulary import forget_vocabulary


def found(app, q):
    forget_vocabulary()
    response = app.test_client().post("/api/v1/search", json={"q": q, "include_demo": False})
    return [hit["name"] for hit in response.get_json()["contents"]]


def test_seeding_builds_the_index(app, seed):
    seed(demo=False)
    with app.app_context():
        assert index_is_complete(db.session)
        assert db.session.scalar(select(func.count(OpeningInterval.id))) > 0


def test_a_committed_change_is_searchable_at_once(app, seed):
    seed(demo=False)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.name == "Samaritans"))
        service.name = "Samaritans Listening Volunteers"
        db.session.commit()
    assert "Samaritans Listening Volunteers" in found(app, "volunteers")


def test_a_rolled_back_change_is_not(app, seed):
    seed(demo=False)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.name == "Samaritans"))
        service.name = "Zebra Line"
        db.session.flush()
        db.session.rollback()
    assert found(app, "zebra") == []


def test_a_new_synonym_reaches_the_services_of_its_term(app, seed):
    seed(demo=False)
    with app.app_context():
        term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "gambling"))
        term.synonyms = [*term.synonyms, "flutter"]
        db.session.commit()
    assert "National Gambling Helpline (GamCare)" in found(app, "flutter")


def test_deleting_a_service_removes_its_document(app, seed):
    seed(demo=False)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.name == "Shout"))
        db.session.delete(service)
        db.session.commit()
        assert index_is_complete(db.session)
    assert "Shout" not in found(app, "shout")


def test_reindex_repairs_a_damaged_index(app, seed):
    seed(demo=False)
    with app.app_context():
        db.session.execute(SearchDocument.__table__.delete())
        db.session.commit()
        assert not index_is_complete(db.session)
        reindex_all(db.session)
        db.session.commit()
        assert index_is_complete(db.session)
    assert "Samaritans" in found(app, "samaritans")
