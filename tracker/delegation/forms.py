"""The forms of the chain: handing a due date down, reporting back up, reviewing what came up."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, MultipleFileField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class DelegateForm(FlaskForm):
    targets = SelectMultipleField(_l("Hand down to"), widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(), validate_choice=False)
    due_date = DateField(_l("Internal due date"), validators=[Optional()])
    instruction = TextAreaField(_l("Instruction"), validators=[DataRequired()])
    files = MultipleFileField(_l("Files to hand down with it (optional)"), id="delegation-files")
    submit = SubmitField(_l("Hand down"))


class SubReportForm(FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[DataRequired()])
    files = MultipleFileField(_l("Evidence files (PDF, Word, Excel, JPEG, PNG)"))
    links = TextAreaField(_l("Links to evidence, one per line (optional)"))
    no_personal_data = BooleanField(_l("The report and its files name no minor and carry no IIN"))
    submit = SubmitField(_l("Send the report up"))


class SubReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment (required when returning)"))
    accept = SubmitField(_l("Accept"))
    send_back = SubmitField(_l("Return for correction"))


class ExpandForm(FlaskForm):
    submit = SubmitField(_l("Give each member its part"))
