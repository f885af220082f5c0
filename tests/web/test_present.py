"""Hours in words, stale labels, and the short text version of a handout."""

from __future__ import annotations

from datetime import date

import pytest

from directory.safety import safety_block_dict
from directory.web.present import describe_hours, handout_text, stale_since


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (None, "Hours not known: check before you go or call"),
        ({"open_24_7": True, "rules": []}, "24 hours, every day"),
        (
            {
                "rules": [
                    {
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "opens": "10:00",
                        "closes": "17:00",
                    }
                ],
                "bank_holidays": "closed",
            },
            "Mon–Fri 10:00–17:00; closed on bank holidays",
        ),
        (
            {"rules": [{"days": ["wed", "sat"], "opens": "17:00", "closes": "19:00"}]},
            "Wed, Sat 17:00–19:00",
        ),
        (
            {
                "rules": [
                    {
                        "days": list(("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
                        "opens": "16:00",
                        "closes": "22:00",
                    }
                ]
            },
            "Every day 16:00–22:00",
        ),
    ],
)
def test_describe_hours(hours, expected):
    assert describe_hours(hours) == expected


@pytest.mark.parametrize(
    ("checked", "expected"),
    [("2026-06-01", None), ("2025-06-01", "last checked June 2025"), (None, "never checked")],
)
def test_stale_since(checked, expected):
    service = {"verification": {"last_verified_at": checked}}
    assert stale_since(service, date(2026, 11, 26)) == expected


def test_handout_text_gives_one_contact_per_service_and_the_nations_urgent_line():
    services = [
        {"name": "Samaritans", "channels": [{"type": "phone", "value": "116 123"}], "url": None},
        {
            "name": "Shout",
            "channels": [{"type": "text", "value": "85258", "instructions": "Text SHOUT to 85258"}],
            "url": None,
        },
        {"name": "Online group", "channels": [], "url": "https://example.org/"},
    ]
    text = handout_text(services, safety_block_dict("WLS"), date(2026, 11, 26))
    assert text.splitlines() == [
        "Support options (26 Nov 2026):",
        "- Samaritans: Call 116 123",
        "- Shout: Text SHOUT to 85258",
        "- Online group: https://example.org/",
        "In danger now: 999 or A&E. Urgent help: NHS 111 Wales, press 2 111. "
        "Any time: Samaritans 116 123; Shout 85258.",
    ]
