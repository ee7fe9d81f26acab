"""The workbook as a background job: "Export what I see" past EXPORT_BACKGROUND_ROWS makes a job,
the htmx fragment reports rows written / total, the real Huey worker (threads beside the test, as
tests/test_mail_transport.py runs it) writes the file, which downloads and holds the same rows as
the immediate export; the requester is notified; nobody else may have it; after EXPORT_KEEP_HOURS
it is removed and the page says so. A small export stays immediate.

The data are the dashboard's scenario (both seed plans, reports in five states, evidence files),
reused from tests/test_dashboard.py, read back with tests/test_export.py's Book.
"""

import io
import re
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import test_dashboard as dash
from tests.test_export import XLSX, Book
from tracker.dashboard.queries import Filters
from tracker.export.routes import due_dates_in
from tracker.extensions import db
from tracker.jobs import exports, progress, queue
from tracker.jobs.models import ExportJob, JobState
from tracker.jobs.worker import make_consumer, start_in_threads
from tracker.work.models import Notification

seeds = dash.seeds
scenario = dash.scenario
AS_OF = dash.AS_OF
PORTAL = "https://tracker.akimat.example.kz/"
EVERY = 100  # rows between two progress reports


@pytest.fixture
def settings(app, tmp_path):
    app.config.update(EXPORT_BACKGROUND_ROWS=10, EXPORT_PROGRESS_EVERY=EVERY, EXPORT_KEEP_HOURS=6,
                      EXPORTS_DIR=str(tmp_path / "exports"), PORTAL_URL=PORTAL)
    queue.huey.configure(f"sqlite:///{tmp_path / 'huey.sqlite'}")  # a queue of this test's own
    yield app
    queue.huey.configure(queue.default_url())


@contextmanager
def worker(app):
    """The real consumer: its scheduler and a worker thread, running the tasks in this app."""
    consumer = make_consumer(app, workers=1, periodic=False)
    start_in_threads(consumer)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


@pytest.fixture
def gate(monkeypatch):
    """Holds the worker at the export's first progress report past zero rows until the test opens
    it, so the test reads the progress page while the job is surely running. The report itself is
    the real one (written to the queue's storage): this only waits after it."""
    reached, opened = threading.Event(), threading.Event()
    real = progress.set_progress

    def report(job_id, done, total):
        real(job_id, done, total)
        if done and not reached.is_set():
            reached.set()
            assert opened.wait(60), "the test never opened the gate"

    monkeypatch.setattr(progress, "set_progress", report)
    yield reached, opened
    opened.set()


def wait_for(condition, seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the worker committed
        if condition():
            return True
        time.sleep(0.1)
    return False


def job_of(job_id: int) -> ExportJob:
    db.session.rollback()
    return db.session.get(ExportJob, job_id)


def fragment(client, job_id: int) -> tuple[str, str]:
    """The progress fragment htmx polls: (its data-state, its HTML)."""
    db.session.rollback()  # the test's requests share its session; a server's would start afresh
    response = client.get(f"/exports/{job_id}/progress")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.search(r'data-state="(\w+)"', html).group(1), html


def status_of_download(client, job_id: int) -> int:
    with client.get(f"/exports/{job_id}/download") as response:  # closing it closes the file
        return response.status_code


def polls(html: str) -> bool:
    return 'hx-trigger="every 2s"' in html and "hx-get=" in html


def rows_shown(html: str) -> tuple[int, int]:
    found = re.search(r'data-rows="(\d+)" data-total="(\d+)"', html)
    return int(found.group(1)), int(found.group(2))


def export_link(client, **args) -> str:
    """The href of the dashboard's "Export what I see (Excel)" for these filters."""
    page = client.get("/dashboard", query_string={"as_of": AS_OF.isoformat(), **args})
    link = dash.parse(page.get_data(as_text=True)).by_id("export-workbook")
    assert link.text().strip() == "Export what I see (Excel)"
    return link.attrs["href"]


def follow_to_job(client, href: str) -> int:
    """/export/workbook.xlsx → /exports/new → /exports/<id>: the job's id."""
    first = client.get(href)
    assert first.status_code == 302 and urlsplit(first.headers["Location"]).path == "/exports/new"
    second = client.get(first.headers["Location"])
    assert second.status_code == 302
    return int(re.fullmatch(r"/exports/(\d+)", urlsplit(second.headers["Location"]).path).group(1))


def immediate(app, client, href: str) -> bytes:
    """The same link with the threshold out of the way: the workbook made in the request."""
    threshold = app.config["EXPORT_BACKGROUND_ROWS"]
    app.config["EXPORT_BACKGROUND_ROWS"] = 10**9
    try:
        with client.get(href) as response:
            assert response.status_code == 200 and response.mimetype == XLSX
            return response.get_data()
    finally:
        app.config["EXPORT_BACKGROUND_ROWS"] = threshold


def cells(data: bytes, portal: str) -> list[list[tuple]]:
    """Every sheet's rows as values, the portal's address in links written as PORTAL."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[tuple(PORTAL + v.removeprefix(portal) if isinstance(v, str) and v.startswith(portal) else v
                   for v in row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]


def test_a_large_export_runs_on_the_worker_with_progress_and_is_downloaded_by_its_requester(
        app, settings, scenario, client, login, make_user, gate):
    auditor = login("auditor")
    client.get("/dashboard?lang=en")
    href = export_link(client)
    job_id = follow_to_job(client, href)
    assert follow_to_job(client, href) == job_id  # asked twice while queued: one job, one task
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 1
    assert queue.huey.pending_count() == 1
    job = job_of(job_id)
    assert (job.account_id, job.state, job.as_of, job.language) == (auditor.id, JobState.QUEUED, AS_OF, "en")

    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "The workbook is being made" in page and 'id="export-progress"' in page
    state, html = fragment(client, job_id)
    assert state == JobState.QUEUED and "Waiting for the worker to start" in html and polls(html)
    assert status_of_download(client, job_id) == 404

    reached, opened = gate
    with worker(app):
        assert reached.wait(120), "the worker did not start the export"
        # held after its first report: running, the first EVERY rows written, out of the estimate
        state, html = fragment(client, job_id)
        assert state == JobState.RUNNING and polls(html)
        done, total = rows_shown(html)
        assert done == EVERY and total > 10 * EVERY
        assert f"Rows written: {done} of {total:,}".replace(",", " ") in html
        assert f'value="{100 * done // total}"' in html
        assert status_of_download(client, job_id) == 404
        opened.set()
        assert wait_for(lambda: job_of(job_id).state == JobState.DONE), job_of(job_id).error

    job = job_of(job_id)
    assert job.rows_done == job.rows_total == total  # the estimate was the rows written, exactly
    state, html = fragment(client, job_id)
    assert state == JobState.DONE and not polls(html)  # finished: htmx stops asking
    assert f"The workbook is ready: {total:,} rows".replace(",", " ") in html
    assert f"/exports/{job_id}/download" in html

    with client.get(f"/exports/{job_id}/download") as response:
        assert response.status_code == 200 and response.mimetype == XLSX
        assert response.headers["Content-Disposition"] == 'attachment; filename="tracker-2026-11-23.xlsx"'
        background = response.get_data()
    assert Path(settings.config["EXPORTS_DIR"], job.file_name).read_bytes() == background
    now_data = immediate(app, client, href)
    assert cells(background, PORTAL) == cells(now_data, "http://localhost/")
    book = Book(background, "en")
    assert sum(len(sheet.rows) for sheet in book.sheets.values()) == total  # every row counted, none more
    assert book["evidence"].rows and all(r["link"].value.startswith(PORTAL) for r in book["evidence"].rows)
    assert book.meta()["Exported by"] == auditor.email

    # the requester is told, and the notification opens the job's page
    (note,) = db.session.scalars(select(Notification).where(Notification.kind == exports.EXPORT_READY))
    assert (note.account_id, note.path) == (auditor.id, f"/exports/{job_id}")
    listed = client.get("/notifications").get_data(as_text=True)
    assert "The workbook you asked for is ready; it can be downloaded until November 23, 2026" in listed
    opened_note = client.get(f"/notifications/{note.id}")
    assert opened_note.status_code == 302 and opened_note.headers["Location"] == f"/exports/{job_id}"

    # another auditor may not have it, nor see its progress; an administrator may
    login(make_user("auditor"))
    assert client.get(f"/exports/{job_id}").status_code == 404
    assert client.get(f"/exports/{job_id}/progress").status_code == 404
    assert status_of_download(client, job_id) == 404
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == exports.EXPORT_READY)) == 1
    login("admin")
    assert status_of_download(client, job_id) == 200


def test_after_export_keep_hours_the_file_is_removed_and_the_page_says_so(app, settings, scenario, client, login):
    login("auditor")
    client.get("/dashboard?lang=en")
    job_id = follow_to_job(client, export_link(client, plan=scenario.plans["karaganda"]))
    with worker(app):
        assert wait_for(lambda: job_of(job_id).state == JobState.DONE), job_of(job_id).error
    job = job_of(job_id)
    path = Path(settings.config["EXPORTS_DIR"], job.file_name)
    assert path.is_file()
    assert job.expires_at.replace(tzinfo=None) == (job.finished_at + timedelta(hours=6)).replace(tzinfo=None)

    app.config["TODAY"] = AS_OF  # noon of the day it was made: still within its six hours
    assert exports.remove_expired() == 0 and path.is_file()
    assert status_of_download(client, job_id) == 200

    app.config["TODAY"] = AS_OF + timedelta(days=1)
    assert exports.remove_expired() == 1
    assert not path.exists() and job_of(job_id).state == JobState.EXPIRED
    assert list(Path(settings.config["EXPORTS_DIR"]).iterdir()) == []  # no part file left either
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "This workbook was removed after its time; ask for it again from the dashboard." in page
    assert status_of_download(client, job_id) == 404
    state, html = fragment(client, job_id)
    assert state == JobState.EXPIRED and not polls(html)
    assert exports.remove_expired() == 0  # once


def test_a_small_export_stays_immediate(app, settings, scenario, client, login):
    login("auditor")
    client.get("/dashboard?lang=en")
    status_filter = Filters(status="done")
    assert 0 < due_dates_in(AS_OF, status_filter) <= 10  # under the threshold
    with client.get(export_link(client, status="done")) as response:
        assert response.status_code == 200 and response.mimetype == XLSX
        data = response.get_data()
    assert len(Book(data)["obligations"].rows) == due_dates_in(AS_OF, status_filter)
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0
    assert queue.huey.pending_count() == 0
    # the whole country under the default threshold: immediate too
    app.config["EXPORT_BACKGROUND_ROWS"] = 20000
    with client.get(export_link(client)) as response:
        assert response.status_code == 200 and response.mimetype == XLSX
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0
