"""The `signpost` commands a user runs: init-db, seed, openapi write."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from directory import create_app
from directory.cli import cli, openapi_document
from directory.models import Service
from directory.search import index


def test_init_db_then_seed_twice(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'signpost.db'}"
    monkeypatch.setenv("SIGNPOST_DATABASE_URL", url)
    runner = CliRunner()
    app = create_app({"SQLALCHEMY_DATABASE_URL": url})
    obj_kwargs = {"obj": _script_info(app)}

    result = runner.invoke(cli, ["init-db"], **obj_kwargs)
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["init-db"], **obj_kwargs)
    assert result.exit_code == 0, result.output

    first = runner.invoke(cli, ["seed", "--demo"], **obj_kwargs)
    assert first.exit_code == 0, first.output
    assert "services:" in first.output
    assert "created" in first.output
    second = runner.invoke(cli, ["seed", "--demo"], **obj_kwargs)
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated" in second.output

    with Session(create_engine(url)) as session:
        assert session.scalar(select(func.count(Service.id))) >= 90


def test_seed_with_a_bad_file_exits_non_zero_naming_it(tmp_path):
    seed_dir = tmp_path / "seed_data"
    (seed_dir / "demo").mkdir(parents=True)
    (seed_dir / "taxonomy.yaml").write_text("issues:\n  - code: Bad Code\n    label: x\n")
    (seed_dir / "services.yaml").write_text("services: []\n")
    app = create_app({"SQLALCHEMY_DATABASE_URL": "sqlite://", "SEED_DIR": seed_dir})
    result = CliRunner().invoke(cli, ["seed"], obj=_script_info(app))
    assert result.exit_code == 1
    assert "seed_data/taxonomy.yaml: issues[0] (Bad Code): code" in result.output


def test_openapi_write(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URL": "sqlite://"})
    target = tmp_path / "openapi.yaml"
    result = CliRunner().invoke(cli, ["openapi", "write", str(target)], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert target.read_text() == openapi_document()


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_geodata_import_gives_full_postcode_precision(app, seed, tmp_path):
    seed(demo=False)
    onspd = tmp_path / "onspd.csv"
    onspd.write_text(
        "pcds,lat,long,ctry\n"
        "LS1 4AP,53.799601,-1.549438,E92000001\n"
        "EH1 1YZ,55.953060,-3.188267,S92000003\n"
    )
    result = CliRunner().invoke(cli, ["geodata", "import", str(onspd)], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Imported 2 postcodes" in result.output
    place = app.test_client().get("/api/v1/places/ls14ap").get_json()
    assert place["precision"] == "postcode"
    assert abs(place["latitude"] - 53.799601) < 1e-5


def test_geodata_import_rejects_a_malformed_file(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("pcds,lat,long,ctry\nLS1 4AP,north,-1.5,E92000001\n")
    result = CliRunner().invoke(cli, ["geodata", "import", str(bad)], obj=_script_info(app))
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert "lat" in result.output


def test_reindex_command(app, seed, monkeypatch):
    seed(demo=False)
    committed = []
    monkeypatch.setattr(index, "commit_bulk_change", committed.append)
    result = CliRunner().invoke(cli, ["reindex"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Reindexed 34 services" in result.output
    assert len(committed) == 1  # tests/search/test_index.py: what it does


def test_keys_create_list_revoke(app):
    runner, obj = CliRunner(), _script_info(app)
    created = runner.invoke(
        cli,
        ["keys", "create", "--name", "leeds-editor", "--scope", "write", "--scope", "admin"],
        obj=obj,
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("sp_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/audit", headers=headers).status_code == 200

    listed = runner.invoke(cli, ["keys", "list"], obj=obj)
    assert listed.exit_code == 0
    assert "leeds-editor\twrite,admin" in listed.output
    assert secret not in listed.output  # shown once, never again

    key_id = created.output.split()[2]
    revoked = runner.invoke(cli, ["keys", "revoke", key_id], obj=obj)
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/audit", headers=headers).status_code == 401
    assert "REVOKED" in runner.invoke(cli, ["keys", "list"], obj=obj).output


def test_keys_create_refuses_a_duplicate_name_and_an_unknown_scope(app):
    runner, obj = CliRunner(), _script_info(app)
    args = ["keys", "create", "--name", "x", "--scope", "write"]
    assert runner.invoke(cli, args, obj=obj).exit_code == 0
    again = runner.invoke(cli, args, obj=obj)
    assert again.exit_code == 1
    assert "already exists" in again.output
    bad = runner.invoke(cli, ["keys", "create", "--name", "y", "--scope", "root"], obj=obj)
    assert bad.exit_code == 2


def test_stale_lists_old_services_with_their_open_reports(app, seed):
    from datetime import date

    from directory.extensions import db
    from directory.hours import now_in_london
    from directory.models import ProblemReport, stable_id

    seed(demo=False)
    with app.app_context():
        samaritans = db.session.get(Service, stable_id("service", "samaritans"))
        samaritans.last_verified_at = date(2020, 1, 1)
        shout = db.session.get(Service, stable_id("service", "shout"))
        shout.last_verified_at = now_in_london().date()
        db.session.add_all(
            [
                ProblemReport(service_id=samaritans.id, kind="phone"),
                ProblemReport(service_id=samaritans.id, kind="hours"),
                ProblemReport(service_id=samaritans.id, kind="other", status="resolved"),
            ]
        )
        db.session.commit()
    result = CliRunner().invoke(cli, ["stale"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Samaritans\tlast verified 2020-01-01\t2 open report(s)" in result.output
    assert "Shout" not in result.output  # verified today
