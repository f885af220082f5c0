"""Load and validate questions.yaml and rules.yaml; a bad file names the entry and the field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

HERE = Path(__file__).parent
QUESTIONS_FILE = HERE / "questions.yaml"
RULES_FILE = HERE / "rules.yaml"
QUESTION_TYPES = ("single", "multiple", "integer", "text", "boolean", "scores")
CONDITION_KEYS = (
    "answer",
    "in",
    "any_of",
    "not_empty",
    "free_text",
    "score",
    "at_least",
    "all",
    "any",
)


class TriageDataError(ValueError):
    """questions.yaml or rules.yaml is invalid."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    risk: bool
    optional: bool
    data: dict[str, Any]  # the whole entry, as clients receive it


@dataclass(frozen=True)
class Questionnaire:
    version: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


@dataclass(frozen=True)
class Rule:
    id: str
    stage: str  # risk | urgency
    when: dict[str, Any]
    level: int
    rationale: str
    source: str


@dataclass(frozen=True)
class Level:
    level: int
    code: str
    label: str
    advice: str
    timeframe: str


@dataclass(frozen=True)
class RuleBook:
    version: str
    levels: tuple[Level, ...]
    rules: tuple[Rule, ...]
    default_level: int
    routes: dict[str, Any]

    def level(self, number: int) -> Level:
        return self.levels[number]


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class OptionSchema(_Strict):
    value = fields.String(required=True)
    label = fields.String(required=True)


class QuestionSchema(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$"))
    text = fields.String(required=True)
    help = fields.String()
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    risk = fields.Boolean(required=True)
    optional = fields.Boolean(required=True)
    options = fields.List(fields.Nested(OptionSchema))
    options_from = fields.String()
    minimum = fields.Integer()
    maximum = fields.Integer()
    items = fields.Integer()
    max_length = fields.Integer()


class QuestionsFileSchema(_Strict):
    version = fields.String(required=True)
    questions = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))


class LevelSchema(_Strict):
    level = fields.Integer(required=True, validate=validate.Range(0, 4))
    code = fields.String(required=True)
    mhts = fields.String(required=True)
    label = fields.String(required=True)
    advice = fields.String(required=True)
    timeframe = fields.String(required=True)


class RuleSchema(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]+$"))
    stage = fields.String(required=True, validate=validate.OneOf(["risk", "urgency"]))
    when = fields.Dict(required=True)
    level = fields.Integer(required=True, validate=validate.Range(0, 4))
    rationale = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))


class RulesFileSchema(_Strict):
    version = fields.String(required=True)
    levels = fields.List(fields.Dict(), required=True)
    rules = fields.List(fields.Dict(), required=True)
    default_level = fields.Integer(required=True, validate=validate.Range(0, 4))
    routes = fields.Dict(required=True)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TriageDataError(f"{path.name}: cannot be read ({error})") from error
    if not isinstance(data, dict):
        raise TriageDataError(f"{path.name}: must be a mapping")
    return data


def _load(schema: Schema, data: Any, where: str) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        field, messages = next(iter(error.normalized_messages().items()))
        raise TriageDataError(f"{where}: {field}: {messages}") from error
    return loaded


def load_questionnaire(path: Path = QUESTIONS_FILE) -> Questionnaire:
    """Read and validate the questionnaire."""
    data = _load(QuestionsFileSchema(), _read(path), path.name)
    questions = []
    for index, entry in enumerate(data["questions"]):
        label = entry.get("id", index) if isinstance(entry, dict) else index
        item = _load(QuestionSchema(), entry, f"{path.name}: questions[{index}] ({label})")
        if item["type"] in ("single",) and not item.get("options"):
            raise TriageDataError(f"{path.name}: questions[{index}] ({label}): options: required")
        questions.append(
            Question(item["id"], item["text"], item["type"], item["risk"], item["optional"], item)
        )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise TriageDataError(f"{path.name}: questions: ids must be unique")
    # Risk questions are asked, and evaluated, before anything else.
    risk_positions = [i for i, q in enumerate(questions) if q.risk]
    if risk_positions != list(range(len(risk_positions))):
        raise TriageDataError(f"{path.name}: questions: risk questions must come first")
    return Questionnaire(version=data["version"], questions=tuple(questions))


def _check_condition(condition: Any, questionnaire: Questionnaire, where: str) -> None:
    if not isinstance(condition, dict) or not condition:
        raise TriageDataError(f"{where}: when: must be a mapping")
    unknown = set(condition) - set(CONDITION_KEYS)
    if unknown:
        raise TriageDataError(f"{where}: when: unknown keys {sorted(unknown)}")
    for nested in condition.get("all", []) + condition.get("any", []):
        _check_condition(nested, questionnaire, where)
    if "answer" in condition:
        ids = {q.id for q in questionnaire.questions}
        if condition["answer"] not in ids:
            raise TriageDataError(f"{where}: when.answer: unknown question {condition['answer']!r}")
        question = questionnaire.question(condition["answer"])
        allowed = {o["value"] for o in question.data.get("options", [])} | {"missing"}
        for value in condition.get("in", []):
            if question.data.get("options") and value not in allowed:
                raise TriageDataError(f"{where}: when.in: {value!r} is not an option")


def load_rulebook(path: Path = RULES_FILE, questionnaire: Questionnaire | None = None) -> RuleBook:
    """Read and validate the rules against the questionnaire."""
    questionnaire = questionnaire or load_questionnaire()
    data = _load(RulesFileSchema(), _read(path), path.name)
    levels = []
    for index, entry in enumerate(data["levels"]):
        item = _load(LevelSchema(), entry, f"{path.name}: levels[{index}]")
        if item["level"] != index:
            raise TriageDataError(f"{path.name}: levels[{index}]: level: must be {index}")
        item.pop("mhts")
        levels.append(Level(**item))
    if len(levels) != 5:
        raise TriageDataError(f"{path.name}: levels: the ladder has five levels, 0 to 4")
    rules = []
    for index, entry in enumerate(data["rules"]):
        label = entry.get("id", index) if isinstance(entry, dict) else index
        where = f"{path.name}: rules[{index}] ({label})"
        item = _load(RuleSchema(), entry, where)
        _check_condition(item["when"], questionnaire, where)
        rules.append(Rule(**item))
    stages = [rule.stage for rule in rules]
    if stages != sorted(stages, key=lambda stage: stage != "risk"):
        raise TriageDataError(f"{path.name}: rules: risk rules must come before urgency rules")
    if len({rule.id for rule in rules}) != len(rules):
        raise TriageDataError(f"{path.name}: rules: ids must be unique")
    return RuleBook(
        version=data["version"],
        levels=tuple(levels),
        rules=tuple(rules),
        default_level=data["default_level"],
        routes=data["routes"],
    )


@lru_cache(maxsize=1)
def default_triage_data() -> tuple[Questionnaire, RuleBook]:
    """The shipped questionnaire and rules, validated once per process."""
    questionnaire = load_questionnaire()
    return questionnaire, load_rulebook(questionnaire=questionnaire)
