from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


def frequency_choices():
    return [("monthly", _l("monthly")), ("quarterly", _l("quarterly")),
            ("semiannual", _l("twice a year")), ("annual", _l("once a year"))]


class UploadForm(FlaskForm):
    document = FileField(_l("Plan document: Word (.docx, .doc, .rtf, .odt), Excel (.xlsx, .xls, .ods), PDF, .csv, .txt"),
                         validators=[FileRequired()])
    submit = SubmitField(_l("Read and preview"))


class ConfirmImportForm(FlaskForm):
    #: an amended plan (already in the portal, changed by the upload): the resolution that amended it
    amendment_number = StringField(_l("Number of the resolution that amended the plan"),
                                   validators=[Optional(), Length(max=60)])
    amendment_date = DateField(_l("Date of that resolution"), validators=[Optional()])
    submit = SubmitField(_l("Import this plan"))


class PlanForm(FlaskForm):
    title = TextAreaField(_l("Title"), validators=[DataRequired()])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    period_start = DateField(_l("Period starts"), validators=[DataRequired()])
    period_end = DateField(_l("Period ends"), validators=[DataRequired()])
    default_frequency = SelectField(_l("Reporting frequency of ongoing items"), choices=frequency_choices)
    non_working_rule = SelectField(_l("A date on a non-working day"), default="keep", choices=[
        ("keep", _l("keep it as the plan states it")), ("before", _l("move it to the working day before")),
        ("after", _l("move it to the working day after"))])
    escalation_working_days = IntegerField(
        _l("Escalate after this many working days overdue"), default=10,
        validators=[Optional(), NumberRange(min=1, max=250, message=_l("Between 1 and 250 working days."))])
    delegation_working_days = IntegerField(
        _l("A due date handed down is due this many working days earlier"), default=5,
        validators=[Optional(), NumberRange(min=0, max=60, message=_l("Between 0 and 60 working days."))])
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


def _body_id(value) -> int | None:
    """The chosen body's id; None for the "choose a body" line (or nothing sent)."""
    if value in (None, ""):
        return None
    return int(value)


class AssignForm(FlaskForm):
    """Assign an executor to a body. The list starts on "— choose a body —", which the form
    refuses: a click on Assign without a choice must not give the executor the first body."""

    body_id = SelectField(_l("Body"), coerce=_body_id, validators=[
        InputRequired(message=_l("Choose the body from the list first; nothing was assigned."))])
    submit = SubmitField(_l("Assign"))

    def offer(self, bodies) -> "AssignForm":
        self.body_id.choices = [("", _l("— choose a body —"))] + [(b.id, b.label) for b in bodies]
        return self


class ResolveWarningForm(FlaskForm):
    submit = SubmitField(_l("Mark resolved"))
