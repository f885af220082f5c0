"""GET /api/v1/places/{query}: every kind of place input, offline."""

from __future__ import annotations

import pytest

from directory.geo import distance_km


@pytest.mark.parametrize(
    ("query", "lat", "lon", "nation"),
    [
        ("ls1 4ap", 53.797, -1.548, "ENG"),
        ("LS14AP", 53.797, -1.548, "ENG"),
        ("LS1", 53.797, -1.548, "ENG"),
        ("EH1", 55.952, -3.19, "SCT"),
        ("CF10", 51.475, -3.175, "WLS"),
        ("BT7", 54.58, -5.92, "NIR"),
        ("Inverness", 57.48, -4.22, "SCT"),
        ("53.8,-1.55", 53.8, -1.55, "ENG"),
    ],
)
def test_place_inputs_resolve_near_the_true_centre(client, query, lat, lon, nation):
    response = client.get(f"/api/v1/places/{query}")
    assert response.status_code == 200
    place = response.get_json()
    assert distance_km(place["latitude"], place["longitude"], lat, lon) < 3
    assert place["nation"] == nation


def test_full_postcode_resolves_to_its_district_without_a_postcode_table(client):
    place = client.get("/api/v1/places/LS1 4AP").get_json()
    assert place["precision"] == "district"
    assert place["district"] == "LS1"


def test_unknown_place_is_422_suggesting_close_matches(client):
    response = client.get("/api/v1/places/Inverneess")
    assert response.status_code == 422
    assert "Inverness" in response.get_json()["errors"]["query"][0]
    assert client.get("/api/v1/places/Atlantis").status_code == 422


def test_configured_geocoder_answers_what_the_gazetteer_cannot(app, seed):
    seed(demo=False)
    asked = []

    def fake_geocode(query):
        asked.append(query)
        return (57.15, -2.11) if query == "Footdee" else None  # a district of Aberdeen

    app.config["GEOCODER"] = "nominatim"
    app.extensions["signpost.geocoder"] = fake_geocode
    client = app.test_client()
    place = client.get("/api/v1/places/Footdee").get_json()
    assert place["kind"] == "geocoded"
    assert place["nation"] == "SCT"
    assert client.get("/api/v1/places/LS1").get_json()["kind"] == "district"
    assert asked == ["Footdee"]  # the offline gazetteer answered LS1 itself
    assert client.get("/api/v1/places/Nowhere-at-all").status_code == 422
