"""The static crisis response: what triage answers when anything inside it fails.

Built only from safety.py (static facts), so it cannot fail the way the database or the
rules might. Level 1, the safety block, the urgent routes as recommendations, an error note.
"""

from __future__ import annotations

from typing import Any

from directory.safety import SafetyRoute, safety_block, safety_block_dict

DISCLAIMER = (
    "Signpost suggests where to turn; it does not diagnose. If you are in danger now, call 999 "
    "or go to A&E. Your answers are not stored."
)


EMERGENCY = {
    "level": 0,
    "code": "emergency",
    "label": "Emergency",
    "advice": "Call 999 or go to your nearest A&E now.",
    "timeframe": "Now",
}
CRISIS = {
    "level": 1,
    "code": "crisis",
    "label": "Crisis",
    "advice": "Talk to someone today. If you are in danger, call 999.",
    "timeframe": "Today",
}


def static_crisis_response(nation: str | None, version: str, *, danger_now: bool) -> dict[str, Any]:
    """A complete triage response from static data, for when triage itself fails: level 1,
    or level 0 when the person said they are in danger now (it can only raise urgency)."""
    block = safety_block(nation if nation in ("ENG", "SCT", "WLS", "NIR") else None)
    routes = [block.emergency, *block.urgent, *block.listening]
    return {
        "urgency": EMERGENCY if danger_now else CRISIS,
        "recommendations": [_recommendation(route) for route in routes],
        "excluded": [],
        "place": None,
        "safety": safety_block_dict(block.nation),
        "scores": None,
        "warnings": [],
        "error": "Something went wrong working out your answers, so here are the urgent routes.",
        "questionnaire_version": version,
        "disclaimer": DISCLAIMER,
    }


def _recommendation(route: SafetyRoute) -> dict[str, Any]:
    return {
        "service": {
            "id": route.id,
            "name": route.name,
            "kind": "helpline",
            "is_crisis_service": True,
        },
        "channel": {
            "type": route.channel,
            "value": route.value,
            "instructions": route.instructions,
            "href": route.href,
        },
        "reasons": [f"{route.instructions}. {route.hours}."],
        "caveats": [],
        "open_now": True,
        "next_open": None,
        "distance_km": None,
    }
