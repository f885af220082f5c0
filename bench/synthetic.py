"""Synthetic local services for the search benchmark: realistic shape, fictional content.

`generate(session, n)` adds n services spread over the real postcode districts of
seed_data/geo/outcodes.csv (weighted so that cities get more), with the rows a real listing
has: organization, issues, channels, hours, eligibility, coverage and a location. Rows go in
with bulk Core inserts (no ORM objects), so no search documents are built here: the benchmark
times `reindex_all` separately.

Every name is invented from word lists; phone numbers are from Ofcom's drama ranges, web
addresses use example.org. The taxonomy must already be seeded (seed_database).
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from directory.config import PROJECT_ROOT
from directory.models import (
    ISSUES_TAXONOMY,
    NATIONS,
    Channel,
    Coverage,
    CoverageNation,
    Eligibility,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    new_id,
    service_taxonomy_term,
)

GEO_DIR = PROJECT_ROOT / "seed_data" / "geo"
CHUNK = 5_000
SERVICES_PER_ORGANIZATION = 3
INCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in inward codes

# --- word lists --------------------------------------------------------------------------------

PLACE_WORDS = """Riverside Oakfield Northgate Southside Eastbrook Westfield Hillside Meadowbank
Greenway Brookside Parkview Millbrook Ashgrove Beechwood Elmhurst Kingsway Queensway Harbour
Canalside Valley Moorland Castlegate Abbey Bridgend Highfield Lowfield Woodlands Fairfield
Springwell Stonebridge Church Market Station Heathside Larkhill Willowbank Fernhill Rosebank
Thornbury Cedar Maple Hawthorn Rowan Heather Bluebell Orchard Quayside Seaview Lakeside
Greenfields Newlands Southfields Northfield Redbrook Blackwater Silverdale Clearwater""".split()

# (words for names, words for descriptions) per issue code; codes not listed use the label.
ISSUE_NAME_WORDS: dict[str, list[str]] = {
    "suicidal-thoughts": ["Suicide Prevention", "Crisis", "Safe Haven", "Hope"],
    "self-harm": ["Self-Harm", "Self Injury", "Safe Coping"],
    "depression": ["Depression", "Low Mood", "Brighter Days", "Mood"],
    "anxiety": ["Anxiety", "Worry", "Calm Minds", "Social Anxiety"],
    "panic": ["Panic", "Panic Attack"],
    "ocd": ["OCD", "Intrusive Thoughts"],
    "ptsd-trauma": ["Trauma", "PTSD", "Trauma Recovery"],
    "eating-disorders": ["Eating Disorder", "Eating Disorders", "Anorexia and Bulimia"],
    "body-image": ["Body Image", "Body Confidence"],
    "bereavement": ["Bereavement", "Grief", "Loss", "Bereaved Families"],
    "psychosis": ["Psychosis", "Hearing Voices", "Early Intervention"],
    "bipolar": ["Bipolar", "Mood Swings"],
    "severe-mental-illness": ["Serious Mental Illness", "Recovery", "Community Mental Health"],
    "stress": ["Stress", "Burnout", "Wellbeing at Work"],
    "loneliness": ["Loneliness", "Befriending", "Friendship", "Social Connection"],
    "relationships": ["Relationship", "Family", "Couples"],
    "domestic-abuse": ["Domestic Abuse", "Safe Homes", "Freedom"],
    "sexual-abuse": ["Rape Crisis", "Sexual Violence", "Survivors"],
    "drugs": ["Drug", "Recovery", "Substance Misuse"],
    "alcohol": ["Alcohol", "Recovery", "Sober"],
    "gambling": ["Gambling", "Problem Gambling"],
    "sexuality-gender-identity": ["LGBT+", "Rainbow", "Pride", "Trans"],
    "money-worries": ["Money Worries", "Debt", "Money and Mental Health"],
    "caring-for-someone": ["Carers", "Family Carers", "Young Carers"],
    "perinatal": ["Perinatal", "Postnatal", "New Parents", "Bump and Baby"],
    "young-people": ["Youth", "Young People's", "Teen", "Student"],
    "older-people": ["Older People's", "Silver", "Later Life"],
    "general-mental-health": ["Mental Health", "Wellbeing", "Mind", "Talking"],
}

# service kind -> (weight, name suffixes, channel types to pick from)
KINDS: dict[str, tuple[int, list[str], list[str]]] = {
    "peer_support_group": (
        22,
        ["Peer Group", "Peer Support Group", "Support Circle", "Drop-in", "Walk and Talk"],
        ["in_person", "phone", "email", "website"],
    ),
    "charity_service": (
        20,
        ["Project", "Service", "Hub", "Centre", "Network", "Café", "Crisis Café"],
        ["in_person", "phone", "email", "website"],
    ),
    "counselling": (
        16,
        ["Counselling", "Counselling Service", "Talking Therapies", "Therapy Service"],
        ["phone", "in_person", "video", "email", "website"],
    ),
    "nhs_service": (
        12,
        ["NHS Talking Therapies", "Community Team", "Clinic", "Crisis Team", "Service"],
        ["phone", "in_person", "website"],
    ),
    "helpline": (10, ["Helpline", "Listening Line", "Support Line"], ["phone", "email", "text"]),
    "text_line": (4, ["Text Line", "Text Support"], ["text", "website"]),
    "web_chat": (4, ["Web Chat", "Online Chat"], ["web_chat", "email", "website"]),
    "online_community": (4, ["Online Community", "Forum"], ["online_community", "app"]),
    "self_help": (6, ["Self-Help Course", "Workshops", "Library"], ["website", "app", "email"]),
    "emergency": (2, ["Crisis Line", "Safe Space"], ["phone", "in_person"]),
}

ORG_SUFFIXES = [
    "Mind",
    "Mental Health Association",
    "Wellbeing Trust",
    "Community Health Partnership",
    "Counselling Collective",
    "Recovery Network",
    "Family Support Charity",
    "Health and Care Partnership",
    "Listening Trust",
    "Foundation",
]

SENTENCE_OPENERS = [
    "{kind_lower} for {who} affected by {issue_lower} in {town}.",
    "Free, confidential {kind_lower} for {who} living with {issue_lower}.",
    "A friendly {kind_lower} where {who} can talk about {issue_lower} and {issue2_lower}.",
    "We support {who} in and around {town} with {issue_lower}.",
    "Local {kind_lower} run by {runner} for anyone struggling with {issue_lower}.",
    "Practical and emotional support for {who} dealing with {issue_lower}.",
]
SENTENCE_MIDDLES = [
    "Trained volunteers listen without judging and help you plan the next steps.",
    "No referral is needed: just come along or get in touch.",
    "Sessions are small, relaxed and led by people with lived experience.",
    "You can be referred by your GP, or refer yourself.",
    "We offer one-to-one sessions, group workshops and telephone check-ins.",
    "Our counsellors are accredited and sessions are free for people on low incomes.",
    "Meet others who understand, share coping strategies and build confidence.",
    "Support is available in English and Welsh, with interpreters on request.",
    "Tea, biscuits and a warm welcome; carers and family are welcome too.",
    "We can also help with housing, benefits and debt advice.",
]
SENTENCE_CLOSERS = [
    "If you are in immediate danger call 999.",
    "Not a crisis service: in an emergency call 999 or go to A&E.",
    "Wheelchair accessible, with a hearing loop.",
    "Evening and weekend sessions are available.",
    "Places are limited, so please call ahead.",
]
WHO = [
    "adults",
    "young people",
    "students",
    "women",
    "men",
    "families",
    "carers",
    "older people",
    "new parents",
    "veterans",
    "anyone",
    "LGBTQ+ people",
]
RUNNERS = ["local volunteers", "peer supporters", "trained counsellors", "the NHS", "a charity"]

AGE_BANDS: list[tuple[int | None, int | None, int]] = [
    (None, None, 50),
    (18, None, 20),
    (11, 18, 5),
    (16, 25, 6),
    (13, 19, 3),
    (None, 25, 4),
    (60, None, 5),
    (18, 65, 4),
    (5, 12, 3),
]

# Ofcom drama ranges: numbers reserved for fiction, which connect to no one.
PHONE_RANGES = [
    "0113 496 0{n:03d}",
    "0114 496 0{n:03d}",
    "0115 496 0{n:03d}",
    "0116 496 0{n:03d}",
    "0117 496 0{n:03d}",
    "0118 496 0{n:03d}",
    "0121 496 0{n:03d}",
    "0131 496 0{n:03d}",
    "0141 496 0{n:03d}",
    "0151 496 0{n:03d}",
    "0161 496 0{n:03d}",
    "020 7946 0{n:03d}",
    "0191 498 0{n:03d}",
    "028 9649 6{n:03d}",
    "029 2018 0{n:03d}",
    "01632 960{n:03d}",
    "0808 157 0{n:03d}",
]
MOBILE_RANGE = "07700 900{n:03d}"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- places ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcode:
    outcode: str
    latitude: float
    longitude: float
    nation: str
    weight: float


@dataclass(frozen=True)
class Geo:
    outcodes: list[Outcode]
    cumulative: list[float]
    town_of: dict[str, str]  # outcode -> nearest town of some size
    neighbours: dict[str, list[str]]  # outcode -> nearest other outcodes, nearest first


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _area(outcode: str) -> str:
    return "".join(ch for ch in outcode if ch.isalpha())[:2]


def _cell(lat: float, lon: float, size: float) -> tuple[int, int]:
    return int(math.floor(lat / size)), int(math.floor(lon / size))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def _nearest(
    grid: dict[tuple[int, int], list[Any]], size: float, lat: float, lon: float, count: int
) -> list[Any]:
    """The `count` nearest items (lat, lon, ...) of a grid, searching outwards ring by ring."""
    row, col = _cell(lat, lon, size)
    found: list[tuple[float, Any]] = []
    for ring in range(0, 8):  # bounded: 8 rings of 0.25 degrees reach every UK place
        for r in range(row - ring, row + ring + 1):
            for c in range(col - ring, col + ring + 1):
                if max(abs(r - row), abs(c - col)) != ring:
                    continue
                found += [(_km(lat, lon, item[0], item[1]), item) for item in grid.get((r, c), [])]
        if len(found) >= count and ring >= 1:
            break
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found[:count]]


@cache
def load_geo(geo_dir: Path = GEO_DIR) -> Geo:
    """Real outcodes with city-weighted sampling, their nearest towns and neighbours."""
    rows = _read_csv(geo_dir / "outcodes.csv")
    per_area: dict[str, int] = {}
    for row in rows:
        per_area[_area(row["outcode"])] = per_area.get(_area(row["outcode"]), 0) + 1
    outcodes = []
    for row in rows:
        postcodes = float(row.get("postcodes") or 0) or 100.0
        # Districts of big postcode areas (B, M, LS, G, ...) are city districts: weight them up.
        weight = postcodes * math.sqrt(per_area[_area(row["outcode"])])
        outcodes.append(
            Outcode(
                outcode=row["outcode"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                nation=row["nation"],
                weight=weight,
            )
        )
    cumulative: list[float] = []
    total = 0.0
    for outcode in outcodes:
        total += outcode.weight
        cumulative.append(total)

    size = 0.25
    towns: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for row in _read_csv(geo_dir / "towns.csv"):
        if int(row.get("population") or 0) >= 5_000:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            towns.setdefault(_cell(lat, lon, size), []).append((lat, lon, row["name"]))
    districts: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for o in outcodes:
        districts.setdefault(_cell(o.latitude, o.longitude, size), []).append(
            (o.latitude, o.longitude, o.outcode)
        )
    town_of = {}
    neighbours = {}
    for o in outcodes:
        nearest_town = _nearest(towns, size, o.latitude, o.longitude, 1)
        town_of[o.outcode] = nearest_town[0][2] if nearest_town else o.outcode
        near = _nearest(districts, size, o.latitude, o.longitude, 7)
        neighbours[o.outcode] = [item[2] for item in near if item[2] != o.outcode]
    return Geo(outcodes=outcodes, cumulative=cumulative, town_of=town_of, neighbours=neighbours)


def random_postcode(rng: random.Random, outcode: str) -> str:
    """A full postcode in the district: the real outcode with an invented inward code."""
    return f"{outcode} {rng.randint(0, 9)}{rng.choice(INCODE_LETTERS)}{rng.choice(INCODE_LETTERS)}"


# --- services ----------------------------------------------------------------------------------


def _issue_terms(session: Session) -> list[tuple[str, str, str, str | None]]:
    """(id, code, label, parent id) of every issue term, in taxonomy order."""
    rows = session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.parent_id)
        .join(Taxonomy)
        .where(Taxonomy.slug == ISSUES_TAXONOMY)
        .order_by(TaxonomyTerm.position)
    ).all()
    if not rows:
        raise RuntimeError("seed the taxonomy first: seed_database(session, load_seed_bundle(...))")
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def _weighted(rng: random.Random, items: list[tuple[Any, int]]) -> Any:
    return rng.choices([item for item, _ in items], weights=[w for _, w in items])[0]


def _schedule(rng: random.Random) -> dict[str, Any] | None:
    """Hours in the stored form: 20% 24/7, 60% weekly, 10% closed on bank holidays, 10% none."""
    roll = rng.random()
    if roll < 0.10:
        return None
    if roll < 0.30:
        return {"open_24_7": True, "bank_holidays": "normal", "rules": []}
    shape = rng.randrange(7)
    if shape == 0:  # office hours
        rules = [{"days": list(DAYS[:5]), "opens": "09:00", "closes": "17:00"}]
    elif shape == 1:  # office hours plus a late night
        late = rng.choice(DAYS[:5])
        rules = [
            {"days": [d for d in DAYS[:5] if d != late], "opens": "09:30", "closes": "16:30"},
            {"days": [late], "opens": "09:30", "closes": "20:00"},
        ]
    elif shape == 2:  # evenings, past midnight at the weekend (a crisis café)
        rules = [
            {"days": ["mon", "tue", "wed", "thu", "sun"], "opens": "18:00", "closes": "23:00"},
            {"days": ["fri", "sat"], "opens": "18:00", "closes": "02:00"},
        ]
    elif shape == 3:  # every night, past midnight (a listening line)
        opens = rng.choice(["19:00", "20:00", "22:00"])
        rules = [{"days": list(DAYS), "opens": opens, "closes": rng.choice(["02:00", "06:00"])}]
    elif shape == 4:  # one weekly group session
        start = rng.choice([10, 13, 18, 19])
        rules = [
            {
                "days": [rng.choice(DAYS)],
                "opens": f"{start:02d}:00",
                "closes": f"{start + 2:02d}:00",
            }
        ]
    elif shape == 5:  # a couple of sessions a week
        days = sorted(rng.sample(range(7), 2))
        rules = [
            {"days": [DAYS[days[0]]], "opens": "10:00", "closes": "12:30"},
            {"days": [DAYS[days[1]]], "opens": "18:30", "closes": "21:00"},
        ]
    else:  # daytime every day, shorter at weekends
        rules = [
            {"days": list(DAYS[:5]), "opens": "08:00", "closes": "20:00"},
            {"days": ["sat", "sun"], "opens": "10:00", "closes": "16:00"},
        ]
    closed = roll >= 0.90  # the last 10%: weekly rules, closed on bank holidays
    return {"open_24_7": False, "bank_holidays": "closed" if closed else "normal", "rules": rules}


def _channel_value(rng: random.Random, kind: str, slug: str, address: str) -> str:
    site = f"https://{slug}.example.org/"
    return {
        "phone": rng.choice(PHONE_RANGES).format(n=rng.randrange(1000)),
        "text": MOBILE_RANGE.format(n=rng.randrange(1000)),
        "email": f"hello@{slug}.example.org",
        "website": site,
        "web_chat": f"{site}chat",
        "online_community": f"{site}community",
        "app": f"{site}app",
        "video": f"{site}video",
        "in_person": address,
    }[kind]


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(session: Session, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    for chunk in _chunks(list(rows)):
        session.execute(insert(table), chunk)


def generate(session: Session, n: int, seed: int = 1) -> None:
    """Add n synthetic services (and their organizations, hours, places) and commit."""
    rng = random.Random(seed)
    geo = load_geo()
    terms = _issue_terms(session)
    term_ids = {code: term_id for term_id, code, _, _ in terms}
    labels = {code: label for _, code, label, _ in terms}
    codes = [code for _, code, _, _ in terms]
    kind_items = [(kind, spec[0]) for kind, spec in KINDS.items()]
    age_items = [((low, high), w) for low, high, w in AGE_BANDS]
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    run = f"{seed:x}{rng.randrange(16**6):06x}"  # keeps slugs unique across runs

    organizations: list[dict[str, Any]] = []
    rows: dict[str, list[dict[str, Any]]] = {
        "service": [],
        "channel": [],
        "schedule": [],
        "eligibility": [],
        "coverage": [],
        "coverage_nation": [],
        "location": [],
        "service_at_location": [],
        "issue": [],
    }
    org_pool: list[tuple[str, str]] = []  # (id, name)
    for index in range(n):
        home = rng.choices(geo.outcodes, cum_weights=geo.cumulative)[0]
        town = geo.town_of[home.outcode]
        if not org_pool or rng.random() < 1 / SERVICES_PER_ORGANIZATION:
            org_id = new_id()
            org_name = f"{rng.choice([town, rng.choice(PLACE_WORDS)])} {rng.choice(ORG_SUFFIXES)}"
            organizations.append(
                {
                    "id": org_id,
                    "slug": f"bench-org-{run}-{len(organizations)}",
                    "name": org_name,
                    "description": f"Local mental-health charity for {town}.",
                    "website": None,
                    "email": None,
                    "charity_number": None,
                    "demo": False,
                }
            )
            org_pool.append((org_id, org_name))
        org_id, org_name = org_pool[-1] if rng.random() < 0.7 else rng.choice(org_pool)

        service_id = new_id()
        slug = f"bench-{run}-{index}"
        kind = _weighted(rng, kind_items)
        _, suffixes, channel_kinds = KINDS[kind]
        issues = rng.sample(codes, rng.choice((1, 1, 2, 2, 3)))
        main = issues[0]
        issue_word = rng.choice(ISSUE_NAME_WORDS.get(main, [labels[main]]))
        place_word = town if rng.random() < 0.35 else rng.choice(PLACE_WORDS)
        name = f"{place_word} {issue_word} {rng.choice(suffixes)}"
        if len(issues) > 1:
            issue2 = labels[issues[1]]
        else:  # one issue: name it a second way ("grief" after "bereavement and grief")
            others = [w for w in ISSUE_NAME_WORDS[main] if w.lower() not in labels[main].lower()]
            issue2 = rng.choice(others or ["wellbeing"])
        words = {
            "kind_lower": rng.choice(suffixes).lower(),
            "who": rng.choice(WHO),
            "issue_lower": labels[main].lower(),
            "issue2_lower": issue2.lower(),
            "town": town,
            "runner": rng.choice(RUNNERS),
        }
        sentences = [rng.choice(SENTENCE_OPENERS).format(**words)]
        sentences += rng.sample(SENTENCE_MIDDLES, rng.choice((0, 1, 1, 2)))
        if rng.random() < 0.4 and len(sentences) < 3:
            sentences.append(rng.choice(SENTENCE_CLOSERS))
        description = " ".join(sentences)
        description = description[0].upper() + description[1:]
        cost = _weighted(rng, [("free", 70), ("low", 10), ("paid", 8), ("unknown", 12)])
        rows["service"].append(
            {
                "id": service_id,
                "slug": slug,
                "organization_id": org_id,
                "name": name,
                "description": description,
                "url": f"https://{slug}.example.org/",
                "status": "active",
                "kind": kind,
                "is_crisis_service": kind == "emergency" or main == "suicidal-thoughts",
                "referral": ["self"] if rng.random() < 0.8 else ["gp", "professional"],
                "self_referral": True,
                "cost": cost,
                "cost_text": None,
                "wait_time": None,
                "languages": ["en"] if rng.random() < 0.9 else ["en", rng.choice(["cy", "pl"])],
                "accessibility": [],
                "source_url": f"https://{slug}.example.org/",
                "last_verified_at": date(2026, 11, 20) - timedelta(days=rng.randrange(400)),
                "verification": "verified" if rng.random() < 0.8 else "secondary",
                "verification_note": None,
                "demo": False,
                "seed_digest": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        rows["service"][-1]["self_referral"] = "self" in rows["service"][-1]["referral"]

        hours = _schedule(rng)
        if hours is not None:
            rows["schedule"].append(
                {
                    "id": new_id(),
                    "service_id": service_id,
                    "channel_id": None,
                    "valid_from": None,
                    "valid_to": None,
                    "notes": None,
                    "verification": "verified",
                    **hours,
                }
            )

        lat = home.latitude + rng.uniform(-0.018, 0.018)  # about +-2 km
        lon = home.longitude + rng.uniform(-0.03, 0.03)
        postcode = random_postcode(rng, home.outcode)
        address = f"{rng.randint(1, 220)} {rng.choice(PLACE_WORDS)} Road, {town} {postcode}"
        location_id = new_id()
        rows["location"].append(
            {
                "id": location_id,
                "name": name,
                "address": address.split(",")[0],
                "town": town,
                "postcode": postcode,
                "latitude": round(lat, 5),
                "longitude": round(lon, 5),
                "address_visibility": "public" if rng.random() < 0.9 else "area_only",
            }
        )
        rows["service_at_location"].append(
            {"id": new_id(), "service_id": service_id, "location_id": location_id}
        )

        chosen = rng.sample(channel_kinds, min(len(channel_kinds), rng.choice((1, 2, 2, 3))))
        for position, channel_kind in enumerate(chosen):
            rows["channel"].append(
                {
                    "id": new_id(),
                    "service_id": service_id,
                    "position": position,
                    "type": channel_kind,
                    "value": _channel_value(rng, channel_kind, slug, address),
                    "instructions": None,
                    "free_to_contact": None,
                    "textphone": False,
                    "bsl": rng.random() < 0.03,
                    "nations": [],
                    "verification": "verified",
                    "note": None,
                }
            )

        low, high = _weighted(rng, age_items)
        rows["eligibility"].append(
            {
                "service_id": service_id,
                "min_age": low,
                "max_age": high,
                "genders": [],
                "groups": [],
                "requires_gp_registration": kind == "nhs_service" and rng.random() < 0.5,
                "notes": None,
            }
        )

        scope_roll = rng.random()
        nations = [home.nation]
        if scope_roll < 0.7:
            coverage = {"scope": "radius", "areas": [], "radius_km": float(rng.randint(5, 30))}
        elif scope_roll < 0.9:
            areas = [home.outcode, *geo.neighbours[home.outcode][: rng.randint(1, 6)]]
            coverage = {"scope": "areas", "areas": areas, "radius_km": None}
        else:
            others = [nation for nation in NATIONS if nation != home.nation]
            nations += rng.sample(others, rng.randint(0, 3))
            coverage = {"scope": "national", "areas": [], "radius_km": None}
        rows["coverage"].append({"service_id": service_id, "notes": None, **coverage})
        rows["coverage_nation"] += [{"service_id": service_id, "nation": x} for x in nations]
        rows["issue"] += [
            {"service_id": service_id, "taxonomy_term_id": term_ids[code]} for code in issues
        ]

    _insert(session, Organization.__table__, organizations)
    _insert(session, Service.__table__, rows["service"])
    _insert(session, Channel.__table__, rows["channel"])
    _insert(session, Schedule.__table__, rows["schedule"])
    _insert(session, Eligibility.__table__, rows["eligibility"])
    _insert(session, Coverage.__table__, rows["coverage"])
    _insert(session, CoverageNation.__table__, rows["coverage_nation"])
    _insert(session, Location.__table__, rows["location"])
    _insert(session, ServiceAtLocation.__table__, rows["service_at_location"])
    _insert(session, service_taxonomy_term, rows["issue"])
    session.commit()
