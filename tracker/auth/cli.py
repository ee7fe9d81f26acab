"""`flask --app wsgi users create …` and `users list`. (`users demo` is tracker.demo.accounts.)"""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.models import ROLES, User
from tracker.auth.operations import AccountError, create_user, find_body
from tracker.extensions import db

users_cli = AppGroup("users", help="Accounts of the portal.")

@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in ROLES]))
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
