"""GET and POST /api/v1/search: text, synonyms, typos, places, coverage, open-now, facets."""

from __future__ import annotations

import pytest

from tests.helpers import WEDNESDAY_AFTERNOON, WEDNESDAY_SMALL_HOURS


def search(client, **body):
    response = client.post("/api/v1/search", json={"per_page": 100, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def names(body):
    return [hit["name"] for hit in body["contents"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("grief", "Cruse Bereavement Support"),  # synonym of bereavement
        ("panic attacks", "Anxiety UK"),  # narrower term finds its broader one's services
        ("eating disorder", "Beat"),
        ("anxeity", "Anxiety UK"),  # typos
        ("berevement", "Cruse Scotland"),
        ("loneliess", "The Silver Line (Age UK)"),
        ("samar", "Samaritans"),  # type-ahead prefix
        ("gamblin", "National Gambling Helpline (GamCare)"),  # a prefix past the word's stem
        ("Samaritans", "Samaritans"),
    ],
)
def test_text_finds_the_right_service(client, typed, expected):
    assert expected in names(search(client, q=typed))


def test_synonym_is_explained(client):
    body = search(client, q="grief", include_demo=False)
    cruse = next(h for h in body["contents"] if h["name"] == "Cruse Bereavement Support")
    assert {"typed": "grief", "issue": "bereavement"} in cruse["matched"]["synonyms"]
    assert body["query"]["synonyms"] == [{"typed": "grief", "issue": "bereavement"}]


def test_typo_gives_a_suggestion(client):
    body = search(client, q="anxeity helpline")
    assert body["suggestion"] == "anxiety helpline"


def test_name_matches_rank_above_description_matches(client):
    body = search(client, q="samaritans", include_demo=False)
    assert names(body)[0] == "Samaritans"


@pytest.mark.parametrize(
    "hostile",
    ['"', "*", "NEAR", "AND", "OR NOT", "🙂", "x" * 2048, "a\u0000b", "'; --", "(", "^"],
)
def test_hostile_queries_never_500(client, hostile):
    for response in (
        client.post("/api/v1/search", json={"q": hostile}),
        client.get("/api/v1/search", query_string={"q": hostile}),
    ):
        assert response.status_code == 200
        assert response.get_json()["safety"]["emergency"]["value"] == "999"


def test_search_near_a_postcode_puts_local_services_first_with_distance(client):
    body = search(client, q="peer support", near="LS6 2AB")
    local = [h for h in body["contents"] if h["distance_km"] is not None]
    assert local, "expected Leeds demo services"
    assert all(h["distance_km"] <= 25 for h in local)
    assert body["place"]["district"] == "LS6"
    assert body["place"]["nation"] == "ENG"
    assert body["safety"]["urgent"][0]["name"] == "NHS 111 mental health option"


def test_a_place_typed_into_the_query_is_understood(client):
    body = search(client, q="grief LS6")
    assert body["place"]["district"] == "LS6"
    assert body["query"]["text"] == "grief"


def test_scotland_only_service_is_never_offered_in_leeds(client):
    leeds = names(search(client, near="Leeds", include_demo=False))
    assert "Breathing Space" not in leeds
    assert "NHS 24 Mental Health Hub" not in leeds
    assert "Samaritans" in leeds
    edinburgh = names(search(client, near="EH1", include_demo=False))
    assert "Breathing Space" in edinburgh


def test_local_services_only_where_they_cover(client):
    leeds = search(client, near="LS1")
    assert not any(
        loc["town"] in ("Edinburgh", "Belfast")
        for hit in leeds["contents"]
        for loc in hit["locations"]
    )


def test_commissioned_service_only_inside_its_areas(client, seeded_app):
    # The demo Talking Therapies services are commissioned for listed districts only.
    from directory.extensions import db
    from directory.models import Coverage, Service

    with seeded_app.app_context():
        row = db.session.execute(
            db.session.query(Service.name, Coverage.areas)
            .join(Coverage)
            .where(Coverage.scope == "commissioned", Service.demo)
            .statement
        ).first()
    assert row is not None
    name, areas = row
    inside = names(search(client, near=areas[0], radius_km=200))
    assert name in inside
    outside = names(search(client, near="Inverness", radius_km=200))
    assert name not in outside


def test_open_now_at_fixed_instants(client):
    night = names(search(client, open_now=True, at=WEDNESDAY_SMALL_HOURS, include_demo=False))
    assert "Samaritans" in night
    assert "SANEline" not in night
    day = names(search(client, open_now=True, at=WEDNESDAY_AFTERNOON, include_demo=False))
    assert "Switchboard LGBT+" in day


def test_filters_apply(client):
    body = search(client, q="support", nation="SCT", include_demo=False)
    for hit in body["contents"]:
        assert "SCT" in hit["coverage"]["nations"]
    assert "Shout" in names(search(client, channel="text", include_demo=False))
    welsh = names(search(client, language="cy", include_demo=False))
    assert "Samaritans" in welsh


def test_facets_add_up(client):
    body = search(client, q="support", per_page=5)
    assert sum(body["facets"]["kind"].values()) == body["total_items"]
    assert all(n <= body["total_items"] for n in body["facets"]["issue"].values())
    assert all(n <= body["total_items"] for n in body["facets"]["channel"].values())
    assert body["size"] == 5


def test_results_are_deterministic(client):
    first = search(client, q="support", near="Cardiff", at=WEDNESDAY_AFTERNOON)
    second = search(client, q="support", near="Cardiff", at=WEDNESDAY_AFTERNOON)
    assert [h["id"] for h in first["contents"]] == [h["id"] for h in second["contents"]]


def test_get_and_post_agree(client):
    posted = search(client, q="grief", near="EH1", per_page=20)
    got = client.get("/api/v1/search?q=grief&near=EH1&per_page=20").get_json()
    assert [h["id"] for h in got["contents"]] == [h["id"] for h in posted["contents"]]


def test_unknown_place_is_422_with_suggestions(client):
    response = client.post("/api/v1/search", json={"near": "Inverneess"})
    assert response.status_code == 422
    message = response.get_json()["errors"]["near"][0]
    assert "Inverness" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"radius_km": 0}, "radius_km"),
        ({"age": "old"}, "age"),
        ({"nation": "FR"}, "nation"),
        ({"colour": "blue"}, "colour"),
        ({"issue": "no-such-issue"}, "issue"),
        ({"q": "x" * 5000}, "q"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, body, field):
    response = client.post("/api/v1/search", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_every_response_carries_the_safety_block(client):
    body = search(client, q="zzzzqqq")
    assert body["total_items"] == 0
    assert body["safety"]["listening"][0]["value"] == "116 123"
    assert len(body["safety"]["urgent"]) == 4  # nation unknown: all four


def test_hidden_and_area_only_services_show_whole_km_only(client):
    body = search(client, near="M15", radius_km=30, per_page=100)
    private = [
        hit
        for hit in body["contents"]
        if hit["distance_km"] is not None
        and {loc["address_visibility"] for loc in hit["locations"]} - {"public"}
    ]
    assert private, "the Manchester demo set has hidden and area-only services"
    for hit in private:
        assert hit["distance_km"] == round(hit["distance_km"])
        assert hit["matched"]["place"]["distance_km"] == hit["distance_km"]


def test_accents_do_not_matter_on_either_database(client):
    for typed in ("café", "cafe", "CAFÉ"):
        found = names(search(client, q=f"crisis {typed}"))
        assert "Woodhouse Moor Evening Crisis Café" in found, typed


def test_an_always_available_website_does_not_make_a_service_open(client):
    # Beeston Hill Men's Talking Group meets on Monday evenings; its web page is up 24/7.
    body = search(client, q="Beeston Hill Men", at="2026-11-26T10:00:00Z")
    group = next(h for h in body["contents"] if h["name"] == "Beeston Hill Men's Talking Group")
    assert group["open_now"] is False
    assert group["next_open"].startswith("2026-11-30T17:00")
    assert {c["type"]: c["open_now"] for c in group["channels"]}["website"] is True
    closed = search(client, q="Beeston Hill Men", at="2026-11-26T10:00:00Z", open_now=True)
    assert "Beeston Hill Men's Talking Group" not in names(closed)


@pytest.mark.parametrize("issue", ["anxiety", "panic", "bereavement", "eating-disorders"])
def test_both_issue_filters_find_the_same_services(seeded_app, issue):
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models import SearchDocument
    from directory.search.filters import issue_clause, issue_copy_clause

    with seeded_app.app_context():
        session = db.session
        by_links = set(session.scalars(select(SearchDocument.id).where(issue_clause([issue]))))
        by_copy = set(
            session.scalars(select(SearchDocument.id).where(issue_copy_clause(session, [issue])))
        )
        # With a nation, search_issue's copy of the nations decides as the document's would.
        for nation in ("ENG", "SCT", "WLS", "NIR"):
            in_nation = set(
                session.scalars(select(SearchDocument.id).where(issue_clause([issue], nation)))
            )
            there = set(
                session.scalars(
                    select(SearchDocument.id).where(SearchDocument.nations.like(f"% {nation} %"))
                )
            )
            assert in_nation == by_links & there, nation
    assert by_links
    assert by_links == by_copy


def test_without_phone_keeps_services_reachable_another_way(client):
    everything = search(client, q="support", per_page=100)
    without = search(client, q="support", without_phone=True, per_page=100)
    phone_only = [
        hit["name"]
        for hit in everything["contents"]
        if {c["type"] for c in hit["channels"]} <= {"phone", "website"}
    ]
    assert phone_only
    assert without["contents"]
    assert not set(phone_only) & set(names(without))
    for hit in without["contents"]:
        assert {c["type"] for c in hit["channels"]} - {"phone", "website"}


def test_when_few_here_match_every_word_any_will_do(client, monkeypatch):
    from directory.search import fulltext
    from directory.search import service as search_service

    # With the threshold at 1 (20 in use): crisis cafés match both words, enough in the
    # country that the text index alone would not widen the search; none of them is in
    # Truro, or national.
    monkeypatch.setattr(fulltext, "MIN_EVERY_MATCHES", 1)
    monkeypatch.setattr(search_service, "MIN_EVERY_MATCHES", 1)
    assert search(client, q="crisis cafe")["total_items"] >= 10
    truro = search(client, q="crisis cafe", near="TR1")
    assert truro["total_items"] > 0
    for hit in truro["contents"]:
        assert set(hit["matched"]["terms"]) < {"crisis", "cafe"}


@pytest.mark.parametrize(
    ("q", "near"),
    [("crisis cafe", "LS6"), ("grief", "M1"), ("panic attacks", "CF10"), ("group", "EH1")],
)
def test_keeping_nearby_to_text_matches_changes_no_result(client, monkeypatch, q, near):
    from directory.search import service as search_service

    kept = search(client, q=q, near=near)
    monkeypatch.setattr(search_service, "matching_any", lambda *_: None)
    every_nearby = search(client, q=q, near=near)
    assert kept["total_items"] > 0
    assert names(kept) == names(every_nearby)
    assert kept["facets"] == every_nearby["facets"]


@pytest.mark.parametrize(
    ("hours", "open_monday", "closed_monday"),
    [
        # Closed on bank holidays: open on an ordinary Monday, closed on the August one.
        ({"bank_holidays": "closed"}, "2026-11-23T10:00:00Z", "2026-08-31T10:00:00+01:00"),
        # Hours that only start next year are not open on a Monday before then.
        ({"valid_from": "2027-01-04"}, "2027-01-04T10:00:00Z", "2026-11-30T10:00:00Z"),
    ],
)
def test_open_now_applies_the_rules_weekly_intervals_cannot(
    world, hours, open_monday, closed_monday
):
    from tests.api.conftest import service_body

    rules = {"rules": [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]}
    body = service_body(world.organization_id, name="Quillfeather Listening Line")
    body["channels"][0]["hours"] = {**rules, **hours}
    created = world.client.post("/api/v1/services", json=body, headers=world.auth("writer"))
    assert created.status_code == 201, created.get_json()

    def found(at, **open_now):
        return names(search(world.client, q="Quillfeather", at=at, **open_now))

    assert found(open_monday, open_now=True) == ["Quillfeather Listening Line"]
    assert found(closed_monday, open_now=True) == []
    (hit,) = search(world.client, q="Quillfeather", at=closed_monday)["contents"]
    assert hit["open_now"] is False


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("samar", ["samar"]),  # the last word as a prefix
        ("samaritans", ["samaritans"]),  # a whole word
        ("samaritans listeners", ["samaritans"]),  # a word the service is not found by
        ("samaritans emailing", ["samaritans", "emailing"]),  # its stem is: "email"
        # Words past the first 200 characters of what it is found by count too.
        ("samaritans anyone", ["samaritans", "anyone"]),
    ],
)
def test_matched_terms_are_the_words_the_service_is_found_by(client, typed, terms):
    body = search(client, q=typed, include_demo=False)
    samaritans = next(hit for hit in body["contents"] if hit["name"] == "Samaritans")
    assert samaritans["matched"]["terms"] == terms
