"""Old office formats (.doc, .rtf, .xls, .odt, .ods) → .docx/.xlsx, by LibreOffice headless.

An old office still saves Word 97 files; the engine reads .docx and .xlsx. When `soffice` is
installed the file is converted in a private temporary folder — its own LibreOffice profile
(-env:UserInstallation), so that conversions running at the same time never share one and a
damaged profile never outlives the conversion — under a time limit, with no network where the
system allows a network namespace (`unshare -rn`), and with no environment but what LibreOffice
needs. Without `soffice` a person gets one line saying how to enable it. The converted bytes are
then read like any .docx/.xlsx, with the same limits.

The input is written under a fixed name ("plan.doc"): the uploaded name is a person's text and
never reaches a command line.
"""

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tracker.core.messages import msg
from tracker.plans.engine.errors import PlanFormatError

#: seconds one conversion may take (TRACKER_CONVERSION_TIMEOUT); a 40-page .doc converts in about 3 s on a
#: 2-core machine, and a file LibreOffice loops on must not hold a request (or the fuzzing) for long
CONVERSION_TIMEOUT = float(os.environ.get("TRACKER_CONVERSION_TIMEOUT", "20"))
#: where LibreOffice is; TRACKER_SOFFICE overrides the search of PATH (an empty value turns it off)
SOFFICE_ENV = "TRACKER_SOFFICE"
#: the Debian packages that bring `soffice` without a desktop
LIBREOFFICE_PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui"
#: what each old format becomes
TARGETS = {".doc": "docx", ".rtf": "docx", ".odt": "docx", ".xls": "xlsx", ".ods": "xlsx"}


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured is not None:
        return shutil.which(configured) if configured else None
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def _network_namespace() -> tuple[str, ...]:
    """`unshare -rn` when this system lets an ordinary process have a network namespace of its
    own (a converter then has no network at all); nothing where it does not (some containers)."""
    unshare = shutil.which("unshare")
    if not unshare:
        return ()
    try:
        done = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ()
    return (unshare, "-rn") if done.returncode == 0 else ()


def convert(data: bytes, name: str, suffix: str, timeout: float | None = None) -> bytes:
    """The file converted by LibreOffice to TARGETS[suffix]; PlanFormatError with one line when
    LibreOffice is missing, runs over its time, or cannot load the file."""
    target = TARGETS[suffix]
    program = soffice()
    if program is None:
        raise PlanFormatError(msg(
            "%(name)s is an old %(suffix)s file: the portal reads it only when LibreOffice is installed on the "
            "server (apt-get install %(packages)s); or save it as .%(target)s and upload again",
            name=name, suffix=suffix, packages=LIBREOFFICE_PACKAGES, target=target))
    limit = CONVERSION_TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="tracker-convert-") as folder:
        root = Path(folder)
        source = root / f"plan{suffix}"
        source.write_bytes(data)
        out = root / "out"
        command = [
            *_network_namespace(), program,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(out), str(source),
        ]
        # A clean environment: its own HOME and TMPDIR inside the folder, no proxies, no display.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder, "TMPDIR": folder,
               "LANG": "C.UTF-8", "SAL_USE_VCLPLUGIN": "svp"}
        _run(command, env, limit, name)
        converted = out / f"plan.{target}"
        if not converted.is_file() or converted.stat().st_size == 0:
            raise PlanFormatError(msg(
                "%(name)s: LibreOffice could not open it as a %(suffix)s document; the file is damaged",
                name=name, suffix=suffix))
        return converted.read_bytes()


def _run(command: list[str], env: dict[str, str], limit: float, name: str) -> None:
    """Run the converter in its own process group, so that on a time-out (or when the caller is
    interrupted) every process LibreOffice started is killed, not only the first."""
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        raise PlanFormatError(msg("%(name)s: the conversion by LibreOffice took longer than %(seconds)s s; "
                                  "refused", name=name, seconds=f"{limit:g}")) from None
    finally:
        if process.poll() is None or _group_alive(process.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
