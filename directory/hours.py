"""Opening hours for UK services: open now, closing time, next opening, bank holidays.

Pure: no Flask, no SQLAlchemy. Plain data in (the YAML/JSON ``hours`` form or ``WeeklyHours``),
frozen dataclasses out.

Every rule time is Europe/London wall-clock time. Spans are turned into instants (UTC) before
they are compared, because Python compares and subtracts two datetimes that share a tzinfo by
their wall-clock fields, which is wrong across the March and October clock changes. Datetimes
handed back are Europe/London aware; compare them with each other freely, but convert to UTC
before subtracting them if the difference may straddle a clock change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays

LONDON: ZoneInfo = ZoneInfo("Europe/London")
NATIONS = ("ENG", "SCT", "WLS", "NIR")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Over a year, so an annual or seasonal service still gets a next opening; bounded, so hours that
# never open again cost a day-by-day scan of about a millisecond rather than an endless one.
_HORIZON_DAYS = 400
_WEEK_AND_A_DAY = timedelta(days=8)

_DAY_SHORTHANDS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "daily": (0, 1, 2, 3, 4, 5, 6),
        "weekdays": (0, 1, 2, 3, 4),
        "weekends": (5, 6),
    }
)
_BANK_HOLIDAY_POLICIES = ("normal", "closed")
_TOP_LEVEL_KEYS = frozenset(
    {"open_24_7", "bank_holidays", "rules", "valid_from", "valid_to", "notes", "verification"}
)
_RULE_KEYS = frozenset({"days", "opens", "closes"})
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_MIDNIGHT = time(0, 0)


@dataclass(frozen=True, order=True)
class OpeningRule:
    """One weekly span: opens on ``weekday`` at ``opens`` and closes at ``closes``.

    ``closes <= opens`` means the span ends the next day; ``opens == closes`` is 24 hours.
    """

    weekday: int  # 0 = Monday … 6 = Sunday, the day the span starts
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday!r}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("rule times are Europe/London wall-clock times: pass naive times")


@dataclass(frozen=True)
class WeeklyHours:
    """A service's weekly opening hours; rules are kept sorted and free of duplicates."""

    rules: tuple[OpeningRule, ...] = ()
    open_24_7: bool = False
    closed_on_bank_holidays: bool = False  # a span whose start day is a bank holiday is skipped
    valid_from: date | None = None  # outside [valid_from, valid_to], by start day, never open
    valid_to: date | None = None

    def __post_init__(self) -> None:
        # Canonical order makes equal hours compare equal however the rules were listed, and
        # lets hours_to_dict regroup days without breaking parse_hours(hours_to_dict(h)) == h.
        object.__setattr__(self, "rules", tuple(sorted(set(self.rules))))
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_to < self.valid_from
        ):
            raise ValueError("valid_to is before valid_from")


@dataclass(frozen=True)
class OpenStatus:
    """Whether a service is open at an instant, and when that changes."""

    open_now: bool
    # When closed: the start of the next span (Europe/London); None when open or never again
    # within the search horizon.
    next_open: datetime | None
    # When open: the end of the merged run of spans (Europe/London); None when closed, or when
    # it never closes within the horizon (24/7 without valid_to).
    closes_at: datetime | None


class HoursError(ValueError):
    """Bad hours data; the message starts with the field, e.g. ``rules[1].opens: ...``."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


# --- parsing -----------------------------------------------------------------------------------


def parse_hours(data: Mapping[str, Any]) -> WeeklyHours:
    """Build WeeklyHours from the YAML/JSON form; raise HoursError naming the bad field."""
    if not isinstance(data, Mapping):
        raise HoursError("not a mapping", field="hours")
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise HoursError("unknown key", field=str(key))

    open_24_7 = data.get("open_24_7")
    if open_24_7 is None:
        open_24_7 = False
    elif not isinstance(open_24_7, bool):
        raise HoursError("not a bool (true or false)", field="open_24_7")

    policy = data.get("bank_holidays")
    if policy is None:
        policy = "normal"
    elif policy not in _BANK_HOLIDAY_POLICIES:
        raise HoursError("must be 'normal' or 'closed'", field="bank_holidays")

    raw_rules = data.get("rules")
    if raw_rules is None:
        raw_rules = []
    # A string is a sequence too; without this "mon" would be read character by character.
    if not isinstance(raw_rules, list | tuple):
        raise HoursError("not a list of rules", field="rules")
    rules: list[OpeningRule] = []
    for index, raw_rule in enumerate(raw_rules):
        rules.extend(_parse_rule(raw_rule, f"rules[{index}]"))

    valid_from = _parse_date(data.get("valid_from"), "valid_from")
    valid_to = _parse_date(data.get("valid_to"), "valid_to")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise HoursError("before valid_from", field="valid_to")

    return WeeklyHours(
        rules=tuple(rules),
        open_24_7=open_24_7,
        closed_on_bank_holidays=policy == "closed",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _parse_rule(raw: Any, field: str) -> list[OpeningRule]:
    if not isinstance(raw, Mapping):
        raise HoursError("not a mapping with days, opens and closes", field=field)
    for key in raw:
        if key not in _RULE_KEYS:
            raise HoursError("unknown key", field=f"{field}.{key}")
    for key in ("days", "opens", "closes"):
        if raw.get(key) is None:
            raise HoursError("required", field=f"{field}.{key}")
    days = _parse_days(raw["days"], f"{field}.days")
    opens = _parse_time(raw["opens"], f"{field}.opens", allow_24=False)
    closes = _parse_time(raw["closes"], f"{field}.closes", allow_24=True)
    return [OpeningRule(weekday=day, opens=opens, closes=closes) for day in days]


def _parse_days(raw: Any, field: str) -> list[int]:
    # `days: weekdays` reads naturally in YAML, so a lone name counts as a one-item list.
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise HoursError("not a list of day names", field=field)
    if not items:
        raise HoursError("no days given", field=field)
    days: list[int] = []
    for index, item in enumerate(items):
        name = item.strip().lower() if isinstance(item, str) else ""
        if name in WEEKDAYS:
            days.append(WEEKDAYS.index(name))
        elif name in _DAY_SHORTHANDS:
            days.extend(_DAY_SHORTHANDS[name])
        else:
            raise HoursError(
                f"not a day name ({', '.join(WEEKDAYS)}, daily, weekdays or weekends): {item!r}",
                field=f"{field}[{index}]" if not isinstance(raw, str) else field,
            )
    return days


def _parse_time(raw: Any, field: str, *, allow_24: bool) -> time:
    if isinstance(raw, time):
        # Whole minutes only, so that hours_to_dict's HH:MM loses nothing.
        if raw.tzinfo is not None or raw.second or raw.microsecond:
            raise HoursError("not a time (HH:MM)", field=field)
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        # YAML 1.1 reads an unquoted 18:00 as the base-60 integer 1080.
        raise HoursError('not a time (HH:MM); quote it in YAML, e.g. "18:00"', field=field)
    match = _TIME_RE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise HoursError("not a time (HH:MM)", field=field)
    hour, minute = int(match[1]), int(match[2])
    if hour == 24 and minute == 0:
        if not allow_24:
            raise HoursError("24:00 is only allowed as a closing time", field=field)
        return _MIDNIGHT
    if hour > 23 or minute > 59:
        raise HoursError("not a time (HH:MM)", field=field)
    return time(hour, minute)


def _parse_date(raw: Any, field: str) -> date | None:
    if raw is None:
        return None
    # datetime is a date subclass; a timestamp here is almost certainly a mistake.
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise HoursError("not a date (YYYY-MM-DD)", field=field)


def hours_to_dict(hours: WeeklyHours) -> dict[str, Any]:
    """Turn WeeklyHours into the form parse_hours reads, grouping days that share times."""
    groups: dict[tuple[time, time], list[int]] = {}
    for rule in hours.rules:
        groups.setdefault((rule.opens, rule.closes), []).append(rule.weekday)
    entries = sorted(groups.items(), key=lambda item: (min(item[1]), item[0]))
    return {
        "open_24_7": hours.open_24_7,
        "bank_holidays": "closed" if hours.closed_on_bank_holidays else "normal",
        "rules": [
            {
                "days": [WEEKDAYS[day] for day in sorted(set(days))],
                "opens": opens.strftime("%H:%M"),
                "closes": closes.strftime("%H:%M"),
            }
            for (opens, closes), days in entries
        ],
        "valid_from": hours.valid_from.isoformat() if hours.valid_from else None,
        "valid_to": hours.valid_to.isoformat() if hours.valid_to else None,
    }


# --- bank holidays -----------------------------------------------------------------------------


def _check_nation(nation: str) -> None:
    if nation not in NATIONS:
        raise ValueError(f"nation must be one of {', '.join(NATIONS)}, not {nation!r}")


@lru_cache(maxsize=128)
def _bank_holidays(nation: str, year: int) -> Mapping[date, str]:
    # Building a holidays calendar costs far more than a lookup, and open_status asks for the
    # same few years over and over; a read-only copy keeps the cached value from being changed.
    calendar = holidays.country_holidays("GB", subdiv=nation, years=year)
    return MappingProxyType(dict(calendar.items()))


def is_bank_holiday(day: date, nation: str) -> bool:
    """Say whether `day` is a bank holiday in the nation (ENG, SCT, WLS or NIR)."""
    return bank_holiday_name(day, nation) is not None


def bank_holiday_name(day: date, nation: str) -> str | None:
    """Return the name of the bank holiday on `day` in the nation, or None."""
    _check_nation(nation)
    if isinstance(day, datetime):
        day = day.date()
    return _bank_holidays(nation, day.year).get(day)


# --- open / closed -----------------------------------------------------------------------------


def to_london(at: datetime) -> datetime:
    """Return an aware datetime in Europe/London; a naive one is taken as London wall time."""
    if at.tzinfo is None:
        return at.replace(tzinfo=LONDON)
    return at.astimezone(LONDON)


def now_in_london() -> datetime:
    """Return the current instant in Europe/London."""
    return datetime.now(LONDON)


def _instant(day: date, wall: time) -> datetime:
    # fold=0: an ambiguous October time means its first (BST) occurrence, and a March time
    # that never happens is pushed forward by the hour the clocks skip.
    return datetime.combine(day, wall, tzinfo=LONDON).astimezone(UTC)


def _is_valid_day(hours: WeeklyHours, day: date) -> bool:
    if hours.valid_from is not None and day < hours.valid_from:
        return False
    return hours.valid_to is None or day <= hours.valid_to


@lru_cache(maxsize=16_384)
def _day_spans(hours: WeeklyHours, day: date, nation: str) -> tuple[tuple[datetime, datetime], ...]:
    """The UTC spans that start on `day`. Kept: they depend on nothing else, and a page of
    results asks for the same few shapes of hours on the same few days (the time-zone
    arithmetic was most of working out whether a channel is open)."""
    rules = tuple(rule for rule in hours.rules if rule.weekday == day.weekday())
    if not rules or not _is_valid_day(hours, day):
        return ()
    if hours.closed_on_bank_holidays and is_bank_holiday(day, nation):
        return ()
    spans = []
    for rule in rules:
        end_day = day + timedelta(days=1) if rule.closes <= rule.opens else day
        start, end = _instant(day, rule.opens), _instant(end_day, rule.closes)
        # Only a span lying inside the hour skipped in March can come out empty or backwards.
        if start < end:
            spans.append((start, end))
    # Sorted by instant, not wall time: a March gap time maps later than the times after it.
    return tuple(sorted(spans))


def _window(hours: WeeklyHours, first_day: date) -> tuple[date, date, bool]:
    """Return the start days to search and whether valid_to, not the horizon, ends them."""
    if hours.valid_from is not None and first_day < hours.valid_from:
        first_day = hours.valid_from
    last_day = first_day + timedelta(days=_HORIZON_DAYS)
    if hours.valid_to is not None and hours.valid_to <= last_day:
        return first_day, hours.valid_to, True
    return first_day, last_day, False


def _spans(
    hours: WeeklyHours, first_day: date, last_day: date, nation: str
) -> Iterator[tuple[datetime, datetime]]:
    """Yield UTC (start, end) spans in start order for start days first_day..last_day."""
    if not hours.rules:
        return
    day = first_day
    while day <= last_day:
        yield from _day_spans(hours, day, nation)
        day += timedelta(days=1)


def open_status(hours: WeeklyHours, at: datetime, nation: str = "ENG") -> OpenStatus:
    """Tell whether the service is open at `at`, when it closes, or when it next opens."""
    _check_nation(nation)
    local = to_london(at)
    now = local.astimezone(UTC)
    today = local.date()

    if hours.open_24_7:
        if _is_valid_day(hours, today):
            closes = (
                None
                if hours.valid_to is None
                else _instant(hours.valid_to + timedelta(days=1), _MIDNIGHT).astimezone(LONDON)
            )
            return OpenStatus(open_now=True, next_open=None, closes_at=closes)
        if hours.valid_from is not None and today < hours.valid_from:
            opens = _instant(hours.valid_from, _MIDNIGHT).astimezone(LONDON)
            return OpenStatus(open_now=False, next_open=opens, closes_at=None)
        return OpenStatus(open_now=False, next_open=None, closes_at=None)

    # Yesterday's spans can still be running past midnight; none lasts beyond the next day.
    first_day, last_day, ends_at_valid_to = _window(hours, today - timedelta(days=1))
    run_end: datetime | None = None
    for start, end in _spans(hours, first_day, last_day, nation):
        if run_end is None:
            if start > now:
                return OpenStatus(
                    open_now=False, next_open=start.astimezone(LONDON), closes_at=None
                )
            if end > now:
                run_end = end
        elif start > run_end:
            break
        else:
            # Touching or overlapping spans (Fri 18:00-00:00, Sat 00:00-00:00, ...) are one
            # stretch of being open, so the closing time is the end of the whole run.
            run_end = max(run_end, end)
            if run_end - now > _WEEK_AND_A_DAY and not (
                hours.closed_on_bank_holidays or hours.valid_to is not None
            ):
                # Unbroken for over a week, and nothing can cut the weekly pattern: it repeats
                # forever, so say so now rather than walk the rest of the horizon.
                return OpenStatus(open_now=True, next_open=None, closes_at=None)
    else:
        if run_end is None:
            return OpenStatus(open_now=False, next_open=None, closes_at=None)
        if not ends_at_valid_to:
            # Still open at the horizon: as good as 24/7, so like 24/7 there is no closing time.
            return OpenStatus(open_now=True, next_open=None, closes_at=None)
    return OpenStatus(open_now=True, next_open=None, closes_at=run_end.astimezone(LONDON))


def is_open_at(hours: WeeklyHours, at: datetime, nation: str = "ENG") -> bool:
    """Say whether the service is open at `at`."""
    _check_nation(nation)
    local = to_london(at)
    if hours.open_24_7:
        return _is_valid_day(hours, local.date())
    now = local.astimezone(UTC)
    # Only yesterday's and today's spans can cover `at`, so skip open_status's look-ahead.
    today = local.date()
    for start, end in _spans(hours, today - timedelta(days=1), today, nation):
        if start > now:
            return False
        if end > now:
            return True
    return False


def next_open(hours: WeeklyHours, at: datetime, nation: str = "ENG") -> datetime | None:
    """Return the start of the next span strictly after `at` when closed; None when open now."""
    return open_status(hours, at, nation).next_open


MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def weekly_intervals(hours: WeeklyHours) -> tuple[tuple[int, int], ...]:
    """Return the week as merged [start, end) minutes of London wall time (Monday 00:00 = 0).

    Bank holidays and validity dates are left out: this is the fast, indexable shape of the
    hours, and callers check the exact rules where those could change the answer.
    """
    if hours.open_24_7:
        return ((0, MINUTES_PER_WEEK),)
    spans: list[tuple[int, int]] = []
    for rule in hours.rules:
        start = rule.weekday * MINUTES_PER_DAY + rule.opens.hour * 60 + rule.opens.minute
        length = (rule.closes.hour * 60 + rule.closes.minute) - (
            rule.opens.hour * 60 + rule.opens.minute
        )
        if length <= 0:  # runs past midnight (or a full day when opens == closes)
            length += MINUTES_PER_DAY
        end = start + length
        if end > MINUTES_PER_WEEK:  # Sunday night into Monday morning
            spans += [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]
        else:
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def week_minute(at: datetime) -> int:
    """Return the minute of the London week (Monday 00:00 = 0) that `at` falls in."""
    local = to_london(at)
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
