"""The long commands draw a progress bar on a terminal (a real pseudo-terminal here) and print
nothing more than before anywhere else (a pipe, cron, a log): tracker.core.terminal."""

import os
import pty
import subprocess
from pathlib import Path

from tests.conftest import KARAGANDA, KOSTANAY

ROOT = Path(__file__).resolve().parent.parent


def env_for(app, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUEY_", "TRACKER_"))}
    env.update(FLASK_APP="wsgi", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], INSTANCE_DIR=str(tmp_path / "inst"),
               EVIDENCE_DIR=str(tmp_path / "evidence"), SECRET_KEY="test", PYTHONPATH=str(ROOT), COLUMNS="100",
               TERM="xterm")
    return env


def flask(*args) -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "flask"), *map(str, args)]


def on_a_terminal(command: list[str], env: dict) -> str:
    """What the command writes to a pseudo-terminal (standard output and error both)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    written = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: the command ended
            break
        if not chunk:
            break
        written += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, written.decode(errors="replace")[-2000:]
    return written.decode()


def piped(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_bar_on_a_terminal_and_nothing_more_in_a_pipe(app, tmp_path):
    env = env_for(app, tmp_path)
    # a pipe: the lines the command always printed, and not a character more
    output = piped(flask("plans", "import", KOSTANAY), env)
    assert output.startswith("imported plan 1: ") and "\r" not in output and "Importing plans" not in output
    assert "\x1b" not in output
    # a terminal: the bar, and each line the command prints starts on a line of its own
    output = on_a_terminal(flask("plans", "import", KARAGANDA), env)
    assert "Importing plans" in output and "100%" in output
    assert "\r\x1b[Kimported plan 2: " in output

    out = tmp_path / "out.xlsx"
    assert piped(flask("export", "xlsx", out, "--as-of", "2026-11-23"), env) == \
        f"wrote {out} (as of 2026-11-23)\n"
    output = on_a_terminal(flask("export", "xlsx", out, "--as-of", "2026-11-23"), env)
    assert "Writing rows" in output and "100%" in output
    assert output.rstrip().endswith(f"wrote {out} (as of 2026-11-23)")

    output = piped(flask("backup", tmp_path / "b.zip"), env)
    assert output.startswith(f"backup written to {tmp_path / 'b.zip'}: ") and output.count("\n") == 1
    output = on_a_terminal(flask("backup", tmp_path / "b2.zip"), env)
    assert "Writing the backup" in output and "100%" in output and "backup written to" in output
