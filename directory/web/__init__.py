"""Pages for people: the start page, and the API docs' assets served locally."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    """Serve a Swagger UI asset from the installed swagger-ui-bundle package."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


@bp.get("/")
def start_page() -> str:
    """Show what Signpost is, the safety routes, and where to start with the API."""
    return render_template("start.html")


def register_pages(app: Flask) -> None:
    """Mount the web pages."""
    app.register_blueprint(bp)
