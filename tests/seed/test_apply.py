"""Seeding writes everything in one transaction and running it twice changes nothing."""

from __future__ import annotations

import shutil

import pytest
import yaml
from sqlalchemy import func, select, text

from directory.config import Config
from directory.errors import SeedError
from directory.extensions import db
from directory.models import Base, Service
from directory.seed import apply, load_seed_bundle, seed_database


def snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in db.session.execute(table.select())),
            )
            for table in Base.metadata.sorted_tables
        }


def test_seeding_twice_changes_nothing(app, seed):
    seed()
    before = snapshot(app)
    assert len(before["service"]) >= 90
    with app.app_context():
        report = seed_database(db.session, load_seed_bundle(Config.SEED_DIR, demo=True))
    assert report.created == {}
    assert report.updated == {}
    assert report.unchanged["services"] == len(before["service"])
    assert snapshot(app) == before


def test_a_changed_entry_is_updated_in_place(app, seed, tmp_path):
    seed(demo=False)
    seed_dir = tmp_path / "seed_data"
    shutil.copytree(Config.SEED_DIR, seed_dir)
    path = seed_dir / "services.yaml"
    data = yaml.safe_load(path.read_text())
    data["services"][0]["description"] = "Changed by an editor."
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with app.app_context():
        before = db.session.scalar(select(func.count(Service.id)))
        report = seed_database(db.session, load_seed_bundle(seed_dir, demo=False))
        assert report.updated == {"services": 1}
        assert db.session.scalar(select(func.count(Service.id))) == before
        changed = db.session.scalar(
            select(Service).where(Service.description == "Changed by an editor.")
        )
        assert changed is not None
        assert changed.version == 2


def test_seeding_is_all_or_nothing(app, monkeypatch):
    bundle = load_seed_bundle(Config.SEED_DIR, demo=False)
    real_upsert = apply._upsert_service
    calls = []

    def fail_on_the_last_service(session, entry, *args):
        calls.append(entry["id"])
        if len(calls) == len(bundle.services):
            raise RuntimeError("the disk is full")
        real_upsert(session, entry, *args)

    monkeypatch.setattr(apply, "_upsert_service", fail_on_the_last_service)
    with app.app_context():
        with pytest.raises(RuntimeError):
            seed_database(db.session, bundle)
        # Nothing from the entries before the failure was kept, not even the taxonomy.
        assert db.session.scalar(select(func.count(Service.id))) == 0
        assert db.session.execute(text("SELECT count(*) FROM taxonomy_term")).scalar() == 0
    assert len(calls) == len(bundle.services) > 1


def test_no_demo_seed_loads_no_demo_listing(app, seed):
    seed(demo=False)
    with app.app_context():
        assert db.session.scalar(select(func.count(Service.id)).where(Service.demo)) == 0
        assert db.session.scalar(select(func.count(Service.id))) >= 30


def test_invalid_seed_data_is_refused_before_anything_is_written(tmp_path):
    seed_dir = tmp_path / "seed_data"
    shutil.copytree(Config.SEED_DIR, seed_dir)
    (seed_dir / "taxonomy.yaml").write_text("issues: 3\n")
    with pytest.raises(SeedError, match="issues: must be a list"):
        load_seed_bundle(seed_dir, demo=False)
