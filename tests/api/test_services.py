"""GET /api/v1/services and /services/{id}: filters, paging, channels by nation, addresses."""

from __future__ import annotations

import pytest

from tests.helpers import WEDNESDAY_AFTERNOON, WEDNESDAY_SMALL_HOURS, all_pages, by_name


def names(client, query: str) -> set[str]:
    return {s["name"] for s in all_pages(client, f"/api/v1/services?{query}")}


def test_beat_in_scotland_shows_its_scotland_line(client):
    body = client.get("/api/v1/services?issue=eating-disorders&nation=SCT").get_json()
    beat = by_name(body["contents"], "Beat")
    numbers = {c["value"] for c in beat["channels"] if c["type"] == "phone"}
    assert "0808 801 0432" in numbers  # the Scotland line
    assert "0808 801 0433" not in numbers  # not Wales'
    assert "0808 801 0434" not in numbers  # not Northern Ireland's


def test_without_a_nation_every_line_is_listed_with_its_nations(client):
    beat = by_name(all_pages(client, "/api/v1/services?issue=eating-disorders"), "Beat")
    lines = {c["value"]: c["nations"] for c in beat["channels"] if c["type"] == "phone"}
    assert lines["0808 801 0432"] == ["SCT"]
    assert lines["0808 801 0434"] == ["NIR"]


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("nation=SCT", "Breathing Space", "NHS 111 mental health option"),
        ("nation=NIR", "Lifeline", "Breathing Space"),
        ("nation=WLS", "NHS 111 Wales, press 2", "Lifeline"),
        ("age=14", "Childline", "Breathing Space"),  # Breathing Space is 16+
        ("age=30", "Breathing Space", "Childline"),  # Childline is under 19
        ("kind=text_line", "Shout", "Samaritans"),
        ("channel=text", "Shout", "CALM"),
        ("issue=bereavement", "Cruse Scotland", "Shout"),
        ("issue=anxiety", "Anxiety UK", "Cruse Scotland"),
        ("free=false", "Anxiety UK", "Samaritans"),  # normal call charges
        ("self_referral=false", "Togetherall", "Samaritans"),  # commissioned only
    ],
)
def test_filters(client, query, present, absent):
    found = names(client, query)
    assert present in found
    assert absent not in found


def test_a_broader_issue_finds_narrower_ones(seeded_app, client):
    # panic is narrower than anxiety: a service tagged only panic is still an anxiety service.
    panic = names(client, "issue=panic")
    assert panic <= names(client, "issue=anxiety")


def test_filters_combine_with_and(client):
    both = names(client, "nation=SCT&issue=bereavement")
    assert both == names(client, "nation=SCT") & names(client, "issue=bereavement")
    assert "Cruse Scotland" in both
    assert "Cruse Bereavement Support" not in both  # England, Wales and NI


def test_open_now_at_a_fixed_instant(client):
    small_hours = names(client, f"open_now=true&include_demo=false&at={WEDNESDAY_SMALL_HOURS}")
    assert "Samaritans" in small_hours
    assert "SANEline" not in small_hours  # 16:00-22:00
    afternoon = names(client, f"open_now=true&at={WEDNESDAY_AFTERNOON}")
    assert "Switchboard LGBT+" in afternoon  # 10:00-22:00
    closed = names(client, f"open_now=false&at={WEDNESDAY_SMALL_HOURS}")
    assert "SANEline" in closed
    assert not small_hours & closed


def test_unknown_hours_are_never_open_now(client):
    # Anxiety UK's hours are not verified: it must not be promised as open.
    assert "Anxiety UK" not in names(client, f"open_now=true&at={WEDNESDAY_AFTERNOON}")
    anxiety_uk = by_name(all_pages(client, "/api/v1/services?issue=anxiety"), "Anxiety UK")
    assert anxiety_uk["open_now"] is None
    assert anxiety_uk["hours"] is None


def test_next_open_says_when_a_closed_service_opens(client):
    services = all_pages(client, f"/api/v1/services?at={WEDNESDAY_SMALL_HOURS}")
    calm = by_name(services, "CALM")  # 17:00 to midnight daily
    assert calm["open_now"] is False
    assert calm["next_open"] == "2026-11-25T17:00:00+00:00"


def test_paging_envelope_walks_every_item_once(client):
    first = client.get("/api/v1/services?per_page=7").get_json()
    assert first["first_page"] is True
    assert first["size"] == 7
    assert first["total_pages"] == -(-first["total_items"] // 7)
    seen = []
    for page in range(1, first["total_pages"] + 1):
        body = client.get(f"/api/v1/services?per_page=7&page={page}").get_json()
        assert body["page_number"] == page
        assert body["last_page"] is (page == first["total_pages"])
        seen += [s["id"] for s in body["contents"]]
    assert len(seen) == len(set(seen)) == first["total_items"]
    past_the_end = client.get(f"/api/v1/services?per_page=7&page={page + 1}").get_json()
    assert past_the_end["empty"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("nation=XX", "nation"),
        ("age=-1", "age"),
        ("age=abc", "age"),
        ("kind=spaceship", "kind"),
        ("channel=pigeon", "channel"),
        ("issue=no-such-issue", "issue"),
        ("open_now=perhaps", "open_now"),
        ("at=yesterday", "at"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("colour=blue", "colour"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/services?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert field in body["errors"]
    assert field in body["message"]


def test_unverified_channels_are_never_published(client):
    services = all_pages(client, "/api/v1/services")
    published = {c["value"] for s in services for c in s["channels"]}
    # Held back in the reference table until an editor verifies them.
    for number in ("0808 801 0525", "0800 137 737", "0800 132 737", "86463"):
        assert number not in published
    assert all(c["verification"] != "unverified" for s in services for c in s["channels"])


def test_demo_listings_are_labelled(client):
    services = all_pages(client, "/api/v1/services")
    demo = [s for s in services if s["demo"]]
    assert len(demo) >= 60
    assert all("Demo listing" in s["labels"] for s in demo)
    assert not any(s["labels"] for s in services if not s["demo"])


def test_one_service_in_full(client):
    listed = by_name(all_pages(client, "/api/v1/services?nation=SCT"), "Breathing Space")
    response = client.get(f"/api/v1/services/{listed['id']}?at={WEDNESDAY_SMALL_HOURS}")
    assert response.status_code == 200
    service = response.get_json()
    assert service["eligibility"]["min_age"] == 16
    assert service["coverage"]["nations"] == ["SCT"]
    # Mon-Thu 18:00 to 02:00: closed at 03:00 on a Wednesday, open again at 18:00.
    assert service["open_now"] is False
    assert service["next_open"] == "2026-11-25T18:00:00+00:00"
    assert service["verification"]["source_url"].startswith("https://")
    assert service["verification"]["last_verified_at"] == "2026-11-23"
    phone = next(c for c in service["channels"] if c["type"] == "phone")
    assert phone["href"] == "tel:+44800838587"


def test_unknown_service_is_404_in_the_error_shape(client):
    response = client.get("/api/v1/services/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_address_visibility(client):
    services = [s for s in all_pages(client, "/api/v1/services") if s["locations"]]
    by_visibility: dict[str, list[dict]] = {}
    for service in services:
        for location in service["locations"]:
            by_visibility.setdefault(location["address_visibility"], []).append(location)
    assert all(loc["address"] and loc["postcode"] for loc in by_visibility["public"])
    for location in by_visibility["area_only"]:
        assert location["address"] is None
        assert " " not in (location["postcode"] or "")  # district only, e.g. LS6
        assert location["latitude"] == round(location["latitude"], 2)
    for location in by_visibility["hidden"]:
        assert location["address"] is None
        assert location["postcode"] is None
        assert location["latitude"] is None
        assert location["longitude"] is None
