"""Progress bars for the long commands (`plans import-folder`, `demo generate`, `export xlsx`,
`backup`), drawn with click.progressbar on a terminal only. Anywhere else (a pipe, a log, cron,
the tests' CliRunner) nothing is printed at all: click alone would still print the label once."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


def shown() -> bool:
    """Whether a bar is drawn: standard output is a terminal."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress(label: str, length: int | Callable[[], int]) -> Iterator[Callable[[int], None]]:
    """A function to call with the steps done since the last call. `length` is the number of
    steps, or a function that counts them (called only when the bar is shown: counting may cost
    queries)."""
    if not shown():
        yield lambda steps=1: None
        return
    total = length() if callable(length) else length
    # redrawing for every row would cost more than the row: about 500 redraws over the whole bar
    with click.progressbar(length=total, label=label, update_min_steps=max(1, total // 500)) as bar:
        yield bar.update


def echo(message: str, err: bool = False) -> None:
    """click.echo, clearing a bar drawn on the line first (the bar draws itself again on its next step)."""
    if shown():
        click.echo("\r\033[K", nl=False)
    click.echo(message, err=err)
