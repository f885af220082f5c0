"""Configuration: the only module that reads the environment (SIGNPOST_* variables)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SIGNPOST_{name}", default)


def _env_flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (_env(name) or "").split(",") if item.strip())


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

    # Abuse and privacy hardening (README "Security and privacy").
    # Rate limits per client address, by the names directory/ratelimits.py maps endpoints to.
    # A GP surgery or an NHS site may send every receptionist through one NAT address, so the
    # numbers leave room for a busy practice and stop only scripted hammering.
    RATELIMIT_ENABLED = _env_flag("RATELIMIT_ENABLED", True)
    # memory:// counts per process; redis://host:6379/0 shares the counts between hosts.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or "memory://"
    RATELIMIT_KEY_PREFIX = _env("RATELIMIT_KEY_PREFIX") or "signpost"
    RATE_LIMITS = {
        "search": _env("RATELIMIT_SEARCH") or "120 per minute;3000 per hour",
        "triage": _env("RATELIMIT_TRIAGE") or "60 per minute;1000 per hour",
        "places": _env("RATELIMIT_PLACES") or "120 per minute;3000 per hour",
        "reports": _env("RATELIMIT_REPORTS") or "10 per minute;60 per hour",
    }
    # Origins (scheme://host[:port]) whose pages may send writes and Authorization headers.
    CORS_ORIGINS = _env_list("CORS_ORIGINS")
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host; 0 trusts
    # none (a client could otherwise forge its address, and dodge its rate limit).
    PROXY_COUNT = int(_env("PROXY_COUNT") or 0)
    # Request bodies above this many bytes are refused with a 413 before they are parsed.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH") or 64 * 1024)
    # One JSON line per request on the "signpost.access" logger (stderr).
    ACCESS_LOG = _env_flag("ACCESS_LOG", True)

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
    # The suite sends thousands of requests from one address; the rate limit tests turn
    # limits on with tiny numbers of their own.
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    CORS_ORIGINS: tuple[str, ...] = ()
    PROXY_COUNT = 0
    MAX_CONTENT_LENGTH = 64 * 1024
    ACCESS_LOG = True
    # Responses sent without marshmallow must equal their schema's dump (api/responses.py).
    CHECK_RESPONSES = True


# Services the test suite may use; tests that need them skip when these are unset.
TEST_DATABASE_URL = _env("TEST_DATABASE_URL")
TEST_REDIS_URL = _env("TEST_REDIS_URL")
# The browser tests drive this Chromium (Debian's package); they skip when it is missing,
# unless SIGNPOST_TEST_REQUIRE_BROWSER is set (CI), when they fail instead.
TEST_CHROMIUM = _env("TEST_CHROMIUM") or "/usr/bin/chromium"
TEST_REQUIRE_BROWSER = bool(_env("TEST_REQUIRE_BROWSER"))
