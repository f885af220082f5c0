"""The ORUK 3.0 JSON schemas from ../shared/reference/openreferral/oruk-3.0, as validators.

Tests that use them skip cleanly when that folder is absent (it is not part of the project).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from directory.config import PROJECT_ROOT

REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "openreferral"
ORUK = REFERENCE / "oruk-3.0"
EXAMPLES = ORUK / "examples"

needs_oruk = pytest.mark.skipif(
    not ORUK.is_dir(), reason=f"ORUK reference schemas not found at {ORUK}"
)

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    # jsonschema checks date-time only with an extra package; HSDS wants an offset.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def schema(name: str) -> dict[str, Any]:
    """An ORUK schema: a compiled one by name, or one built from the compiled parts."""
    if name == "taxonomy_term":
        service = _read(ORUK / "schema" / "compiled" / "service.json")
        term: dict[str, Any] = service["properties"]["attributes"]["items"]["properties"][
            "taxonomy_term"
        ]
        return term
    if name == "taxonomy":
        # HSDS taxonomy plus the terms array the ORUK profile adds (profile/taxonomy.json).
        hsds = _read(REFERENCE / "hsds-3.0" / "taxonomy.json")
        properties = {k: v for k, v in hsds["properties"].items() if k != "metadata"}
        properties["taxonomy_terms"] = {"type": "array", "items": schema("taxonomy_term")}
        return {"type": "object", "required": hsds["required"], "properties": properties}
    if name == "page":
        hsds = _read(REFERENCE / "hsds-3.0" / "openapi.json")
        page: dict[str, Any] = dict(hsds["components"]["schemas"]["Page"])
        page["required"] = [*page["properties"], "contents"]
        return page
    if name == "meta":
        hsds = _read(REFERENCE / "hsds-3.0" / "openapi.json")
        response = hsds["paths"]["/"]["get"]["responses"]["200"]
        meta: dict[str, Any] = response["content"]["application/json"]["schema"]
        return {**meta, "required": list(meta["properties"])}
    return _read(ORUK / "schema" / "compiled" / f"{name}.json")


def errors(instance: Any, name: str) -> list[str]:
    """Every way `instance` breaks the named schema, as readable lines (empty when valid)."""
    validator = Draft202012Validator(schema(name), format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def page_errors(body: Any, item_schema: str) -> list[str]:
    """Check a Page envelope and each item in it."""
    found = errors(body, "page")
    for index, item in enumerate(body.get("contents", [])):
        found += [f"contents[{index}] {line}" for line in errors(item, item_schema)]
    return found
