"""Open-now and next-open for services and channels, from their published schedules."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from weakref import ref

from directory.hours import HoursError, OpenStatus, WeeklyHours, open_status, parse_hours
from directory.models import Channel, Schedule, Service
from directory.search.records import ScheduleRecord


def schedule_hours(schedule: Schedule | ScheduleRecord | None) -> WeeklyHours | None:
    """Return a published schedule as WeeklyHours, or None when hours are unknown."""
    if schedule is None or not schedule.published:
        return None
    if isinstance(schedule, ScheduleRecord):
        # A record never changes (records.py): its hours are looked up once, by identity.
        # Writing its hours as JSON for the parse cache was a third of showing its channels.
        known = _record_hours.get(id(schedule))
        if known is not None and known[0]() is schedule:
            return known[1]
        hours = _parsed(_hours_json(schedule))
        if len(_record_hours) >= MAX_RECORD_HOURS:
            _record_hours.clear()
        # A weak reference: the entry never keeps a record alive, and one whose record has
        # gone (its id perhaps reused) is never taken for another's.
        _record_hours[id(schedule)] = (ref(schedule), hours)
        return hours
    return _parsed(_hours_json(schedule))


# About three schedules per cached service (snapshots.MAX_CACHED services).
MAX_RECORD_HOURS = 30_000
_record_hours: dict[int, tuple[ref[ScheduleRecord], WeeklyHours | None]] = {}


def _hours_json(schedule: Schedule | ScheduleRecord) -> str:
    return json.dumps(schedule.as_hours_dict(), sort_keys=True, default=str)


@lru_cache(maxsize=4096)
def _parsed(hours_json: str) -> WeeklyHours | None:
    """Parsed hours by their content: most services share a few shapes (24/7, office hours),
    and parsing is the slow part of a rebuild and of showing a page of results."""
    try:
        return parse_hours(json.loads(hours_json))
    except HoursError:
        # Stored hours are validated on the way in; a bad row means "unknown", never a 500.
        return None


def holiday_nation(service: Service, nation: str | None) -> str:
    """Whose bank holidays apply: the person's nation, else the service's only nation."""
    if nation:
        return nation
    nations = service.nations
    return nations[0] if len(nations) == 1 else "ENG"


def channel_hours(channel: Channel, service: Service) -> WeeklyHours | None:
    """A channel's own hours when it has them, else the service's."""
    if channel.schedule is not None:
        return schedule_hours(channel.schedule)
    return schedule_hours(service.schedule)


def channel_status(
    channel: Channel, service: Service, at: datetime, nation: str | None
) -> OpenStatus | None:
    """Whether one channel is open at `at`; None when its hours are unknown."""
    hours = channel_hours(channel, service)
    if hours is None:
        return None
    return open_status(hours, at, holiday_nation(service, nation))


def visible_channels(service: Service, nation: str | None) -> list[Channel]:
    """Published channels a person in `nation` can use (all nations' lines when unknown)."""
    return [
        channel
        for channel in service.channels
        if channel.published
        and (nation is None or not channel.nations or nation in channel.nations)
    ]


# A website tells people about a service; it being up round the clock does not make the
# service open (a weekly evening group is not "open now" at 10 am because its page is).
INFORMATION_ONLY = frozenset({"website"})


def channel_statuses(
    service: Service, at: datetime, nation: str | None
) -> list[tuple[Channel, OpenStatus | None]]:
    """Each channel a person in `nation` can use, with whether it is open at `at`.

    Channels without hours of their own share the service's: worked out once for them all
    (schedule_hours gives one object per schedule).
    """
    # id -> (hours, status): holding the hours keeps their id from being reused meanwhile.
    by_hours: dict[int, tuple[WeeklyHours, OpenStatus]] = {}
    statuses: list[tuple[Channel, OpenStatus | None]] = []
    for channel in visible_channels(service, nation):
        hours = channel_hours(channel, service)
        if hours is None:
            statuses.append((channel, None))
            continue
        if id(hours) not in by_hours:
            status = open_status(hours, at, holiday_nation(service, nation))
            by_hours[id(hours)] = (hours, status)
        statuses.append((channel, by_hours[id(hours)][1]))
    return statuses


def service_status(
    service: Service,
    at: datetime,
    nation: str | None,
    channels: list[tuple[Channel, OpenStatus | None]] | None = None,
) -> OpenStatus | None:
    """A service is open when any of its usable contact channels is; None when no hours are
    known. `channels`: channel_statuses() for the same service, instant and nation, if the
    caller has them already."""
    if channels is None:
        channels = channel_statuses(service, at, nation)
    statuses = [
        status
        for channel, status in channels
        if channel.type not in INFORMATION_ONLY and status is not None
    ]
    if not statuses:
        hours = schedule_hours(service.schedule)
        return None if hours is None else open_status(hours, at, holiday_nation(service, nation))
    open_ones = [s for s in statuses if s.open_now]
    if open_ones:
        closing = [s.closes_at for s in open_ones]
        # Open round the clock on some channel: no closing time to report.
        closes_at = None if any(c is None for c in closing) else max(c for c in closing if c)
        return OpenStatus(open_now=True, next_open=None, closes_at=closes_at)
    upcoming = [s.next_open for s in statuses if s.next_open is not None]
    return OpenStatus(open_now=False, next_open=min(upcoming) if upcoming else None, closes_at=None)
