"""The candidates' query is built once per shape (filters, place, minute, day) and kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from directory.extensions import db
from directory.geo import Place
from directory.models import SearchDocument
from directory.search.filters import ServiceFilters, document_conditions, filter_values
from directory.search.service import _candidates_statement

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
