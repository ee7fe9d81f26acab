"""`flask backup OUT.zip` and `flask restore IN.zip` (see tracker/backup/archive.py)."""

import sys
from pathlib import Path

import click
from flask import current_app

from tracker.backup.archive import BackupError, backup_steps, make_backup, restore_backup
from tracker.core import terminal


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path):
    """Write every table and every evidence file to OUT (a zip archive)."""
    try:
        with terminal.progress("Writing the backup", backup_steps) as step:
            summary = make_backup(out, Path(current_app.config["EVIDENCE_DIR"]), progress=step)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written to {out}: {sum(summary.rows.values())} rows in {len(summary.rows)} tables, "
               f"{summary.files} evidence files ({summary.bytes} bytes), schema revision {summary.revision}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path):
    """Load a backup into this portal, whose database must be freshly migrated and empty."""
    try:
        summary = restore_backup(source, Path(current_app.config["EVIDENCE_DIR"]))
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"restored from {source}: {sum(summary.rows.values())} rows, {summary.files} evidence files")
