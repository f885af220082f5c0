"""Read and validate the seed files; every problem names the file, the entry and the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError

from directory.errors import SeedError
from directory.seed.schemas import (
    KindSeedSchema,
    OrganizationSeedSchema,
    ServiceSeedSchema,
    TaxonomySeedSchema,
    TermSeedSchema,
)

TAXONOMY_FILE = "taxonomy.yaml"
SERVICES_FILE = "services.yaml"
DEMO_DIR = "demo"
MAX_REPORTED = 25


@dataclass
class SeedBundle:
    """Everything the seed files say, validated, as plain data."""

    taxonomies: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    kinds: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            shown = self.lines[:MAX_REPORTED]
            more = len(self.lines) - len(shown)
            tail = [f"... and {more} more"] if more else []
            raise SeedError("Invalid seed data:\n  " + "\n  ".join(shown + tail))


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (field.path[0].name, message) pairs."""
    if isinstance(messages, dict):
        pairs = []
        for key, value in messages.items():
            name = (
                f"{prefix}[{key}]"
                if isinstance(key, int)
                else (f"{prefix}.{key}" if prefix else str(key))
            )
            pairs.extend(_flatten(value, name))
        return pairs
    if isinstance(messages, list):
        return [(prefix or "(entry)", str(message)) for message in messages]
    return [(prefix or "(entry)", str(messages))]


def _read_yaml(path: Path, shown: str, problems: _Problems) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        problems.add(shown, f"cannot be read as YAML ({error})")
        return {}
    if not isinstance(data, dict):
        problems.add(shown, "must be a mapping at the top level")
        return {}
    return data


def _shown(path: Path, seed_dir: Path) -> str:
    """Name a file as a reader of the repository knows it: seed_data/services.yaml."""
    return str(path.relative_to(seed_dir.parent))


def _load_entries(
    path: str, data: dict[str, Any], key: str, schema: Schema, problems: _Problems
) -> list[dict[str, Any]]:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        problems.add(f"{path}: {key}", "must be a list")
        return []
    loaded = []
    for index, entry in enumerate(entries):
        label = entry.get("id") or entry.get("code") if isinstance(entry, dict) else None
        where = f"{path}: {key}[{index}]" + (f" ({label})" if label else "")
        try:
            loaded.append(schema.load(entry))
        except ValidationError as error:
            for field_name, message in _flatten(error.messages):
                problems.add(f"{where}: {field_name}", message)
    return loaded


def _check_keys(path: str, data: dict[str, Any], allowed: set[str], problems: _Problems) -> None:
    for key in sorted(set(data) - allowed):
        problems.add(f"{path}: {key}", "unknown section")


def load_seed_bundle(seed_dir: Path, *, demo: bool) -> SeedBundle:
    """Validate the taxonomy, the national services and (with demo) the demo set."""
    problems = _Problems()
    bundle = SeedBundle()

    taxonomy_path = _shown(seed_dir / TAXONOMY_FILE, seed_dir)
    taxonomy = _read_yaml(seed_dir / TAXONOMY_FILE, taxonomy_path, problems)
    _check_keys(taxonomy_path, taxonomy, {"taxonomies", "issues", "kinds"}, problems)
    bundle.taxonomies = _load_entries(
        taxonomy_path, taxonomy, "taxonomies", TaxonomySeedSchema(), problems
    )
    bundle.issues = _load_entries(taxonomy_path, taxonomy, "issues", TermSeedSchema(), problems)
    bundle.kinds = _load_entries(taxonomy_path, taxonomy, "kinds", KindSeedSchema(), problems)

    service_files = [seed_dir / SERVICES_FILE]
    if demo:
        service_files += sorted((seed_dir / DEMO_DIR).glob("*.yaml"))
    for file in service_files:
        path = _shown(file, seed_dir)
        data = _read_yaml(file, path, problems)
        _check_keys(path, data, {"organizations", "services"}, problems)
        is_demo = file.parent.name == DEMO_DIR
        for org in _load_entries(path, data, "organizations", OrganizationSeedSchema(), problems):
            bundle.organizations.append({**org, "demo": is_demo, "_file": path})
        for service in _load_entries(path, data, "services", ServiceSeedSchema(), problems):
            if service["demo"] and not is_demo:
                problems.add(
                    f"{path}: services ({service['id']}): demo", "only demo/ files may set it"
                )
            service["demo"] = is_demo
            bundle.services.append({**service, "_file": path})

    _check_references(bundle, problems)
    problems.raise_if_any()
    return bundle


def _check_references(bundle: SeedBundle, problems: _Problems) -> None:
    issue_codes = {term["code"] for term in bundle.issues}
    kind_codes = {kind["code"] for kind in bundle.kinds}
    for term in bundle.issues:
        if term["broader"] and term["broader"] not in issue_codes:
            problems.add(f"{TAXONOMY_FILE}: issues ({term['code']}): broader", "unknown issue code")
    org_ids: dict[str, Any] = {}
    for org in bundle.organizations:
        if org["id"] in org_ids:
            problems.add(f"{org['_file']}: organizations ({org['id']}): id", "used twice")
        org_ids[org["id"]] = org
    seen: set[str] = set()
    for service in bundle.services:
        where = f"{service['_file']}: services ({service['id']})"
        if service["id"] in seen:
            problems.add(f"{where}: id", "used twice")
        seen.add(service["id"])
        if service["organization"] not in org_ids:
            problems.add(
                f"{where}: organization", f"unknown organization {service['organization']!r}"
            )
        if service["kind"] not in kind_codes:
            problems.add(f"{where}: kind", f"unknown kind {service['kind']!r}")
        for index, code in enumerate(service["issues"]):
            if code not in issue_codes:
                problems.add(f"{where}: issues[{index}]", f"unknown issue code {code!r}")
        if not any(channel["verification"] != "unverified" for channel in service["channels"]):
            problems.add(f"{where}: channels", "needs at least one published channel")
        for index, channel in enumerate(service["channels"]):
            outside = set(channel["nations"]) - set(service["coverage"]["nations"])
            if outside:
                problems.add(
                    f"{where}: channels[{index}].nations",
                    f"{sorted(outside)} outside the service's coverage",
                )
