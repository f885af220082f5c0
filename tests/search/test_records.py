"""Services as plain records: read from the tables, kept as JSON cards, cached by revision."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import delete, select

from directory.api.presenters import present_service
from directory.extensions import db
from directory.hours import now_in_london
from directory.models import SearchCard, SearchDocument, Service
from directory.search.filters import find_service
from directory.search.records import ServiceRecord, record_from_json, record_json, services_by_id
from directory.search.snapshots import forget_services, load_service, load_services


def _all_ids() -> list[str]:
    return list(db.session.scalars(select(Service.id).order_by(Service.id)))


def test_every_card_holds_what_the_tables_hold(app, seed):
    seed(demo=True)
    with app.app_context():
        ids = _all_ids()
        from_tables = services_by_id(db.session.connection(), ids)
        cards = dict(db.session.execute(select(SearchCard.service_id, SearchCard.card)).all())
        assert set(cards) == set(ids)
        for service_id, record in from_tables.items():
            from_card = record_from_json(cards[service_id])
            for name in (f.name for f in fields(record)):
                assert getattr(from_card, name) == getattr(record, name), (service_id, name)
            assert record_json(from_card) == cards[service_id]


def _samaritans_id() -> str:
    return db.session.scalar(select(Service.id).where(Service.name == "Samaritans"))


def _revision(service_id: str) -> str:
    """The search document's revision, under which the service is cached."""
    return db.session.scalar(
        select(SearchDocument.revision).where(SearchDocument.service_id == service_id)
    )


def _records_and_orm_services() -> list[tuple[ServiceRecord, Service]]:
    """Every service as a freshly read record and as the ORM loads it (in an app context)."""
    forget_services()
    ids = _all_ids()
    records = load_services(db.session, ids)
    return [(records[service_id], find_service(db.session, service_id)) for service_id in ids]


def test_a_record_shows_exactly_what_the_orm_service_shows(app, seed):
    seed(demo=True)
    at = now_in_london()
    with app.app_context():
        for record, service in _records_and_orm_services():
            for nation in (None, "ENG", "SCT"):
                shown = present_service(service, at=at, nation=nation, restricted=True)
                assert present_service(record, at=at, nation=nation, restricted=True) == shown


def test_a_records_kept_presentation_follows_the_scope_the_moment_and_the_nation(
    app, seed, monkeypatch
):
    """What present_service keeps of a record is kept per scope: a restricted view first
    never lends its internal notes or hidden addresses to a public one, and open-now and
    the channels for the person's nation are worked out for each call."""
    from directory.api import presenters

    seed(demo=True)
    built = []
    real = presenters._build_fixed_parts
    monkeypatch.setattr(
        presenters,
        "_build_fixed_parts",
        lambda service, restricted: built.append(restricted) or real(service, restricted),
    )
    moments = [now_in_london(), now_in_london().replace(hour=3)]
    with app.app_context():
        pairs = _records_and_orm_services()
        for record, service in pairs:
            for restricted, at, nation in [
                (True, moments[0], None),
                (False, moments[0], "SCT"),
                (True, moments[1], "ENG"),
                (False, moments[1], None),
            ]:
                expected = present_service(service, at=at, nation=nation, restricted=restricted)
                shown = present_service(record, at=at, nation=nation, restricted=restricted)
                assert shown == expected, (service.id, restricted, at, nation)
                assert ("internal_notes" in shown) is restricted
    # Per scope: the ORM service afresh at each of its two calls, the record once.
    assert built.count(True) == built.count(False) == 3 * len(pairs)


def test_without_a_card_the_record_is_read_from_the_tables(app, seed):
    seed(demo=False)
    with app.app_context():
        forget_services()
        ids = _all_ids()
        with_cards = {i: record_json(r) for i, r in load_services(db.session, ids).items()}
        db.session.execute(delete(SearchCard))
        forget_services()
        without = {i: record_json(r) for i, r in load_services(db.session, ids).items()}
        db.session.rollback()
    assert without == with_cards


def test_a_committed_change_reaches_the_card_and_the_cache(app, seed):
    seed(demo=False)
    with app.app_context():
        forget_services()
        service_id = _samaritans_id()
        before = load_services(db.session, [service_id])[service_id]
        revision = _revision(service_id)
        service = db.session.get(Service, service_id)
        service.channels[0].instructions = "Ask for a listener"
        db.session.commit()
        after = load_services(db.session, [service_id])[service_id]
        assert after is not before
        assert after.channels[0].instructions == "Ask for a listener"
        assert before.channels[0].instructions != "Ask for a listener"
        card = db.session.scalar(select(SearchCard.card).where(SearchCard.service_id == service_id))
        assert record_from_json(card).channels[0].instructions == "Ask for a listener"
        assert revision != _revision(service_id)


def test_known_revisions_serve_cached_services_without_a_query_and_never_stale(app, seed):
    from sqlalchemy import event

    seed(demo=False)
    with app.app_context():
        forget_services()
        service_id = _samaritans_id()
        old_revision = _revision(service_id)
        before = load_services(db.session, [service_id])[service_id]
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        cached = load_services(db.session, [service_id], {service_id: old_revision})
        assert cached[service_id] is before
        assert statements == []

        db.session.get(Service, service_id).channels[0].instructions = "Ask for a listener"
        db.session.commit()
        new_revision = _revision(service_id)
        after = load_services(db.session, [service_id], {service_id: new_revision})
        assert after[service_id].channels[0].instructions == "Ask for a listener"


def test_one_service_by_id_or_slug_is_one_statement_when_cached_and_never_stale(app, seed):
    from sqlalchemy import event

    seed(demo=False)
    with app.app_context():
        forget_services()
        service_id = _samaritans_id()
        slug = db.session.get(Service, service_id).slug
        db.session.rollback()
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            first = load_service(db.session, service_id)
            read = len(statements)
            statements.clear()
            by_slug = load_service(db.session, slug)
            cached = len(statements)
            db.session.rollback()
            db.session.get(Service, service_id).channels[0].instructions = "Ask for a listener"
            db.session.commit()
            statements.clear()
            after = load_service(db.session, slug)
            reread = len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        missing = load_service(db.session, "no-such-service")
    assert first is not None
    assert first.id == service_id
    assert by_slug is first
    assert (read, cached, reread) == (2, 1, 2)  # id and revision, then the card unless cached
    assert after is not first
    assert after.channels[0].instructions == "Ask for a listener"
    assert missing is None


def test_a_records_hours_are_worked_out_once(monkeypatch):
    from directory.search import availability
    from directory.search.records import ScheduleRecord

    schedule = ScheduleRecord(
        open_24_7=False,
        bank_holidays="normal",
        rules=[{"days": ["mon"], "opens": "09:00", "closes": "17:00"}],
        valid_from=None,
        valid_to=None,
        notes=None,
        verification="verified",
    )
    written = []
    real = availability._hours_json
    monkeypatch.setattr(availability, "_hours_json", lambda s: written.append(s) or real(s))
    first = availability.schedule_hours(schedule)
    assert first is not None
    assert availability.schedule_hours(schedule) is first
    assert written == [schedule]
    # An equal record is another record: worked out for itself, to the same hours.
    twin = ScheduleRecord(**{f: getattr(schedule, f) for f in schedule.__dataclass_fields__})
    assert availability.schedule_hours(twin) == first
    assert written == [schedule, twin]


def test_what_search_keeps_about_a_record_does_not_keep_it_alive(app, seed):
    import gc
    import weakref

    from directory.search import service as search_service
    from directory.search.availability import schedule_hours
    from directory.search.text import parse_query

    seed(demo=False)
    with app.app_context():
        forget_services()
        service_id = _samaritans_id()
        record = load_services(db.session, [service_id])[service_id]
        parsed = parse_query("samaritans", {}, frozenset(["samaritans"]))
        filters = search_service.ServiceFilters(at=now_in_london())
        assert search_service._matched(record, parsed, filters, None, None)["terms"]
        schedules = [
            schedule
            for schedule in [record.schedule, *(c.schedule for c in record.channels)]
            if schedule is not None and schedule.published
        ]
        assert schedules
        assert schedule_hours(schedules[0]) is not None
        gone = [weakref.ref(record), weakref.ref(schedules[0])]
        del record, schedules
        forget_services()
        db.session.rollback()
    gc.collect()
    assert [ref() for ref in gone] == [None, None]


def test_channels_sharing_the_services_hours_are_worked_out_once(app, seed, monkeypatch):
    from directory.search import availability

    seed(demo=False)
    at = now_in_london()
    with app.app_context():
        service_id = _samaritans_id()
        service = load_services(db.session, [service_id], {service_id: _revision(service_id)})[
            service_id
        ]
        one_by_one = [
            (channel, availability.channel_status(channel, service, at, "ENG"))
            for channel in availability.visible_channels(service, "ENG")
        ]
        # The objects themselves, held: an id alone may be reused once its object is gone.
        hours = [availability.channel_hours(channel, service) for channel, _ in one_by_one]
        distinct = {id(h): h for h in hours if h is not None}
        calls = []
        real = availability.open_status
        monkeypatch.setattr(availability, "open_status", lambda *a: calls.append(a) or real(*a))
        assert availability.channel_statuses(service, at, "ENG") == one_by_one
        assert sum(h is not None for h in hours) > len(distinct)  # some share hours
        assert len(calls) == len(distinct)
