from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget


class ReportForm(FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[DataRequired()])
    files = MultipleFileField(_l("Evidence files (PDF, Word, Excel, JPEG, PNG)"))
    links = TextAreaField(_l("Links to evidence, one per line (optional)"))
    keep_evidence = SelectMultipleField(_l("Keep files from the returned version"), coerce=int,
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    no_personal_data = BooleanField(_l("The report and its files name no minor and carry no IIN"))
    submit = SubmitField(_l("Submit report"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment (required when returning)"))
    accept = SubmitField(_l("Accept"))
    send_back = SubmitField(_l("Return for correction"))
