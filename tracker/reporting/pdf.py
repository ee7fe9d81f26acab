"""The implementation report as PDF: the .docx converted by LibreOffice, where it is installed.

The Word document never depends on this. Each conversion runs `soffice --headless` with a
profile of its own in a temporary folder (`-env:UserInstallation`), so conversions running at
once do not share, lock or corrupt a profile, and nothing is left behind. The profile is made
with LibreOffice's online update check and its crash reporter switched off, the environment
holds no proxy settings, and the document links to nothing outside itself: a conversion has
nothing to fetch from the network. A conversion that takes longer than the timeout is killed,
with every process it started.
"""

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from tracker.plans.engine.convert import soffice as import_soffice

#: seconds; the first conversion with a fresh profile takes a few seconds, a long plan a few more
TIMEOUT = 120

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments">
<prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="CrashReport" oor:op="fuse"><value>false</value>
</prop></item>
</oor:items>
"""


class PdfError(RuntimeError):
    """No PDF: LibreOffice is missing or could not convert the document (the message says why)."""


class NoLibreOffice(PdfError):
    """LibreOffice is not installed here (or not where TRACKER_SOFFICE says)."""


class ConversionFailed(PdfError):
    """LibreOffice ran but gave no PDF: an error, or no answer within the timeout."""


def soffice(configured: str | None = None) -> str | None:
    """The LibreOffice command: a path given here, else the one the import uses for old formats
    (TRACKER_SOFFICE, or `soffice`/`libreoffice` on the PATH): one setting for both."""
    if configured:
        return configured if Path(configured).is_file() else None
    return import_soffice()


def docx_to_pdf(data: bytes, command: str | None = None, timeout: float = TIMEOUT) -> bytes:
    """The PDF of a .docx. Raises NoLibreOffice when it is absent, ConversionFailed when it fails
    or takes longer than `timeout` seconds."""
    program = soffice(command)
    if program is None:
        raise NoLibreOffice("LibreOffice (soffice) is not installed on this server")
    with tempfile.TemporaryDirectory(prefix="tracker-pdf-") as folder:
        root = Path(folder)
        profile = root / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        source = root / "report.docx"
        source.write_bytes(data)
        out = root / "out"
        out.mkdir()
        environment = {"HOME": str(root), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                       "TMPDIR": str(root), "SAL_USE_VCLPLUGIN": "svp"}
        args = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
                "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export",
                "--outdir", str(out), str(source)]
        # A session of its own: on a timeout the whole group (oosplash and soffice.bin) is killed.
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,  # noqa: S603
                                   cwd=root, start_new_session=True)
        try:
            _stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(f"LibreOffice did not finish the conversion within {timeout:.0f} s") from None
        result = out / "report.pdf"
        if process.returncode != 0 or not result.is_file():
            reason = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
            raise ConversionFailed(f"LibreOffice could not convert the document: {reason[0][:200]}")
        return result.read_bytes()
