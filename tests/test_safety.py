"""The safety block: the right urgent line per nation, and the same facts as the seed data."""

from __future__ import annotations

import pytest

from directory.config import Config
from directory.safety import LISTENING_LINES, URGENT_LINES, safety_block
from directory.seed import load_seed_bundle


@pytest.mark.parametrize(
    ("nation", "urgent"),
    [
        ("ENG", ["NHS 111 mental health option"]),
        ("SCT", ["NHS 24 Mental Health Hub"]),
        ("WLS", ["NHS 111 Wales, press 2"]),
        ("NIR", ["Lifeline"]),
        (
            None,
            [
                "NHS 111 mental health option",
                "NHS 24 Mental Health Hub",
                "NHS 111 Wales, press 2",
                "Lifeline",
            ],
        ),
    ],
)
def test_urgent_line_by_nation(nation, urgent):
    block = safety_block(nation)
    assert [route.name for route in block.urgent] == urgent
    assert block.emergency.value == "999"
    assert [r.value for r in block.listening] == ["116 123", "85258"]


def test_api_serves_the_block(client):
    body = client.get("/api/v1/safety?nation=NIR").get_json()
    assert body["emergency"]["href"] == "tel:999"
    assert [r["value"] for r in body["urgent"]] == ["0808 808 8000"]
    everywhere = client.get("/api/v1/safety").get_json()
    assert len(everywhere["urgent"]) == 4


def test_block_numbers_match_the_seeded_services():
    seeded = {
        s["name"]: {c["value"] for c in s["channels"] if c["verification"] != "unverified"}
        for s in load_seed_bundle(Config.SEED_DIR, demo=False).services
    }
    for route in (*URGENT_LINES, *LISTENING_LINES):
        assert route.value in seeded[route.name], route.name
