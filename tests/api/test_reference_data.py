"""Organisations, taxonomies and taxonomy terms, and the operations endpoints."""

from __future__ import annotations

from tests.helpers import all_pages, by_name


def test_taxonomy_terms_carry_lay_synonyms(client):
    terms = all_pages(client, "/api/v1/taxonomy_terms?taxonomy=issues")
    bereavement = next(t for t in terms if t["code"] == "bereavement")
    assert "grief" in bereavement["synonyms"]
    panic = next(t for t in terms if t["code"] == "panic")
    assert panic["parent"] == "anxiety"
    kinds = all_pages(client, "/api/v1/taxonomy_terms?taxonomy=service-kinds")
    assert {"helpline", "text_line", "emergency"} <= {k["code"] for k in kinds}
    assert not {t["code"] for t in terms} & {k["code"] for k in kinds}


def test_taxonomies(client):
    body = client.get("/api/v1/taxonomies").get_json()
    assert {t["slug"] for t in body["contents"]} == {"issues", "service-kinds"}


def test_organisation_lists_its_services(client):
    organizations = all_pages(client, "/api/v1/organizations")
    mind = next(o for o in organizations if o["name"] == "Mind")
    one = client.get(f"/api/v1/organizations/{mind['id']}").get_json()
    assert {"Mind Infoline", "Side by Side (Mind)"} <= {s["name"] for s in one["services"]}


def test_service_links_back_to_its_organisation(client):
    samaritans = by_name(all_pages(client, "/api/v1/services?kind=helpline"), "Samaritans")
    organization = client.get(f"/api/v1/organizations/{samaritans['organization']['id']}")
    assert organization.status_code == 200
    assert organization.get_json()["name"] == samaritans["organization"]["name"]


def test_health_and_ready(client):
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/ready").get_json() == {"status": "ready"}


def test_ready_fails_when_the_database_is_unreachable():
    from directory import create_app

    # Nothing listens on port 9: the connection is refused at once.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2"
        }
    )
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json()["code"] == 503
