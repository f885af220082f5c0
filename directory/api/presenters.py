"""Turn models into response data, applying what a client may see.

Unverified channels and hours are never shown; hidden and area-only addresses lose their
street address and exact coordinates (unless the client's key has the `restricted` scope);
channels limited to other nations are left out when the person's nation is known. Every
service says whether its details are `stale` (last checked over SIGNPOST_STALE_DAYS ago).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import phonenumbers

from directory.geo import Place
from directory.hours import OpenStatus, to_london
from directory.models import (
    AuditEvent,
    Channel,
    Location,
    Organization,
    ProblemReport,
    Schedule,
    Service,
    TaxonomyTerm,
)
from directory.models.service import coverage_dict, eligibility_dict
from directory.search.availability import channel_statuses, service_status
from directory.search.ranking import is_stale
from directory.search.records import ChannelRecord, ServiceRecord

DEMO_LABEL = "Demo listing"


def present_service(
    service: Service | ServiceRecord, *, at: datetime, nation: str | None, restricted: bool = False
) -> dict[str, Any]:
    """Return everything a client may see about one service, with open-now at `at`; with
    `restricted` (the key's scope) also hidden addresses and the internal notes."""
    channels = channel_statuses(service, at, nation)  # each channel's hours worked out once
    parts = _fixed_parts(service, restricted)
    return {
        **parts.head,
        **_availability(service_status(service, at, nation, channels)),
        "channels": [
            {**parts.channels[channel.id], **_availability(status)} for channel, status in channels
        ],
        **parts.body,
        "stale": service_is_stale(service, at),
        **parts.tail,
    }


@dataclass(frozen=True)
class _FixedParts:
    """What present_service shows of a service that does not depend on the moment or the
    person's nation, in the order it is shown: before open-now, after the channels, after
    `stale`; and each channel's, by channel id."""

    head: dict[str, Any]
    body: dict[str, Any]
    tail: dict[str, Any]
    channels: dict[str, dict[str, Any]]


def _fixed_parts(service: Service | ServiceRecord, restricted: bool) -> _FixedParts:
    """A read-only record's parts are worked out once and kept while the record lives (records
    never change, snapshots.py): presenting a cached record took 42 us, 25 with them kept
    (in process, 50,000 services). The parts are shared between responses, so nothing may
    change a presented service in place. ORM services are worked out afresh."""
    if not isinstance(service, ServiceRecord):
        return _build_fixed_parts(service, restricted)
    kept = _kept_parts.get(service)
    if kept is None:
        kept = _kept_parts[service] = {}
    parts = kept.get(restricted)
    if parts is None:
        parts = kept[restricted] = _build_fixed_parts(service, restricted)
    return parts


_kept_parts: WeakKeyDictionary[ServiceRecord, dict[bool, _FixedParts]] = WeakKeyDictionary()


def _build_fixed_parts(service: Service | ServiceRecord, restricted: bool) -> _FixedParts:
    verification = {
        "status": service.verification,
        "note": service.verification_note,
        "last_verified_at": service.last_verified_at,
        "source_url": service.source_url,
    }
    tail: dict[str, Any] = {
        "demo": service.demo,
        "labels": [DEMO_LABEL] if service.demo else [],
    }
    if restricted:
        verification["verified_by"] = service.verified_by
        tail["internal_notes"] = service.internal_notes
    return _FixedParts(
        head={
            "id": service.id,
            "slug": service.slug,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "kind": service.kind,
            "status": service.status,
            "is_crisis_service": service.is_crisis_service,
            "organization": {
                "id": service.organization.id,
                "name": service.organization.name,
                "website": service.organization.website,
            },
            "issues": [{"code": term.code, "name": term.name} for term in service.issues],
            "referral": service.referral,
            "self_referral": service.self_referral,
            "cost": service.cost,
            "cost_text": service.cost_text,
            "wait_time": service.wait_time,
            "languages": service.languages,
            "accessibility": service.accessibility,
            "eligibility": eligibility_dict(service),
            "coverage": coverage_dict(service),
            "hours": present_hours(service.schedule),
        },
        body={
            "locations": [
                present_location(link.location, full=restricted) for link in service.location_links
            ],
            "verification": verification,
        },
        tail=tail,
        channels={channel.id: _fixed_channel(channel) for channel in service.channels},
    )


def service_is_stale(service: Service, at: datetime) -> bool:
    """Whether the service's details were last checked too long before `at` (or never)."""
    return is_stale(service.last_verified_at, to_london(at).date())


def _fixed_channel(channel: Channel | ChannelRecord) -> dict[str, Any]:
    """One published channel without its open-now (present_service adds that), with a link a
    phone or browser can follow."""
    return {
        "id": channel.id,
        "type": channel.type,
        "value": channel.value,
        "href": channel_href(channel.type, channel.value),
        "instructions": channel.instructions,
        "free_to_contact": channel.free_to_contact,
        "textphone": channel.textphone,
        "bsl": channel.bsl,
        "nations": channel.nations,
        "hours": present_hours(channel.schedule),
        "verification": channel.verification,
        "note": channel.note,
    }


def present_hours(schedule: Schedule | None) -> dict[str, Any] | None:
    """Return published hours; unknown or unverified hours are None, never a guess."""
    if schedule is None or not schedule.published:
        return None
    return {
        **schedule.as_hours_dict(),
        "notes": schedule.notes,
        "verification": schedule.verification,
    }


def present_location(location: Location, *, full: bool = False) -> dict[str, Any]:
    """Return a location with only as much of its address as its visibility allows; `full`
    (a key with the restricted scope) shows all of it."""
    shown: dict[str, Any] = {
        "id": location.id,
        "name": location.name,
        "address": location.address,
        "town": location.town,
        "postcode": location.postcode,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "address_visibility": location.address_visibility,
    }
    if location.address_visibility == "public" or full:
        return shown
    shown["address"] = None
    shown["name"] = None
    if location.address_visibility == "area_only":
        # The district and a point rounded to about a kilometre: enough to judge distance.
        shown["postcode"] = (location.postcode or "").split(" ")[0] or None
        for key in ("latitude", "longitude"):
            shown[key] = round(shown[key], 2) if shown[key] is not None else None
        return shown
    shown.update(postcode=None, latitude=None, longitude=None)
    return shown


def present_organization(organization: Organization) -> dict[str, Any]:
    """Return an organisation with the services it runs."""
    return {
        "id": organization.id,
        "slug": organization.slug,
        "name": organization.name,
        "description": organization.description,
        "website": organization.website,
        "email": organization.email,
        "charity_number": organization.charity_number,
        "demo": organization.demo,
        "services": [
            {"id": service.id, "name": service.name}
            for service in sorted(organization.services, key=lambda s: s.name)
            if service.status == "active"
        ],
    }


def present_term(term: TaxonomyTerm) -> dict[str, Any]:
    """Return a taxonomy term with its lay synonyms."""
    return {
        "id": term.id,
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "taxonomy": term.taxonomy.slug,
        "parent": term.parent.code if term.parent else None,
        "synonyms": term.synonyms,
    }


# Enough for every channel of a large directory (the load benchmark's 50,000 services have
# 85,000 distinct numbers and addresses): at 8,192 most lookups missed, and parsing numbers
# again took 1.8% of a worker's time. An entry is about 300 bytes, so at most about 40 MB.
@lru_cache(maxsize=131_072)
def channel_href(channel_type: str, value: str) -> str | None:
    """A tel:, sms:, mailto: or web link for a channel, when one makes sense (remembered:
    parsing a phone number took about a tenth of a search request)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if channel_type == "phone" and digits:
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            return f"tel:{digits}"
        if phonenumbers.is_valid_number(number):
            return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return f"tel:{digits}"  # short codes such as 116 123 and 999
    if channel_type == "text" and digits:
        return f"sms:{digits}"
    if channel_type == "email" and "@" in value:
        return f"mailto:{value}"
    if value.startswith(("https://", "http://")):
        return value
    return None


def _availability(status: OpenStatus | None) -> dict[str, Any]:
    if status is None:
        return {"open_now": None, "next_open": None, "closes_at": None}
    return {
        "open_now": status.open_now,
        "next_open": status.next_open,
        "closes_at": status.closes_at,
    }


def present_place(place: Place | None) -> dict[str, Any] | None:
    """Echo a resolved place: what was typed, where we took it to be, and how precisely."""
    if place is None:
        return None
    return {
        "query": place.query,
        "name": place.name,
        "kind": place.kind,
        "latitude": round(place.latitude, 5),
        "longitude": round(place.longitude, 5),
        "precision": place.precision,
        "nation": place.nation,
        "district": place.district,
    }


def as_utc(moment: datetime) -> datetime:
    """A stored time with its UTC offset: SQLite hands back naive UTC, and a date-time in the
    API always carries an offset (RFC 3339)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def present_report(report: ProblemReport) -> dict[str, Any]:
    """A problem report as the editors' queue shows it."""
    return {
        "id": report.id,
        "service": {"id": report.service.id, "name": report.service.name},
        "kind": report.kind,
        "message": report.message,
        "status": report.status,
        "created_at": as_utc(report.created_at),
        "updated_at": as_utc(report.updated_at),
        "resolution_note": report.resolution_note,
        "resolved_by": report.resolved_by,
    }


def present_audit_event(event: AuditEvent) -> dict[str, Any]:
    """One entry of the audit log."""
    return {
        "id": event.id,
        "at": as_utc(event.at),
        "key_name": event.key_name,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "changes": event.changes,
    }
