"""run_triage: validated answers in, an assessment with recommendations out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import Gazetteer, Place, UnknownPlace
from directory.geo.geocoder import Geocode
from directory.models import TaxonomyTerm
from directory.search.service import resolve_place
from directory.search.vocabulary import load_vocabulary
from directory.triage.engine import Answers, Assessment, evaluate
from directory.triage.phrases import default_phrases
from directory.triage.recommend import Exclusion, Recommendation, recommend
from directory.triage.rulebook import default_triage_data


@dataclass(frozen=True)
class TriageOutcome:
    assessment: Assessment
    recommendations: list[Recommendation]
    excluded: list[Exclusion]
    place: Place | None
    nation: str | None
    warnings: list[dict[str, str]]
    questionnaire_version: str


def run_triage(
    session: Session,
    answers: Answers,
    place_query: str | None,
    at: datetime,
    gazetteer: Gazetteer,
    geocode: Geocode | None = None,
) -> TriageOutcome:
    """Resolve the place, assess urgency (pure engine), then pick and explain services."""
    questionnaire, rulebook = default_triage_data()
    place = None
    warnings = []
    if place_query:
        try:
            place = resolve_place(session, gazetteer, place_query, geocode)
        except UnknownPlace as unknown:
            # Not a 422: someone in crisis who mistypes a town must still get an answer.
            hint = f" Did you mean {', '.join(unknown.suggestions)}?" if unknown.suggestions else ""
            warnings.append({"field": "place", "message": f"We could not find that place.{hint}"})
    if answers.nation is None and place is not None and place.nation:
        answers = replace(answers, nation=place.nation)
    assessment = evaluate(answers, rulebook, default_phrases())
    issue_names = load_vocabulary(session).issue_names
    if any(code not in issue_names for code in answers.issues):  # newer than the vocabulary
        issue_names = {
            code: name
            for code, name in session.execute(select(TaxonomyTerm.code, TaxonomyTerm.name))
        }
    recommendations, excluded = recommend(session, assessment, answers, place, at, issue_names)
    return TriageOutcome(
        assessment=assessment,
        recommendations=recommendations,
        excluded=excluded,
        place=place,
        nation=answers.nation,
        warnings=warnings,
        questionnaire_version=questionnaire.version,
    )
