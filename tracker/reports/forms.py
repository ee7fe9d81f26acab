from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, MultipleFileField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.reports.operations import new_submission_token


class ReportForm(FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[DataRequired()])
    files = MultipleFileField(_l("Evidence files (PDF, Word, Excel, JPEG, PNG)"))
    links = TextAreaField(_l("Links to evidence, one per line (optional)"))
    keep_evidence = SelectMultipleField(_l("Keep files from the returned version"), coerce=int,
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    no_personal_data = BooleanField(_l("The report and its files name no minor and carry no IIN"))
    #: a fresh random value each time the form is shown: the same form sent twice (a double click,
    #: a retry after a timeout) is stored once (tracker.reports.operations.submit_report)
    submission_token = HiddenField(default=new_submission_token)
    submit = SubmitField(_l("Submit report"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment (required when returning)"))
    accept = SubmitField(_l("Accept"))
    send_back = SubmitField(_l("Return for correction"))
