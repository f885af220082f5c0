"""`signpost serve`: gunicorn answers health, readiness and search, logs no query strings,
and stops cleanly on SIGTERM."""

from __future__ import annotations

import time

import pytest

from directory.serving import MAX_DEFAULT_WORKERS, ServeOptions, default_workers
from tests.ops.server import STOP_TIMEOUT_S, request, run_signpost, serving, signpost_env


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    env = signpost_env(f"sqlite:///{workdir / 'signpost.db'}")
    run_signpost(env, "init-db")
    run_signpost(env, "seed", "--demo")
    return env, workdir


def test_serve_answers_then_stops_cleanly_on_sigterm(sqlite_env):
    env, workdir = sqlite_env
    with serving(env, workdir) as server:
        assert request(f"{server.base}/health").body == {"status": "ok"}
        assert request(f"{server.base}/ready").body == {"status": "ready"}
        found = request(f"{server.base}/api/v1/search", "POST", {"q": "anxiety", "near": "Leeds"})
        assert found.status == 200, found.body
        assert found.body["total_items"] > 0
        assert request(f"{server.base}/health?note=feeling-awful").status == 200

        started = time.monotonic()
        assert server.stop() == 0
        assert time.monotonic() - started < STOP_TIMEOUT_S
        log = server.log()

    # Our JSON access log has the path; gunicorn's (off) would have logged the query string.
    assert '"path": "/api/v1/search"' in log
    assert "feeling-awful" not in log
    assert "anxiety" not in log
    assert "Shutting down: Master" in log


def test_default_workers_follow_the_cores_within_a_cap():
    assert default_workers(1) == 3
    assert default_workers(2) == 5
    assert default_workers(64) == MAX_DEFAULT_WORKERS


def test_gunicorn_settings_keep_its_access_log_off():
    settings = ServeOptions(host="0.0.0.0", port=9000, workers=2).gunicorn_settings()  # noqa: S104
    assert settings["bind"] == "0.0.0.0:9000"
    assert settings["workers"] == 2
    assert settings["accesslog"] is None
    assert settings["errorlog"] == "-"
    assert settings["graceful_timeout"] < settings["timeout"]
