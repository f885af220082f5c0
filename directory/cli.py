"""The `signpost` console script: a Flask CLI group (run, serve, init-db, seed, import,
export, keys, stale, openapi write)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from directory.config import PROJECT_ROOT
from directory.errors import SeedError

OPENAPI_FILE = PROJECT_ROOT / "openapi.yaml"


def openapi_document() -> str:
    """The app's OpenAPI document as YAML, exactly as `signpost openapi write` commits it."""
    from directory.extensions import api

    return yaml.safe_dump(api.spec.to_dict(), sort_keys=False, allow_unicode=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes (default: 2 x CPU cores + 1, at most 8).",
)
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Serve the API and pages with gunicorn (production); stop with SIGTERM."""
    from directory.serving import ServeOptions, serve

    serve(ServeOptions(host=host, port=port, workers=workers))


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from directory.extensions import db
    from directory.migrate import current_revision, upgrade_database
    from directory.search.index import commit_bulk_change, index_is_complete, reindex_all

    before = current_revision(db.engine)
    upgrade_database(db.engine)
    after = current_revision(db.engine)
    if before == after:
        click.echo(f"Database is already at the latest schema ({after}): nothing to do.")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}, the latest schema.")
    if not index_is_complete(db.session):
        # e.g. the first upgrade past the search migration: build what it could not.
        count = reindex_all(db.session)
        commit_bulk_change(db.session)
        click.echo(f"Search index built for {count} services.")


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index and opening intervals of every service (a repair)."""
    from directory.extensions import db
    from directory.search.index import commit_bulk_change, reindex_all

    count = reindex_all(db.session)
    commit_bulk_change(db.session)
    click.echo(f"Reindexed {count} services.")


@click.group("geodata")
def geodata_group() -> None:
    """Full-postcode positions for exact distances."""


@geodata_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def geodata_import_command(path: Path) -> None:
    """Load an ONS Postcode Directory or Code-Point Open CSV (replaces earlier imports)."""
    from sqlalchemy import delete, insert

    from directory.extensions import db
    from directory.geo import read_postcode_csv
    from directory.models import PostcodePoint

    try:
        rows = [
            {"postcode": pc, "latitude": lat, "longitude": lon, "nation": nation}
            for pc, lat, lon, nation in read_postcode_csv(path)
        ]
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    session = db.session
    session.execute(delete(PostcodePoint))
    for start in range(0, len(rows), 5000):
        session.execute(insert(PostcodePoint), rows[start : start + 5000])
    session.commit()
    click.echo(f"Imported {len(rows)} postcodes from {path}.")


@click.command("seed")
@click.option("--demo/--no-demo", default=False, help="Also load the fictional demo listings.")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Load taxonomy and national services (and demo listings) in one transaction."""
    from directory.extensions import db
    from directory.search.index import commit_bulk_change
    from directory.seed import load_seed_bundle, seed_database

    try:
        bundle = load_seed_bundle(Path(current_app.config["SEED_DIR"]), demo=demo)
    except SeedError as error:
        raise click.ClickException(str(error)) from error
    report = seed_database(db.session, bundle)
    commit_bulk_change(db.session)
    click.echo(report.summary())


@click.group("import")
def import_group() -> None:
    """Import directories: Open Referral (HSDS/ORUK) JSON, or the spreadsheet template."""


_DRY_RUN = click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
_TERMS = click.option(
    "--terms",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mapping file (YAML) from foreign taxonomy terms to Signpost codes.",
)


def _run_import(read: str, path: Path, dry_run: bool, terms: Path | None) -> None:
    from directory.extensions import db, gazetteer
    from directory.interop.csv_template import read_csv_records
    from directory.interop.importer import import_records, read_term_mapping
    from directory.interop.records import Findings, read_records

    try:
        mapping = read_term_mapping(terms)
    except SeedError as error:
        raise click.ClickException(str(error)) from error
    findings = Findings()
    reader = read_csv_records if read == "csv" else read_records
    records = reader(path, findings)
    report = import_records(
        db.session,
        records,
        mapping,
        seed_dir=Path(current_app.config["SEED_DIR"]),
        nation_of=gazetteer().nation_of,
        dry_run=dry_run,
        findings=findings,
    )
    click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)


@import_group.command("hsds")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_DRY_RUN
@_TERMS
@with_appcontext
def import_hsds_command(path: Path, dry_run: bool, terms: Path | None) -> None:
    """Upsert services from an HSDS list page, service JSON files in a folder, or ndjson."""
    _run_import("hsds", path, dry_run, terms)


@import_group.command("csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DRY_RUN
@_TERMS
@with_appcontext
def import_csv_command(path: Path, dry_run: bool, terms: Path | None) -> None:
    """Upsert services from the spreadsheet template (seed_data/templates/)."""
    _run_import("csv", path, dry_run, terms)


@click.group("export")
def export_group() -> None:
    """Export the published directory."""


@export_group.command("hsds")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "ndjson"]), default="json")
@click.option("--include-demo", is_flag=True, help="Also export the demo listings.")
@with_appcontext
def export_hsds_command(path: Path, fmt: str, include_demo: bool) -> None:
    """Write every published service as Open Referral UK JSON (one Page) or ndjson."""
    from directory.extensions import db
    from directory.interop.exporter import write_export
    from directory.search.ranking import stale_after

    with stale_after(current_app.config["STALE_DAYS"]):
        count = write_export(db.session, path, fmt, include_demo=include_demo)
    click.echo(f"Exported {count} service(s) to {path}.")


@click.group("keys")
def keys_group() -> None:
    """API keys for editors: create (the secret is shown once), list, revoke."""


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what uses the key (shown in the audit log).")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["write", "restricted", "admin"]),
    help="write: change listings; restricted: hidden addresses; admin: keys, audit, reports.",
)
@with_appcontext
def keys_create_command(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key and print its secret, once: only a hash of it is stored."""
    from directory.api.auth import create_key
    from directory.editing import record_audit
    from directory.errors import InvalidInput
    from directory.extensions import db

    try:
        key, secret = create_key(db.session, name, scopes)
        db.session.flush()
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(str(error.errors or error.message)) from error
    record_audit(
        db.session,
        key_name="cli",
        action="create",
        entity_type="api_key",
        entity_id=str(key.id),
        before=None,
        after={"name": key.name, "scopes": key.scopes},
    )
    db.session.commit()
    click.echo(f"Created key {key.id} {key.name!r} with scopes {', '.join(key.scopes)}.")
    click.echo("Its secret (shown only now; send it as Authorization: Bearer <secret>):")
    click.echo(secret)


@keys_group.command("list")
@with_appcontext
def keys_list_command() -> None:
    """List keys: id, name, scopes, created, last used, revoked (never the secrets)."""
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models import ApiKey

    keys = db.session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
    if not keys:
        click.echo("No API keys.")
    for key in keys:
        click.echo(
            f"{key.id}\t{key.name}\t{','.join(key.scopes)}\tcreated {_when(key.created_at)}"
            f"\tlast used {_when(key.last_used_at)}"
            + (f"\tREVOKED {_when(key.revoked_at)}" if key.revoked_at else "")
        )


@keys_group.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def keys_revoke_command(key_id: int) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from directory.editing import record_audit
    from directory.extensions import db
    from directory.models import ApiKey
    from directory.models.base import utcnow

    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"No API key with id {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_audit(
            db.session,
            key_name="cli",
            action="delete",
            entity_type="api_key",
            entity_id=str(key.id),
            before={"revoked": False},
            after={"revoked": True},
        )
        db.session.commit()
    click.echo(f"Revoked key {key.id} {key.name!r}.")


def _when(moment: object) -> str:
    return "never" if moment is None else str(moment)[:16]


@click.command("stale")
@with_appcontext
def stale_command() -> None:
    """List services not verified for SIGNPOST_STALE_DAYS, oldest first, with open reports."""
    from sqlalchemy import or_, select

    from directory.api.reports import open_report_counts
    from directory.extensions import db
    from directory.hours import now_in_london
    from directory.models import Service

    days = current_app.config["STALE_DAYS"]
    cutoff = now_in_london().date() - timedelta(days=days)
    services = db.session.scalars(
        select(Service)
        .where(
            Service.status != "defunct",
            or_(
                Service.last_verified_at.is_(None),
                Service.last_verified_at < cutoff,
            ),
        )
        .order_by(Service.last_verified_at.asc().nulls_first(), Service.name)
    ).all()
    counts = open_report_counts([s.id for s in services])
    click.echo(f"{len(services)} service(s) last verified over {days} days ago:")
    for service in services:
        verified = service.last_verified_at.isoformat() if service.last_verified_at else "never"
        click.echo(
            f"{service.id}\t{service.name}\tlast verified {verified}"
            f"\t{counts.get(service.id, 0)} open report(s)"
        )


@click.group("openapi")
def openapi_group() -> None:
    """The committed OpenAPI document."""


@openapi_group.command("write")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=OPENAPI_FILE)
@with_appcontext
def openapi_write_command(path: Path) -> None:
    """Regenerate openapi.yaml from the app."""
    path.write_text(openapi_document(), encoding="utf-8")
    click.echo(f"Wrote {path}")


def register_commands(app: Flask) -> None:
    """Add the project's commands to the app's CLI."""
    for command in (
        serve_command,
        init_db_command,
        seed_command,
        reindex_command,
        geodata_group,
        import_group,
        export_group,
        keys_group,
        stale_command,
        openapi_group,
    ):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from directory import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="Signpost: directory, search and triage API.")


def main() -> None:
    """Entry point of the `signpost` console script."""
    cli()
