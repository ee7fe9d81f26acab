"""Real evidence files for the tests: a PDF with a true cross-reference table (the portal reads
its text layer for IINs, so a file that only starts with %PDF is refused as damaged), and Word,
Excel, PDF and image files that carry a given text in one particular part — a header, a comment,
a text box, a sheet name, the metadata… — so a test can show that the reader reads that part.
Old Word 97 and Excel 97 files are made from them by LibreOffice."""

import io
import os
import shutil
import struct
import subprocess
import tempfile
import uuid
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls


def tiny_pdf(words: str = "Report", *lines: str) -> bytes:
    """A small PDF with a correct cross-reference table: one page, one line of text (and more
    lines below it, each its own line of the text layer)."""
    shown = "".join(f" 0 -14 Td ({line}) Tj" for line in lines)
    stream = f"BT /F1 12 Tf 20 100 Td ({words}) Tj{shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


PDF = tiny_pdf("Seminar protocol")


# --- Word ---------------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _run_xml(inner: str) -> str:
    return f"<w:r {nsdecls('w')}>{inner}</w:r>"


def docx_with(part: str, words: str) -> bytes:
    """A Word file whose body says only "Seminar protocol" and which carries `words` in `part`."""
    document = docx.Document()
    body = document.add_paragraph("Seminar protocol")
    section = document.sections[0]
    if part == "body":
        document.add_paragraph(words)
    elif part == "header":
        section.header.paragraphs[0].text = words
    elif part == "footer":
        section.footer.paragraphs[0].text = words
    elif part == "first-page header":
        section.different_first_page_header_footer = True
        section.first_page_header.paragraphs[0].text = words
    elif part == "even-page footer":
        document.settings.odd_and_even_pages_header_footer = True
        section.even_page_footer.paragraphs[0].text = words
    elif part == "table":
        document.add_table(rows=1, cols=2).cell(0, 1).text = words
    elif part == "nested table":
        outer = document.add_table(rows=1, cols=1)
        outer.cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).text = words
    elif part == "comment":
        document.add_comment(body.runs, text=words, author="Coordinator")
    elif part == "text box":
        body._p.append(parse_xml(_run_xml(
            '<w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:200pt;height:40pt"><v:textbox><w:txbxContent>'
            f"<w:p><w:r><w:t>{words}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>")))
    elif part == "title":
        document.core_properties.title = words
    elif part == "keywords":
        document.core_properties.keywords = words
    elif part == "author":
        document.core_properties.author = words
    elif part == "runs":  # the number typed in two runs of different formatting
        paragraph = document.add_paragraph()
        paragraph.add_run(words[: len(words) // 2]).bold = True
        paragraph.add_run(words[len(words) // 2:])
    elif part == "hyperlink":
        target = document.part.relate_to(f"https://school.example/pupils?n={words}", RT.HYPERLINK, is_external=True)
        body._p.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{target}"><w:r><w:t>the list</w:t>'
                                 "</w:r></w:hyperlink>"))
    elif part == "alt text":
        document.add_picture(io.BytesIO(PNG))
        document.inline_shapes[0]._inline.docPr.set("descr", words)
    else:
        raise ValueError(part)
    return _saved(document)


DOCX_NOTE_KINDS = ("footnote", "endnote")


def docx_with_note(kind: str, words: str) -> bytes:
    """A Word file with one footnote or endnote (python-docx writes none: the part, its
    relationship and its content type are added to the package)."""
    data = docx_with("body", "Seminar held")
    plural = f"{kind}s"
    part = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{plural} {nsdecls("w")}>'
            f'<w:{kind} w:id="1"><w:p><w:r><w:t>{words}</w:t></w:r></w:p></w:{kind}></w:{plural}>')
    kind_uri = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{plural}"
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{plural}+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", f'<Override PartName="/word/{plural}.xml" '
                                                       f'ContentType="{content_type}"/></Types>'.encode())
            elif item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", f'<Relationship Id="rIdNotes" Type="{kind_uri}" '
                                                               f'Target="{plural}.xml"/></Relationships>'.encode())
            elif item.filename == "word/document.xml":
                reference = f'<w:r><w:{kind}Reference w:id="1"/></w:r>'.encode()
                content = content.replace(b"<w:t>Seminar held</w:t></w:r>", b"<w:t>Seminar held</w:t></w:r>" + reference)
            target.writestr(item, content)
        target.writestr(f"word/{plural}.xml", part)
    return out.getvalue()


def docx_with_tracked_change(before: str, deleted: str, inserted: str, after: str) -> bytes:
    """A paragraph reading before+inserted+after with changes accepted, and before+deleted+after
    with them rejected."""
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph._p.append(parse_xml(_run_xml(f"<w:t>{before}</w:t>")))
    paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="A" w:date="2026-01-05T00:00:00Z">'
                                  f"<w:r><w:delText>{deleted}</w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="A" w:date="2026-01-05T00:00:00Z">'
                                  f"<w:r><w:t>{inserted}</w:t></w:r></w:ins>"))
    paragraph._p.append(parse_xml(_run_xml(f"<w:t>{after}</w:t>")))
    return _saved(document)


# --- Excel ----------------------------------------------------------------------------------------------


def xlsx_with(part: str, value) -> bytes:
    """A workbook with "Participants | 42" on its first sheet and `value` in `part`."""
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = "Participants", 42
    if part == "cell":
        sheet["A2"] = value
    elif part == "sheet name":
        sheet.title = value
    elif part == "hidden sheet":
        hidden = book.create_sheet("Notes")
        hidden.sheet_state = "hidden"
        hidden["C3"] = value
    elif part == "comment":
        sheet["A1"].comment = Comment(value, "Coordinator")
    elif part == "header":
        sheet.oddHeader.center.text = value
    elif part == "footer":
        sheet.oddFooter.right.text = value
    elif part == "first-page header":
        sheet.HeaderFooter.differentFirst = True
        sheet.firstHeader.left.text = value
    elif part == "defined name":
        book.defined_names.add(DefinedName("Pupil", attr_text=f'"{value}"'))
    elif part == "formula":  # the formula's own text; its result (0) is nobody's number
        sheet["A2"] = f'=IF(B1="{value}",1,0)'
    elif part == "title":
        book.properties.title = value
    elif part == "data validation":
        from openpyxl.worksheet.datavalidation import DataValidation

        rule = DataValidation(type="whole", prompt=value, showInputMessage=True)
        sheet.add_data_validation(rule)
        rule.add("B1")
    else:
        raise ValueError(part)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_with_cached_result(result: str, numeric: bool, cached: bool = True) -> bytes:
    """A formula joining two cells that each hold half of `result` (=B2&B3, or its VALUE) with
    the cached result Excel stores after calculating: the whole number is in no cell, only in
    the cached value — as a number it has lost its leading zero. openpyxl writes no cached
    values, so it is added to the sheet's XML (`cached=False`: left out, for a program that
    calculates on opening)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "=VALUE(B2&B3)" if numeric else "=B2&B3"
    sheet["B2"], sheet["B3"] = result[:6], result[6:]
    buffer = io.BytesIO()
    book.save(buffer)
    if not cached:
        return buffer.getvalue()
    formula = "VALUE(B2&amp;B3)" if numeric else "B2&amp;B3"
    cell = (f'<c r="A1"><f>{formula}</f><v>{int(result)}</v></c>' if numeric
            else f'<c r="A1" t="str"><f>{formula}</f><v>{result}</v></c>')
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b'<c r="A1"')
                end = content.index(b"</c>", start) + 4
                content = content[:start] + cell.encode() + content[end:]
            target.writestr(item, content)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------


def pdf_with(part: str, words: str) -> bytes:
    """A one-page PDF saying "Seminar protocol" with `words` in `part` (pypdf writes it)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(PDF)))
    if part in ("/Title", "/Author", "/Subject", "/Keywords"):
        writer.add_metadata({part: words})
    elif part == "xmp":
        xmp = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
               '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
               f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{words}</rdf:li></rdf:Alt></dc:description>'
               '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
        stream = StreamObject()
        stream.set_data(xmp)
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    elif part == "annotation":
        from pypdf.annotations import Text

        writer.add_annotation(page_number=0, annotation=Text(rect=(10, 10, 30, 30), text=words))
    elif part == "attachment":
        writer.add_attachment("participants.txt", f"Participants: {words}\n".encode())
    else:
        raise ValueError(part)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf(words: str, user_password: str, algorithm: str = "AES-128") -> bytes:
    """`tiny_pdf(words)` encrypted; with an empty user password it opens without asking (only
    changes are protected by the owner password)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(tiny_pdf(words))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_of_pages(count: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=100, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- images --------------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
       + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _chunk(b"IEND", b""))
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


def png_with_text(words: str, compressed: bool = False) -> bytes:
    """A PNG whose Description text chunk says `words` (as a phone or an editor writes it)."""
    chunk = (_chunk(b"zTXt", b"Description\0\0" + zlib.compress(words.encode("latin-1"))) if compressed
             else _chunk(b"tEXt", b"Description\0" + words.encode("latin-1")))
    return PNG[:33] + chunk + PNG[33:]


def jpg_with_comment(words: str) -> bytes:
    """A JPEG with a comment segment (COM) after its header."""
    payload = words.encode("utf-8")
    return JPG[:20] + b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + JPG[20:]


# --- Word 97 and Excel 97, made by LibreOffice --------------------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_all(files: dict[str, bytes], target: str) -> dict[str, bytes]:
    """The files converted by LibreOffice to `target` ("doc" or "xls") in one run, each under
    its name with the new extension. A private profile, so parallel test workers do not share
    one (LibreOffice refuses a second instance on a profile in use)."""
    program = soffice()
    assert program, "LibreOffice is needed to make Word 97 / Excel 97 files"
    with tempfile.TemporaryDirectory(prefix="iin-soffice-") as folder:
        work = Path(folder)
        sources = []
        for name, data in files.items():
            (work / name).write_bytes(data)
            sources.append(str(work / name))
        profile = work / f"profile-{uuid.uuid4().hex}"
        subprocess.run([program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", target, "--outdir", str(work / "out"), *sources],
                       check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": folder})
        return {name: (work / "out" / (Path(name).stem + "." + target)).read_bytes() for name in files}


def ole_with_stream(path: str, transform, data: bytes) -> bytes:
    """`data` (an OLE2 file) with the stream at `path` changed in place by `transform` (same size:
    olefile rewrites a stream without moving it)."""
    import olefile

    with tempfile.NamedTemporaryFile(suffix=".ole", delete=False) as handle:
        handle.write(data)
        name = handle.name
    try:
        with olefile.OleFileIO(name, write_mode=True) as ole:
            stream = ole.openstream(path).read()
            changed = transform(stream)
            assert len(changed) == len(stream)
            ole.write_stream(path, changed)
        return Path(name).read_bytes()
    finally:
        os.unlink(name)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file ([MS-CFB] version 3) holding these streams, each padded to at
    least 4096 bytes so none lives in the mini stream: enough for a password-protected .docx,
    which is an OLE2 file with EncryptionInfo and EncryptedPackage streams."""
    sector = 512
    names = list(streams)
    datas = [streams[n] + bytes(max(0, 4096 - len(streams[n]))) for n in names]
    datas = [d + bytes(-len(d) % sector) for d in datas]
    counts = [len(d) // sector for d in datas]
    first_data = 2  # sector 0: the FAT, sector 1: the directory
    fat = [0xFFFFFFFD, 0xFFFFFFFE]
    starts = []
    for count in counts:
        starts.append(first_data + len(fat) - 2)
        start = len(fat)
        fat += [start + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    assert len(fat) <= sector // 4
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, left=0xFFFFFFFF, right=0xFFFFFFFF,
              child=0xFFFFFFFF) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded + bytes(64 - len(encoded)) + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", left, right, child) + bytes(16 + 4 + 16)
                + struct.pack("<III", start, size, 0))

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    for index, (name, start) in enumerate(zip(names, starts, strict=True), start=1):
        directory += entry(name, 2, start, len(streams[name]) if len(streams[name]) >= 4096 else 4096,
                           right=index + 1 if index < len(names) else 0xFFFFFFFF)
    directory += bytes(-len(directory) % sector)
    assert len(directory) == sector
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIII", 0, 1, 1, 0) + struct.pack("<IIIII", 4096, 0xFFFFFFFE, 0,
                                                                          0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + struct.pack("<108I", *([0xFFFFFFFF] * 108)))
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(datas)


# --- what is on disk ---------------------------------------------------------------------------------------


def evidence_on_disk(app) -> list[Path]:
    """The evidence files stored for reports (not the files kept in a hidden folder while a
    refused form comes back to be sent again)."""
    folder = Path(app.config["EVIDENCE_DIR"])
    if not folder.exists():
        return []
    return [p for p in folder.rglob("*") if p.is_file() and not any(part.startswith(".")
                                                                     for part in p.relative_to(folder).parts)]


def kept_anywhere(app, data: bytes | None, *numbers: str) -> list[Path]:
    """Every file under the evidence folder, kept forms included, that is these bytes or holds
    one of these numbers: a refused file must be written nowhere."""
    folder = Path(app.config["EVIDENCE_DIR"])
    if not folder.exists():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            if content == data or any(n.encode() in content or n.encode("utf-16-le") in content for n in numbers):
                found.append(path)
    return found
