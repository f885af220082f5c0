"""filters.among_value: a list of ids as one parameter, read back exactly by each database."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, String, column, text

from directory.extensions import db
from directory.search.filters import among, among_param, among_value
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


def test_postgresql_reads_the_ids_as_an_array_parameter_not_a_string_cast_per_row():
    # Typed as VARCHAR, the parameter would be cast to an array again for every row the
    # query looks at: search's PostgreSQL CPU rose by a tenth.
    from sqlalchemy.dialects.postgresql import psycopg

    postgres = psycopg.dialect()
    clause = among(column("id", Integer), "ids", "postgresql")
    assert str(clause.compile(dialect=postgres)) == "id = ANY (CAST(%(ids)s AS INTEGER[]))"
    named = among(column("slug", String), "slugs", "postgresql", String)
    assert "CAST(%(slugs)s AS VARCHAR[])" in str(named.compile(dialect=postgres))
    in_text = text("SELECT 1 WHERE 1 = ANY(CAST(:ids AS integer[]))").bindparams(
        among_param("ids", [1, 2], "postgresql")
    )
    compiled = in_text.compile(dialect=postgres)
    assert "%(ids)s AS integer[]" in str(compiled)
    assert compiled.params == {"ids": "{1,2}"}
