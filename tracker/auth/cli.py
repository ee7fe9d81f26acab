"""`flask --app wsgi users create …` and `users demo` (the demo accounts `make run` makes)."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from tracker.auth.models import ROLES, User
from tracker.auth.operations import AccountError, create_user, find_body
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import ActivityExecutor

users_cli = AppGroup("users", help="Accounts of the portal.")

DEMO_PASSWORD = "demo-pass-2026"
DEMO_DOMAIN = "demo.tracker.example"  # .example: a domain that can never belong to anybody


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--body", "body_text", help="Executors: the body's full name, abbreviation or id.")
@click.option("--password", required=True)
@click.option("--name", default="", help="Position or department, shown beside the e-mail.")
def create_command(email: str, role: str, body_text: str | None, password: str, name: str) -> None:
    """Create an account."""
    try:
        body = find_body(body_text) if body_text else None
        user = create_user(email=email, role=role, password=password, body=body, name=name)
    except AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created {user.role} {user.email}" + (f" for {user.body.label}, {user.body.region}" if user.body else ""))


@users_cli.command("list")
def list_command() -> None:
    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        body = f" — {user.body.label}, {user.body.region}" if user.body else ""
        flags = (" [demo]" if user.is_demo else "") + ("" if user.active else " [disabled]")
        click.echo(f"{user.role:12} {user.email}{body}{flags}")


def _busiest_lead_bodies(limit: int) -> list[Body]:
    """The bodies that lead the most activities, one or two per region, so the demo
    executors have real obligations to report on."""
    rows = db.session.execute(
        select(Body, func.count(ActivityExecutor.id)).join(ActivityExecutor, ActivityExecutor.body_id == Body.id)
        .where(ActivityExecutor.role == "lead").group_by(Body.id)
        .order_by(func.count(ActivityExecutor.id).desc(), Body.id)).all()
    chosen: list[Body] = []
    per_region: dict[str, int] = {}
    for body, _count in rows:
        if per_region.get(body.region, 0) < 2:
            chosen.append(body)
            per_region[body.region] = per_region.get(body.region, 0) + 1
        if len(chosen) == limit:
            break
    return chosen


@users_cli.command("demo")
def demo_command() -> None:
    """Make the demo accounts (once; run it again and nothing changes) and print how to sign in."""
    wanted = [("admin", None, "Демо: әкімші"), ("coordinator", None, "Демо: облыс әкімі орынбасарының аппараты"),
              ("auditor", None, "Демо: аудитор")]
    for body in _busiest_lead_bodies(4):
        wanted.append(("executor", body, f"Демо: {body.abbreviation or body.name}"))
    for role, body, name in wanted:
        email = f"{role}{'-' + str(body.id) if body else ''}@{DEMO_DOMAIN}"
        if db.session.scalar(select(User).where(User.email == email)) is None:
            create_user(email=email, role=role, password=DEMO_PASSWORD, body=body, name=name, is_demo=True)
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in db.session.scalars(select(User).where(User.is_demo).order_by(User.id)):
        where = f" — {user.body.label}, {user.body.region}" if user.body else ""
        click.echo(f"  {user.role:12} {user.email}{where}")
