"""A live Signpost on 127.0.0.1 (temp SQLite, demo data), a host page on a second port that
embeds the widget from it, and one headless Chromium for the session.

Skipped cleanly when Playwright or Chromium is missing (failed instead when
SIGNPOST_TEST_REQUIRE_BROWSER is set, as in CI). Chromium is the system's
(/usr/bin/chromium, Debian's package); `playwright install` is never needed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from directory import create_app
from directory.config import TEST_CHROMIUM, TEST_REQUIRE_BROWSER, TestConfig
from directory.extensions import db
from directory.migrate import upgrade_database
from directory.models import Service
from directory.seed import load_seed_bundle, seed_database

CHROMIUM = Path(TEST_CHROMIUM)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE = HERE / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# A demo service renamed to markup, with details last checked long ago: it must show as text,
# with the "May be out of date" label.
XSS_NAME = '<img src=x onerror="window.__xss = 1">Hyde Park Group'
XSS_SLUG = "leeds-hyde-park-young-lgbtq-group"

# The page another organisation serves: it loads the widget from Signpost's origin, and its
# own CSS tries hard to break everything on the page.
HOST_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A charity's page</title>
<style>
  * {{ color: #ff00ff !important; font-size: 30px !important; font-family: serif !important; }}
  button, input {{ display: none !important; }}
  h2, h3 {{ text-transform: uppercase !important; }}
</style></head>
<body><main><h1>Our charity</h1>
<signpost-search heading="Find support"{attributes}></signpost-search>
<script src="{api}/static/widget.js"></script>
</main></body></html>
"""


class LiveServer:
    """A WSGI app served from a thread on a free port of 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if TEST_REQUIRE_BROWSER:
            pytest.fail(missing)
        pytest.skip(missing)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:
        if TEST_REQUIRE_BROWSER:
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def signpost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a file SQLite database with national and demo services; its base URL."""
    database = tmp_path_factory.mktemp("browser") / "signpost.db"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        upgrade_database(db.engine)
        seed_database(db.session, load_seed_bundle(app.config["SEED_DIR"], demo=True))
        service = db.session.scalars(select(Service).where(Service.slug == XSS_SLUG)).one()
        service.name = XSS_NAME
        service.last_verified_at = date(2024, 1, 15)
        db.session.commit()
    server = LiveServer(app)
    yield server.url
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def host(signpost: str) -> Iterator[str]:
    """A second origin that embeds the widget; /?near=…&issue=… become widget attributes."""

    def host_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""))
        attributes = "".join(f' {escape(name)}="{escape(value)}"' for name, value in pairs)
        body = HOST_PAGE.format(api=signpost, attributes=attributes).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    server = LiveServer(host_app)
    yield server.url
    server.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1000, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(15_000)
    # Nothing leaves the machine: anything not on 127.0.0.1 fails unless a test stubs it.
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def serious_axe_violations(page: Any, artifacts: Path, name: str) -> list[dict[str, Any]]:
    """Run axe-core (vendored) on the page; keep the full report; return serious and critical."""
    # Evaluated through DevTools, not added as a <script>: the pages' Content-Security-Policy
    # rightly refuses an inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
          }));
        }""",
        WCAG_TAGS,
    )
    (artifacts / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    return [v for v in violations if v["impact"] in ("serious", "critical")]
