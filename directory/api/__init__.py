"""One flask-smorest Blueprint per resource: thin views over plain functions."""

from __future__ import annotations

from flask_smorest import Api

from directory.api import (
    audit,
    health,
    locations,
    organizations,
    places,
    reports,
    safety,
    search,
    services,
    taxonomies,
    triage,
)
from directory.api.auth import register_security_scheme


def register_blueprints(api: Api) -> None:
    """Mount every API blueprint, and declare the API-key security scheme they use."""
    register_security_scheme(api.spec)
    modules = (
        services, search, triage, places, organizations, locations, taxonomies, reports, audit,
        safety, health,
    )  # fmt: skip
    for module in modules:
        api.register_blueprint(module.blp)
