"""filters.among_value: a list of ids as one parameter, read back exactly by each database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from directory.extensions import db
from directory.search.filters import among_value
from tests.conftest import BACKENDS

STRINGS = [
    "3f2b8c1e-0a4d-4a8e-9d51-7c2a1e5b9f00",
    "samaritans",
    'a "quoted" id',
    "back\\slash",
    "line\nbreak and\ttab",
    "ünïcode ✓",
    "",
    "comma, {braces} and spaces",
]
_READ = {
    "sqlite": {int: "SELECT value FROM json_each(:ids)", str: "SELECT value FROM json_each(:ids)"},
    "postgresql": {
        int: "SELECT unnest(CAST(:ids AS integer[]))",
        str: "SELECT unnest(CAST(:ids AS varchar[]))",
    },
}


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@pytest.mark.parametrize(
    "ids", [[], [7], [1, 22, 333, 2_000_000_000], STRINGS], ids=["none", "one", "ints", "strings"]
)
def test_the_database_reads_back_exactly_the_ids_given(app, ids):
    with app.app_context():
        dialect = db.engine.dialect.name
        item = type(ids[0]) if ids else int
        value = among_value(ids, dialect)
        assert isinstance(value, str)  # one parameter, written at once
        read = db.session.execute(text(_READ[dialect][item]), {"ids": value}).scalars().all()
        assert read == ids
