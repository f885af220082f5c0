"""Triage: the questionnaire, and answers -> urgency with ranked, explained recommendations.

Answers are never stored or logged, not even when something fails: a failure inside triage
answers HTTP 200 with the static crisis response and logs only the kind of error.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from directory.api.args import at_field
from directory.api.limits import rate_limited
from directory.api.presenters import channel_href, present_place, service_is_stale
from directory.api.responses import json_response
from directory.api.schemas import PlaceSchema, SafetySchema
from directory.errors import InvalidInput
from directory.extensions import db, gazetteer, geocoder
from directory.hours import now_in_london
from directory.models import NATIONS
from directory.safety import safety_block_dict
from directory.search.filters import issue_exists
from directory.search.service import shown_distance_km
from directory.triage.engine import Answers
from directory.triage.fallback import DISCLAIMER, static_crisis_response
from directory.triage.recommend import Recommendation
from directory.triage.rulebook import default_triage_data
from directory.triage.service import TriageOutcome, run_triage

log = logging.getLogger(__name__)

blp = Blueprint(
    "triage",
    __name__,
    url_prefix="/api/v1/triage",
    description="How urgent it is, and where to turn",
)

PREFERRED = ("phone", "text", "web_chat", "email", "online_community", "in_person", "video")


class ScreeningItems(fields.List):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields.Integer(validate=validate.Range(0, 3)),
            validate=validate.Length(equal=2),
            **kwargs,
        )


class AnswersSchema(Schema):
    class Meta:
        unknown = RAISE

    immediate_danger = fields.String(
        required=True, validate=validate.OneOf(["yes", "no", "prefer_not_to_say"])
    )
    suicidal_thoughts = fields.String(
        required=True, validate=validate.OneOf(["no", "sometimes", "often", "prefer_not_to_say"])
    )
    for_whom = fields.String(validate=validate.OneOf(["self", "someone_else"]))
    age = fields.Integer(validate=validate.Range(0, 120))
    place = fields.String(validate=validate.Length(min=1, max=100))
    nation = fields.String(validate=validate.OneOf(NATIONS))
    issues = fields.List(fields.String(), validate=validate.Length(max=10))
    impact = fields.String(validate=validate.OneOf(["severe", "moderate", "mild"]))
    preferred_channels = fields.List(fields.String(validate=validate.OneOf(PREFERRED)))
    cannot_use_phone = fields.Boolean()
    phq2 = ScreeningItems()
    gad2 = ScreeningItems()
    free_text = fields.String(validate=validate.Length(max=1000))


class TriageRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    answers = fields.Nested(AnswersSchema, required=True)
    at = at_field()


class UrgencySchema(Schema):
    level = fields.Integer(required=True)
    code = fields.String(required=True)
    label = fields.String(required=True)
    advice = fields.String(required=True)
    timeframe = fields.String(required=True)


class RecommendedServiceSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    is_crisis_service = fields.Boolean(required=True)
    url = fields.String(allow_none=True)
    demo = fields.Boolean()
    verification = fields.String()
    stale = fields.Boolean(
        metadata={"description": "Details last checked over SIGNPOST_STALE_DAYS ago, or never"}
    )


class ChosenChannelSchema(Schema):
    type = fields.String(required=True)
    value = fields.String(required=True)
    instructions = fields.String(allow_none=True)
    href = fields.String(allow_none=True)


class RecommendationSchema(Schema):
    service = fields.Nested(RecommendedServiceSchema, required=True)
    channel = fields.Nested(ChosenChannelSchema, allow_none=True)
    reasons = fields.List(fields.String(), required=True)
    caveats = fields.List(fields.String(), required=True)
    open_now = fields.Boolean(allow_none=True)
    next_open = fields.DateTime(allow_none=True)
    distance_km = fields.Float(allow_none=True)


class ExclusionSchema(Schema):
    service = fields.Dict(required=True)
    reasons = fields.List(fields.String(), required=True)


class WarningSchema(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class TriageResponseSchema(Schema):
    urgency = fields.Nested(UrgencySchema, required=True)
    recommendations = fields.List(fields.Nested(RecommendationSchema), required=True)
    excluded = fields.List(fields.Nested(ExclusionSchema), required=True)
    place = fields.Nested(PlaceSchema, allow_none=True)
    safety = fields.Nested(SafetySchema, required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    warnings = fields.List(fields.Nested(WarningSchema), required=True)
    error = fields.String()
    questionnaire_version = fields.String(required=True)
    disclaimer = fields.String(required=True)


class QuestionnaireSchema(Schema):
    version = fields.String(required=True)
    questions = fields.List(fields.Dict(), required=True)


@blp.route("/questionnaire")
class Questionnaire(MethodView):
    @blp.response(200, QuestionnaireSchema)
    def get(self) -> dict[str, Any]:
        """Get the questions in order, with types, options, help, risk and optional flags."""
        questionnaire, _ = default_triage_data()
        return {
            "version": questionnaire.version,
            "questions": [question.data for question in questionnaire.questions],
        }


TRIAGE_RESPONSE = TriageResponseSchema()
TRIAGE_REQUEST = TriageRequestSchema()  # an instance: see api/search.py SEARCH_ARGS


@blp.route("")
class Triage(MethodView):
    @blp.arguments(TRIAGE_REQUEST)
    @blp.response(200, TriageResponseSchema)
    @rate_limited(blp)
    def post(self, request: dict[str, Any]) -> Response:
        """Assess urgency from the answers and recommend services, each with its reasons."""
        raw = request["answers"]
        unknown = [code for code in raw.get("issues", []) if not issue_exists(db.session, code)]
        if unknown:
            raise InvalidInput(errors={"issues": [f"Unknown issue codes: {', '.join(unknown)}."]})
        at = request.get("at") or now_in_london()
        version = default_triage_data()[0].version
        try:
            outcome = run_triage(
                db.session, answers_from(raw), raw.get("place"), at, gazetteer(), geocoder()
            )
            shown = present_outcome(outcome, at)
        except Exception as error:  # noqa: BLE001 - any failure must still show the crisis routes
            # The type only: a message or traceback could carry what the person told us.
            log.error(
                "Triage failed (%s); answered with the static crisis response", type(error).__name__
            )
            db.session.rollback()
            danger_now = raw["immediate_danger"] == "yes"
            shown = static_crisis_response(raw.get("nation"), version, danger_now=danger_now)
        return json_response(TRIAGE_RESPONSE, shown)


def answers_from(raw: dict[str, Any]) -> Answers:
    """Validated request answers as the engine's Answers."""
    return Answers(
        immediate_danger=raw["immediate_danger"],
        suicidal_thoughts=raw["suicidal_thoughts"],
        for_whom=raw.get("for_whom"),
        age=raw.get("age"),
        nation=raw.get("nation"),
        issues=tuple(dict.fromkeys(raw.get("issues", []))),
        impact=raw.get("impact"),
        preferred_channels=tuple(dict.fromkeys(raw.get("preferred_channels", []))),
        cannot_use_phone=raw.get("cannot_use_phone", False),
        phq2=tuple(raw["phq2"]) if "phq2" in raw else None,  # type: ignore[arg-type]
        gad2=tuple(raw["gad2"]) if "gad2" in raw else None,  # type: ignore[arg-type]
        free_text=raw.get("free_text"),
    )


def present_outcome(outcome: TriageOutcome, at: datetime) -> dict[str, Any]:
    """The triage response: urgency, recommendations, exclusions, place, safety."""
    urgency = outcome.assessment.urgency
    return {
        "urgency": {
            "level": urgency.level,
            "code": urgency.code,
            "label": urgency.label,
            "advice": urgency.advice,
            "timeframe": urgency.timeframe,
        },
        "recommendations": [present_recommendation(r, at) for r in outcome.recommendations],
        "excluded": [
            {
                "service": {
                    "id": e.service.id,
                    "name": e.service.name,
                    "stale": service_is_stale(e.service, at),
                },
                "reasons": list(e.reasons),
            }
            for e in outcome.excluded
        ],
        "place": present_place(outcome.place),
        "safety": safety_block_dict(outcome.nation),
        "scores": outcome.assessment.scores,
        "warnings": outcome.warnings,
        "questionnaire_version": outcome.questionnaire_version,
        "disclaimer": DISCLAIMER,
    }


def present_recommendation(recommendation: Recommendation, at: datetime) -> dict[str, Any]:
    """One recommended service with the channel to use first and why."""
    service, channel, status = recommendation.service, recommendation.channel, recommendation.status
    return {
        "service": {
            "id": service.id,
            "name": service.name,
            "kind": service.kind,
            "is_crisis_service": service.is_crisis_service,
            "url": service.url,
            "demo": service.demo,
            "verification": service.verification,
            "stale": service_is_stale(service, at),
        },
        "channel": None
        if channel is None
        else {
            "type": channel.type,
            "value": channel.value,
            "instructions": channel.instructions,
            "href": channel_href(channel.type, channel.value),
        },
        "reasons": list(recommendation.reasons),
        "caveats": list(recommendation.caveats),
        "open_now": None if status is None else status.open_now,
        "next_open": None if status is None else status.next_open,
        "distance_km": shown_distance_km(service, recommendation.distance_km),
    }
