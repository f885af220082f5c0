"""Issue codes and their narrower terms come from the vocabulary (kept a minute), and a term
newer than the vocabulary is still known at once."""

from __future__ import annotations

from sqlalchemy import event, select

from directory.extensions import db
from directory.models import ISSUES_TAXONOMY, Service, Taxonomy, TaxonomyTerm
from directory.search.filters import issue_exists, narrower
from directory.search.vocabulary import load_vocabulary
from tests.api.test_triage import NO_RISK, WEDNESDAY_AFTERNOON


def test_known_issue_codes_and_their_narrower_terms_need_no_query(seeded_app):
    with seeded_app.app_context():
        load_vocabulary(db.session)
        statements = []

        def record(_connection, _cursor, statement, *_):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert issue_exists(db.session, "anxiety")
            anxiety = narrower(db.session, ["anxiety"])
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert statements == []
        assert anxiety[0] == "anxiety"
        assert {"panic", "ocd"} <= set(anxiety)
        assert not issue_exists(db.session, "sadness-of-the-moon")


def test_the_vocabularys_narrower_terms_are_the_taxonomys(seeded_app):
    with seeded_app.app_context():
        terms = db.session.scalars(select(TaxonomyTerm)).all()
        kept = load_vocabulary(db.session).narrower
        for term in terms:
            if term.code in kept:
                children = {t.code for t in terms if t.parent_id == term.id}
                assert set(kept[term.code]) == {term.code, *children}
        assert len(kept) > 20


def test_a_term_newer_than_the_vocabulary_is_known_at_once(app, seed):
    seed(demo=False)
    client = app.test_client()
    assert client.post("/api/v1/search", json={"q": "anxiety"}).status_code == 200
    with app.app_context():
        anxiety = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "anxiety"))
        issues = db.session.scalar(select(Taxonomy).where(Taxonomy.slug == ISSUES_TAXONOMY))
        hoarding = TaxonomyTerm(
            taxonomy_id=issues.id, code="hoarding", name="Hoarding", parent_id=anxiety.id
        )
        db.session.add(hoarding)
        samaritans = db.session.scalar(select(Service).where(Service.name == "Samaritans"))
        samaritans.issues.append(hoarding)
        db.session.commit()
        assert "hoarding" not in load_vocabulary(db.session).issue_names  # still the old one
        assert narrower(db.session, ["hoarding"]) == ["hoarding"]

    for text in ({}, {"q": "samaritans"}):
        search = client.post("/api/v1/search", json={"issue": "hoarding", **text})
        assert search.status_code == 200, search.get_json()
        assert [hit["name"] for hit in search.get_json()["contents"]] == ["Samaritans"]
    answers = {**NO_RISK, "issues": ["hoarding"], "impact": "moderate", "nation": "ENG"}
    triage = client.post("/api/v1/triage", json={"answers": answers, "at": WEDNESDAY_AFTERNOON})
    assert triage.status_code == 200, triage.get_json()
