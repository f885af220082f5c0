"""The receptionist's page in Chromium: search, tick, handout, text version, triage, keyboard."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import serious_axe_violations

pytestmark = pytest.mark.browser


def search_leeds_anxiety(page, signpost):
    page.goto(f"{signpost}/find")
    page.get_by_label("Postcode or town").fill("Leeds")
    page.get_by_label("Topic").select_option("anxiety")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("article.service").first.wait_for()


def test_search_tick_two_and_the_handout_has_both_and_the_safety_block(
    page, context, signpost, artifacts
):
    search_leeds_anxiety(page, signpost)
    services = page.locator("article.service")
    chosen = [services.nth(i).get_by_role("checkbox").get_attribute("data-name") for i in (0, 2)]
    for i in (0, 2):
        services.nth(i).get_by_role("checkbox").check()
    make = page.get_by_role("button", name="Make a handout")
    assert "(2 ticked)" in make.inner_text()
    page.screenshot(
        path=str(artifacts / "find.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1000, "height": 1700},
    )
    make.click()
    page.wait_for_url("**/handout?**")
    handout = page.locator("article.handout")
    names = handout.locator("article.service h3").all_inner_texts()
    assert names == chosen
    safety = handout.locator(".safety").inner_text()
    assert "999" in safety
    assert "NHS 111 mental health option" in safety  # Leeds: England's urgent line
    assert "116 123" in safety
    assert "85258" in safety
    assert "Given on" in handout.inner_text()
    assert "Leeds" not in page.url  # the handout's address carries no search, no patient

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".text-version").is_hidden()
    page.screenshot(path=str(artifacts / "handout.png"), full_page=True)
    page.pdf(path=str(artifacts / "handout.pdf"), format="A4")
    page.emulate_media(media="screen")

    text = page.get_by_label("Copy this into a text message").input_value()
    for name in chosen:
        assert name in text
    assert len(text) <= 480
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=signpost)
    page.get_by_role("button", name="Copy the text").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == text


def test_report_a_problem_posts_the_reports_contract(page, signpost):
    posted = []

    def take(route):
        posted.append(json.loads(route.request.post_data))
        route.fulfill(status=201, json={"id": "r1"})

    page.route(f"{signpost}/api/v1/services/*/reports", take)
    search_leeds_anxiety(page, signpost)
    card = page.locator("article.service").first
    card.get_by_text("Report a problem with this listing").click()
    card.get_by_label("Service has closed").check()
    card.get_by_role("button", name="Send report").click()
    card.get_by_text("Thank you").wait_for()
    assert posted == [{"kind": "closed"}]


def answer(page, label):
    page.locator("#triage-steps").get_by_label(label, exact=True).check()
    page.locator("#triage-steps").get_by_role("button", name="Next").click()


def test_triage_mode_walks_the_questionnaire_to_a_result(page, signpost, artifacts):
    page.goto(f"{signpost}/find")
    page.get_by_role("button", name="Start triage").click()
    steps = page.locator("#triage-steps")
    steps.get_by_text("Question 1 of").wait_for()
    # Risk questions need an answer: skipping one is refused.
    steps.get_by_role("button", name="Next").click()
    steps.get_by_role("alert").filter(has_text="Choose an answer").wait_for()
    answer(page, "No")  # in danger now?
    answer(page, "No")  # thoughts of ending life?
    answer(page, "Me")
    steps.get_by_role("textbox").fill("34")
    steps.get_by_role("button", name="Next").click()
    steps.get_by_role("textbox").fill("Leeds")
    steps.get_by_role("button", name="Next").click()
    while True:
        button = steps.get_by_role("button", name="See the result")
        if button.count():
            button.click()
            break
        steps.get_by_role("button", name="Next").click()
    result = steps.get_by_role("heading", name="Result:")
    result.wait_for()
    assert page.evaluate("document.activeElement.textContent").startswith("Result:")
    assert steps.locator("ul.reasons li").count() >= 1
    assert steps.locator("article.service").count() >= 1
    safety = page.locator("main > .safety").inner_text()
    assert "NHS 111 mental health option" in safety  # Leeds: England's line, not all four
    assert "Lifeline" not in safety
    # A recommendation can go onto the handout like a search result.
    steps.locator("article.service").first.get_by_role("checkbox").check()
    assert "(1 ticked)" in page.get_by_role("button", name="Make a handout").inner_text()
    page.screenshot(path=str(artifacts / "triage.png"), full_page=True)


def test_triage_danger_now_says_call_999_at_once(page, signpost):
    page.goto(f"{signpost}/find")
    page.get_by_role("button", name="Start triage").click()
    page.locator("#triage-steps").get_by_label("Yes", exact=True).check()
    alert = page.locator("#triage-steps .danger-now")
    assert "Call 999 now" in alert.inner_text()


def test_keyboard_only_search_with_visible_focus(page, signpost):
    page.goto(f"{signpost}/find")
    reached = None
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"
        )
        assert focused[1] != "none", f"focus not visible on #{focused[0]}"
        if focused[0] == "field-near":
            reached = focused
            break
    assert reached, "Tab never reached the place box"
    page.keyboard.type("Leeds")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("bereavement")
    page.keyboard.press("Enter")
    page.locator("article.service").first.wait_for()
    assert "Bereavement" in page.locator(".service-list").inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") != "BODY"


def test_search_works_without_javascript(browser, signpost):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{signpost}/find?near=LS6&issue=anxiety")
        assert page.locator("article.service").count() >= 3
        assert page.locator("#triage").is_hidden()  # triage needs JavaScript
        page.locator("article.service input[type=checkbox]").first.check()
        page.get_by_role("button", name="Make a handout").click()
        page.wait_for_url("**/handout?**")
        assert page.locator("article.handout article.service").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("url", ["/find?near=Leeds&issue=anxiety", "/embed", "/about"])
def test_no_serious_accessibility_violations(page, signpost, artifacts, url):
    page.goto(f"{signpost}{url}")
    if url == "/embed":
        page.locator("signpost-search ol.results > li").first.wait_for()
    name = url.strip("/").split("?")[0]
    assert serious_axe_violations(page, artifacts, name) == []


def test_no_serious_accessibility_violations_on_the_handout(page, signpost, artifacts):
    search_leeds_anxiety(page, signpost)
    page.locator("article.service").first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Make a handout").click()
    page.wait_for_url("**/handout?**")
    assert serious_axe_violations(page, artifacts, "handout") == []


def test_the_embed_page_previews_the_widget(page, signpost, artifacts):
    page.goto(f"{signpost}/embed")
    assert "/static/widget.js" in page.locator("#snippet").inner_text()
    page.locator("signpost-search ol.results > li").first.wait_for()
    page.screenshot(path=str(artifacts / "embed.png"))
