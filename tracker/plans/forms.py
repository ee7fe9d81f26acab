from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def frequency_choices():
    return [("monthly", _l("monthly")), ("quarterly", _l("quarterly")),
            ("semiannual", _l("twice a year")), ("annual", _l("once a year"))]


class UploadForm(FlaskForm):
    document = FileField(_l("Plan document (.docx, .xlsx, .csv, .txt)"), validators=[FileRequired()])
    submit = SubmitField(_l("Read and preview"))


class ConfirmImportForm(FlaskForm):
    submit = SubmitField(_l("Import this plan"))


class PlanForm(FlaskForm):
    title = TextAreaField(_l("Title"), validators=[DataRequired()])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    period_start = DateField(_l("Period starts"), validators=[DataRequired()])
    period_end = DateField(_l("Period ends"), validators=[DataRequired()])
    default_frequency = SelectField(_l("Reporting frequency of ongoing items"), choices=frequency_choices)
    submit = SubmitField(_l("Save"))


class ActivityForm(FlaskForm):
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=40)])
    section_id = SelectField(_l("Section"), coerce=int)
    text = TextAreaField(_l("Activity"), validators=[DataRequired()])
    completion_form = TextAreaField(_l("Completion form"))
    deadline_text = TextAreaField(_l("Deadline (as a plan writes it, e.g. «жыл сайын 25 тамызға дейін»)"))
    funding_text = StringField(_l("Funding"))
    submit = SubmitField(_l("Save"))


class NewActivityForm(FlaskForm):
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=40)])
    section_title = StringField(_l("Section (new or existing title; optional)"))
    text = TextAreaField(_l("Activity"), validators=[DataRequired()])
    completion_form = TextAreaField(_l("Completion form"))
    executors_text = StringField(_l("Responsible executors, the lead first (e.g. «ББ, ДСБ, ІІД (келісім бойынша)»)"),
                                 validators=[DataRequired()])
    deadline_text = TextAreaField(_l("Deadline (as a plan writes it, e.g. «жыл сайын 25 тамызға дейін»)"),
                                  validators=[DataRequired()])
    funding_text = StringField(_l("Funding"))
    submit = SubmitField(_l("Add activity"))


class ExecutorsForm(FlaskForm):
    executors_text = StringField(_l("Responsible executors, the lead first (e.g. «ББ, ДСБ, ІІД (келісім бойынша)»)"),
                                 validators=[DataRequired()])
    submit = SubmitField(_l("Save executors"))


class AssignForm(FlaskForm):
    body_id = SelectField(_l("Body"), coerce=int)
    submit = SubmitField(_l("Assign"))


class ResolveWarningForm(FlaskForm):
    submit = SubmitField(_l("Mark resolved"))
