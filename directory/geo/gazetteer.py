"""The offline gazetteer: resolve what a person types as 'near' to a point, without the network.

Pure: no Flask, no SQLAlchemy. The data is the committed CSVs in seed_data/geo/, built by
scripts/build_gazetteer.py (see seed_data/geo/ATTRIBUTION.md for sources and licences).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from directory.geo.distance import distance_km
from directory.geo.postcodes import NATIONS, Postcode, parse_postcode

PostcodeLookup = Callable[[str], tuple[float, float, str | None] | None]

# Beyond this, the nearest outcode centre says little about which nation a point is in (the
# sea, or abroad); the sparsest Highland districts have centres ~25 km apart.
NATION_RADIUS_KM = 30.0
# Below these rapidfuzz scores a suggestion is noise rather than a likely typo.
TOWN_SUGGESTION_CUTOFF = 70.0
SUGGESTION_LIMIT = 5

_COORDINATES_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(?:,|\s)\s*([+-]?\d+(?:\.\d+)?)\s*$")
_AREA_RE = re.compile(r"^[A-Z]{1,2}$")
_NOT_WORD_RE = re.compile(r"[^\w]+|_")
_APOSTROPHE_RE = re.compile(r"['\u2019]")

# What people write after a comma to say which nation they mean ("Newport, Wales").
_NATION_WORDS = {
    "england": "ENG",
    "eng": "ENG",
    "scotland": "SCT",
    "sct": "SCT",
    "alba": "SCT",
    "wales": "WLS",
    "wls": "WLS",
    "cymru": "WLS",
    "northern ireland": "NIR",
    "ni": "NIR",
    "nir": "NIR",
}
NATION_NAMES = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}


@dataclass(frozen=True)
class Place:
    """A resolved place: where a query points, and how precisely."""

    query: str
    name: str
    kind: str  # postcode | district | area | town | coordinates
    latitude: float
    longitude: float
    precision: str  # postcode | district | area | town | point
    nation: str | None
    district: str | None


@dataclass(frozen=True)
class OutcodeCentre:
    """One postcode district and the mean position of its postcodes."""

    outcode: str
    latitude: float
    longitude: float
    nation: str


@dataclass(frozen=True)
class Town:
    """One GeoNames populated place."""

    name: str
    latitude: float
    longitude: float
    nation: str
    population: int
    alternate_names: tuple[str, ...] = ()


class UnknownPlace(ValueError):
    """The query is no postcode, district, area, town or valid 'lat,lon' that we know."""

    def __init__(self, query: str, suggestions: tuple[str, ...] = (), reason: str = "") -> None:
        # The message leaves the query out: where someone is can be personal, and messages end
        # up in logs. The query stays available as an attribute for the response.
        super().__init__(reason or "unknown place")
        self.query = query
        self.suggestions = suggestions


def normalise_name(text: str) -> str:
    """Fold a place name for matching: no accents, case, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Apostrophes vanish rather than split a word: "St Mary's" and "St Marys" are one place.
    words = _NOT_WORD_RE.sub(" ", _APOSTROPHE_RE.sub("", stripped.casefold())).split()
    # GeoNames writes both "St Albans" and "Saint Andrews"; people write either.
    return " ".join("saint" if word == "st" else word for word in words)


class Gazetteer:
    """Outcode centres and towns, indexed for resolving and suggesting places."""

    def __init__(self, outcodes: Iterable[OutcodeCentre], towns: Iterable[Town]) -> None:
        self._outcodes: dict[str, OutcodeCentre] = {entry.outcode: entry for entry in outcodes}
        self._areas = _area_centres(self._outcodes.values())
        by_name: dict[str, list[Town]] = defaultdict(list)
        by_alternate: dict[str, list[Town]] = defaultdict(list)
        for town in towns:
            by_name[normalise_name(town.name)].append(town)
            for alternate in town.alternate_names:
                by_alternate[normalise_name(alternate)].append(town)
        # Most populous first: an ambiguous name means the place most people mean.
        self._towns = {key: _by_population(found) for key, found in by_name.items()}
        self._alternates = {key: _by_population(found) for key, found in by_alternate.items()}
        self._town_keys = sorted(self._towns)
        self._outcode_keys = sorted(self._outcodes)

    @classmethod
    def from_csv(cls, directory: Path) -> Gazetteer:
        """Load outcodes.csv and towns.csv from a directory."""
        outcodes = [
            OutcodeCentre(
                outcode=_field(row, "outcode", where),
                latitude=_float(row, "latitude", where),
                longitude=_float(row, "longitude", where),
                nation=_nation(row, where),
            )
            for row, where in _read_rows(directory / "outcodes.csv")
        ]
        towns = [
            Town(
                name=_field(row, "name", where),
                latitude=_float(row, "latitude", where),
                longitude=_float(row, "longitude", where),
                nation=_nation(row, where),
                population=int(_float(row, "population", where)),
                alternate_names=tuple(
                    name for name in (row.get("alternate_names") or "").split("|") if name
                ),
            )
            for row, where in _read_rows(directory / "towns.csv")
        ]
        return cls(outcodes, towns)

    @property
    def outcode_count(self) -> int:
        """Return how many postcode districts the gazetteer knows."""
        return len(self._outcodes)

    @property
    def town_count(self) -> int:
        """Return how many town entries (including same-named ones) the gazetteer knows."""
        return sum(len(found) for found in self._towns.values())

    def resolve(self, query: str, postcode_lookup: PostcodeLookup | None = None) -> Place:
        """Resolve a postcode, district, area, town or 'lat,lon'; raise UnknownPlace otherwise."""
        text = query.strip()
        if not text:
            raise UnknownPlace(text, reason="empty place")
        if (point := _COORDINATES_RE.match(text)) is not None:
            return self._resolve_point(text, float(point.group(1)), float(point.group(2)))
        postcode = parse_postcode(text)
        if postcode is not None:
            place = self._resolve_postcode(text, postcode, postcode_lookup)
            if place is not None:
                return place
        area = self._resolve_area(text)
        if area is not None:
            return area
        town = self._resolve_town(text)
        if town is not None:
            return town
        raise UnknownPlace(text, self.suggest(text))

    def suggest(self, query: str, limit: int = SUGGESTION_LIMIT) -> tuple[str, ...]:
        """Return up to `limit` known outcodes or town names close to a mistyped query."""
        text = query.strip()
        if not text or limit <= 0:
            return ()
        if any(ch.isdigit() for ch in text):
            return self._suggest_outcodes(text, limit)
        key = normalise_name(text.split(",")[0])
        matches = process.extract(
            key,
            self._town_keys,
            scorer=fuzz.ratio,
            limit=limit,
            score_cutoff=TOWN_SUGGESTION_CUTOFF,
        )
        return tuple(self._towns[match][0].name for match, _, _ in matches)

    def _suggest_outcodes(self, text: str, limit: int) -> tuple[str, ...]:
        # One typo (a wrong, missing, extra or swapped character) away, same area first: a
        # similarity ratio ranks 'LS10' above 'LS1' for 'LS0', which is no help to anyone.
        postcode = parse_postcode(text)
        key = postcode.outcode if postcode else _NOT_WORD_RE.sub("", text).upper()
        area = re.match(r"[A-Z]*", key).group(0)  # type: ignore[union-attr]
        close = [code for code in self._outcode_keys if OSA.distance(key, code) <= 1]
        close.sort(key=lambda code: (not code.startswith(area) or not area, _natural_key(code)))
        return tuple(close[:limit])

    def nation_of(self, latitude: float, longitude: float) -> str | None:
        """Return the nation of the nearest outcode centre within ~30 km, else None."""
        # A degree of latitude is ~111 km: skip centres that cannot be within the radius.
        lat_window = NATION_RADIUS_KM / 111.0 + 0.01
        best: tuple[float, str] | None = None
        for entry in self._outcodes.values():
            if abs(entry.latitude - latitude) > lat_window:
                continue
            km = distance_km(latitude, longitude, entry.latitude, entry.longitude)
            if km <= NATION_RADIUS_KM and (best is None or km < best[0]):
                best = (km, entry.nation)
        return best[1] if best else None

    def outcode(self, code: str) -> Place | None:
        """Return the centre of a postcode district ('LS1'), or None when it is unknown."""
        postcode = parse_postcode(code)
        if postcode is None or postcode.incode is not None:
            return None
        entry = self._outcodes.get(postcode.outcode)
        if entry is None:
            return None
        return Place(
            query=code.strip(),
            name=entry.outcode,
            kind="district",
            latitude=entry.latitude,
            longitude=entry.longitude,
            precision="district",
            nation=entry.nation,
            district=entry.outcode,
        )

    def _resolve_point(self, text: str, latitude: float, longitude: float) -> Place:
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            raise UnknownPlace(text, reason="latitude must be -90..90 and longitude -180..180")
        return Place(
            query=text,
            name=f"{latitude:.4f}, {longitude:.4f}",
            kind="coordinates",
            latitude=latitude,
            longitude=longitude,
            precision="point",
            nation=self.nation_of(latitude, longitude),
            district=None,
        )

    def _resolve_postcode(
        self, text: str, postcode: Postcode, postcode_lookup: PostcodeLookup | None
    ) -> Place | None:
        entry = self._outcodes.get(postcode.outcode)
        full = postcode.full
        if full is not None and postcode_lookup is not None:
            found = postcode_lookup(full)
            if found is not None:
                latitude, longitude, nation = found
                return Place(
                    query=text,
                    name=full,
                    kind="postcode",
                    latitude=latitude,
                    longitude=longitude,
                    precision="postcode",
                    nation=nation or (entry.nation if entry else None),
                    district=postcode.outcode,
                )
        if entry is None:
            return None
        place = self.outcode(postcode.outcode)
        assert place is not None
        if full is None:
            return replace(place, query=text)
        # Without a full-postcode table the best we know is the district centre; say so.
        return replace(place, query=text, name=full, kind="postcode")

    def _resolve_area(self, text: str) -> Place | None:
        code = text.replace(" ", "").upper()
        if not _AREA_RE.match(code) or code not in self._areas:
            return None
        latitude, longitude, nation = self._areas[code]
        return Place(
            query=text,
            name=code,
            kind="area",
            latitude=latitude,
            longitude=longitude,
            precision="area",
            nation=nation,
            district=None,
        )

    def _resolve_town(self, text: str) -> Place | None:
        name, _, qualifier = text.partition(",")
        candidates = self._town_candidates(normalise_name(text))
        if not candidates and qualifier:
            candidates = self._town_candidates(normalise_name(name))
            candidates = self._qualify(text, candidates, qualifier)
        if not candidates:
            return None
        town = candidates[0]
        return Place(
            query=text,
            name=town.name,
            kind="town",
            latitude=town.latitude,
            longitude=town.longitude,
            precision="town",
            nation=town.nation,
            district=None,
        )

    def _town_candidates(self, key: str) -> tuple[Town, ...]:
        # Official names beat alternates: 'Newport' is never someone's alternate name for Leeds.
        return self._towns.get(key) or self._alternates.get(key) or ()

    def _qualify(self, text: str, candidates: tuple[Town, ...], qualifier: str) -> tuple[Town, ...]:
        """Narrow same-named towns by what follows the comma: a nation, a district or an area."""
        if not candidates:
            return ()
        nation = _NATION_WORDS.get(normalise_name(qualifier))
        if nation is not None:
            return tuple(town for town in candidates if town.nation == nation)
        anchor = self._anchor(qualifier)
        if anchor is not None:
            latitude, longitude = anchor
            return tuple(
                sorted(
                    candidates,
                    key=lambda town: distance_km(
                        latitude, longitude, town.latitude, town.longitude
                    ),
                )
            )
        if len(candidates) == 1:
            return candidates
        # An unknown qualifier ('Newport, Isle of Wight') must not silently pick the biggest
        # Newport: offer the ones that can be told apart instead, each a query that resolves.
        per_nation = Counter(town.nation for town in candidates)
        labels = (
            f"{town.name}, {NATION_NAMES[town.nation]}"
            if per_nation[town.nation] == 1
            else f"{town.name}, {self._nearest_outcode(town.latitude, town.longitude)}"
            for town in candidates[:SUGGESTION_LIMIT]
        )
        raise UnknownPlace(text, tuple(dict.fromkeys(labels)))

    def _nearest_outcode(self, latitude: float, longitude: float) -> str:
        return min(
            self._outcodes.values(),
            key=lambda entry: distance_km(latitude, longitude, entry.latitude, entry.longitude),
        ).outcode

    def _anchor(self, qualifier: str) -> tuple[float, float] | None:
        postcode = parse_postcode(qualifier)
        if postcode is not None and postcode.outcode in self._outcodes:
            entry = self._outcodes[postcode.outcode]
            return entry.latitude, entry.longitude
        code = qualifier.replace(" ", "").upper()
        if _AREA_RE.match(code) and code in self._areas:
            latitude, longitude, _ = self._areas[code]
            return latitude, longitude
        return None


def load_gazetteer(directory: Path) -> Gazetteer:
    """Load the gazetteer from a directory once per process."""
    return _load_gazetteer(directory.resolve())


@lru_cache(maxsize=4)
def _load_gazetteer(directory: Path) -> Gazetteer:
    return Gazetteer.from_csv(directory)


def _natural_key(outcode: str) -> tuple[str, int, str]:
    match = re.match(r"([A-Z]*)(\d*)(.*)", outcode)
    assert match is not None
    area, digits, rest = match.groups()
    return area, int(digits or 0), rest


def _by_population(towns: list[Town]) -> tuple[Town, ...]:
    return tuple(sorted(towns, key=lambda town: -town.population))


def _area_centres(
    outcodes: Iterable[OutcodeCentre],
) -> dict[str, tuple[float, float, str]]:
    members: dict[str, list[OutcodeCentre]] = defaultdict(list)
    for entry in outcodes:
        members[re.match(r"[A-Z]+", entry.outcode).group(0)].append(entry)  # type: ignore[union-attr]
    centres = {}
    for area, entries in members.items():
        # An area's nation is its majority: TD is Scottish although TD15 (Berwick) is English.
        nation = Counter(entry.nation for entry in entries).most_common(1)[0][0]
        centres[area] = (
            round(sum(entry.latitude for entry in entries) / len(entries), 5),
            round(sum(entry.longitude for entry in entries) / len(entries), 5),
            nation,
        )
    return centres


def _read_rows(path: Path) -> Iterable[tuple[Mapping[str, str], str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield row, f"{path.name} line {line}"


def _field(row: Mapping[str, str], name: str, where: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise ValueError(f"{where}: {name} is missing")
    return value


def _float(row: Mapping[str, str], name: str, where: str) -> float:
    value = _field(row, name, where)
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{where}: {name} {value!r} is not a number") from None


def _nation(row: Mapping[str, str], where: str) -> str:
    value = _field(row, "nation", where)
    if value not in NATIONS:
        raise ValueError(f"{where}: nation {value!r} is not one of {', '.join(NATIONS)}")
    return value
