"""Response schemas: what clients get back (they also document the OpenAPI spec)."""

from __future__ import annotations

from marshmallow import Schema, fields


class SafetyRouteSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    channel = fields.String(required=True)
    value = fields.String(required=True)
    instructions = fields.String(required=True)
    href = fields.String(allow_none=True)
    hours = fields.String(required=True)
    nations = fields.List(fields.String(), required=True)


class SafetySchema(Schema):
    nation = fields.String(allow_none=True)
    message = fields.String(required=True)
    emergency = fields.Nested(SafetyRouteSchema, required=True)
    urgent = fields.List(fields.Nested(SafetyRouteSchema), required=True)
    listening = fields.List(fields.Nested(SafetyRouteSchema), required=True)


class OpeningRuleSchema(Schema):
    days = fields.List(fields.String(), required=True)
    opens = fields.String(required=True)
    closes = fields.String(required=True)


class HoursSchema(Schema):
    open_24_7 = fields.Boolean(required=True)
    bank_holidays = fields.String(required=True)
    rules = fields.List(fields.Nested(OpeningRuleSchema), required=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    verification = fields.String(required=True)


class AvailabilitySchema(Schema):
    open_now = fields.Boolean(allow_none=True, metadata={"description": "null: hours unknown"})
    next_open = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)


class ChannelSchema(AvailabilitySchema):
    id = fields.String(required=True)
    type = fields.String(required=True)
    value = fields.String(required=True)
    href = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    free_to_contact = fields.Boolean(allow_none=True)
    textphone = fields.Boolean(required=True)
    bsl = fields.Boolean(required=True)
    nations = fields.List(fields.String(), required=True)
    hours = fields.Nested(HoursSchema, allow_none=True)
    verification = fields.String(required=True)
    note = fields.String(allow_none=True)


class LocationSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    town = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address_visibility = fields.String(required=True)


class EligibilitySchema(Schema):
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    genders = fields.List(fields.String(), required=True)
    groups = fields.List(fields.String(), required=True)
    requires_gp_registration = fields.Boolean(required=True)
    notes = fields.String(allow_none=True)


class CoverageSchema(Schema):
    scope = fields.String(required=True)
    nations = fields.List(fields.String(), required=True)
    areas = fields.List(fields.String(), required=True)
    radius_km = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)


class VerificationSchema(Schema):
    status = fields.String(required=True)
    note = fields.String(allow_none=True)
    last_verified_at = fields.Date(allow_none=True)
    source_url = fields.String(allow_none=True)
    verified_by = fields.String(
        allow_none=True,
        metadata={"description": "Key that last verified it (restricted scope only)"},
    )


class IssueRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class OrganizationRefSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    website = fields.String(allow_none=True)


class ServiceSchema(AvailabilitySchema):
    id = fields.String(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    url = fields.String(allow_none=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    is_crisis_service = fields.Boolean(required=True)
    organization = fields.Nested(OrganizationRefSchema, required=True)
    issues = fields.List(fields.Nested(IssueRefSchema), required=True)
    referral = fields.List(fields.String(), required=True)
    self_referral = fields.Boolean(required=True)
    cost = fields.String(required=True)
    cost_text = fields.String(allow_none=True)
    wait_time = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    accessibility = fields.List(fields.String(), required=True)
    eligibility = fields.Nested(EligibilitySchema, required=True)
    coverage = fields.Nested(CoverageSchema, required=True)
    hours = fields.Nested(HoursSchema, allow_none=True)
    channels = fields.List(fields.Nested(ChannelSchema), required=True)
    locations = fields.List(fields.Nested(LocationSchema), required=True)
    verification = fields.Nested(VerificationSchema, required=True)
    stale = fields.Boolean(
        required=True,
        metadata={"description": "Details last checked over SIGNPOST_STALE_DAYS ago, or never"},
    )
    internal_notes = fields.String(
        allow_none=True, metadata={"description": "For editors: restricted scope only"}
    )
    demo = fields.Boolean(required=True)
    labels = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Labels to show beside the listing, e.g. 'Demo listing'"},
    )


class ServiceRefSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class OrganizationSchema(Schema):
    id = fields.String(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    charity_number = fields.String(allow_none=True)
    demo = fields.Boolean(required=True)
    services = fields.List(fields.Nested(ServiceRefSchema), required=True)


class TaxonomySchema(Schema):
    id = fields.String(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    version = fields.String(allow_none=True)


class TaxonomyTermSchema(Schema):
    id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    taxonomy = fields.String(required=True, metadata={"description": "taxonomy slug"})
    parent = fields.String(allow_none=True, metadata={"description": "code of the broader term"})
    synonyms = fields.List(fields.String(), required=True)


class PlaceSchema(Schema):
    query = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    precision = fields.String(required=True)
    nation = fields.String(allow_none=True)
    district = fields.String(allow_none=True)


class ProblemReportSchema(Schema):
    id = fields.String(required=True)
    service = fields.Nested(ServiceRefSchema, required=True)
    kind = fields.String(required=True)
    message = fields.String(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    resolution_note = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class ProblemReportReceiptSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    key_name = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.String(required=True)
    changes = fields.Dict(
        required=True, metadata={"description": '{"field": {"before": ..., "after": ...}}'}
    )
