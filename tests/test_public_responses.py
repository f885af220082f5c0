"""What every public response may show: a hidden or area-only address never, in any endpoint;
markup stored in a service's name as data in JSON, and escaped on every page that shows it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import Location, Service
from tests.conftest import _make_app, _seed
from tests.helpers import WEDNESDAY_AFTERNOON

# A demo group in Leeds with one venue; its address and position are replaced by markers.
SLUG = "leeds-hyde-park-young-lgbtq-group"
STREET = "7 Zqxsecret Grove"
VENUE = "Zqx Refuge Venue"
POSTCODE = "LS6 9ZQ"
LATITUDE, LONGITUDE = 53.815137, -1.571294


def _service(slug: str = SLUG) -> Service:
    return db.session.scalars(select(Service).where(Service.slug == slug)).one()


@pytest.fixture
def hidden(app, seed, request):
    """The group's venue at a marked address with the given visibility; its ids."""
    seed(demo=True)
    with app.app_context():
        service = _service()
        link = service.location_links[0]
        location: Location = link.location
        location.address, location.name, location.postcode = STREET, VENUE, POSTCODE
        location.latitude, location.longitude = LATITUDE, LONGITUDE
        location.address_visibility = request.param
        db.session.commit()
        return {
            "service": service.id,
            "organization": service.organization_id,
            "link": link.id,
            "visibility": request.param,
        }


def _public_responses(client: Any, ids: dict[str, str]) -> dict[str, str]:
    """The text of every public response that can carry the service, by what was asked."""
    service, link = ids["service"], ids["link"]
    demo = "include_demo=true"
    search = {"near": "LS6", "issue": "loneliness", "per_page": 50, "at": WEDNESDAY_AFTERNOON}
    triage = {
        "answers": {
            "immediate_danger": "no",
            "suicidal_thoughts": "no",
            "age": 16,
            "place": "LS6",
            "issues": ["loneliness", "sexuality-gender-identity"],
        },
        "at": WEDNESDAY_AFTERNOON,
    }
    requests = {
        "service": client.get(f"/api/v1/services/{service}"),
        "service in England": client.get(f"/api/v1/services/{service}?nation=ENG"),
        "services": client.get("/api/v1/services?issue=sexuality-gender-identity&per_page=100"),
        "organization": client.get(f"/api/v1/organizations/{ids['organization']}"),
        "search GET": client.get(
            "/api/v1/search?" + "&".join(f"{k}={v}" for k, v in search.items())
        ),
        "search POST": client.post("/api/v1/search", json=search),
        "triage": client.post("/api/v1/triage", json=triage),
        "hsds service": client.get(f"/hsds/services/{service}?{demo}"),
        "hsds services": client.get(f"/hsds/services?per_page=1000&{demo}"),
        "hsds services full": client.get(f"/hsds/services?full=true&per_page=1000&{demo}"),
        "hsds ndjson": client.get(f"/hsds/services?format=ndjson&full=true&{demo}"),
        "hsds service_at_locations": client.get(f"/hsds/service_at_locations?per_page=1000&{demo}"),
        "hsds service_at_location": client.get(f"/hsds/service_at_locations/{link}?{demo}"),
        "hsds near LS6": client.get(
            f"/hsds/service_at_locations?postcode=LS6&proximity=5000&per_page=1000&{demo}"
        ),
        "find page": client.get("/find?near=LS6&issue=loneliness"),
        "handout": client.get(f"/handout?nation=ENG&service={service}"),
    }
    texts = {}
    for name, response in requests.items():
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:300])
        texts[name] = response.get_data(as_text=True)
        response.close()
    return texts


@pytest.mark.parametrize("hidden", ["hidden", "area_only"], indirect=True)
def test_a_hidden_address_is_in_no_public_response(app, hidden):
    texts = _public_responses(app.test_client(), hidden)
    for name, text in texts.items():
        # Triage may leave the group out, and a hidden venue has no position to be near.
        if name not in ("triage", "hsds near LS6"):
            assert hidden["service"] in text, f"{name}: the service is not in the response"
        assert "Zqxsecret" not in text, name
        assert VENUE not in text, name
        assert POSTCODE not in text, name
        # Exact coordinates, in any precision finer than about a kilometre.
        assert not re.search(r"53\.815\d", text), name
        assert not re.search(r"-1\.571\d", text), name
    # Distances from several places cannot be combined to find it: whole kilometres only.
    hits = json.loads(texts["search POST"])["contents"]
    hit = next(h for h in hits if h["id"] == hidden["service"])
    assert hit["distance_km"] == round(hit["distance_km"])
    if hidden["visibility"] == "area_only":
        locations = json.loads(texts["service"])["locations"]
        assert [location["postcode"] for location in locations] == ["LS6"]


@pytest.mark.parametrize("hidden", ["public"], indirect=True)
def test_the_check_finds_a_public_address(app, hidden):
    """The same check on a public address finds it: the test above can fail."""
    texts = _public_responses(app.test_client(), hidden)
    assert STREET in texts["service"]
    assert STREET in texts["hsds service"]
    assert STREET in texts["hsds service_at_location"]
    assert str(LATITUDE) in texts["search POST"]


MARKUP = "<script>alert(1)</script><img src=x onerror=alert(1)>Zqx Group"


@pytest.fixture(scope="module")
def marked_up_app(backend):
    """One seeded app per backend for these read-only tests, the group renamed to markup."""
    app = _make_app(backend, "signpost_markup")
    _seed(app)
    with app.app_context():
        service = _service()
        service.name = MARKUP
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def marked_up(marked_up_app):
    with marked_up_app.app_context():
        return _service().id


def test_markup_in_a_name_comes_back_as_data_in_json(marked_up_app, marked_up):
    client = marked_up_app.test_client()
    assert client.get(f"/api/v1/services/{marked_up}").get_json()["name"] == MARKUP
    search = client.post("/api/v1/search", json={"near": "LS6", "issue": "loneliness"})
    names = [hit["name"] for hit in search.get_json()["contents"]]
    assert MARKUP in names
    feed = client.get(f"/hsds/services/{marked_up}?include_demo=true").get_json()
    assert feed["name"] == MARKUP
    # JSON is never sniffed as a page.
    assert search.headers["X-Content-Type-Options"] == "nosniff"
    assert search.mimetype == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/find?near=LS6&issue=loneliness",
        "/find?q=Zqx",
        "/handout?nation=ENG&service={id}",
    ],
)
def test_markup_in_a_name_is_escaped_on_every_page(marked_up_app, marked_up, url):
    response = marked_up_app.test_client().get(url.format(id=marked_up))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zqx Group" in html  # the service is on the page...
    assert "<script>alert" not in html  # ...as text, never as markup
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_markup_in_a_name_is_data_in_the_handout_text(marked_up_app, marked_up):
    html = (
        marked_up_app.test_client()
        .get(f"/handout?nation=ENG&service={marked_up}")
        .get_data(as_text=True)
    )
    text = re.search(r'<textarea id="handout-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "&lt;script&gt;" in text
    assert "<script>" not in text


def test_triage_names_come_back_as_data(marked_up_app, marked_up):
    answers = {"immediate_danger": "no", "suicidal_thoughts": "no", "age": 16, "place": "LS6"}
    body = marked_up_app.test_client().post("/api/v1/triage", json={"answers": answers}).get_json()
    names = [r["service"]["name"] for r in body["recommendations"]]
    names += [e["service"]["name"] for e in body["excluded"]]
    assert MARKUP in names
    assert MARKUP in json.dumps(body, ensure_ascii=False)
