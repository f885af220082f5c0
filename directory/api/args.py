"""Query arguments shared by several endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from directory.hours import LONDON
from directory.models import NATIONS

AT_DESCRIPTION = (
    "The instant open_now and next_open refer to (ISO 8601; without an offset it is UK time), "
    "from 1970 to 2099. Default: now."
)
# Before 1847 UK time is local mean time, whose offset (-00:01:15) has seconds that RFC 3339
# cannot write; near year 9999 the next opening overflows. Nobody asks about those years.
AT_RANGE = validate.Range(
    min=datetime(1970, 1, 1, tzinfo=UTC),
    max=datetime(2100, 1, 1, tzinfo=UTC),
    max_inclusive=False,
    error="Give a time from 1970 to 2099.",
)


def at_field() -> fields.AwareDateTime:
    """The optional `at` instant that makes open-now answers reproducible."""
    return fields.AwareDateTime(
        format="iso",
        default_timezone=LONDON,
        validate=AT_RANGE,
        metadata={"description": AT_DESCRIPTION},
    )


def nation_field(description: str) -> fields.String:
    """A UK nation code: ENG, SCT, WLS or NIR."""
    return fields.String(validate=validate.OneOf(NATIONS), metadata={"description": description})


class AvailabilityQueryArgsSchema(Schema):
    at = at_field()
    nation = nation_field("Show only the channels a person in this nation can use")
