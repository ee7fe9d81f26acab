"""The indicators' forms. They only carry what was typed: every rule is checked once in
tracker.indicators.operations, whose messages name the field (choices are not validated here, so
a period outside the plan is told as such, not as "not a valid choice")."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from tracker.indicators.labels import direction_labels, frequency_labels, scope_labels, unit_labels
from tracker.indicators.models import DueKind
from tracker.indicators.operations import IndicatorInput, RelativeKind


class IndicatorForm(FlaskForm):
    source_key = HiddenField()
    name = TextAreaField(_l("Name of the indicator"))
    unit = SelectField(_l("Unit"), validate_choice=False)
    direction = SelectField(_l("Direction"), validate_choice=False)
    scope = SelectField(_l("Scope the responsible body reports"), validate_choice=False)
    frequency = SelectField(_l("Reported"), validate_choice=False)
    baseline_year = StringField(_l("Baseline year"))
    baseline_value = StringField(_l("Baseline value"))
    relative_kind = SelectField(_l("Relative target"), validate_choice=False)
    relative_percent = StringField(_l("Change, %"))
    relative_at_least = BooleanField(_l("at least"))
    targets = TextAreaField(_l("Targets, one per line: period, scope, value"))
    activities = StringField(_l("Activities it belongs to (numbers)"))
    body_id = SelectField(_l("Responsible body (reports the actual)"), coerce=int, validate_choice=False)
    tolerance = StringField(_l("Tolerance (percent of the target)"))
    due_kind = SelectField(_l("Actual due"), validate_choice=False)
    due_n = StringField(_l("Days"))
    submit = SubmitField(_l("Confirm"))

    def offer(self, bodies) -> "IndicatorForm":
        """The choices, in the reader's language."""
        self.unit.choices = list(unit_labels().items())
        self.direction.choices = list(direction_labels().items())
        self.scope.choices = list(scope_labels().items())
        self.frequency.choices = list(frequency_labels().items())
        self.relative_kind.choices = [(RelativeKind.NONE, _l("none")), (RelativeKind.CHANGE, _l("change by %")),
                                      (RelativeKind.PER_YEAR, _l("change by % a year")),
                                      (RelativeKind.FEWER, _l("fewer than the baseline"))]
        self.body_id.choices = [(0, _l("— not assigned —"))] + [(b.id, b.label) for b in bodies]
        self.due_kind.choices = [(DueKind.WORKING_DAYS, _l("working days after the period ends")),
                                 (DueKind.MONTH_DAY, _l("on this day of the next month"))]
        return self

    def fill(self, data: IndicatorInput) -> "IndicatorForm":
        for name, value in vars(data).items():
            getattr(self, name).data = value
        return self

    def input(self) -> IndicatorInput:
        return IndicatorInput(**{name: getattr(self, name).data for name in vars(IndicatorInput())})


class ProposalActionForm(FlaskForm):
    source_key = HiddenField()
    dismiss = SubmitField(_l("Dismiss"))


class TextForm(FlaskForm):
    text = TextAreaField(_l("Lines of the plan that state its results, one per line"))
    frequency = SelectField(_l("Reported"), validate_choice=False)
    submit = SubmitField(_l("Read the indicators"))

    def offer(self) -> "TextForm":
        self.frequency.choices = [("", _l("as the lines say (else yearly)"))] + list(frequency_labels().items())
        return self


class ActualForm(FlaskForm):
    period = SelectField(_l("Period"), validate_choice=False)
    scope = SelectField(_l("Scope"), validate_choice=False)
    value = StringField(_l("Value"))
    comment = TextAreaField(_l("Comment (optional)"))
    files = MultipleFileField(_l("Evidence files (optional: PDF, Word, Excel, JPEG, PNG)"))
    no_personal_data = BooleanField(_l("The figure, the comment and the files name no one and carry no IIN"))
    submit = SubmitField(_l("Submit the actual"))


class UploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"))
    submit = SubmitField(_l("Preview"))


class ConfirmUploadForm(FlaskForm):
    token = HiddenField()
    no_personal_data = BooleanField(_l("The figures and comments name no one and carry no IIN"))
    submit = SubmitField(_l("Store these actuals"))
