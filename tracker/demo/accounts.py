"""The demo accounts `make run` makes (`flask --app wsgi users demo`): an administrator, a
coordinator, an auditor and executors of the bodies with the most to report, all marked DEMO."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker import history
from tracker.auth.models import AccountRole, User
from tracker.auth.operations import create_user
from tracker.core.shorten import shorten
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import ActivityExecutor, ExecutorRole

DEMO_PASSWORD = "demo-pass-2026"
DEMO_DOMAIN = "demo.tracker.example"  # .example: a domain that can never belong to anybody
NAME_LENGTH = User.name.type.length


def _busiest_lead_bodies(limit: int) -> list[Body]:
    """The bodies that lead the most activities, one or two per region, so the demo
    executors have real obligations to report on."""
    rows = db.session.execute(
        select(Body, func.count(ActivityExecutor.id)).join(ActivityExecutor, ActivityExecutor.body_id == Body.id)
        .where(ActivityExecutor.role == ExecutorRole.LEAD).group_by(Body.id)
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


def executor_label(body: Body) -> str:
    """"Демо: Қостанай облысы — Білім басқармасы (ББ)": every region has its ББ, so the name
    says which one. Cut at a word to fit the account's name (200 characters)."""
    name = f"{body.name} ({body.abbreviation})" if body.abbreviation else body.name
    return shorten(f"Демо: {body.region} — {name}", NAME_LENGTH)


@click.command("demo")
@with_appcontext
def demo_accounts_command() -> None:
    """Make the demo accounts (once; run it again and nothing changes) and print how to sign in."""
    wanted = [(AccountRole.ADMIN, None, "Демо: әкімші"),
              (AccountRole.COORDINATOR, None, "Демо: облыс әкімі орынбасарының аппараты"),
              (AccountRole.AUDITOR, None, "Демо: аудитор")]
    for body in _busiest_lead_bodies(4):
        wanted.append((AccountRole.EXECUTOR, body, executor_label(body)))
    for role, body, name in wanted:
        email = f"{role}{'-' + str(body.id) if body else ''}@{DEMO_DOMAIN}"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            create_user(email=email, role=role, password=DEMO_PASSWORD, body=body, name=name, is_demo=True)
        elif user.is_demo and user.name != name:  # made by an earlier version: renamed, not made twice
            history.record("account.edited", account=user, changes=history.changed(user, name=name))
            db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in db.session.scalars(select(User).where(User.is_demo).order_by(User.id)):
        where = f" — {user.body.label}, {user.body.region}" if user.body else ""
        click.echo(f"  {user.role:12} {user.email}{where}")
