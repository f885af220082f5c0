"""Opening hours: what a caller sees as open, closing at, or opening next."""

from __future__ import annotations

import ast
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from directory.hours import (
    LONDON,
    NATIONS,
    WEEKDAYS,
    HoursError,
    OpeningRule,
    OpenStatus,
    WeeklyHours,
    bank_holiday_name,
    hours_to_dict,
    is_bank_holiday,
    is_open_at,
    next_open,
    open_status,
    parse_hours,
    to_london,
)


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _rules(days: str, opens: str, closes: str) -> tuple[OpeningRule, ...]:
    """Rules for space-separated day names, e.g. ``_rules("mon tue", "09:00", "17:00")``."""
    return tuple(OpeningRule(WEEKDAYS.index(day), _t(opens), _t(closes)) for day in days.split())


def london(y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON, fold=fold)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def as_utc(value: datetime | None) -> datetime | None:
    # Two datetimes sharing Europe/London compare by wall clock and ignore fold, which would hide
    # an hour's error at a clock change; comparing in UTC compares the instants.
    return None if value is None else value.astimezone(UTC)


# Monday 18:00 until Tuesday 02:00.
MONDAY_NIGHT = WeeklyHours(rules=_rules("mon", "18:00", "02:00"))
# Every day 16:00-22:00.
EVENINGS = WeeklyHours(rules=_rules("mon tue wed thu fri sat sun", "16:00", "22:00"))
ALWAYS = WeeklyHours(open_24_7=True, closed_on_bank_holidays=True)
# A crisis café: Mon-Thu 18:00-02:00 and Friday 18:00 straight through to Monday 06:00.
BREATHING_SPACE = WeeklyHours(
    rules=(
        *_rules("mon tue wed thu", "18:00", "02:00"),
        *_rules("fri", "18:00", "00:00"),
        *_rules("sat sun", "00:00", "00:00"),
        *_rules("mon", "00:00", "06:00"),
    )
)
# A helpline: weekdays 09:00-18:00, closed on bank holidays.
INFOLINE = WeeklyHours(
    rules=_rules("mon tue wed thu fri", "09:00", "18:00"), closed_on_bank_holidays=True
)
INFOLINE_OPEN_ON_BANK_HOLIDAYS = WeeklyHours(rules=INFOLINE.rules)
LATE_CLOSED_ON_BANK_HOLIDAYS = WeeklyHours(
    rules=_rules("mon tue wed thu", "18:00", "02:00"), closed_on_bank_holidays=True
)
# Sunday 01:00-03:00: the October clock change repeats 01:00-02:00 inside it.
SMALL_HOURS_SUNDAY = WeeklyHours(rules=_rules("sun", "01:00", "03:00"))
SUNDAY_NIGHT = WeeklyHours(rules=_rules("sun", "00:00", "04:00"))
SUNDAY_DAY = WeeklyHours(rules=_rules("sun", "09:00", "17:00"))
# Closes at 01:30 on the night the clocks skip 01:00-02:00, then opens again on Sunday 02:15.
INTO_THE_MARCH_GAP = WeeklyHours(
    rules=(*_rules("sat", "22:00", "01:30"), *_rules("sun", "02:15", "04:00"))
)
SAT_MON_EVENINGS = WeeklyHours(rules=_rules("sat mon", "18:00", "22:00"))
DAILY_ROUND_THE_CLOCK = WeeklyHours(rules=_rules("mon tue wed thu fri sat sun", "00:00", "00:00"))
SUMMER_2026 = WeeklyHours(
    rules=INFOLINE.rules, valid_from=date(2026, 6, 1), valid_to=date(2026, 8, 31)
)
ALWAYS_IN_DECEMBER = WeeklyHours(
    open_24_7=True, valid_from=date(2026, 12, 1), valid_to=date(2026, 12, 31)
)


@pytest.mark.parametrize(
    ("hours", "at", "nation", "expected"),
    [
        # Past midnight: Monday's span still runs early on Tuesday.
        pytest.param(MONDAY_NIGHT, london(2026, 11, 10, 1), "ENG", True, id="tue-01:00-open"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 10, 1, 59), "ENG", True, id="tue-01:59"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 10, 2), "ENG", False, id="tue-02:00-closed"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 10, 2, 30), "ENG", False, id="tue-02:30"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 9, 17, 59), "ENG", False, id="mon-17:59"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 9, 18), "ENG", True, id="mon-18:00-opens"),
        pytest.param(MONDAY_NIGHT, london(2026, 11, 9, 1), "ENG", False, id="mon-01:00-no-sun"),
        # Open at opening time, closed at closing time.
        pytest.param(EVENINGS, london(2026, 11, 11, 16), "ENG", True, id="16:00-open"),
        pytest.param(EVENINGS, london(2026, 11, 11, 21, 59), "ENG", True, id="21:59-open"),
        pytest.param(EVENINGS, london(2026, 11, 11, 22), "ENG", False, id="22:00-closed"),
        pytest.param(EVENINGS, london(2026, 11, 11, 15, 59), "ENG", False, id="15:59-closed"),
        # 24/7 is open whenever, bank holidays included.
        pytest.param(ALWAYS, london(2026, 11, 11, 3, 17), "ENG", True, id="24-7-night"),
        pytest.param(ALWAYS, london(2026, 12, 25, 12), "ENG", True, id="24-7-christmas"),
        pytest.param(ALWAYS, london(2026, 10, 25, 1, 30, fold=1), "ENG", True, id="24-7-fold"),
        # Breathing Space: open all weekend, closed Monday daytime.
        pytest.param(BREATHING_SPACE, london(2026, 11, 13, 17), "ENG", False, id="bs-fri-17"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 13, 23), "ENG", True, id="bs-fri-23"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 14, 0), "ENG", True, id="bs-sat-00"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 14, 15), "ENG", True, id="bs-sat-15"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 15, 23, 59), "ENG", True, id="bs-sun-late"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 16, 5, 59), "ENG", True, id="bs-mon-05:59"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 16, 6), "ENG", False, id="bs-mon-06"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 16, 12), "ENG", False, id="bs-mon-noon"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 17, 1), "ENG", True, id="bs-tue-01"),
        pytest.param(BREATHING_SPACE, london(2026, 11, 18, 3), "ENG", False, id="bs-wed-03"),
        # Fri 2 Jan 2026 is a bank holiday in Scotland only.
        pytest.param(INFOLINE, london(2026, 1, 2, 12), "SCT", False, id="2-jan-sct-closed"),
        pytest.param(INFOLINE, london(2026, 1, 2, 12), "ENG", True, id="2-jan-eng-open"),
        pytest.param(INFOLINE, london(2026, 1, 2, 12), "WLS", True, id="2-jan-wls-open"),
        pytest.param(INFOLINE, london(2026, 1, 2, 12), "NIR", True, id="2-jan-nir-open"),
        pytest.param(
            INFOLINE_OPEN_ON_BANK_HOLIDAYS, london(2026, 1, 2, 12), "SCT", True, id="2-jan-normal"
        ),
        # Tue 17 Mar 2026, St Patrick's Day, only in Northern Ireland.
        pytest.param(INFOLINE, london(2026, 3, 17, 12), "NIR", False, id="st-patrick-nir"),
        pytest.param(INFOLINE, london(2026, 3, 17, 12), "ENG", True, id="st-patrick-eng"),
        # 12 July 2026 is a Sunday, so Monday 13 July is the Northern Ireland holiday.
        pytest.param(INFOLINE, london(2026, 7, 13, 12), "NIR", False, id="boyne-observed-nir"),
        pytest.param(INFOLINE, london(2026, 7, 13, 12), "ENG", True, id="boyne-eng"),
        # Mon 30 Nov 2026, St Andrew's Day, only in Scotland.
        pytest.param(INFOLINE, london(2026, 11, 30, 12), "SCT", False, id="st-andrew-sct"),
        pytest.param(INFOLINE, london(2026, 11, 30, 12), "ENG", True, id="st-andrew-eng"),
        # Summer bank holiday: first Monday of August in Scotland, last elsewhere.
        pytest.param(INFOLINE, london(2026, 8, 3, 12), "SCT", False, id="aug-3-sct"),
        pytest.param(INFOLINE, london(2026, 8, 3, 12), "ENG", True, id="aug-3-eng"),
        pytest.param(INFOLINE, london(2026, 8, 31, 12), "ENG", False, id="aug-31-eng"),
        pytest.param(INFOLINE, london(2026, 8, 31, 12), "SCT", True, id="aug-31-sct"),
        pytest.param(INFOLINE, london(2026, 4, 6, 12), "SCT", True, id="easter-mon-sct"),
        pytest.param(INFOLINE, london(2026, 4, 6, 12), "WLS", False, id="easter-mon-wls"),
        # A bank holiday cancels the spans that start on it, not one already running.
        pytest.param(
            LATE_CLOSED_ON_BANK_HOLIDAYS, london(2026, 12, 25, 1), "ENG", True, id="xmas-eve-late"
        ),
        pytest.param(
            LATE_CLOSED_ON_BANK_HOLIDAYS, london(2026, 12, 28, 19), "ENG", False, id="boxing-obs"
        ),
        pytest.param(
            LATE_CLOSED_ON_BANK_HOLIDAYS, london(2026, 12, 29, 1), "ENG", False, id="after-boxing"
        ),
        # `at` in UTC: 08:30 UTC is 09:30 BST in summer, 08:30 GMT in winter.
        pytest.param(INFOLINE, utc(2026, 7, 6, 8, 30), "ENG", True, id="utc-summer-open"),
        pytest.param(INFOLINE, london(2026, 7, 6, 8, 30), "ENG", False, id="london-summer"),
        pytest.param(INFOLINE, datetime(2026, 7, 6, 8, 30), "ENG", False, id="naive-is-london"),
        pytest.param(INFOLINE, utc(2026, 7, 6, 17, 30), "ENG", False, id="utc-summer-closed"),
        pytest.param(INFOLINE, utc(2026, 11, 9, 8, 30), "ENG", False, id="utc-winter-closed"),
        pytest.param(INFOLINE, utc(2026, 11, 9, 17, 30), "ENG", True, id="utc-winter-open"),
        # 25 Oct 2026: 01:00-02:00 happens twice (BST, then GMT).
        pytest.param(SMALL_HOURS_SUNDAY, utc(2026, 10, 24, 23, 59), "ENG", False, id="oct-00:59"),
        pytest.param(SMALL_HOURS_SUNDAY, utc(2026, 10, 25, 0, 0), "ENG", True, id="oct-01:00-bst"),
        pytest.param(SMALL_HOURS_SUNDAY, utc(2026, 10, 25, 1, 30), "ENG", True, id="oct-01:30-gmt"),
        pytest.param(SMALL_HOURS_SUNDAY, utc(2026, 10, 25, 2, 59), "ENG", True, id="oct-02:59"),
        pytest.param(SMALL_HOURS_SUNDAY, utc(2026, 10, 25, 3, 0), "ENG", False, id="oct-03:00"),
        # 29 Mar 2026: 01:00-02:00 never happens.
        pytest.param(SUNDAY_DAY, utc(2026, 3, 29, 8, 30), "ENG", True, id="mar-09:30-bst"),
        pytest.param(SUNDAY_DAY, utc(2026, 3, 22, 8, 30), "ENG", False, id="mar-08:30-gmt"),
        pytest.param(SUNDAY_NIGHT, utc(2026, 3, 29, 2, 59), "ENG", True, id="mar-03:59-bst"),
        pytest.param(SUNDAY_NIGHT, utc(2026, 3, 29, 3, 0), "ENG", False, id="mar-04:00-bst"),
        # valid_from / valid_to bound the start day.
        pytest.param(SUMMER_2026, london(2026, 5, 29, 12), "ENG", False, id="before-valid-from"),
        pytest.param(SUMMER_2026, london(2026, 6, 1, 12), "ENG", True, id="on-valid-from"),
        pytest.param(SUMMER_2026, london(2026, 8, 28, 12), "ENG", True, id="before-valid-to"),
        pytest.param(SUMMER_2026, london(2026, 9, 1, 12), "ENG", False, id="after-valid-to"),
        pytest.param(ALWAYS_IN_DECEMBER, london(2026, 11, 30, 23), "ENG", False, id="24-7-before"),
        pytest.param(ALWAYS_IN_DECEMBER, london(2026, 12, 31, 23), "ENG", True, id="24-7-last-day"),
        pytest.param(ALWAYS_IN_DECEMBER, london(2027, 1, 1, 0), "ENG", False, id="24-7-after"),
        pytest.param(WeeklyHours(), london(2026, 11, 11, 12), "ENG", False, id="no-rules"),
    ],
)
def test_is_open_at(hours: WeeklyHours, at: datetime, nation: str, expected: bool) -> None:
    assert is_open_at(hours, at, nation) is expected
    assert open_status(hours, at, nation).open_now is expected


@pytest.mark.parametrize(
    ("hours", "at", "nation", "expected"),
    [
        pytest.param(
            MONDAY_NIGHT,
            london(2026, 11, 10, 1),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 10, 2)),
            id="midnight-span-closes-tue-02:00",
        ),
        pytest.param(
            MONDAY_NIGHT,
            london(2026, 11, 10, 2, 30),
            "ENG",
            OpenStatus(False, london(2026, 11, 16, 18), None),
            id="midnight-span-next-monday",
        ),
        pytest.param(
            EVENINGS,
            london(2026, 11, 11, 22),
            "ENG",
            OpenStatus(False, london(2026, 11, 12, 16), None),
            id="at-closing-time-next-is-tomorrow",
        ),
        pytest.param(
            EVENINGS,
            london(2026, 11, 11, 10),
            "ENG",
            OpenStatus(False, london(2026, 11, 11, 16), None),
            id="morning-next-is-today",
        ),
        pytest.param(
            ALWAYS, london(2026, 12, 25, 12), "ENG", OpenStatus(True, None, None), id="24-7"
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 14, 15),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 16, 6)),
            id="bs-saturday-closes-monday-06:00",
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 13, 19),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 16, 6)),
            id="bs-friday-evening-closes-monday",
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 16, 1),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 16, 6)),
            id="bs-monday-early-closes-06:00",
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 16, 6),
            "ENG",
            OpenStatus(False, london(2026, 11, 16, 18), None),
            id="bs-monday-06:00-next-18:00",
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 17, 1),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 17, 2)),
            id="bs-tuesday-01:00",
        ),
        pytest.param(
            BREATHING_SPACE,
            london(2026, 11, 13, 12),
            "ENG",
            OpenStatus(False, london(2026, 11, 13, 18), None),
            id="bs-friday-noon",
        ),
        # Across a weekend.
        pytest.param(
            INFOLINE,
            london(2026, 11, 13, 18, 30),
            "ENG",
            OpenStatus(False, london(2026, 11, 16, 9), None),
            id="infoline-friday-evening",
        ),
        # Christmas Day Fri 25 Dec 2026; Boxing Day (Sat) is observed on Mon 28 Dec.
        pytest.param(
            INFOLINE,
            london(2026, 12, 24, 19),
            "ENG",
            OpenStatus(False, london(2026, 12, 29, 9), None),
            id="infoline-christmas-eng",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 12, 24, 19),
            "SCT",
            OpenStatus(False, london(2026, 12, 29, 9), None),
            id="infoline-christmas-sct",
        ),
        pytest.param(
            INFOLINE_OPEN_ON_BANK_HOLIDAYS,
            london(2026, 12, 24, 19),
            "ENG",
            OpenStatus(False, london(2026, 12, 25, 9), None),
            id="infoline-normal-on-christmas",
        ),
        # New Year: Scotland's 2 Jan 2027 is a Saturday, observed Monday 4 Jan.
        pytest.param(
            INFOLINE,
            london(2026, 12, 31, 19),
            "ENG",
            OpenStatus(False, london(2027, 1, 4, 9), None),
            id="infoline-new-year-eng",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 12, 31, 19),
            "SCT",
            OpenStatus(False, london(2027, 1, 5, 9), None),
            id="infoline-new-year-sct",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 1, 2, 12),
            "SCT",
            OpenStatus(False, london(2026, 1, 5, 9), None),
            id="infoline-2-jan-sct",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 1, 2, 12),
            "ENG",
            OpenStatus(True, None, london(2026, 1, 2, 18)),
            id="infoline-2-jan-eng",
        ),
        # Easter: Good Friday everywhere, Easter Monday not in Scotland.
        pytest.param(
            INFOLINE,
            london(2026, 4, 2, 19),
            "ENG",
            OpenStatus(False, london(2026, 4, 7, 9), None),
            id="infoline-easter-eng",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 4, 2, 19),
            "SCT",
            OpenStatus(False, london(2026, 4, 6, 9), None),
            id="infoline-easter-sct",
        ),
        pytest.param(
            INFOLINE,
            london(2026, 3, 16, 19),
            "NIR",
            OpenStatus(False, london(2026, 3, 18, 9), None),
            id="infoline-st-patrick-nir",
        ),
        # Clock changes: 18:00 is 17:00 UTC in BST and 18:00 UTC in GMT.
        pytest.param(
            SAT_MON_EVENINGS,
            london(2026, 10, 24, 12),
            "ENG",
            OpenStatus(False, utc(2026, 10, 24, 17), None),
            id="oct-sat-18:00-is-17:00-utc",
        ),
        pytest.param(
            SAT_MON_EVENINGS,
            london(2026, 10, 24, 23),
            "ENG",
            OpenStatus(False, utc(2026, 10, 26, 18), None),
            id="oct-mon-18:00-is-18:00-utc",
        ),
        pytest.param(
            SMALL_HOURS_SUNDAY,
            utc(2026, 10, 25, 0, 0),
            "ENG",
            OpenStatus(True, None, utc(2026, 10, 25, 3)),
            id="oct-01:00-03:00-lasts-3-hours",
        ),
        pytest.param(
            SMALL_HOURS_SUNDAY,
            utc(2026, 10, 24, 12),
            "ENG",
            OpenStatus(False, utc(2026, 10, 25, 0), None),
            id="oct-opens-01:00-bst",
        ),
        pytest.param(
            SUNDAY_NIGHT,
            utc(2026, 3, 29, 0, 0),
            "ENG",
            OpenStatus(True, None, utc(2026, 3, 29, 3)),
            id="mar-00:00-04:00-lasts-3-hours",
        ),
        pytest.param(
            SUNDAY_DAY,
            london(2026, 3, 28, 12),
            "ENG",
            OpenStatus(False, utc(2026, 3, 29, 8), None),
            id="mar-sun-09:00-is-08:00-utc",
        ),
        # A time inside the skipped hour moves on by an hour, as zoneinfo reads it (PEP 495):
        # "until 01:30" lasts until 02:30 BST, past Sunday's 02:15 opening, so one run to 04:00.
        pytest.param(
            INTO_THE_MARCH_GAP,
            london(2026, 3, 28, 23),
            "ENG",
            OpenStatus(True, None, utc(2026, 3, 29, 3)),
            id="mar-closing-in-skipped-hour-merges",
        ),
        pytest.param(
            INTO_THE_MARCH_GAP,
            london(2026, 3, 21, 23),
            "ENG",
            OpenStatus(True, None, utc(2026, 3, 22, 1, 30)),
            id="mar-week-before-closes-01:30",
        ),
        pytest.param(
            SUNDAY_DAY,
            london(2026, 3, 21, 12),
            "ENG",
            OpenStatus(False, utc(2026, 3, 22, 9), None),
            id="mar-sun-before-change-09:00-utc",
        ),
        # A UTC `at` means the same instant as its London equivalent.
        pytest.param(
            INFOLINE,
            utc(2026, 7, 6, 7, 30),
            "ENG",
            OpenStatus(False, london(2026, 7, 6, 9), None),
            id="utc-at-before-opening",
        ),
        # valid_from / valid_to.
        pytest.param(
            SUMMER_2026,
            london(2026, 5, 1, 12),
            "ENG",
            OpenStatus(False, london(2026, 6, 1, 9), None),
            id="next-open-waits-for-valid-from",
        ),
        pytest.param(
            SUMMER_2026,
            london(2026, 8, 28, 19),
            "ENG",
            OpenStatus(False, london(2026, 8, 31, 9), None),
            id="last-day-is-valid-to",
        ),
        pytest.param(
            SUMMER_2026,
            london(2026, 8, 31, 19),
            "ENG",
            OpenStatus(False, None, None),
            id="never-after-valid-to",
        ),
        pytest.param(
            ALWAYS_IN_DECEMBER,
            london(2026, 12, 10, 12),
            "ENG",
            OpenStatus(True, None, london(2027, 1, 1)),
            id="24-7-closes-after-valid-to",
        ),
        pytest.param(
            ALWAYS_IN_DECEMBER,
            london(2026, 11, 10, 12),
            "ENG",
            OpenStatus(False, london(2026, 12, 1), None),
            id="24-7-opens-on-valid-from",
        ),
        pytest.param(
            ALWAYS_IN_DECEMBER,
            london(2027, 1, 1, 12),
            "ENG",
            OpenStatus(False, None, None),
            id="24-7-never-after-valid-to",
        ),
        pytest.param(
            DAILY_ROUND_THE_CLOCK,
            london(2026, 11, 11, 12),
            "ENG",
            OpenStatus(True, None, None),
            id="round-the-clock-rules-never-close",
        ),
        pytest.param(
            WeeklyHours(rules=DAILY_ROUND_THE_CLOCK.rules, valid_to=date(2026, 11, 20)),
            london(2026, 11, 11, 12),
            "ENG",
            OpenStatus(True, None, london(2026, 11, 21)),
            id="round-the-clock-rules-until-valid-to",
        ),
        pytest.param(
            WeeklyHours(rules=DAILY_ROUND_THE_CLOCK.rules, closed_on_bank_holidays=True),
            london(2026, 11, 11, 12),
            "ENG",
            OpenStatus(True, None, london(2026, 12, 25)),
            id="round-the-clock-rules-until-christmas",
        ),
        pytest.param(
            WeeklyHours(rules=DAILY_ROUND_THE_CLOCK.rules, closed_on_bank_holidays=True),
            london(2026, 11, 11, 12),
            "SCT",
            OpenStatus(True, None, london(2026, 11, 30)),
            id="round-the-clock-rules-until-st-andrews-day",
        ),
        pytest.param(
            WeeklyHours(), london(2026, 11, 11, 12), "ENG", OpenStatus(False, None, None), id="none"
        ),
    ],
)
def test_open_status(hours: WeeklyHours, at: datetime, nation: str, expected: OpenStatus) -> None:
    status = open_status(hours, at, nation)
    assert status.open_now is expected.open_now
    assert as_utc(status.next_open) == as_utc(expected.next_open)
    assert as_utc(status.closes_at) == as_utc(expected.closes_at)
    for value in (status.next_open, status.closes_at):
        if value is not None:
            assert value.tzinfo is LONDON
    assert as_utc(next_open(hours, at, nation)) == as_utc(expected.next_open)


@pytest.mark.parametrize(
    ("hours", "at", "wall_clock"),
    [
        pytest.param(SAT_MON_EVENINGS, london(2026, 10, 24, 12), "18:00+01:00", id="before-oct"),
        pytest.param(SAT_MON_EVENINGS, london(2026, 10, 24, 23), "18:00+00:00", id="after-oct"),
        pytest.param(SUNDAY_DAY, london(2026, 3, 28, 12), "09:00+01:00", id="after-mar"),
        pytest.param(INFOLINE, utc(2026, 7, 6, 7, 30), "09:00+01:00", id="utc-in"),
    ],
)
def test_next_open_reads_as_london_wall_clock(
    hours: WeeklyHours, at: datetime, wall_clock: str
) -> None:
    opens = next_open(hours, at)
    assert opens is not None
    assert opens.isoformat(timespec="minutes")[11:] == wall_clock


def test_next_open_is_none_while_open() -> None:
    assert next_open(BREATHING_SPACE, london(2026, 11, 14, 15)) is None


@pytest.mark.parametrize(
    ("hours", "nation", "start"),
    [
        pytest.param(BREATHING_SPACE, "ENG", london(2026, 11, 7), id="breathing-space"),
        pytest.param(LATE_CLOSED_ON_BANK_HOLIDAYS, "ENG", london(2026, 12, 19), id="christmas"),
        pytest.param(INFOLINE, "SCT", london(2026, 12, 24), id="scottish-new-year"),
        pytest.param(SMALL_HOURS_SUNDAY, "ENG", london(2026, 10, 20), id="october-change"),
        pytest.param(SUNDAY_NIGHT, "ENG", london(2026, 3, 25), id="march-change"),
        pytest.param(SUMMER_2026, "ENG", london(2026, 5, 28), id="valid-from"),
    ],
)
def test_times_given_agree_with_is_open_at(
    hours: WeeklyHours, nation: str, start: datetime
) -> None:
    # Every quarter hour for a fortnight: a "closes at" or "next open" that is off by a span
    # (unmerged runs, a doubled October hour) would show here as a wrong answer a user acts on.
    minute = timedelta(minutes=1)
    instant = start.astimezone(UTC)
    for _ in range(14 * 24 * 4):
        status = open_status(hours, instant, nation)
        assert status.open_now is is_open_at(hours, instant, nation)
        if status.open_now:
            assert status.next_open is None
            assert status.closes_at is not None
            assert is_open_at(hours, status.closes_at - minute, nation)
            assert not is_open_at(hours, status.closes_at, nation)
        elif status.next_open is not None:
            assert status.next_open > instant
            assert is_open_at(hours, status.next_open, nation)
            assert not is_open_at(hours, status.next_open - minute, nation)
            assert status.closes_at is None
        instant += timedelta(minutes=15)


@pytest.mark.parametrize(
    ("day", "nation", "name_part"),
    [
        pytest.param(date(2026, 1, 2), "SCT", "New Year", id="2-jan-sct"),
        pytest.param(date(2026, 1, 2), "ENG", None, id="2-jan-eng"),
        pytest.param(date(2026, 3, 17), "NIR", "Patrick", id="st-patrick-nir"),
        pytest.param(date(2026, 3, 17), "WLS", None, id="st-patrick-wls"),
        pytest.param(date(2026, 7, 13), "NIR", "Boyne", id="boyne-observed"),
        pytest.param(date(2026, 11, 30), "SCT", "Andrew", id="st-andrew"),
        pytest.param(date(2026, 11, 30), "ENG", None, id="st-andrew-eng"),
        pytest.param(date(2026, 12, 25), "WLS", "Christmas", id="christmas"),
        pytest.param(date(2026, 12, 28), "ENG", "Boxing", id="boxing-observed"),
        pytest.param(date(2027, 1, 4), "SCT", "New Year", id="2-jan-2027-observed-sct"),
        pytest.param(date(2027, 1, 4), "ENG", None, id="4-jan-2027-eng"),
        pytest.param(date(2026, 4, 6), "ENG", "Easter", id="easter-monday"),
        pytest.param(date(2026, 4, 6), "SCT", None, id="easter-monday-sct"),
        pytest.param(date(2026, 11, 11), "ENG", None, id="ordinary-day"),
    ],
)
def test_bank_holidays(day: date, nation: str, name_part: str | None) -> None:
    name = bank_holiday_name(day, nation)
    assert is_bank_holiday(day, nation) is (name_part is not None)
    if name_part is None:
        assert name is None
    else:
        assert name is not None
        assert name_part in name


@pytest.mark.parametrize("nation", ["GB", "eng", "Scotland", ""])
def test_unknown_nation_is_refused(nation: str) -> None:
    with pytest.raises(ValueError, match="nation"):
        is_bank_holiday(date(2026, 1, 1), nation)
    with pytest.raises(ValueError, match="nation"):
        open_status(INFOLINE, london(2026, 1, 1), nation)
    with pytest.raises(ValueError, match="nation"):
        is_open_at(ALWAYS, london(2026, 1, 1), nation)


def test_every_nation_is_known() -> None:
    assert {is_bank_holiday(date(2026, 12, 25), nation) for nation in NATIONS} == {True}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(datetime(2026, 7, 6, 9), "2026-07-06T09:00:00+01:00", id="naive-summer"),
        pytest.param(datetime(2026, 1, 6, 9), "2026-01-06T09:00:00+00:00", id="naive-winter"),
        pytest.param(utc(2026, 7, 6, 9), "2026-07-06T10:00:00+01:00", id="utc-summer"),
        pytest.param(
            datetime(2026, 10, 25, 1, 30, fold=1), "2026-10-25T01:30:00+00:00", id="naive-fold"
        ),
    ],
)
def test_to_london(at: datetime, expected: str) -> None:
    result = to_london(at)
    assert result.tzinfo is LONDON
    assert result.isoformat() == expected


# --- parse_hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({}, WeeklyHours(), id="empty"),
        pytest.param({"open_24_7": True}, WeeklyHours(open_24_7=True), id="24-7"),
        pytest.param(
            {"open_24_7": None, "bank_holidays": None, "rules": None, "valid_to": None},
            WeeklyHours(),
            id="nulls-are-defaults",
        ),
        pytest.param(
            {
                "bank_holidays": "closed",
                "rules": [{"days": ["mon", "tue"], "opens": "09:00", "closes": "17:30"}],
            },
            WeeklyHours(rules=_rules("mon tue", "09:00", "17:30"), closed_on_bank_holidays=True),
            id="closed-on-bank-holidays",
        ),
        pytest.param(
            {"rules": [{"days": ["weekdays"], "opens": "9:00", "closes": "17:00"}]},
            WeeklyHours(rules=_rules("mon tue wed thu fri", "09:00", "17:00")),
            id="weekdays-and-one-digit-hour",
        ),
        pytest.param(
            {"rules": [{"days": ["weekends", "fri"], "opens": "10:00", "closes": "16:00"}]},
            WeeklyHours(rules=_rules("fri sat sun", "10:00", "16:00")),
            id="weekends-plus-friday",
        ),
        pytest.param(
            {"rules": [{"days": "daily", "opens": "00:00", "closes": "24:00"}]},
            DAILY_ROUND_THE_CLOCK,
            id="daily-string-and-24:00",
        ),
        pytest.param(
            {"rules": [{"days": ["Sat", " SUN "], "opens": "10:00", "closes": "16:00"}]},
            WeeklyHours(rules=_rules("sat sun", "10:00", "16:00")),
            id="day-names-any-case",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": time(18), "closes": time(2)}]},
            MONDAY_NIGHT,
            id="time-objects",
        ),
        pytest.param(
            {"valid_from": "2026-06-01", "valid_to": date(2026, 8, 31), "rules": []},
            WeeklyHours(valid_from=date(2026, 6, 1), valid_to=date(2026, 8, 31)),
            id="valid-dates",
        ),
        pytest.param(
            {"notes": "Closed for training first Tuesday", "verification": "verified"},
            WeeklyHours(),
            id="notes-and-verification-ignored",
        ),
    ],
)
def test_parse_hours(data: dict[str, object], expected: WeeklyHours) -> None:
    assert parse_hours(data) == expected


def test_parse_hours_reads_the_seed_readme_yaml() -> None:
    data = yaml.safe_load(
        """
        open_24_7: false
        bank_holidays: normal
        rules:
          - days: [mon, tue, wed, thu]
            opens: "18:00"
            closes: "02:00"
          - days: [fri]
            opens: "18:00"
            closes: "00:00"
          - days: [sat, sun]
            opens: "00:00"
            closes: "24:00"
          - days: [mon]
            opens: "00:00"
            closes: "06:00"
        valid_from: 2026-01-01
        valid_to: null
        notes: null
        verification: verified
        """
    )
    assert parse_hours(data) == WeeklyHours(
        rules=BREATHING_SPACE.rules, valid_from=date(2026, 1, 1)
    )


@pytest.mark.parametrize(
    ("data", "field", "message_part"),
    [
        pytest.param([], "hours", "mapping", id="not-a-mapping"),
        pytest.param({"colour": "red"}, "colour", "unknown key", id="unknown-key"),
        pytest.param({"open_24_7": "yes"}, "open_24_7", "bool", id="24-7-string"),
        pytest.param({"open_24_7": 1}, "open_24_7", "bool", id="24-7-int"),
        pytest.param({"bank_holidays": "open"}, "bank_holidays", "normal", id="bank-holidays"),
        pytest.param({"rules": "mon 9-5"}, "rules", "list", id="rules-string"),
        pytest.param({"rules": {"days": ["mon"]}}, "rules", "list", id="rules-mapping"),
        pytest.param({"rules": ["mon"]}, "rules[0]", "mapping", id="rule-not-a-mapping"),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "09:00"}]},
            "rules[0].closes",
            "required",
            id="missing-closes",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "09:00", "closes": "17:00", "note": "x"}]},
            "rules[0].note",
            "unknown key",
            id="unknown-rule-key",
        ),
        pytest.param(
            {"rules": [{"days": ["mon", "tue", "funday"], "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days[2]",
            "funday",
            id="bad-day-name",
        ),
        pytest.param(
            {"rules": [{"days": [1], "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days[0]",
            "day name",
            id="day-number",
        ),
        pytest.param(
            {"rules": [{"days": "someday", "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days",
            "day name",
            id="bad-day-string",
        ),
        pytest.param(
            {"rules": [{"days": [], "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days",
            "no days",
            id="no-days",
        ),
        pytest.param(
            {"rules": [{"days": 5, "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days",
            "list",
            id="days-int",
        ),
        pytest.param(
            {
                "rules": [
                    {"days": ["mon"], "opens": "09:00", "closes": "17:00"},
                    {"days": ["tue"], "opens": "9am", "closes": "17:00"},
                ]
            },
            "rules[1].opens",
            "not a time (HH:MM)",
            id="bad-opens",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "09:00", "closes": "25:00"}]},
            "rules[0].closes",
            "not a time",
            id="hour-25",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "09:60", "closes": "17:00"}]},
            "rules[0].opens",
            "not a time",
            id="minute-60",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "24:00", "closes": "06:00"}]},
            "rules[0].opens",
            "closing time",
            id="opens-24:00",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": "09:00:30", "closes": "17:00"}]},
            "rules[0].opens",
            "not a time",
            id="seconds",
        ),
        pytest.param(
            {"rules": [{"days": ["mon"], "opens": time(9, 0, 30), "closes": "17:00"}]},
            "rules[0].opens",
            "not a time",
            id="time-with-seconds",
        ),
        pytest.param(
            yaml.safe_load("rules: [{days: [mon], opens: 18:00, closes: '02:00'}]"),
            "rules[0].opens",
            "quote",
            id="unquoted-yaml-time",
        ),
        pytest.param({"valid_from": "next week"}, "valid_from", "date", id="bad-valid-from"),
        pytest.param(
            {"valid_to": datetime(2026, 1, 1, 12)}, "valid_to", "date", id="datetime-valid-to"
        ),
        pytest.param(
            {"valid_from": "2026-06-01", "valid_to": "2026-05-31"},
            "valid_to",
            "before valid_from",
            id="valid-to-before-from",
        ),
    ],
)
def test_parse_hours_names_the_bad_field(data: object, field: str, message_part: str) -> None:
    with pytest.raises(HoursError) as raised:
        parse_hours(data)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
    assert message_part in str(raised.value)
    assert isinstance(raised.value, ValueError)


# --- hours_to_dict -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours",
    [
        pytest.param(WeeklyHours(), id="empty"),
        pytest.param(ALWAYS, id="24-7-closed-bank-holidays"),
        pytest.param(MONDAY_NIGHT, id="monday-night"),
        pytest.param(BREATHING_SPACE, id="breathing-space"),
        pytest.param(INFOLINE, id="infoline"),
        pytest.param(SUMMER_2026, id="valid-dates"),
        pytest.param(ALWAYS_IN_DECEMBER, id="24-7-valid-dates"),
        pytest.param(DAILY_ROUND_THE_CLOCK, id="round-the-clock"),
        pytest.param(
            WeeklyHours(
                rules=(
                    *_rules("sun", "10:00", "12:00"),
                    *_rules("mon wed", "13:00", "17:00"),
                    *_rules("mon", "09:00", "12:00"),
                ),
                open_24_7=True,
            ),
            id="unordered-rules-and-24-7-with-rules",
        ),
    ],
)
def test_round_trip(hours: WeeklyHours) -> None:
    as_dict = hours_to_dict(hours)
    assert parse_hours(as_dict) == hours
    # API responses and seed exports carry the dict as JSON.
    assert parse_hours(json.loads(json.dumps(as_dict))) == hours


def test_hours_to_dict_groups_days_with_the_same_times() -> None:
    assert hours_to_dict(BREATHING_SPACE) == {
        "open_24_7": False,
        "bank_holidays": "normal",
        "rules": [
            {"days": ["mon"], "opens": "00:00", "closes": "06:00"},
            {"days": ["mon", "tue", "wed", "thu"], "opens": "18:00", "closes": "02:00"},
            {"days": ["fri"], "opens": "18:00", "closes": "00:00"},
            {"days": ["sat", "sun"], "opens": "00:00", "closes": "00:00"},
        ],
        "valid_from": None,
        "valid_to": None,
    }


def test_rule_order_does_not_change_equality() -> None:
    forwards = WeeklyHours(rules=INFOLINE.rules)
    backwards = WeeklyHours(rules=tuple(reversed(INFOLINE.rules)) + INFOLINE.rules[:1])
    assert forwards == backwards
    assert hash(forwards) == hash(backwards)


@pytest.mark.parametrize(
    ("make", "message_part"),
    [
        pytest.param(lambda: OpeningRule(7, time(9), time(17)), "weekday", id="weekday-7"),
        pytest.param(
            lambda: OpeningRule(0, time(9, tzinfo=UTC), time(17)), "naive", id="aware-time"
        ),
        pytest.param(
            lambda: WeeklyHours(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)),
            "valid_to",
            id="valid-to-before-from",
        ),
    ],
)
def test_dataclasses_refuse_nonsense(make: object, message_part: str) -> None:
    with pytest.raises(ValueError, match=message_part):
        make()  # type: ignore[operator]


def test_hours_module_stays_pure() -> None:
    # The module is shared by the API, the seed loader and the CLI; a web or database import
    # would drag those into every caller.
    source = Path(__file__).resolve().parent.parent / "directory" / "hours.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "sqlalchemy", "directory"}
