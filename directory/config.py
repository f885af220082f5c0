"""Configuration: the only module that reads the environment (SIGNPOST_* variables)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SIGNPOST_{name}", default)


class Config:
    """Settings for a running app, from SIGNPOST_* environment variables."""

    TESTING = False
    INSTANCE_DIR = Path(_env("INSTANCE_DIR") or PROJECT_ROOT / "instance")
    SQLALCHEMY_DATABASE_URL = _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'signpost.db'}"
    SEED_DIR = Path(_env("SEED_DIR") or PROJECT_ROOT / "seed_data")
    GAZETTEER_DIR = Path(_env("GAZETTEER_DIR") or PROJECT_ROOT / "seed_data" / "geo")
    # Optional online geocoder for places the offline gazetteer does not know ("nominatim").
    GEOCODER = _env("GEOCODER")
    GEOCODER_TIMEOUT = float(_env("GEOCODER_TIMEOUT") or 3)
    # A service whose details were last checked longer ago than this is flagged `stale` and
    # ranks below otherwise-equal fresh ones.
    STALE_DAYS = int(_env("STALE_DAYS") or 180)
    DEFAULT_PAGE_SIZE = 20
    MAX_PAGE_SIZE = 100

    # flask-smorest / OpenAPI
    API_TITLE = "Signpost"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    # Swagger UI from the swagger-ui-bundle package, served by the app: no CDN (many NHS
    # networks block them, and this service must work offline).
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"


class TestConfig(Config):
    """Settings for the test suite: an in-memory SQLite unless a test database URL is given."""

    TESTING = True
    SQLALCHEMY_DATABASE_URL = "sqlite://"


# Services the test suite may use; tests that need them skip when these are unset.
TEST_DATABASE_URL = _env("TEST_DATABASE_URL")
TEST_REDIS_URL = _env("TEST_REDIS_URL")
# The browser tests drive this Chromium (Debian's package); they skip when it is missing,
# unless SIGNPOST_TEST_REQUIRE_BROWSER is set (CI), when they fail instead.
TEST_CHROMIUM = _env("TEST_CHROMIUM") or "/usr/bin/chromium"
TEST_REQUIRE_BROWSER = bool(_env("TEST_REQUIRE_BROWSER"))
