"""The whole-country workbook as a background job: asked for on the web, written by the worker
under EXPORTS_DIR, downloadable by the account that asked (and administrators) for
EXPORT_KEEP_HOURS, announced by a notification."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from tracker.core.clock import now
from tracker.core.messages import msg
from tracker.dashboard.filters import read_filters
from tracker.export.naming import content_disposition
from tracker.export.tables import estimated_rows
from tracker.export.workbook import write_workbook
from tracker.extensions import db
from tracker.jobs.models import ExportJob, JobState
from tracker.jobs.progress import Counter, forget, set_progress
from tracker.work.models import Notification

#: Notification.kind of "your workbook is ready" / "could not be made"
EXPORT_READY = "export_ready"
EXPORT_FAILED = "export_failed"


def start_export(account, query: str, as_of, language: str) -> tuple[ExportJob, bool]:
    """The account's job for this query: the one already queued or running, or a new one (True)."""
    existing = db.session.scalar(select(ExportJob).where(
        ExportJob.account_id == account.id, ExportJob.query == query,
        ExportJob.state.in_([JobState.QUEUED, JobState.RUNNING])).order_by(ExportJob.id.desc()).limit(1))
    if existing is not None:
        return existing, False
    job = ExportJob(account_id=account.id, query=query, as_of=as_of, language=language, state=JobState.QUEUED)
    db.session.add(job)
    db.session.commit()
    return job, True


def run_export(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state != JobState.QUEUED:
        return  # done already (a task delivered twice by the queue), or gone
    job.state, job.started_at = JobState.RUNNING, now()
    email = _email(job.account_id)
    db.session.commit()
    folder = Path(current_app.config["EXPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.id}-{secrets.token_hex(8)}.xlsx"
    part = folder / (name + ".part")
    try:
        with current_app.test_request_context("/export/workbook.xlsx?" + job.query), force_locale(job.language):
            filters, as_of = read_filters()
            total = estimated_rows(as_of, filters)
            set_progress(job.id, 0, total)
            counter = Counter(job.id, total, current_app.config["EXPORT_PROGRESS_EVERY"])
            write_workbook(str(part), as_of, filters, exported_by=email, portal_url=current_app.config["PORTAL_URL"],
                           exported_at=now(), progress=counter)
            disposition = content_disposition(as_of, filters)
        db.session.rollback()  # the export's long read ends here
        os.replace(part, folder / name)
        counter.finish()
    except Exception as exc:
        db.session.rollback()
        part.unlink(missing_ok=True)
        current_app.logger.exception("background export %s failed", job_id)
        job = db.session.get(ExportJob, job_id)
        job.state, job.error, job.finished_at = JobState.FAILED, f"{type(exc).__name__}: {exc}"[:2000], now()
        db.session.add(Notification(account_id=job.account_id, kind=EXPORT_FAILED, path=f"/exports/{job.id}",
                                    message=msg("The workbook you asked for could not be made; open the job to see why").data))
        db.session.commit()
        forget(job_id)
        return
    job = db.session.get(ExportJob, job_id)
    job.state, job.finished_at = JobState.DONE, now()
    job.rows_done = job.rows_total = counter.done
    job.file_name, job.download_name, job.size = name, disposition, (folder / name).stat().st_size
    job.expires_at = job.finished_at + timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    db.session.add(Notification(account_id=job.account_id, kind=EXPORT_READY, path=f"/exports/{job.id}",
                                message=msg("The workbook you asked for is ready; it can be downloaded until %(to)s",
                                            to=_local_day(job.expires_at)).data))
    db.session.commit()


def _email(account_id: int) -> str:
    from tracker.auth.models import User

    return db.session.get(User, account_id).email


def _local_day(moment) -> str:
    from tracker.core.clock import local_date

    return local_date(moment).isoformat()


def file_of(job: ExportJob) -> Path | None:
    if job.state != JobState.DONE or not job.file_name:
        return None
    path = Path(current_app.config["EXPORTS_DIR"]) / job.file_name
    return path if path.is_file() else None


def remove_expired() -> int:
    """Finished workbooks past EXPORT_KEEP_HOURS: the file goes, the job says expired."""
    removed = 0
    for job in db.session.scalars(select(ExportJob).where(ExportJob.state == JobState.DONE,
                                                          ExportJob.expires_at < now())):
        path = Path(current_app.config["EXPORTS_DIR"]) / (job.file_name or "")
        if job.file_name:
            path.unlink(missing_ok=True)
        job.state = JobState.EXPIRED
        forget(job.id)
        removed += 1
    db.session.commit()
    return removed
