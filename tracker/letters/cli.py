"""`flask --app wsgi assignments parse LETTER --json` and `assignments import LETTER`."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.letters import operations
from tracker.plans.engine import PlanFormatError

assignments_cli = AppGroup("assignments", help="Read letters that carry assignments and put them on control.")


def _read_or_exit(path: str):
    file = Path(path)
    if not file.is_file():
        click.echo(f"error: {path}: no such file", err=True)
        sys.exit(1)
    data = file.read_bytes()
    try:
        return operations.read_upload(data, file.name), data
    except PlanFormatError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def proposal_json(chain) -> dict:
    """The reading, and the assignments confirming it would make: one per receiving region."""
    data = chain.to_json()
    title = operations.default_title(chain)
    projects = {region: task.text for task in chain.root.tasks if task.kind == "project" for region in task.regions}
    data["assignments"] = [{"region": region, "title": f"{title} — {projects[region]}" if region in projects else title,
                            "project": projects.get(region)} for region in chain.root.recipients]
    data["problems"] = [str(problem) for problem in operations.problems(chain, operations.edit_of(chain))]
    return data


@assignments_cli.command("parse")
@click.argument("letter", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
def parse_command(letter: str, as_json: bool) -> None:
    """Read LETTER (a letter, or a stack of them, newest on top) and print what would be put on
    control. Stores nothing."""
    chain, _data = _read_or_exit(letter)
    if as_json:
        click.echo(json.dumps(proposal_json(chain), ensure_ascii=False, indent=2))
        return
    for item in chain.letters:
        click.echo(f"{item.position + 1}. {item.issuer_name or item.issuer or '—'}: "
                   f"№ {item.number or '—'}, {item.date.isoformat() if item.date else '—'} → "
                   f"{'; '.join(item.addressees) or '—'}")
    root = chain.root
    click.echo(f"{len(root.recipients)} receiving region(s), {len(root.tasks)} task(s), reply due "
               f"{root.reply.date.isoformat() if root.reply and root.reply.date else '—'}")
    for warning in chain.warnings:
        click.echo(f"warning: letter {'—' if warning.letter is None else warning.letter + 1} [{warning.field}] "
                   f"{warning.message}")


@assignments_cli.command("import")
@click.argument("letter", type=click.Path(dir_okay=False))
def import_command(letter: str) -> None:
    """Put LETTER on control as read (one transaction: one assignment per receiving region, the
    covering letters as proposals to pass down). What the preview would refuse is refused here."""
    chain, data = _read_or_exit(letter)
    try:
        stored = operations.confirm(chain, operations.edit_of(chain), Path(letter).name, data, None)
    except operations.LetterError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"letter {stored.letter_id}: {len(stored.plan_ids)} assignment(s), {stored.activities} activities, "
               f"{stored.obligations} due dates, {len(chain.letters) - 1} covering letter(s) to pass down")
    for warning in chain.warnings:
        click.echo(f"  warning: letter {'—' if warning.letter is None else warning.letter + 1} [{warning.field}] "
                   f"{warning.message}")
