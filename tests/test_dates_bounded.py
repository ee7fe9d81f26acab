"""Every day a page, a download or a command takes — as of, due from, due to — is bounded.

A far-future day (9999-12-18: counting "due soon" fourteen days on overflows Python's calendar)
used to answer 500 on every page and cut a CSV off mid-download; a day that is no day ("abc",
"2026-02-30") was dropped without a word. Now a page shows itself with the day ignored and a
notice naming the argument and the allowed range; a download or a fragment answers 400 with
that notice; a command prints one line and exits with code 2.
"""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import test_dashboard as dash
from tracker.core.formatting import long_date
from tracker.executors.models import Body
from tracker.export.tables import TABLE_KEYS
from tracker.extensions import db

seeds = dash.seeds
AS_OF = dash.AS_OF
BAD = ("9999-12-18", "0001-01-01", "2026-02-30", "abc")
FIRST, LAST = date(2000, 1, 1), date(AS_OF.year + 50, 12, 31)  # the portal's today is AS_OF here


@pytest.fixture
def signed_in(app, seeds, login):
    app.config["TODAY"] = AS_OF
    login("coordinator")
    body = db.session.scalars(select(Body).order_by(Body.id)).first()
    return {"plan": seeds["kostanay"], "body": body.id}


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def assert_names(text: str, argument: str, value: str) -> None:
    """The notice names the argument with its value and the allowed range, in the page's language (kk)."""
    with force_locale("kk"):
        first, last = long_date(FIRST), long_date(LAST)
    assert f"{argument}={value}" in text, text[:3000]
    assert first in text and last in text, (first, last, text[:3000])


def pages(ids: dict) -> dict[str, str]:
    return {"dashboard": "/dashboard", "body": f"/bodies/{ids['body']}", "charts": f"/plans/{ids['plan']}/charts"}


@pytest.mark.parametrize("value", BAD)
def test_pages_ignore_the_day_and_say_so(app, signed_in, client, value):
    for name, url in pages(signed_in).items():
        response = client.get(url, query_string={"as_of": value})
        assert response.status_code == 200, (name, value)
        text = text_of(response)
        assert_names(text, "as_of", value)
        with force_locale("kk"):
            assert long_date(AS_OF) in text, name  # today is shown instead
    # the dashboard's due range, and its htmx fragment
    for argument in ("from", "to"):
        response = client.get("/dashboard", query_string={argument: value, "as_of": AS_OF.isoformat()})
        assert response.status_code == 200
        assert_names(text_of(response), argument, value)
    fragment = client.get("/dashboard", query_string={"as_of": value, "to": value},
                          headers={"HX-Request": "true", "HX-Target": "dashboard-results"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert_names(text_of(fragment), "as_of", value)
    assert_names(text_of(fragment), "to", value)
    # a notice shown on its page is not shown again on the next
    assert "as_of=" not in text_of(client.get(pages(signed_in)["body"]))


@pytest.mark.parametrize("value", BAD)
def test_downloads_and_the_overdue_list_refuse_the_day(app, signed_in, client, value):
    urls = [("/export/workbook.xlsx", {}), *[(f"/export/{key}.csv", {}) for key in TABLE_KEYS],
            ("/dashboard/overdue", {"executor": signed_in["body"]})]
    for url, args in urls:
        for argument in ("as_of", "from", "to"):
            response = client.get(url, query_string={**args, argument: value})
            assert response.status_code == 400, (url, argument, value)
            assert response.mimetype == "text/html"
            assert_names(text_of(response), argument, value)


def test_the_edges_of_the_range_work(app, signed_in, client):
    for day in (FIRST, LAST):
        for name, url in pages(signed_in).items():
            assert client.get(url, query_string={"as_of": day.isoformat()}).status_code == 200, (name, day)
        with client.get("/export/workbook.xlsx", query_string={
                "as_of": day.isoformat(), "from": FIRST.isoformat(), "to": LAST.isoformat()}) as response:
            assert response.status_code == 200, day  # closing the response closes the workbook's file
        response = client.get("/export/obligations.csv", query_string={"as_of": day.isoformat()})
        assert response.status_code == 200
        assert len(response.get_data().decode("utf-8-sig").splitlines()) > 100  # the whole table, not cut off
    for day in (FIRST - timedelta(days=1), LAST + timedelta(days=1)):
        assert client.get("/export/overdue.csv", query_string={"as_of": day.isoformat()}).status_code == 400


@pytest.mark.parametrize("value", BAD)
def test_commands_refuse_the_day_in_one_line(app, signed_in, runner, tmp_path, value):
    out = tmp_path / "never.xlsx"
    for args in (["status", "--json", "--as-of", value], ["export", "xlsx", str(out), "--as-of", value]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --as-of"), result.output
        assert value in lines[0] and FIRST.isoformat() in lines[0] and LAST.isoformat() in lines[0]
        assert "Traceback" not in result.output
    assert not out.exists()
    # the last day of the range is a day like any other
    result = runner.invoke(args=["status", "--json", "--as-of", LAST.isoformat()])
    assert result.exit_code == 0, result.output
