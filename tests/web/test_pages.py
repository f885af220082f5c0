"""The receptionist's page, the handout, the embed and about pages, rendered on the server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def ticked_ids(html):
    return re.findall(r'name="service" value="([^"]+)"', html)


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("url", ["/", "/find"])
def test_the_lookup_page_starts_with_the_safety_block_and_the_form(client, url):
    html = page(client, url)
    assert html.index('class="safety"') < html.index('role="search"')
    for route in ("tel:999", "tel:111", "tel:08088088000", "tel:116123", "sms:85258"):
        assert route in html
    for field in ("near", "issue", "q", "age", "open_now", "no_phone", "self_referral"):
        assert f'name="{field}"' in html


def test_a_search_lists_services_to_tick_with_contacts_and_hours(client):
    html = page(client, "/find?near=LS6&issue=anxiety")
    ids = ticked_ids(html)
    assert len(ids) >= 3
    assert "for LS6" in html
    assert "Demo listing" in html
    assert "km away" in html
    assert 'href="tel:' in html
    assert "Referral" in html
    assert "Hours" in html
    # Leeds is in England: the safety block narrows to England's urgent line.
    assert "NHS 111 mental health option" in html
    assert "Lifeline" not in html
    assert 'name="nation" value="ENG"' in html


def test_self_referral_only_drops_services_that_need_a_referral(client):
    # Togetherall is reached only through a commissioning body (NHS area, university, employer).
    assert ">Togetherall<" in page(client, "/find?q=togetherall")
    assert ">Togetherall<" not in page(client, "/find?q=togetherall&self_referral=1")


def test_no_phone_keeps_only_services_reachable_another_way(client):
    html = page(client, "/find?q=samaritans&no_phone=1")
    assert "Showing services you can reach without a phone call" in html
    every = page(client, "/find?near=LS6&issue=anxiety")
    no_phone = page(client, "/find?near=LS6&issue=anxiety&no_phone=1")
    assert len(ticked_ids(no_phone)) < len(ticked_ids(every))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/find?near=Nowhereville", "Postcode or town: Unknown place"),
        ("/find?near=LS6&age=abc", "Age: Not a valid integer"),
        ("/find?issue=not-a-topic", "Unknown issue code"),
    ],
)
def test_bad_input_is_explained_on_the_page_not_a_json_error(client, url, message):
    html = page(client, url)
    assert 'class="error-summary"' in html
    assert message in html


def test_pages_with_a_search_are_never_cached_nor_sent_as_referrer(client):
    response = client.get("/find?near=LS6&issue=self-harm")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_handout_has_the_chosen_services_the_safety_block_and_the_date(client):
    ids = ticked_ids(page(client, "/find?near=LS6&issue=anxiety"))[:2]
    html = page(client, f"/handout?nation=ENG&service={ids[0]}&service={ids[1]}")
    for service_id in ids:
        assert f'id="service-{service_id}"' in html
    assert html.index('class="safety"') < html.index(f'id="service-{ids[0]}"')
    assert "Given on" in html
    assert 'media="print"' in html
    assert 'name="service"' not in html  # nothing to tick, nothing about the patient


def test_the_text_version_is_short_and_ends_with_the_urgent_routes(client):
    ids = ticked_ids(page(client, "/find?near=LS6&issue=anxiety"))[:3]
    html = page(client, "/handout?nation=ENG&" + "&".join(f"service={i}" for i in ids))
    text = re.search(r'<textarea id="handout-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    lines = text.strip().splitlines()
    assert len(lines) == 5  # title, three services, safety
    assert "999" in lines[-1]
    assert "116 123" in lines[-1]
    assert "85258" in lines[-1]
    assert len(text) <= 480  # three SMS segments at most


def test_a_handout_of_unknown_services_says_none_were_chosen(client):
    html = page(client, "/handout?service=no-such-service")
    assert "No services were chosen" in html
    assert 'class="safety"' in html


def test_embed_page_shows_the_snippet_and_a_live_preview(client):
    html = page(client, "/embed")
    assert "&lt;script src=&#34;http://localhost/static/widget.js&#34;" in html or (
        '&lt;script src="http://localhost/static/widget.js"' in html
    )
    assert "<signpost-search" in html
    for attribute in ("api-base", "issue", "nation", "near", "per-page", "accent", "heading"):
        assert f"<code>{attribute}</code>" in html


def test_about_page_keeps_the_start_page_links(client):
    html = page(client, "/about")
    assert 'href="/docs"' in html
    assert "tel:116123" in html


@pytest.mark.parametrize("url", ["/", "/find?near=LS6", "/handout?service=x", "/embed", "/about"])
def test_pages_have_no_inline_script_or_style_for_a_strict_csp(client, url):
    collector = TagCollector()
    collector.feed(page(client, url))
    for tag, attrs in collector.tags:
        assert tag != "style", url
        assert "style" not in attrs, (url, tag)
        assert not any(name.startswith("on") for name in attrs), (url, tag)
        if tag == "script":
            assert attrs.get("src"), url


@pytest.mark.parametrize("name", ["widget.js", "find.js", "site.css", "print.css"])
def test_static_files_are_served(client, name):
    with client.get(f"/static/{name}") as response:
        assert response.status_code == 200
