"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from directory.errors import DirectoryError
from directory.extensions import db

blp = Blueprint("health", __name__, description="Operations")


class HealthSchema(Schema):
    status = fields.String(required=True)


class DatabaseUnavailable(DirectoryError):
    code = 503
    message = "The database is unreachable"


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Report that the process is up (it does not touch the database)."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="The database is unreachable")
    def get(self) -> dict[str, Any]:
        """Report whether the app can reach its database."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            raise DatabaseUnavailable() from error
        return {"status": "ready"}
