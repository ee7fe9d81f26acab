"""`flask backup` and `flask restore`: everything comes back — plans, reports, files, history —
into an empty portal, on SQLite and across to PostgreSQL; a bad archive or a non-empty portal
is refused with nothing written."""

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY, ROOT, TEST_DATABASE_URL
from tests.evidence_files import tiny_pdf
from tracker.app import create_app
from tracker.backup.archive import _tables
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, Obligation, Plan, PlanWarning
from tracker.reports.models import CompletionReport, Evidence


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, as plain tuples in primary-key order (datetimes as UTC text, since
    SQLite returns them naive)."""
    def plain(value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    found = {}
    for table in _tables():
        order = list(table.primary_key.columns)
        found[table.name] = [tuple(plain(v) for v in row) for row in db.session.execute(select(table).order_by(*order))]
    return found


@pytest.fixture
def busy_portal(app, seed_plans, make_user):
    """Both plans, a resolved warning, a report returned and corrected with its files, an accepted one."""
    from tracker.plans import operations
    from tracker.reports.operations import review_report, submit_report

    seed_plans(KOSTANAY, KARAGANDA)
    operations.resolve_warning(db.session.scalar(select(PlanWarning)))
    coordinator = make_user("coordinator")
    obligations = db.session.scalars(select(Obligation).join(Activity).order_by(Obligation.id).limit(2)).all()
    for number, obligation in enumerate(obligations):
        executor = make_user("executor", body=obligation.activity.executors[0].body)
        report = submit_report(obligation, executor, f"Атқарылды {number}", ["https://example.kz/a"],
                               [(f"акт-{number}.pdf", tiny_pdf(f"Act {number}"))], True)
        review_report(report, coordinator, accept=False, comment="Хаттама керек")
        corrected = submit_report(obligation, executor, "Түзетілді", [], [("хаттама.pdf", tiny_pdf("Minutes"))], True,
                                  keep_evidence_ids=[e.id for e in report.evidence])
        review_report(corrected, coordinator, accept=True, comment="")
    return app


def empty_portal(tmp_path: Path, url: str | None = None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{tmp_path / 'restored.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test",
                      "EVIDENCE_DIR": str(tmp_path / "restored-evidence"), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    return app


def test_a_restore_into_an_empty_portal_brings_back_every_row_and_file(busy_portal, runner, tmp_path):
    app = busy_portal
    before = everything()
    files_before = {e.stored_name: (Path(app.config["EVIDENCE_DIR"]) / e.stored_name).read_bytes()
                    for e in db.session.scalars(select(Evidence))}
    assert len(files_before) == 4 and before["history_entry"] and before["completion_report"]
    archive = tmp_path / "backup.zip"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "4 evidence files" in result.output
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["rows"]["completion_report"] == 4 and len(manifest["files"]) == 4

    target = empty_portal(tmp_path)  # SQLite, whatever the source was (PostgreSQL in the PG run)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        after = everything()
        assert after == before  # every table, every row, every column
        evidence_dir = Path(target.config["EVIDENCE_DIR"])
        assert {name: (evidence_dir / name).read_bytes() for name in files_before} == files_before
        # and the restored portal works: the report page and its files
        client = target.test_client()
        from tracker.auth.operations import create_user

        create_user(email="auditor@restored.example", role="auditor", password="restored-pass-1")
        client.post("/login", data={"email": "auditor@restored.example", "password": "restored-pass-1"})
        evidence = db.session.scalars(select(Evidence).order_by(Evidence.id)).first()
        download = client.get(f"/evidence/{evidence.id}")
        assert download.status_code == 200 and download.data == files_before[evidence.stored_name]
        download.close()
        report = db.session.scalar(select(CompletionReport).where(CompletionReport.state == "accepted"))
        page = client.get(f"/obligations/{report.obligation_id}").get_data(as_text=True)
        assert "Түзетілді" in page and "Хаттама керек" in page
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_portal_that_is_not_empty(busy_portal, runner, tmp_path):
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    plans = db.session.scalar(select(func.count()).select_from(Plan))
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == plans


def test_a_damaged_file_in_the_archive_restores_nothing(busy_portal, runner, tmp_path):
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as out:
        victim = next(n for n in source.namelist() if n.startswith("evidence/"))
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, data[:-1] + b"X" if item.filename == victim else data)
    target = empty_portal(tmp_path)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert result.exit_code == 1 and "damaged" in result.output and victim.removeprefix("evidence/") in result.output
        assert all(db.session.scalar(select(func.count()).select_from(t)) == 0 for t in _tables())
        assert not any(Path(target.config["EVIDENCE_DIR"]).rglob("*.pdf"))
        db.session.remove()
        db.engine.dispose()


def test_a_backup_refuses_when_an_evidence_file_is_missing_or_changed(busy_portal, runner, tmp_path):
    evidence_dir = Path(busy_portal.config["EVIDENCE_DIR"])
    first = db.session.scalars(select(Evidence).order_by(Evidence.id)).first()
    (evidence_dir / first.stored_name).write_bytes(tiny_pdf("Changed behind our back"))
    result = runner.invoke(args=["backup", str(tmp_path / "b.zip")])
    assert result.exit_code == 1 and "changed on disk" in result.output
    (evidence_dir / first.stored_name).unlink()
    result = runner.invoke(args=["backup", str(tmp_path / "b.zip")])
    assert result.exit_code == 1 and "missing" in result.output and first.stored_name in result.output
    assert not (tmp_path / "b.zip").exists() and not (tmp_path / "b.zip.part").exists()


@pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                    reason="restoring into PostgreSQL runs in the PostgreSQL pass of .ci/run")
def test_a_sqlite_backup_restores_into_postgresql_and_ids_go_on(app, tmp_path):
    """The fixture's database is an empty PostgreSQL one here; the source is a SQLite portal."""
    source = empty_portal(tmp_path / "source")
    archive = tmp_path / "backup.zip"
    with source.app_context():
        runner = source.test_cli_runner()
        assert runner.invoke(args=["plans", "import", str(KOSTANAY)]).exit_code == 0
        assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
        before = everything()
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert everything() == before
        # the sequences moved past the restored ids: a new history entry gets a fresh id
        from tracker import history

        history.record("warning.resolved", details={"message": "after restore"})
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == len(before["history_entry"]) + 1
