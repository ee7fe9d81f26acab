"""Background workbooks (start, progress, download) and the outbox's "send again"."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.models import AccountRole
from tracker.auth.permissions import can_manage_accounts, require
from tracker.dashboard.filters import read_filters, refuse_bad_dates
from tracker.extensions import db
from tracker.jobs import exports, tasks
from tracker.jobs.models import ExportJob, JobState
from tracker.jobs.progress import progress_of
from tracker.mail import batch

bp = Blueprint("jobs", __name__)


def _own_job(job_id: int) -> ExportJob:
    """The job, for the account that asked for it and for administrators; 404 for anyone else."""
    job = db.session.get(ExportJob, job_id)
    if job is None or (job.account_id != current_user.id and current_user.role != AccountRole.ADMIN):
        abort(404)
    return job


@bp.get("/exports/new")
def new_export():
    """Start the workbook for these filters in the background (or find the one already running)."""
    if (refusal := refuse_bad_dates()) is not None:
        return refusal
    _filters, as_of = read_filters()
    job, new = exports.start_export(current_user, _clean(request.args), as_of,
                                    str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    if new:
        tasks.queue_export(job.id)
    return redirect(url_for("jobs.export_job", job_id=job.id))


def _clean(args) -> str:
    """The filters as a query string, in a fixed order (the same filters find the same job)."""
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in sorted(args.items(multi=True)) if k not in ("background", "lang")])


def _view(job: ExportJob) -> dict:
    done, total = job.rows_done, job.rows_total
    if job.state in (JobState.QUEUED, JobState.RUNNING):
        done, total = progress_of(job.id) or (0, None)
    percent = min(100, int(100 * done / total)) if total else 0
    if job.state == JobState.RUNNING and percent == 100:
        percent = 99  # the file is being closed
    return {"job": job, "done": done, "total": total, "percent": percent if job.state != JobState.DONE else 100,
            "finished": job.state not in (JobState.QUEUED, JobState.RUNNING), "JobState": JobState}


@bp.get("/exports/<int:job_id>")
def export_job(job_id: int):
    return render_template("jobs/export.html", **_view(_own_job(job_id)))


@bp.get("/exports/<int:job_id>/progress")
def export_progress(job_id: int):
    """The progress fragment htmx polls every 2 s (it stops polling once the job is finished)."""
    return render_template("jobs/_export_progress.html", **_view(_own_job(job_id)))


@bp.get("/exports/<int:job_id>/download")
def export_download(job_id: int):
    job = _own_job(job_id)
    path = exports.file_of(job)
    if path is None:
        abort(404)
    response = send_file(path, as_attachment=True, download_name="tracker.xlsx", max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if job.download_name:
        response.headers["Content-Disposition"] = job.download_name
    return response


@bp.post("/admin/outbox/send-again")
@require(can_manage_accounts)
def send_failed_again():
    """Failed messages back to pending, and the batch queued now."""
    from tracker.core.clock import today

    count = batch.send_again()
    if count:
        tasks.queue_reminders(today(), compose=False)
    flash(_("Messages to send again: %(n)s. The worker sends them now.", n=count))
    return redirect(url_for("mail.outbox"))
