from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tracker.auth.labels import role_labels
from tracker.auth.passwords import MIN_PASSWORD_LENGTH

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def role_choices():
    return [(role.value, label) for role, label in role_labels().items()]


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(), Regexp(EMAIL, message=_l("Not an e-mail address."))])
    name = StringField(_l("Name or position"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    body_id = SelectField(_l("Body (executors only)"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH)])
    active = BooleanField(_l("Active"), default=True)
    #: executors only: the head of the body, told when its overdue items are escalated
    is_head = BooleanField(_l("Head of the body (told of escalations of its overdue items)"), default=False)
    submit = SubmitField(_l("Save"))


class BodyForm(FlaskForm):
    name = StringField(_l("Full name (Kazakh)"), validators=[DataRequired(), Length(max=500)])
    name_ru = StringField(_l("Full name (Russian)"), validators=[Optional(), Length(max=500)])
    abbreviation = StringField(_l("Abbreviation"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Save"))
