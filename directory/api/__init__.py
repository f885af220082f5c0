"""One flask-smorest Blueprint per resource: thin views over plain functions."""

from __future__ import annotations

from flask_smorest import Api

from directory.api import (
    health,
    organizations,
    places,
    safety,
    search,
    services,
    taxonomies,
    triage,
)


def register_blueprints(api: Api) -> None:
    """Mount every API blueprint."""
    for module in (services, search, triage, places, organizations, taxonomies, safety, health):
        api.register_blueprint(module.blp)
