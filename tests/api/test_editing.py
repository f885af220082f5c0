"""Editors' writes: services, organisations, locations and terms, with If-Match and audit."""

from __future__ import annotations

import pytest

from tests.api.conftest import service_body


def test_create_a_service_then_read_it_back(world):
    response = world.client.post(
        "/api/v1/services", json=service_body(world.organization_id), headers=world.auth("writer")
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["name"] == "Leeds Test Listening Line"
    assert created["channels"][0]["href"] == "tel:+441134960123"
    assert response.headers["ETag"]
    got = world.client.get(f"/api/v1/services/{created['id']}")
    assert got.get_json()["name"] == "Leeds Test Listening Line"
    assert got.headers["ETag"] == response.headers["ETag"]


def test_a_patched_name_is_searchable_and_in_the_feed_at_once(world):
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.patch(
        url,
        json={"name": "Zanzibarian Listening Service"},
        headers=world.auth("writer", world.etag(url)),
    )
    assert response.status_code == 200, response.get_json()
    found = world.client.post("/api/v1/search", json={"q": "zanzibarian"}).get_json()
    assert [hit["id"] for hit in found["contents"]] == [world.service_id]
    feed = world.client.get(f"/hsds/services/{world.service_id}").get_json()
    assert feed["name"] == "Zanzibarian Listening Service"


def test_patch_leaves_the_other_fields_alone(world):
    url = f"/api/v1/services/{world.service_id}"
    before = world.client.get(url).get_json()
    world.client.patch(
        url, json={"wait_time": "None"}, headers=world.auth("writer", world.etag(url))
    )
    after = world.client.get(url).get_json()
    assert after["wait_time"] == "None"
    assert after["channels"] == before["channels"]
    assert after["issues"] == before["issues"]


def test_two_editors_one_gets_412(world):
    url = f"/api/v1/services/{world.service_id}"
    etag = world.etag(url)  # both editors read the same version
    first = world.client.patch(url, json={"wait_time": "A day"}, headers=world.auth("writer", etag))
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    second = world.client.patch(url, json={"wait_time": "A week"}, headers=world.auth("all", etag))
    assert second.status_code == 412
    assert second.get_json()["code"] == 412
    assert world.client.get(url).get_json()["wait_time"] == "A day"  # not overwritten


def test_a_write_without_if_match_is_428(world):
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.patch(url, json={"wait_time": "x"}, headers=world.auth("writer"))
    assert response.status_code == 428
    assert "If-Match" in response.get_json()["message"]


def test_a_changed_channel_gives_a_new_etag(world):
    url = f"/api/v1/services/{world.service_id}"
    etag = world.etag(url)
    channels = world.client.get(url).get_json()["channels"]
    body = {"channels": [{"type": "email", "value": "jo@samaritans.org"}]}
    response = world.client.patch(url, json=body, headers=world.auth("writer", etag))
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] != etag
    assert [c["type"] for c in response.get_json()["channels"]] == ["email"]
    assert channels != response.get_json()["channels"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channels": [{"type": "phone", "value": "12345"}]}, "channels"),
        ({"channels": [{"type": "phone", "value": "+33 1 42 68 53 00"}]}, "channels"),
        ({"hours": {"rules": [{"days": ["mon"], "opens": "25:00", "closes": "26:00"}]}}, "hours"),
        ({"eligibility": {"min_age": 30, "max_age": 18}}, "eligibility"),
        ({"issues": ["no-such-issue"]}, "issues"),
        ({"kind": "spaceship"}, "kind"),
        ({"organization_id": "nope"}, "organization_id"),
        ({"location_ids": ["nope"]}, "location_ids"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_values_are_422_naming_the_field(world, change, field):
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.patch(url, json=change, headers=world.auth("writer", world.etag(url)))
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert field in body["errors"]
    assert field in body["message"]


def test_ages_out_of_order_name_max_age(world):
    url = f"/api/v1/services/{world.service_id}"
    change = {"eligibility": {"min_age": 30, "max_age": 18}}
    body = world.client.patch(url, json=change, headers=world.auth("writer", world.etag(url)))
    assert "max_age" in body.get_json()["errors"]["eligibility"]


def test_delete_marks_a_service_defunct_and_search_drops_it(world):
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.delete(url, headers=world.auth("writer", world.etag(url)))
    assert response.status_code == 204
    assert world.client.get(url).get_json()["status"] == "defunct"  # still there, withdrawn
    found = world.client.post("/api/v1/search", json={"q": "samaritans"}).get_json()
    assert world.service_id not in [hit["id"] for hit in found["contents"]]


def test_organization_create_and_patch(world):
    created = world.client.post(
        "/api/v1/organizations",
        json={"slug": "test-charity", "name": "Test Charity"},
        headers=world.auth("writer"),
    )
    assert created.status_code == 201, created.get_json()
    url = f"/api/v1/organizations/{created.get_json()['id']}"
    patched = world.client.patch(
        url, json={"website": "https://example.org"}, headers=world.auth("writer", world.etag(url))
    )
    assert patched.status_code == 200
    assert patched.get_json()["website"] == "https://example.org"
    taken = world.client.patch(
        url, json={"slug": "samaritans"}, headers=world.auth("writer", world.etag(url))
    )
    assert taken.status_code == 422
    assert "slug" in taken.get_json()["errors"]


def test_term_create_patch_and_its_synonym_finds_services(world):
    created = world.client.post(
        "/api/v1/taxonomy_terms",
        json={"code": "test-worries", "name": "Test worries", "parent": "anxiety"},
        headers=world.auth("writer"),
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["parent"] == "anxiety"
    url = f"/api/v1/taxonomy_terms/{world.term_id}"
    patched = world.client.patch(
        url,
        json={"synonyms": ["collywobbles"]},
        headers=world.auth("writer", world.etag(url)),
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["synonyms"] == ["collywobbles"]
    renamed = world.client.patch(
        url, json={"code": "worry"}, headers=world.auth("writer", world.etag(url))
    )
    assert renamed.status_code == 422
    assert "code" in renamed.get_json()["errors"]


def test_location_create_link_and_delete_detaches(world):
    created = world.client.post(
        "/api/v1/locations",
        json={"town": "Leeds", "latitude": 53.8, "longitude": -1.55, "address": "1 Test Row"},
        headers=world.auth("writer"),
    )
    assert created.status_code == 201, created.get_json()
    location_id = created.get_json()["id"]
    service_url = f"/api/v1/services/{world.service_id}"
    linked = world.client.patch(
        service_url,
        json={"location_ids": [world.location_id, location_id]},
        headers=world.auth("writer", world.etag(service_url)),
    )
    assert linked.status_code == 200, linked.get_json()
    assert len(linked.get_json()["locations"]) == 2
    url = f"/api/v1/locations/{location_id}"
    deleted = world.client.delete(url, headers=world.auth("writer", world.etag(url)))
    assert deleted.status_code == 204
    ids = [loc["id"] for loc in world.client.get(service_url).get_json()["locations"]]
    assert ids == [world.location_id]
    assert world.client.get(url).status_code == 200  # the record itself is kept
