"""The candidates' query is built once per shape (filters, place, minute, day) and kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from directory.extensions import db
from directory.search.filters import ServiceFilters
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


def test_an_issue_with_text_is_built_afresh(seeded_app):
    # The issue's narrower terms are read from the taxonomy for it (issue_copy_clause).
    with seeded_app.app_context():
        filters = ServiceFilters(at=AT, issue="anxiety")
        assert statement(filters, {1: 1.0})[0] is not statement(filters, {1: 1.0})[0]
        assert statement(filters)[0] is statement(filters)[0]
