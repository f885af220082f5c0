"""Run `signpost` commands and `signpost serve` as real processes, for the operations tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIGNPOST = str(Path(sys.executable).with_name("signpost"))
COMMAND_TIMEOUT_S = 120
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signpost_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment for a `signpost` process: this database, limits off unless asked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
    env["SIGNPOST_DATABASE_URL"] = database_url
    env["SIGNPOST_RATELIMIT_ENABLED"] = "0"
    env.update({f"SIGNPOST_{k}": v for k, v in settings.items()})
    return env


def run_signpost(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run a `signpost` command to the end; fail the test with its output when it fails."""
    result = subprocess.run(  # noqa: S603 - our own console script
        [SIGNPOST, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"signpost {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Any


def request(
    url: str,
    method: str = "GET",
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP request; a JSON body in and out; error statuses are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback
            status, raw, hdrs = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as error:
        status, raw, hdrs = error.code, error.read(), dict(error.headers)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Response(status, hdrs, parsed)


@dataclass
class Server:
    process: subprocess.Popen[str]
    base: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, and the exit code within STOP_TIMEOUT_S (SIGKILL and fail after that)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._kill()
            raise AssertionError(f"signpost serve ignored SIGTERM:\n{self.log()}") from None

    def _kill(self) -> None:
        # The server leads its own process group: this reaches its workers too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STOP_TIMEOUT_S)


@contextmanager
def serving(env: Mapping[str, str], log_dir: Path, workers: int = 2) -> Iterator[Server]:
    """`signpost serve` on a free port, ready to answer; always stopped afterwards."""
    port = free_port()
    log_path = log_dir / f"serve-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [SIGNPOST, "serve", "--port", str(port), "--workers", str(workers)],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            try:
                server.stop()
            except AssertionError:
                pass
        # Workers never outlive their master; make sure of it should the master have died.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"signpost serve exited early:\n{server.log()}")
        try:
            if request(f"{server.base}/health", timeout=1).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"signpost serve did not start in {START_TIMEOUT_S} s:\n{server.log()}")
