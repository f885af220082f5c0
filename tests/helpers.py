"""Small helpers shared by tests."""

from __future__ import annotations

from typing import Any

# A Wednesday afternoon in November, no bank holiday anywhere in the UK.
WEDNESDAY_AFTERNOON = "2026-11-25T15:00:00Z"
# 03:00 on a Wednesday: only round-the-clock services are open.
WEDNESDAY_SMALL_HOURS = "2026-11-25T03:00:00Z"


def all_pages(client: Any, url: str) -> list[dict[str, Any]]:
    """Follow the Page envelope through every page and return all contents."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        joiner = "&" if "?" in url else "?"
        body = client.get(f"{url}{joiner}page={page}&per_page=100").get_json()
        items.extend(body["contents"])
        if body["last_page"]:
            return items
        page += 1


def by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The one item called `name`."""
    matches = [item for item in items if item["name"] == name]
    assert len(matches) == 1, f"{name!r} found {len(matches)} times"
    return matches[0]


def search_issue_copies() -> Any:
    """Each search_issue row's open-now copies beside its document's own values: open_week
    and open_week_incomplete, then the document's open_week and whether it needs the rules."""
    from sqlalchemy import select

    from directory.models import SearchDocument, SearchIssue

    d, i = SearchDocument, SearchIssue
    return select(
        i.open_week,
        i.open_week_incomplete,
        d.open_week,
        d.has_validity_dates | d.closes_on_bank_holidays,
    ).join(d, d.id == i.document_id)
