"""The pure engine and its data: rules evaluated as a table, files validated at load."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from directory.config import Config
from directory.seed import load_seed_bundle
from directory.triage.engine import Answers, evaluate
from directory.triage.phrases import load_phrases
from directory.triage.rulebook import (
    QUESTIONS_FILE,
    RULES_FILE,
    TriageDataError,
    default_triage_data,
    load_questionnaire,
    load_rulebook,
)

QUESTIONNAIRE, RULES = default_triage_data()
PHRASES = load_phrases()


def assess(**answers):
    base = {"immediate_danger": "no", "suicidal_thoughts": "no"}
    return evaluate(Answers(**{**base, **answers}), RULES, PHRASES)


@pytest.mark.parametrize(
    ("answers", "level", "rule"),
    [
        ({"immediate_danger": "yes"}, 0, "danger-now"),
        ({"immediate_danger": "prefer_not_to_say"}, 1, "danger-unknown"),
        ({"immediate_danger": None}, 1, "danger-unknown"),
        ({"suicidal_thoughts": "sometimes"}, 1, "suicidal-thoughts"),
        ({"suicidal_thoughts": "often"}, 1, "suicidal-thoughts"),
        ({"suicidal_thoughts": "prefer_not_to_say"}, 1, "suicidal-thoughts-unknown"),
        ({"suicidal_thoughts": None}, 1, "suicidal-thoughts-unknown"),
        ({"free_text": "I've taken an overdose"}, 0, "free-text-acting-now"),
        ({"free_text": "I want to die"}, 1, "free-text-crisis"),
        ({"issues": ("self-harm",)}, 1, "issue-suicide-or-self-harm"),
        ({"issues": ("psychosis",), "impact": "severe"}, 1, "worsening-psychosis-or-mood"),
        ({"impact": "severe"}, 2, "severe-impact"),
        ({"impact": "moderate"}, 3, "moderate-or-mild-impact"),
        ({"impact": "mild"}, 3, "moderate-or-mild-impact"),
        ({"phq2": (2, 1)}, 3, "screening-positive"),
        ({"gad2": (0, 3)}, 3, "screening-positive"),
        ({"issues": ("stress",)}, 3, "named-issue"),
        ({}, 4, None),
        ({"phq2": (1, 1), "gad2": (1, 0)}, 4, None),
    ],
)
def test_rule_table(answers, level, rule):
    assessment = assess(**answers)
    assert assessment.urgency.level == level
    if rule:
        assert rule in [fired.id for fired in assessment.fired]


def test_every_rule_has_a_rationale_and_a_source_and_risk_rules_come_first():
    assert all(rule.rationale and rule.source for rule in RULES.rules)
    stages = [rule.stage for rule in RULES.rules]
    assert stages == sorted(stages, key=lambda stage: stage != "risk")


def test_scores_are_reported_as_screening_totals():
    assert assess(phq2=(2, 2), gad2=(1, 0)).scores == {"phq2": 4, "gad2": 1}
    assert assess().scores is None


def test_every_route_names_a_seeded_service():
    slugs = {s["id"] for s in load_seed_bundle(Config.SEED_DIR, demo=False).services}
    routes = RULES.routes
    named = [s for level in routes["by_level"].values() for s in level if s != "@urgent-line"]
    named += list(routes["urgent_line"].values()) + routes["someone_else"]
    named += [s for services in routes["by_issue"].values() for s in services]
    named += [s for band in routes["by_age"] for s in band["services"]]
    assert set(named) - slugs == set()


def test_route_issue_codes_exist():
    bundle = load_seed_bundle(Config.SEED_DIR, demo=False)
    assert set(RULES.routes["by_issue"]) <= {term["code"] for term in bundle.issues}


def test_engine_is_pure():
    source = Path("directory/triage/engine.py").read_text()
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(m.startswith(("flask", "sqlalchemy", "directory.extensions")) for m in imported)


def bad_copy(tmp_path, source: Path, change) -> Path:
    data = yaml.safe_load(source.read_text())
    change(data)
    target = tmp_path / source.name
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][0].pop("source"), "rules[0] (danger-now): source"),
        (lambda d: d["rules"][1].update(level=7), "rules[1] (danger-unknown): level"),
        (
            lambda d: d["rules"][2]["when"].update(answer="shoe_size"),
            "rules[2] (suicidal-thoughts): when.answer",
        ),
        (
            lambda d: d["rules"][2]["when"].update({"in": ["maybe"]}),
            "rules[2] (suicidal-thoughts): when.in",
        ),
        (lambda d: d["rules"].reverse(), "risk rules must come before"),
        (lambda d: d["levels"].pop(), "five levels"),
    ],
)
def test_a_bad_rules_file_names_the_entry_and_field(tmp_path, change, message):
    path = bad_copy(tmp_path, RULES_FILE, change)
    with pytest.raises(TriageDataError) as raised:
        load_rulebook(path, QUESTIONNAIRE)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][0].update(type="essay"), "questions[0] (immediate_danger): type"),
        (lambda d: d["questions"][5].update(risk=True), "risk questions must come first"),
        (lambda d: d["questions"][1].pop("options"), "questions[1] (suicidal_thoughts): options"),
    ],
)
def test_a_bad_questions_file_names_the_entry_and_field(tmp_path, change, message):
    path = bad_copy(tmp_path, QUESTIONS_FILE, change)
    with pytest.raises(TriageDataError) as raised:
        load_questionnaire(path)
    assert message in str(raised.value)
