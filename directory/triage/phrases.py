"""Free-text safety net: crisis phrases that can raise triage urgency, never lower it.

Pure: phrases come in as data (phrases.yaml), a frozen PhraseMatch (or None) comes out. The text
is only read, never stored or logged (triage.md rules 11, 12), and a PhraseMatch carries a rule id
and a level, never the words that matched, so nothing downstream can echo a method or a place.

Pattern syntax (normalised words separated by single spaces, matched as whole words):

- ``word``          that word exactly;
- ``word*``         any word starting with ``word`` ("suicid*" -> suicide, suicidal);
- ``a|b|c``         any one of these words in this slot ("kill|hurt myself");
- ``{m,n}``         between m and n other words here ("want to {0,2} die");
- ``#``             a number of ten or more, in digits or words ("took # tablets");
- ``$``             the end of the text, last token only ("researching ways to $").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

DEFAULT_PATH = Path(__file__).with_name("phrases.yaml")
MAX_FREE_TEXT_CHARS = 1000  # the questionnaire's max_length; longer input is cut, never an error

_WORD = r"[a-z0-9]+"
_SLOT_WORD = re.compile(r"^(?:[a-z0-9]+\*?|#)$")
_GAP = re.compile(r"^\{(\d),(\d)\}$")  # single digits keep gaps short, so matching stays linear
_PHRASE = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")
# Overdoses are counted in tens; "took 2 paracetamol" for a headache must not look like one.
_NUMBER = (
    r"(?:[1-9][0-9]+|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds"
    r"|dozen|dozens)"
)
# Curly and straight apostrophes, primes and backticks: dropped so "don’t" and "dont" agree.
_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u201a\u201b\u02bc\u2032\u0060\u00b4"), None)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# "soooo" -> "soo", "killlll" -> "kill": two letters survive so "see", "kill" and "off" do too.
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_DOUBLE_LETTER = re.compile(r"([a-z])\1")
_ELONGATED_WORD = re.compile(r"[a-z0-9]*([a-z])\1{2,}[a-z0-9]*")


class PhraseFileError(ValueError):
    """The phrase file is invalid; the message names the file, the entry and the field."""


def _word_regex(word: str) -> str:
    if word == "#":
        return _NUMBER
    return re.escape(word.rstrip("*")) + ("[a-z0-9]*" if word.endswith("*") else "")


def _translate(pattern: str) -> tuple[list[str], str]:
    """Split a pattern into its first slot's words and a regex for the rest; raise ValueError."""
    steps = pattern.split()
    if not steps:
        raise ValueError("is empty")
    first: list[str] = []
    parts: list[str] = []
    gap: tuple[int, int] | None = None
    for position, step in enumerate(steps):
        if gap_match := _GAP.match(step):
            low, high = int(gap_match[1]), int(gap_match[2])
            if not first or gap is not None or position == len(steps) - 1 or low > high:
                raise ValueError(f"gap {step!r} must sit between two words, with m <= n")
            gap = (low, high)
            continue
        if step == "$":
            if position != len(steps) - 1 or not first or gap is not None:
                raise ValueError("'$' must be the last step, after a word")
            parts.append("$")
            continue
        words = step.split("|")
        if not all(_SLOT_WORD.match(word) for word in words):
            raise ValueError(f"{step!r}: use lower-case letters and digits, a trailing *, # or a|b")
        if not first:
            first = words
            continue
        parts.append(f"(?: {_WORD}){{{gap[0]},{gap[1]}}} " if gap else " ")
        parts.append("(?:" + "|".join(_word_regex(word) for word in words) + ")")
        gap = None
    return first, "".join(parts)


def compile_pattern(pattern: str) -> str:
    """Translate one phrase pattern into a regular expression over normalised text."""
    first, rest = _translate(pattern)
    return "(?:" + "|".join(_word_regex(word) for word in first) + ")" + rest


def _whole_words(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # Patterns are grouped by their first word ("want(?:tail1|tail2)") so each word start costs
    # one try per distinct first word, and the regex is searched in " " + text: the literal
    # leading space lets the engine jump from word start to word start.
    tails: dict[str, list[str]] = {}
    for pattern in patterns:
        first, rest = _translate(pattern)
        for word in first:
            tails.setdefault(_word_regex(word), []).append(rest)
    branches = [
        head
        + (
            "(?:" + "|".join(sorted(dict.fromkeys(rests), key=lambda r: not r)) + ")"
            if any(rests)
            else ""
        )
        for head, rests in tails.items()
    ]
    return re.compile(" (?:" + "|".join(branches) + r")(?![a-z0-9])")


@dataclass(frozen=True)
class PhraseRule:
    id: str
    level: int  # 0 acting now / already harmed / in danger; 1 thoughts of suicide or self-harm
    patterns: tuple[str, ...]
    rationale: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", _whole_words(self.patterns))


@dataclass(frozen=True)
class Exclusion:
    """A benign idiom ("killing time") replaced before matching so it cannot trigger a rule."""

    id: str
    patterns: tuple[str, ...]
    rationale: str
    becomes: str = ""  # what is left: "dead tired" -> "tired" keeps "tired of living" matchable
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", _whole_words(self.patterns))


@dataclass(frozen=True)
class PhraseSet:
    version: str
    rules: tuple[PhraseRule, ...]
    spellings: tuple[tuple[str, str], ...] = ()  # (as typed, normalised): ("wanna", "want to")
    exclusions: tuple[Exclusion, ...] = ()
    _spelling_map: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _phrase_regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, hash=False)
    _ordered_rules: tuple[PhraseRule, ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        spelling_map = dict(self.spellings)
        object.__setattr__(self, "_spelling_map", spelling_map)
        # Multi-word keys ("my self") go through one regex, longest first; single words are a
        # dictionary look-up each, which is far cheaper than a regex of every key.
        phrases = sorted((typed for typed in spelling_map if " " in typed), key=len, reverse=True)
        regex = (
            re.compile(" (?:" + "|".join(map(re.escape, phrases)) + ")(?= )") if phrases else None
        )
        object.__setattr__(self, "_phrase_regex", regex)
        # Most urgent first; sorted() is stable, so ties keep the file's order.
        object.__setattr__(
            self, "_ordered_rules", tuple(sorted(self.rules, key=lambda rule: rule.level))
        )


@dataclass(frozen=True)
class PhraseMatch:
    level: int
    rule_id: str


# --- loading -------------------------------------------------------------------------------


def _check_patterns(patterns: list[str]) -> None:
    problems = {}
    for index, pattern in enumerate(patterns):
        try:
            compile_pattern(pattern)
        except ValueError as error:
            problems[index] = [f"pattern {pattern!r} {error}"]
    if problems:
        raise ValidationError(problems)


class _StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class PhraseRuleSchema(_StrictSchema):
    id = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]*$", error="Use a-z, 0-9, -.")
    )
    level = fields.Integer(required=True, strict=True, validate=validate.OneOf([0, 1]))
    patterns = fields.List(
        fields.String(validate=validate.Length(min=1)),
        required=True,
        validate=[validate.Length(min=1, error="Give at least one pattern."), _check_patterns],
    )
    rationale = fields.String(required=True, validate=validate.Length(min=1))


class ExclusionSchema(_StrictSchema):
    id = fields.String(required=True, validate=validate.Length(min=1))
    patterns = fields.List(
        fields.String(validate=validate.Length(min=1)),
        required=True,
        validate=[validate.Length(min=1, error="Give at least one pattern."), _check_patterns],
    )
    rationale = fields.String(required=True, validate=validate.Length(min=1))
    becomes = fields.String(load_default="")

    @validates("becomes")
    def _becomes_is_words(self, value: str, **_: Any) -> None:
        if value and not _PHRASE.match(value):
            raise ValidationError("Use normalised words: lower-case a-z and 0-9, single spaces.")


class PhraseFileSchema(_StrictSchema):
    version = fields.String(required=True, validate=validate.Length(min=1))
    spellings = fields.Dict(
        keys=fields.String(validate=validate.Regexp(_PHRASE, error="Use normalised words.")),
        values=fields.String(validate=validate.Regexp(_PHRASE, error="Use normalised words.")),
        load_default=dict,
    )
    exclusions = fields.List(fields.Raw(), load_default=list)
    rules = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))


def _flatten(messages: Any, path: str = "") -> list[str]:
    """Turn marshmallow's nested error dict into "field[index].name: message" lines."""
    if isinstance(messages, dict):
        return [
            line
            for key, value in messages.items()
            for line in _flatten(
                value,
                f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key,
            )
        ]
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [f"{path or '(entry)'}: {message}" for message in messages]
    if isinstance(messages, list):
        return [line for item in messages for line in _flatten(item, path)]
    return [f"{path or '(entry)'}: {messages}"]


def _load_entries(
    shown: str, section: str, entries: list[Any], schema: Schema
) -> tuple[list[dict[str, Any]], list[str]]:
    loaded, problems = [], []
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"{shown}: {section}[{index}]" + (f" ({label})" if label else "")
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        try:
            loaded.append(schema.load(entry))
        except ValidationError as error:
            problems.extend(f"{where}: {line}" for line in _flatten(error.messages))
    ids = [item["id"] for item in loaded]
    problems.extend(
        f"{shown}: {section}: id {dup!r} is used more than once"
        for dup in sorted({i for i in ids if ids.count(i) > 1})
    )
    return loaded, problems


def load_phrases(path: Path = DEFAULT_PATH) -> PhraseSet:
    """Read and validate a phrase file; raise PhraseFileError naming the entry and field."""
    shown = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PhraseFileError(f"{shown}: cannot be read as YAML ({error})") from error
    if not isinstance(data, dict):
        raise PhraseFileError(f"{shown}: must be a mapping at the top level")
    try:
        top = PhraseFileSchema().load(data)
    except ValidationError as error:
        raise PhraseFileError(
            "\n".join(f"{shown}: {line}" for line in _flatten(error.messages))
        ) from error
    rules, rule_problems = _load_entries(shown, "rules", top["rules"], PhraseRuleSchema())
    exclusions, exclusion_problems = _load_entries(
        shown, "exclusions", top["exclusions"], ExclusionSchema()
    )
    if rule_problems or exclusion_problems:
        raise PhraseFileError("\n".join(rule_problems + exclusion_problems))
    return PhraseSet(
        version=top["version"],
        rules=tuple(
            PhraseRule(r["id"], r["level"], tuple(r["patterns"]), r["rationale"]) for r in rules
        ),
        spellings=tuple(sorted(top["spellings"].items())),
        exclusions=tuple(
            Exclusion(e["id"], tuple(e["patterns"]), e["rationale"], e["becomes"])
            for e in exclusions
        ),
    )


@lru_cache(maxsize=1)
def default_phrases() -> PhraseSet:
    """Load the packaged phrase file once."""
    return load_phrases(DEFAULT_PATH)


# --- matching --------------------------------------------------------------------------------


def _apply_spellings(text: str, phrases: PhraseSet, elongated: set[str]) -> str:
    table = phrases._spelling_map
    if phrases._phrase_regex is not None:
        text = phrases._phrase_regex.sub(lambda m: " " + table[m[0][1:]], f" {text} ")
    words = text.split()
    if elongated:
        # "wannaa" (from "wannnaaa") is not in the table but "wana" is.
        squeezed = {word: _DOUBLE_LETTER.sub(r"\1", word) for word in elongated}
        words = [
            squeezed[word] if word in squeezed and squeezed[word] in table else word
            for word in words
        ]
    return " ".join([table.get(word, word) for word in words])


def normalise_free_text(text: str, phrases: PhraseSet | None = None) -> str:
    """Reduce free text to lower-case ASCII words with common misspellings mapped."""
    phrases = phrases if phrases is not None else default_phrases()
    text = text[:MAX_FREE_TEXT_CHARS]
    if not text.isascii():
        # Accents fold ("café" -> cafe) and casefold maps "ß" -> "ss" before non-ASCII is dropped.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = text.translate(_APOSTROPHES)
    text = _NOT_WORD.sub(" ", text)
    elongated: set[str] = set()
    if _LONG_RUN.search(text):
        elongated = {_LONG_RUN.sub(r"\1\1", m[0]) for m in _ELONGATED_WORD.finditer(text)}
        text = _LONG_RUN.sub(r"\1\1", text)
    return _apply_spellings(text, phrases, elongated)


def _remove_idioms(text: str, phrases: PhraseSet) -> str:
    text = " " + text
    for exclusion in phrases.exclusions:
        text = exclusion.regex.sub(f" {exclusion.becomes}", text)
    return " " + " ".join(text.split())


def match_crisis(text: str | None, phrases: PhraseSet) -> PhraseMatch | None:
    """Return the most urgent crisis phrase in the text, or None when there is none."""
    # Only ever a raise: there is no "safe phrase" result, so None means "nothing to add".
    if not isinstance(text, str) or not text:
        return None
    # A leading space, because every compiled pattern starts with one (see _whole_words).
    spaced = _remove_idioms(normalise_free_text(text, phrases), phrases)
    for rule in phrases._ordered_rules:
        if rule.regex.search(spaced):
            return PhraseMatch(level=rule.level, rule_id=rule.id)
    return None
