"""One flask-smorest Blueprint per resource: thin views over plain functions."""

from __future__ import annotations

from flask_smorest import Api

from directory.api import health, organizations, safety, services, taxonomies


def register_blueprints(api: Api) -> None:
    """Mount every API blueprint."""
    for module in (services, organizations, taxonomies, safety, health):
        api.register_blueprint(module.blp)
