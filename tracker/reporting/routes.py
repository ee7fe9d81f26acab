"""Downloads of the implementation report (plan and body, .docx and .pdf) and the page of what
changed between two days.

    GET /plans/<id>/implementation-report.docx|.pdf   ?from=&to=&as_of=&lang=&contributions=1
    GET /bodies/<id>/implementation-report.docx|.pdf  (the same arguments)
    GET /dashboard/changes                             ?from=&to= and the dashboard's filters

Every signed-in role may download (preparing a report reads, it changes nothing). A day that is
not a day, or lies outside 2000-01-01 … the end of the year fifty years ahead, a period that
ends before it starts, or a language other than kk and ru answers 400 with a page naming the
argument: a document of another period than the one asked for would be wrong without saying so.
"""

import io
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.clock import today
from tracker.core.formatting import long_date
from tracker.dashboard import queries
from tracker.dashboard.filters import day_range, parse_day, read_filters
from tracker.reporting import changes as changes_module
from tracker.reporting.document import MIME, file_name, render
from tracker.reporting.implementation import Period, ReportSubjectMissing, Scope, default_period, gather
from tracker.reporting.labels import REPORT_LANGUAGES
from tracker.reporting.pdf import ConversionFailed, NoLibreOffice, docx_to_pdf

bp = Blueprint("reporting", __name__)


class BadArgument(ValueError):
    """A query argument that cannot be used, said for the person who sent it."""


def day_argument(name: str, default: date | None) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return default
    try:
        return parse_day(value)
    except ValueError:
        first, last = day_range()
        raise BadArgument(_("%(argument)s=%(value)s is not a day between %(first)s and %(last)s (write it "
                            "YYYY-MM-DD, e.g. 2026-11-23).", argument=name, value=value[:40],
                            first=long_date(first), last=long_date(last))) from None


def _refused(error: BadArgument):
    return render_template("error.html", code=400, message=str(error)), 400


@dataclass(frozen=True)
class ReportArguments:
    period: Period
    as_of: date
    language: str
    with_contributions: bool


def report_arguments(scope: Scope, subject_id: int) -> ReportArguments:
    """The period (default: the whole plan, or the span of a body's plans), the as-of day
    (default today), the language (default the page's, if kk or ru, else kk)."""
    whole = default_period(scope, subject_id)
    as_of = day_argument("as_of", today())
    start = day_argument("from", whole.start if whole else date(as_of.year, 1, 1))
    end = day_argument("to", whole.end if whole else date(as_of.year, 12, 31))
    if start > end:
        raise BadArgument(_("The period starts (from=%(start)s) after it ends (to=%(end)s).",
                            start=start.isoformat(), end=end.isoformat()))
    page = str(get_locale() or "")
    language = request.args.get("lang") or (page if page in REPORT_LANGUAGES else REPORT_LANGUAGES[0])
    if language not in REPORT_LANGUAGES:
        raise BadArgument(_("lang=%(value)s: a report is written in Kazakh (kk) or Russian (ru).",
                            value=language[:10]))
    return ReportArguments(Period(start, end), as_of, language,
                           request.args.get("contributions") in ("1", "on", "true", "yes"))


def build_docx(scope: Scope, subject_id: int, arguments: ReportArguments, prepared_by: str):
    """(the report, its .docx bytes), written in the report's language whatever the page's."""
    with force_locale(arguments.language):
        report = gather(scope, subject_id, arguments.period, arguments.as_of, language=arguments.language,
                        prepared_by=prepared_by, due_soon_days=current_app.config["DUE_SOON_DAYS"],
                        with_contributions=arguments.with_contributions)
    return report, render(report)


@bp.get("/plans/<int:plan_id>/implementation-report.docx")
def plan_docx(plan_id: int):
    return _download(Scope.PLAN, plan_id, "docx")


@bp.get("/plans/<int:plan_id>/implementation-report.pdf")
def plan_pdf(plan_id: int):
    return _download(Scope.PLAN, plan_id, "pdf")


@bp.get("/bodies/<int:body_id>/implementation-report.docx")
def body_docx(body_id: int):
    return _download(Scope.BODY, body_id, "docx")


@bp.get("/bodies/<int:body_id>/implementation-report.pdf")
def body_pdf(body_id: int):
    return _download(Scope.BODY, body_id, "pdf")


def _download(scope: Scope, subject_id: int, kind: str):
    try:
        arguments = report_arguments(scope, subject_id)
    except BadArgument as error:
        return _refused(error)
    try:
        report, data = build_docx(scope, subject_id, arguments, current_user.label)
    except ReportSubjectMissing:
        abort(404)
    mimetype, name = MIME, file_name(report)
    if kind == "pdf":
        try:
            data = docx_to_pdf(data)
        except NoLibreOffice:
            return render_template("error.html", code=503, message=_(
                "PDF needs LibreOffice, which is not installed on this server. Download the Word document (.docx) "
                "instead.")), 503
        except ConversionFailed as error:
            current_app.logger.error("implementation report %s %s: %s", scope, subject_id, error)
            return render_template("error.html", code=503, message=_(
                "LibreOffice could not make the PDF (%(reason)s). Download the Word document (.docx) instead.",
                reason=str(error))), 503
        mimetype, name = "application/pdf", file_name(report, ".pdf")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


# --- what changed ----------------------------------------------------------------------------------


@bp.get("/dashboard/changes")
def changes():
    """What changed between two days, with the dashboard's filters (its due from / due to are the
    two days here)."""
    try:
        until = day_argument("to", today())
        since = day_argument("from", changes_module.default_since(until))
    except BadArgument as error:
        return _refused(error)
    if since >= until:
        return _refused(BadArgument(_("The first day (from=%(since)s) must come before the second (to=%(until)s).",
                                      since=since.isoformat(), until=until.isoformat())))
    filters, _as_of = read_filters()
    filters = queries.Filters(region=filters.region, plan_id=filters.plan_id, section_id=filters.section_id,
                              body_id=filters.body_id)
    found = changes_module.changes(since, until, filters)
    choices, cut = queries.body_choices(filters)
    plans, plans_cut = queries.plan_choices(filters)
    return render_template(
        "reporting/changes.html", found=found, filters=filters, since=since, until=until, day_range=day_range(),
        regions=queries.region_choices(), all_plans=plans, plan_choices_cut=plans_cut,
        sections=queries.section_choices(filters), body_choices=choices, body_choices_cut=cut,
        kind_labels=changes_module.kind_labels(), edit_labels=changes_module.edit_labels(),
        counts=found.counts())
