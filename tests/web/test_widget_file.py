"""widget.js as a file: small, safe by construction, and its built-in safety copy is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

from directory.safety import safety_block_dict

WIDGET = Path(__file__).resolve().parents[2] / "directory" / "web" / "static" / "widget.js"
ROUTE_FIELDS = ("name", "instructions", "href", "nations")


def source():
    return WIDGET.read_text(encoding="utf-8")


def test_widget_is_at_most_20_kb_unminified():
    assert WIDGET.stat().st_size <= 20 * 1024


def test_built_in_safety_copy_matches_the_safety_block():
    copy = json.loads(re.search(r"/\* SAFETY \*/(.*?)/\* END SAFETY \*/", source(), re.S).group(1))
    block = safety_block_dict(None)  # all four nations: the widget narrows it itself

    def routes(items):
        return [{key: item[key] for key in ROUTE_FIELDS} for item in items]

    assert copy == {
        "message": block["message"],
        "emergency": routes([block["emergency"]])[0],
        "urgent": routes(block["urgent"]),
        "listening": routes(block["listening"]),
    }


def test_widget_never_parses_html_nor_keeps_anything_in_the_browser():
    code = source()
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "eval(",
    ):
        assert forbidden not in code, forbidden


def test_searches_are_posted_so_needs_stay_out_of_urls():
    code = source()
    search_call = code[code.index("/api/v1/search") :][:300]
    assert 'method: "POST"' in search_call
    assert "JSON.stringify(body)" in search_call
