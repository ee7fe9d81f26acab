"""Assignments from the letters that carry them: upload → preview (every field correctable) →
confirm, and the chain's covering letters passed down.

What confirming stores (one transaction; nothing before it):

- the stack as a `LetterChain` and each letter as a `Letter` (its registration fields, the tasks
  as confirmed, the warnings seen), the covering letters linked to the letter they execute;
- the assignment (the stack's lowest letter) as **one plan per receiving region** (`PlanKind.ASSIGNMENT`,
  or `PROGRAMME` for an enclosed programme), each with the letter's number, date, issuer and basis:
  the ministry's letter to every region becomes twenty plans. One plan per region, not one plan with
  twenty executors, because an obligation has one lead whose report is reviewed: each region owes
  its own reply and its own stages, its bodies are its own (`BodyCache(region)`), the dashboard's
  region filter and a region's coordinator see their own plan, and passing it down reaches that
  region's districts only;
- the tasks with deadlines as activities with their obligations (through the deadline engine, on
  the plan's period, as a plan's activities are: an edit of the deadline later recomputes them the
  same way), the reply to the sender as an obligation of the receiving body, a programme's reporting
  duties as one activity per responsible body, its target indicators as the plan's expected
  results (tracker.indicators proposes them as indicators on the plan's page);
- which region carries which project (`RegionTask`).
"""

import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, select

from tracker import history
from tracker.auth.models import User
from tracker.calendar import working_calendar
from tracker.core.clock import today
from tracker.core.formatting import translated_message
from tracker.core.messages import Message, data_of, msg
from tracker.core.personal_data import PersonalDataFound, refuse_personal_data
from tracker.core.text import clean
from tracker.executors.registry import BY_KEY
from tracker.executors.resolve import BodyResolver
from tracker.extensions import db
from tracker.letters import reading
from tracker.letters.models import Letter, LetterChain, LetterPlan, LetterRole, PassState, RegionTask
from tracker.letters.places import BY_NAME, places_in
from tracker.plans.engine.parse import ParsedExecutor, ParsedWarning, resolve_executors
from tracker.plans.importer import BodyCache, executor_rows, natural_key
from tracker.plans.models import Activity, Plan, PlanKind, PlanWarning, Section
from tracker.plans.obligations import schedule_of, sync_obligations
from tracker.plans.operations import learned_aliases
from tracker.reports.evidence import clean_file_name

#: the registry kind of the body that receives a letter written to a region's akimat
AKIMAT = "regional_akimat"


class LetterError(ValueError):
    """Why the letter cannot be confirmed as it stands: for the person in front of the preview,
    naming the letter (its position in the chain) and the field."""

    def __init__(self, message: str, letter: int | None = None, field_name: str | None = None):
        super().__init__(message)
        self.letter = letter
        self.field = field_name


# --- reading ---------------------------------------------------------------------------------------


def read_upload(data: bytes, filename: str) -> reading.Chain:
    """The chain a document holds, with the portal's day and working calendar (LetterFormatError,
    a PlanFormatError, when it is no letter)."""
    return reading.read_letters(data, filename, max_bytes=current_app.config["MAX_PLAN_BYTES"], today=today(),
                                calendar=working_calendar())


def already_stored(data: bytes) -> LetterChain | None:
    return db.session.scalar(select(LetterChain).where(LetterChain.source_sha256 == hashlib.sha256(data).hexdigest()))


# --- the upload between the preview and the confirmation ---------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"]) / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(user: User, filename: str, data: bytes) -> str:
    """Keep the uploaded letter until its preview is confirmed (a day at most): its token."""
    folder = _folder()
    for old in folder.iterdir():
        if time.time() - old.stat().st_mtime > 24 * 3600:
            old.unlink(missing_ok=True)
    token = uuid.uuid4().hex
    (folder / f"{user.id}-{token}.data").write_bytes(data)
    (folder / f"{user.id}-{token}.name").write_text(clean_file_name(filename)[:255], encoding="utf-8")
    return token


def staged(user: User, token: str) -> tuple[str, bytes]:
    """The staged letter of this account (LookupError when it is gone, or someone else's)."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise LookupError(token)
    data, name = _folder() / f"{user.id}-{token}.data", _folder() / f"{user.id}-{token}.name"
    if not data.exists() or not name.exists():
        raise LookupError(token)
    return name.read_text(encoding="utf-8"), data.read_bytes()


def unstage(user: User, token: str) -> None:
    for suffix in (".data", ".name"):
        (_folder() / f"{user.id}-{token}{suffix}").unlink(missing_ok=True)


# --- corrections from the preview --------------------------------------------------------------------


@dataclass
class TaskEdit:
    number: str
    text: str
    deadline: str  #: as the letter would write it; empty: no deadline
    regions: str  #: "Жамбыл облысы, Қарағанды облысы"; empty: every receiver
    executors: str  #: as a plan writes them; empty: the receiving body
    on_control: bool = True


@dataclass
class LetterEdit:
    issuer: str
    number: str
    date: date | None
    received_on: date | None
    addressees: str  #: one per line
    basis_issuer: str
    basis_number: str
    basis_date: date | None
    tasks: list[TaskEdit] = field(default_factory=list)
    reply_deadline: str = ""
    reply_items: str = ""  #: one per line


@dataclass
class ChainEdit:
    """What the person confirmed: the letters newest first, and for the assignment its title, the
    regions it goes to, the end of a programme's period and its target indicators."""

    title: str
    recipients: str  #: one region per line
    letters: list[LetterEdit]
    period_end: date | None = None
    indicators: str = ""  #: one per line


def _lines(text: str | None) -> list[str]:
    return [clean(line) for line in (text or "").replace("\r", "").split("\n") if clean(line)]


def default_title(chain: reading.Chain) -> str:
    """The plans' title before the region's project: "Хат № 3-05-4/3494-И, 24.05.2024 —
    Қазақстан Республикасының Оқу-ағарту министрлігі", or the programme's own title."""
    root = chain.root
    if chain.programme is not None:
        title = chain.programme.title
        if title.upper().startswith(("БАҒДАРЛАМА ", "ПРОГРАММА ")):
            head, rest = title.split(" ", 1)
            title = f"{head.capitalize()}: {rest}"
        return title[:400]
    parts = [f"№ {root.number}" if root.number else "", root.date.strftime("%d.%m.%Y") if root.date else ""]
    label = ", ".join(p for p in parts if p)
    return clean(f"Хат {label} — {root.issuer_name or root.issuer or ''}").rstrip(" —")[:400]


def edit_of(chain: reading.Chain) -> ChainEdit:
    """The preview's form as the reader proposes it."""
    letters = []
    for letter in chain.letters:
        basis = letter.basis
        letters.append(LetterEdit(
            issuer=letter.issuer_name or letter.issuer or "", number=letter.number or "", date=letter.date,
            received_on=letter.received.date if letter.received else None,
            addressees="\n".join(letter.addressees + [f"көшірме: {c}" for c in letter.copies]),
            basis_issuer=(basis.issuer or "") if basis else "", basis_number=(basis.number or "") if basis else "",
            basis_date=basis.date if basis else None,
            tasks=[TaskEdit(t.number, t.text, t.deadline.written if t.deadline else "", ", ".join(t.regions),
                            t.executors, on_control=t.goes_on_control) for t in letter.tasks],
            reply_deadline=letter.reply.deadline.written if letter.reply else "",
            reply_items="\n".join(letter.reply.items) if letter.reply else ""))
    root = chain.root
    return ChainEdit(title=default_title(chain), recipients="\n".join(root.recipients), letters=letters,
                     period_end=None, indicators="\n".join(chain.programme.indicators) if chain.programme else "")


def apply(chain: reading.Chain, edit: ChainEdit) -> None:
    """Lay the person's corrections over the chain as read, then read its deadlines and work out
    its warnings again (LetterError for a correction that cannot stand: an unknown region)."""
    if len(edit.letters) != len(chain.letters):
        raise LetterError(_("The preview no longer matches the uploaded letter; upload it again."))
    for letter, change in zip(chain.letters, edit.letters, strict=True):
        letter.issuer_name = clean(change.issuer) or None
        if letter.issuer is None or clean(change.issuer) != clean(letter.issuer_name or ""):
            letter.issuer = letter.issuer_name
        letter.number = clean(change.number).lstrip("№ ").strip() or None
        letter.date = change.date
        if change.received_on is not None:
            letter.received = letter.received or reading.Stamp(None, None, None)
            letter.received.date = change.received_on
        elif letter.received is not None:
            letter.received.date = None
        addressees, copies = [], []
        for line in _lines(change.addressees):
            copy = re.match(r"^(?:көшірме|копия)\s*:\s*(.*)$", line, re.IGNORECASE)
            (copies if copy else addressees).append(copy.group(1) if copy else line)
        letter.addressees, letter.copies = addressees, copies
        basis = reading.Citation(clean(change.basis_issuer) or None, clean(change.basis_number).lstrip("№ ") or None,
                                 change.basis_date, letter.basis.kind if letter.basis else "хат")
        letter.bases = ([basis] if basis.issuer or basis.number or basis.date else []) + letter.bases[1:]
        by_number = {task.number: task for task in letter.tasks}
        tasks = []
        for task_edit in change.tasks:
            task = by_number.get(task_edit.number)
            if task is None:  # a task the person added
                if not clean(task_edit.text):
                    continue
                task = reading.Task(task_edit.number, reading.TaskKind.INSTRUCTION, "")
            task.text = clean(task_edit.text)
            if not task.text:
                continue
            task.executors = clean(task_edit.executors)
            task.regions = _regions(task_edit.regions, letter.position, task.number) if clean(task_edit.regions) else []
            written = clean(task_edit.deadline)
            task.deadline = reading.TaskDeadline(written, written, reading.Deadline(written)) if written else None
            task.on_control = task_edit.on_control
            tasks.append(task)
        letter.tasks = tasks
        written = clean(change.reply_deadline)
        if written:
            items = _lines(change.reply_items)
            letter.reply = reading.Reply(reading.TaskDeadline(written, written, reading.Deadline(written)), items,
                                         letter.issuer_name)
        else:
            letter.reply = None
    root = chain.root
    root.recipients = _regions("\n".join(_lines(edit.recipients)), root.position, None) if clean(edit.recipients) else []
    reading.revise(chain, today(), working_calendar())


def _regions(text: str, position: int, task_number: str | None) -> list[str]:
    found: list[str] = []
    for line in re.split(r"[\n;]", text):
        if not clean(line):
            continue
        places, unknown = places_in(line)
        if unknown:
            where = _("task %(number)s", number=task_number) if task_number else _("the regions")
            raise LetterError(_("%(where)s: «%(name)s» is no region or city of republican significance (write it as "
                                "«Жамбыл облысы», «Астана қаласы»).", where=where, name=unknown[0]), position,
                              f"task:{task_number}" if task_number else "recipients")
        found += [p.name for p in places if p.name not in found]
    return found


# --- what blocks the confirmation ---------------------------------------------------------------------


def problems(chain: reading.Chain, edit: ChainEdit) -> list[LetterError]:
    """What must be corrected before the chain can go on control (each naming its letter and field).
    Warnings do not block; these do: no date on the assignment, no region to send it to, a deadline
    that gives no date, nothing with a deadline, an IIN typed in, a value too long to store."""
    found: list[LetterError] = []
    root = chain.root
    if not clean(edit.title):
        found.append(LetterError(_("The title is empty."), None, "title"))
    if root.date is None:
        found.append(LetterError(_("Enter the date of the letter: its tasks' dates are read in its year."),
                                 root.position, "date"))
    if not root.recipients:
        found.append(LetterError(_("Name at least one region the letter goes to."), None, "recipients"))
    for task in root.tasks:
        deadline = task.deadline
        if task.goes_on_control and not deadline.due_dates and deadline.deadline.relative is None \
                and deadline.deadline.waits_for is None:
            problem = deadline.deadline.problem or msg("no due date")
            found.append(LetterError(_("Task %(number)s: the deadline «%(text)s» gives no due date (%(problem)s).",
                                       number=task.number, text=deadline.written, problem=translated_message(problem)),
                                     root.position, f"task:{task.number}"))
    if root.reply is not None and not root.reply.deadline.due_dates:
        found.append(LetterError(_("The reply's deadline «%(text)s» gives no due date.", text=root.reply.deadline.written),
                                 root.position, "reply"))
    if not _on_control(chain) and root.reply is None:
        found.append(LetterError(_("Nothing to put on control: give at least one task a deadline, or the reply's."),
                                 root.position, "tasks"))
    for letter in chain.letters:
        for value, limit, field_name in ((letter.number, 60, "number"),):
            if value and len(value) > limit:
                found.append(LetterError(_("The number «%(value)s…» is longer than %(limit)s characters.",
                                           value=value[:20], limit=limit), letter.position, field_name))
    try:
        _refuse_iins(chain, edit)
    except LetterError as error:
        found.append(error)
    return found


def _refuse_iins(chain: reading.Chain, edit: ChainEdit) -> None:
    texts = {"title": edit.title, "recipients": edit.recipients, "indicators": edit.indicators}
    try:
        refuse_personal_data(**texts)
    except PersonalDataFound as found:
        raise LetterError(_("The field contains an IIN (%(iin)s); letters put on control must not carry personal "
                            "identification numbers.", iin=found.masked), None, found.field) from None
    for letter, change in zip(chain.letters, edit.letters, strict=True):
        fields = {"issuer": change.issuer, "number": change.number, "addressees": change.addressees,
                  "basis": f"{change.basis_issuer} {change.basis_number}", "reply": f"{change.reply_deadline} "
                  f"{change.reply_items}"}
        fields.update({f"task:{t.number}": f"{t.text} {t.deadline} {t.executors} {t.regions}" for t in change.tasks})
        try:
            refuse_personal_data(**fields)
        except PersonalDataFound as found:
            raise LetterError(_("The field contains an IIN (%(iin)s); letters put on control must not carry personal "
                                "identification numbers.", iin=found.masked), letter.position, found.field) from None


def _on_control(chain: reading.Chain) -> list[reading.Task]:
    return [task for task in chain.root.tasks if task.goes_on_control]


# --- storing ------------------------------------------------------------------------------------------


@dataclass
class Stored:
    chain_id: int
    letter_id: int  #: the assignment's letter
    plan_ids: list[int]
    activities: int
    obligations: int
    warnings: list[str] = field(default_factory=list)

    def plan_for(self, region: str | None) -> int:
        """The plan of a region (the first plan when the region has none)."""
        found = db.session.scalar(select(LetterPlan.plan_id).where(LetterPlan.letter_id == self.letter_id,
                                                                   LetterPlan.region == region))
        return found or self.plan_ids[0]


def confirm(chain: reading.Chain, edit: ChainEdit, filename: str, data: bytes, user: User | None) -> Stored:
    """Store the chain as corrected (LetterError, and nothing stored, while `problems` finds any)."""
    found = problems(chain, edit)
    if found:
        raise found[0]
    if already_stored(data) is not None:
        raise LetterError(_("This document is already in the portal (letter %(label)s).",
                            label=_root_label(already_stored(data))))
    existing = _same_letter(chain.root)
    if existing is not None:
        raise LetterError(_("This letter is already in the portal (letter %(label)s, from another file).",
                            label=existing.label), chain.root.position, "number")
    try:
        stored = _store(chain, edit, filename, data, user)
        db.session.commit()
        return stored
    except Exception:
        db.session.rollback()
        raise


def _root_label(row: LetterChain) -> str:
    return row.letters[-1].label if row.letters else str(row.id)


def _same_letter(root: reading.Letter) -> Letter | None:
    """The assignment stored before from another file: the same number and date."""
    if not root.number or not root.date:
        return None
    return db.session.scalar(select(Letter).where(Letter.role == LetterRole.ASSIGNMENT, Letter.number == root.number,
                                                  Letter.date == root.date).limit(1))


def _store(chain: reading.Chain, edit: ChainEdit, filename: str, data: bytes, user: User | None) -> Stored:
    row = LetterChain(kind=str(chain.kind), source_filename=clean_file_name(filename)[:255],
                      source_format=chain.source_format[:10], source_sha256=hashlib.sha256(data).hexdigest(),
                      created_by_id=getattr(user, "id", None))
    db.session.add(row)
    # The assignment first, then each covering letter above it: a letter's parent has the smaller
    # id, so a backup's tables restore row by row in primary-key order.
    rows: list[Letter] = []
    for letter in reversed(chain.letters):
        item = _letter_row(chain, letter, row)
        item.parent = rows[-1] if rows else None
        rows.append(item)
        db.session.flush()
    rows.reverse()
    root, root_row = chain.root, rows[-1]
    plan_ids, activities, obligations, messages = [], 0, 0, []
    calendar = working_calendar()
    for region in root.recipients:
        plan, counts = _plan_for_region(chain, edit, region, root_row, calendar)
        plan_ids.append(plan.id)
        activities += counts[0]
        obligations += counts[1]
        messages += counts[2]
    for task in root.tasks:
        if task.kind == reading.TaskKind.PROJECT:
            for region in task.regions:
                db.session.add(RegionTask(letter=root_row, region=region, task_number=task.number, text=task.text))
    db.session.flush()
    return Stored(row.id, root_row.id, plan_ids, activities, obligations, messages)


def _letter_row(chain: reading.Chain, letter: reading.Letter, chain_row: LetterChain) -> Letter:
    is_root = letter is chain.root
    basis_list = [b.to_json() for b in letter.bases]
    reply = letter.reply.to_json() if letter.reply else None
    warnings = [{"field": w.field, "message": str(w.message), "data": w.message.data}
                for w in chain.warnings if w.letter == letter.position]
    row = Letter(chain=chain_row, position=letter.position, role=LetterRole.ASSIGNMENT if is_root else LetterRole.DELEGATION,
                 state=None if is_root else PassState.PROPOSED, issuer=letter.issuer_name or letter.issuer,
                 issuer_ru=letter.issuer_ru, region=letter.region, number=letter.number, date=letter.date,
                 inferred=list(letter.inferred),
                 received_by=letter.received.holder if letter.received else None,
                 received_number=letter.received.number if letter.received else None,
                 received_on=letter.received.date if letter.received else None,
                 addressees=letter.addressees, copies=letter.copies, recipients=letter.recipients, bases=basis_list,
                 tasks=[t.to_json() for t in letter.tasks], reply=reply,
                 enclosures=(letter.enclosures or "")[:120] or None, signatory=letter.signatory,
                 clerk=(letter.clerk or "")[:120] or None, warnings=warnings, delegation_ids=[])
    db.session.add(row)
    return row


def receiving_body(region: str) -> ParsedExecutor:
    """The body a letter to a region's akimat reaches: the region's akimat (for a city of republican
    significance, the city's), the lead of everything the letter asks of the region."""
    entry = BY_KEY[AKIMAT]
    place = BY_NAME.get(region)
    if place is not None and place.city:
        return ParsedExecutor(written=f"{place.stem} қаласының әкімдігі", body=f"{place.stem} қаласының әкімдігі",
                              abbreviation=None, lead=True, by_agreement=False, match="registry", body_key=AKIMAT,
                              registry_key=AKIMAT, name_ru=f"Акимат города {place.stem}")
    return ParsedExecutor(written=entry.name_kk.lower(), body=entry.name_kk, abbreviation=None, lead=True,
                          by_agreement=False, match="registry", body_key=AKIMAT, registry_key=AKIMAT,
                          name_ru=entry.name_ru)


def _plan_for_region(chain: reading.Chain, edit: ChainEdit, region: str, letter_row: Letter,
                     calendar) -> tuple[Plan, tuple[int, int, list[str]]]:
    root = chain.root
    kind = PlanKind.PROGRAMME if chain.kind == reading.DocumentKind.PROGRAMME else PlanKind.ASSIGNMENT
    project = next((t for t in root.tasks if t.kind == reading.TaskKind.PROJECT and region in t.regions), None)
    title = clean(edit.title)
    if project is not None:
        title = f"{title} — {project.text}"
    tasks = _on_control(chain)
    due_days = [d for t in tasks for d in t.deadline.due_dates] + ([root.reply.date] if root.reply and root.reply.date
                                                                    else [])
    start = min([root.date.replace(day=1)] + [d.replace(day=1) for d in due_days])
    last_year = max([root.date.year] + [d.year for d in due_days])
    end = edit.period_end or date(last_year, 12, 31)
    if end < start:
        raise LetterError(_("The period ends before the letter's month."), None, "period_end")
    basis = root.basis
    key = natural_key(title, region)
    if db.session.scalar(select(Plan).where(Plan.natural_key == key)) is not None:
        raise LetterError(_("A plan with this title is already in the portal for %(region)s; change the title.",
                            region=region), None, "title")
    plan = Plan(title=title, region=region, period_start=start, period_end=end, default_frequency="semiannual",
                natural_key=key, source_filename=chain_filename(letter_row), source_format=chain.source_format[:10],
                source_sha256=letter_row.chain.source_sha256, expected_results=_lines(edit.indicators),
                kind=kind.value, letter_issuer=root.issuer_name or root.issuer, letter_number=root.number,
                letter_date=root.date, basis_issuer=basis.issuer if basis else None,
                basis_number=basis.number if basis else None, basis_date=basis.date if basis else None,
                reply_due=root.reply.date if root.reply else None, chain_position=root.position)
    db.session.add(plan)
    db.session.flush()
    bodies = BodyCache(region)
    resolver = BodyResolver([], learned_aliases(region))
    warnings: list[ParsedWarning] = []
    sections: dict[str, Section] = {}
    obligations = 0
    position = 0
    entries = [(t, _section_title(t)) for t in tasks]
    if root.reply is not None:
        entries.append((None, "Жауап"))
    for task, section_title in entries:
        section = sections.get(section_title)
        if section is None:
            section = Section(plan=plan, number=str(len(sections) + 1), title=section_title, position=len(sections))
            sections[section_title] = section
            db.session.add(section)
        if task is None:  # the reply to the sender
            number = str(max([int(t.number) for t in root.tasks if t.number.isdigit()] + [0]) + 1)
            text = "; ".join(root.reply.items) or "Хатқа жауап"
            to = root.reply.to or root.issuer_name or ""
            activity = Activity(plan=plan, number=number, position=position, section=section,
                                text=f"{to}: {text}" if to else text, completion_form=f"{to} ақпарат".strip(),
                                deadline_text=root.reply.deadline.text, funding_text="", funding_kind="unspecified",
                                parts=[], source_ref=root.ref)
            written, counted_from = "", None
        else:
            number = task.number
            activity = Activity(plan=plan, number=number, position=position, section=section,
                                text=_task_text(task, project), completion_form="", deadline_text=task.deadline.text,
                                funding_text="", funding_kind="unspecified", parts=[], source_ref=root.ref)
            written, counted_from = task.executors, task.deadline.counted_from
        db.session.add(activity)
        position += 1
        if written:
            parsed = resolve_executors([written], resolver, number, root.ref, warnings)
        else:
            parsed = [receiving_body(region)]
        activity.executors = executor_rows(parsed, bodies)
        schedule = schedule_of(activity, plan, calendar)
        activity.deadline_rule = schedule.rule
        sync_obligations(activity, schedule.wanted, schedule.waiting)
        if counted_from is not None:
            _count_from(activity, counted_from, calendar)
        obligations += len(activity.obligations)
        for problem in schedule.problems:
            warnings.append(ParsedWarning(number, "deadline", problem))
    for warning in chain.warnings:
        if warning.letter != root.position:
            continue
        number = warning.field.split(":", 1)[1] if warning.field.startswith("task:") else None
        warnings.append(ParsedWarning(number, "deadline" if number else warning.field[:40], warning.message))
    plan.warnings = [PlanWarning(activity_number=w.activity, field=w.field, message=str(w.message),
                                 message_data=data_of(w.message)) for w in warnings]
    db.session.add(LetterPlan(letter=letter_row, plan=plan, region=region))
    db.session.flush()
    history.record("plan.imported", plan=plan, details={
        "file": plan.source_filename, "activities": position, "obligations": obligations,
        "warnings": len(plan.warnings), "letter": root.number, "letter_date": root.date.isoformat(),
        "kind": kind.value})
    return plan, (position, obligations, [f"{region}: {w.activity or '—'} [{w.field}] {w.message}" for w in warnings])


def chain_filename(letter_row: Letter) -> str | None:
    return letter_row.chain.source_filename


def _section_title(task: reading.Task) -> str:
    if task.kind == reading.TaskKind.STAGE:
        return "Іске асыру кезеңдері"
    if task.kind == reading.TaskKind.REPORT:
        return "Бақылау және есептілік"
    return "Тапсырмалар"


def _task_text(task: reading.Task, project: reading.Task | None) -> str:
    """A stage names the region's project it is a stage of."""
    if task.kind == reading.TaskKind.STAGE and project is not None:
        return f"{task.text} ({project.text})"
    return task.text


def _count_from(activity: Activity, start: date, calendar) -> None:
    """A deadline counted from the letter's receipt ("3 жұмыс күні ішінде"): the receipt is the
    event its obligation waits for, so its date is set now (as tracker.control.record_event would)."""
    for obligation in activity.obligations:
        if obligation.waits_for is None or obligation.event_on is not None:
            continue
        deadline = reading.read_deadline(activity.deadline_text, None, start.year, start, calendar)
        due = deadline.deadline.due_from(start, calendar)
        if due is None:
            continue
        obligation.event_on, obligation.event_recorded_on = start, today()
        obligation.due_date = obligation.original_due_date = date(due.year, due.month, due.day)
        obligation.due_changed_on = today()


# --- reading what is stored ----------------------------------------------------------------------------


def letter_of_plan(plan: Plan) -> Letter | None:
    return db.session.scalar(select(Letter).join(LetterPlan).where(LetterPlan.plan_id == plan.id))


def chain_rows(letter: Letter) -> list[Letter]:
    return list(letter.chain.letters)


def warning_text(entry: dict) -> str:
    """A stored warning in the reader's language."""
    return translated_message(entry.get("message"), entry.get("data"))


def message_of(error: Exception) -> str:
    message = getattr(error, "message", None) or (error.args[0] if error.args else str(error))
    return translated_message(message) if isinstance(message, Message) else str(message)


# --- passing a covering letter down (tracker.delegation) -------------------------------------------------


def delegation_available() -> bool:
    """Whether the portal's database holds the delegation tables (tracker.delegation's migration)."""
    return inspect(db.session.connection()).has_table("delegation")
