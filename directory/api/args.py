"""Query arguments shared by several endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from directory.hours import LONDON
from directory.models import NATIONS

AT_DESCRIPTION = (
    "The instant open_now and next_open refer to (ISO 8601; without an offset it is UK time). "
    "Default: now."
)


def at_field() -> fields.AwareDateTime:
    """The optional `at` instant that makes open-now answers reproducible."""
    return fields.AwareDateTime(
        format="iso", default_timezone=LONDON, metadata={"description": AT_DESCRIPTION}
    )


def nation_field(description: str) -> fields.String:
    """A UK nation code: ENG, SCT, WLS or NIR."""
    return fields.String(validate=validate.OneOf(NATIONS), metadata={"description": description})


class AvailabilityQueryArgsSchema(Schema):
    at = at_field()
    nation = nation_field("Show only the channels a person in this nation can use")
