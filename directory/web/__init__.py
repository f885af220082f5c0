"""Pages for people: the receptionist's lookup page and handout, the widget and its embed page,
the about page, and the API docs' assets served locally.

The pages search through the same functions as the API, so they show what the JSON says.
Nothing typed here is stored; query strings are kept out of request logs (privacy.py) and
pages with a search in them are never cached.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request, send_from_directory
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from swagger_ui_bundle import swagger_ui_path

from directory.api.presenters import present_service
from directory.api.search import SearchArgsSchema, run_search
from directory.errors import DirectoryError
from directory.extensions import db
from directory.hours import now_in_london
from directory.models import NATIONS, Taxonomy, TaxonomyTerm
from directory.safety import NATION_NAMES, safety_block_dict
from directory.search.filters import find_service
from directory.web import present

bp = Blueprint("web", __name__, template_folder="templates")

# The receptionist's search form: field -> what it is called on the page (for error messages).
FIND_FIELDS = {
    "q": "What it is about",
    "near": "Postcode or town",
    "issue": "Topic",
    "age": "Age",
    "open_now": "Open now",
    "self_referral": "Self-referral only",
}
RESULTS_PER_PAGE = 30
MAX_HANDOUT_SERVICES = 10


@bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    """Serve a Swagger UI asset from the installed swagger-ui-bundle package."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


@bp.get("/")
@bp.get("/find")
def find_page() -> Response:
    """Show the receptionist's lookup: search form, results to tick, triage mode."""
    form = {key: request.args.get(key, "").strip() for key in (*FIND_FIELDS, "no_phone")}
    searched = any(form[key] for key in ("q", "near", "issue", "age"))
    result, errors = None, {}
    if searched:
        result, errors = _search(form)
    place = (result or {}).get("place") or {}
    safety = safety_block_dict(place.get("nation"))
    hits = (result or {}).get("contents", [])
    page = render_template(
        "find.html",
        form=form,
        searched=searched,
        result=result,
        hits=hits,
        errors=errors,
        fields=FIND_FIELDS,
        issues=_issue_terms(),
        safety=safety,
        nation_names=NATION_NAMES,
        present=present,
        today=now_in_london().date(),
    )
    return _private(page)


@bp.get("/handout")
def handout_page() -> Response:
    """Show a printable handout of the chosen services with the safety block and the date."""
    at = now_in_london()
    nation = request.args.get("nation") if request.args.get("nation") in NATIONS else None
    chosen = list(dict.fromkeys(request.args.getlist("service")))[:MAX_HANDOUT_SERVICES]
    services = [
        present_service(service, at=at, nation=nation)
        for service in (find_service(db.session, service_id) for service_id in chosen)
        if service is not None
    ]
    safety = safety_block_dict(nation)
    page = render_template(
        "handout.html",
        services=services,
        safety=safety,
        nation_names=NATION_NAMES,
        present=present,
        today=at.date(),
        text=present.handout_text(services, safety, at.date()),
    )
    return _private(page)


@bp.get("/embed")
def embed_page() -> str:
    """Explain how a website embeds the search widget, with the snippet and a live preview."""
    return render_template("embed.html", origin=request.host_url.rstrip("/"))


@bp.get("/about")
def about_page() -> str:
    """Show what Signpost is, the safety routes, and where to start with the API."""
    return render_template("about.html", safety=safety_block_dict(None), nation_names=NATION_NAMES)


def _search(form: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """Run the API's search with the form's fields; errors keyed by field, never raised."""
    raw: dict[str, Any] = {key: form[key] for key in ("q", "near", "issue", "age") if form[key]}
    raw.update({key: True for key in ("open_now", "self_referral") if form[key]})
    if form["no_phone"]:
        raw["without_phone"] = True
    raw["per_page"] = RESULTS_PER_PAGE
    try:
        return run_search(SearchArgsSchema().load(raw)), {}
    except ValidationError as error:
        return None, {k: list(v) for k, v in error.normalized_messages().items()}
    except DirectoryError as error:
        return None, error.errors or {"q": [error.message]}


def _issue_terms() -> list[TaxonomyTerm]:
    return list(
        db.session.scalars(
            select(TaxonomyTerm)
            .join(Taxonomy)
            .where(Taxonomy.slug == "issues")
            .options(selectinload(TaxonomyTerm.parent))
            .order_by(TaxonomyTerm.position, TaxonomyTerm.code)
        )
    )


def _private(page: str) -> Response:
    """A page that may show what someone searched for: never cached, never sent on as a referrer."""
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def register_pages(app: Flask) -> None:
    """Mount the web pages."""
    app.register_blueprint(bp)
