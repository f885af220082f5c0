"""Search benchmark: index build time and in-process search latency at directory scale.

    python -m bench.search [--sizes 10000 50000] [--queries 500] [--database-url URL]

For each size: a fresh database (a SQLite file in a temp dir, or the schema `signpost_bench`
of the given PostgreSQL URL), migrated, seeded with the taxonomy and the national services,
filled with N synthetic services (bench.synthetic, not timed), then:

- build: `reindex_all(session); session.commit()`, timed; then the app's own
  `commit_bulk_change()` (ANALYZE; on PostgreSQL VACUUM (ANALYZE)), as `signpost reindex`
  runs it, timed apart (`--no-analyze` skips it on SQLite);
- four query classes through `search_services`, each with --queries distinct queries after
  20 warm-up queries: text, text + near, filters + open_now, misspelled;
- the raw full-text query for the same terms (SQLite FTS5 bm25 / PostgreSQL ts_rank_cd,
  ORDER BY rank LIMIT 20) as a floor for the text and misspelled classes.

See bench/README.md for the targets and the latest results.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import text

from bench import synthetic
from bench.synthetic import ISSUE_NAME_WORDS, KINDS, PLACE_WORDS, load_geo, random_postcode
from directory import create_app
from directory.extensions import db, gazetteer
from directory.migrate import upgrade_database
from directory.models import NATIONS
from directory.search.index import commit_bulk_change, reindex_all
from directory.search.service import SearchRequest, search_services
from directory.search.text import fts5_match, parse_query, query_concepts, tsquery
from directory.search.vocabulary import build_vocabulary, forget_vocabulary, load_vocabulary
from directory.seed import load_seed_bundle, seed_database

SCHEMA = "signpost_bench"
WARMUP = 20
# A Wednesday evening in November with no bank holiday anywhere in the UK: evening services
# and night lines are open, office-hours ones are closed.
AT = datetime(2026, 11, 25, 19, 30, tzinfo=ZoneInfo("Europe/London"))
# Targets at 50,000 services (bench/README.md).
TARGET_SIZE = 50_000
TARGET_P95_MS = 25.0
TARGET_RATIO = 3.0
TARGET_BUILD_S = 15.0
MAX_ATTEMPTS = 200_000  # bound on the random draws that build each distinct query list

FINGERPRINT_GLOBS = (
    "directory/search/*.py",
    "directory/models/*.py",
    "directory/geo/*.py",
    "directory/hours.py",
    "migrations/versions/*.py",
)
CLASSES = ("text", "text + near", "filters + open_now", "misspelled")
RAW_CLASSES = ("text", "misspelled")

FIXED_TEXTS = [
    "anxiety",
    "grief support",
    "panic attacks",
    "eating disorder helpline",
    "bereavement counselling",
    "depression",
    "low mood",
    "hearing voices",
    "self harm",
    "loneliness",
    "peer support group",
    "talking therapies",
    "domestic abuse",
    "rape crisis",
    "postnatal depression",
    "young carers",
    "gambling helpline",
    "alcohol recovery",
    "crisis cafe",
    "lgbt youth",
]
FIXED_TYPOS = [
    "anxeity",
    "berevement",
    "loneliess",
    "depresion",
    "councelling",
    "anxiety councelling",
    "greif support",
    "panick attacks",
    "eatting disorder",
    "selfharm",
    "bereavment",
    "psycosis",
    "gamblng",
    "alchohol",
    "domestik abuse",
    "postnatel",
    "helpine",
    "counseling",
    "lonelyness",
    "traumma",
]
GENERIC_WORDS = ["support", "group", "help", "helpline", "counselling", "drop in", "service"]


# --- queries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    label: str  # what the report shows for an empty result or an error
    request: SearchRequest


@dataclass
class Words:
    """Word lists the queries are drawn from: the taxonomy's words and the synthetic names'."""

    issues: list[str]  # labels and synonyms, lower case
    codes: list[str]
    name_words: list[str]  # issue words, kind suffixes and place words of synthetic names
    towns: list[str]
    outcodes: list[str]
    outcode_weights: list[float]


def load_words(session: Any) -> Words:
    terms = session.execute(
        text(
            "SELECT t.code, t.name, t.synonyms FROM taxonomy_term t "
            "JOIN taxonomy x ON x.id = t.taxonomy_id WHERE x.slug = 'issues'"
        )
    ).all()
    issues: list[str] = []
    for _code, name, synonyms in terms:
        found = synonyms if isinstance(synonyms, list) else _json_list(synonyms)
        issues += [name.lower(), *(s.lower() for s in found)]
    codes = [code for code, _, _ in terms]
    name_words = [w for words in ISSUE_NAME_WORDS.values() for w in words]
    name_words += [s for _, suffixes, _ in KINDS.values() for s in suffixes]
    name_words += PLACE_WORDS
    towns = sorted(
        t for t in session.scalars(text("SELECT DISTINCT town FROM location")).all() if t
    )
    geo = load_geo()
    return Words(
        issues=sorted(set(issues)),
        codes=sorted(codes),
        name_words=sorted(set(name_words)),
        towns=towns,
        outcodes=[o.outcode for o in geo.outcodes],
        outcode_weights=[o.weight for o in geo.outcodes],
    )


def _json_list(value: Any) -> list[str]:
    return list(json.loads(value or "[]"))


def _distinct(make: Callable[[], str], count: int, fixed: Iterable[str] = ()) -> list[str]:
    """`count` distinct strings: the fixed ones first, then random draws (bounded)."""
    found = dict.fromkeys(fixed)
    attempts = 0
    while len(found) < count and attempts < MAX_ATTEMPTS:
        found.setdefault(make(), None)
        attempts += 1
    if len(found) < count:
        raise RuntimeError(f"only {len(found)} distinct queries after {attempts} draws")
    return list(found)[:count]


def _warmup_last(texts: list[str]) -> list[str]:
    """Move the last WARMUP draws to the front, so the fixed queries are measured."""
    return texts[-WARMUP:] + texts[:-WARMUP]


def text_queries(rng: random.Random, words: Words, count: int) -> list[str]:
    def make() -> str:
        shape = rng.randrange(7)
        if shape == 0:
            return rng.choice(words.issues)
        if shape == 1:
            return f"{rng.choice(words.issues)} {rng.choice(GENERIC_WORDS)}"
        if shape == 2:
            return rng.choice(words.name_words).lower()
        if shape == 3:
            return f"{rng.choice(words.name_words)} {rng.choice(words.name_words)}".lower()
        if shape == 4:
            return f"{rng.choice(words.issues)} {rng.choice(words.towns)}"
        if shape == 5:
            return f"help with {rng.choice(words.issues)}"
        return f"{rng.choice(words.issues)} {rng.choice(words.name_words).lower()}"

    return _warmup_last(_distinct(make, count, FIXED_TEXTS))


def typo(rng: random.Random, word: str) -> str:
    """One random single-letter edit: substitute, delete, insert or swap."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    index = rng.randrange(1, len(word))  # keep the first letter, as most typos do
    edit = rng.randrange(4)
    if edit == 0:
        return word[:index] + rng.choice(letters) + word[index + 1 :]
    if edit == 1:
        return word[:index] + word[index + 1 :]
    if edit == 2:
        return word[:index] + rng.choice(letters) + word[index:]
    if index == len(word) - 1:
        index -= 1
    return word[:index] + word[index + 1] + word[index] + word[index + 2 :]


def misspelled_queries(rng: random.Random, words: Words, count: int) -> list[str]:
    single = sorted(
        {
            w
            for phrase in [*words.issues, *(n.lower() for n in words.name_words)]
            for w in phrase.split()
            if len(w) >= 5 and w.isalpha()
        }
    )
    known = set(single)

    def make() -> str:
        wrong = typo(rng, rng.choice(single))
        while wrong in known:  # bounded in practice: an edit rarely makes another word
            wrong = typo(rng, rng.choice(single))
        roll = rng.random()
        if roll < 0.6:
            return wrong
        if roll < 0.85:
            return f"{wrong} {rng.choice(GENERIC_WORDS)}"
        return f"{rng.choice(words.issues)} {wrong}"

    return _warmup_last(_distinct(make, count, FIXED_TYPOS))


def build_queries(words: Words, count: int, seed: int) -> dict[str, list[Query]]:
    """count + WARMUP distinct queries per class; the first WARMUP are the warm-up."""
    rng = random.Random(seed)
    total = count + WARMUP
    texts = text_queries(rng, words, total)

    def near() -> str:
        outcode = rng.choices(words.outcodes, weights=words.outcode_weights)[0]
        return outcode if rng.random() < 0.6 else random_postcode(rng, outcode)

    pairs = _distinct(lambda: f"{rng.choice(texts)}|{near()}", total)
    ages = [8, 12, 15, 17, 19, 22, 25, 30, 40, 55, 67, 80]

    def filters() -> str:
        return f"{rng.choice(words.codes)}|{rng.choice(NATIONS)}|{rng.choice(ages)}"

    combos = _distinct(filters, total)
    typos = misspelled_queries(rng, words, total)
    queries: dict[str, list[Query]] = {
        "text": [Query(q, SearchRequest(at=AT, q=q)) for q in texts],
        "text + near": [
            Query(f"{q} near {place}", SearchRequest(at=AT, q=q, near=place))
            for q, place in (pair.split("|") for pair in pairs)
        ],
        "filters + open_now": [
            Query(
                combo,
                SearchRequest(
                    at=AT,
                    filters={"issue": issue, "nation": nation, "age": int(age), "open_now": True},
                ),
            )
            for combo in combos
            for issue, nation, age in [combo.split("|")]
        ],
        "misspelled": [Query(q, SearchRequest(at=AT, q=q)) for q in typos],
    }
    return queries


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class ClassResult:
    name: str
    times_ms: list[float] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    raw_skipped: int = 0
    stopped: bool = False  # the time budget ran out before every query was measured


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): p99 of 500 values is the 6th slowest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def run_class(app: Flask, name: str, queries: list[Query], budget_s: float) -> ClassResult:
    """Warm up, then measure each query once; stop when the class's time budget is spent."""
    result = ClassResult(name)
    started = time.perf_counter()
    for query in queries[:WARMUP]:
        if time.perf_counter() - started > budget_s / 4:
            break
        _search(app, query)
    for query in queries[WARMUP:]:
        if time.perf_counter() - started > budget_s:
            result.stopped = True
            break
        elapsed, total, error = _search(app, query)
        if error is not None:
            if len(result.errors) < 5:
                result.errors.append(f"{query.label!r}: {error}")
            continue
        result.times_ms.append(elapsed * 1000)
        result.totals.append(total)
        if total == 0:
            result.empty.append(query.label)
    return result


def _search(app: Flask, query: Query) -> tuple[float, int, str | None]:
    """One search in its own app context and session, as a request would have."""
    with app.app_context():
        session = db.session
        places = gazetteer()
        started = time.perf_counter()
        try:
            found = search_services(session, query.request, places)
        except Exception as error:  # reported per class, not hidden
            return time.perf_counter() - started, 0, f"{type(error).__name__}: {error}"
        elapsed = time.perf_counter() - started
        return elapsed, found.total, None


def raw_statements(app: Flask, queries: list[Query]) -> tuple[str, list[str | None]]:
    """The raw full-text statement and, per query, its match string (None: no terms)."""
    with app.app_context():
        session = db.session
        dialect = session.get_bind().dialect.name
        vocabulary = load_vocabulary(session)
        matches: list[str | None] = []
        for query in queries:
            parsed = parse_query(query.request.q or "", vocabulary.synonyms, vocabulary.words)
            concepts = query_concepts(parsed, vocabulary.issue_phrases)
            if not concepts:
                matches.append(None)
            elif dialect == "sqlite":
                matches.append(fts5_match(concepts, parsed.prefix))
            else:
                matches.append(tsquery(concepts, parsed.prefix))
    if dialect == "sqlite":
        sql = (
            "SELECT rowid, bm25(service_fts, 10.0, 5.0, 1.0) FROM service_fts "
            "WHERE service_fts MATCH :q ORDER BY 2 LIMIT 20"
        )
    else:
        sql = (
            "SELECT id, ts_rank_cd(document, query) AS rank "
            "FROM search_document, to_tsquery('english', :q) AS query "
            "WHERE document @@ query ORDER BY rank DESC LIMIT 20"
        )
    return sql, matches


def run_raw(app: Flask, result: ClassResult, queries: list[Query]) -> None:
    sql, matches = raw_statements(app, queries)
    statement = text(sql)
    with app.app_context():
        session = db.session
        for match in matches[:WARMUP]:
            if match is not None:
                session.execute(statement, {"q": match}).all()
        session.rollback()
        for match in matches[WARMUP:]:
            if match is None:
                result.raw_skipped += 1
                continue
            started = time.perf_counter()
            session.execute(statement, {"q": match}).all()
            result.raw_ms.append((time.perf_counter() - started) * 1000)
            session.rollback()  # end the read transaction, as a request would


def profile_class(app: Flask, name: str, queries: list[Query], count: int) -> str:
    """cProfile of `count` searches of a class: the top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries[WARMUP : WARMUP + count]:
        _search(app, query)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# --- databases ---------------------------------------------------------------------------------


def _postgres_url(base: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={SCHEMA}')}"


def make_app(database_url: str | None, workdir: Path, size: int) -> Flask:
    """A migrated, empty database for one size, and an app on it."""
    if database_url is None:
        url = f"sqlite:///{workdir / f'bench-{size}.db'}"
    else:
        url = _postgres_url(database_url)
    # No rate limits: the benchmark is one client sending hundreds of requests a minute.
    app = create_app({"SQLALCHEMY_DATABASE_URL": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if database_url is not None:
            with db.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        upgrade_database(db.engine)
    return app


@dataclass
class SizeResult:
    size: int
    backend: str
    generate_s: float
    build_s: float
    vocabulary_ms: float
    classes: dict[str, ClassResult]


def run_size(args: argparse.Namespace, workdir: Path, size: int) -> SizeResult:
    app = make_app(args.database_url, workdir, size)
    with app.app_context():
        session = db.session
        backend = session.get_bind().dialect.name
        if backend == "sqlite" and args.no_analyze:
            backend = "sqlite-no-stats"
        seed_database(session, load_seed_bundle(app.config["SEED_DIR"], demo=False))
        started = time.perf_counter()
        synthetic.generate(session, size, seed=args.seed)
        generate_s = time.perf_counter() - started
        print(f"\n[{backend} {size:,}] generated in {generate_s:.1f} s", flush=True)

        started = time.perf_counter()
        reindex_all(session)
        session.commit()
        build_s = time.perf_counter() - started
        print(f"[{backend} {size:,}] index build (reindex_all + commit): {build_s:.2f} s")
        if not args.no_analyze or backend == "postgresql":
            # As the app does after a bulk change (`signpost reindex`, seed, imports); on
            # PostgreSQL autovacuum would soon do it anyway, so it runs there either way.
            started = time.perf_counter()
            commit_bulk_change(session)
            analyze_s = time.perf_counter() - started
            print(
                f"[{backend} {size:,}] commit_bulk_change() after the build (not in it): "
                f"{analyze_s:.2f} s"
            )
        forget_vocabulary()  # one URL can serve several sizes (PostgreSQL)
        started = time.perf_counter()
        build_vocabulary(session)
        vocabulary_ms = (time.perf_counter() - started) * 1000
        print(f"[{backend} {size:,}] vocabulary build (every 60 s per process): ", end="")
        print(f"{vocabulary_ms:.0f} ms")
        words = load_words(session)
        session.rollback()
    queries = build_queries(words, args.queries, seed=args.seed + size)

    results: dict[str, ClassResult] = {}
    for name in CLASSES:
        result = run_class(app, name, queries[name], args.class_budget)
        results[name] = result
        _print_class(result)
        if name in RAW_CLASSES:
            run_raw(app, result, queries[name])
            _print_raw(result)
    if args.profile:
        for name in args.profile:
            print(f"\n--- profile: {name}, {args.profile_queries} queries at {size:,} ---")
            print(profile_class(app, name, queries[name], args.profile_queries))
    with app.app_context():
        db.engine.dispose()
    return SizeResult(size, backend, generate_s, build_s, vocabulary_ms, results)


def _print_class(result: ClassResult) -> None:
    times = result.times_ms
    totals = sorted(result.totals)
    print(
        f"  {result.name:<20} n={len(times):4d}{'*' if result.stopped else ' '} "
        f"p50 {percentile(times, 50):7.1f} ms  "
        f"p95 {percentile(times, 95):7.1f} ms  p99 {percentile(times, 99):7.1f} ms  "
        f"max {max(times, default=float('nan')):7.1f} ms  "
        f"results median {statistics.median(totals) if totals else 0:.0f}, "
        f"max {totals[-1] if totals else 0}, empty {len(result.empty)}",
        flush=True,
    )
    if result.stopped:
        print("    * time budget spent: stopped before measuring every query")
    if result.empty:
        print(f"    empty results for: {', '.join(repr(q) for q in result.empty[:12])}")
    for error in result.errors:
        print(f"    error: {error}")


def _print_raw(result: ClassResult) -> None:
    raw = result.raw_ms
    ours = percentile(result.times_ms, 50)
    print(
        f"  {'raw FTS (' + result.name + ')':<20} n={len(raw):4d}  "
        f"p50 {percentile(raw, 50):7.2f} ms  p95 {percentile(raw, 95):7.2f} ms  "
        f"ratio p50 {ours / percentile(raw, 50):5.1f}x  (no terms: {result.raw_skipped})",
        flush=True,
    )


def table(results: list[SizeResult]) -> str:
    lines = [
        "| backend | size | build s | class | n | p50 ms | p95 ms | p99 ms | raw p50 ms | ratio |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for name, result in size.classes.items():
            p50 = percentile(result.times_ms, 50)
            raw = f"{percentile(result.raw_ms, 50):.2f}" if result.raw_ms else "–"
            ratio = f"{p50 / percentile(result.raw_ms, 50):.1f}×" if result.raw_ms else "–"
            lines.append(
                f"| {size.backend} | {size.size:,} | {size.build_s:.1f} | {name} | "
                f"{len(result.times_ms)}{'*' if result.stopped else ''} | {p50:.1f} | "
                f"{percentile(result.times_ms, 95):.1f} | {percentile(result.times_ms, 99):.1f} | "
                f"{raw} | {ratio} |"
            )
    return "\n".join(lines)


def verdicts(results: list[SizeResult]) -> list[str]:
    lines = []
    for size in results:
        if size.size != TARGET_SIZE:
            continue
        ok = size.build_s <= TARGET_BUILD_S
        lines.append(
            f"{'PASS' if ok else 'FAIL'} build {size.build_s:.1f} s <= {TARGET_BUILD_S:.0f} s"
        )
        for name, result in size.classes.items():
            p95 = percentile(result.times_ms, 95)
            ok = p95 <= TARGET_P95_MS and len(result.times_ms) > 0
            lines.append(f"{'PASS' if ok else 'FAIL'} {name}: p95 {p95:.1f} ms <= 25 ms")
            if result.raw_ms:
                ratio = percentile(result.times_ms, 50) / percentile(result.raw_ms, 50)
                ok = ratio <= TARGET_RATIO
                lines.append(f"{'PASS' if ok else 'FAIL'} {name}: p50 {ratio:.1f}x raw <= 3x")
    return lines


def code_fingerprint() -> str:
    """A short digest and the newest change time of the code a run measures, so that a table
    can be matched to the code it came from while that code is being worked on."""
    root = Path(__file__).resolve().parent.parent
    files = sorted(
        path
        for pattern in FINGERPRINT_GLOBS
        for path in root.glob(pattern)
        if "__pycache__" not in path.parts
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    newest = max((path.stat().st_mtime for path in files), default=0.0)
    changed = datetime.fromtimestamp(newest, tz=ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    return f"search code {digest.hexdigest()[:12]} (newest file {changed} UTC)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--queries", type=int, default=500, help="measured queries per class")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--class-budget",
        type=float,
        default=60.0,
        help="seconds per class and size, warm-up included; then it stops (default 60)",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="SQLite: skip the app's ANALYZE after the build, to see plans without statistics",
    )
    parser.add_argument("--analyze", action="store_true", help=argparse.SUPPRESS)  # the default
    parser.add_argument(
        "--profile", nargs="*", choices=CLASSES, help="also cProfile these classes afterwards"
    )
    parser.add_argument("--profile-queries", type=int, default=100)
    args = parser.parse_args(argv)

    fingerprint = code_fingerprint()  # read as the modules were imported, before any work
    print(fingerprint)
    workdir = Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    results = []
    started = time.perf_counter()
    try:
        for size in args.sizes:
            results.append(run_size(args, workdir, size))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nat = {AT.isoformat()}, {args.queries} measured queries per class, ", end="")
    print(f"{WARMUP} warm-up; total run {time.perf_counter() - started:.0f} s")
    print(f"{fingerprint}\n")
    print(table(results))
    checks = verdicts(results)
    if checks:
        print("\nTargets at 50,000 services:")
        print("\n".join(f"  {line}" for line in checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
