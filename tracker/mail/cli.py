"""`flask reminders preview --account EMAIL --date D` and `flask reminders send [--date D]`."""

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.models import User
from tracker.calendar import working_calendar
from tracker.core.clock import today
from tracker.extensions import db
from tracker.mail import batch
from tracker.mail.digest import digests_for_day, render
from tracker.mail.transport import TransportDown

reminders_cli = AppGroup("reminders", help="Reminders by e-mail: the day's digests.")


def _day(value: str | None) -> date:
    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        click.echo(f"error: --date «{value}» is not a day (YYYY-MM-DD, e.g. 2026-08-25)", err=True)
        sys.exit(2)


@reminders_cli.command("preview")
@click.option("--account", "email", required=True, help="The account's e-mail.")
@click.option("--date", "day", help="The day (YYYY-MM-DD); default today.")
@click.option("--html", is_flag=True, help="Print the HTML part instead of the plain text.")
def preview_command(email: str, day: str | None, html: bool) -> None:
    """Print what this person would get on that day. Sends and stores nothing."""
    when = _day(day)
    account = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if account is None:
        click.echo(f"error: there is no account {email}", err=True)
        sys.exit(1)
    if not working_calendar().is_working_day(when):
        click.echo(f"{when.isoformat()} is not a working day: no digests go out.")
        return
    digest = next(digests_for_day(when, [account.id]), None)
    if digest is None:
        click.echo(f"nothing to tell {account.email} on {when.isoformat()}: no digest.")
        return
    subject, text, html_body = render(digest, current_app.config["PORTAL_URL"])
    click.echo(f"To: {account.email}\nSubject: {subject}\n")
    click.echo(html_body if html else text)


@reminders_cli.command("send")
@click.option("--date", "day", help="The day (YYYY-MM-DD); default today.")
def send_command(day: str | None) -> None:
    """Run the day's batch: compose the digests (once) and send what is not sent yet. Run it again
    at will: nobody gets a digest twice."""
    when = _day(day)
    if not working_calendar().is_working_day(when):
        click.echo(f"{when.isoformat()} is not a working day: no digests go out.")
        return
    again = batch.send_again(when)
    composed = batch.compose_day(when)
    what = "already composed" if composed.already else f"composed {composed.messages} digests"
    try:
        delivered = batch.deliver(when)
    except TransportDown as exc:
        left = batch.counts(when)
        click.echo(f"{when.isoformat()}: {what}; the mail server is out of reach ({exc}); "
                   f"{left.get('sent', 0)} sent, {left.get('pending', 0)} still pending. Run this again later, "
                   "or let the worker retry.", err=True)
        sys.exit(1)
    left = batch.counts(when)
    click.echo(f"{when.isoformat()}: {what}; sent {delivered.sent} now"
               + (f" ({again} failed before, sent again)" if again else "")
               + (f", {delivered.refused} refused by the server" if delivered.refused else "")
               + f"; {left.get('sent', 0)} sent in all for the day.")
