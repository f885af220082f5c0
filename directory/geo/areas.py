"""Listed coverage areas: postcode districts (LS6), postcode areas (LS) and town names."""

from __future__ import annotations

from collections.abc import Iterable

from directory.geo.gazetteer import Place


def area_key(area: str) -> str:
    """An area as it is compared: no spaces, upper case ("Stoke Gifford" -> STOKEGIFFORD)."""
    return area.replace(" ", "").upper()


def area_keys(areas: Iterable[str]) -> list[str]:
    """Every listed area's key, in order, without repeats."""
    return list(dict.fromkeys(area_key(area) for area in areas if area.strip()))


def place_keys(place: Place) -> set[str]:
    """The keys a listed area may use for this place: its district, postcode area and name."""
    district = (place.district or "").upper()
    area = "".join(ch for ch in district if ch.isalpha())
    return {key for key in (district, area, area_key(place.name)) if key}


def in_areas(place: Place, areas: Iterable[str]) -> bool:
    """Whether a place lies in any listed area."""
    return bool(place_keys(place) & set(area_keys(areas)))
