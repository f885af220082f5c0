"""Request schemas for editors' writes: the seed files' own rules, reused.

A listing written through the API is checked exactly like one in seed_data/: UK phone numbers,
valid hours, ages in order, coverage with what its scope needs. Only the references differ: the
API names organisations and locations by id, and services by slug.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from directory.models import (
    REPORT_KINDS,
    REPORT_STATUSES,
    SERVICE_KINDS,
    SERVICE_STATUSES,
)
from directory.seed.schemas import (
    SLUG,
    LocationSeedSchema,
    OrganizationSeedSchema,
    ServiceSeedSchema,
    TermSeedSchema,
)


class OrganizationWriteSchema(OrganizationSeedSchema):
    class Meta:
        exclude = ("id",)
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    demo = fields.Boolean(load_default=False)


class ServiceWriteSchema(ServiceSeedSchema):
    """A whole service. PATCH sends any of these fields; the rest keep their values, and the
    result must pass the same rules."""

    class Meta:
        exclude = ("id", "organization", "locations")
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    organization_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SERVICE_KINDS))
    status = fields.String(load_default="active", validate=validate.OneOf(SERVICE_STATUSES))
    verification_note = fields.String(load_default=None, allow_none=True)
    internal_notes = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "For editors; shown only to keys with the restricted scope"},
    )
    location_ids = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "Ids of locations (POST /api/v1/locations) it is met at"},
    )


class LocationWriteSchema(LocationSeedSchema):
    class Meta:
        unknown = RAISE


class TermWriteSchema(TermSeedSchema):
    """An issue term (or service kind); `code` is permanent once created."""

    class Meta:
        exclude = ("label", "broader")
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent = fields.String(
        load_default=None, allow_none=True, metadata={"description": "code of the broader term"}
    )
    taxonomy = fields.String(
        load_default="issues",
        validate=validate.OneOf(["issues", "service-kinds"]),
        metadata={"description": "taxonomy slug"},
    )


class VerifySchema(Schema):
    class Meta:
        unknown = RAISE

    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "What was checked, and where (replaces verification.note)"},
    )


class ProblemReportCreateSchema(Schema):
    """What the widget and the lookup page send: nothing about the person, ever."""

    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    message = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ProblemReportUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(REPORT_STATUSES))
    resolution_note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )
