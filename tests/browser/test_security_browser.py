"""The pages, the widget preview and the API docs work under their Content-Security-Policy:
nothing they need is blocked, and what the policy is for (an injected inline script) is."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


def violations(page: Any, console: list[str]) -> list[str]:
    found = list(page.evaluate("window.__violations"))
    return found + [text for text in console if "Content Security Policy" in text]


@pytest.fixture
def watched(page: Any) -> tuple[Any, list[str]]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    return page, console


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/find?near=Leeds&issue=anxiety", "article.service"),
        ("/embed", "signpost-search ol.results > li"),
        ("/about", "main h1"),
        ("/docs", ".swagger-ui .opblock"),
    ],
)
def test_pages_work_with_nothing_blocked(watched, signpost, path, ready):
    page, console = watched
    response = page.goto(f"{signpost}{path}")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.locator(ready).first.wait_for()
    assert violations(page, console) == []


def test_triage_mode_and_the_handout_work_with_nothing_blocked(watched, signpost):
    page, console = watched
    page.goto(f"{signpost}/find?near=Leeds&issue=anxiety")
    page.locator("article.service").first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Make a handout").click()
    page.wait_for_url("**/handout?**")
    page.locator("article.handout").wait_for()
    assert violations(page, console) == []


def test_an_injected_inline_script_is_blocked(watched, signpost):
    page, console = watched
    page.goto(f"{signpost}/about")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations(page, console))
