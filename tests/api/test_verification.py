"""Verification and staleness: verify stamps the date and the key; services last checked over
STALE_DAYS ago say `stale: true` everywhere and rank below otherwise-equal fresh ones."""

from __future__ import annotations

from datetime import date

from directory.hours import now_in_london
from tests.api.conftest import service_body

AT = "2026-11-25T15:00:00Z"


def make_twins(world):
    """Two services equal in everything search weighs but their names (Alpha sorts first)."""
    ids = {}
    for name in ("Alpha", "Bravo"):
        body = service_body(
            world.organization_id,
            slug=f"{name.lower()}-line",
            name=f"{name} Line",
            description="Quokkas listen to you.",
            last_verified_at="2026-11-20",
        )
        response = world.client.post("/api/v1/services", json=body, headers=world.auth("writer"))
        assert response.status_code == 201, response.get_json()
        ids[name] = response.get_json()["id"]
    return ids


def search_order(world, ids):
    found = world.client.post("/api/v1/search", json={"q": "quokkas", "at": AT}).get_json()
    names = {v: k for k, v in ids.items()}
    return [names[hit["id"]] for hit in found["contents"] if hit["id"] in names], found


def set_verified(world, service_id, day):
    url = f"/api/v1/services/{service_id}"
    response = world.client.patch(
        url, json={"last_verified_at": day}, headers=world.auth("writer", world.etag(url))
    )
    assert response.status_code == 200, response.get_json()


def test_a_stale_service_ranks_below_its_fresh_twin_and_says_so(world):
    ids = make_twins(world)
    order, found = search_order(world, ids)
    assert order == ["Alpha", "Bravo"]  # equal: by name
    assert not any(hit["stale"] for hit in found["contents"])
    set_verified(world, ids["Alpha"], "2026-05-01")  # 208 days before AT
    order, found = search_order(world, ids)
    assert order == ["Bravo", "Alpha"]
    assert {hit["name"]: hit["stale"] for hit in found["contents"]} == {
        "Alpha Line": True,
        "Bravo Line": False,
    }


def test_the_configured_stale_days_draw_the_line(world, monkeypatch):
    ids = make_twins(world)
    set_verified(world, ids["Alpha"], "2026-11-14")  # 11 days before AT: fresh at 180 days
    assert search_order(world, ids)[0] == ["Alpha", "Bravo"]
    # monkeypatch puts it back: on PostgreSQL the tests share one app.
    monkeypatch.setitem(world.app.config, "STALE_DAYS", 10)
    order, found = search_order(world, ids)
    assert order == ["Bravo", "Alpha"]
    one = world.client.get(f"/api/v1/services/{ids['Alpha']}?at={AT}").get_json()
    assert one["stale"] is True
    listed = world.client.get(f"/api/v1/services?at={AT}&per_page=100").get_json()["contents"]
    assert {s["name"]: s["stale"] for s in listed}["Alpha Line"] is True


def test_the_feed_and_triage_carry_the_flag(world):
    ids = make_twins(world)
    set_verified(world, ids["Alpha"], "2020-01-01")
    set_verified(world, ids["Bravo"], now_in_london().date().isoformat())
    feed = world.client.get(f"/hsds/services/{ids['Alpha']}").get_json()
    assert feed["x_signpost"]["stale"] is True
    fresh = world.client.get(f"/hsds/services/{ids['Bravo']}").get_json()
    assert fresh["x_signpost"]["stale"] is False
    triage = world.client.post(
        "/api/v1/triage",
        json={"answers": {"immediate_danger": "no", "suicidal_thoughts": "no"}, "at": AT},
    ).get_json()
    assert triage["recommendations"]
    assert all(r["service"]["stale"] is False for r in triage["recommendations"])


def test_verify_stamps_today_and_the_key_and_clears_stale(world):
    url = f"/api/v1/services/{world.service_id}"
    set_verified(world, world.service_id, "2020-01-01")
    assert world.client.get(url).get_json()["stale"] is True
    response = world.client.post(
        f"{url}/verify",
        json={"note": "Called the line on 25 November"},
        headers=world.auth("writer", world.etag(url)),
    )
    assert response.status_code == 200, response.get_json()
    shown = world.client.get(url, headers=world.auth("reader")).get_json()
    assert shown["stale"] is False
    assert shown["verification"]["last_verified_at"] == now_in_london().date().isoformat()
    assert shown["verification"]["verified_by"] == "writer"
    assert shown["verification"]["note"] == "Called the line on 25 November"
    assert shown["verification"]["status"] == "verified"
    public = world.client.get(url).get_json()
    assert "verified_by" not in public["verification"]  # a key's name is for editors


def test_verify_without_if_match_is_428_and_with_a_stale_one_412(world):
    url = f"/api/v1/services/{world.service_id}"
    assert world.client.post(f"{url}/verify", headers=world.auth("writer")).status_code == 428
    stale = world.client.post(f"{url}/verify", json={}, headers=world.auth("writer", '"v999"'))
    assert stale.status_code == 412


def test_today_is_never_stale():
    from directory.search.ranking import is_stale

    today = date(2026, 11, 25)
    assert not is_stale(today, today, 0)
    assert is_stale(None, today, 180)
