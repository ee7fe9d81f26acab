from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.control.models import OffControlGrounds


class ExtensionRequestForm(FlaskForm):
    new_due_date = DateField(_l("New due date"), validators=[DataRequired()])
    reason = TextAreaField(_l("Why the date should move"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Ask for an extension"))


class ExtensionDecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment (required when refusing)"), validators=[Length(max=4000)])
    #: the request's row_version the page showed: a decision made meanwhile by someone else wins
    seen_version = HiddenField()
    approve = SubmitField(_l("Approve the new date"))
    refuse = SubmitField(_l("Refuse"))


def grounds_choices():
    return [("", _l("— choose the grounds —")), (OffControlGrounds.EXECUTED.value, _l("executed")),
            (OffControlGrounds.LOST_RELEVANCE.value, _l("lost relevance")),
            (OffControlGrounds.SUPERSEDED.value, _l("superseded by a decision"))]


class TakeOffControlForm(FlaskForm):
    grounds = SelectField(_l("Grounds"), choices=grounds_choices)
    decision_number = StringField(_l("Decision number (e.g. «№ 12-р»)"), validators=[Optional(), Length(max=60)])
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Take off control"))


class PutBackForm(FlaskForm):
    submit = SubmitField(_l("Put back on control"))


class EventForm(FlaskForm):
    event_on = DateField(_l("The event's day"), validators=[DataRequired()])
    submit = SubmitField(_l("Record the event"))


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired()])
    working = SelectField(_l("The day is"), choices=[("0", _l("a day off")), ("1", _l("a working day"))])
    reason = StringField(_l("Why (the resolution or order)"), validators=[DataRequired(), Length(max=500)])
    source = StringField(_l("Source (optional)"), validators=[Optional(), Length(max=255)])
    submit = SubmitField(_l("Save the day"))


class RemoveCalendarDayForm(FlaskForm):
    submit = SubmitField(_l("Remove"))
