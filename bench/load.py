"""Load benchmark: `signpost serve` under a bounded, mixed load on loopback.

    python -m bench.load [--size 50000] [--seconds 60] [--concurrency 16] [--database-url URL]

Builds a database of N synthetic services as bench.search does (a SQLite file in a temp dir,
or the schema `signpost_bench` of the given PostgreSQL URL), starts `signpost serve` on it
(2 workers, rate limits off, the JSON access log on, into a file), then runs --concurrency
client threads for --seconds of a mixed workload:

- search (POST /api/v1/search): the distinct queries of bench.search's four classes (text,
  text + near, filters + open_now, misspelled), at least 500 of them, each sent once before
  any is repeated;
- triage (POST /api/v1/triage): bench.triage's distinct answer sets;
- service reads (GET /api/v1/services/{id}) of random synthetic services;

and then the same threads against GET /health for --health-seconds, so the cost of the real
work shows as a ratio. Prints requests/s, p50/p95/p99 per kind and every error. See
bench/README.md for the targets and the latest results.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import synthetic
from bench.search import AT, CLASSES, build_queries, load_words, make_app, percentile
from bench.triage import answer_sets
from directory.extensions import db
from directory.search.index import commit_bulk_change, reindex_all
from directory.seed import load_seed_bundle, seed_database

SIGNPOST = str(Path(sys.executable).with_name("signpost"))
WORKERS = 2
# Share of the mixed workload per kind: mostly searches, as the widget and API clients send.
MIX = {"search": 0.6, "triage": 0.2, "service": 0.2}
READ_IDS = 2_000  # synthetic services the reads draw from
REQUEST_TIMEOUT_S = 30
START_TIMEOUT_S = 60
# Targets at 50,000 services, 2 workers, 16 clients (issue 8).
TARGET_SEARCH_P99_MS = 150.0
TARGET_RATIO = 0.10


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Tally:
    """What the client threads saw, per kind: latencies of answers and every error."""

    times_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.times_ms.setdefault(kind, []).append(ms)
            else:
                self.errors[f"{kind}: {error}"] += 1


# --- the workload ------------------------------------------------------------------------------


def search_body(request: Any) -> dict[str, Any]:
    """The JSON body of POST /api/v1/search for a bench.search SearchRequest."""
    body: dict[str, Any] = {"at": AT.isoformat(), **request.filters}
    if request.q:
        body["q"] = request.q
    if request.near:
        body["near"] = request.near
    return body


def build_calls(
    queries: dict[str, list[Any]], triage: list[dict[str, Any]], ids: list[str], seed: int
) -> Callable[[], Call]:
    """A thread-safe source of calls in the MIX proportions; each list cycles, in random order."""
    rng = random.Random(seed)
    searches = [search_body(q.request) for name in CLASSES for q in queries[name]]
    rng.shuffle(searches)
    streams = {
        "search": itertools.cycle(
            Call("search", "POST", "/api/v1/search", json.dumps(b).encode()) for b in searches
        ),
        "triage": itertools.cycle(
            Call("triage", "POST", "/api/v1/triage", json.dumps(b).encode()) for b in triage
        ),
        "service": itertools.cycle(Call("service", "GET", f"/api/v1/services/{i}") for i in ids),
    }
    kinds, weights = list(MIX), list(MIX.values())
    lock = threading.Lock()

    def next_call() -> Call:
        with lock:
            return next(streams[rng.choices(kinds, weights)[0]])

    return next_call


def send(port: int, call: Call) -> str | None:
    """One request on a new connection (gunicorn's sync workers close each one); None if 2xx."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = {"Content-Type": "application/json"} if call.body is not None else {}
        connection.request(call.method, call.path, body=call.body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if 200 <= response.status < 300:
            return None
        try:
            message = json.loads(payload).get("message", "")
        except ValueError:
            message = ""
        return f"{response.status} {message}".strip()
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__
    finally:
        connection.close()


def run_phase(port: int, next_call: Callable[[], Call], seconds: float, concurrency: int) -> Tally:
    """`concurrency` threads sending calls back to back until `seconds` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            call = next_call()
            started = time.perf_counter()
            error = send(port, call)
            tally.add(call.kind, (time.perf_counter() - started) * 1000, error)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: a request cannot outlast its timeout.
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 5)
    return tally


# --- the database and the server ---------------------------------------------------------------


def build_database(args: argparse.Namespace, workdir: Path) -> tuple[str, dict[str, Any]]:
    """A filled, indexed database; its URL and the inputs the workload draws from."""
    app = make_app(args.database_url, workdir, args.size)
    with app.app_context():
        session = db.session
        url = session.get_bind().url.render_as_string(hide_password=False)
        seed_database(session, load_seed_bundle(app.config["SEED_DIR"], demo=False))
        started = time.perf_counter()
        synthetic.generate(session, args.size, seed=args.seed)
        reindex_all(session)
        commit_bulk_change(session)  # as `signpost reindex` does
        print(f"built {args.size:,} services in {time.perf_counter() - started:.1f} s", flush=True)
        words = load_words(session)
        ids = list(
            session.scalars(
                text("SELECT id FROM service WHERE status != 'defunct' ORDER BY id")
            ).all()
        )
        session.rollback()
    with app.app_context():
        db.engine.dispose()
    rng = random.Random(args.seed)
    inputs = {
        "queries": build_queries(words, args.queries, seed=args.seed),
        "triage": answer_sets(args.queries, words.outcodes, args.seed),
        "ids": rng.sample(ids, min(READ_IDS, len(ids))),
    }
    return url, inputs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
    env.update(SIGNPOST_DATABASE_URL=url, SIGNPOST_RATELIMIT_ENABLED="0")
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [SIGNPOST, "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"signpost serve exited:\n{log_path.read_text()}")
        if send(port, Call("health", "GET", "/ready")) is None:
            return process
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"signpost serve did not start in {START_TIMEOUT_S} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the report --------------------------------------------------------------------------------


def table(mixed: Tally, health: Tally, seconds: float, health_seconds: float) -> list[str]:
    lines = [
        f"{'kind':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    ]

    def row(kind: str, times: list[float], errors: int, span: float) -> str:
        return (
            f"{kind:<10} {len(times):>9} {len(times) / span:>8.1f} {percentile(times, 50):>8.1f} "
            f"{percentile(times, 95):>8.1f} {percentile(times, 99):>8.1f} {errors:>7}"
        )

    for kind in MIX:
        errors = sum(n for k, n in mixed.errors.items() if k.startswith(f"{kind}:"))
        lines.append(row(kind, mixed.times_ms.get(kind, []), errors, seconds))
    every = [t for times in mixed.times_ms.values() for t in times]
    lines.append(row("mixed", every, sum(mixed.errors.values()), seconds))
    lines.append(
        row(
            "/health",
            health.times_ms.get("health", []),
            sum(health.errors.values()),
            health_seconds,
        )
    )
    return lines


def verdicts(mixed: Tally, health: Tally, seconds: float, health_seconds: float) -> list[str]:
    mixed_rps = sum(len(t) for t in mixed.times_ms.values()) / seconds
    health_rps = len(health.times_ms.get("health", [])) / health_seconds
    ratio = mixed_rps / health_rps if health_rps else 0.0
    search_p99 = percentile(mixed.times_ms.get("search", []), 99)
    errors = sum(mixed.errors.values()) + sum(health.errors.values())

    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    return [
        f"mixed {mixed_rps:.1f} req/s / health {health_rps:.1f} req/s = {ratio:.1%}",
        f"{mark(ratio >= TARGET_RATIO)} mixed reaches >= {TARGET_RATIO:.0%} of /health req/s",
        f"{mark(search_p99 <= TARGET_SEARCH_P99_MS)} search p99 {search_p99:.1f} ms "
        f"<= {TARGET_SEARCH_P99_MS:.0f} ms",
        f"{mark(errors == 0)} {errors} errors",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--health-seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of unmeasured load")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--queries", type=int, default=500, help="distinct queries per class")
    parser.add_argument("--database-url", help="PostgreSQL; uses the schema signpost_bench")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server log)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="signpost-load-"))
    try:
        url, inputs = build_database(args, workdir)
        next_call = build_calls(inputs["queries"], inputs["triage"], inputs["ids"], args.seed)
        distinct = sum(len(q) for q in inputs["queries"].values())
        port = free_port()
        server = start_server(url, port, workdir / "serve.log")
        try:
            run_phase(port, next_call, args.warmup, args.concurrency)
            mixed = run_phase(port, next_call, args.seconds, args.concurrency)
            health = Call("health", "GET", "/health")
            health_tally = run_phase(port, lambda: health, args.health_seconds, args.concurrency)
        finally:
            stop_server(server)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    backend = "postgresql" if args.database_url else "sqlite"
    print(
        f"\nload: {backend}, {args.size:,} services, {WORKERS} workers, "
        f"{args.concurrency} clients, {args.seconds:.0f} s mixed + {args.health_seconds:.0f} s "
        f"/health; {distinct} distinct searches, {len(inputs['triage'])} answer sets, "
        f"{len(inputs['ids'])} services read"
    )
    print("\n".join(table(mixed, health_tally, args.seconds, args.health_seconds)))
    for error, count in sorted(mixed.errors.items()) + sorted(health_tally.errors.items()):
        print(f"  error x{count}: {error}")
    print("\n".join(verdicts(mixed, health_tally, args.seconds, args.health_seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
