"""The audit log: each kind of write leaves one event with the fields it changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.conftest import service_body


def audit(world, query=""):
    response = world.client.get(f"/api/v1/audit{query}", headers=world.auth("admin"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_kind_of_write_is_audited(world):
    c, auth = world.client, world.auth
    service_url = f"/api/v1/services/{world.service_id}"
    c.post("/api/v1/services", json=service_body(world.organization_id), headers=auth("writer"))
    c.patch(
        service_url, json={"wait_time": "A day"}, headers=auth("writer", world.etag(service_url))
    )
    c.post(f"{service_url}/verify", json={}, headers=auth("writer", world.etag(service_url)))
    c.delete(service_url, headers=auth("writer", world.etag(service_url)))
    c.post("/api/v1/organizations", json={"slug": "o", "name": "O"}, headers=auth("writer"))
    org_url = f"/api/v1/organizations/{world.organization_id}"
    c.patch(org_url, json={"description": "D"}, headers=auth("writer", world.etag(org_url)))
    c.post(
        "/api/v1/locations",
        json={"town": "Leeds", "latitude": 53.8, "longitude": -1.5},
        headers=auth("writer"),
    )
    location_url = f"/api/v1/locations/{world.location_id}"
    c.patch(location_url, json={"town": "Otley"}, headers=auth("writer", world.etag(location_url)))
    c.delete(location_url, headers=auth("writer", world.etag(location_url)))
    c.post("/api/v1/taxonomy_terms", json={"code": "t", "name": "T"}, headers=auth("writer"))
    term_url = f"/api/v1/taxonomy_terms/{world.term_id}"
    c.patch(term_url, json={"description": "D"}, headers=auth("writer", world.etag(term_url)))
    c.patch(
        f"/api/v1/reports/{world.report_id}", json={"status": "rejected"}, headers=auth("admin")
    )

    events = audit(world, "?per_page=100")["contents"]
    kinds = [(e["action"], e["entity_type"]) for e in reversed(events)]
    assert kinds == [
        ("create", "service"),
        ("update", "service"),
        ("verify", "service"),
        ("delete", "service"),
        ("create", "organization"),
        ("update", "organization"),
        ("create", "location"),
        ("update", "location"),
        ("delete", "location"),
        ("create", "taxonomy_term"),
        ("update", "taxonomy_term"),
        ("update", "report"),
    ]
    assert {e["key_name"] for e in events} == {"writer", "admin"}


def test_an_event_holds_before_and_after_of_the_changed_fields_only(world):
    url = f"/api/v1/services/{world.service_id}"
    world.client.patch(
        url, json={"wait_time": "A day"}, headers=world.auth("writer", world.etag(url))
    )
    [event] = audit(world, f"?entity_type=service&entity_id={world.service_id}")["contents"]
    assert event["changes"] == {"wait_time": {"before": None, "after": "A day"}}
    assert event["key_name"] == "writer"
    assert event["at"]


def test_a_patch_that_changes_nothing_is_not_audited(world):
    url = f"/api/v1/services/{world.service_id}"
    etag = world.etag(url)
    name = world.client.get(url).get_json()["name"]
    response = world.client.patch(url, json={"name": name}, headers=world.auth("writer", etag))
    assert response.status_code == 200
    assert response.headers["ETag"] == etag
    assert audit(world)["total_items"] == 0


def test_filter_by_entity_and_page(world):
    url = f"/api/v1/organizations/{world.organization_id}"
    for text in ("one", "two", "three"):
        world.client.patch(
            url, json={"description": text}, headers=world.auth("writer", world.etag(url))
        )
    page = audit(world, "?entity_type=organization&per_page=2")
    assert page["total_items"] == 3
    assert page["total_pages"] == 2
    assert page["contents"][0]["changes"]["description"]["after"] == "three"  # newest first
    assert audit(world, "?entity_type=service")["total_items"] == 0
    assert audit(world, "?entity_id=nope")["total_items"] == 0


def test_an_unknown_entity_type_is_422(world):
    response = world.client.get("/api/v1/audit?entity_type=cat", headers=world.auth("admin"))
    assert response.status_code == 422


def test_times_carry_their_offset(world):
    # Found by contract fuzzing: SQLite hands back naive datetimes, which went out without an
    # offset and so were not the RFC 3339 date-times the schema promises.
    org_url = f"/api/v1/organizations/{world.organization_id}"
    world.client.patch(
        org_url, json={"description": "D"}, headers=world.auth("writer", world.etag(org_url))
    )
    at = audit(world)["contents"][0]["at"]
    assert datetime.fromisoformat(at).utcoffset() == timedelta(0), at
