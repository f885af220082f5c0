"""Write the whole published directory as Open Referral services: a JSON Page or ndjson."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from directory.api.paging import page_envelope
from directory.interop.mapping import service_to_hsds
from directory.interop.queries import FeedFilters, find_services, kind_terms

FORMATS = ("json", "ndjson")


def export_services(session: Session, *, include_demo: bool = False) -> list[dict[str, Any]]:
    """Every service the feed publishes, fully nested, in the feed's order."""
    services, _ = find_services(session, FeedFilters(include_demo=include_demo), 1, None)
    kinds = kind_terms(session)
    return [service_to_hsds(service, kinds.get(service.kind)) for service in services]


def render_export(items: list[dict[str, Any]], fmt: str) -> str:
    """One Page holding every service (json), or one service per line (ndjson)."""
    if fmt == "ndjson":
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    page = page_envelope(items, len(items), 1, max(1, len(items)))
    return json.dumps(page, ensure_ascii=False, indent=2) + "\n"


def write_export(session: Session, path: Path, fmt: str, *, include_demo: bool = False) -> int:
    """Write the export to `path`; return how many services it holds."""
    items = export_services(session, include_demo=include_demo)
    path.write_text(render_export(items, fmt), encoding="utf-8")
    return len(items)
