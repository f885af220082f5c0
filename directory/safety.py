"""The safety block: urgent routes shown with every search, triage and widget response.

Pure and static on purpose: it must still be served when the database is down or triage
fails. Facts from the Signpost reference table of verified UK services (read 2026-11-23,
marked verified there); tests check they match seed_data/services.yaml.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import orjson

NATIONS = ("ENG", "SCT", "WLS", "NIR")
NATION_NAMES = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}


@dataclass(frozen=True)
class SafetyRoute:
    id: str
    name: str
    channel: str  # phone | text | in_person
    value: str
    instructions: str
    href: str | None
    hours: str
    nations: tuple[str, ...]


EMERGENCY = SafetyRoute(
    id="emergency-999",
    name="Emergency services",
    channel="phone",
    value="999",
    instructions="Call 999 or go to A&E now if you or someone else is in immediate danger",
    href="tel:999",
    hours="24/7",
    nations=NATIONS,
)

URGENT_LINES = (
    SafetyRoute(
        id="nhs-111-mental-health",
        name="NHS 111 mental health option",
        channel="phone",
        value="111",
        instructions="Call 111 and choose the mental health option",
        href="tel:111",
        hours="24/7",
        nations=("ENG",),
    ),
    SafetyRoute(
        id="nhs-24-mental-health-hub",
        name="NHS 24 Mental Health Hub",
        channel="phone",
        value="111",
        instructions="Call 111",
        href="tel:111",
        hours="24/7",
        nations=("SCT",),
    ),
    SafetyRoute(
        id="nhs-111-wales-press-2",
        name="NHS 111 Wales, press 2",
        channel="phone",
        value="111",
        instructions="Call 111 and press 2 (free, even with no credit)",
        href="tel:111",
        hours="24/7",
        nations=("WLS",),
    ),
    SafetyRoute(
        id="lifeline",
        name="Lifeline",
        channel="phone",
        value="0808 808 8000",
        instructions="Call 0808 808 8000 (free)",
        href="tel:08088088000",
        hours="24/7",
        nations=("NIR",),
    ),
)

LISTENING_LINES = (
    SafetyRoute(
        id="samaritans",
        name="Samaritans",
        channel="phone",
        value="116 123",
        instructions="Call 116 123 free, day or night",
        href="tel:116123",
        hours="24/7",
        nations=NATIONS,
    ),
    SafetyRoute(
        id="shout",
        name="Shout",
        channel="text",
        value="85258",
        instructions="Text SHOUT to 85258",
        href="sms:85258?body=SHOUT",
        hours="24/7",
        nations=NATIONS,
    ),
)


@dataclass(frozen=True)
class SafetyBlock:
    nation: str | None
    message: str
    emergency: SafetyRoute
    urgent: tuple[SafetyRoute, ...]
    listening: tuple[SafetyRoute, ...]


def safety_block(nation: str | None = None) -> SafetyBlock:
    """Return the urgent routes for a nation; all four nations' lines when it is unknown."""
    if nation is not None and nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}")
    urgent = tuple(r for r in URGENT_LINES if nation is None or nation in r.nations)
    return SafetyBlock(
        nation=nation,
        message=(
            "If you are in danger now, call 999 or go to A&E. "
            "For urgent mental health help, or to talk to someone any time, use these free lines."
        ),
        emergency=EMERGENCY,
        urgent=urgent,
        listening=LISTENING_LINES,
    )


def safety_block_dict(nation: str | None = None) -> dict[str, Any]:
    """Return the safety block as JSON-ready data (a fresh copy: callers may change it)."""
    return orjson.loads(_safety_block_json(nation))  # type: ignore[no-any-return]


@lru_cache(maxsize=len(NATIONS) + 1)
def _safety_block_json(nation: str | None) -> bytes:
    """The block is fixed for each nation: built once (asdict took 0.2 ms of every response)."""
    block = asdict(safety_block(nation))
    for route in [block["emergency"], *block["urgent"], *block["listening"]]:
        route["nations"] = list(route["nations"])
    block["urgent"] = list(block["urgent"])
    block["listening"] = list(block["listening"])
    return orjson.dumps(block)
