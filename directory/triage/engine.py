"""The triage engine: answers in, urgency and the routes to offer out. Pure and deterministic.

Risk rules are evaluated first and can only raise urgency; the result is the most urgent
level any rule reaches. Routes (which services to consider, in what order) come from the
rule book's data, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from directory.triage.phrases import PhraseSet, match_crisis
from directory.triage.rulebook import Level, Rule, RuleBook

URGENT_LINE = "@urgent-line"
NATIONS = ("ENG", "SCT", "WLS", "NIR")

# Tiers order recommendations: 999 alone at the top at level 0, then the level's own routes,
# then routes for the person's issues, age or for someone worried about another person.
TIER_EMERGENCY, TIER_LEVEL, TIER_SPECIFIC, TIER_OTHER = 0, 1, 2, 3


@dataclass(frozen=True)
class Answers:
    immediate_danger: str | None
    suicidal_thoughts: str | None
    for_whom: str | None = None
    age: int | None = None
    nation: str | None = None  # given, or inferred from the place by the caller
    issues: tuple[str, ...] = ()
    impact: str | None = None
    preferred_channels: tuple[str, ...] = ()
    cannot_use_phone: bool = False
    phq2: tuple[int, int] | None = None
    gad2: tuple[int, int] | None = None
    free_text: str | None = field(default=None, repr=False)  # never shown, never stored


@dataclass(frozen=True)
class FiredRule:
    id: str
    level: int
    rationale: str
    source: str


@dataclass(frozen=True)
class Route:
    slug: str  # a service's seed slug
    tier: int
    position: int  # order within the tier
    reasons: tuple[str, ...]  # why: "level", "issue:bereavement", "someone_else", "age"


@dataclass(frozen=True)
class Assessment:
    urgency: Level
    fired: tuple[FiredRule, ...]
    routes: tuple[Route, ...]
    scores: dict[str, int] | None
    for_someone_else: bool


def scores_of(answers: Answers) -> dict[str, int] | None:
    """PHQ-2 and GAD-2 totals (screening only), or None when neither was answered."""
    scores = {
        name: sum(items)
        for name, items in (("phq2", answers.phq2), ("gad2", answers.gad2))
        if items is not None
    }
    return scores or None


def matches(condition: dict[str, Any], answers: Answers, free_text_level: int | None) -> bool:
    """Whether one rule condition (the small language of rules.yaml) holds for the answers."""
    if "all" in condition:
        return all(matches(c, answers, free_text_level) for c in condition["all"])
    if "any" in condition:
        return any(matches(c, answers, free_text_level) for c in condition["any"])
    if "free_text" in condition:
        return free_text_level is not None and free_text_level <= condition["free_text"]
    if "score" in condition:
        total = (scores_of(answers) or {}).get(condition["score"])
        return total is not None and total >= condition["at_least"]
    value = getattr(answers, condition["answer"])
    if "in" in condition:
        return ("missing" if value is None else value) in condition["in"]
    if "any_of" in condition:
        return bool(set(value or ()) & set(condition["any_of"]))
    if "not_empty" in condition:
        return bool(value) is condition["not_empty"]
    raise ValueError(f"unsupported condition {condition!r}")  # the loader rejects these first


def fired_rules(
    answers: Answers, rulebook: RuleBook, free_text_level: int | None
) -> tuple[FiredRule, ...]:
    """Every rule that holds, risk rules first (their order in the rule book)."""
    return tuple(
        FiredRule(rule.id, rule.level, rule.rationale, rule.source)
        for rule in _ordered(rulebook.rules)
        if matches(rule.when, answers, free_text_level)
    )


def _ordered(rules: tuple[Rule, ...]) -> list[Rule]:
    return sorted(rules, key=lambda rule: rule.stage != "risk")


def evaluate(answers: Answers, rulebook: RuleBook, phrases: PhraseSet) -> Assessment:
    """Assess urgency from the answers and pick the routes to offer."""
    crisis = match_crisis(answers.free_text, phrases) if answers.free_text else None
    fired = fired_rules(answers, rulebook, crisis.level if crisis else None)
    level = min((rule.level for rule in fired), default=rulebook.default_level)
    for_someone_else = answers.for_whom == "someone_else"
    return Assessment(
        urgency=rulebook.level(level),
        fired=fired,
        routes=routes_for(level, answers, rulebook, for_someone_else),
        scores=scores_of(answers),
        for_someone_else=for_someone_else,
    )


def routes_for(
    level: int, answers: Answers, rulebook: RuleBook, for_someone_else: bool
) -> tuple[Route, ...]:
    """The services to consider, in order; each slug once, at its most important place."""
    data = rulebook.routes
    urgent_lines = [
        data["urgent_line"][nation] for nation in ([answers.nation] if answers.nation else NATIONS)
    ]
    routes: list[Route] = []

    def add(slugs: list[str], tier: int, reason: str) -> None:
        for slug in slugs:
            for resolved in urgent_lines if slug == URGENT_LINE else [slug]:
                routes.append(Route(resolved, tier, len(routes), (reason,)))

    level_routes = list(data["by_level"].get(level, []))
    if level == 0:
        add(level_routes[:1], TIER_EMERGENCY, "level")  # 999 / A&E alone at the top
        level_routes = level_routes[1:]
    add(level_routes, TIER_LEVEL, "level")
    if for_someone_else:
        add(data["someone_else"], TIER_SPECIFIC, "someone_else")
    for issue in answers.issues:
        add(data["by_issue"].get(issue, []), TIER_SPECIFIC, f"issue:{issue}")
    if answers.age is not None:
        for band in data["by_age"]:
            if band.get("min_age", 0) <= answers.age <= band.get("max_age", 200):
                add(band["services"], TIER_SPECIFIC, "age")
    # Each service once, at its most important place, with every reason it was routed for.
    merged: dict[str, Route] = {}
    for route in routes:
        first = merged.get(route.slug)
        merged[route.slug] = (
            route
            if first is None
            else replace(
                first,
                reasons=first.reasons + tuple(r for r in route.reasons if r not in first.reasons),
            )
        )
    return tuple(merged.values())
