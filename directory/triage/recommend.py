"""From an assessment to recommendations: eligible services, the channel to use, reasons.

Eligibility (age, nation, area, commissioning, channel, hours at levels 0-1) applies to every
service except 999 and Samaritans (triage.md rule 6); a service left out is listed in
`excluded` with the reason. Reasons and caveats are plain sentences a person can check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from threading import Lock
from typing import Any

from sqlalchemy import Select, String, bindparam, not_, select
from sqlalchemy.orm import Session

from directory.geo import Place, in_areas
from directory.hours import OpenStatus, to_london
from directory.models import Channel, SearchDocument, Service
from directory.safety import NATION_NAMES
from directory.search.availability import channel_status, service_status, visible_channels
from directory.search.filters import (
    ServiceFilters,
    among,
    among_value,
    document_conditions,
    filter_shape,
    filter_values,
    issue_copy_clause,
    narrower,
)
from directory.search.service import nearby_services, shown_distance_km
from directory.search.snapshots import load_services
from directory.triage.engine import TIER_OTHER, Answers, Assessment, Route

NEVER_FILTERED = ("emergency-services", "samaritans")  # triage.md rule 6
MAX_RECOMMENDATIONS = 12
MAX_EXTRA_CANDIDATES = 20
MAX_LOCAL_CANDIDATES = 10  # of the extra ones: the rest are national
# Triage offers the nearest few local services; 10 km keeps them walkable or a short bus ride.
LOCAL_RADIUS_KM = 10.0
DEFAULT_CHANNEL_ORDER = (
    "phone", "text", "web_chat", "in_person", "video", "online_community", "email", "website",
    "app",
)  # fmt: skip


@dataclass(frozen=True)
class Recommendation:
    service: Service
    channel: Channel | None
    reasons: tuple[str, ...]
    caveats: tuple[str, ...]
    status: OpenStatus | None
    distance_km: float | None


@dataclass(frozen=True)
class Exclusion:
    service: Service
    reasons: tuple[str, ...]


def recommend(
    session: Session,
    assessment: Assessment,
    answers: Answers,
    place: Place | None,
    at: datetime,
    issue_names: dict[str, str],
) -> tuple[list[Recommendation], list[Exclusion]]:
    """Gather candidate services, keep the eligible ones with a channel and reasons, rank them.

    Preferred channels narrow the list; when they would leave nothing, they become a caveat
    instead (an empty answer helps nobody). Not being able to use the phone always holds.
    """
    recommended, excluded = _recommend(session, assessment, answers, place, at, issue_names)
    if not recommended and answers.preferred_channels:
        relaxed = replace(answers, preferred_channels=())
        recommended, _ = _recommend(session, assessment, relaxed, place, at, issue_names)
        recommended = [
            replace(r, caveats=(*r.caveats, _preference_caveat(r.channel, answers)))
            for r in recommended
        ]
    return recommended, excluded


def _preference_caveat(channel: Channel | None, answers: Answers) -> str:
    ways = ", ".join(c.replace("_", " ") for c in answers.preferred_channels)
    how = f"; contact by {channel.type.replace('_', ' ')}" if channel is not None else ""
    return f"Not available the way you preferred ({ways}){how}"


def _recommend(
    session: Session,
    assessment: Assessment,
    answers: Answers,
    place: Place | None,
    at: datetime,
    issue_names: dict[str, str],
) -> tuple[list[Recommendation], list[Exclusion]]:
    level = assessment.urgency.level
    routes = {route.slug: route for route in assessment.routes}
    services = _by_slug(session, list(routes))
    distances = nearby_services(session, place, LOCAL_RADIUS_KM) if place else {}
    known = {service.id for service in services.values()}
    for service in _extra_candidates(session, answers, level, distances, known):
        services[service.slug] = service
        routes.setdefault(service.slug, Route(service.slug, TIER_OTHER, len(routes), ("match",)))

    recommended: list[tuple[tuple[Any, ...], Recommendation]] = []
    excluded: list[Exclusion] = []
    for slug, service in services.items():
        route = routes[slug]
        km = distances.get(service.id)
        problems = [] if slug in NEVER_FILTERED else ineligible(service, answers, place, km)
        channel = choose_channel(service, answers, at, level)
        if channel is None and slug not in NEVER_FILTERED:
            problems.append(_no_channel_reason(answers))
        # Hours of the way they will actually get in touch, not of any channel at all.
        status = (
            channel_status(channel, service, at, answers.nation)
            if channel is not None
            else service_status(service, at, answers.nation)
        )
        if level <= 1 and status is not None and not status.open_now and slug not in NEVER_FILTERED:
            problems.append(f"Closed now{_opens(status)}")
        if problems:
            excluded.append(Exclusion(service, tuple(problems)))
            continue
        reasons = explain(service, route, status, channel, km, answers, issue_names)
        caveats = caveats_for(service, channel, answers, place)
        key = _rank_key(route, status, km, level, service)
        recommended.append((key, Recommendation(service, channel, reasons, caveats, status, km)))
    recommended.sort(key=lambda pair: pair[0])
    excluded.sort(key=lambda e: e.service.name)
    return [r for _, r in recommended[:MAX_RECOMMENDATIONS]], excluded


def _by_slug(session: Session, slugs: list[str]) -> dict[str, Service]:
    dialect = session.get_bind().dialect.name
    ids = (
        session.connection()
        .execute(_by_slug_statement(dialect), {"slugs": among_value(slugs, dialect)})
        .all()
    )
    # With their revisions, the cached ones need no further query (snapshots.py).
    revisions = {service_id: revision for _, service_id, revision in ids if revision}
    loaded = load_services(session, [service_id for _, service_id, _ in ids], revisions)
    found = {slug: loaded[service_id] for slug, service_id, _ in ids if service_id in loaded}
    return {slug: found[slug] for slug in slugs if slug in found}


@lru_cache(maxsize=4)
def _by_slug_statement(dialect: str) -> Select[Any]:
    """The routes' services, their ids and revisions by slug: built once, the slugs one
    parameter (filters.among), so the database prepares it once, whatever the routes. Built
    per triage through the ORM, with a placeholder per slug, a triage took 8.1 ms of client
    CPU, 7.0-7.6 this way (in process, 50,000 services, PostgreSQL)."""
    service = Service.__table__.c
    return (
        select(service.slug, service.id, SearchDocument.revision)
        .outerjoin(SearchDocument, SearchDocument.service_id == service.id)
        .where(among(service.slug, "slugs", dialect, String), service.status == "active")
    )


def _extra_candidates(
    session: Session, answers: Answers, level: int, distances: dict[str, float], known: set[str]
) -> list[Service]:
    """Beyond the routes: services for the person's issues, and local ones near them."""
    if level <= 1 or not (answers.issues or distances):
        return []
    dialect = session.get_bind().dialect.name
    filters = ServiceFilters(at=datetime.min, nation=answers.nation, age=answers.age)
    local, national = _extra_statements(session, dialect, filters, list(answers.issues))
    params: dict[str, Any] = {
        **filter_values(filters),
        "known": among_value(sorted(known), dialect),
    }
    chosen: list[str] = []
    revisions: dict[str, str] = {}  # so that cached services need no further query
    if distances:
        # Local services where the person is, nearest first.
        near = among_value(list(distances), dialect)
        revisions.update(session.execute(local, {**params, "near_services": near}).all())
        chosen = sorted(revisions, key=lambda i: (distances[i], i))[:MAX_LOCAL_CANDIDATES]
    if answers.issues:
        # National ones (wherever they cover) only for the issues the person named, the most
        # recently checked first: the level's routes already cover the general ones. Chosen
        # in SQL, so thousands of them cost no more than a few.
        room = {"chosen": among_value(chosen, dialect), "room": MAX_EXTRA_CANDIDATES - len(chosen)}
        found = session.execute(national, {**params, **room}).all()
        revisions.update(found)
        chosen += [service_id for service_id, _ in found]
    loaded = load_services(session, chosen, revisions)
    return [loaded[service_id] for service_id in chosen if service_id in loaded]


def _extra_statements(
    session: Session, dialect: str, filters: ServiceFilters, issues: list[str]
) -> tuple[Select[Any], Select[Any]]:
    """The queries for local and for national extra candidates: built once per shape (the
    filters set, the issues and their narrower terms), the values and ids as parameters
    (known, near_services, chosen, room). Built for every triage, they cost about half a
    millisecond of a 4.5 ms triage (in process, 50,000 services)."""
    key = (dialect, filter_shape(filters), tuple(narrower(session, issues)))
    with _extra_lock:
        kept = _extra_kept.get(key)
    if kept is not None:
        return kept
    d = SearchDocument
    # Both queries pick their rows by other means (a list of ids, the index of national
    # services by freshness): the issue is checked on each row's own copy.
    eligible = select(d.service_id, d.revision).where(
        not_(among(d.service_id, "known", dialect, String)),
        *document_conditions(session, filters),
    )
    if issues:
        eligible = eligible.where(issue_copy_clause(session, issues))
    # The nearby ids as one parameter (filters.among): hundreds of them near a city.
    local = eligible.where(among(d.service_id, "near_services", dialect, String))
    national = (
        eligible.where(
            d.coverage_scope == "national", not_(among(d.service_id, "chosen", dialect, String))
        )
        .order_by(d.last_verified_at.desc().nulls_last(), d.name, d.service_id)
        .limit(bindparam("room"))
    )
    with _extra_lock:
        if len(_extra_kept) >= MAX_KEPT_STATEMENTS:
            _extra_kept.clear()
        _extra_kept[key] = (local, national)
    return local, national


MAX_KEPT_STATEMENTS = 256
_extra_kept: dict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = {}
_extra_lock = Lock()


def ineligible(
    service: Service, answers: Answers, place: Place | None, km: float | None
) -> list[str]:
    """Why this person cannot use this service (empty when they can)."""
    problems = []
    rules = service.eligibility
    if rules is not None and answers.age is not None:
        if rules.min_age is not None and answers.age < rules.min_age:
            problems.append(f"For ages {rules.min_age} and over")
        if rules.max_age is not None and answers.age > rules.max_age:
            problems.append(f"For people aged {rules.max_age} and under")
    if answers.nation and answers.nation not in service.nations:
        problems.append(f"Not available in {NATION_NAMES[answers.nation]}")
    coverage = service.coverage
    if place is not None and coverage is not None and coverage.scope != "national":
        located = bool(service.location_links)
        if coverage.scope == "commissioned" and not located and not in_areas(place, coverage.areas):
            problems.append("Only where commissioned, and not in your area")
        elif located and km is None:
            problems.append("Not in your area")
    return problems


def choose_channel(service: Service, answers: Answers, at: datetime, level: int) -> Channel | None:
    """The channel to use first: preferred types in order, never the phone for someone who
    cannot use one (a textphone is fine), open ones first."""
    channels = visible_channels(service, answers.nation)
    if answers.cannot_use_phone:
        channels = [c for c in channels if c.type != "phone" or c.textphone]
    order = list(answers.preferred_channels) or list(DEFAULT_CHANNEL_ORDER)
    if answers.cannot_use_phone and not answers.preferred_channels:
        order = [t for t in order if t != "phone"] + ["phone"]
    usable = [c for c in channels if c.type in order]
    if not usable and answers.preferred_channels and service.slug in NEVER_FILTERED:
        usable = channels  # 999 and Samaritans are offered whatever the preference
    if not usable:
        return None

    def key(channel: Channel) -> tuple[int, int, int, int]:
        status = channel_status(channel, service, at, answers.nation)
        closed = 0 if status is None or status.open_now else 1
        return (order.index(channel.type) if channel.type in order else 99, closed,
                int(channel.textphone), channel.position)  # fmt: skip

    return min(usable, key=key)


def explain(
    service: Service,
    route: Route,
    status: OpenStatus | None,
    channel: Channel | None,
    km: float | None,
    answers: Answers,
    issue_names: dict[str, str],
) -> tuple[str, ...]:
    """Human-readable reasons for recommending this service (always at least one)."""
    reasons = []
    routed_issues = [r.removeprefix("issue:") for r in route.reasons if r.startswith("issue:")]
    if service.slug == "emergency-services":
        reasons.append("If you or someone else is in danger now, call 999 or go to A&E")
    if "someone_else" in route.reasons:
        reasons.append("Takes calls from people worried about someone else")
    if service.kind == "nhs_service" and service.is_crisis_service:
        nations = ", ".join(NATION_NAMES[n] for n in service.nations)
        reasons.append(f"The NHS urgent mental health line for {nations}")
    if service.kind == "nhs_service" and not service.is_crisis_service:
        reasons.append("An NHS service")
    matched = [issue_names.get(code, code) for code in routed_issues]
    matched += [
        issue_names[t.code]
        for t in service.issues
        if t.code in answers.issues and issue_names[t.code] not in matched
    ]
    if matched:
        reasons.append(f"Helps with {', '.join(matched).lower()}")
    reasons.append(_availability(status))
    if channel is not None and channel.free_to_contact:
        reasons.append("Free to contact")
    elif service.cost == "free":
        reasons.append("Free")
    if service.self_referral and service.slug != "emergency-services":
        reasons.append("You can refer yourself")
    if km is not None:
        reasons.append(f"{shown_distance_km(service, km):g} km away")
    return tuple(r for r in reasons if r)


def caveats_for(
    service: Service, channel: Channel | None, answers: Answers, place: Place | None
) -> tuple[str, ...]:
    """What to know before relying on this service."""
    caveats = []
    if not service.is_crisis_service:
        caveats.append("Not a crisis service")
    if service.demo:
        caveats.append("Demo listing: not a real service")
    if service.verification == "secondary":
        caveats.append("Some details come from a secondary source and are being checked")
    if service.coverage is not None and service.coverage.scope == "commissioned" and place is None:
        caveats.append("Only available where commissioned: check it covers your area")
    if service.eligibility is not None and service.eligibility.genders:
        caveats.append(f"For {' and '.join(service.eligibility.genders)} people only")
    if (
        channel is not None
        and answers.preferred_channels
        and channel.type not in answers.preferred_channels
    ):
        caveats.append(_preference_caveat(channel, answers))
    return tuple(caveats)


def _availability(status: OpenStatus | None) -> str:
    if status is None:
        return ""
    if status.open_now and status.closes_at is None:
        return "Open now, 24 hours a day"
    if status.open_now and status.closes_at is not None:
        return f"Open now until {to_london(status.closes_at):%H:%M}"
    return f"Closed now{_opens(status)}"


def _opens(status: OpenStatus) -> str:
    if status.next_open is None:
        return ""
    return f"; opens {to_london(status.next_open):%a %d %b %H:%M}"


def _no_channel_reason(answers: Answers) -> str:
    if answers.preferred_channels:
        ways = ", ".join(c.replace("_", " ") for c in answers.preferred_channels)
        return f"Cannot be contacted the way you preferred ({ways})"
    return "Cannot be contacted without a phone call"


def _rank_key(
    route: Route, status: OpenStatus | None, km: float | None, level: int, service: Service
) -> tuple[Any, ...]:
    # At levels 0-2 what is open now comes first, round-the-clock first (triage.md rule 7).
    if level <= 2:
        if status is None:
            open_rank = 2
        elif status.open_now:
            open_rank = 0 if status.closes_at is None else 1
        else:
            open_rank = 3
    else:
        open_rank = 0
    return (route.tier, open_rank, km or 0.0, route.position, service.name, service.id)
