"""`flask --app wsgi demo generate --scale N [--seed S] [--force]`."""

import sys
import time
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from tracker.core import terminal
from tracker.core.days import cli_day
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.demo.generate import EMAIL_DOMAIN, RefusedDatabase, generate

demo_cli = AppGroup("demo", help="Synthetic data at national scale (benchmarks, demonstrations).")


@demo_cli.command("generate")
@click.option("--scale", type=click.IntRange(1, 100), default=1, show_default=True,
              help="1: 20 regions × 5 plans × 60 activities; N: N times as many regions.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed and day, same data.")
@click.option("--today", "day", default=None,
              help="The day reports are generated up to (default: the portal's today).")
@click.option("--force", is_flag=True, help="Add to a database that already holds plans or bodies.")
def generate_command(scale: int, seed: int, day, force: bool) -> None:
    """Fill the database with a synthetic country, clearly marked as such. Refuses a database
    that already holds plans or bodies unless --force is given."""
    started = time.perf_counter()
    as_of: date = cli_day("--today", day)
    try:
        with terminal.progress("Generating regions", 20 * scale) as step:
            summary = generate(scale, seed, as_of, Path(current_app.config["PLANS_DIR"]),
                               generate_password_hash(DEMO_PASSWORD), force=force, progress=step)
    except RefusedDatabase as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    counts = summary.counts
    click.echo(f"Synthetic country, scale {scale}, seed {seed}, reports up to {as_of.isoformat()} "
               f"({time.perf_counter() - started:.1f} s):")
    for table in ("plan", "activity", "body", "activity_executor", "obligation", "completion_report",
                  "history_entry", "user_account"):
        click.echo(f"  {table:<18} {counts[table]:>9,}")
    click.echo("  reports by state: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.reports_by_state.items())))
    click.echo(f"Accounts: coordinator@{EMAIL_DOMAIN}, auditor@{EMAIL_DOMAIN}, executor-<body id>@{EMAIL_DOMAIN} "
               f"(password: {DEMO_PASSWORD}).")
