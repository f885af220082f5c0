"""Wording for people: hours in words, labels, and the short text version of a handout.

Works on the API's response data (the dicts from api/presenters.py), so the pages say the
same as the JSON that the widget and other clients read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

DAY_NAMES = {
    "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat",
    "sun": "Sun",
}  # fmt: skip
WEEK = tuple(DAY_NAMES)
CHANNEL_VERBS = {
    "phone": "Call", "text": "Text", "email": "Email", "web_chat": "Chat online",
    "website": "Website", "app": "App", "online_community": "Online community",
    "in_person": "In person", "video": "Video call",
}  # fmt: skip
STALE_AFTER_DAYS = 365
REFERRAL_NAMES = {
    "self": "self-referral",
    "gp": "via a GP",
    "professional": "via a professional",
    "commissioner": "only through a commissioning body (NHS area, university, employer)",
}


def describe_days(days: list[str]) -> str:
    """'Mon–Fri' for a run of days in week order, else the days listed."""
    indices = sorted(WEEK.index(day) for day in days if day in WEEK)
    if not indices:
        return ""
    if len(indices) == 7:
        return "Every day"
    if len(indices) > 2 and indices == list(range(indices[0], indices[-1] + 1)):
        return f"{DAY_NAMES[WEEK[indices[0]]]}–{DAY_NAMES[WEEK[indices[-1]]]}"
    return ", ".join(DAY_NAMES[WEEK[i]] for i in indices)


def describe_hours(hours: dict[str, Any] | None) -> str:
    """Opening hours in a line: '24/7', 'Mon–Fri 10:00–17:00', or that they are not known."""
    if not hours:
        return "Hours not known: check before you go or call"
    if hours.get("open_24_7"):
        text = "24 hours, every day"
    else:
        parts = [
            f"{describe_days(rule['days'])} {rule['opens']}–{rule['closes']}"
            for rule in hours.get("rules") or []
        ]
        text = "; ".join(parts) or "Hours not known"
    if hours.get("bank_holidays") == "closed" and not hours.get("open_24_7"):
        text += "; closed on bank holidays"
    if hours.get("notes"):
        text += f" ({hours['notes']})"
    return text


def describe_when(instant: datetime | str | None) -> str:
    """'Thu 26 Nov, 10:00' for a next-open time."""
    if instant is None:
        return ""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return moment.strftime("%a %-d %b, %H:%M")


def stale_since(service: dict[str, Any], today: date) -> str | None:
    """When a service's details were last checked, if that is over a year ago (or unknown)."""
    checked = service["verification"]["last_verified_at"]
    if checked is None:
        return "never checked"
    if isinstance(checked, str):
        checked = date.fromisoformat(checked)
    if (today - checked).days > STALE_AFTER_DAYS:
        return f"last checked {checked.strftime('%B %Y')}"
    return None


def describe_referral(service: dict[str, Any]) -> str:
    """'self-referral, via a GP'."""
    return ", ".join(REFERRAL_NAMES.get(r, r) for r in service["referral"]) or "not stated"


def describe_ages(service: dict[str, Any]) -> str | None:
    """'Ages 13–19', 'Ages 18+', or None for all ages."""
    low, high = service["eligibility"]["min_age"], service["eligibility"]["max_age"]
    if low is None and high is None:
        return None
    if high is None:
        return f"Ages {low}+"
    return f"Ages {low or 0}–{high}"


def first_contact(service: dict[str, Any]) -> str | None:
    """The one contact a short message gives: a number to call or text, else a web address."""
    for wanted in ("phone", "text", "web_chat", "website", "email"):
        for channel in service["channels"]:
            if channel["type"] != wanted:
                continue
            if wanted in ("phone", "email"):
                return f"{CHANNEL_VERBS[wanted]} {channel['value']}"
            if wanted == "text":
                return str(channel.get("instructions") or f"Text {channel['value']}")
            return str(channel["value"])
    return service.get("url")


def short_safety_line(safety: dict[str, Any]) -> str:
    """The safety block in one line: 999, the nation's urgent line(s), Samaritans, Shout."""
    urgent = [f"{route['name']} {route['value']}" for route in safety["urgent"]]
    listening = [f"{route['name']} {route['value']}" for route in safety["listening"]]
    return (
        f"In danger now: {safety['emergency']['value']} or A&E. "
        f"Urgent help: {'; '.join(urgent)}. Any time: {'; '.join(listening)}."
    )


def handout_text(services: list[dict[str, Any]], safety: dict[str, Any], today: date) -> str:
    """A handout short enough for an SMS or an email: one contact per service, then safety."""
    lines = [f"Support options ({today.strftime('%-d %b %Y')}):"]
    for service in services:
        contact = first_contact(service)
        lines.append(f"- {service['name']}: {contact}" if contact else f"- {service['name']}")
    lines.append(short_safety_line(safety))
    return "\n".join(lines)
