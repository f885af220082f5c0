"""Triage benchmark: POST /api/v1/triage latency at directory scale.

    python -m bench.triage [--size 50000] [--queries 500] [--database-url URL]

Builds the same database as bench.search (taxonomy, national services, N synthetic local
services, index, ANALYZE), then sends --queries distinct answer sets (risk answers, ages,
places from real outcodes, issues, impact, channel preferences, several times of day)
through the app's test client, so validation, the engine, recommendations and JSON are all
in the number. Prints p50/p95/p99 and the level mix. Target: p95 <= 30 ms at 50,000.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import synthetic
from bench.search import make_app, percentile
from directory.extensions import db
from directory.search.index import reindex_all
from directory.seed import load_seed_bundle, seed_database

ISSUES = [
    "anxiety", "depression", "bereavement", "eating-disorders", "loneliness", "drugs",
    "gambling", "self-harm", "psychosis", "stress", "domestic-abuse", "sexuality-gender-identity",
]  # fmt: skip
INSTANTS = ["2026-11-25T03:00:00Z", "2026-11-25T15:00:00Z", "2026-11-28T21:30:00Z"]
WARMUP = 20


def answer_sets(count: int, outcodes: list[str], seed: int) -> list[dict[str, Any]]:
    """Distinct, realistic answer sets: mostly no immediate risk, some crisis, many places."""
    rng = random.Random(seed)
    seen: set[str] = set()
    sets: list[dict[str, Any]] = []
    while len(sets) < count:
        answers: dict[str, Any] = {
            "immediate_danger": rng.choices(["no", "yes", "prefer_not_to_say"], [90, 5, 5])[0],
            "suicidal_thoughts": rng.choices(["no", "sometimes", "often"], [75, 15, 10])[0],
            "age": rng.randint(12, 85),
            "place": rng.choice(outcodes),
        }
        if rng.random() < 0.8:
            answers["issues"] = rng.sample(ISSUES, rng.randint(1, 2))
        if rng.random() < 0.7:
            answers["impact"] = rng.choice(["severe", "moderate", "mild"])
        if rng.random() < 0.3:
            answers["preferred_channels"] = rng.sample(["phone", "text", "web_chat"], 1)
        if rng.random() < 0.2:
            answers["cannot_use_phone"] = True
        body = {"answers": answers, "at": rng.choice(INSTANTS)}
        key = repr(sorted(body["answers"].items())) + body["at"]
        if key not in seen:
            seen.add(key)
            sets.append(body)
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="signpost-triage-bench-"))
    app = make_app(args.database_url, workdir, args.size)
    with app.app_context():
        session = db.session
        seed_database(session, load_seed_bundle(app.config["SEED_DIR"], demo=False))
        synthetic.generate(session, args.size, seed=args.seed)
        reindex_all(session)
        session.execute(text("ANALYZE"))
        session.commit()
        backend = session.get_bind().dialect.name
    outcodes = [o.outcode for o in synthetic.load_geo().outcodes]
    bodies = answer_sets(args.queries, outcodes, args.seed)
    client = app.test_client()
    # One JSON line per request would bury the results; the load benchmark keeps the log on.
    logging.getLogger("signpost.access").disabled = True
    for body in bodies[:WARMUP]:
        client.post("/api/v1/triage", json=body)
    times: list[float] = []
    levels: Counter[int] = Counter()
    for body in bodies:
        started = time.perf_counter()
        response = client.post("/api/v1/triage", json=body)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
        result = response.get_json()
        assert "error" not in result, "triage fell back to the static crisis response"
        levels[result["urgency"]["level"]] += 1
    with app.app_context():
        db.engine.dispose()
    print(f"\ntriage, {backend}, {args.size:,} services, {len(times)} distinct answer sets")
    print(
        f"p50 {percentile(times, 50):.1f} ms  p95 {percentile(times, 95):.1f} ms  "
        f"p99 {percentile(times, 99):.1f} ms  mean {statistics.mean(times):.1f} ms"
    )
    print("levels:", dict(sorted(levels.items())))
    verdict = "PASS" if percentile(times, 95) <= 30 else "FAIL"
    print(f"{verdict} triage p95 {percentile(times, 95):.1f} ms <= 30 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
