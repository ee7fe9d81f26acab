"""`flask translate extract|update|compile`: the message catalogs (kk, ru, en) kept in step with
the source. Wraps Babel's own command line so that the keywords and paths are written once."""

import contextlib
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

from tracker.config import ROOT

TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
#: _l: lazy_gettext in forms; msg: engine findings translated when shown (tracker.core.messages)
KEYWORDS = ("_l", "msg")

translate_cli = AppGroup("translate", help="Extract, update and compile the kk/ru/en message catalogs.")


def _pybabel(*args: str) -> None:
    with contextlib.chdir(ROOT):  # paths in the catalogs stay relative to the repository
        status = CommandLineInterface().run(["pybabel", "-q", *args])
    if status:  # a broken catalog must stop `make run` / `make test`, not pass unnoticed
        raise SystemExit(status)


def extract(output: Path = TEMPLATE) -> None:
    keywords = [item for keyword in KEYWORDS for item in ("-k", keyword)]
    _pybabel("extract", "-F", "babel.cfg", *keywords, "--project=tracker", "--ignore-dirs=.venv tests",
             "-o", str(output), ".")


def update() -> None:
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")


def compile_catalogs() -> None:
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate_cli.command("extract")
def extract_command():
    """Collect every translatable string into translations/messages.pot."""
    extract()
    click.echo(f"wrote {TEMPLATE.relative_to(ROOT)}")


@translate_cli.command("update")
def update_command():
    """Extract, then merge the new strings into the kk, ru and en catalogs (new entries empty)."""
    extract()
    update()
    click.echo("updated translations/*/LC_MESSAGES/messages.po; fill the empty entries, then `flask translate compile`")


@translate_cli.command("compile")
def compile_command():
    """Compile the catalogs to .mo files (done by `make run` and `make test`)."""
    compile_catalogs()
