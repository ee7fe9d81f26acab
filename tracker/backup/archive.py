"""One file that holds the whole portal: every table and every evidence file.

The archive is a zip:

- `manifest.json`: the format, when and from which schema revision it was made, the row count of
  every table and the SHA-256 of every evidence file;
- `tables/<table>.jsonl`: one JSON object per row, in primary-key order;
- `evidence/<stored name>`: the files, under the names the database knows them by.

Rows are written as JSON rather than as SQL so that a backup taken from PostgreSQL restores into
SQLite and back. A restore goes into an empty portal only, at the same schema revision, in one
transaction: the files are checked against their SHA-256 before anything is written, and on any
failure the database is rolled back and the files already written are removed again.
"""

import base64
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Date, DateTime, LargeBinary, Table, create_engine, func, insert, select, text

from tracker.core.clock import now
from tracker.extensions import db

FORMAT = 1
BATCH = 1000


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class Summary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def _tables() -> list[Table]:
    """Every table of the portal, parents before children (so a restore meets no missing key)."""
    return [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]


def _revision(connection=None) -> str:
    return (connection or db.session).execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection that sees the whole portal as of one moment, while people keep working: a
    report posted during the backup is either entirely in it (with its files) or not at all."""
    if db.engine.dialect.name == "sqlite":
        # SQLite's own online backup copies the file consistently; the archive is read from the copy.
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "snapshot.sqlite"
            source = db.engine.raw_connection()
            try:
                target = sqlite3.connect(copy)
                source.driver_connection.backup(target)
                target.close()
            finally:
                source.close()
            engine = create_engine(f"sqlite:///{copy}")
            try:
                with engine.connect() as connection:
                    yield connection
            finally:
                engine.dispose()
    else:
        with db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with connection.begin():
                yield connection


def _encode(value):
    if isinstance(value, datetime):
        # Always in UTC: a PostgreSQL session may hand out +05:00, which SQLite would keep as a
        # bare wall-clock time; SQLite hands out naive datetimes, which are stored in UTC.
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decoder(column):
    kind = column.type
    if isinstance(kind, DateTime):
        def decode_datetime(value):
            moment = datetime.fromisoformat(value)
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            return moment if kind.timezone else moment.replace(tzinfo=None)
        return decode_datetime
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return None


def _rows(connection: Connection, table: Table) -> Iterator[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(stream_results=True).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def _evidence_files(connection) -> dict[str, str]:
    """stored name → SHA-256 of every evidence file the database refers to."""
    from tracker.reports.models import Evidence

    return dict(connection.execute(select(Evidence.stored_name, Evidence.sha256).distinct()).all())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def make_backup(out: Path, evidence_dir: Path, progress=None) -> Summary:
    """Write the archive to `out` (via a temporary file, so a failed backup leaves no half file).
    `progress`, if given, is called with 1 for every row and every file written (`backup_steps`)."""
    with _snapshot() as connection:
        return _write_backup(connection, out, evidence_dir, progress or (lambda steps: None))


def backup_steps() -> int:
    """The rows of every table and the evidence files: what a backup's progress counts to."""
    from tracker.reports.models import Evidence

    return sum(db.session.scalar(select(func.count()).select_from(t)) for t in _tables()) + \
        db.session.scalar(select(func.count(Evidence.stored_name.distinct())))


def _write_backup(connection: Connection, out: Path, evidence_dir: Path, progress) -> Summary:
    from tracker.reports.evidence import EvidenceError, path_of

    summary = Summary(revision=_revision(connection))
    files = _evidence_files(connection)
    missing = []
    for stored_name, sha256 in sorted(files.items()):
        try:
            path = path_of(stored_name, evidence_dir)
        except EvidenceError:
            missing.append(stored_name)
            continue
        if not path.is_file():
            missing.append(stored_name)
        elif _sha256(path) != sha256:
            raise BackupError(f"evidence file {stored_name} does not match its SHA-256 in the database; "
                              "it was changed on disk")
    if missing:
        raise BackupError(f"{len(missing)} evidence file(s) the database refers to are missing from "
                          f"{evidence_dir}: {', '.join(missing[:5])}")

    partial = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for table in _tables():
                count = 0
                with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as handle:
                    for row in _rows(connection, table):
                        handle.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                        count += 1
                        progress(1)
                summary.rows[table.name] = count
            for stored_name in sorted(files):
                path = path_of(stored_name, evidence_dir)
                archive.write(path, f"evidence/{stored_name}", compress_type=zipfile.ZIP_STORED)
                summary.files += 1
                summary.bytes += path.stat().st_size
                progress(1)
            archive.writestr("manifest.json", json.dumps({
                "format": FORMAT, "created_at": now().isoformat(), "revision": summary.revision,
                "rows": summary.rows, "files": files,
            }, ensure_ascii=False, indent=1))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _is_empty() -> bool:
    return all(db.session.scalar(select(func.count()).select_from(t)) == 0 for t in _tables())


def restore_backup(source: Path, evidence_dir: Path) -> Summary:
    """Load the archive into this (empty) portal: every row and every file, or nothing."""
    from tracker.reports.evidence import path_of

    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{source}: not a backup of the tracker ({exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise BackupError(f"{source}: not a backup of the tracker (no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source}: backup format {manifest.get('format')} is not read by this version")
        revision = _revision()
        if manifest["revision"] != revision:
            raise BackupError(f"the backup is at schema revision {manifest['revision']} but this portal is at "
                              f"{revision}; restore into a portal of the backup's version, then upgrade it")
        if not _is_empty():
            raise BackupError("this portal's database is not empty; restore only into a fresh, migrated database")

        # Every file is checked before anything is written.
        files: dict[str, str] = manifest["files"]
        for stored_name, sha256 in files.items():
            try:
                data = archive.read(f"evidence/{stored_name}")
            except KeyError:
                raise BackupError(f"the backup lacks the evidence file {stored_name}") from None
            if hashlib.sha256(data).hexdigest() != sha256:
                raise BackupError(f"the evidence file {stored_name} in the backup is damaged (SHA-256 differs)")

        summary = Summary(revision=revision)
        written: list[Path] = []
        try:
            for table in _tables():
                summary.rows[table.name] = _load_table(archive, table)
                if summary.rows[table.name] != manifest["rows"].get(table.name, 0):
                    raise BackupError(f"table {table.name}: {summary.rows[table.name]} rows read, the manifest "
                                      f"says {manifest['rows'].get(table.name, 0)}")
            restored = _evidence_files(db.session)
            strays = {name for name, sha in restored.items() if files.get(name) != sha}
            if strays:
                raise BackupError(f"the backup's evidence rows name files it does not hold: {', '.join(sorted(strays)[:5])}")
            for stored_name in files:
                path = path_of(stored_name, evidence_dir)
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".part")
                partial.write_bytes(archive.read(f"evidence/{stored_name}"))
                os.replace(partial, path)
                written.append(path)
                summary.files += 1
                summary.bytes += path.stat().st_size
            _reset_sequences()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return summary


def _load_table(archive: zipfile.ZipFile, table: Table) -> int:
    name = f"tables/{table.name}.jsonl"
    if name not in archive.namelist():
        return 0
    decoders = {c.name: _decoder(c) for c in table.columns}
    count = 0
    batch: list[dict] = []
    with archive.open(name) as handle:
        for line in handle:
            row = json.loads(line)
            for key, decode in decoders.items():
                if decode is not None and row.get(key) is not None:
                    row[key] = decode(row[key])
            batch.append(row)
            if len(batch) >= BATCH:
                db.session.execute(insert(table), batch)
                count += len(batch)
                batch = []
    if batch:
        db.session.execute(insert(table), batch)
        count += len(batch)
    return count


def _reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which rows inserted with their ids do not move."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in _tables():
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608 — names from our metadata
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
