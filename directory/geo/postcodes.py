"""UK postcodes: parse what people type, and read full-postcode files an operator imports.

Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

NATIONS = ("ENG", "SCT", "WLS", "NIR")

# GSS country codes as ONSPD (ctry) and Code-Point Open (Country_code) spell them. Channel Islands
# (L93000001) and Isle of Man (M83000003) are not one of the four nations, so they map to None.
NATION_BY_COUNTRY_CODE = {
    "E92000001": "ENG",
    "S92000003": "SCT",
    "W92000004": "WLS",
    "N92000002": "NIR",
}

# The six outcode shapes (A9, A99, A9A, AA9, AA99, AA9A); the incode is always digit + 2 letters.
_OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INCODE = r"[0-9][A-Z]{2}"
_FULL_RE = re.compile(rf"^({_OUTCODE})({_INCODE})$")
_OUTCODE_RE = re.compile(rf"^({_OUTCODE})$")
_SEPARATORS_RE = re.compile(r"[\s\-.]+")

# ONSPD marks postcodes without a grid reference with this latitude.
_ONSPD_NO_LATITUDE = 99.999999
# Code-Point Open positional quality 90: no coordinates (eastings and northings are 0).
_CODEPOINT_NO_COORDINATES = "90"
_CONVERT_BATCH = 10_000


@dataclass(frozen=True)
class Postcode:
    """A parsed UK postcode (outcode + incode) or postcode district (outcode alone)."""

    outcode: str
    incode: str | None
    area: str

    @property
    def full(self) -> str | None:
        """Return the postcode in its canonical 'LS1 4AP' form, or None for a district."""
        return f"{self.outcode} {self.incode}" if self.incode else None


def parse_postcode(text: str) -> Postcode | None:
    """Parse a full postcode or an outcode in any spacing or case; None when it is neither."""
    compact = _SEPARATORS_RE.sub("", text).upper()
    # Bare area letters ('LS') are deliberately not postcodes: only the gazetteer knows which
    # letter pairs are real areas, and 'LS' could as well be the start of a town name.
    if match := _FULL_RE.match(compact):
        outcode, incode = match.groups()
    elif match := _OUTCODE_RE.match(compact):
        outcode, incode = match.group(1), None
    else:
        return None
    area = re.match(r"[A-Z]+", outcode).group(0)  # type: ignore[union-attr]
    return Postcode(outcode=outcode, incode=incode, area=area)


def read_postcode_csv(path: Path) -> Iterator[tuple[str, float, float, str | None]]:
    """Yield (postcode, latitude, longitude, nation) from an ONSPD or Code-Point Open CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        first = next(reader, None)
        if first is None:
            return
        columns = [name.strip().lower() for name in first]
        if "lat" in columns and "long" in columns and ("pcds" in columns or "pcd" in columns):
            yield from _read_onspd(path, reader, columns)
        else:
            # Code-Point Open ships without a header row: the first row is already data.
            yield from _read_codepoint(path, _chain_first(first, reader))


def _chain_first(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _full_postcode(path: Path, line: int, text: str) -> str:
    parsed = parse_postcode(text)
    if parsed is None or parsed.full is None:
        raise ValueError(f"{path.name} line {line}: {text!r} is not a full UK postcode")
    return parsed.full


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path.name} line {line}: {column} {text!r} is not a number") from None


def _read_onspd(
    path: Path, reader: Iterator[list[str]], columns: list[str]
) -> Iterator[tuple[str, float, float, str | None]]:
    # pcds is the one-space form; pcd (fixed width) is only a fallback for trimmed extracts.
    postcode_at = columns.index("pcds") if "pcds" in columns else columns.index("pcd")
    lat_at, long_at = columns.index("lat"), columns.index("long")
    country_at = columns.index("ctry") if "ctry" in columns else None
    needed = max(postcode_at, lat_at, long_at, country_at or 0) + 1
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < needed:
            raise ValueError(f"{path.name} line {line}: expected {needed} columns, got {len(row)}")
        lat_text, long_text = row[lat_at].strip(), row[long_at].strip()
        if not lat_text or not long_text:
            continue
        postcode = _full_postcode(path, line, row[postcode_at])
        latitude = _number(path, line, "lat", lat_text)
        longitude = _number(path, line, "long", long_text)
        if latitude == _ONSPD_NO_LATITUDE:
            continue
        nation = NATION_BY_COUNTRY_CODE.get(row[country_at].strip()) if country_at else None
        yield postcode, latitude, longitude, nation


def _read_codepoint(
    path: Path, rows: Iterator[list[str]]
) -> Iterator[tuple[str, float, float, str | None]]:
    convert_lonlat = _bng_converter()
    batch: list[tuple[str, float, float, str | None]] = []
    for line, row in enumerate(rows, start=1):
        if not row:
            continue
        if len(row) < 4:
            raise ValueError(
                f"{path.name} line {line}: expected at least 4 columns, got {len(row)}"
            )
        postcode = _full_postcode(path, line, row[0])
        quality, easting_text, northing_text = (value.strip() for value in row[1:4])
        if quality == _CODEPOINT_NO_COORDINATES or not easting_text or not northing_text:
            continue
        easting = _number(path, line, "easting", easting_text)
        northing = _number(path, line, "northing", northing_text)
        if easting == 0 and northing == 0:
            continue
        nation = NATION_BY_COUNTRY_CODE.get(row[4].strip()) if len(row) > 4 else None
        batch.append((postcode, easting, northing, nation))
        # convertbng crosses into Rust once per call: batching makes a 1.7M-row file take
        # seconds instead of minutes.
        if len(batch) >= _CONVERT_BATCH:
            yield from _convert(batch, convert_lonlat)
            batch = []
    yield from _convert(batch, convert_lonlat)


def _convert(
    batch: list[tuple[str, float, float, str | None]],
    convert_lonlat: Callable[[Sequence[float], Sequence[float]], tuple[list[float], list[float]]],
) -> Iterator[tuple[str, float, float, str | None]]:
    if not batch:
        return
    longitudes, latitudes = convert_lonlat([row[1] for row in batch], [row[2] for row in batch])
    for (postcode, _, _, nation), latitude, longitude in zip(
        batch, latitudes, longitudes, strict=True
    ):
        yield postcode, round(float(latitude), 6), round(float(longitude), 6), nation


def _bng_converter() -> Callable[
    [Sequence[float], Sequence[float]], tuple[list[float], list[float]]
]:
    # Optional: only operators importing Code-Point Open need British National Grid conversion.
    try:
        from convertbng.util import convert_lonlat
    except ImportError as exc:
        raise ImportError(
            "Reading a Code-Point Open CSV needs convertbng to convert British National Grid "
            "eastings/northings: pip install 'convertbng<2'"
        ) from exc
    return convert_lonlat  # type: ignore[no-any-return]
