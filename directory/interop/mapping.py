"""Models -> Open Referral UK (HSDS 3.0) objects, applying what the public may see.

Fields HSDS has are filled in its terms; what it has no place for (kind, crisis flag, referral
routes, cost band, channels other than phones, coverage, exact hours, verification) travels in an
`x_signpost` object, the local-property convention the ORUK compliance rules recommend, so that
our own exports import back without loss. Optional fields with no value are left out rather
than sent as null (the ORUK schemas type them as strings and numbers).

Only published facts appear: unverified channels and hours are left out, hidden and area-only
addresses lose their street, name and exact position, exactly as in the JSON API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from directory.hours import now_in_london
from directory.models import (
    Channel,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)
from directory.models.service import coverage_dict, eligibility_dict
from directory.search.ranking import is_stale

HSDS_VERSION = "3.0"
# The ORUK profile's own documentation (as profile_compliance.md links it).
ORUK_PROFILE_URL = "https://open-referral-uk-profile.readthedocs.io/en/latest/"
ORUK_OPENAPI_URL = "https://open-referral-uk-profile.readthedocs.io/en/latest/openapi.html"
EXTENSION = "x_signpost"

HSDS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
OUR_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NATION_NAMES = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
# HSDS phone types (RFC 6350) for the channels that are phone numbers.
PHONE_TYPES = {"phone": "voice", "text": "text"}
CHARITY_NUMBER_TYPE = "Charity number"


def drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out the keys whose value is None: HSDS optional fields are absent, not null."""
    return {key: value for key, value in values.items() if value is not None}


def hsds_datetime(moment: datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp with milliseconds, as HSDS last_modified asks."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def published_hours(schedule: Schedule | None) -> dict[str, Any] | None:
    """A published schedule as the hours dict the seed files use; None when unknown."""
    if schedule is None or not schedule.published:
        return None
    return {
        "id": schedule.id,
        "open_24_7": schedule.open_24_7,
        "bank_holidays": schedule.bank_holidays,
        "rules": schedule.rules,
        "valid_from": schedule.valid_from.isoformat() if schedule.valid_from else None,
        "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
        "notes": schedule.notes,
        "verification": schedule.verification,
    }


def schedule_rows(
    hours: dict[str, Any], service_id: str, label: str | None
) -> list[dict[str, Any]]:
    """HSDS weekly schedule rows (RFC 5545 byday, opens_at, closes_at) for one hours dict."""
    notes = [label] if label else []
    if hours["bank_holidays"] == "closed":
        notes.append("Closed on bank holidays.")
    if hours["notes"]:
        notes.append(hours["notes"])
    if hours["open_24_7"]:
        spans = [(list(OUR_DAYS), "00:00", "24:00")]
    else:
        spans = [(rule["days"], rule["opens"], rule["closes"]) for rule in hours["rules"]]
    rows = []
    for index, (days, opens, closes) in enumerate(spans):
        overnight = closes != "24:00" and closes <= opens
        description = [*notes, "Closes the next day."] if overnight else notes
        rows.append(
            drop_empty(
                {
                    "id": stable_id("hsds_schedule", f"{hours['id']}#{index}"),
                    "service_id": service_id,
                    "valid_from": hours["valid_from"],
                    "valid_to": hours["valid_to"],
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": ",".join(HSDS_DAYS[OUR_DAYS.index(day)] for day in days),
                    "opens_at": f"{opens}:00",
                    # 24:00 is not a time of day: a day that runs to midnight closes at 23:59:59.
                    "closes_at": "23:59:59" if closes == "24:00" else f"{closes}:00",
                    "description": " ".join(description) or None,
                }
            )
        )
    return rows


def service_schedules(service: Service) -> list[dict[str, Any]]:
    """The service's published hours, then each published channel's own differing hours."""
    rows = []
    own = published_hours(service.schedule)
    if own is not None:
        rows += schedule_rows(own, service.id, None)
    for channel in service.channels:
        hours = published_hours(channel.schedule) if channel.published else None
        if hours is not None:
            rows += schedule_rows(hours, service.id, f"{channel_label(channel)}:")
    return rows


def channel_label(channel: Channel) -> str:
    """How a person would name a channel: 'phone 116 123', 'web_chat https://…'."""
    return f"{channel.type.replace('_', ' ')} {channel.value}"


def channel_extension(channel: Channel) -> dict[str, Any]:
    """Everything about a published channel, for x_signpost.channels."""
    return {
        "id": channel.id,
        "type": channel.type,
        "value": channel.value,
        "instructions": channel.instructions,
        "free_to_contact": channel.free_to_contact,
        "textphone": channel.textphone,
        "bsl": channel.bsl,
        "nations": channel.nations,
        "hours": published_hours(channel.schedule),
        "verification": channel.verification,
        "note": channel.note,
    }


def phone_to_hsds(channel: Channel, service_id: str) -> dict[str, Any]:
    """An HSDS phone for a phone or text channel (HSDS 3.0; the ORUK profile drops phones,
    which a mental-health directory cannot, so they are sent as an HSDS field)."""
    return drop_empty(
        {
            "id": channel.id,
            "service_id": service_id,
            "number": channel.value,
            "type": "textphone" if channel.textphone else PHONE_TYPES[channel.type],
            "description": channel.instructions,
        }
    )


def visible_address(location: Location) -> dict[str, Any]:
    """Name, street, town, postcode and position as far as the address visibility allows."""
    if location.address_visibility == "public":
        return {
            "name": location.name,
            "address": location.address,
            "town": location.town,
            "postcode": location.postcode,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    if location.address_visibility == "area_only":
        # The postcode district and a point rounded to about a kilometre, as the JSON API does.
        return {
            "name": None,
            "address": None,
            "town": location.town,
            "postcode": (location.postcode or "").split(" ")[0] or None,
            "latitude": None if location.latitude is None else round(location.latitude, 2),
            "longitude": None if location.longitude is None else round(location.longitude, 2),
        }
    # hidden: the town only (refuges).
    return {
        "name": None,
        "address": None,
        "town": location.town,
        "postcode": None,
        "latitude": None,
        "longitude": None,
    }


def location_to_hsds(location: Location, nation: str | None, *, full: bool) -> dict[str, Any]:
    """An HSDS location; `full` adds its address."""
    shown = visible_address(location)
    result = drop_empty(
        {
            "id": location.id,
            "location_type": "physical",
            "name": shown["name"],
            "latitude": shown["latitude"],
            "longitude": shown["longitude"],
        }
    )
    if full:
        result["addresses"] = [
            {
                "id": stable_id("hsds_address", location.id),
                "location_id": location.id,
                # Required by HSDS; withheld (empty) when the street must not be published.
                "address_1": shown["address"] or "",
                "city": shown["town"] or "",
                "state_province": NATION_NAMES.get(nation or "", ""),
                "postal_code": shown["postcode"] or "",
                "country": "GB",
                "address_type": "physical",
            }
        ]
    result[EXTENSION] = {"address_visibility": location.address_visibility}
    return result


def term_to_hsds(term: TaxonomyTerm) -> dict[str, Any]:
    """An HSDS taxonomy term: `term` is our code, `name` the label people read."""
    return drop_empty(
        {
            "id": term.id,
            "name": term.name,
            "description": term.description or term.name,
            "parent_id": term.parent_id,
            "taxonomy": term.taxonomy.slug,
            "taxonomy_id": term.taxonomy_id,
            "term": term.code,
        }
    )


def attribute_to_hsds(owner_id: str, term: TaxonomyTerm) -> dict[str, Any]:
    """An HSDS attribute linking a service to one taxonomy term."""
    return {
        "id": stable_id("hsds_attribute", f"{owner_id}:{term.id}"),
        "link_id": owner_id,
        "taxonomy_term_id": term.id,
        "taxonomy_term": term_to_hsds(term),
    }


def taxonomy_to_hsds(taxonomy: Taxonomy, *, with_terms: bool) -> dict[str, Any]:
    """An HSDS taxonomy; `with_terms` nests its terms as the ORUK profile does."""
    result = drop_empty(
        {
            "id": taxonomy.id,
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "version": taxonomy.version,
        }
    )
    if with_terms:
        result["taxonomy_terms"] = [term_to_hsds(term) for term in taxonomy.terms]
    return result


def organization_to_hsds(
    organization: Organization, services: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An HSDS organisation; a charity number becomes an organisation identifier."""
    result = drop_empty(
        {
            "id": organization.id,
            "name": organization.name,
            "description": organization.description or organization.name,
            "email": organization.email,
            "website": organization.website,
        }
    )
    if organization.charity_number:
        result["organization_identifiers"] = [
            {
                "id": stable_id("hsds_organization_identifier", organization.id),
                "organization_id": organization.id,
                "identifier_type": CHARITY_NUMBER_TYPE,
                "identifier": organization.charity_number,
            }
        ]
    if services is not None:
        result["services"] = services
    result[EXTENSION] = {"slug": organization.slug, "demo": organization.demo}
    return result


def only_nation(service: Service) -> str | None:
    """The nation a local service is in, when it covers exactly one."""
    nations = service.nations
    return nations[0] if len(nations) == 1 else None


def service_basics(service: Service) -> dict[str, Any]:
    """The one-to-one fields of an HSDS service (the shape of list pages)."""
    eligibility = service.eligibility
    email = next(
        (c.value for c in service.channels if c.published and c.type == "email" and "@" in c.value),
        None,
    )
    return drop_empty(
        {
            "id": service.id,
            "organization_id": service.organization_id,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": email,
            "status": service.status,
            "minimum_age": eligibility.min_age if eligibility else None,
            "maximum_age": eligibility.max_age if eligibility else None,
            "assured_date": (
                service.last_verified_at.isoformat() if service.last_verified_at else None
            ),
            "last_modified": hsds_datetime(service.updated_at),
        }
    )


def service_to_hsds(
    service: Service, kind_term: TaxonomyTerm | None, *, full: bool = True
) -> dict[str, Any]:
    """An HSDS service: one-to-one fields and its organisation, and with `full` everything."""
    result = service_basics(service)
    if not full:
        result["organization"] = organization_to_hsds(service.organization)
        return result
    nation = only_nation(service)
    published = [channel for channel in service.channels if channel.published]
    result.update(
        {
            "schedules": service_schedules(service),
            "service_areas": service_areas(service),
            "service_at_locations": [
                service_at_location_to_hsds(link, nation) for link in service.location_links
            ],
            "languages": [
                {
                    "id": stable_id("hsds_language", f"{service.id}:{code}"),
                    "service_id": service.id,
                    "code": code,
                }
                for code in service.languages
            ],
            "organization": organization_to_hsds(service.organization),
            "cost_options": cost_options(service),
            "contacts": [],
            "attributes": [
                attribute_to_hsds(service.id, term)
                for term in [*service.issues, *([kind_term] if kind_term else [])]
            ],
            "phones": [
                phone_to_hsds(channel, service.id)
                for channel in published
                if channel.type in PHONE_TYPES
            ],
            EXTENSION: {
                "slug": service.slug,
                "kind": service.kind,
                "is_crisis_service": service.is_crisis_service,
                "referral": service.referral,
                "cost": service.cost,
                "cost_text": service.cost_text,
                "wait_time": service.wait_time,
                "accessibility": service.accessibility,
                "eligibility": eligibility_dict(service),
                "coverage": coverage_dict(service),
                "hours": published_hours(service.schedule),
                "channels": [channel_extension(channel) for channel in published],
                "source_url": service.source_url,
                "verification": service.verification,
                "verification_note": service.verification_note,
                # Details last checked over SIGNPOST_STALE_DAYS ago (or never).
                "stale": is_stale(service.last_verified_at, now_in_london().date()),
                "demo": service.demo,
            },
        }
    )
    return result


def service_areas(service: Service) -> list[dict[str, Any]]:
    """Where the service is available: each nation of a national service, else each area."""
    coverage = service.coverage
    if coverage is None or coverage.scope == "national":
        names = [NATION_NAMES[nation] for nation in service.nations]
    elif coverage.scope == "radius":
        names = [f"Within {coverage.radius_km:g} km of its locations"]
    else:
        names = list(coverage.areas)
    return [
        {
            "id": stable_id("hsds_service_area", f"{service.id}:{name}"),
            "service_id": service.id,
            "name": name,
            "service_area": name,
        }
        for name in names
    ]


def cost_options(service: Service) -> list[dict[str, Any]]:
    """A free service costs nothing; otherwise the cost text, when a source gives one."""
    if service.cost == "free":
        option: dict[str, Any] = {"option": "Free", "amount": 0}
    elif service.cost_text:
        option = {"option": service.cost_text}
    else:
        return []
    return [
        {
            "id": stable_id("hsds_cost_option", service.id),
            "service_id": service.id,
            **option,
            **({"amount_description": service.cost_text} if service.cost_text else {}),
        }
    ]


def service_at_location_to_hsds(
    link: ServiceAtLocation,
    nation: str | None,
    *,
    service: dict[str, Any] | None = None,
    full: bool = True,
) -> dict[str, Any]:
    """An HSDS service_at_location with its location (`full`: with its address); `service`
    nests the service as well."""
    result = {
        "id": link.id,
        "service_id": link.service_id,
        "location_id": link.location_id,
        "location": location_to_hsds(link.location, nation, full=full),
    }
    if service is not None:
        result["service"] = service
    return result
