"""The safety block on its own, for clients that show it before anything else."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema

from directory.api.args import nation_field
from directory.api.schemas import SafetySchema
from directory.safety import safety_block_dict

blp = Blueprint("safety", __name__, url_prefix="/api/v1", description="Urgent routes")


class SafetyQueryArgsSchema(Schema):
    nation = nation_field("The person's nation; all four nations' urgent lines when omitted")


@blp.route("/safety")
class Safety(MethodView):
    @blp.arguments(SafetyQueryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, SafetySchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Get the urgent routes: 999, the nation's urgent line, Samaritans and Shout."""
        return safety_block_dict(args.get("nation"))
