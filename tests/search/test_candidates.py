"""The candidates' query is built once per shape (filters, place, minute, day) and kept."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import and_, func, not_, or_, select

from directory.extensions import db
from directory.geo import Place
from directory.models import SearchDocument, SearchIssue
from directory.search.filters import ServiceFilters, document_conditions, filter_values
from directory.search.service import _candidates_statement
from tests.conftest import POSTGRES

AT = datetime(2026, 11, 25, 19, 30, 5, tzinfo=ZoneInfo("Europe/London"))


def statement(filters, relevance=None):
    return _candidates_statement(db.session, filters, relevance, None, {})


def test_the_same_shape_reuses_one_query_with_new_ids(seeded_app):
    with seeded_app.app_context():
        first, first_ids = statement(ServiceFilters(at=AT), {1: 1.0, 2: 0.5})
        again, again_ids = statement(
            ServiceFilters(at=AT + timedelta(seconds=30)), {3: 1.0}
        )  # the same minute
        assert again is first
        assert again_ids != first_ids
        assert statement(ServiceFilters(at=AT + timedelta(minutes=1)), {3: 1.0})[0] is not first
        assert statement(ServiceFilters(at=AT, nation="WLS"), {3: 1.0})[0] is not first
        assert statement(ServiceFilters(at=AT))[0] is not first  # no text: another shape


def test_an_issue_with_text_is_kept_with_its_narrower_terms(seeded_app):
    # With text the issue is checked on each row's own copy, as the issue or a narrower one.
    with seeded_app.app_context():
        filters = ServiceFilters(at=AT, issue="anxiety")
        kept, _ = statement(filters, {1: 1.0})
        assert statement(filters, {2: 1.0})[0] is kept
        assert "% panic %" in kept.compile().params.values()
        assert statement(filters)[0] is statement(filters)[0]


def place(district, name):
    return Place(district, name, "district", 53.8, -1.5, "district", "ENG", district)


def test_places_with_as_many_area_keys_share_one_query_with_their_own_keys(seeded_app):
    with seeded_app.app_context():
        filters = ServiceFilters(at=AT)
        leeds, leeds_params = _candidates_statement(
            db.session, filters, None, place("LS6", "Leeds"), {}
        )
        york, york_params = _candidates_statement(
            db.session, filters, None, place("YO1", "York"), {}
        )
        assert york is leeds
        assert areas(leeds_params) >= {"% LS %", "% LS6 %"}
        assert areas(york_params) >= {"% YO %", "% YO1 %"}
        assert not areas(york_params) & {"% LS %", "% LS6 %"}


def areas(params):
    return {value for name, value in params.items() if name.startswith("area_")}


def test_filters_of_one_shape_share_a_query_run_with_their_own_values(seeded_app):
    client = seeded_app.test_client()
    with seeded_app.app_context():
        wales, _ = statement(ServiceFilters(at=AT, nation="WLS", age=15, issue="anxiety"))
        scotland, values = statement(ServiceFilters(at=AT, nation="SCT", age=70, issue="grief"))
        assert scotland is wales
        assert values["filter_nation"] == "% SCT %"
        assert (values["filter_age"], values["filter_issue"]) == (70, "grief")
    # The kept query answers each search with its own filters.
    for nation, age in (("WLS", 15), ("SCT", 70), ("WLS", 70), ("NIR", 15)):
        body = {"nation": nation, "age": age, "issue": "depression", "per_page": 100}
        hits = client.post("/api/v1/search", json={**body, "at": AT.isoformat()}).get_json()
        assert hits["contents"]
        for hit in hits["contents"]:
            assert nation in hit["coverage"]["nations"]
            rules = hit["eligibility"] or {}
            assert (rules.get("min_age") or 0) <= age <= (rules.get("max_age") or 200)


def test_every_filter_value_is_a_parameter(seeded_app):
    every = ServiceFilters(
        at=AT,
        issue="anxiety",
        kind="helpline",
        channel="phone",
        nation="ENG",
        age=30,
        language="cy",
    )
    with seeded_app.app_context():
        built = select(SearchDocument.id).where(*document_conditions(db.session, every))
        compiled = built.compile().params
    assert {name: compiled[name] for name in filter_values(every)} == filter_values(every)
    assert set(filter_values(every)) == {
        "filter_issue",
        "filter_kind",
        "filter_channel",
        "filter_nation",
        "filter_age",
        "filter_language",
    }


# Moments for open-now: a weekday evening, a weekday morning, a Sunday night, Christmas
# morning (a bank holiday everywhere), and the minutes around a Monday's opening and closing.
MOMENTS = [
    AT,
    datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/London")),
    datetime(2026, 11, 29, 3, 0, tzinfo=ZoneInfo("Europe/London")),
    datetime(2026, 12, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")),
    *(
        datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo("Europe/London"))
        for hour, minute in ((8, 59), (9, 0), (16, 59), (17, 0))
    ),
]


def _with_rules_to_apply(session) -> None:
    """Some services closed on bank holidays, some with hours valid only from a date (open-now
    then needs the exact rules for them), some open 09:00-17:00 on Mondays only; committed
    through ordinary writes."""
    from directory.models import Service

    services = [
        service
        for service in session.scalars(select(Service).order_by(Service.name))
        if service.schedule is not None and service.schedule.rules and service.issues
    ]
    for service in services[::3]:
        service.schedule.bank_holidays = "closed"
    for service in services[1::3]:
        service.schedule.valid_from = date(2026, 11, 27)
    for service in services[2::3]:  # open until the very minute MOMENTS end with
        service.schedule.rules = [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]
    session.commit()


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_the_issue_open_now_copies_keep_every_document_open_now_could_keep(app, seed):
    """search_issue's open-now condition (filters.issue_open_now) is a superset of the
    document's own (open by the intervals, or the exact rules to decide), at every moment:
    it may only spare the query documents that could not be open."""
    from directory.search.filters import issue_open_now, open_now_key, open_now_sql

    seed(demo=True)
    with app.app_context():
        session = db.session
        _with_rules_to_apply(session)
        d = SearchDocument
        for at in MOMENTS:
            sql = open_now_sql(at, "postgresql")
            document_open = or_(and_(d.hours_known, sql.is_open), sql.needs_exact)
            spared = issue_open_now(open_now_key(at)[0])
            pairs = (
                select(func.count())
                .select_from(SearchIssue)
                .join(d, d.id == SearchIssue.document_id)
            )
            assert session.scalar(pairs.where(document_open, not_(spared))) == 0, at
            assert session.scalar(pairs.where(spared)) > 0, at
        # Not vacuous: at 03:00 on a Sunday most documents are closed, and spared.
        sunday_night = issue_open_now(open_now_key(MOMENTS[2])[0])
        assert session.scalar(pairs.where(not_(sunday_night))) > 0


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_an_issue_with_open_now_finds_the_same_through_the_copies(app, seed, monkeypatch):
    from directory.search import service as search_service

    seed(demo=True)
    with app.app_context():
        _with_rules_to_apply(db.session)
        issues = sorted({code for (code,) in db.session.execute(select(SearchIssue.issue_code))})
    client = app.test_client()

    def found(body):
        response = client.post("/api/v1/search", json={"per_page": 100, **body})
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        return page["total_items"], [hit["id"] for hit in page["contents"]]

    bodies = [
        {"issue": issue, "open_now": True, "at": at.isoformat(), **nation}
        for issue in issues
        for at in MOMENTS
        for nation in ({}, {"nation": "ENG"})
    ]
    through_copies = [found(body) for body in bodies]
    monkeypatch.setattr(search_service, "_issue_open_at", lambda *_: None)
    monkeypatch.setattr(search_service, "_statements", {})  # none kept with the copies
    without = [found(body) for body in bodies]
    assert through_copies == without
    assert sum(total for total, _ in without) > 0
