"""Postcode parsing (what people type) and reading full-postcode files (what operators import)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from directory.geo import Postcode, parse_postcode, read_postcode_csv
from directory.geo.distance import distance_km


@pytest.mark.parametrize(
    ("typed", "full", "outcode", "area"),
    [
        ("ls1 4ap", "LS1 4AP", "LS1", "LS"),
        ("LS14AP", "LS1 4AP", "LS1", "LS"),
        ("  Ls1   4aP ", "LS1 4AP", "LS1", "LS"),
        ("LS1-4AP", "LS1 4AP", "LS1", "LS"),
        ("ec1a 1bb", "EC1A 1BB", "EC1A", "EC"),
        ("W1A 0AX", "W1A 0AX", "W1A", "W"),
        ("m11ae", "M1 1AE", "M1", "M"),
        ("CF10 1EP", "CF10 1EP", "CF10", "CF"),
        ("LS1", None, "LS1", "LS"),
        ("ls 1", None, "LS1", "LS"),
        ("BT7", None, "BT7", "BT"),
        ("EH1", None, "EH1", "EH"),
        ("cf10", None, "CF10", "CF"),
        ("SW1A", None, "SW1A", "SW"),
    ],
)
def test_parse_postcode_normalises_what_people_type(
    typed: str, full: str | None, outcode: str, area: str
) -> None:
    parsed = parse_postcode(typed)

    assert parsed == Postcode(outcode=outcode, incode=full.split()[1] if full else None, area=area)
    assert parsed.full == full


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "LS",  # a bare area is the gazetteer's call, not the parser's
        "Leeds",
        "Inverness",
        "1LS 4AP",
        "LS1 4A",
        "LS1 44P",
        "LSS1 4AP",
        "53.8,-1.55",
        "LS1 4AP extra",
    ],
)
def test_parse_postcode_rejects_what_is_not_a_postcode(typed: str) -> None:
    assert parse_postcode(typed) is None


ONSPD = """\
pcd,pcd2,pcds,dointr,doterm,lat,long,ctry
LS1 4AP,LS1  4AP,LS1 4AP,198001,,53.797610,-1.549600,E92000001
EH1 1YZ,EH1  1YZ,EH1 1YZ,198001,,55.952700,-3.189900,S92000003
CF101EP,CF10 1EP,CF10 1EP,198001,,51.479400,-3.176700,W92000004
BT7 1NN,BT7  1NN,BT7 1NN,198001,,54.585000,-5.925000,N92000002
GY1 1AA,GY1  1AA,GY1 1AA,198001,,49.455000,-2.536000,L93000001
AB1 0AA,AB1  0AA,AB1 0AA,198001,199606,99.999999,0.000000,S92000003
ZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,198001,,,,E92000001
"""


def test_read_postcode_csv_reads_onspd_with_nations(tmp_path: Path) -> None:
    path = tmp_path / "ONSPD_extract.csv"
    path.write_text(ONSPD, encoding="utf-8")

    rows = list(read_postcode_csv(path))

    assert rows == [
        ("LS1 4AP", 53.79761, -1.5496, "ENG"),
        ("EH1 1YZ", 55.9527, -3.1899, "SCT"),
        ("CF10 1EP", 51.4794, -3.1767, "WLS"),
        ("BT7 1NN", 54.585, -5.925, "NIR"),
        ("GY1 1AA", 49.455, -2.536, None),  # Channel Islands: not one of the four nations
    ]


def test_read_postcode_csv_falls_back_to_pcd_and_tolerates_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "trimmed.csv"
    path.write_text("\ufeffPCD,LAT,LONG\nLS14AP,53.79761,-1.5496\n", encoding="utf-8")

    assert list(read_postcode_csv(path)) == [("LS1 4AP", 53.79761, -1.5496, None)]


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("pcds,lat,long\nLS1 4AP,53.8,-1.5\nNOT A CODE,53.8,-1.5\n", 3, "not a full UK postcode"),
        ("pcds,lat,long\nLS1 4AP,north,-1.5\n", 2, "lat 'north' is not a number"),
        ("pcds,lat,long,ctry\nLS1 4AP,53.8\n", 2, "expected 4 columns"),
    ],
)
def test_read_postcode_csv_names_the_line_of_a_malformed_onspd_row(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match=rf"bad\.csv line {line}: .*{problem}"):
        list(read_postcode_csv(path))


# Real Code-Point Open rows (postcode, quality, easting, northing, country, ...), without header.
CODEPOINT = """\
"LS1 4AP",10,429363,433330,"E92000001","E19000001","E18000003","","E08000035","E05011414"
"EH1 1YZ",10,325597,673676,"S92000003","","S08000024","","S12000036","S13002928"
"CF10 1EP",10,318200,175860,"W92000004","","W11000029","","W06000015","W05000864"
"AB43 1AG",90,0,0,"S92000003","","","","",""
"TD15 1AA",10,400009,652862
"""


def test_read_postcode_csv_converts_codepoint_grid_references(tmp_path: Path) -> None:
    pytest.importorskip("convertbng.util")
    path = tmp_path / "ls.csv"
    path.write_text(CODEPOINT, encoding="utf-8")

    rows = {postcode: (lat, lon, nation) for postcode, lat, lon, nation in read_postcode_csv(path)}

    assert set(rows) == {"LS1 4AP", "EH1 1YZ", "CF10 1EP", "TD15 1AA"}  # quality 90: no position
    expected = {
        "LS1 4AP": (53.7955, -1.5557, "ENG"),
        "EH1 1YZ": (55.9503, -3.1930, "SCT"),
        "CF10 1EP": (51.4758, -3.1792, "WLS"),
        "TD15 1AA": (55.7691, -2.0014, None),  # trimmed to 4 columns: nation unknown
    }
    for postcode, (lat, lon, nation) in expected.items():
        got_lat, got_lon, got_nation = rows[postcode]
        assert distance_km(lat, lon, got_lat, got_lon) < 0.1, postcode
        assert got_nation == nation


def test_read_postcode_csv_names_the_line_of_a_malformed_codepoint_row(tmp_path: Path) -> None:
    pytest.importorskip("convertbng.util")
    path = tmp_path / "cp.csv"
    path.write_text('"LS1 4AP",10,429363,433330\n"LS1 4AQ",10,east,433330\n', encoding="utf-8")

    with pytest.raises(ValueError, match=r"cp\.csv line 2: easting 'east' is not a number"):
        list(read_postcode_csv(path))


def test_read_postcode_csv_says_how_to_install_convertbng(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cp.csv"
    path.write_text('"LS1 4AP",10,429363,433330\n', encoding="utf-8")
    # None in sys.modules makes the import fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "convertbng", None)
    monkeypatch.setitem(sys.modules, "convertbng.util", None)

    with pytest.raises(ImportError, match=r"pip install 'convertbng<2'"):
        list(read_postcode_csv(path))


def test_read_postcode_csv_reads_an_empty_file_as_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    assert list(read_postcode_csv(path)) == []
