"""POST /api/v1/triage and the questionnaire: the twelve rules of triage.md, each named."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Base, Service
from tests.helpers import WEDNESDAY_AFTERNOON, WEDNESDAY_SMALL_HOURS

NO_RISK = {"immediate_danger": "no", "suicidal_thoughts": "no"}


def triage(client, at=WEDNESDAY_AFTERNOON, **answers):
    response = client.post("/api/v1/triage", json={"answers": {**NO_RISK, **answers}, "at": at})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def names(body):
    return [r["service"]["name"] for r in body["recommendations"]]


def test_rule_01_risk_answers_are_evaluated_first(client):
    body = triage(client, immediate_danger="yes", impact="mild", issues=["stress"], phq2=[0, 0])
    assert body["urgency"]["code"] == "emergency"


def test_rule_02_level_0_puts_999_first_and_nothing_above_it(client):
    for extra in ({}, {"nation": "SCT"}, {"cannot_use_phone": True}, {"age": 12}):
        body = triage(client, immediate_danger="yes", **extra)
        assert names(body)[0] == "Emergency services"
        assert body["recommendations"][0]["channel"]["value"] in ("999", "Nearest A&E")


def test_rule_03_crisis_lines_are_never_hidden(client, seeded_app, monkeypatch):
    for level_answers in ({}, {"issues": ["stress"]}, {"suicidal_thoughts": "often"}):
        assert triage(client, **level_answers)["safety"]["listening"][0]["value"] == "116 123"
    from directory.api import triage as triage_view

    def explode(*args, **kwargs):
        raise RuntimeError("rules file vanished")

    monkeypatch.setattr(triage_view, "run_triage", explode)
    body = triage(client, nation="WLS", free_text="I want to die")
    assert body["urgency"]["level"] == 1
    assert body["error"]
    assert body["safety"]["urgent"][0]["name"] == "NHS 111 Wales, press 2"
    assert [r["channel"]["value"] for r in body["recommendations"]][:2] == ["999", "111"]
    assert triage(client, immediate_danger="yes")["urgency"]["level"] == 0


@pytest.mark.parametrize(
    "answers",
    [
        {"immediate_danger": "prefer_not_to_say"},
        {"suicidal_thoughts": "prefer_not_to_say"},
        {"immediate_danger": "prefer_not_to_say", "suicidal_thoughts": "prefer_not_to_say"},
    ],
)
def test_rule_04_uncertainty_moves_up(client, answers):
    assert triage(client, **answers)["urgency"]["level"] <= 1


def test_rule_05_scores_and_keywords_raise_but_never_clear(client):
    assert triage(client, suicidal_thoughts="often", phq2=[0, 0])["urgency"]["level"] == 1
    calm_text = "I feel much better today, nothing to worry about"
    assert triage(client, immediate_danger="yes", free_text=calm_text)["urgency"]["level"] == 0
    assert triage(client, free_text="I want to end it all")["urgency"]["level"] == 1
    assert triage(client, phq2=[3, 3])["urgency"]["level"] == 3


def test_rule_06_eligibility_filters_everything_but_999_and_samaritans(client):
    body = triage(client, suicidal_thoughts="often", age=50, nation="ENG")
    excluded = {e["service"]["name"]: e["reasons"] for e in body["excluded"]}
    assert "Childline" in excluded
    assert excluded["Childline"] == ["For people aged 18 and under"]
    assert "Childline" not in names(body)
    nothing_fits = triage(client, suicidal_thoughts="often", preferred_channels=["video"])
    assert {"Emergency services", "Samaritans"} <= set(names(nothing_fits))


def test_rule_07_open_services_first_and_closed_ones_say_when_they_open(client):
    night = triage(client, at=WEDNESDAY_SMALL_HOURS, suicidal_thoughts="often", nation="ENG")
    assert all(r["open_now"] is not False for r in night["recommendations"])
    calm = next(e for e in night["excluded"] if e["service"]["name"] == "CALM")
    assert "opens" in calm["reasons"][0]
    urgent = triage(client, at=WEDNESDAY_SMALL_HOURS, impact="severe", issues=["eating-disorders"])
    states = [r["open_now"] for r in urgent["recommendations"]]
    order = {True: 0, None: 1, False: 2}
    tiers = [order[s] for s in states[:3]]
    assert tiers == sorted(tiers)


def test_rule_08_every_recommendation_has_a_reason(client):
    for answers in ({}, {"issues": ["bereavement"], "place": "LS6"}, {"immediate_danger": "yes"}):
        for recommendation in triage(client, **answers)["recommendations"]:
            assert recommendation["reasons"]
            assert all(reason.strip() for reason in recommendation["reasons"])


def test_rule_09_services_that_are_not_for_crises_say_so(client):
    body = triage(client, issues=["depression"], impact="moderate", nation="ENG")
    for recommendation in body["recommendations"]:
        if recommendation["service"]["name"] in ("NHS Talking Therapies", "Side by Side (Mind)"):
            assert "Not a crisis service" in recommendation["caveats"]
        if recommendation["service"]["is_crisis_service"]:
            assert "Not a crisis service" not in recommendation["caveats"]


def test_rule_10_someone_else_gets_the_same_urgency_plus_worried_about_someone_routes(client):
    self_body = triage(client, suicidal_thoughts="often", nation="NIR")
    other = triage(client, suicidal_thoughts="often", nation="NIR", for_whom="someone_else")
    assert other["urgency"] == self_body["urgency"]
    assert "Lifeline" in names(other)
    papyrus = next(
        r for r in other["recommendations"] if r["service"]["name"].startswith("Papyrus")
    )
    assert papyrus["reasons"][0] == "Takes calls from people worried about someone else"


def test_rule_11_safe_messaging_nothing_echoed_no_methods_asked(client):
    text = "I have the pills in my hand"
    response = client.post(
        "/api/v1/triage",
        json={"answers": {**NO_RISK, "free_text": text}, "at": WEDNESDAY_AFTERNOON},
    )
    assert response.get_json()["urgency"]["level"] == 0
    assert "pills" not in response.get_data(as_text=True)
    questions = client.get("/api/v1/triage/questionnaire").get_json()["questions"]
    asked = " ".join(q["text"] + q.get("help", "") for q in questions).lower()
    for word in ("method", "how would you end", "where would you", "pills", "rope", "bridge"):
        assert word not in asked


def test_rule_12_answers_are_never_stored_or_logged(client, seeded_app, caplog):
    secret = "Zebrafish-unique-4471 my brother wants to die"
    caplog.set_level(logging.DEBUG)
    with seeded_app.app_context():
        before = {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
    response = client.post(
        "/api/v1/triage",
        json={"answers": {**NO_RISK, "free_text": secret, "place": "LS6", "age": 37}},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with seeded_app.app_context():
        after = {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
    assert after == before
    assert "Zebrafish" not in caplog.text
    assert "LS6" not in caplog.text


def test_a_failure_is_logged_without_the_answers(client, monkeypatch, caplog):
    from directory.api import triage as triage_view

    def explode(*args, **kwargs):
        raise ValueError("could not rank Zebrafish-unique-4471")

    monkeypatch.setattr(triage_view, "run_triage", explode)
    caplog.set_level(logging.DEBUG)
    body = triage(client, free_text="Zebrafish-unique-4471", place="EH1")
    assert body["error"]
    assert "ValueError" in caplog.text
    assert "Zebrafish" not in caplog.text


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "immediate_danger"),
        ({"immediate_danger": "no"}, "suicidal_thoughts"),
        ({**NO_RISK, "age": 200}, "age"),
        ({**NO_RISK, "issues": ["no-such-issue"]}, "issues"),
        ({**NO_RISK, "phq2": [1]}, "phq2"),
        ({**NO_RISK, "phq2": [1, 4]}, "phq2"),
        ({**NO_RISK, "preferred_channels": ["pigeon"]}, "preferred_channels"),
        ({**NO_RISK, "free_text": "x" * 1001}, "free_text"),
        ({**NO_RISK, "shoe_size": 9}, "shoe_size"),
    ],
)
def test_bad_answers_are_422_naming_the_field(client, answers, field):
    response = client.post("/api/v1/triage", json={"answers": answers})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors.get("answers", errors)


def test_an_unknown_place_is_a_warning_not_an_error(client):
    body = triage(client, suicidal_thoughts="often", place="Atlantis")
    assert body["urgency"]["level"] == 1
    assert body["place"] is None
    assert body["warnings"][0]["field"] == "place"


def test_response_shape(client):
    body = triage(client, issues=["anxiety"], phq2=[2, 1], gad2=[3, 3], place="CF10")
    assert body["scores"] == {"phq2": 3, "gad2": 6}
    assert body["place"]["nation"] == "WLS"
    assert body["questionnaire_version"]
    assert body["disclaimer"]
    first = body["recommendations"][0]
    assert {"service", "channel", "reasons", "caveats", "open_now", "next_open"} <= set(first)


def test_questionnaire_lists_questions_in_order_with_risk_first(client):
    body = client.get("/api/v1/triage/questionnaire").get_json()
    ids = [q["id"] for q in body["questions"]]
    assert ids[:2] == ["immediate_danger", "suicidal_thoughts"]
    assert all(q["risk"] for q in body["questions"][:2])
    assert not any(q["optional"] for q in body["questions"][:2])
    assert {"age", "place", "issues", "phq2", "gad2", "free_text"} <= set(ids)
    assert body["version"]


RISKY = ("yes", "prefer_not_to_say")
answer_sets = st.fixed_dictionaries(
    {
        "immediate_danger": st.sampled_from(["yes", "no", "prefer_not_to_say"]),
        "suicidal_thoughts": st.sampled_from(["no", "sometimes", "often", "prefer_not_to_say"]),
    },
    optional={
        "for_whom": st.sampled_from(["self", "someone_else"]),
        "age": st.integers(0, 120),
        "nation": st.sampled_from(["ENG", "SCT", "WLS", "NIR"]),
        "issues": st.lists(
            st.sampled_from(
                [
                    "anxiety",
                    "bereavement",
                    "self-harm",
                    "eating-disorders",
                    "drugs",
                    "loneliness",
                    "psychosis",
                    "gambling",
                ]
            ),
            max_size=3,
            unique=True,
        ),
        "impact": st.sampled_from(["severe", "moderate", "mild"]),
        "preferred_channels": st.lists(
            st.sampled_from(["phone", "text", "web_chat", "email"]), max_size=2, unique=True
        ),
        "cannot_use_phone": st.booleans(),
        "phq2": st.lists(st.integers(0, 3), min_size=2, max_size=2),
        "free_text": st.text(max_size=200),
    },
)
instants = st.sampled_from([WEDNESDAY_AFTERNOON, WEDNESDAY_SMALL_HOURS, "2026-12-25T20:00:00Z"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=answer_sets, at=instants)
def test_properties_of_any_answer_set(client, seeded_app, answers, at):
    response = client.post("/api/v1/triage", json={"answers": answers, "at": at})
    assert response.status_code == 200
    body = response.get_json()
    assert body["safety"]["emergency"]["value"] == "999"
    assert body["recommendations"]
    if answers["immediate_danger"] in RISKY or answers["suicidal_thoughts"] != "no":
        assert body["urgency"]["level"] in (0, 1)
    nation = answers.get("nation") or (body["place"] or {}).get("nation")
    with seeded_app.app_context():
        for recommendation in body["recommendations"]:
            assert recommendation["reasons"]
            service = db.session.get(Service, recommendation["service"]["id"])
            if service.slug in ("emergency-services", "samaritans"):
                continue
            rules = service.eligibility
            if "age" in answers and rules is not None:
                assert rules.min_age is None or answers["age"] >= rules.min_age
                assert rules.max_age is None or answers["age"] <= rules.max_age
            if nation:
                assert nation in service.nations
    again = client.post("/api/v1/triage", json={"answers": answers, "at": at}).get_json()
    assert again == body  # deterministic


@pytest.mark.parametrize("nation", ["ENG", "SCT", "WLS", "NIR"])
def test_routine_help_is_offered_in_every_nation(client, nation):
    # Talking Therapies is England only: elsewhere a routine answer must still offer something.
    answers = {"immediate_danger": "no", "suicidal_thoughts": "no", "nation": nation}
    response = client.post(
        "/api/v1/triage",
        json={"answers": {**answers, "impact": "moderate"}, "at": WEDNESDAY_AFTERNOON},
    )
    body = response.get_json()
    assert body["urgency"]["code"] == "routine"
    assert body["recommendations"], nation
