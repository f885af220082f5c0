"""Hidden addresses: only a key with the restricted scope sees a hidden street address, exact
coordinates or internal notes."""

from __future__ import annotations

import json

from tests.api.conftest import SECRET_STREET


def service(world, who=None):
    response = world.client.get(f"/api/v1/services/{world.service_id}", headers=world.auth(who))
    assert response.status_code == 200
    return response


def add_internal_note(world):
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.patch(
        url,
        json={"internal_notes": "Manager prefers email"},
        headers=world.auth("writer", world.etag(url)),
    )
    assert response.status_code == 200


def test_the_public_never_sees_the_hidden_address(world):
    add_internal_note(world)
    for who in (None, "writer", "admin"):
        response = service(world, who)
        text = response.get_data(as_text=True)
        assert SECRET_STREET not in text
        assert "Manager prefers email" not in text
        [location] = [loc for loc in response.get_json()["locations"] if loc["town"] == "Leeds"]
        assert location["latitude"] is None
        assert "internal_notes" not in response.get_json()
    location = world.client.get(f"/api/v1/locations/{world.location_id}")
    assert SECRET_STREET not in location.get_data(as_text=True)


def test_a_restricted_key_sees_the_address_and_notes(world):
    add_internal_note(world)
    response = service(world, "reader")
    shown = response.get_json()
    [location] = [loc for loc in shown["locations"] if loc["id"] == world.location_id]
    assert location["address"] == SECRET_STREET
    assert location["postcode"] == "LS6 1AA"
    assert location["latitude"] == 53.8195
    assert shown["internal_notes"] == "Manager prefers email"
    assert response.headers["Cache-Control"] == "private, no-store"
    one = world.client.get(f"/api/v1/locations/{world.location_id}", headers=world.auth("reader"))
    assert one.get_json()["address"] == SECRET_STREET


def test_search_and_the_feed_never_show_it(world):
    found = world.client.post("/api/v1/search", json={"q": "samaritans", "near": "LS6"})
    assert found.status_code == 200
    assert world.service_id in [hit["id"] for hit in found.get_json()["contents"]]
    feed = world.client.get(f"/hsds/services/{world.service_id}")
    for text in (found.get_data(as_text=True), feed.get_data(as_text=True)):
        assert SECRET_STREET not in text
        assert "53.8195" not in json.dumps(text)


def test_a_bad_key_on_a_public_read_is_401_not_a_quiet_public_answer(world):
    response = world.client.get(
        f"/api/v1/services/{world.service_id}", headers={"Authorization": "Bearer sp_wrong"}
    )
    assert response.status_code == 401
