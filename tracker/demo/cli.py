"""`flask --app wsgi demo generate --scale N [--seed S] [--force] [--chain [--delegate-share F]
[--schools N] [--fan-out DxS] [--no-hand-down]]`."""

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
from tracker.demo.generate import (
    CHAIN_FAN_OUT,
    CHAIN_SHARE,
    EMAIL_DOMAIN,
    SCHOOLS_PER_DISTRICT,
    Chain,
    RefusedDatabase,
    generate,
)

demo_cli = AppGroup("demo", help="Synthetic data at national scale (benchmarks, demonstrations).")


@demo_cli.command("generate")
@click.option("--scale", type=click.IntRange(1, 100), default=1, show_default=True,
              help="1: 20 regions × 5 plans × 60 activities; N: N times as many regions.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed and day, same data.")
@click.option("--today", "day", default=None,
              help="The day reports are generated up to (default: the portal's today).")
@click.option("--force", is_flag=True, help="Add to a database that already holds plans or bodies.")
@click.option("--chain", is_flag=True,
              help="Below each region: its districts' education departments with their schools, and a share of "
                   "the activities handed down two levels (region → district → school).")
@click.option("--delegate-share", type=click.FloatRange(0, 1), default=CHAIN_SHARE, show_default="1/3",
              help="With --chain: the share of the activities the region's education department leads and hands "
                   "down, every due date of them.")
@click.option("--schools", type=click.IntRange(1, 200), default=SCHOOLS_PER_DISTRICT, show_default=True,
              help="With --chain: schools under each district's department.")
@click.option("--fan-out", default="x".join(map(str, CHAIN_FAN_OUT)), show_default=True,
              help="With --chain: each due date goes to D districts, each passing it to S of its schools (DxS); "
                   "the first of each region goes to all of them.")
@click.option("--hand-down/--no-hand-down", default=True, show_default=True,
              help="With --chain: --no-hand-down makes the same country and bodies with nothing handed down.")
def generate_command(scale: int, seed: int, day, force: bool, chain: bool, delegate_share: float, schools: int,
                     fan_out: str, hand_down: bool) -> None:
    """Fill the database with a synthetic country, clearly marked as such. Refuses a database
    that already holds plans or bodies unless --force is given."""
    started = time.perf_counter()
    as_of: date = cli_day("--today", day)
    below = None
    if chain:
        try:
            districts_each, schools_each = (int(n) for n in fan_out.lower().replace("×", "x").split("x"))
        except ValueError:
            raise click.BadParameter("DxS, two whole numbers: 3x2", param_hint="--fan-out") from None
        if districts_each < 1 or schools_each < 0:
            raise click.BadParameter("at least one district", param_hint="--fan-out")
        below = Chain(share=delegate_share, schools_per_district=schools, fan_out=(districts_each, schools_each),
                      hand_down=hand_down)
    try:
        with terminal.progress("Generating regions", 20 * scale * (2 if chain else 1)) as step:
            summary = generate(scale, seed, as_of, Path(current_app.config["PLANS_DIR"]),
                               generate_password_hash(DEMO_PASSWORD), force=force, progress=step, chain=below)
    except RefusedDatabase as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    counts = summary.counts
    click.echo(f"Synthetic country, scale {scale}, seed {seed}, reports up to {as_of.isoformat()} "
               f"({time.perf_counter() - started:.1f} s):")
    tables = ["plan", "activity", "body", "activity_executor", "obligation", "completion_report", "history_entry",
              "user_account"]
    if chain:
        tables += ["delegation", "delegation_above", "sub_report"]
    for table in tables:
        click.echo(f"  {table:<18} {counts[table]:>9,}")
    click.echo("  reports by state: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.reports_by_state.items())))
    if summary.sub_reports_by_state:
        click.echo("  sub-reports by state: " + ", ".join(
            f"{k} {v:,}" for k, v in sorted(summary.sub_reports_by_state.items())))
    click.echo(f"Accounts: coordinator@{EMAIL_DOMAIN}, auditor@{EMAIL_DOMAIN}, executor-<body id>@{EMAIL_DOMAIN} "
               f"(password: {DEMO_PASSWORD}).")
