"""Keep minors' personal data out of the portal (BRIEF.md, "Personal data"; rules 003, arts. 33–34).

A person's IIN (ЖСН / ИИН) is 12 digits: birth date YYMMDD, a century-and-sex digit (1–6),
four serial digits and a check digit. Any number that passes all of these checks is refused
wherever a person types text the portal stores and shows, and in every text-bearing part of
evidence files. A name cannot be recognised by a program, so the person posting a report also
confirms that it carries none.

What is read, per format (`document_text`):

- .docx/.xlsx (and any Office package embedded in one): every XML part of the package — body,
  tables and nested tables, headers and footers of every section, footnotes, endnotes, comments,
  text boxes, shapes, charts, the glossary; cells with their cached formula results, the
  formulas' own text, shared strings, sheet names, defined names, notes and threaded comments,
  page headers and footers, pivot caches; core, app and custom properties; alt texts, form
  fields, external link targets. Tracked changes are read both as they are and as they were.
- .doc/.xls (Word 97 and Excel 97, OLE2): the Word piece table (every story: body, footnotes,
  headers, comments, endnotes, text boxes) or the Excel records (shared strings, cells, numbers,
  cached formula results, sheet names, names, headers, footers, notes and text boxes), the
  summary properties, and, as a safety net, every stream of the file and the file as a whole
  searched as 8-bit and UTF-16 text (embedded objects, hyperlinks, fast-saved leftovers). Word
  6/95 and Excel 5/95 files are refused as uncheckable.
- PDF: the text layer of every page (at most MAX_PDF_PAGES), annotations, form fields, bookmarks,
  the document information and XMP metadata, and embedded files.
- JPEG/PNG: the text of their metadata (EXIF, XMP, comments, PNG text chunks).

A number stored in a spreadsheet as a number loses its leading zeros (people born 2000–2009 have
IINs starting with 0), so a numeric cell of 9–11 digits is also checked zero-padded to 12.
Files that are encrypted with a password cannot be read, and are refused as such.
"""

import contextlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from datetime import date
from itertools import accumulate
from operator import mul

from tracker.core.sizes import MAX_UNPACKED_BYTES, unpacked_size

# --- the number ------------------------------------------------------------------------------------

#: what people and text extractors put between the groups of a number: spaces of every width,
#: tabs and line breaks, invisible marks (zero-width, direction), dots, slashes, underscores,
#: hyphens and dashes
_SEPARATOR = (r"[ \t\n\r\f\v\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u2069"
              r"\u3000\ufeff\u00ad._/\\\-\u2010-\u2015\u2212]")
_SEPARATORS = re.compile(_SEPARATOR + "+")
#: digit groups joined by separators, holding at least 12 digits (the lookahead keeps the many
#: shorter numbers of a text, and of binary data read as text, in the regular expression engine)
_DIGIT_RUN = re.compile(rf"(?=\d(?:{_SEPARATOR}*\d){{11}})\d+(?:{_SEPARATOR}+\d+)*")
#: a calendar date with a four-digit year ("05.01.2026", "2026-01-05"): never part of an IIN,
#: and without this barrier a date next to an amount would be read as one long number
_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./_-])\d{1,2}\1(?:19|20)\d\d|(?:19|20)\d\d([./_-])\d{1,2}\2\d{1,2})(?!\d)")
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
_WEIGHTS_1 = list(range(1, 12))
_WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def is_iin(number: str) -> bool:
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return False
    century = _CENTURY.get(number[6])
    if century is None or not "01" <= number[2:4] <= "12":  # most numbers fail here, cheaply
        return False
    try:
        date(century + int(number[0:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return False
    raw = number.encode("ascii")  # a digit's byte less 48 is its value: the sums run in C
    check = (sum(map(mul, raw, _WEIGHTS_1)) - 48 * sum(_WEIGHTS_1)) % 11
    if check == 10:
        check = (sum(map(mul, raw, _WEIGHTS_2)) - 48 * sum(_WEIGHTS_2)) % 11
        if check == 10:
            return False
    return check == raw[11] - 48


def find_iins(text: str | None) -> list[str]:
    """IINs in the text, whatever people or a PDF put between the digit groups ("050101 5 00000 1",
    "050101.500001", "050101  500001", a line break).

    Digit groups joined by separators are tried from every group, and a candidate is whole
    groups adding up to exactly 12 digits, grouped as people write an IIN — so an IIN next to
    another number ("2 сынып", a list of IINs) is found, while 12 digits cut out of a longer
    number, or gathered from several numbers, are not. A date with a four-digit year is never part
    of one. Linear in the length of the text (one look-up per group)."""
    if not text:
        return []
    found = []
    checked: dict[str, bool] = {}  # a long run repeats its candidates ("1 1 1 …"): each is checked once
    for run in _DIGIT_RUN.finditer(text):
        for part in _DATE.sub("|", run.group()).split("|"):
            groups = [group for group in _SEPARATORS.split(part) if group]
            lengths = [len(group) for group in groups]
            ends = list(accumulate(lengths))  # where each group ends, in digits from the start
            group_ending_at = {end: index for index, end in enumerate(ends)}
            digits = "".join(groups)
            for first, start in enumerate([0, *ends[:-1]]):
                last = group_ending_at.get(start + 12)
                if last is None or not _written_like_an_iin(lengths[first:last + 1]):
                    continue
                number = digits[start:start + 12]
                if not number.isascii():  # digits of another script (fullwidth, Arabic-Indic…)
                    number = "".join(str(unicodedata.digit(c)) for c in number)
                if number not in checked:
                    checked[number] = is_iin(number)
                if checked[number]:
                    found.append(number)
    return found


def _written_like_an_iin(lengths: list[int]) -> bool:
    """The groups a person or a text extractor makes of one number: one piece, two (a break
    anywhere: a line, a cell), pieces of one size ("910 315 500 005", a digit at a time), or the
    birth date first, whole or in pieces (6, 2 + 2 + 2, 3 + 3: "910-315-500005"), and the rest in
    any pieces ("910315 5 0000 5"). Twelve digits gathered from an amount, a page number and a year
    ("000 3 2026 1 500") are not."""
    return len(lengths) <= 2 or len(set(lengths)) == 1 or 6 in accumulate(lengths)


def masked(iin: str) -> str:
    return f"{iin[:2]}••••••••{iin[-2:]}"


class PersonalDataFound(ValueError):
    """A typed field carries an IIN. `field` is the name the field was given under, `masked` the
    number as it may be shown; the full number is kept nowhere, not even in the message."""

    def __init__(self, field: str, iin: str):
        self.field = field
        self.masked = masked(iin)
        super().__init__(f"{field}: {self.masked}")


def refuse_personal_data(**fields: str | Iterable[str] | None) -> None:
    """Raise PersonalDataFound for the first field (in the order given) that carries an IIN; a
    field may be one text or several (the links of a report)."""
    for name, value in fields.items():
        for text in [value] if value is None or isinstance(value, str) else value:
            found = find_iins(text)
            if found:
                raise PersonalDataFound(name, found[0])


# --- why a file cannot be checked ------------------------------------------------------------------

#: the pages of a PDF whose text is read; a longer one is refused, never half-checked
MAX_PDF_PAGES = 500
#: how deep files embedded in files are followed (an Excel table inside a Word file inside a PDF)
MAX_NESTING = 3
#: what separates two fields of a document: a character no IIN is read across
FIELD_BREAK = "\n|\n"


class Uncheckable(ValueError):
    """The file opens, but its words cannot be read, so it cannot be checked for IINs."""


class UnpacksTooLarge(Uncheckable):
    """The file (or the files inside it) would unpack to more than MAX_UNPACKED_BYTES."""


class PasswordProtected(Uncheckable):
    """Encrypted: its words cannot be read without the password."""


class OldFormat(Uncheckable):
    """A format older than Word 97 / Excel 97 (args[0]: its name, "Word 6/95", "Excel 5/95")."""


class TooManyPages(Uncheckable):
    """A PDF longer than MAX_PDF_PAGES (args[0]: its page count)."""


class UnreadablePage(Uncheckable):
    """A PDF page whose text cannot be extracted (args[0]: its number, from 1)."""


class _Damaged(Exception):
    """The bytes are not a readable file of their kind."""


class _Reading:
    """The fields read so far, and how many bytes were inflated to read them (one budget for a
    file and everything embedded in it: a few kilobytes must not make the server unpack gigabytes)."""

    def __init__(self):
        self.fields: list[str] = []
        self.inflated = 0

    def add(self, text) -> None:
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text and not text.isspace():
            self.fields.append(text)

    def number(self, value: float | int | str) -> None:
        """A value stored as a number: as written, and zero-padded when leading zeros may have
        been lost (a 9–11 digit whole number: an IIN of someone born 2000–2009)."""
        if isinstance(value, str):
            self.add(value)
            try:
                value = float(value)
            except ValueError:
                return
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            self.add(str(int(value)))
        else:
            self.add(repr(value))
        if isinstance(value, float) and not value.is_integer():
            return
        if 10**8 <= value < 10**11:
            self.add(f"{int(value):012d}")

    def spend(self, size: int) -> None:
        self.inflated += size
        if self.inflated > MAX_UNPACKED_BYTES:
            raise UnpacksTooLarge(self.inflated)


def document_text(data: bytes, kind: str) -> str | None:
    """Every word of a Word, Excel, PDF or image file that a reader of it can see, to be checked
    for IINs ("" when there are none: a scan, a photo without metadata); None when the file is
    damaged. Raises an Uncheckable — UnpacksTooLarge (checked before anything is unpacked),
    PasswordProtected, OldFormat, TooManyPages, UnreadablePage — when it cannot be checked."""
    reading = _Reading()
    try:
        _read(data, kind, reading, depth=0)
    except Uncheckable:
        raise
    except Exception:  # noqa: BLE001 — any failure to read means a damaged file, reported as such
        return None
    return FIELD_BREAK.join(reading.fields)


def encrypted_office_package(data: bytes) -> bool:
    """A .docx/.xlsx saved with a password: an OLE2 file holding an EncryptedPackage stream."""
    if not data.startswith(_OLE_MAGIC):
        return False
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 — not readable as OLE2 at all: not an encrypted package
        return False


_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _kind_of(data: bytes) -> str | None:
    """The kind of an embedded file, from its first bytes."""
    if data.startswith(b"PK\x03\x04"):
        return "ooxml"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _read(data: bytes, kind: str, reading: _Reading, depth: int) -> None:
    if depth > MAX_NESTING:
        raise _Damaged("files nested too deep")
    if kind in ("docx", "xlsx", "ooxml"):
        _read_package(data, reading, depth)
    elif kind in ("doc", "xls", "ole"):
        _read_ole(data, reading, depth, kind)
    elif kind == "pdf":
        _read_pdf(data, reading, depth)
    elif kind == "jpg":
        _read_jpeg(data, reading)
    elif kind == "png":
        _read_png(data, reading)


def _embedded(data: bytes, reading: _Reading, depth: int) -> None:
    """A file inside a file: read as its kind, or as raw text when it is none we know or it is
    damaged (the program showing the outer file shows no more of it than its preview, which is
    read as part of the outer file). One that cannot be checked makes the outer one uncheckable."""
    kind = _kind_of(data)
    if kind is None:
        _raw_text(data, reading)
        return
    try:
        _read(data, kind, reading, depth + 1)
    except Uncheckable:
        raise
    except Exception:  # noqa: BLE001 — damaged inside: read what can be read
        _raw_text(data, reading)


#: in bytes of unknown structure, 12 or more digits and separators in a row: as 8-bit text (any
#: code page, UTF-8 too) and as UTF-16 (the separators' two bytes, little-endian)
_RAW_8 = re.compile(rb"[0-9](?:[0-9\x09-\x0d\x20\x2d-\x2f\x5c\x5f\xa0\xad]|\xc2[\xa0\xad]|\xe2\x80[\x80-\xaf]"
                    rb"|\xe2\x81[\x9f-\xa9]|\xe2\x88\x92|\xe3\x80\x80|\xef\xbb\xbf){11,}")
_RAW_16 = re.compile(rb"[0-9]\x00(?:[0-9\x09-\x0d\x20\x2d-\x2f\x5c\x5f\xa0\xad]\x00|[\x00-\x15\x28-\x2f\x5f-\x64\x66-\x69]\x20"
                     rb"|\x12\x22|\x00\x30|\xff\xfe|\x80\x16|\x0e\x18){11,}")


def _raw_text(blob: bytes, reading: _Reading) -> None:
    """Bytes of unknown structure: every stretch of 12 or more digits and separators, as 8-bit
    text and as UTF-16 at either alignment. Digits look the same in every 8-bit code page and in
    UTF-8, so an IIN stored there as text is found; the search runs in the regular expression
    engine, so megabytes of pictures cost a fraction of a second."""
    for found in _RAW_8.finditer(blob):
        reading.add(found.group().decode("utf-8", "replace"))
        reading.add(found.group().decode("latin-1"))
    for found in _RAW_16.finditer(blob):
        reading.add(found.group().decode("utf-16-le", "replace"))


# --- Office Open XML: .docx, .xlsx and packages embedded in them ------------------------------------

#: elements whose text is a run of the surrounding paragraph or string
_RUN_TEXT = {"t", "delText"}
_BREAKS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-", "softHyphen": "\u00ad"}
#: elements that end a piece of text: a cell, a text box, a comment… (no number runs across them)
_CONTAINERS = {"tc", "tbl", "txbxContent", "comment", "footnote", "endnote", "body", "hdr", "ftr", "si", "is",
               "text", "txBody", "rich", "tx", "sp", "threadedComment", "docPartBody"}
#: text kept in attributes: element → attributes (alt texts, authors, sheet and name titles…)
_TEXT_ATTRIBUTES = {
    "docPr": ("descr", "title"), "cNvPr": ("descr", "title"), "comment": ("author", "initials"),
    "ins": ("author",), "del": ("author",), "person": ("displayName", "userId"),
    "hyperlink": ("tooltip", "display", "location"), "sheet": ("name",), "definedName": ("name",),
    "table": ("name", "displayName"), "tableColumn": ("name",), "cacheField": ("name",), "s": ("v",),
    "dataValidation": ("prompt", "error", "promptTitle", "errorTitle"), "default": ("val",),
    "listEntry": ("val",), "listItem": ("displayText", "value"), "alias": ("val",), "tag": ("val",),
    "statusText": ("val",), "helpText": ("val",), "textpath": ("string",), "shape": ("alt",),
    "imagedata": ("title",), "fldSimple": ("instr",), "docVar": ("name", "val"), "property": ("name",),
}
_HEADERS_FOOTERS = {"oddHeader", "evenHeader", "firstHeader", "oddFooter", "evenFooter", "firstFooter"}
_SPREADSHEET_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   "http://purl.oclc.org/ooxml/spreadsheetml/main")


def _read_package(data: bytes, reading: _Reading, depth: int) -> None:
    """Every XML part of the package, and every file embedded in it. The zip directory's sum of
    unpacked sizes is charged before anything is inflated (Python's zipfile never inflates a
    member beyond the size the directory declares)."""
    size = unpacked_size(data)
    if size is None:
        raise _Damaged("not a zip")
    reading.spend(size)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if "[Content_Types].xml" not in {m.filename for m in members}:
            raise _Damaged("no content types")
        for member in members:
            name = member.filename.lower()
            if name.endswith((".xml", ".rels")):
                _xml_fields(archive.read(member), reading)
            elif name.endswith(".vml"):
                _vml_fields(archive.read(member), reading)
            else:
                with archive.open(member) as handle:
                    head = handle.read(16)
                # embedded objects and pictures; vector pictures (a chart's or an object's
                # preview) keep their words as UTF-16 text
                if _kind_of(head) is not None or "/embeddings/" in f"/{name}" or name.endswith((".emf", ".wmf")):
                    _embedded(archive.read(member), reading, depth)


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _xml_parse(content: bytes, recover: bool = False):
    """An incremental parse that loads no DTD, expands no entity and reaches no network."""
    from lxml import etree

    return etree.iterparse(io.BytesIO(content), events=("end",), resolve_entities=False, load_dtd=False,
                           no_network=True, huge_tree=False, recover=recover, remove_comments=True,
                           remove_pis=True)


def _xml_fields(content: bytes, reading: _Reading) -> None:
    """The words of one XML part. Runs of text join into their paragraph; a paragraph ends with a
    line break; a cell, comment or text box ends the field. A tracked change is read twice: the
    text as it is now, and as it was."""
    now: list[str] = []  # the paragraph as it reads with the changes accepted…
    before: list[str] = []  # …and rejected

    def flush():
        for text in {"".join(now), "".join(before)}:
            reading.add(text)
        now.clear()
        before.clear()

    parse = _xml_parse(content)
    for _event, element in parse:
        name = _local(element.tag)
        parent = element.getparent()
        if name in _RUN_TEXT and element.text:
            if _local(parent.tag if parent is not None else "") == "rPh":
                reading.add(element.text)  # a phonetic reading, not part of the string
            else:
                run = parent.getparent() if parent is not None else None
                changed = _local(run.tag) if run is not None else ""
                if name == "delText" or changed in ("del", "moveFrom"):
                    before.append(element.text)
                elif changed in ("ins", "moveTo"):
                    now.append(element.text)
                else:
                    now.append(element.text)
                    before.append(element.text)
        elif name in _BREAKS:
            now.append(_BREAKS[name])
            before.append(_BREAKS[name])
        elif name == "p":
            now.append("\n")
            before.append("\n")
        elif name in _CONTAINERS:
            flush()
        elif name == "v" and parent is not None and _local(parent.tag) == "c" and _is_spreadsheet(parent.tag):
            cell_type = parent.get("t")
            if cell_type in (None, "n"):
                reading.number(element.text or "")
            elif cell_type != "s":  # "s": an index into the shared strings, which are read themselves
                reading.add(element.text)
        elif name in _HEADERS_FOOTERS:
            for text in _header_footer_texts(element.text or ""):
                reading.add(text)
        elif name == "n" and element.get("v") is not None:
            reading.number(element.get("v"))  # a number in a pivot cache
        elif element.text and not element.text.isspace():
            flush()
            reading.add(element.text)  # formulas, values, properties, field codes…
        for attribute in _TEXT_ATTRIBUTES.get(name, ()):
            for key, value in element.attrib.items():
                if _local(key) == attribute:
                    reading.add(value)
        if name == "Relationship" and element.get("TargetMode") == "External":
            reading.add(element.get("Target"))
        element.clear(keep_tail=True)
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]
    flush()
    if parse.root is not None and parse.root.getroottree().docinfo.doctype:
        raise _Damaged("a DTD in an Office part")  # the format allows none; entities could hide words


def _is_spreadsheet(tag: str) -> bool:
    return tag.startswith("{") and tag[1:].partition("}")[0] in _SPREADSHEET_NS


def _vml_fields(content: bytes, reading: _Reading) -> None:
    """Legacy drawings (form controls, WordArt, old text boxes): Office writes them as loose
    HTML-like XML, so they are parsed leniently; every text node and text attribute counts."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, recover=True,
                             remove_comments=True, remove_pis=True)
    root = etree.fromstring(content, parser) if content.strip() else None
    if root is None:
        return
    reading.add("\n".join(t.strip() for t in root.itertext() if t.strip()))
    for element in root.iter():
        for attribute in _TEXT_ATTRIBUTES.get(_local(element.tag), ()):
            for key, value in element.attrib.items():
                if _local(key) == attribute:
                    reading.add(value)


_HEADER_CODES = re.compile(r'&"[^"]*"|&K[0-9A-Fa-f]{6}|&K\d\d[+-]\d{3}|&[BIUSXYEOH]')
_HEADER_PLACES = re.compile(r"&[LCRPNDTFAZG]")


def _header_footer_texts(text: str) -> set[str]:
    """An Excel page header or footer without its codes (&L, &"Arial,Bold", &P…). A font size
    (&12) runs straight into the text after it, so every reading of where it ends is kept."""
    text = _HEADER_PLACES.sub("|", _HEADER_CODES.sub("", text)).replace("&&", "&")
    return {re.sub(pattern, "", text) for pattern in (r"&\d+", r"&\d{1,2}", r"&\d")}


# --- PDF ---------------------------------------------------------------------------------------------


def _read_pdf(data: bytes, reading: _Reading, depth: int) -> None:
    """The text layer of every page, and the words a reader sees elsewhere: annotations, form
    fields, bookmarks, the document's metadata, and embedded files. pypdf bounds what a
    compressed stream may inflate to."""
    import warnings

    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about every small irregularity of real PDFs
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # protected against changes only: readable without a password
            except Exception:  # noqa: BLE001 — an encryption pypdf cannot undo: unreadable all the same
                raise PasswordProtected() from None
            if not opened:
                raise PasswordProtected()
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise TooManyPages(len(pages))
        for number, page in enumerate(pages, start=1):
            try:
                reading.add(page.extract_text())
            except Exception:  # noqa: BLE001 — a page whose words are unknown leaves the file unchecked
                raise UnreadablePage(number) from None
            _pdf_annotations(page, reading)
        _pdf_metadata(reader, reading)
        _pdf_extras(reader, reading, depth)


def _pdf_value(value) -> str | None:
    try:
        value = value.get_object() if hasattr(value, "get_object") else value
    except Exception:  # noqa: BLE001 — a dangling reference: nothing a reader sees either
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _pdf_annotations(page, reading: _Reading) -> None:
    """Comments, sticky notes, free text, link targets and filled form widgets of one page."""
    try:
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for item in annotations or []:
            annotation = item.get_object()
            for key in ("/Contents", "/T", "/Subj", "/TU", "/RC", "/V"):
                reading.add(_pdf_value(annotation.get(key)))
            action = annotation.get("/A")
            if action is not None:
                reading.add(_pdf_value(action.get_object().get("/URI")))
    except Exception:  # noqa: BLE001,S110 — a damaged annotation is shown by no viewer either
        pass


def _pdf_metadata(reader, reading: _Reading) -> None:
    info = reader.metadata
    if info:
        for value in info.values():
            reading.add(_pdf_value(value))
    try:
        stream = reader.root_object.get("/Metadata")
        xmp = stream.get_object().get_data() if stream is not None else None
    except Exception:  # noqa: BLE001 — an unreadable XMP stream: the information dictionary still counts
        xmp = None
    if xmp:
        _xmp_fields(xmp, reading)


def _xmp_fields(xmp: bytes, reading: _Reading) -> None:
    """XMP keeps properties as elements and as attributes (rdf:Description dc:title="…")."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, recover=True,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(xmp.strip(), parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        _raw_text(xmp, reading)
        return
    for element in root.iter():
        if isinstance(element.tag, str):
            reading.add(element.text)
            for value in element.attrib.values():
                reading.add(value)


def _pdf_extras(reader, reading: _Reading, depth: int) -> None:
    try:
        for name, field in (reader.get_fields() or {}).items():
            reading.add(name)
            for key in ("/V", "/DV", "/TU"):
                reading.add(_pdf_value(field.get(key)))
    except Exception:  # noqa: BLE001,S110 — a damaged form: its widgets were read with the pages
        pass
    seen = 0

    def titles(items):
        nonlocal seen
        for item in items:
            seen += 1
            if seen > 100_000:
                return
            if isinstance(item, list):
                titles(item)
            else:
                reading.add(getattr(item, "title", None))

    with contextlib.suppress(Exception):  # damaged bookmarks are shown by no viewer either
        titles(reader.outline)
    for name, contents in reader.attachments.items():  # embedded files: read like evidence
        reading.add(name)
        for content in contents:
            reading.spend(len(content))
            _embedded(content, reading, depth)


# --- images ------------------------------------------------------------------------------------------


def _read_jpeg(data: bytes, reading: _Reading) -> None:
    """The metadata segments before the picture (EXIF, XMP, comments). A picture is never
    "damaged" for this check: one whose segments do not add up is read as raw text."""
    try:
        _jpeg_segments(data, reading)
    except (struct.error, IndexError):
        _raw_text(data, reading)


def _jpeg_segments(data: bytes, reading: _Reading) -> None:
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
            position += 1 if marker == 0xFF else 2
            continue
        if marker in (0xDA, 0xD9):  # the picture itself starts (or the file ends)
            break
        (length,) = struct.unpack_from(">H", data, position + 2)
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            _raw_text(data[position + 4:position + 2 + length], reading)
        position += 2 + length


def _read_png(data: bytes, reading: _Reading) -> None:
    """The text chunks (tEXt, zTXt, iTXt) and EXIF of a PNG; a damaged one is read as raw text."""
    try:
        _png_chunks(data, reading)
    except (struct.error, zlib.error, IndexError):
        _raw_text(data, reading)


def _png_chunks(data: bytes, reading: _Reading) -> None:
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        body = data[position + 8:position + 8 + length]
        if kind == b"tEXt" or kind == b"eXIf":
            _raw_text(body, reading)
        elif kind in (b"zTXt", b"iTXt"):
            keyword, _, rest = body.partition(b"\0")
            reading.add(keyword.decode("latin-1"))
            if kind == b"zTXt":
                compressed, rest = True, rest[1:]
            else:
                compressed, rest = rest[:1] == b"\1", rest[2:]
                _language, _, rest = rest.partition(b"\0")
                translated, _, rest = rest.partition(b"\0")
                reading.add(translated.decode("utf-8", "replace"))
            if compressed:
                inflater = zlib.decompressobj()
                limit = max(0, MAX_UNPACKED_BYTES - reading.inflated) + 1
                rest = inflater.decompress(rest, limit)
                reading.spend(len(rest))
            reading.add(rest.decode("utf-8", "replace"))
        elif kind == b"IEND":
            break
        position += 12 + length


# --- OLE2: Word 97 .doc, Excel 97 .xls, and objects embedded in Office files -----------------------------


def _read_ole(data: bytes, reading: _Reading, depth: int, kind: str) -> None:
    """A Word or Excel 97 file read by its structure, its summary properties, and — so that a word
    kept somewhere the structure is not followed (an embedded object, a hyperlink, a fast-saved
    leftover) is not missed — every stream as raw text."""
    import olefile

    if not data.startswith(_OLE_MAGIC):
        raise _Damaged("no OLE2 signature")
    _raw_text(data, reading)  # the whole file too: whatever its allocation tables say, the words are there
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise PasswordProtected()
        if kind == "doc" and not ole.exists("WordDocument"):
            raise _Damaged("no WordDocument stream")
        if kind == "xls" and not (ole.exists("Workbook") or ole.exists("Book")):
            raise _Damaged("no Workbook stream")
        streams = ole.listdir(streams=True, storages=False)
        for path in streams:
            reading.spend(ole.get_size(path))
        if ole.exists("WordDocument"):
            _read_word97(ole, reading)
        if ole.exists("Workbook") or ole.exists("Book"):
            _read_excel97(ole, reading)
        _ole_properties(ole, reading)
        for path in streams:
            blob = ole.openstream(path).read()
            _raw_text(blob, reading)
            if _kind_of(blob) is not None:
                _embedded(blob, reading, depth)
            elif path[-1] == "\x01Ole10Native":  # a packaged file: a header (its name, its path), then the file
                starts = [at for magic in (b"PK\x03\x04", b"%PDF-", _OLE_MAGIC) if (at := blob.find(magic, 0, 4096)) >= 0]
                if starts:
                    _embedded(blob[min(starts):], reading, depth)


def _ole_properties(ole, reading: _Reading) -> None:
    try:
        meta = ole.get_metadata()
    except Exception:  # noqa: BLE001 — unreadable properties: their stream is still read as raw text
        return
    for attribute in meta.SUMMARY_ATTRIBS + meta.DOCSUM_ATTRIBS:
        value = getattr(meta, attribute, None)
        if isinstance(value, bytes):
            value = value.decode(_codepage(meta.codepage), "replace")
        if isinstance(value, str):
            reading.add(value)


def _codepage(number) -> str:
    names = {1200: "utf-16-le", 65001: "utf-8", 1251: "cp1251", 1252: "cp1252", 866: "cp866"}
    return names.get(number, "cp1252")


#: Word's marks in its text: paragraph and line ends become line breaks; cell ends, field
#: marks and anchors of pictures, notes and comments end a field
_WORD_MARKS = {0x0D: "\n", 0x0B: "\n", 0x0C: "\n", 0x0E: "\n", 0x1E: "-", 0x1F: "\u00ad",
               **{c: FIELD_BREAK for c in (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x13, 0x14, 0x15)}}


def _read_word97(ole, reading: _Reading) -> None:
    """The text of every story (body, footnotes, headers and footers, comments, endnotes, text
    boxes) through the piece table, as [MS-DOC] describes it: the FIB names the table stream and
    the Clx in it; each piece is 8-bit (cp1252) or UTF-16 text at an offset of WordDocument."""
    word = ole.openstream("WordDocument").read()
    if len(word) < 34:
        raise _Damaged("FIB too short")
    ident, version = struct.unpack_from("<HH", word, 0)
    if ident != 0xA5EC:
        raise _Damaged("not a Word FIB")
    if version < 0x00C1:  # Word 6.0 and 95 keep their text differently: not read, refused
        raise OldFormat("Word 6/95")
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if flags & 0x0100 or flags & 0x8000:  # fEncrypted, fObfuscated
        raise PasswordProtected()
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):
        raise _Damaged("no table stream")
    table = ole.openstream(table_name).read()
    position = 32
    (csw,) = struct.unpack_from("<H", word, position)
    position += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", word, position)
    position += 2 + 4 * cslw
    (pairs,) = struct.unpack_from("<H", word, position)
    if pairs < 34:
        raise _Damaged("FIB without a Clx")
    fc_clx, lcb_clx = struct.unpack_from("<II", word, position + 2 + 33 * 8)
    clx = table[fc_clx:fc_clx + lcb_clx]
    if lcb_clx == 0 or len(clx) != lcb_clx:
        raise _Damaged("Clx outside the table stream")
    index = 0
    while index < len(clx) and clx[index] == 0x01:  # Prc: property modifiers, skipped
        (size,) = struct.unpack_from("<h", clx, index + 1)
        index += 3 + max(size, 0)
    if index >= len(clx) or clx[index] != 0x02:
        raise _Damaged("no piece table")
    (size,) = struct.unpack_from("<I", clx, index + 1)
    plc = clx[index + 5:index + 5 + size]
    if len(plc) != size or size < 16 or (size - 4) % 12:
        raise _Damaged("piece table of a wrong size")
    count = (size - 4) // 12
    positions = struct.unpack_from(f"<{count + 1}I", plc, 0)
    if any(b < a for a, b in zip(positions, positions[1:], strict=False)):
        raise _Damaged("piece table out of order")
    reading.spend(2 * (positions[-1] - positions[0]))
    pieces = []
    for number in range(count):
        (offset,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * number + 2)
        length = positions[number + 1] - positions[number]
        if offset & 0x40000000:  # fCompressed: one byte a character, at half the offset
            start = (offset & 0x3FFFFFFF) // 2
            raw = word[start:start + length]
            text = raw.decode("cp1252", "replace")
        else:
            raw = word[offset:offset + 2 * length]
            text = raw.decode("utf-16-le", "replace")
        if len(text) != length:
            raise _Damaged("piece outside WordDocument")
        pieces.append(text)
    reading.add("".join(pieces).translate(_WORD_MARKS))


class _Continued:
    """A record's data and the CONTINUE records after it, read as one ([MS-XLS] 2.5.293: a
    string's characters may cross into the next record, which then restates their width)."""

    def __init__(self, chunks: list[bytes]):
        self.chunks = [c for c in chunks]
        self.index = 0
        self.position = 0

    def _next_chunk(self) -> None:
        self.index += 1
        self.position = 0
        if self.index >= len(self.chunks):
            raise _Damaged("string runs past its records")

    def read(self, size: int) -> bytes:
        out = b""
        while len(out) < size:
            chunk = self.chunks[self.index] if self.index < len(self.chunks) else b""
            if self.position >= len(chunk):
                self._next_chunk()
                continue
            take = chunk[self.position:self.position + size - len(out)]
            out += take
            self.position += len(take)
        return out

    def number(self, fmt: str) -> int:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def chars(self, count: int, wide: bool | None) -> str:
        """`count` characters; `wide` None: the width byte comes first (a TXO's text)."""
        out = []
        while count:
            chunk = self.chunks[self.index] if self.index < len(self.chunks) else b""
            if wide is None or self.position >= len(chunk):
                if self.position >= len(chunk):
                    self._next_chunk()
                    chunk = self.chunks[self.index]
                wide = bool(chunk[self.position] & 0x01)
                self.position += 1
            width = 2 if wide else 1
            take = min(count, (len(chunk) - self.position) // width)
            if take == 0:
                self.position = len(chunk)
                continue
            raw = chunk[self.position:self.position + take * width]
            out.append(raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1"))
            self.position += take * width
            count -= take
        return "".join(out)

    def string(self, length_format: str = "<H") -> str:
        """An XLUnicodeString: its length, a flags byte, then the characters."""
        count = self.number(length_format)
        flags = self.number("<B")
        return self.chars(count, bool(flags & 0x01))


def _rk(value: int) -> float:
    """A number as an RK value: a 30-bit integer or the top 30 bits of a double, perhaps ×100."""
    if value & 0x02:
        number = float(struct.unpack("<i", struct.pack("<I", value & 0xFFFFFFFC))[0] >> 2)
    else:
        number = struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0]
    return number / 100 if value & 0x01 else number


def _records(stream: bytes):
    """(type, data, data of the CONTINUE records that follow) for each BIFF record."""
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        data = stream[position + 4:position + 4 + size]
        if len(data) != size:
            raise _Damaged("a record runs past the stream")
        position += 4 + size
        continued = []
        while position + 4 <= len(stream) and struct.unpack_from("<H", stream, position)[0] == 0x003C:
            (size,) = struct.unpack_from("<H", stream, position + 2)
            continued.append(stream[position + 4:position + 4 + size])
            position += 4 + size
        yield kind, data, continued


def _read_excel97(ole, reading: _Reading) -> None:
    """Every text and number of a BIFF8 workbook ([MS-XLS]): the shared strings, cells, numbers
    (RK, MULRK, NUMBER), cached formula results, sheet names, names, page headers and footers,
    the notes' authors and the text of notes and text boxes (TXO)."""
    stream = ole.openstream("Workbook" if ole.exists("Workbook") else "Book").read()
    if len(stream) < 8 or struct.unpack_from("<H", stream, 0)[0] != 0x0809:
        raise _Damaged("no BOF record")
    if struct.unpack_from("<H", stream, 4)[0] != 0x0600:
        raise OldFormat("Excel 5/95")
    for kind, data, continued in _records(stream):
        if kind == 0x002F:  # FILEPASS
            raise PasswordProtected()
        if kind == 0x00FC and len(data) >= 8:  # SST
            strings = _Continued([data[8:], *continued])
            for _ in range(struct.unpack_from("<I", data, 4)[0]):
                try:
                    count, flags = strings.number("<H"), strings.number("<B")
                    runs = strings.number("<H") if flags & 0x08 else 0
                    extra = strings.number("<I") if flags & 0x04 else 0
                    reading.add(strings.chars(count, bool(flags & 0x01)))
                    strings.read(4 * runs + extra)
                except _Damaged:
                    break  # fewer strings than announced: what was there has been read
        elif kind in (0x0204, 0x00D6) and len(data) > 8:  # LABEL, RSTRING
            reading.add(_Continued([data[6:], *continued]).string())
        elif kind in (0x0207, 0x0014, 0x0015) and data:  # STRING (a formula's text), HEADER, FOOTER
            text = _Continued([data, *continued]).string()
            for variant in _header_footer_texts(text) if kind != 0x0207 else [text]:
                reading.add(variant)
        elif kind == 0x0085 and len(data) > 8:  # BOUNDSHEET8: a sheet's name
            reading.add(_Continued([data[6:]]).string("<B"))
        elif kind == 0x001C and len(data) > 10:  # NOTE: its author
            reading.add(_Continued([data[8:]]).string())
        elif kind == 0x01B6 and len(data) >= 12 and continued:  # TXO: a note's or text box's words
            count = struct.unpack_from("<H", data, 10)[0]
            if count:
                reading.add(_Continued(continued).chars(count, None))
        elif kind == 0x0018 and len(data) > 15:  # LBL: a defined name
            reading.add(_Continued([data[14:]]).chars(data[3], None))
        elif kind == 0x0203 and len(data) >= 14:  # NUMBER
            reading.number(struct.unpack_from("<d", data, 6)[0])
        elif kind == 0x027E and len(data) >= 10:  # RK
            reading.number(_rk(struct.unpack_from("<I", data, 6)[0]))
        elif kind == 0x00BD and len(data) >= 12:  # MULRK
            for offset in range(6, len(data) - 2, 6):
                reading.number(_rk(struct.unpack_from("<I", data, offset)[0]))
        elif kind == 0x0006 and len(data) >= 14 and data[12:14] != b"\xff\xff":  # FORMULA with a number
            reading.number(struct.unpack_from("<d", data, 6)[0])
