"""Statuses and report states as the page, the workbook and the CSVs name them, in the reader's
language (written once: the templates call these through the Jinja globals of tracker.app)."""

from flask_babel import gettext as _

from tracker.reports.status import ReportState, Status


def status_labels() -> dict[str, str]:
    return {Status.UPCOMING: _("upcoming"), Status.DUE_SOON: _("due soon"), Status.OVERDUE: _("overdue"),
            Status.SUBMITTED: _("submitted"), Status.RETURNED: _("returned"), Status.DONE: _("done"),
            Status.DONE_LATE: _("done late"), Status.WAITING: _("waiting for an event"),
            Status.OFF_CONTROL: _("off control")}


def report_state_labels() -> dict[str, str]:
    """Where a lead report stands, as its page says it (a submitted one is "awaiting review")."""
    return {ReportState.SUBMITTED: _("awaiting review"), ReportState.ACCEPTED: _("accepted"),
            ReportState.RETURNED: _("returned")}
