"""Triage scenarios: answers -> level, first recommendation, services that must (not) appear."""

from __future__ import annotations

import pytest

from tests.helpers import WEDNESDAY_AFTERNOON, WEDNESDAY_SMALL_HOURS

NO_RISK = {"immediate_danger": "no", "suicidal_thoughts": "no"}
E999 = "Emergency services"
NHS111 = "NHS 111 mental health option"
NHS24 = "NHS 24 Mental Health Hub"
WALES111 = "NHS 111 Wales, press 2"
TT = "NHS Talking Therapies"


def case(id, answers, level, first=None, present=(), absent=(), at=WEDNESDAY_AFTERNOON):
    return pytest.param(answers, at, level, first, present, absent, id=id)


SCENARIOS = [
    # --- risk answers decide first (level 0 and 1) ------------------------------------------
    case("danger-now", {"immediate_danger": "yes", "suicidal_thoughts": "no"}, 0, E999),
    case(
        "danger-now-scotland",
        {"immediate_danger": "yes", "suicidal_thoughts": "often", "nation": "SCT"},
        0,
        E999,
        [NHS24, "Samaritans"],
        [NHS111],
    ),
    case(
        "danger-now-whatever-else",
        {
            "immediate_danger": "yes",
            "suicidal_thoughts": "no",
            "issues": ["stress"],
            "impact": "mild",
            "phq2": [0, 0],
        },
        0,
        E999,
    ),
    case(
        "danger-now-teen-at-night",
        {"immediate_danger": "yes", "suicidal_thoughts": "sometimes", "age": 15, "nation": "WLS"},
        0,
        E999,
        [WALES111],
        at=WEDNESDAY_SMALL_HOURS,
    ),
    case(
        "danger-now-cannot-use-phone",
        {"immediate_danger": "yes", "suicidal_thoughts": "no", "cannot_use_phone": True},
        0,
        E999,
        ["Shout"],
    ),
    case(
        "danger-now-northern-ireland",
        {"immediate_danger": "yes", "suicidal_thoughts": "no", "place": "BT7"},
        0,
        E999,
        ["Lifeline"],
        [NHS111, NHS24],
    ),
    case(
        "danger-unsaid",
        {"immediate_danger": "prefer_not_to_say", "suicidal_thoughts": "no"},
        1,
        NHS111,
        ["Samaritans", "Shout"],
    ),
    case(
        "suicidal-sometimes-england",
        {**NO_RISK, "suicidal_thoughts": "sometimes", "nation": "ENG"},
        1,
        NHS111,
        ["Samaritans", "Shout"],
        [NHS24],
    ),
    case(
        "suicidal-often-scotland",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "SCT"},
        1,
        NHS24,
        ["Samaritans"],
        [NHS111, WALES111],
    ),
    case(
        "suicidal-often-wales",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "WLS"},
        1,
        WALES111,
        ["Samaritans"],
    ),
    case(
        "suicidal-often-ni",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "NIR"},
        1,
        "Lifeline",
        ["Samaritans"],
    ),
    case("suicidal-unsaid", {**NO_RISK, "suicidal_thoughts": "prefer_not_to_say"}, 1, NHS111),
    case(
        "suicidal-young-adult",
        {**NO_RISK, "suicidal_thoughts": "often", "age": 22, "nation": "ENG"},
        1,
        NHS111,
        ["Papyrus HOPELINE247"],
        ["Childline"],
    ),
    case(
        "suicidal-child",
        {**NO_RISK, "suicidal_thoughts": "sometimes", "age": 13, "nation": "ENG"},
        1,
        NHS111,
        ["Childline", "Papyrus HOPELINE247"],
    ),
    case(
        "suicidal-older-adult",
        {**NO_RISK, "suicidal_thoughts": "sometimes", "age": 50, "nation": "ENG"},
        1,
        NHS111,
        ["Samaritans"],
        ["Papyrus HOPELINE247", "Childline"],
    ),
    case(
        "suicidal-evening-calm-open",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "ENG"},
        1,
        NHS111,
        ["CALM"],
        at="2026-11-25T19:00:00Z",
    ),
    case(
        "suicidal-small-hours-calm-closed",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "ENG"},
        1,
        NHS111,
        ["Samaritans"],
        ["CALM"],
        at=WEDNESDAY_SMALL_HOURS,
    ),
    case(
        "suicidal-scotland-breathing-space-at-night",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "SCT", "age": 30},
        1,
        NHS24,
        ["Breathing Space"],
        at="2026-11-25T23:00:00Z",
    ),
    case(
        "suicidal-text-only",
        {**NO_RISK, "suicidal_thoughts": "often", "nation": "ENG", "cannot_use_phone": True},
        1,
        present=["Shout"],
    ),
    case(
        "issue-self-harm",
        {**NO_RISK, "issues": ["self-harm"], "nation": "ENG"},
        1,
        NHS111,
        ["Samaritans", "Shout"],
    ),
    case(
        "issue-suicidal-thoughts",
        {**NO_RISK, "issues": ["suicidal-thoughts"]},
        1,
        NHS111,
        ["Samaritans"],
    ),
    case("free-text-crisis", {**NO_RISK, "free_text": "I just want it all to end"}, 1, NHS111),
    case("free-text-acting-now", {**NO_RISK, "free_text": "I've taken an overdose"}, 0, E999),
    case(
        "worsening-psychosis",
        {**NO_RISK, "issues": ["psychosis"], "impact": "severe", "nation": "ENG"},
        1,
        NHS111,
    ),
    case(
        "someone-else-at-risk",
        {**NO_RISK, "suicidal_thoughts": "often", "for_whom": "someone_else", "nation": "ENG"},
        1,
        NHS111,
        ["Papyrus HOPELINE247"],
    ),
    # --- urgent (level 2) ---------------------------------------------------------------------
    case(
        "severe-anxiety",
        {**NO_RISK, "issues": ["anxiety"], "impact": "severe", "nation": "ENG"},
        2,
        NHS111,
        ["Anxiety UK"],
    ),
    case(
        "severe-no-issue-wales",
        {**NO_RISK, "impact": "severe", "nation": "WLS"},
        2,
        WALES111,
        [],
        [NHS111],
    ),
    case(
        "severe-eating-disorder-scotland",
        {**NO_RISK, "issues": ["eating-disorders"], "impact": "severe", "nation": "SCT"},
        2,
        NHS24,
        ["Beat"],
    ),
    case(
        "severe-bipolar",
        {**NO_RISK, "issues": ["bipolar"], "impact": "moderate", "nation": "ENG"},
        3,
        present=["SANEline"],
    ),
    # --- routine (level 3) --------------------------------------------------------------------
    case(
        "low-mood-england",
        {**NO_RISK, "issues": ["depression"], "impact": "moderate", "nation": "ENG", "age": 30},
        3,
        TT,
        ["Side by Side (Mind)"],
    ),
    case(
        "low-mood-scotland",
        {**NO_RISK, "issues": ["depression"], "impact": "moderate", "nation": "SCT", "age": 30},
        3,
        present=["Breathing Space"],
        absent=[TT],
    ),
    case(
        "anxiety-wales",
        {**NO_RISK, "issues": ["anxiety"], "impact": "mild", "nation": "WLS"},
        3,
        present=["Anxiety UK"],
        absent=[TT],
    ),
    case("screening-positive", {**NO_RISK, "phq2": [2, 2], "nation": "ENG"}, 3, TT),
    case("screening-gad2-positive", {**NO_RISK, "gad2": [3, 1], "nation": "ENG"}, 3, TT),
    case(
        "grief-leeds",
        {**NO_RISK, "issues": ["bereavement"], "place": "LS6"},
        3,
        present=["Cruse Bereavement Support"],
        absent=["Cruse Scotland"],
    ),
    case(
        "grief-edinburgh",
        {**NO_RISK, "issues": ["bereavement"], "place": "EH1"},
        3,
        present=["Cruse Scotland"],
        absent=["Cruse Bereavement Support"],
    ),
    case(
        "gambling",
        {**NO_RISK, "issues": ["gambling"], "nation": "ENG"},
        3,
        present=["National Gambling Helpline (GamCare)"],
    ),
    case("drugs-teen", {**NO_RISK, "issues": ["drugs"], "age": 16}, 3, present=["FRANK"]),
    case(
        "lgbtq",
        {**NO_RISK, "issues": ["sexuality-gender-identity"]},
        3,
        present=["Switchboard LGBT+"],
    ),
    case(
        "domestic-abuse-wales",
        {**NO_RISK, "issues": ["domestic-abuse"], "nation": "WLS"},
        3,
        present=["Live Fear Free"],
        absent=["National Domestic Abuse Helpline (Refuge)"],
    ),
    case(
        "domestic-abuse-ni",
        {**NO_RISK, "issues": ["domestic-abuse"], "nation": "NIR"},
        3,
        present=["Domestic and Sexual Abuse Helpline"],
    ),
    case(
        "lonely-older",
        {**NO_RISK, "issues": ["loneliness"], "age": 78},
        3,
        present=["The Silver Line (Age UK)"],
    ),
    case(
        "eating-disorder-text-preferred",
        {
            **NO_RISK,
            "issues": ["eating-disorders"],
            "preferred_channels": ["text"],
            "nation": "ENG",
        },
        3,
        present=["Beat"],
    ),
    # --- information (level 4) ----------------------------------------------------------------
    case("just-looking", {**NO_RISK}, 4),
    case("young-person-information", {**NO_RISK, "age": 15}, 4, present=["Childline"]),
    case(
        "someone-else-information",
        {**NO_RISK, "for_whom": "someone_else", "nation": "ENG"},
        4,
        present=[NHS111, "Papyrus HOPELINE247"],
    ),
    case("peer-support-near-cardiff", {**NO_RISK, "place": "CF10"}, 4, present=[], absent=[NHS111]),
]


def triage(client, answers, at):
    response = client.post("/api/v1/triage", json={"answers": answers, "at": at})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("answers", "at", "level", "first", "present", "absent"), SCENARIOS)
def test_scenario(client, answers, at, level, first, present, absent):
    body = triage(client, answers, at)
    names = [r["service"]["name"] for r in body["recommendations"]]
    assert body["urgency"]["level"] == level, body["urgency"]
    assert body["recommendations"], "never an empty list"
    if first:
        assert names[0] == first, names
    for name in present:
        assert name in names, (name, names)
    for name in absent:
        assert name not in names, (name, names)
    assert body["safety"]["emergency"]["value"] == "999"


def test_there_are_at_least_forty_scenarios():
    assert len(SCENARIOS) >= 40
