"""Make the small files in tests/formats/ that the tests and the fuzzing read without LibreOffice.

    .venv/bin/python tests/make_format_fixtures.py

needs LibreOffice (`soffice`, and the `uno` module of Debian's python3 for the password-protected
Word 97 and Excel 97 files) and, for the password-protected .docx, msoffcrypto-tool
(`pip install --target /tmp/msoffcrypto msoffcrypto-tool==6.1.0`; the path is taken from
MSOFFCRYPTO_PATH). What it writes:

- seed-kostanay.pdf, seed-karaganda.pdf: the seed plans written as .docx (tests/plan_documents.py)
  and saved as PDF by LibreOffice, Karaganda with its header repeated on every page — the inputs
  of the PDF fuzzing (`make fuzz`) where no LibreOffice is installed;
- small-plan.doc: a three-activity plan saved as Word 97 by LibreOffice — the .doc the fuzzing
  mutates, and the one refused with "install LibreOffice" where it is missing;
- protected.doc, protected.xls: the same plan saved by LibreOffice with the password "secret";
- protected.docx: the .docx encrypted with the password "secret" (ECMA-376 agile encryption, as
  Word writes it).

Nothing in them is about a person.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.format_corpus import libreoffice, source_documents  # noqa: E402
from tests.plan_documents import Activity, Part, PlanDocument, Section, write_docx, write_xlsx  # noqa: E402

FIXTURES = ROOT / "tests" / "formats"
PASSWORD = "secret"

SMALL_PLAN = PlanDocument(
    title="Қостанай облысында балалардың құқықтарын қорғаудың 2024-2025 жылдарға арналған іс-шаралар жоспары",
    region="Қостанай облысы",
    legend=[("ББ", "Білім басқармасы"), ("ДСБ", "Денсаулық сақтау басқармасы")],
    body=[
        Section("1", "Зорлық-зомбылықтың алдын алу"),
        Activity("1", "Ата-аналарға арналған семинарлар өткізу",
                 [Part("ақпарат", "ББ, ДСБ", "жыл сайын", "көзделмеген")]),
        Activity("2", "Психологтардың әдістемелік күндерін өткізу",
                 [Part("ақпарат", "ББ", "2024 жылғы желтоқсан", "көзделген қаражат шегінде")]),
        Activity("3", "Жасөспірімдерге арналған жедел желінің жұмысы",
                 [Part("есеп", "ДСБ, ПД (келісім бойынша)", "тоқсан сайын", "1,5 млн теңге")]),
    ],
)

#: a UNO script for Debian's python3: open each file hidden and store it with a password
_PROTECT = textwrap.dedent("""
    import subprocess, sys, time, uno
    from com.sun.star.beans import PropertyValue

    def prop(name, value):
        p = PropertyValue(); p.Name = name; p.Value = value; return p

    profile, pipe, password = sys.argv[1], sys.argv[2], sys.argv[3]
    jobs = [sys.argv[i:i + 3] for i in range(4, len(sys.argv), 3)]
    office = subprocess.Popen(["soffice", "-env:UserInstallation=" + profile, "--headless", "--norestore",
                               "--accept=pipe,name=" + pipe + ";urp;"])
    context = uno.getComponentContext()
    resolver = context.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", context)
    for _ in range(120):
        try:
            remote = resolver.resolve("uno:pipe,name=" + pipe + ";urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)
    for source, target, export_filter in jobs:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
        document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", export_filter), prop("Password", password)))
        document.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
""")


def main() -> None:
    assert shutil.which("soffice"), "LibreOffice (soffice) is needed to make the fixtures"
    FIXTURES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="format-fixtures-") as name:
        folder = Path(name)
        documents = source_documents()
        kostanay = write_docx(documents["kostanay"], folder / "seed-kostanay.docx")
        karaganda = write_docx(documents["karaganda"], folder / "seed-karaganda.docx", repeat_header=True)
        for pdf in libreoffice([kostanay, karaganda], "pdf", folder):
            shutil.copy(pdf, FIXTURES / pdf.name)
        small_docx = write_docx(SMALL_PLAN, folder / "small-plan.docx")
        small_xlsx = write_xlsx(SMALL_PLAN, folder / "small-plan.xlsx")
        (doc,) = libreoffice([small_docx], "doc", folder)
        shutil.copy(doc, FIXTURES / "small-plan.doc")

        script = folder / "protect.py"
        script.write_text(_PROTECT, encoding="utf-8")
        profile = (folder / "uno-profile").as_uri()
        subprocess.run(["/usr/bin/python3", str(script), profile, "fixtures17", PASSWORD,
                        str(small_docx), str(FIXTURES / "protected.doc"), "MS Word 97",
                        str(small_xlsx), str(FIXTURES / "protected.xls"), "MS Excel 97"],
                       check=True, timeout=300, stdin=subprocess.DEVNULL)

        sys.path.insert(0, os.environ.get("MSOFFCRYPTO_PATH", "/tmp/msoffcrypto"))
        from msoffcrypto.format.ooxml import OOXMLFile

        encrypted = io.BytesIO()
        with open(small_docx, "rb") as plain:
            OOXMLFile(plain).encrypt(PASSWORD, encrypted)
        (FIXTURES / "protected.docx").write_bytes(encrypted.getvalue())
    for path in sorted(FIXTURES.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
