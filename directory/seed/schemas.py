"""Marshmallow schemas for the seed files: unknown keys and bad values are errors."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from directory.hours import HoursError, parse_hours
from directory.models import (
    ADDRESS_VISIBILITIES,
    CHANNEL_TYPES,
    COSTS,
    COVERAGE_SCOPES,
    NATIONS,
    REFERRAL_ROUTES,
    VERIFICATION_STATUSES,
)
from directory.phones import is_uk_phone_number, is_uk_short_code

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]*$", error="Use lower-case letters, digits and -.")
nations_list = fields.List(fields.String(validate=validate.OneOf(NATIONS)), load_default=list)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class HoursSeedSchema(StrictSchema):
    open_24_7 = fields.Boolean(load_default=False)
    bank_holidays = fields.String(
        load_default="normal", validate=validate.OneOf(["normal", "closed"])
    )
    rules = fields.List(fields.Dict(), load_default=list)
    valid_from = fields.Date(load_default=None)
    valid_to = fields.Date(load_default=None)
    notes = fields.String(load_default=None, allow_none=True)
    verification = fields.String(
        load_default="verified", validate=validate.OneOf(VERIFICATION_STATUSES)
    )

    @validates_schema
    def rules_make_sense(self, data: dict[str, Any], **_: Any) -> None:
        try:
            parse_hours(
                {
                    k: data[k]
                    for k in ("open_24_7", "bank_holidays", "rules", "valid_from", "valid_to")
                }
            )
        except HoursError as error:
            raise ValidationError(str(error), field_name="rules") from error
        # An unverified block may be empty: "hours unknown", kept for an editor to complete.
        if not data["open_24_7"] and not data["rules"] and data["verification"] != "unverified":
            raise ValidationError("Give rules or open_24_7: true (or omit hours).", "rules")


class ChannelSeedSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(CHANNEL_TYPES))
    value = fields.String(required=True, validate=validate.Length(min=1, max=500))
    instructions = fields.String(load_default=None, allow_none=True)
    free_to_contact = fields.Boolean(load_default=None, allow_none=True)
    textphone = fields.Boolean(load_default=False)
    bsl = fields.Boolean(load_default=False)
    nations = nations_list
    hours = fields.Nested(HoursSeedSchema, load_default=None, allow_none=True)
    verification = fields.String(
        load_default="verified", validate=validate.OneOf(VERIFICATION_STATUSES)
    )
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def value_fits_type(self, data: dict[str, Any], **_: Any) -> None:
        value = data["value"]
        if data["type"] == "phone" and not is_uk_phone_number(value):
            raise ValidationError(f"{value!r} is not a UK phone number or short code.", "value")
        if data["type"] == "text" and not (is_uk_short_code(value) or is_uk_phone_number(value)):
            raise ValidationError(f"{value!r} is not a UK short code or mobile number.", "value")
        if data["type"] == "email" and "@" not in value and not value.startswith("https://"):
            raise ValidationError(f"{value!r} is neither an email address nor a URL.", "value")
        url_types = ("website", "web_chat", "online_community", "app")
        if data["type"] in url_types and not value.startswith("https://"):
            raise ValidationError(f"{value!r} is not an https:// URL.", "value")


class EligibilitySeedSchema(StrictSchema):
    min_age = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 120))
    max_age = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 120))
    genders = fields.List(fields.String(), load_default=list)
    groups = fields.List(fields.String(), load_default=list)
    requires_gp_registration = fields.Boolean(load_default=False)
    notes = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def ages_in_order(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data["min_age"], data["max_age"]
        if low is not None and high is not None and low > high:
            raise ValidationError("min_age is above max_age.", "max_age")


class CoverageSeedSchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(COVERAGE_SCOPES))
    nations = fields.List(
        fields.String(validate=validate.OneOf(NATIONS)),
        required=True,
        validate=validate.Length(min=1),
    )
    areas = fields.List(fields.String(), load_default=list)
    radius_km = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    notes = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def scope_has_what_it_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data["scope"] == "radius" and not data["radius_km"]:
            raise ValidationError("A radius coverage needs radius_km.", "radius_km")
        if data["scope"] == "areas" and not data["areas"]:
            raise ValidationError("An areas coverage needs areas.", "areas")


class LocationSeedSchema(StrictSchema):
    name = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True)
    town = fields.String(required=True)
    postcode = fields.String(load_default=None, allow_none=True)
    latitude = fields.Float(required=True, validate=validate.Range(49.8, 60.9))
    longitude = fields.Float(required=True, validate=validate.Range(-8.7, 1.8))
    address_visibility = fields.String(
        load_default="public", validate=validate.OneOf(ADDRESS_VISIBILITIES)
    )


class OrganizationSeedSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True)
    description = fields.String(load_default="")
    website = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    charity_number = fields.String(load_default=None, allow_none=True)


class ServiceSeedSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    organization = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(load_default="")
    url = fields.String(load_default=None, allow_none=True)
    is_crisis_service = fields.Boolean(load_default=False)
    issues = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    referral = fields.List(
        fields.String(validate=validate.OneOf(REFERRAL_ROUTES)), load_default=lambda: ["self"]
    )
    cost = fields.String(load_default="unknown", validate=validate.OneOf(COSTS))
    cost_text = fields.String(load_default=None, allow_none=True)
    wait_time = fields.String(load_default=None, allow_none=True)
    languages = fields.List(
        fields.String(validate=validate.Length(equal=2)), load_default=lambda: ["en"]
    )
    accessibility = fields.List(fields.String(), load_default=list)
    eligibility = fields.Nested(
        EligibilitySeedSchema, load_default=lambda: EligibilitySeedSchema().load({})
    )
    coverage = fields.Nested(CoverageSeedSchema, required=True)
    hours = fields.Nested(HoursSeedSchema, load_default=None, allow_none=True)
    source_url = fields.String(required=True, validate=validate.URL(schemes={"https", "http"}))
    last_verified_at = fields.Date(required=True)
    verification = fields.String(required=True, validate=validate.OneOf(VERIFICATION_STATUSES))
    verification_note = fields.String(required=True)
    channels = fields.List(
        fields.Nested(ChannelSeedSchema), required=True, validate=validate.Length(min=1)
    )
    locations = fields.List(fields.Nested(LocationSeedSchema), load_default=list)
    demo = fields.Boolean(load_default=False)


class TaxonomySeedSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True)
    description = fields.String(load_default="")
    version = fields.String(load_default=None, allow_none=True)


class TermSeedSchema(StrictSchema):
    code = fields.String(required=True, validate=SLUG)
    label = fields.String(required=True)
    description = fields.String(load_default="")
    synonyms = fields.List(fields.String(), load_default=list)
    broader = fields.String(load_default=None, allow_none=True)


class KindSeedSchema(StrictSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(load_default="")
