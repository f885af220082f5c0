"""The <signpost-search> widget in Chromium, embedded on a page from another origin."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import XSS_NAME, serious_axe_violations

pytestmark = pytest.mark.browser


def widget(page):
    return page.locator("signpost-search")


def open_host(page, host, **attributes):
    page.goto(f"{host}/?{urlencode(attributes)}")
    # Chips arrive from /taxonomy_terms: the widget has talked to the API.
    widget(page).locator(".chip").first.wait_for()


def results(page):
    return widget(page).locator("ol.results > li")


def test_finds_services_for_anxiety_with_the_need_kept_out_of_urls(page, host, signpost, artifacts):
    open_host(page, host)
    assert not page.url.startswith(signpost)  # the widget runs on another origin
    box = widget(page)
    box.get_by_label("What do you need help with?").fill("anxiety")
    with page.expect_request(f"{signpost}/api/v1/search") as searched:
        box.get_by_role("button", name="Search", exact=True).click()
    request = searched.value
    assert request.method == "POST"
    assert json.loads(request.post_data)["q"] == "anxiety"
    assert "anxiety" not in request.url
    results(page).first.wait_for()
    assert results(page).count() >= 3
    assert "Anxiety" in box.locator("ol.results").inner_text()
    # Which service comes first depends on what is open at the time the test runs; some of
    # the results are phone or text lines, and those show a link a phone can follow.
    assert box.locator("ol.results a[href^='tel:'], ol.results a[href^='sms:']").count() >= 1
    first = results(page).first
    assert first.get_by_role("button", name="Report a problem").is_visible()
    # The host page's CSS hides every button and turns text magenta; not inside the widget.
    search_button = box.get_by_role("button", name="Search", exact=True)
    assert search_button.is_visible()
    assert search_button.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
    box.screenshot(path=str(artifacts / "widget-anxiety.png"))


def test_finds_services_for_a_place_and_narrows_the_safety_block(page, host, artifacts):
    open_host(page, host, **{"per-page": 3})
    box = widget(page)
    assert "Lifeline" in box.locator(".safety").inner_text()  # all four nations at first
    box.get_by_label("Town or postcode (optional)").fill("Leeds")
    box.get_by_role("button", name="Search", exact=True).click()
    status = box.get_by_role("status").filter(has_text="found")
    status.wait_for()
    assert "near Leeds" in status.inner_text()
    assert "km away" in box.locator("ol.results").inner_text()
    safety = box.locator(".safety").inner_text()
    assert "NHS 111 mental health option" in safety
    assert "Lifeline" not in safety  # Leeds is in England
    assert results(page).count() == 3
    box.screenshot(path=str(artifacts / "widget.png"))


def test_an_issue_chip_and_attributes_start_a_search(page, host, signpost):
    with page.expect_request(f"{signpost}/api/v1/search") as searched:
        open_host(page, host, issue="eating-disorders", near="Glasgow")
    assert json.loads(searched.value.post_data) == {
        "per_page": 10,
        "near": "Glasgow",
        "issue": "eating-disorders",
    }
    chip = widget(page).get_by_role("button", name="Eating disorders")
    assert chip.get_attribute("aria-pressed") == "true"
    results(page).first.wait_for()
    assert "Beat" in widget(page).locator("ol.results").inner_text()


def test_a_service_named_with_markup_shows_as_text_and_as_out_of_date(page, host):
    open_host(page, host, near="LS6", issue="sexuality-gender-identity")
    card = widget(page).locator("article", has_text="Hyde Park Group")
    card.wait_for()
    assert card.locator("h3").inner_text() == XSS_NAME
    assert card.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert "May be out of date" in card.inner_text()
    assert "Demo listing" in card.inner_text()


def test_quick_exit_leaves_at_once_and_not_into_history(page, host):
    page.route(
        "https://www.bbc.co.uk/weather",
        lambda route: route.fulfill(body="<title>Weather</title>", content_type="text/html"),
    )
    page.goto("about:blank")
    open_host(page, host)
    widget(page).get_by_role("button", name="Quick exit").click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    page.go_back()
    assert not page.url.startswith(host)


def test_the_safety_block_shows_when_the_api_is_down(page, host, signpost):
    page.route(f"{signpost}/api/**", lambda route: route.abort())
    page.goto(host)
    box = widget(page)
    safety = box.locator(".safety")
    safety.wait_for()
    text = safety.inner_text()
    for line in ("999", "NHS 111 mental health option", "NHS 24", "press 2", "0808 808 8000"):
        assert line in text
    assert "116 123" in text
    assert "85258" in text
    assert safety.locator("a[href='tel:999']").count() == 1
    box.get_by_label("What do you need help with?").fill("panic")
    box.get_by_role("button", name="Search", exact=True).click()
    box.get_by_text("Search is not available right now").wait_for()
    assert "116 123" in safety.inner_text()


def test_report_a_problem_posts_the_reports_contract(page, host, signpost):
    reports = []

    def take_report(route):
        if route.request.method == "POST":
            reports.append((route.request.url, json.loads(route.request.post_data)))
        route.fulfill(
            status=201,
            json={"id": "r1"},
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.route(f"{signpost}/api/v1/services/*/reports", take_report)
    open_host(page, host, near="LS6", issue="anxiety")
    card = results(page).first
    card.get_by_role("button", name="Report a problem").click()
    card.get_by_label("What is wrong?").select_option("hours")
    card.get_by_label("Details").fill("Closed on Wednesdays now")
    card.get_by_role("button", name="Send report").click()
    card.get_by_text("Thank you").wait_for()
    assert len(reports) == 1
    url, body = reports[0]
    assert url.startswith(f"{signpost}/api/v1/services/")
    assert url.endswith("/reports")
    assert body == {"kind": "hours", "message": "Closed on Wednesdays now"}


def test_sets_no_cookies_and_stores_nothing(page, host, context):
    open_host(page, host, near="Leeds")
    results(page).first.wait_for()
    assert context.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_keyboard_only_search(page, host):
    open_host(page, host)
    page.keyboard.press("Tab")  # quick exit
    focused = widget(page).locator(":focus")
    assert focused.inner_text() == "Quick exit"
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    for _ in range(10):
        page.keyboard.press("Tab")
        if widget(page).evaluate("w => w.shadowRoot.activeElement.id") == "sp-q":
            break
    page.keyboard.type("bereavement")
    page.keyboard.press("Enter")
    results(page).first.wait_for()
    assert "Bereavement" in widget(page).locator("ol.results").inner_text()


def test_no_serious_accessibility_violations_in_the_widget(page, host, artifacts):
    open_host(page, host, near="Leeds")
    results(page).first.wait_for()
    assert serious_axe_violations(page, artifacts, "widget") == []


@pytest.mark.parametrize(
    ("accent", "shown"),
    [
        ("#6a1b9a", "rgb(106, 27, 154)"),  # dark enough for white text: used
        ("yellow", "rgb(18, 54, 90)"),  # too light for white text: the default instead
        ("not-a-colour", "rgb(18, 54, 90)"),
    ],
)
def test_accent_colour_is_used_only_when_white_text_stays_readable(page, host, accent, shown):
    open_host(page, host, accent=accent)
    bar = widget(page).locator(".bar")
    assert bar.evaluate("b => getComputedStyle(b).backgroundColor") == shown


def test_cant_use_the_phone_asks_search_for_other_ways_in(page, host, signpost):
    open_host(page, host)
    box = widget(page)
    box.get_by_label("What do you need help with?").fill("support")
    box.get_by_label("I can't use the phone").check()
    with page.expect_request(f"{signpost}/api/v1/search") as searched:
        box.get_by_role("button", name="Search", exact=True).click()
    assert json.loads(searched.value.post_data)["without_phone"] is True
    results(page).first.wait_for()
    assert results(page).count() >= 1
