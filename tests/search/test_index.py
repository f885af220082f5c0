"""The search index follows every write in the same transaction; reindex repairs it."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from directory.extensions import db
from directory.hours import parse_hours
from directory.models import (
    Location,
    OpeningInterval,
    SearchDocument,
    SearchIssue,
    SearchPoint,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search.index import (
    commit_bulk_change,
    index_is_complete,
    index_services,
    intervals_for,
    reindex_all,
)
from directory.search.vocabulary import forget_vocabulary
from tests.conftest import POSTGRES
from tests.helpers import search_issue_copies


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


def test_a_rebuild_writes_points_in_latitude_order(app, seed):
    """So that a place's nearby points share the table's pages (search/index.py)."""
    seed(demo=True)
    with app.app_context():
        session = db.session
        in_service_order = select(SearchPoint.latitude).order_by(
            SearchPoint.service_id, SearchPoint.id
        )
        by_service = session.scalars(in_service_order).all()
        reindex_all(session)
        session.commit()
        written = session.execute(
            select(SearchPoint.latitude, SearchPoint.longitude).order_by(SearchPoint.id)
        ).all()
    assert len(written) > 5
    assert by_service != sorted(by_service)  # not so already
    assert written == sorted(written)


def test_reindex_leaves_the_index_following_writes(app, seed):
    # reindex_all rebuilds the SQLite full-text index in one pass without its triggers; they
    # must be back afterwards.
    seed(demo=False)
    with app.app_context():
        reindex_all(db.session)
        db.session.commit()
        service = db.session.scalar(select(Service).where(Service.name == "Samaritans"))
        service.name = "Samaritans Quokka Line"
        db.session.commit()
    assert "Samaritans Quokka Line" in found(app, "quokka")


def test_overlapping_channel_hours_become_one_interval():
    evenings = parse_hours({"rules": [{"days": ["mon"], "opens": "18:00", "closes": "22:00"}]})
    late = parse_hours({"rules": [{"days": ["mon"], "opens": "21:00", "closes": "23:30"}]})
    touching = parse_hours({"rules": [{"days": ["mon"], "opens": "23:30", "closes": "23:45"}]})
    rows = intervals_for(SimpleNamespace(id="s"), [evenings, late, touching])
    assert [(r["start_minute"], r["end_minute"]) for r in rows] == [(18 * 60, 23 * 60 + 45)]


def test_located_services_get_search_points_with_their_coverage(app, seed):
    seed(demo=True)
    with app.app_context():
        located = db.session.scalar(
            select(func.count(func.distinct(ServiceAtLocation.service_id)))
            .join(Location)
            .where(Location.latitude.is_not(None))
        )
        points = db.session.scalars(select(SearchPoint)).all()
        assert located > 0
        assert len({p.service_id for p in points}) == located
        for point in points:
            document = db.session.get(SearchDocument, point.document_id)
            assert document.service_id == point.service_id
            assert point.coverage_scope == document.coverage_scope
            assert point.coverage_areas == document.coverage_areas


def _derived_rows(session):
    documents = [
        {k: v for k, v in row._asdict().items() if k not in ("id", "revision")}
        for row in session.execute(select(*SearchDocument.__table__.c))
    ]
    intervals = session.execute(
        select(OpeningInterval.service_id, OpeningInterval.start_minute, OpeningInterval.end_minute)
    ).all()
    points = session.execute(
        select(
            SearchPoint.service_id,
            SearchPoint.latitude,
            SearchPoint.longitude,
            SearchPoint.coverage_scope,
            SearchPoint.coverage_radius_km,
            SearchPoint.coverage_areas,
        )
    ).all()
    issues = session.execute(
        select(
            SearchIssue.issue_code,
            SearchIssue.service_id,
            SearchIssue.nations,
            SearchIssue.open_week,
            SearchIssue.open_week_incomplete,
        )
    ).all()
    key = lambda item: str(item)  # noqa: E731
    return (
        sorted(documents, key=key),
        sorted(intervals, key=key),
        sorted(points, key=key),
        sorted(issues, key=key),
    )


def test_the_bulk_rebuild_and_the_per_write_index_agree(app, seed):
    # reindex_all reads plain records (search/records.py); writes index through the ORM.
    seed(demo=True)
    with app.app_context():
        session = db.session
        reindex_all(session)
        session.commit()
        bulk = _derived_rows(session)
        index_services(session, session.scalars(select(Service.id)).all())
        session.commit()
        per_write = _derived_rows(session)
    assert len(bulk[0]) > 100
    assert bulk == per_write


def test_parsed_hours_are_shared_by_content_and_keep_dates():
    from datetime import date

    from directory.search.availability import schedule_hours

    hours = {
        "open_24_7": False,
        "bank_holidays": "normal",
        "rules": [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}],
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
    }
    first = SimpleNamespace(published=True, as_hours_dict=lambda: hours)
    second = SimpleNamespace(published=True, as_hours_dict=lambda: dict(hours))
    unpublished = SimpleNamespace(published=False, as_hours_dict=lambda: hours)
    assert schedule_hours(first) is schedule_hours(second)
    assert schedule_hours(first) == parse_hours(hours)
    assert schedule_hours(first).valid_from == date(2026, 1, 1)
    assert schedule_hours(unpublished) is None


def test_cached_service_copies_present_exactly_like_the_database(app, seed):
    from directory.api.presenters import present_service
    from directory.search.filters import with_details
    from directory.search.snapshots import forget_services, load_services
    from tests.helpers import WEDNESDAY_AFTERNOON

    at = datetime.fromisoformat(WEDNESDAY_AFTERNOON.replace("Z", "+00:00"))
    seed(demo=True)
    forget_services()
    with app.app_context():
        session = db.session
        ids = session.scalars(select(Service.id)).all()
        first = load_services(session, ids)  # loaded and copied
        again = load_services(session, ids)  # from the cache
        fresh = {s.id: s for s in session.scalars(with_details(select(Service)))}
        for service_id in ids:
            assert again[service_id] is first[service_id]
            for nation in (None, "SCT"):
                expected = present_service(fresh[service_id], at=at, nation=nation)
                cached = present_service(again[service_id], at=at, nation=nation)
                assert cached == expected, fresh[service_id].name


def test_a_change_is_never_served_from_an_old_copy(app, seed):
    from directory.search.snapshots import load_services

    seed(demo=False)
    with app.app_context():
        session = db.session
        service = session.scalar(select(Service).where(Service.name == "Samaritans"))
        before = load_services(session, [service.id])[service.id]
        service.description = "A changed description"
        session.commit()
        after = load_services(session, [service.id])[service.id]
    assert after is not before
    assert after.description == "A changed description"


def test_upgrading_to_search_issue_fills_it_as_the_index_would(app, seed):
    from alembic import command

    from directory.migrate import alembic_config, upgrade_database

    def issue_rows(session):
        rows = session.execute(
            select(SearchIssue.issue_code, SearchDocument.service_id, SearchIssue.nations).join(
                SearchDocument, SearchDocument.id == SearchIssue.document_id
            )
        ).all()
        return sorted(tuple(row) for row in rows)

    seed(demo=True)
    with app.app_context():
        indexed = issue_rows(db.session)
        db.session.commit()
        config = alembic_config()
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        upgrade_database(db.engine)
        assert issue_rows(db.session) == indexed
    # A panic service is found under anxiety, its broader term, too.
    panic = {service for code, service, _ in indexed if code == "panic"}
    assert panic
    assert panic <= {service for code, service, _ in indexed if code == "anxiety"}
    assert all(nations.strip() for _, _, nations in indexed)  # the documents' nations


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_committed_bulk_change_has_planner_statistics_on_sqlite(app, seed):
    seed(demo=False)
    with app.app_context():
        reindex_all(db.session)
        commit_bulk_change(db.session)
        analyzed = db.session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
    assert {"search_document", "search_issue"} <= set(analyzed)


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_a_committed_bulk_change_leaves_no_full_text_entries_pending(app, seed):
    seed(demo=False)
    gin_indexes = ("ix_search_document_document", "ix_search_document_name_terms")

    def pending_pages_merged() -> list[int]:
        clean = "SELECT gin_clean_pending_list(CAST(:index AS regclass))"
        return [db.session.scalar(text(clean), {"index": index}) for index in gin_indexes]

    analyzed = text(
        "SELECT coalesce(analyze_count, 0) FROM pg_stat_user_tables"
        " WHERE schemaname = current_schema() AND relname = 'search_issue'"
    )
    with app.app_context():
        reindex_all(db.session)
        before = db.session.scalar(analyzed)
        commit_bulk_change(db.session)
        assert pending_pages_merged() == [0, 0]
        assert db.session.scalar(analyzed) > before  # VACUUM (ANALYZE), not VACUUM alone
        reindex_all(db.session)  # a bulk change leaves entries pending: the check can fail
        assert all(pages > 0 for pages in pending_pages_merged())
        db.session.rollback()


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_a_committed_bulk_change_lets_index_only_scans_skip_the_tables(app, seed):
    seed(demo=False)  # a bulk change, committed but not yet vacuumed

    def heap_fetches() -> int:
        """Table pages an index-only scan of search_issue had to read."""
        with db.engine.connect() as connection:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            connection.execute(text("SET LOCAL enable_bitmapscan = off"))
            plan = connection.execute(
                text(
                    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT document_id FROM search_issue"
                    " WHERE issue_code = 'anxiety'"
                )
            ).scalar_one()
        scan = plan[0]["Plan"]
        assert scan["Node Type"] == "Index Only Scan"
        return int(scan["Heap Fetches"])

    with app.app_context():
        assert heap_fetches() > 0  # not yet vacuumed: the check can fail
        commit_bulk_change(db.session)
        assert heap_fetches() == 0


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_open_week_answers_open_now_as_the_intervals_do(app, seed):
    """PostgreSQL answers open-now from each document's open_week (filters.open_now_sql);
    the writer must give it exactly the service's intervals, ends excluded."""
    seed()
    minutes = sorted({*range(0, 7 * 24 * 60, 97), 540, 1020, 10079})  # 09:00, 17:00 Monday
    by_week = text(
        "SELECT count(*) FROM search_document AS d, unnest(CAST(:minutes AS int[])) AS m"
        " WHERE d.open_week @> m"
    )
    by_intervals = text(
        "SELECT count(*) FROM opening_interval AS i, unnest(CAST(:minutes AS int[])) AS m"
        " WHERE i.start_minute <= m AND m < i.end_minute"
    )
    with app.app_context():
        session = db.session
        # Every opening interval's first minute open, its end closed.
        starts = session.scalars(select(OpeningInterval.start_minute)).all()
        ends = session.scalars(select(OpeningInterval.end_minute)).all()
        assert starts
        for sample in (minutes, sorted(set(starts)), sorted(set(ends))):
            expected = session.scalar(by_intervals, {"minutes": sample})
            assert session.scalar(by_week, {"minutes": sample}) == expected


def test_search_issue_carries_its_documents_open_now_copies(app, seed):
    from directory.models import Service as ServiceModel

    seed(demo=True)
    with app.app_context():
        session = db.session
        # One service's hours made to need the exact rules, through an ordinary write.
        service = next(
            service
            for service in session.scalars(select(ServiceModel).order_by(ServiceModel.name))
            if service.schedule is not None and service.schedule.rules and service.issues
        )
        service.schedule.bank_holidays = "closed"
        session.commit()
        rows = session.execute(search_issue_copies()).all()
        postgres = session.get_bind().dialect.name == "postgresql"
        changed = session.scalars(
            select(SearchIssue.open_week_incomplete).where(SearchIssue.service_id == service.id)
        ).all()
    assert rows
    assert changed  # rewritten with the service
    assert all(changed)
    assert all(row[1] is bool(row[3]) for row in rows)
    assert any(row[1] for row in rows)
    assert not all(row[1] for row in rows)
    if postgres:
        assert all(row[0] == row[2] for row in rows)
        assert any(row[0] for row in rows)
