"""The /hsds Open Referral UK feed: schemas, paging, filters, CORS, privacy and demo listings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from directory.models import stable_id
from tests.interop.oruk import errors, needs_oruk, page_errors

KIRKSTALL = stable_id("service", "leeds-kirkstall-peer-support")
ANXIETY_UK = stable_id("service", "anxiety-uk")
EATING_DISORDERS = stable_id("taxonomy_term", "eating-disorders")
HELPLINE = stable_id("taxonomy_term", "helpline")
ISSUES = stable_id("taxonomy", "issues")


def every_item(client: Any, url: str) -> list[dict[str, Any]]:
    """Walk a feed list through all its pages."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        joiner = "&" if "?" in url else "?"
        body = client.get(f"{url}{joiner}page={page}&per_page=100").get_json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def ids(client: Any, url: str) -> set[str]:
    return {item["id"] for item in every_item(client, url)}


# --- schemas ----------------------------------------------------------------------------------


@needs_oruk
def test_meta_says_version_and_profile(client):
    body = client.get("/hsds/").get_json()
    assert errors(body, "meta") == []
    assert body["version"] == "3.0"


LISTS = [
    ("/hsds/services?include_demo=true", "service_list"),
    ("/hsds/services?include_demo=true&full=true", "service"),
    ("/hsds/service_at_locations?include_demo=true", "service_at_location_list"),
    ("/hsds/taxonomies", "taxonomy"),
    ("/hsds/taxonomy_terms", "taxonomy_term"),
    ("/hsds/organizations?include_demo=true", "organization_list"),
]


@needs_oruk
@pytest.mark.parametrize(("url", "item_schema"), LISTS)
def test_every_list_page_validates(client, url, item_schema):
    page, found = 1, []
    while True:
        body = client.get(f"{url}&page={page}" if "?" in url else f"{url}?page={page}").get_json()
        found += page_errors(body, item_schema)
        if body["last_page"]:
            break
        page += 1
    assert found == []
    assert body["total_items"] > 0


@needs_oruk
@pytest.mark.parametrize(
    ("list_url", "item_url", "item_schema"),
    [
        ("/hsds/services?include_demo=true", "/hsds/services/{}?include_demo=true", "service"),
        (
            "/hsds/service_at_locations?include_demo=true",
            "/hsds/service_at_locations/{}?include_demo=true",
            "service_at_location",
        ),
        ("/hsds/taxonomies", "/hsds/taxonomies/{}", "taxonomy"),
        ("/hsds/taxonomy_terms", "/hsds/taxonomy_terms/{}", "taxonomy_term"),
        (
            "/hsds/organizations?include_demo=true",
            "/hsds/organizations/{}?include_demo=true",
            "organization",
        ),
    ],
)
def test_every_item_validates(client, list_url, item_url, item_schema):
    found = []
    for item_id in sorted(ids(client, list_url)):
        response = client.get(item_url.format(item_id))
        assert response.status_code == 200, item_id
        found += [f"{item_id} {line}" for line in errors(response.get_json(), item_schema)]
    assert found == []


def test_a_taxonomy_nests_its_terms(client):
    body = client.get(f"/hsds/taxonomies/{ISSUES}").get_json()
    assert EATING_DISORDERS in {term["id"] for term in body["taxonomy_terms"]}


def test_a_service_carries_its_phones_terms_and_hours(client):
    body = client.get(f"/hsds/services/{KIRKSTALL}?include_demo=true").get_json()
    assert [phone["number"] for phone in body["phones"]] == ["0113 496 0458"]
    assert {a["taxonomy_term"]["term"] for a in body["attributes"]} >= {
        "depression",
        "peer_support_group",
    }
    tuesday = [row for row in body["schedules"] if row["byday"] == "TU"]
    assert tuesday[0]["opens_at"] == "18:30:00"
    assert tuesday[0]["closes_at"] == "20:30:00"
    assert body["x_signpost"]["kind"] == "peer_support_group"


# --- openness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/hsds/",
        "/hsds/services",
        f"/hsds/services/{ANXIETY_UK}",
        "/hsds/services/no-such-service",
        "/hsds/services?day=XX",
        "/hsds/taxonomy_terms",
    ],
)
def test_every_response_may_be_read_by_any_web_page(client, url):
    assert client.get(url).headers["Access-Control-Allow-Origin"] == "*"


def test_the_feed_is_read_only(client):
    response = client.post("/hsds/services", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# --- paging -----------------------------------------------------------------------------------


def test_paging_first_middle_and_last_page(client):
    first = client.get("/hsds/services?per_page=10&page=1").get_json()
    total = first["total_items"]
    pages = first["total_pages"]
    assert pages == -(-total // 10) >= 3
    assert (first["first_page"], first["last_page"], first["size"]) == (True, False, 10)
    middle = client.get("/hsds/services?per_page=10&page=2").get_json()
    assert (middle["first_page"], middle["last_page"], middle["page_number"]) == (False, False, 2)
    last = client.get(f"/hsds/services?per_page=10&page={pages}").get_json()
    assert (last["first_page"], last["last_page"]) == (False, True)
    assert last["size"] == len(last["contents"]) == total - 10 * (pages - 1)
    seen = [
        item["id"]
        for page in range(1, pages + 1)
        for item in client.get(f"/hsds/services?per_page=10&page={page}").get_json()["contents"]
    ]
    assert len(seen) == len(set(seen)) == total
    beyond = client.get(f"/hsds/services?per_page=10&page={pages + 1}").get_json()
    assert (beyond["empty"], beyond["contents"], beyond["last_page"]) == (True, [], True)


def test_ndjson_streams_every_result_without_paging(client):
    response = client.get("/hsds/services?format=ndjson&per_page=5")
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    total = client.get("/hsds/services").get_json()["total_items"]
    assert len(lines) == total > 5


# --- demo listings and hidden addresses -------------------------------------------------------


def test_demo_listings_only_when_asked_for(client):
    assert KIRKSTALL not in ids(client, "/hsds/services")
    assert KIRKSTALL in ids(client, "/hsds/services?include_demo=true")
    assert client.get(f"/hsds/services/{KIRKSTALL}").status_code == 404
    organizations = every_item(client, "/hsds/organizations")
    assert not any(org["x_signpost"]["demo"] for org in organizations)


def _locations_by_visibility(client: Any, visibility: str) -> list[dict[str, Any]]:
    links = every_item(client, "/hsds/service_at_locations?include_demo=true")
    found = []
    for link in links:
        if link["location"]["x_signpost"]["address_visibility"] == visibility:
            full = client.get(f"/hsds/service_at_locations/{link['id']}?include_demo=true")
            found.append(full.get_json())
    assert found, f"the demo data has no {visibility} location"
    return found


def test_hidden_addresses_show_nothing_precise(client):
    for link in _locations_by_visibility(client, "hidden"):
        location = link["location"]
        assert "latitude" not in location
        assert "longitude" not in location
        assert "name" not in location
        (address,) = location["addresses"]
        assert (address["address_1"], address["postal_code"]) == ("", "")
        assert address["city"]


def test_area_only_addresses_show_the_district_and_a_rounded_point(client):
    for link in _locations_by_visibility(client, "area_only"):
        location = link["location"]
        (address,) = location["addresses"]
        assert address["address_1"] == ""
        assert " " not in address["postal_code"]
        assert round(location["latitude"], 2) == location["latitude"]


def test_a_hidden_address_cannot_be_found_by_narrowing_a_radius(seeded_app, client):
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models import Location

    with seeded_app.app_context():
        hidden = db.session.scalars(
            select(Location).where(Location.address_visibility == "hidden")
        ).first()
        assert hidden is not None
        point, link_ids = (
            f"{hidden.latitude},{hidden.longitude}",
            {link.id for link in hidden.service_links},
        )
    url = f"/hsds/service_at_locations?include_demo=true&postcode={point}&proximity=200"
    assert not link_ids & ids(client, url)


# --- filters ----------------------------------------------------------------------------------


def full_services(client: Any, query: str) -> list[dict[str, Any]]:
    return every_item(client, f"/hsds/services?include_demo=true&full=true&{query}")


def test_search_finds_words_in_name_or_description(client):
    found = full_services(client, "search=eating")
    assert "Beat" in {s["name"] for s in found}
    assert all("eating" in (s["name"] + s["description"]).lower() for s in found)


def test_taxonomy_term_id_finds_services_with_that_issue(client):
    found = full_services(client, f"taxonomy_term_id={EATING_DISORDERS}")
    assert found
    assert all(EATING_DISORDERS in {a["taxonomy_term_id"] for a in s["attributes"]} for s in found)


def test_taxonomy_term_id_of_a_kind_finds_that_kind(client):
    found = full_services(client, f"taxonomy_term_id={HELPLINE}")
    assert found
    assert {s["x_signpost"]["kind"] for s in found} == {"helpline"}


def test_taxonomy_id(client):
    everything = ids(client, "/hsds/services")
    assert ids(client, f"/hsds/services?taxonomy_id={ISSUES}") == everything
    assert ids(client, "/hsds/services?taxonomy_id=no-such-taxonomy") == set()


def test_organization_id(client):
    anxiety_uk = client.get(f"/hsds/services/{ANXIETY_UK}").get_json()
    found = every_item(client, f"/hsds/services?organization_id={anxiety_uk['organization_id']}")
    assert {s["organization_id"] for s in found} == {anxiety_uk["organization_id"]}
    assert ANXIETY_UK in {s["id"] for s in found}


def test_modified_after(client):
    assert ids(client, "/hsds/services?modified_after=2000-01-01T00:00:00Z") == ids(
        client, "/hsds/services"
    )
    assert ids(client, "/hsds/services?modified_after=2999-01-01T00:00:00Z") == set()


def test_minimum_and_maximum_age(client):
    adults = every_item(client, "/hsds/services?include_demo=true&minimum_age=18")
    assert adults
    assert all(s["minimum_age"] >= 18 for s in adults)
    young = every_item(client, "/hsds/services?include_demo=true&maximum_age=25")
    assert young
    assert all(s["maximum_age"] <= 25 for s in young)


def test_postcode_and_proximity_in_metres(client):
    # Kirkstall's room is in LS5; the district's centre is within a few kilometres of it.
    near = "postcode=LS5%203HP&proximity=5000"
    found = full_services(client, near)
    assert KIRKSTALL in {s["id"] for s in found}
    assert all(s["service_at_locations"] for s in found)
    assert KIRKSTALL not in ids(
        client, "/hsds/services?include_demo=true&postcode=EH1&proximity=5000"
    )
    links = every_item(client, f"/hsds/service_at_locations?include_demo=true&{near}")
    assert KIRKSTALL in {link["service_id"] for link in links}
    assert ids(client, "/hsds/services?include_demo=true&postcode=LS5&proximity=1") == set()


def test_postcode_alone_checks_the_service_area(client):
    in_edinburgh = full_services(client, "postcode=EH1")
    names = {s["name"] for s in in_edinburgh}
    assert "Samaritans" in names
    assert all(
        "Scotland" in {a["name"] for a in s["service_areas"]} or s["service_at_locations"]
        for s in in_edinburgh
        if s["x_signpost"]["coverage"]["scope"] == "national"
    )
    assert KIRKSTALL not in {s["id"] for s in in_edinburgh}
    assert KIRKSTALL in ids(client, "/hsds/services?include_demo=true&postcode=LS5%203HP")


def test_day_and_start_time(client):
    found = full_services(client, "day=TU&start_time=18:00")
    assert KIRKSTALL in {s["id"] for s in found}
    for service in found:
        assert any(
            "TU" in row["byday"].split(",") and row["opens_at"] >= "18:00:00"
            for row in service["schedules"]
        )
    assert KIRKSTALL not in {s["id"] for s in full_services(client, "day=WE&start_time=18:00")}


def test_end_time(client):
    found = full_services(client, "day=TU&start_time=18:00&end_time=21:00")
    assert KIRKSTALL in {s["id"] for s in found}
    for service in found:
        assert any(
            "TU" in row["byday"]
            and "18:00:00" <= row["opens_at"]
            and row["closes_at"] <= "21:00:00"
            for row in service["schedules"]
        )
    # The group meets 18:30-20:30, so it does not end by 20:00.
    early = full_services(client, "day=TU&start_time=18:00&end_time=20:00")
    assert KIRKSTALL not in {s["id"] for s in early}


def test_filters_combine_with_and(client):
    both = ids(client, f"/hsds/services?search=beat&taxonomy_term_id={HELPLINE}")
    assert both == ids(client, "/hsds/services?search=beat") & ids(
        client, f"/hsds/services?taxonomy_term_id={HELPLINE}"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("day=XX", "day"),
        ("start_time=25:00", "start_time"),
        ("proximity=100", "proximity"),
        ("postcode=ZZ99%20nowhere", "postcode"),
        ("modified_after=yesterday", "modified_after"),
        ("format=xml", "format"),
        ("per_page=0", "per_page"),
    ],
)
def test_bad_values_are_named(client, query, field):
    response = client.get(f"/hsds/services?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


@needs_oruk
def test_the_schema_check_can_fail(client):
    body = client.get(f"/hsds/services/{ANXIETY_UK}").get_json()
    broken = {**body, "id": "not-a-uuid", "status": "open", "last_modified": "yesterday"}
    del broken["name"]
    found = " ".join(errors(broken, "service"))
    for part in ("'name' is a required property", "not-a-uuid", "'open'", "yesterday"):
        assert part in found
