"""PDF → RawDocument: the plan table itself, read from the ruling lines of a born-digital PDF.

A PDF saved from Word or LibreOffice draws each table cell's borders as lines and places every
glyph at a position; it keeps no cells and no paragraphs. PDFium (Chrome's PDF engine, through
pypdfium2) gives the glyphs with their positions and the line segments the page draws;
pdfplumber's table algorithm (snap and join the segments, find their intersections, the smallest
cells they close, merged cells included, and the tables those cells form) turns the segments into
cells. PDFium reads a page in about 10 ms; pdfplumber's own page reader (pdfminer.six, pure
Python) took about 200 ms a page here, too slow for a 40-page plan (README, "Formats").

This module then puts each glyph into its cell and rebuilds the cell's text:

- glyphs on one baseline form a line; a space glyph or a gap wider than a fifth of the font size
  is a space;
- a line that ends where the next line's first word would still have fitted was ended by the
  writer (a paragraph, a line break): it stays a line break, which for executors is a separator.
  Otherwise the layout wrapped the line and it is joined with a space (no space after a hyphen the
  line broke at: "зорлық-" + "зомбылық"). A wide vertical gap is an empty paragraph (a blank line,
  which Kostanay-style cells use to separate sub-rows).

Each page's table rows follow one another as one table. The first row on a new page is marked
`page_break`, so that the table reads a row continued from the previous page the way it reads the
Karaganda text extract's (an empty number after a page break continues the activity, a repeated
header or column-number row is skipped); if its first word would have fitted at the end of the
cell on the page before, the cell continues after a line break rather than a space.

Text outside the tables (the stamp, the title, the legend, the signature) becomes paragraphs
before, between or after the table, one per line the writer ended.

A PDF with no text at all is a scan: one clear line says so (no OCR here). An encrypted PDF that
needs a password, a damaged one, or one with more pages than any plan: one clear line.
PDFium is not thread-safe: one PDF at a time per process (a lock).
"""

import bisect
import ctypes
import re
import threading
from dataclasses import dataclass

from tracker.core.messages import msg
from tracker.plans.engine.errors import PlanFormatError

#: no plan has more pages; a bigger PDF is refused before its pages are read
MAX_PDF_PAGES = 400
#: a line whose next word would have fitted with this much room to spare (points) was ended by the writer
_FIT_TOLERANCE = 1.0
#: PDFium's error code for a document that needs a password (FPDF_ERR_PASSWORD)
_PASSWORD_ERROR = 4
_PDFIUM = threading.Lock()


@dataclass(slots=True)
class _Glyph:
    """One character as the page places it, in points from the page's top left."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    first_word_width: float
    first_char_width: float
    size: float


def _password_error(name: str) -> PlanFormatError:
    return PlanFormatError(msg("%(name)s is a PDF protected by a password; remove the password (or upload the plan "
                               "as Word or Excel) and upload again", name=name))


def read_pdf(data: bytes, name: str):
    import pypdfium2 as pdfium

    from tracker.plans.engine.readers import RawDocument, RawRow  # readers imports this module lazily

    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) == _PASSWORD_ERROR:
                raise _password_error(name) from None
            raise PlanFormatError(msg("%(name)s is a PDF that cannot be read: it is damaged (%(detail)s)",
                                      name=name, detail=_one_line(error))) from None
        try:
            count = len(pdf)
            if count > MAX_PDF_PAGES:
                raise PlanFormatError(msg("%(name)s is a PDF of %(n)s pages; a plan of more than %(limit)s pages "
                                          "is refused", name=name, n=count, limit=MAX_PDF_PAGES))
            pages = []
            for number in range(count):
                try:
                    pages.append(_read_page(pdf, number))
                except pdfium.PdfiumError as error:
                    raise PlanFormatError(msg("%(name)s is a PDF whose page %(page)s is damaged (%(detail)s)",
                                              name=name, page=number + 1, detail=_one_line(error))) from None
        finally:
            pdf.close()
    if not any(chars for chars, _ in pages):
        if not pages:
            raise PlanFormatError(msg("%(name)s is a PDF without pages", name=name))
        raise PlanFormatError(msg(
            "%(name)s is a PDF scanned from paper: it has no text layer, only pictures of the pages. Upload the "
            "plan as Word or Excel, or a PDF saved from Word", name=name))

    rows: list[RawRow] = []
    preamble: list[str] = []
    pending: list[str] = []  # paragraphs after the last table seen so far
    tails: list[_Tail | None] = []  # how each cell of the last row read ended
    header_rows: list[list[str]] = []  # the first rows of the first table: the header, if a page repeats it
    last_content: int | None = None  # the last row that is not a repeated header
    tables_seen = 0
    for page_number, (chars, edges) in enumerate(pages, start=1):
        tables = _tables(edges)
        in_table = [any(_contains(bbox, c) for bbox, _ in tables) for c in chars]
        inside = sorted((c for c, flag in zip(chars, in_table, strict=True) if flag), key=_middle_y)
        middles = [_middle_y(c) for c in inside]
        blocks = _outside_blocks([c for c, flag in zip(chars, in_table, strict=True) if not flag],
                                 [bbox for bbox, _ in tables])
        for index, (_, table_rows) in enumerate(tables):
            # Paragraphs above the first table introduce the plan; between tables they are rows of text.
            (pending if tables_seen else preamble).extend(blocks[index])
            rows.extend(RawRow([text], msg("page %(page)s", page=page_number), paragraph=True)
                        for text in pending if text)
            pending = []
            tables_seen += 1
            continuing = tables_seen > 1  # until the first row of this page that is not the header again
            for number, row in enumerate(table_rows, start=1):
                read = [_read_cell(bbox, inside, middles) for bbox in row]
                cells = [text for text, _ in read]
                if tables_seen == 1 and number <= 3:
                    header_rows.append(cells)
                page_break = continuing and (number == 1 or cells not in header_rows)
                if continuing and cells in header_rows:  # the header repeated on this page
                    rows.append(RawRow(cells, msg("page %(page)s, row %(row)s", page=page_number, row=number),
                                       page_break=True))
                    continue
                continuing = False
                if page_break and last_content is not None and len(tails) == len(cells):
                    joins = [_join_over_page(tail, lines) for tail, (_, lines) in zip(tails, read, strict=True)]
                    if any(join == "" and _NUMBER_PIECE.match(tail.line.text)
                           for join, tail in zip(joins, tails, strict=True) if tail):
                        # A number cut by the page ("10.1" | "5"): alone it would look like a new activity
                        # numbered 5, so the two pieces of the row are joined here.
                        cut = rows[last_content]
                        cut.cells = [_joined(before, join, text) for before, join, text
                                     in zip(cut.cells, joins, cells, strict=True)]
                        tails = [_tail(lines, bbox) or tail for (_, lines), bbox, tail in zip(read, row, tails, strict=True)]
                        continue
                    # Otherwise the table decides (an empty number continues the activity), and the
                    # cell goes on after a line break where the writer ended the line.
                    cells = [("\n" + text if join == "\n" and text else text) for join, text in zip(joins, cells, strict=True)]
                last_content = len(rows)
                rows.append(RawRow(cells, msg("page %(page)s, row %(row)s", page=page_number, row=number),
                                   page_break=page_break))
                tails = [_tail(lines, bbox) for (_, lines), bbox in zip(read, row, strict=True)]
        (pending if tables_seen else preamble).extend(blocks[len(tables)])
    return RawDocument("pdf", rows, preamble=preamble, trailing=pending)


def _read_page(pdf, index: int) -> tuple[list[_Glyph], list[dict]]:
    """(glyphs, line segments) of one page, in pdfplumber's coordinates: points from the top left.

    A 40-page plan holds some 60,000 glyphs, so each costs as few calls into PDFium as it can: the
    page's text in one call, then the box and the size of each glyph (the box is the "loose" one:
    the glyph's advance and the font's height, not its ink, so that "1" is as wide as "0")."""
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            buffer = (ctypes.c_ushort * (count + 1))()
            written = raw.FPDFText_GetText(textpage, 0, count, buffer) if count else 0
            codes = list(buffer[:count]) if written >= count else \
                [raw.FPDFText_GetUnicode(textpage, i) for i in range(count)]
            rect = raw.FS_RECTF()
            chars = []
            for i, code in enumerate(codes):
                if code in (2, 0xFFFE):  # PDFium's marks of a hyphen the line broke at
                    code = 0x2D
                elif code <= 32:
                    # PDFium adds spaces and line ends of its own; only the page's own space glyphs count
                    if code < 32 or raw.FPDFText_IsGenerated(textpage, i) == 1:
                        continue
                elif 0xD800 <= code < 0xE000:
                    continue
                if not raw.FPDFText_GetLooseCharBox(textpage, i, rect):
                    continue
                size = raw.FPDFText_GetFontSize(textpage, i) or 1.0
                chars.append(_Glyph(chr(code), rect.left, max(rect.right, rect.left), height - rect.top,
                                    height - rect.bottom, size))
        finally:
            textpage.close()
        edges = []
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
            edges.extend(_path_edges(obj, height))
            if len(edges) > 100_000:  # no table has so many borders: a page of hatching, not a plan
                break
    finally:
        page.close()
    return chars, edges


def _path_edges(obj, height: float) -> list[dict]:
    """The horizontal and vertical straight pieces of a path (borders, rectangles), as pdfplumber edges."""
    import pypdfium2.raw as raw

    matrix = obj.get_matrix()
    a, b, c, d, e, f = matrix.get()
    points = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for index in range(min(raw.FPDFPath_CountSegments(obj), 1000)):
        segment = raw.FPDFPath_GetPathSegment(obj, index)
        if not segment or not raw.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        kind = raw.FPDFPathSegment_GetType(segment)
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        if kind == raw.FPDF_SEGMENT_MOVETO or not points:
            points.append([(px, height - py)])
        else:
            points[-1].append((px, height - py))
        if raw.FPDFPathSegment_GetClose(segment) and points[-1]:
            points[-1].append(points[-1][0])
    edges = []
    for run in points:
        for (x0, y0), (x1, y1) in zip(run, run[1:], strict=False):
            if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= 1:
                edges.append({"object_type": "line_edge", "orientation": "h", "x0": min(x0, x1), "x1": max(x0, x1),
                              "top": y0, "bottom": y0, "width": abs(x1 - x0), "height": 0})
            elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 1:
                edges.append({"object_type": "line_edge", "orientation": "v", "x0": x0, "x1": x0,
                              "top": min(y0, y1), "bottom": max(y0, y1), "width": 0, "height": abs(y1 - y0)})
    return edges


def _tables(edges: list[dict]) -> list[tuple[tuple, list[list[tuple | None]]]]:
    """The page's tables, top to bottom: (bbox, rows of cell bboxes, None where a merged cell covers)."""
    from pdfplumber.table import (
        Table,
        TableSettings,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )
    from pdfplumber.utils import filter_edges

    if not edges:
        return []
    settings = TableSettings.resolve(None)
    merged = merge_edges(edges, snap_x_tolerance=settings.snap_x_tolerance,
                         snap_y_tolerance=settings.snap_y_tolerance, join_x_tolerance=settings.join_x_tolerance,
                         join_y_tolerance=settings.join_y_tolerance)
    merged = filter_edges(merged, min_length=settings.edge_min_length)
    intersections = edges_to_intersections(merged, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    cells = intersections_to_cells(intersections)
    tables = [Table(None, group) for group in cells_to_tables(cells)]
    tables = [t for t in tables if len(t.cells) > 1]  # a lone box around a paragraph is no table
    return [(t.bbox, [list(row.cells) for row in t.rows]) for t in sorted(tables, key=lambda t: t.bbox[1])]


def _one_line(exc: Exception, limit: int = 200) -> str:
    detail = " ".join(str(exc).split())
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"


# --- glyphs → lines → text ----------------------------------------------------------------------


def _middle_y(char: _Glyph) -> float:
    return (char.top + char.bottom) / 2


def _contains(bbox, char: _Glyph) -> bool:
    x = (char.x0 + char.x1) / 2
    y = (char.top + char.bottom) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _cell_lines(bbox, by_top: list, middles: list[float]) -> list[_Line]:
    """The glyphs whose middle is inside the cell, as lines."""
    start = bisect.bisect_left(middles, bbox[1])
    end = bisect.bisect_right(middles, bbox[3])
    chars = [c for c in by_top[start:end] if bbox[0] <= (c.x0 + c.x1) / 2 <= bbox[2]]
    return _lines(chars)


def _lines(chars: list[_Glyph]) -> list[_Line]:
    """Glyphs grouped by baseline (within a third of the font size), each line read left to right;
    a space glyph, or a gap wider than a fifth of the font size, separates words."""
    rows: list[list[_Glyph]] = []
    for char in sorted(chars, key=lambda c: c.bottom):
        if rows and abs(rows[-1][-1].bottom - char.bottom) <= char.size / 3:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        words: list[list[_Glyph]] = []
        previous = None
        for char in row:
            if char.text == " ":
                previous = None
                continue
            if previous is None or char.x0 - previous.x1 > char.size * 0.2:
                words.append([])
            words[-1].append(char)
            previous = char
        if not words:
            continue
        visible = [c for w in words for c in w]
        lines.append(_Line(
            top=min(c.top for c in visible), bottom=max(c.bottom for c in visible),
            x0=words[0][0].x0, x1=words[-1][-1].x1,
            text=" ".join("".join(c.text for c in w) for w in words),
            first_word_width=words[0][-1].x1 - words[0][0].x0,
            first_char_width=words[0][0].x1 - words[0][0].x0,
            size=max(c.size for c in visible)))
    return lines


def _space(line: _Line) -> float:
    return line.size * 0.3


def _right_limit(lines: list[_Line], left: float, right: float) -> float:
    """Where the writer's text could reach: the cell's right edge less the padding it kept on the left."""
    padding = min(line.x0 for line in lines) - left if lines else 0
    return right - max(padding, 0)


def _ended_by_writer(line: _Line, following: _Line, limit: float) -> bool:
    return line.x1 + _space(line) + following.first_word_width <= limit - _FIT_TOLERANCE


def _join(lines: list[_Line], limit: float) -> str:
    text = ""
    for index, line in enumerate(lines):
        if index:
            before = lines[index - 1]
            pitch = line.top - before.top
            if pitch > 1.8 * before.size * 1.15:  # an empty paragraph between them
                text += "\n\n"
            elif _ended_by_writer(before, line, limit):
                text += "\n"
            elif not (_broke_at_hyphen(before.text) or _broke_inside_word(before, line, limit)):
                text += " "
        text += line.text
    return text


def _broke_at_hyphen(text: str) -> bool:
    """"зорлық-" or "2019-" at the end of a wrapped line: the word goes on after the hyphen, without a space."""
    return len(text) >= 2 and text[-1] == "-" and text[-2].isalnum()


_NUMBER_PIECE = re.compile(r"^\d+(\.\d+)*\.?$")
#: short words that do follow a long word on the next line ("…мероприятия" / "и …"): never the end of a cut word
_SHORT_WORDS = frozenset(["и", "в", "с", "к", "у", "о", "а", "на", "по", "за", "из", "от", "до", "не", "ни", "же",
                          "мен", "бен", "пен", "да", "де", "та", "те", "ма", "ме", "ба", "бе", "және"])


def _broke_inside_word(line: _Line, following: _Line, limit: float) -> bool:
    """The layout cut a word longer than the column where the line ended ("жарияланымдард" / "ы
    орналастыру"): the line is that one word, it leaves no room for even the next line's first
    letter, and what follows on the next line is a short piece that is no word of its own. It goes
    on without a space. A whole word that only left too little room for the next word
    ("қаржыландыру" / "шеңберінде", "республикалық" / "бюджет") keeps its space."""
    piece, *rest = following.text.split(" ", 1)
    # A preposition ("о", "на") begins the next line only with the word it governs after it.
    word_of_its_own = piece in _SHORT_WORDS and bool(rest)
    # A number too wide for a narrow number column is cut the same way: "10.1" / "0".
    rest_of_number = piece.isdigit() and bool(_NUMBER_PIECE.match(line.text))
    return (" " not in line.text and limit - line.x1 < following.first_char_width + _FIT_TOLERANCE
            and len(piece) <= 3 and (piece.islower() or rest_of_number) and not word_of_its_own)


def _cell_text(lines: list[_Line], bbox) -> str:
    return _join(lines, _right_limit(lines, bbox[0], bbox[2]))


@dataclass
class _Tail:
    """How a cell's text ended: its last line and the right edge the writer's text could reach."""

    line: _Line
    limit: float


def _read_cell(bbox, by_top: list[_Glyph], middles: list[float]) -> tuple[str, list[_Line]]:
    if bbox is None:  # covered by a merged cell to its left or above
        return "", []
    lines = _cell_lines(bbox, by_top, middles)
    return _cell_text(lines, bbox), lines


def _tail(lines: list[_Line], bbox) -> _Tail | None:
    if not lines or bbox is None:
        return None
    return _Tail(lines[-1], _right_limit(lines, bbox[0], bbox[2]))


def _join_over_page(tail: _Tail | None, lines: list[_Line]) -> str | None:
    """How a cell continued from the page before joins its start there: "\n" where its first word
    would have fitted (the writer ended the line), "" inside a word the layout cut, " " otherwise;
    None when there is nothing on one side."""
    if tail is None or not lines:
        return None
    first = lines[0]
    if _ended_by_writer(tail.line, first, tail.limit):
        return "\n"
    if _broke_at_hyphen(tail.line.text) or _broke_inside_word(tail.line, first, tail.limit):
        return ""
    return " "


def _joined(before: str, join: str | None, text: str) -> str:
    if not text:
        return before
    if not before:
        return text
    return f"{before}{join if join is not None else ' '}{text}"


# --- the text outside the tables ----------------------------------------------------------------


def _outside_blocks(chars: list, tables: list) -> list[list[str]]:
    """The page's text outside its tables: one list of paragraphs above each table and one below the last.

    Each line the writer ended is its own paragraph followed by a blank line (as the .docx reader
    gives Word paragraphs), so the stamp stays apart from the title; lines the layout wrapped are
    joined."""
    lines = _lines(chars)
    if not lines:
        return [[] for _ in range(len(tables) + 1)]
    limit = max(line.x1 for line in lines)
    tops = [bbox[1] for bbox in tables]
    blocks: list[list[_Line]] = [[] for _ in range(len(tables) + 1)]
    for line in lines:
        blocks[bisect.bisect_right(tops, line.top)].append(line)
    result = []
    for block in blocks:
        paragraphs: list[str] = []
        current = ""
        for index, line in enumerate(block):
            if index and (_ended_by_writer(block[index - 1], line, limit) or
                          line.top - block[index - 1].bottom > block[index - 1].size * 0.6):
                paragraphs += [current, ""]
                current = line.text
            elif _broke_at_hyphen(current):
                current += line.text
            else:
                current = f"{current} {line.text}".strip()
        if current:
            paragraphs += [current, ""]
        result.append(paragraphs)
    return result
