"""The letter's upload and its preview, where every proposed field can be corrected."""

from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.letters.operations import ChainEdit, LetterEdit, TaskEdit


class UploadForm(FlaskForm):
    document = FileField(_l("Letter: Word (.docx, .doc, .rtf, .odt), PDF or .txt — one letter or a stack of them, "
                            "the newest on top"), validators=[FileRequired()])
    submit = SubmitField(_l("Read and preview"))


class TaskForm(Form):
    number = HiddenField()
    text = TextAreaField(_l("Task"))
    deadline = StringField(_l("Deadline (as the letter writes it)"), validators=[Length(max=300)])
    regions = StringField(_l("Regions that carry it (empty: every receiver)"), validators=[Length(max=1000)])
    executors = StringField(_l("Executors, the lead first (empty: the receiving body)"), validators=[Length(max=1000)])
    on_control = BooleanField(_l("Put on control"))


class LetterForm(Form):
    issuer = TextAreaField(_l("Issuer"))
    number = StringField(_l("Outgoing number"), validators=[Length(max=60)])
    date = DateField(_l("Date"), validators=[Optional()])
    received_on = DateField(_l("Received on (incoming stamp)"), validators=[Optional()])
    addressees = TextAreaField(_l("Addressees, one per line («көшірме:» before a copy)"))
    basis_issuer = StringField(_l("Executes: the issuer"), validators=[Length(max=500)])
    basis_number = StringField(_l("its number"), validators=[Length(max=60)])
    basis_date = DateField(_l("its date"), validators=[Optional()])
    tasks = FieldList(FormField(TaskForm))
    reply_deadline = StringField(_l("Reply to the sender by (as the letter writes it)"), validators=[Length(max=300)])
    reply_items = TextAreaField(_l("What the reply sends, one item per line"))


class PreviewForm(FlaskForm):
    title = TextAreaField(_l("Title of the assignment (each region's project is added to it)"),
                          validators=[Length(max=400)])
    recipients = TextAreaField(_l("Regions it goes to, one per line (one assignment each)"))
    period_end = DateField(_l("Period ends (empty: the end of the last year a deadline names)"), validators=[Optional()])
    indicators = TextAreaField(_l("Target indicators, one per line (proposed as the plan's indicators)"))
    letters = FieldList(FormField(LetterForm))
    submit = SubmitField(_l("Put on control"))


def form_data(edit: ChainEdit) -> dict:
    """The form's data from the proposal; the assignment (the last letter) gets an empty task row
    for a task the reader did not find."""
    data = asdict(edit)
    if data["letters"]:
        tasks = data["letters"][-1]["tasks"]
        numbers = [int(t["number"]) for t in tasks if str(t["number"]).isdigit()]
        tasks.append({"number": str(max(numbers + [0]) + 1), "text": "", "deadline": "", "regions": "",
                      "executors": "", "on_control": True})
    return data


def edit_from(form: PreviewForm) -> ChainEdit:
    letters = []
    for entry in form.letters:
        letter = entry.form
        letters.append(LetterEdit(
            issuer=letter.issuer.data or "", number=letter.number.data or "", date=letter.date.data,
            received_on=letter.received_on.data, addressees=letter.addressees.data or "",
            basis_issuer=letter.basis_issuer.data or "", basis_number=letter.basis_number.data or "",
            basis_date=letter.basis_date.data,
            tasks=[TaskEdit(number=t.form.number.data or "", text=t.form.text.data or "",
                            deadline=t.form.deadline.data or "", regions=t.form.regions.data or "",
                            executors=t.form.executors.data or "", on_control=bool(t.form.on_control.data))
                   for t in letter.tasks],
            reply_deadline=letter.reply_deadline.data or "", reply_items=letter.reply_items.data or ""))
    return ChainEdit(title=form.title.data or "", recipients=form.recipients.data or "", letters=letters,
                     period_end=form.period_end.data, indicators=form.indicators.data or "")


class PassDownForm(FlaskForm):
    targets = SelectMultipleField(_l("To the bodies below yours"), widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    submit = SubmitField(_l("Pass it down"))
