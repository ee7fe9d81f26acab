"""Actuals for many indicators at once, from a spreadsheet a department already keeps (.xlsx or
.csv): read with pandas, every row checked as the form checks one actual, errors named by row and
column, a preview — and nothing stored until the person confirms a file without errors.

The file is checked before it is read: an .xlsx as report evidence is (tracker.reports.evidence:
type by content, a zip bomb refused unopened, every cell and part scanned for IINs); a .csv must
be text (UTF-8 or Windows-1251) and carry no IIN.

Two layouts are read, by their headers (Kazakh, Russian or English; case and Kazakh letters folded):

- long: one row per actual — indicator, period, [scope], value, [comment];
- wide: one row per indicator, one column per period ("2023", "2024", "2024Q1", "I тоқсан 2024")
  — melted into the long layout (`DataFrame.melt`).

The indicator cell may hold the indicator's number in the portal ("12" or "#12", as the page and
the template show it) or its name (the whole name, or enough of it to name one indicator).
"""

import io
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _

from tracker.auth.models import User
from tracker.core.personal_data import find_iins, masked
from tracker.core.text import clean, fold, norm
from tracker.indicators import operations
from tracker.indicators.labels import scope_labels
from tracker.indicators.models import Indicator
from tracker.indicators.periods import parse_period
from tracker.plans.models import Plan
from tracker.reports import evidence as evidence_files

#: how many rows one upload may hold (a department's table, not a data dump)
MAX_ROWS = 5000

HEADERS = {
    "indicator": ("indicator", "көрсеткіш", "показатель", "индикатор", "id", "№"),
    "period": ("period", "кезең", "период", "жыл", "год", "year"),
    "scope": ("scope", "ауқым", "деңгей", "уровень", "масштаб"),
    "value": ("value", "actual", "нақты", "мән", "факт", "значение", "фактическ"),
    "comment": ("comment", "түсініктеме", "ескерту", "комментарий", "примечание"),
}


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, no header, too many rows…)."""


@dataclass
class PreviewRow:
    row: int  #: the row number in the spreadsheet (1 = its first row)
    indicator: Indicator | None
    indicator_text: str
    period: str
    scope: str
    value: str
    comment: str
    errors: list[str] = field(default_factory=list)
    checked: operations.CheckedActual | None = None


@dataclass
class Preview:
    file_name: str
    layout: str  #: long | wide
    rows: list[PreviewRow]

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


# --- the file ------------------------------------------------------------------------------------


def check_file(name: str, data: bytes) -> str:
    """"xlsx" or "csv", or SpreadsheetError (with the evidence check's message for an .xlsx)."""
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    max_bytes = current_app.config["MAX_EVIDENCE_BYTES"]
    if extension == "xlsx":
        try:
            kind = evidence_files.check(name, data, max_bytes)
        except evidence_files.EvidenceError as error:
            raise SpreadsheetError(str(error)) from None
        if kind != "xlsx":
            raise SpreadsheetError(_("«%(name)s» is not an Excel .xlsx file.", name=evidence_files.clean_file_name(name)))
        return "xlsx"
    if extension == "csv":
        shown = evidence_files.clean_file_name(name)
        if not data:
            raise SpreadsheetError(_("«%(name)s» is empty.", name=shown))
        if len(data) > max_bytes:
            raise SpreadsheetError(_("«%(name)s» is too large.", name=shown))
        if evidence_files.sniff(data) is not None or b"\x00" in data[:65536]:
            raise SpreadsheetError(_("«%(name)s» is not a text .csv file (judged by its content, not its name).",
                                     name=shown))
        text = _decode(data)
        found = find_iins(text) + find_iins(shown)
        if found:
            raise SpreadsheetError(_("«%(name)s» contains an IIN (%(iin)s). Actuals are aggregate numbers; remove it "
                                     "and upload the file again.", name=shown, iin=masked(found[0])))
        return "csv"
    raise SpreadsheetError(_("Upload an Excel .xlsx or a .csv file."))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _frame(data: bytes, kind: str):
    import pandas as pd

    try:
        if kind == "xlsx":
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
        else:
            frame = pd.read_csv(io.StringIO(_decode(data)), header=None, dtype=str, sep=None, engine="python",
                                keep_default_na=False, skip_blank_lines=False)
    except Exception as error:  # noqa: BLE001 — any failure to read is the file's, said once
        raise SpreadsheetError(_("The file could not be read as a table (%(reason)s).",
                                 reason=str(error).splitlines()[0][:120] if str(error) else type(error).__name__)) from None
    frame = frame.map(lambda v: None if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) else v)
    frame.index = frame.index + 1  # spreadsheet rows count from 1
    return frame


def _header_role(cell) -> str | None:
    if cell is None:
        return None
    text = norm(str(cell))
    for role, words in HEADERS.items():
        if any(text == norm(w) or text.startswith(norm(w) + " ") or (len(norm(w)) > 3 and norm(w) in text)
               for w in words):
            return role
    return None


def _layout(frame) -> tuple[int, dict[str, object], dict[object, str], str]:
    """The header row, the column of each role, the period columns (wide layout) and the layout."""
    for number in list(frame.index)[:15]:
        cells = frame.loc[number]
        roles: dict[str, object] = {}
        periods: dict[object, str] = {}
        for column, cell in cells.items():
            key = parse_period(cell)
            if key is not None and not (isinstance(cell, str) and _header_role(cell) == "period"):
                periods[column] = key
                continue
            role = _header_role(cell)
            if role and role not in roles:
                roles[role] = column
        if "indicator" in roles and "period" in roles and "value" in roles:
            return number, roles, {}, "long"
        if "indicator" in roles and periods:
            return number, roles, periods, "wide"
    raise SpreadsheetError(_("No header row found: the table needs the columns «%(indicator)s», «%(period)s» and "
                             "«%(value)s» (or one column per period, e.g. «2024»).", indicator=_("Indicator"),
                             period=_("Period"), value=_("Value")))


def read_rows(data: bytes, kind: str):
    """The file as a long table: row, indicator, period, scope, value, comment (and the column
    names for the messages)."""
    import pandas as pd

    frame = _frame(data, kind)
    header, roles, periods, layout = _layout(frame)
    names = {role: str(frame.loc[header, column]).strip() for role, column in roles.items()}
    body = frame.loc[frame.index > header]
    body = body[body.notna().any(axis=1)]  # blank lines between blocks are no rows
    if len(body) * max(1, len(periods)) > MAX_ROWS:
        raise SpreadsheetError(_("The file holds more than %(n)s actuals; upload it in parts.", n=MAX_ROWS))

    def column(role):
        return body[roles[role]] if role in roles else pd.Series([None] * len(body), index=body.index, dtype=object)

    if layout == "long":
        long = pd.DataFrame({"row": body.index, "indicator": column("indicator"), "period": column("period"),
                             "scope": column("scope"), "value": column("value"), "comment": column("comment")})
    else:
        wide = body[[roles["indicator"], *periods]].copy()
        wide.columns = ["indicator", *periods.values()]
        wide["row"] = body.index
        wide["scope"] = column("scope").values
        wide["comment"] = column("comment").values
        long = wide.melt(id_vars=["row", "indicator", "scope", "comment"], var_name="period", value_name="value")
        long = long[long["value"].notna()].sort_values(["row", "period"], kind="stable")
        # a value's column is its period's: messages name it as the sheet heads it ("2024")
        headers = {key: _cell_text(frame.loc[header, column]) for column, key in periods.items()}
        long["column"] = long["period"].map(headers)
    if "column" not in long:
        long["column"] = None
    return long.reset_index(drop=True), names, layout


# --- the rows --------------------------------------------------------------------------------------


#: what makes a spreadsheet read a cell as a formula (as tracker.export.csvfile neutralises it)
_FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = clean(str(value))
    if text.startswith("'") and text[1:2] in _FORMULA_TRIGGERS:  # a cell our own template neutralised
        text = text[1:]
    return text


def _safe(text: str) -> str:
    """A text cell of a .csv, neutralised against formula injection (Excel runs "=…" when it opens the file)."""
    return "'" + text if text.lstrip(" ")[:1] in _FORMULA_TRIGGERS else text


def _find_indicator(text: str, indicators: list[Indicator]) -> Indicator | list[Indicator] | None:
    number = re.fullmatch(r"#?\s*(\d+)", text)
    if number:
        found = next((i for i in indicators if i.id == int(number.group(1))), None)
        if found is not None:
            return found
    wanted = fold(text)
    exact = [i for i in indicators if fold(clean(i.name)) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [i for i in indicators if wanted and len(wanted) >= 6 and wanted in fold(clean(i.name))]
    if len(partial) == 1:
        return partial[0]
    return partial or None


def preview(plan: Plan, user: User, name: str, data: bytes) -> Preview:
    """Every row of the file checked against the indicators the user's body reports in the plan."""
    kind = check_file(name, data)
    long, names, layout = read_rows(data, kind)
    indicators = [i for i in operations.confirmed(lambda s: s.where(Indicator.plan_id == plan.id))
                  if operations.may_report(user, i)]
    if not indicators:
        raise SpreadsheetError(_("Your body reports no indicator of this plan."))

    def where(row: int, role: str, column: str | None = None) -> str:
        return _("row %(row)s, column «%(column)s»", row=row, column=column or names.get(role) or role)

    rows: list[PreviewRow] = []
    for item in long.itertuples(index=False):
        indicator_text = _cell_text(item.indicator)
        row = PreviewRow(int(item.row), None, indicator_text, _cell_text(item.period), _cell_text(item.scope),
                         _cell_text(item.value), _cell_text(item.comment))
        rows.append(row)
        found = _find_indicator(indicator_text, indicators) if indicator_text else None
        if isinstance(found, list):
            row.errors.append(_("%(where)s: «%(value)s» matches several indicators (%(ids)s); write its number.",
                                where=where(row.row, "indicator"), value=indicator_text[:60],
                                ids=", ".join(f"#{i.id}" for i in found[:5])))
            continue
        if found is None:
            row.errors.append(_("%(where)s: «%(value)s» is none of the indicators your body reports in this plan.",
                                where=where(row.row, "indicator"), value=indicator_text[:60] or "—"))
            continue
        row.indicator = found
        try:
            row.checked = operations.check_actual(
                found, user, period=item.period, scope=item.scope, value=item.value, comment=_cell_text(item.comment),
                where={role: where(row.row, role, item.column if role in ("period", "value") else None)
                       for role in ("period", "scope", "value", "comment")})
        except operations.IndicatorError as error:
            row.errors.append(str(error))
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.checked is None:
            continue
        key = (row.checked.indicator.id, row.checked.period.period, row.checked.scope)
        if key in seen:
            row.errors.append(_("row %(row)s: row %(first)s already gives %(period)s (%(scope)s) of this indicator.",
                                row=row.row, first=seen[key], period=row.checked.period.period,
                                scope=scope_labels().get(row.checked.scope, row.checked.scope)))
            row.checked = None
        else:
            seen[key] = row.row
    if not rows:
        raise SpreadsheetError(_("The table has a header but no rows under it."))
    return Preview(evidence_files.clean_file_name(name), layout, rows)


def confirm(plan: Plan, user: User, name: str, data: bytes, no_personal_data: bool) -> list:
    """Store every actual of a file without errors, in one transaction (SpreadsheetError or
    IndicatorError otherwise, with nothing stored)."""
    checked = preview(plan, user, name, data)
    if checked.errors:
        raise SpreadsheetError(_("The file has %(n)s rows with errors; nothing was stored.", n=checked.errors))
    if any(r.comment for r in checked.rows) and not no_personal_data:
        raise SpreadsheetError(_("Confirm that the comments name no one and carry no IIN."))
    return operations.store_checked([r.checked for r in checked.rows], user, checked.file_name)


# --- the file between the preview and the confirmation -------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"]) / "actuals"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(user: User, name: str, data: bytes) -> str:
    """Keep the uploaded file until its preview is confirmed (a day at most); returns its token."""
    folder = _folder()
    for old in folder.iterdir():
        if time.time() - old.stat().st_mtime > 24 * 3600:
            old.unlink(missing_ok=True)
    token = uuid.uuid4().hex
    (folder / f"{user.id}-{token}.data").write_bytes(data)
    (folder / f"{user.id}-{token}.name").write_text(evidence_files.clean_file_name(name)[:255], encoding="utf-8")
    return token


def staged(user: User, token: str) -> tuple[str, bytes]:
    """The staged file of this user (LookupError when it is gone or someone else's)."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise LookupError(token)
    folder = _folder()
    data, name = folder / f"{user.id}-{token}.data", folder / f"{user.id}-{token}.name"
    if not data.exists() or not name.exists():
        raise LookupError(token)
    return name.read_text(encoding="utf-8"), data.read_bytes()


def unstage(user: User, token: str) -> None:
    for suffix in (".data", ".name"):
        (_folder() / f"{user.id}-{token}{suffix}").unlink(missing_ok=True)


def template_csv(plan: Plan, user: User) -> str:
    """A .csv to fill in: one row per open period of each indicator the user's body reports."""
    import csv

    indicators = [i for i in operations.confirmed(lambda s: s.where(Indicator.plan_id == plan.id))
                  if operations.may_report(user, i)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Indicator"), _("Name of the indicator"), _("Period"), _("Scope"), _("Value"), _("Comment")])
    frame = operations.figures_frame(indicators)
    own = frame[frame["reporting"] & frame["actual"].isna()]
    names = {i.id: i.name for i in indicators}
    for item in own.itertuples():
        writer.writerow([f"#{item.indicator_id}", _safe(names[item.indicator_id]), item.period,
                         scope_labels().get(item.scope, item.scope), "", ""])
    return out.getvalue()
