"""Importing a region's organisations (schools, colleges, clinics) from a CSV or XLSX list, with
every problem named by its row and nothing stored while there is one.

A list has a header row; columns are found by their words, in any order, Kazakh, Russian or
English: the name (required), the Russian name, the city or district (required: it must be one of
the region's in the district registry), and the body above (optional: by default the city's or
district's education department, created from the registry when the portal lacks it).
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker import history
from tracker.core.sizes import MAX_UNPACKED_BYTES
from tracker.core.text import clean, norm
from tracker.delegation import registry
from tracker.executors.districts import BodyLevel
from tracker.executors.models import Body
from tracker.extensions import db

#: header words → column (folded, so Қ and К read alike)
_HEADERS = {
    "name_ru": ("орысша", "на русском", "русском", "наименование на рус", "name_ru", "russian"),
    "name": ("атауы", "наименование", "ұйым", "организация", "мекеме", "name", "organisation", "organization"),
    "district": ("аудан", "қала", "район", "город", "district", "city"),
    "parent": ("жоғары тұрған", "вышестоящ", "parent", "above"),
}
MAX_ROWS = 5000
_NAME_LIMIT = Body.__table__.c.name.type.length


class ListError(ValueError):
    """The file as a whole cannot be read (the message says why)."""


@dataclass
class Row:
    line: int
    name: str
    name_ru: str
    district: str
    parent: str


@dataclass
class Problem:
    line: int
    message: str


def _grid_of_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ListError(_("The file is neither UTF-8 nor Windows-1251 text."))
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _grid_of_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ListError(_("The workbook would unpack to more than %(mb)s MB; it is refused without being opened.",
                              mb=MAX_UNPACKED_BYTES // 1024 // 1024))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ListError(_("The workbook is damaged and cannot be read (%(detail)s).", detail=str(exc)[:120])) from None
    sheet = next((s for s in book.worksheets if s.sheet_state == "visible"), None)
    if sheet is None:
        raise ListError(_("The workbook has no visible sheet."))
    grid = []
    for row in sheet.iter_rows(values_only=True):
        grid.append(["" if value is None else str(value) for value in row])
        if len(grid) > MAX_ROWS + 1:
            break
    book.close()
    return grid


def read_rows(data: bytes, filename: str) -> list[Row]:
    """The list's rows (header found by its words); ListError for a file that is not such a list."""
    if not data:
        raise ListError(_("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data.startswith(b"PK"):
        grid = _grid_of_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        grid = _grid_of_csv(data)
    else:
        raise ListError(_("Send the list as .csv or .xlsx."))
    header_at = next((i for i, header in enumerate(grid[:20])
                      if {"name", "district"} <= set(_columns(header))), None)
    if header_at is None:
        raise ListError(_("No header row with a name column (Атауы / Наименование) and a district column "
                          "(Аудан / Район) in the first 20 rows."))
    columns = _columns(grid[header_at])
    rows = []
    for offset, cells in enumerate(grid[header_at + 1:], start=header_at + 2):
        def cell(column: str, cells=cells) -> str:
            index = columns.get(column)
            return clean(cells[index]) if index is not None and index < len(cells) else ""

        if not any(clean(c) for c in cells):
            continue
        rows.append(Row(offset, cell("name"), cell("name_ru"), cell("district"), cell("parent")))
    if not rows:
        raise ListError(_("The list has a header but no rows."))
    if len(rows) > MAX_ROWS:
        raise ListError(_("The list has more than %(n)s rows; send it in parts.", n=MAX_ROWS))
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = norm(text)
        for column, words in _HEADERS.items():
            if column not in found and any(norm(w) in key for w in words):
                found[column] = index
                break
    return found


def identity_of(district: str, name: str) -> str:
    return f"organisation:{norm(district)}:{norm(name)}"


def check(region: str, rows: list[Row]) -> tuple[list[Problem], dict]:
    """Every row's problems (nothing is stored while there is one) and, when none, what to store."""
    units = {unit.key: unit for unit in registry.units(region)}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    parents = {norm(b.name): b for b in db.session.scalars(select(Body).where(Body.region == region))}
    parents.update({norm(b.name_ru): b for b in parents.copy().values() if b.name_ru})
    for row in rows:
        if not row.name:
            problems.append(Problem(row.line, _("the name is empty")))
            continue
        if len(row.name) > _NAME_LIMIT or len(row.name_ru) > _NAME_LIMIT:
            problems.append(Problem(row.line, _("the name is longer than %(n)s characters", n=_NAME_LIMIT)))
            continue
        unit = units.get(norm(row.district)) or units.get(norm(row.district + " ауданы")) \
            or units.get(norm(row.district + " қаласы"))
        if unit is None:
            problems.append(Problem(row.line, _("«%(district)s» is not a city or district of %(region)s in the "
                                                "district registry", district=row.district or "—", region=region)))
            continue
        key = identity_of(unit.kk, row.name)
        if key in seen:
            problems.append(Problem(row.line, _("«%(name)s» is already on row %(row)s", name=row.name, row=seen[key])))
            continue
        seen[key] = row.line
        if row.parent and norm(row.parent) not in parents:
            problems.append(Problem(row.line, _("the body above, «%(parent)s», is not in the portal", parent=row.parent)))
    return problems, {"units": units, "parents": parents}


def store(region: str, rows: list[Row], found: dict, actor) -> tuple[int, int]:
    """Create or update each organisation, placed under its parent; one transaction. (created, updated)"""
    units, parents = found["units"], found["parents"]
    existing = {b.identity: b for b in db.session.scalars(
        select(Body).where(Body.region == region, Body.level == BodyLevel.ORGANISATION.value))}
    departments: dict[str, Body] = {}
    created = updated = 0
    try:
        for row in rows:
            unit = units.get(norm(row.district)) or units.get(norm(row.district + " ауданы")) \
                or units.get(norm(row.district + " қаласы"))
            if row.parent:
                parent = parents[norm(row.parent)]
            else:
                if unit.key not in departments:
                    member = registry.find_member(region, "district_education", unit.kk)
                    departments[unit.key] = registry.ensure_members(region, "district_education",
                                                                    only={member.identity})[0]
                parent = departments[unit.key]
            key = identity_of(unit.kk, row.name)
            body = existing.get(key)
            if body is None:
                body = Body(region=region, identity=key, level=BodyLevel.ORGANISATION.value)
                db.session.add(body)
                existing[key] = body
                created += 1
            else:
                updated += 1
            body.name, body.name_ru = row.name, row.name_ru or body.name_ru
            body.district, body.parent_id = unit.kk, parent.id
        db.session.flush()
        history.record("organisations.imported", actor=actor, details={
            "region": region, "created": created, "updated": updated, "rows": len(rows)})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return created, updated
