"""Ordering search results: a deterministic blend of relevance, distance, open-now and freshness.

Pure: plain numbers in, a score out. The weights say what matters most to someone looking for
help: that the service is about their need, then that it is near (or reachable from anywhere),
then that it is open now, then that its details were checked recently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date
from typing import NamedTuple

TEXT_WEIGHT = 0.55
PLACE_WEIGHT = 0.25
OPEN_WEIGHT = 0.15
FRESH_WEIGHT = 0.05

# A national or remote service is "as near as" a local one this many km away.
REMOTE_EQUIVALENT_KM = 10.0
DISTANCE_HALF_SCORE_KM = 5.0
# Details checked longer ago than this are stale (SIGNPOST_STALE_DAYS; this is its default).
FRESH_DAYS = 180

# The configured number of days, set for each request (and by commands) from the app's
# STALE_DAYS, so that ranking, responses and the feed all draw the line in the same place.
_stale_days: ContextVar[int] = ContextVar("signpost_stale_days", default=FRESH_DAYS)


def stale_days() -> int:
    """The number of days after which a service's details count as stale."""
    return _stale_days.get()


def use_stale_days(days: int) -> Token[int]:
    """Draw the stale line at `days` until reset_stale_days(token) (the end of a request)."""
    return _stale_days.set(days)


def reset_stale_days(token: Token[int]) -> None:
    """Put back the stale line as it was before use_stale_days."""
    _stale_days.reset(token)


@contextmanager
def stale_after(days: int) -> Iterator[None]:
    """Draw the stale line at `days` inside the block only."""
    token = _stale_days.set(days)
    try:
        yield
    finally:
        _stale_days.reset(token)


def is_stale(last_verified_at: date | None, today: date, days: int | None = None) -> bool:
    """Whether the details were last checked more than `days` ago (or never)."""
    if last_verified_at is None:
        return True
    return (today - last_verified_at).days > (stale_days() if days is None else days)


class Candidate(NamedTuple):
    """One service in the running (a named tuple: search makes hundreds per query)."""

    service_id: str
    name: str
    relevance: float  # >= 0, larger is better; 0 when there is no text query
    distance_km: float | None  # None: national or remote, or no place given
    open_now: bool | None  # None: hours unknown
    last_verified_at: date | None


def proximity(distance_km: float | None, has_place: bool) -> float:
    """1 at the door, 0.5 at 5 km, falling with distance; remote services count as 10 km."""
    if not has_place:
        return 0.0
    km = REMOTE_EQUIVALENT_KM if distance_km is None else distance_km
    return 1.0 / (1.0 + km / DISTANCE_HALF_SCORE_KM)


def freshness(last_verified_at: date | None, today: date, days: int | None = None) -> float:
    """1 while fresh; once stale at most 0.5, falling to 0 over as many days again.

    The step makes a stale listing rank clearly below an otherwise-equal fresh one, however
    short the configured stale period is.
    """
    days = stale_days() if days is None else days
    if last_verified_at is None:
        return 0.0
    if not is_stale(last_verified_at, today, days):
        return 1.0
    overdue = (today - last_verified_at).days - days
    return 0.5 * max(0.0, 1.0 - overdue / max(days, 1))


def score(
    candidate: Candidate,
    *,
    top_relevance: float,
    has_place: bool,
    today: date,
    fresh: float | None = None,
) -> float:
    """Blend the four signals into one score in [0, 1]; `fresh`: the candidate's freshness,
    if already known."""
    text = candidate.relevance / top_relevance if top_relevance > 0 else 0.0
    open_score = {True: 1.0, None: 0.3, False: 0.0}[candidate.open_now]
    if fresh is None:
        fresh = freshness(candidate.last_verified_at, today)
    return (
        TEXT_WEIGHT * text
        + PLACE_WEIGHT * proximity(candidate.distance_km, has_place)
        + OPEN_WEIGHT * open_score
        + FRESH_WEIGHT * fresh
    )


def rank(
    candidates: list[Candidate], *, has_place: bool, today: date
) -> list[tuple[Candidate, float]]:
    """Candidates with their scores, best first; ties broken by name then id, so stable."""
    top = max((c.relevance for c in candidates), default=0.0)
    # Freshness once per date: hundreds of candidates share a few hundred dates.
    days = stale_days()
    fresh = {d: freshness(d, today, days) for d in {c.last_verified_at for c in candidates}}
    scored = [
        (
            c,
            round(
                score(
                    c,
                    top_relevance=top,
                    has_place=has_place,
                    today=today,
                    fresh=fresh[c.last_verified_at],
                ),
                6,
            ),
        )
        for c in candidates
    ]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].name, pair[0].service_id))
