"""A stack of letters → the chain of letters, each with what a registration card would hold.

Work reaches the people who do it through letters, each level passing the one above down with a
covering letter of its own; the stack is read newest on top (BRIEF.md, "Letters and the chain").
`read_letters(data, filename)` splits the document into letters and reads from each:

- the issuer's blank (the Kazakh and the Russian lines of the heading), or, where the letter has
  no blank, the body that names itself ("Т. Рысқұлов ауданының білім бөлімі … хабарлайды");
- the outgoing number and date ("№ 03-4279 от 1.05.2024", "№ 03-2530 / 05.05.2026 ж."), and the
  receiver's incoming stamp ("КІРІС № 121 8.05.2026 ж.");
- the addressees ("Тараз қаласы мен аудандардың әкімдеріне"; a copy after "көшірме:") and the
  regions they are ("Облыстардың, Астана, Алматы және Шымкент қалаларының әкімдіктері": all 20);
- the bases it executes ("…министрлігінің 24.05.2024 жылғы №3-05-4/3494-И хатына сәйкес");
- the instruction's tasks and stages with their deadlines, read by tracker.schedule.deadlines
  in the letter's year ("1 кезең (2024 жылғы 25 желтоқсанға дейін)", "2025-2026 жылдар",
  "ағымдағы жылғы 27 мамырға дейінгі мерзімде"), the reply due to the sender, and the lists that
  assign a project to regions ("Жамбыл, Қарағанды облыстары – «…»");
- "Қосымша: N парақ", the signatory's position and the clerk ("Орын.:");
- an enclosed programme (a document with no blank and no signature after a letter): its stages,
  reporting duties ("жауапты орындаушылардың ай сайынғы есептері", "тоқсан сайын тиімділікті
  талдау"), responsible bodies and target indicators ("Тиімділік көрсеткіштері").

Each letter of the chain executes the one below it: a number, date or issuer the lower letter
leaves blank (the ministry's "№ ____") is taken from the citation in the letter above and marked
as inferred. What a person should check becomes a warning naming the letter and the field.

**People.** A letter names officials and the clerk who prepared it. What is kept: the signatory's
position (not the name), the clerk's initials and office phone ("Ж.Н., 8 7172 74 19 94": enough to
call the office back, not a person's name), addressees without the names of the officials they
are written to ("Жамбыл облысы әкімінің орынбасары"). A letter carrying an IIN is refused. Nothing
about a minor is read: the programme's per-case stages (counted from each child's admission) are
kept as the programme's text, never as dates, because the day a child is admitted is the child's.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from rapidfuzz import fuzz

from tracker.core.messages import Message, msg
from tracker.core.personal_data import find_iins, masked
from tracker.core.sizes import DEFAULT_MAX_PLAN_BYTES
from tracker.core.text import clean, fold, norm
from tracker.letters.places import Place, places_in, region_in
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.headers import is_header
from tracker.plans.engine.readers import RawDocument, read_document
from tracker.schedule.deadlines import MONTHS_KK, MONTHS_RU, Deadline, Period, due_dates_for
from tracker.schedule.workdays import WorkingCalendar


class LetterFormatError(PlanFormatError):
    """The document cannot be read as a letter: one line for a person (a Message)."""


class DocumentKind(StrEnum):
    """What a chain puts on control: an assignment with tasks and a reply, or a programme with
    reporting duties and target indicators (stored as tracker.plans.models.PlanKind)."""

    ASSIGNMENT = "assignment"
    PROGRAMME = "programme"


class TaskKind(StrEnum):
    STAGE = "stage"  #: "1 кезең (2024 жылғы 25 желтоқсанға дейін) – …"
    INSTRUCTION = "instruction"  #: a sentence that instructs ("…ұсыныс беруді тапсырамын")
    PROJECT = "project"  #: a project the list assigns to regions ("Жамбыл, Қарағанды облыстары – «…»")
    REPORT = "report"  #: a reporting duty of a programme ("ай сайынғы есептері")
    REPLY = "reply"  #: what the receiver sends back to the sender by the reply date


# --- the letter's words --------------------------------------------------------------------------

_UP = "A-ZА-ЯЁӘІҢҒҮҰҚӨҺ"
_LOW = "a-zа-яёәіңғүұқөһ"
#: "Е. Оспан", "М.Сванов", "С.Ж. Салемовке", "Н.А. Оршыбековке"
_PERSON = rf"[{_UP}]\.\s?(?:[{_UP}]\.\s?)?[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
_SIGNATURE_NAME = re.compile(rf"^(?:{_PERSON}|[{_UP}][{_LOW}]+\s+[{_UP}]\.\s?(?:[{_UP}]\.)?)\s*,?$")
_CLERK = re.compile(r"^(?:орын(?:даған|даушы|д)?|исп(?:олнитель|олн)?)\s*[.:]+\s*|^орын\s+", re.IGNORECASE)
_PHONE = re.compile(r"(?:^|\s)(?:тел(?:ефон)?|tel|факс)\s*[.:]*\s*(?P<number>[\d(+][\d\s()+-]{4,}\d)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\d{1,7}$")
_ENCLOSURE = re.compile(r"^(?:қосымша|приложение)\s*[:.]?\s*(?P<what>.*)$", re.IGNORECASE)
_STAMP = re.compile(r"(?:кіріс|кирис|вх(?:одящий|\.)?|входящ\w*)\s*№\s*(?P<number>[\w./-]+)?", re.IGNORECASE)
_ADDRESS = re.compile(r"^\d{6}\b|^(?:тел|факс|e-?mail|эл\.|электрон|web|www|сайт)\b|@|\b(?:көшесі|даңғылы|"
                      r"улица|проспект|пр\.|үй|дом|«Министрліктер Үйі»|«Дом министерств\w*»)\b", re.IGNORECASE)
_COPY = re.compile(r"^(?:көшірме|копия|көшірмесі)\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
#: an addressee ends in the dative: "әкімдеріне", "басшыларына", "Салемовке", "Руководителям"
_DATIVE = re.compile(r"(?:ға|ге|қа|ке|на|не|ам|ям)\s*[!.:]?$", re.IGNORECASE)
_RUSSIAN_MARK = re.compile(r"(?:УЧРЕЖДЕНИ|ГОСУДАРСТВЕНН|МИНИСТЕРСТВ|ДЕПАРТАМЕНТ\s+ПОЛИЦИИ|РЕСПУБЛИКИ|ОБЛАСТИ|"
                           r"АКИМА|АКИМАТА|УПРАВЛЕНИЕ|ОБРАЗОВАНИЯ|ВНУТРЕННИХ|КОММУНАЛЬН|ОТДЕЛ\b)", re.IGNORECASE)
_KAZAKH_LETTER = re.compile(r"[ӘІҢҒҮҰҚӨҺәіңғүұқөһ]")
#: the nominative words a body's name ends with ("…білім бөлімі", "…министрлігі")
_BODY_WORD = (r"(?:бөлімі|басқармасы|әкімдігі|министрлігі|департаменті|аппараты|комитеті|прокуратурасы|"
              r"мекемесі|орталығы|институты|уәкілі|комиссиясы)")
_BODY_NOMINATIVE = re.compile(rf"(?<![\w-]){_BODY_WORD}(?![\w-])", re.IGNORECASE)
_GENITIVE = re.compile(r"(ның|нің|дың|дің|тың|тің)$")

_MONTH_KK = "|".join(MONTHS_KK)
_MONTH_RU = "|".join(MONTHS_RU)
_NUMERIC_DATE = re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{2,4})(?![\d])")
_TEXT_DATE_KK = re.compile(rf"(?P<y>(?:19|20)\d{{2}})\s*ж(?:ылғы|ылы|\.)?\s+(?P<d>\d{{1,2}})\s*[-‑]?\s*(?P<m>{_MONTH_KK})\w*",
                           re.IGNORECASE)
_TEXT_DATE_RU = re.compile(rf"(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RU})\w*\s+(?P<y>(?:19|20)\d{{2}})", re.IGNORECASE)
#: "№ 03-4279", "№3-05-4/3494-И", "№5/1-5-42/515-И", "№23-63-8.19"
_NUMBER = re.compile(rf"№\s*(?P<number>[0-9{_UP}][0-9{_UP}{_LOW}./\\-]*[0-9{_UP}{_LOW}])?")
_BLANK_FIELD = re.compile(r"_{3,}|\\_")

#: a basis is a document of these kinds that the letter executes ("…хатына сәйкес", "…тапсырмасын орындау мақсатында")
_BASIS_ANCHOR = re.compile(
    r"(?<![\w-])(?P<what>хат\w*|тапсырма\w*|ұсыным\w*|шешім\w*|хаттама\w*|тармағ\w*|бұйрығ\w*|қаулы\w*|"
    r"письм\w*|поручени\w*|решени\w*|приказ\w*)\s+(?:\(?[\w.-]+\)?\s+){0,2}?"
    r"(?P<how>сәйкес|орындау|негізінде|согласно|во\s+исполнение|на\s+основании)", re.IGNORECASE)
_BASIS_BEFORE = re.compile(r"(?:во\s+исполнение|согласно|на\s+основании)\s+(?P<what>письм\w*|поручени\w*|решени\w*|приказ\w*)",
                           re.IGNORECASE)
#: a sentence that instructs, by how it ends
#: a Russian sentence that instructs, by how it starts ("Просим в срок до 27 мая … направить")
_INSTRUCTS_FIRST = re.compile(r"^(?:\S+\s+){0,6}?(?:прошу|просим|поручаю|необходимо|обеспечить|предлагаю)\b",
                              re.IGNORECASE)
_INSTRUCTS = re.compile(
    r"(?:тапсырамын|тапсырамыз|тапсырылсын|сұраймыз|сұраймын|сұрайды|қажет|міндеттеледі|қамтамасыз\s+етсін|"
    r"жолдайды|жүктелсін|поручаю|поручается|прошу|просим|необходимо\s+\w+(?:\s+\w+)?|обеспечить)\s*[.!:]?$",
    re.IGNORECASE)
#: a deadline inside a sentence: a day (of this year, or a year given), a date, working days
_DEADLINE_PHRASE = re.compile(
    rf"(?:(?:ағымдағы|биылғы|осы|(?:19|20)\d{{2}})\s+жыл(?:ғы|дың)\s+)?\d{{1,2}}\s*[-‑]?\s*(?:{_MONTH_KK})\w*\s+"
    rf"(?:дейін\w*|шейін\w*)(?:\s+мерзімде)?"
    rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}\s*(?:ж\.|жылға|жылғы)?\s*(?:дейін\w*|шейін\w*)(?:\s+мерзімде)?"
    rf"|(?:в\s+срок\s+)?до\s+\d{{1,2}}(?:\.\d{{1,2}}\.\d{{4}}|\s+(?:{_MONTH_RU})\w*(?:\s+(?:19|20)\d{{2}}\s*(?:года|г\.)?)?"
    rf"(?:\s+текущего\s+года)?)"
    rf"|\d{{1,3}}\s*(?:\([^)]{{1,30}}\)\s*)?(?:жұмыс|күнтізбелік)\s+күн\w*\s+ішінде"
    rf"|в\s+течение\s+\d{{1,3}}\s*(?:\([^)]{{1,30}}\)\s*)?(?:рабоч|календарн)\w*\s+дн\w*",
    re.IGNORECASE)
_THIS_YEAR = re.compile(r"(?:ағымдағы|биылғы|осы)\s+жыл(?:ғы|дың)|текущего\s+года|в\s+текущем\s+году", re.IGNORECASE)
#: a stage: "1 кезең (…) – …", "1) бастапқы кезең (10 күнге дейін):", "1 этап (до …) – …"
_STAGE = re.compile(r"^(?:(?P<item>\d{1,2})\s*\)\s*)?(?P<name>(?:(?P<n>\d{1,2})\s*[-‑]?\s*)?[\w\s-]{0,40}?(?:кезең|этап)\w*)"
                    r"\s*\((?P<deadline>[^)]{2,80})\)\s*[:–—-]?\s*(?P<text>.*)$", re.IGNORECASE)
#: a project list item: "Абай, Ақтөбе облыстары - «…»;"
_PROJECT = re.compile(r"^(?P<regions>[^«»\"–—]{3,120}?)\s*[-–—]\s*[«\"](?P<text>.+?)[»\"]\s*[;.]?$")
#: sending something back ("Министрлікке ақпаратты жолдау", "хабарлау", "направить информацию")
_SENDS = re.compile(r"жолда|ұсын|хабарла|ақпарат|жібер|направ|представ|информ|сообщ", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"^(?P<n>\d{1,2})\s*[).]\s*")
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})?\.?)\s+\S")
_RECURRING = re.compile(r"ай\s+сайын|тоқсан\s+сайын|жыл\s+сайын|жартыжыл|ежемесяч|ежекварт|ежегод|полугод", re.IGNORECASE)
_CONNECTIVE = re.compile(r"^(?:осыған\s+(?:орай|байланысты)|жоғарыда\s+\w+\s+байланысты|баяндалғанның\s+негізінде|"
                         r"в\s+связи\s+с\s+(?:изложенным|вышеизложенным)|учитывая\s+изложенное)\s*,?\s*", re.IGNORECASE)


# --- what is read --------------------------------------------------------------------------------


@dataclass
class LetterWarning:
    letter: int | None  #: the letter's position in the chain (0: the newest, on top); None: the whole document
    field: str  #: number | date | issuer | addressees | basis | tasks | task:N | reply | regions | received | letter
    message: Message

    def to_json(self) -> dict:
        return {"letter": self.letter, "field": self.field, "message": str(self.message)}


@dataclass
class Citation:
    """A document a letter executes, as the letter cites it."""

    issuer: str | None
    number: str | None
    date: date | None
    kind: str  #: the word that names it: "хатына", "тапсырмасын", "ұсынымдар" …

    def to_json(self) -> dict:
        return {"issuer": self.issuer, "number": self.number, "date": _iso(self.date), "kind": self.kind}


@dataclass
class Stamp:
    """The receiver's incoming stamp: who received the letter, under which number, on which day."""

    holder: str | None
    number: str | None
    date: date | None

    def to_json(self) -> dict:
        return {"by": self.holder, "number": self.number, "date": _iso(self.date)}


@dataclass
class TaskDeadline:
    written: str  #: as the letter writes it: "ағымдағы жылғы 27 мамырға дейінгі мерзімде"
    text: str  #: as read, the year made explicit: "2024 жылғы 27 мамырға дейінгі мерзімде"
    deadline: Deadline
    #: the day a relative deadline ("3 жұмыс күні ішінде") was counted from: the receipt, else the letter's date
    counted_from: date | None = None

    @property
    def due_dates(self) -> list[date]:
        if self.deadline.due_dates:
            return list(self.deadline.due_dates)
        if self.counted_from is not None:
            due = self.deadline.due_from(self.counted_from)
            return [due] if due else []
        return []

    def to_json(self) -> dict:
        data = {"text": self.written, "as_read": self.text, "rule": self.deadline.rule,
                "due_dates": [d.isoformat() for d in self.due_dates], **self.deadline.to_json()}
        if self.counted_from is not None:
            data["counted_from"] = self.counted_from.isoformat()
        if self.deadline.problem:
            data["problem"] = str(self.deadline.problem)
        return data


@dataclass
class Task:
    number: str
    kind: TaskKind
    text: str
    deadline: TaskDeadline | None = None
    #: the regions that carry it; empty: every receiver of the letter
    regions: list[str] = field(default_factory=list)
    #: who carries it, written as a plan would ("ішкі істер органдары"); empty: the receiving body
    executors: str = ""
    #: counted from each case (a child taken into accompaniment): the programme's text, never a date
    per_case: bool = False
    items: list[str] = field(default_factory=list)  #: the sub-items under it, as written
    #: whether a person chose to put it on control; None: as proposed (see `goes_on_control`)
    on_control: bool | None = None

    @property
    def goes_on_control(self) -> bool:
        """A task becomes an obligation when it has a deadline of its own, is not counted per case
        and is not a project (a project is which region carries what; the stages are its dates)."""
        proposed = self.deadline is not None and not self.per_case and self.kind != TaskKind.PROJECT
        return proposed and (self.on_control is None or self.on_control)

    def to_json(self) -> dict:
        return {"number": self.number, "kind": str(self.kind), "text": self.text,
                "deadline": self.deadline.to_json() if self.deadline else None, "regions": self.regions,
                "executors": self.executors, "per_case": self.per_case, "items": self.items,
                "on_control": self.goes_on_control}


@dataclass
class Reply:
    """What the receiver owes the sender, by when."""

    deadline: TaskDeadline
    items: list[str]
    to: str | None  #: the sender

    @property
    def date(self) -> date | None:
        return self.deadline.due_dates[0] if self.deadline.due_dates else None

    def to_json(self) -> dict:
        return {"text": self.deadline.written, "as_read": self.deadline.text, "date": _iso(self.date),
                "due_dates": [d.isoformat() for d in self.deadline.due_dates], "to": self.to, "items": self.items}


@dataclass
class Programme:
    """A programme enclosed with a letter (seed 000): what it asks of whom, and how it is measured."""

    title: str
    stages: list[Task]
    reports: list[Task]
    responsible: list[str]
    indicators: list[str]  #: "Тиімділік көрсеткіштері", as written (tracker.indicators reads the numbers)
    expected: list[str]  #: "Күтілетін нәтижелер", as written
    control: list[str]  #: the control and reporting lines, as written

    def to_json(self) -> dict:
        return {"title": self.title, "stages": [t.to_json() for t in self.stages],
                "reports": [t.to_json() for t in self.reports], "responsible": self.responsible,
                "indicators": self.indicators, "expected_results": self.expected, "control": self.control}


@dataclass
class Letter:
    position: int  #: 0: the newest, on top of the stack
    ref: str  #: "lines 1–15"
    issuer: str | None = None  #: the blank's Kazakh lines (or the body's own name for itself)
    issuer_ru: str | None = None
    issuer_name: str | None = None  #: the body itself, without "коммуналдық мемлекеттік мекемесі" or the ministry above it
    region: str | None = None  #: the region the issuer serves, where it names one
    number: str | None = None
    date: date | None = None
    #: fields taken from the citation in the letter above, not read on this letter
    inferred: list[str] = field(default_factory=list)
    received: Stamp | None = None
    addressees: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    #: the regions and cities the letter goes to (stored names: "Жамбыл облысы")
    recipients: list[str] = field(default_factory=list)
    bases: list[Citation] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    reply: Reply | None = None
    enclosures: str | None = None  #: "2 парақ"
    signatory: str | None = None  #: the position only
    clerk: str | None = None  #: initials and phone
    programme: Programme | None = None
    body: list[str] = field(default_factory=list)  #: the instruction's paragraphs (shown, not stored)
    #: a number standing alone after the signature ("2947"): perhaps the registration number
    loose_number: str | None = None

    @property
    def basis(self) -> Citation | None:
        return self.bases[0] if self.bases else None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def to_json(self) -> dict:
        return {
            "position": self.position, "ref": self.ref,
            "issuer": self.issuer, "issuer_ru": self.issuer_ru, "issuer_name": self.issuer_name, "region": self.region,
            "number": self.number, "date": _iso(self.date), "inferred": self.inferred,
            "received": self.received.to_json() if self.received else None,
            "addressees": self.addressees, "copies": self.copies, "recipients": self.recipients,
            "basis": self.basis.to_json() if self.basis else None, "bases": [b.to_json() for b in self.bases],
            "tasks": [t.to_json() for t in self.tasks], "reply_due": self.reply.to_json() if self.reply else None,
            "enclosures": self.enclosures, "signatory": self.signatory, "clerk": self.clerk,
            "programme": self.programme.to_json() if self.programme else None,
        }


@dataclass
class Chain:
    """The letters of one document, newest first; the last is the assignment the others pass down."""

    letters: list[Letter]
    warnings: list[LetterWarning]
    source_format: str = "text"

    @property
    def root(self) -> Letter:
        return self.letters[-1]

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind.PROGRAMME if any(letter.programme for letter in self.letters) else DocumentKind.ASSIGNMENT

    @property
    def programme(self) -> Programme | None:
        return next((letter.programme for letter in self.letters if letter.programme), None)

    def warnings_of(self, position: int | None, field_name: str | None = None) -> list[LetterWarning]:
        return [w for w in self.warnings if w.letter == position and (field_name is None or w.field == field_name)]

    def to_json(self) -> dict:
        root = self.root
        data = root.to_json()
        data.update(kind=str(self.kind), format=self.source_format, letters=len(self.letters),
                    chain=[letter.to_json() for letter in self.letters],
                    indicators=self.programme.indicators if self.programme else [],
                    warnings=[w.to_json() for w in self.warnings])
        return data


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- lines ---------------------------------------------------------------------------------------


@dataclass
class Line:
    text: str
    number: int  #: 1-based, in the file for a text extract; in reading order otherwise
    bullet: bool = False  #: it started with "-", "•", "–"


_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")
_BULLET = re.compile(r"^\s*[-•·–—]\s+")
_EMPHASIS = re.compile(r"\*{1,3}")


def _line(raw: str, number: int) -> Line | None:
    """A line as a person reads it: the text extract's markdown (headings, bold, escaped underscores)
    and list marks taken off, white space collapsed. None for a line with nothing on it."""
    text = _MARKDOWN_HEADING.sub("", raw)
    text = text.replace("\\_", "_").replace("\\-", "-").replace("\\*", "")
    text = _EMPHASIS.sub("", text)
    bullet = bool(_BULLET.match(text))
    if bullet:
        text = _BULLET.sub("", text, count=1)
    text = clean(text)
    text = re.sub(r"(\w) -(\w)", r"\1-\2", text)  # "Вице -министр"
    return Line(text, number, bullet) if text else None


def document_lines(data: bytes, filename: str,
                   max_bytes: int = DEFAULT_MAX_PLAN_BYTES) -> tuple[list[Line], str, bool]:
    """The document's lines in reading order, its format, and whether it holds a plan table. A text extract keeps its own line
    numbers; Word and PDF give their paragraphs and table cells in order (a blank laid out as a
    table gives its Kazakh cell, then its Russian cell)."""
    try:
        document = read_document(data, filename, max_bytes)
    except LetterFormatError:
        raise
    except PlanFormatError as error:  # empty, damaged, protected, scanned: the readers' one line, as a letter's
        raise LetterFormatError(error.message) from None
    table = any(not row.paragraph and is_header(row.cells) for row in document.rows[:400])
    if document.format == "text" and not document.rows:
        text = _decoded(data)
        raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return [line for number, raw in enumerate(raw_lines, start=1) if (line := _line(raw, number))], "text", table
    return _flattened(document), document.format, table


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _flattened(document: RawDocument) -> list[Line]:
    texts: list[str] = list(document.preamble)
    for row in document.rows:
        for cell in row.cells:
            texts.extend(cell.split("\n"))
    texts.extend(document.trailing)
    lines: list[Line] = []
    for text in texts:
        for raw in text.split("\n"):
            if line := _line(raw, len(lines) + 1):
                lines.append(line)
    return lines


# --- reading -------------------------------------------------------------------------------------


def read_letters(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_PLAN_BYTES,
                 today: date | None = None, calendar: WorkingCalendar | None = None) -> Chain:
    """Read a letter, or a stack of letters (newest on top). LetterFormatError when the document
    is no letter; everything a person should check otherwise is a warning. `today` (the portal's)
    adds the warnings about dates already past; `calendar` counts "N жұмыс күні ішінде"."""
    name = Path(filename).name
    lines, source_format, table = document_lines(data, filename, max_bytes)
    return read_lines(lines, name, source_format, today=today, calendar=calendar, table=table)


def read_text(text: str, name: str = "letter.txt", today: date | None = None) -> Chain:
    """The same for text already in hand (tests, the fuzzing)."""
    lines = [line for number, raw in enumerate(text.replace("\r", "").split("\n"), start=1) if (line := _line(raw, number))]
    return read_lines(lines, name, "text", today=today)


def read_lines(lines: list[Line], name: str, source_format: str = "text", today: date | None = None,
               calendar: WorkingCalendar | None = None, table: bool = False) -> Chain:
    if not lines:
        raise LetterFormatError(msg("%(name)s is empty", name=name))
    for line in lines:
        found = find_iins(line.text)
        if found:
            raise LetterFormatError(msg(
                "line %(line)s: an IIN (%(iin)s) is written in the letter; letters put on control must not carry "
                "personal identification numbers: remove it and upload the letter again",
                line=line.number, iin=masked(found[0])))
    _refuse_non_letters(lines, name, table)
    warnings: list[LetterWarning] = []
    segments = _segments(lines)
    letters: list[Letter] = []
    for segment in segments:
        if not segment.signed and letters:
            holder = letters[-1]
            if holder.programme is None and (programme := _programme(segment.lines, holder, warnings)):
                holder.programme = programme
                for task in programme.stages + programme.reports:  # the programme's duties are the letter's tasks
                    task.number = str(len(holder.tasks) + 1)
                    holder.tasks.append(task)
            continue
        letter = _letter(segment, len(letters), warnings)
        if segment.stamp is not None:
            holder = letters[-1] if segment.stamp_above and letters else letter
            holder.received = segment.stamp
        letters.append(letter)
    if not letters or not any(letter.number or letter.signatory or letter.bases or (letter.addressees and letter.body)
                              for letter in letters):
        raise LetterFormatError(msg("%(name)s is not a letter: no addressee, outgoing number or signature was found",
                                    name=name))
    _link_chain(letters, warnings)
    for letter in letters:
        _read_deadlines(letter, letters, warnings, calendar)
    _check(letters, warnings, today)
    return Chain(letters, warnings, source_format)


def _refuse_non_letters(lines: list[Line], name: str, table: bool) -> None:
    """A plan table or an order is not a letter: say what it is, so the person takes the right door."""
    head = " ".join(line.text for line in lines[:40])
    folded = head.lower()
    if re.search(r"бұйырамын|бұйырамыз|приказываю|приказываем|постановляет|қаулы етеді", folded) and not any(
            _CLERK.match(line.text) for line in lines):
        raise LetterFormatError(msg("%(name)s is an order, not a letter: it has no addressee, outgoing number "
                                    "or signatory's clerk. Orders are not read as assignments", name=name))
    header_words = ("іс-шара", "мероприят", "орындау мерзімі", "срок исполнения", "жауапты орындаушы",
                    "ответственные исполнители", "р/с", "№ п/п")
    if table or sum(1 for word in header_words if word in head.lower()) >= 2 and not any(
            _DATIVE.search(line.text) for line in lines[:15]):
        raise LetterFormatError(msg("%(name)s is a plan table, not a letter: import it with «Import a plan»", name=name))


# --- splitting the stack --------------------------------------------------------------------------


@dataclass
class _Segment:
    lines: list[Line]
    signed: bool
    stamp: Stamp | None = None
    stamp_above: bool = False  #: the stamp stood before this letter's blank: it is on the letter above


def _is_body_line(line: Line) -> bool:
    text = line.text
    if _ADDRESS.search(text) or _is_upper(text):
        return False
    return len(text) >= 80 or (len(text.split()) >= 9 and text.endswith((".", ":", ";")))


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _is_closing(line: Line) -> bool:
    """A line of the closing after the signature: the clerk, a phone, a bare registration number."""
    text = line.text
    return bool(_CLERK.match(text) or _PHONE.search(text) and len(text) < 60 or _BARE_NUMBER.match(text)
                or _SIGNATURE_NAME.match(text) or re.match(rf"^{_PERSON}\s*(?:тел\.?.*)?$", text))


def _segments(lines: list[Line]) -> list[_Segment]:
    """The letters of the stack: each ends after its signature and the lines that close it (the
    clerk, a phone); what follows begins the next. A part with no signature is an enclosure."""
    segments: list[_Segment] = []
    current: list[Line] = []
    seen_body = False
    signed_at: int | None = None
    for line in lines:
        if signed_at is not None and not _is_closing(line):
            segments.append(_Segment(current, True))
            current, seen_body, signed_at = [], False, None
        current.append(line)
        if not seen_body and _is_body_line(line):
            seen_body = True
        elif seen_body and signed_at is None and not line.bullet and _SIGNATURE_NAME.match(line.text):
            signed_at = len(current) - 1
    if current:
        segments.append(_Segment(current, signed_at is not None))
    for segment in segments:
        _take_stamp(segment)
    return segments


def _take_stamp(segment: _Segment) -> None:
    """The incoming stamp ("… БІЛІМ БӨЛІМІ / КІРІС № 121 / 8.05.2026 ж."): its lines are taken out
    of the letter. Standing before the letter's own blank it was put on the letter above it (the
    receiver stamps the foot of the page it received); inside the letter, on this one."""
    for index, line in enumerate(segment.lines[:40]):
        found = _STAMP.search(line.text)
        if not found:
            continue
        start = index
        while start > 0 and index - start < 6 and _is_upper(segment.lines[start - 1].text) \
                and not _STAMP.search(segment.lines[start - 1].text):
            start -= 1
        end = index + 1
        stamp_date = _first_date(line.text[found.end():])
        if stamp_date is None and end < len(segment.lines):
            stamp_date = _first_date(segment.lines[end].text)
            if stamp_date is not None:
                end += 1
        holder = clean(" ".join(segment.lines[i].text for i in range(start, index))) or None
        segment.stamp = Stamp(holder, found["number"], stamp_date[0] if stamp_date else None)
        segment.stamp_above = start == 0
        del segment.lines[start:end]
        return


def _first_date(text: str) -> tuple[date | None, str] | None:
    """The first date written in a text (a day that does not exist gives None and its words)."""
    found = []
    for pattern in (_NUMERIC_DATE, _TEXT_DATE_KK, _TEXT_DATE_RU):
        for match in pattern.finditer(text):
            found.append((match.start(), match))
    if not found:
        return None
    _, match = min(found, key=lambda item: item[0])
    return _date_of(match), match[0]


def _date_of(match: re.Match) -> date | None:
    try:
        day, year = int(match["d"]), int(match["y"])
        month_text = match["m"]
        month = int(month_text) if month_text.isdigit() else _month(month_text)
        if year < 1900:
            return None
        return date(year, month, day)
    except (ValueError, TypeError):
        return None


def _month(word: str) -> int:
    word = word.lower()
    for stem, number in MONTHS_KK.items():
        if word.startswith(stem):
            return number
    for stem, number in MONTHS_RU.items():
        if re.match(stem, word):
            return number
    raise ValueError(word)


# --- one letter ----------------------------------------------------------------------------------


def _letter(segment: _Segment, position: int, warnings: list[LetterWarning]) -> Letter:
    lines = segment.lines
    first, last = lines[0].number, lines[-1].number
    letter = Letter(position, str(msg("lines %(first)s–%(last)s", first=first, last=last)))
    start = next((i for i, line in enumerate(lines) if _is_body_line(line)), len(lines))
    head, rest = lines[:start], lines[start:]

    def warn(field_name: str, message: Message) -> None:
        warnings.append(LetterWarning(position, field_name, message))

    _read_head(letter, head, warn)
    body, closing = _split_closing(rest)
    _read_closing(letter, closing)
    letter.body = [line.text for line in body]
    if letter.issuer is None:
        letter.issuer = letter.issuer_name = _issuer_in_body(body)
    if letter.issuer is None:
        warn("issuer", msg("the issuer is not on the letter (no blank, and the text does not name its sender): "
                           "enter it"))
    place = region_in(" ".join(filter(None, (letter.issuer_name, letter.issuer, letter.issuer_ru))))
    letter.region = place.name if place else None
    letter.bases = _bases(" ".join(line.text for line in body[:3]))
    letter.tasks, reply_parts = _tasks(body, warn)
    if reply_parts:
        written, items = reply_parts
        letter.reply = Reply(TaskDeadline(written, written, Deadline(written)), items, None)
    if not segment.signed:
        warn("letter", msg("the letter has no signature: check that it is the whole letter"))
    if letter.loose_number and letter.number is None:
        warn("number", msg("«%(number)s» stands alone after the signature: if it is the letter's outgoing number, "
                           "enter it", number=letter.loose_number))
    return letter


def _read_head(letter: Letter, head: list[Line], warn) -> None:
    """The blank, the number and date, the addressees: everything above the first paragraph."""
    kinds: list[str] = []
    for line in head:
        text = line.text
        if kinds and kinds[-1] == "number" and re.fullmatch(r"№\s*", head[len(kinds) - 1].text):
            kinds.append("number")  # the number under a "№" that stands alone
        elif _ADDRESS.search(text):
            kinds.append("address")
        elif "№" in text or _BLANK_FIELD.search(text) and re.search(r"\b20\s*_|ж\.", text):
            kinds.append("number")
        elif _NUMERIC_DATE.fullmatch(re.sub(r"\s*(?:ж\.?|г\.?|жыл\w*|года)\s*$", "", text)) or _TEXT_DATE_KK.fullmatch(text):
            kinds.append("date")
        elif _is_upper(text) and not _DATIVE.search(text):
            kinds.append("blank")
        else:
            kinds.append("other")
    # The addressees: the lines after the last line of the blank, its address and its number.
    last_header = max((i for i, kind in enumerate(kinds) if kind != "other"), default=-1)
    addressee_lines = [line for line in head[last_header + 1:]]
    blank_lines = [line for line, kind in zip(head, kinds, strict=True) if kind == "blank"]
    # Lines of an addressee the blank's lines were taken for (an upper-case "МЕКТЕП БАСШЫЛАРЫНА")
    # stay addressees; a dative line inside the header zone does too.
    addressee_lines = [line for line, kind in zip(head[: last_header + 1], kinds[: last_header + 1], strict=True)
                       if kind == "other" and _DATIVE.search(line.text)] + addressee_lines
    _read_blank(letter, blank_lines)
    header_text = " ".join(line.text for line, kind in zip(head, kinds, strict=True) if kind in ("number", "date"))
    number_lines = [i for i, kind in enumerate(kinds) if kind == "number"]
    _read_number_and_date(letter, head, number_lines, header_text, warn)
    _read_addressees(letter, addressee_lines, warn)


def _read_blank(letter: Letter, lines: list[Line]) -> None:
    kazakh: list[str] = []
    russian: list[str] = []
    language = "kk"
    for line in lines:
        if _KAZAKH_LETTER.search(line.text):
            language = "kk"
        elif _RUSSIAN_MARK.search(line.text):
            language = "ru"
        (kazakh if language == "kk" else russian).append(line.text)
    if russian:
        letter.issuer_ru = clean(" ".join(russian))
    if kazakh or russian:  # a blank in Russian only names its issuer in Russian
        letter.issuer = clean(" ".join(kazakh)) if kazakh else letter.issuer_ru
        letter.issuer_name = _unit(letter.issuer)


def _unit(issuer: str) -> str:
    """The body itself: the name in «quotes», else what follows the ministry above it
    ("ҚАЗАҚСТАН РЕСПУБЛИКАСЫ ІШКІ ІСТЕР МИНИСТРЛІГІ ЖАМБЫЛ ОБЛЫСЫНЫҢ ПОЛИЦИЯ ДЕПАРТАМЕНТІ")."""
    quoted = re.search(r"[«\"]([^»\"]{6,})[»\"]?", issuer)
    if quoted:
        return clean(quoted.group(1))
    words = list(_BODY_NOMINATIVE.finditer(issuer))
    if len(words) >= 2:
        return clean(issuer[words[0].end():])
    return issuer


def _read_number_and_date(letter: Letter, head: list[Line], number_lines: list[int], header_text: str, warn) -> None:
    number_text = ""
    for index in number_lines:
        text = head[index].text
        if re.fullmatch(r"№\s*", text) and index + 1 < len(head):
            text = f"№ {head[index + 1].text}"  # "№" on a line of its own, the number under it
        if "№" in text:
            number_text = text
            break
    number = _NUMBER.search(number_text) if number_text else None
    if number and number["number"] and not _BLANK_FIELD.search(number["number"]):
        letter.number = number["number"]
    elif number_text:
        warn("number", msg("the outgoing number is left blank on the letter"))
    else:
        warn("number", msg("no outgoing number (№) was found on the letter"))
    # The date: next to the number, or on the lines of the header after it.
    around = " ".join(filter(None, [number_text[number.end():] if number else "", header_text]))
    found = _first_date(around)
    if found is not None:
        day, words = found
        if day is None:
            warn("date", msg("the date «%(text)s» is not a date that exists: enter the letter's date", text=words))
        else:
            letter.date = day
    elif _BLANK_FIELD.search(header_text):
        warn("date", msg("the date is left blank on the letter"))
    else:
        warn("date", msg("the letter has no date"))


_PERSON_AT_END = re.compile(rf"\s*{_PERSON}\s*[,.]?$")


def _read_addressees(letter: Letter, lines: list[Line], warn) -> None:
    """One addressee per dative ending ("…басшыларына"), or the lines together when none ends so
    ("Облыстардың, Астана, Алматы және Шымкент қалаларының әкімдіктері"); after "көшірме:", copies.
    The name of an official written to is not kept, only the position."""
    entries: list[tuple[str, bool]] = []
    current: list[str] = []
    copy = False
    for line in lines:
        text = line.text
        found = _COPY.match(text)
        if found:
            if current:
                entries.append((" ".join(current), copy))
                current = []
            copy = True
            text = found["rest"]
            if not text:
                continue
        current.append(text)
        if _DATIVE.search(text):
            entries.append((" ".join(current), copy))
            current = []
    if current:
        entries.append((" ".join(current), copy))
    for text, is_copy in entries:
        text = clean(_PERSON_AT_END.sub("", clean(text).rstrip("!"))) or clean(text)
        (letter.copies if is_copy else letter.addressees).append(text)
    if not letter.addressees:
        warn("addressees", msg("no addressee was found above the text: enter who the letter is written to"))
    places: list[Place] = []
    for text in letter.addressees:
        found, _unknown = places_in(text)
        places += [p for p in found if p not in places]
    letter.recipients = [p.name for p in places]


def _split_closing(rest: list[Line]) -> tuple[list[Line], list[Line]]:
    """The instruction's paragraphs, and what closes the letter from "Қосымша:" (or the signatory's
    position) on."""
    signature = next((i for i in range(len(rest) - 1, -1, -1)
                      if not rest[i].bullet and _SIGNATURE_NAME.match(rest[i].text)
                      and not _CLERK.match(rest[i].text)), None)
    if signature is None:
        enclosure = next((i for i, line in enumerate(rest) if _ENCLOSURE.match(line.text)), len(rest))
        return rest[:enclosure], rest[enclosure:]
    # Keep the last signature-like line that has a position above it (the clerk's name comes after).
    while signature > 0 and _SIGNATURE_NAME.match(rest[signature - 1].text) and not _CLERK.match(rest[signature - 1].text):
        signature -= 1
    start = signature
    while start > 0 and signature - start < 4:
        above = rest[start - 1]
        text = above.text
        if above.bullet or _ENCLOSURE.match(text) or len(text) > 80 or text.endswith((".", ";", ":")) and not text.endswith("м.а."):
            break
        start -= 1
    enclosure = next((i for i, line in enumerate(rest[:start]) if _ENCLOSURE.match(line.text)), start)
    return rest[:enclosure], rest[enclosure:]


def _read_closing(letter: Letter, closing: list[Line]) -> None:
    position: list[str] = []
    signature_seen = False
    for line in closing:
        text = line.text
        enclosure = _ENCLOSURE.match(text)
        if enclosure:
            letter.enclosures = clean(enclosure["what"]).rstrip(".") or None
            continue
        if not signature_seen:
            if _SIGNATURE_NAME.match(text):
                signature_seen = True  # the signatory's name itself is not kept
            else:
                position.append(text)
            continue
        if _BARE_NUMBER.match(text):
            letter.loose_number = text
            continue
        clerk = _clerk(text)
        if clerk:
            letter.clerk = clerk if not letter.clerk else f"{letter.clerk}, {clerk}".strip(", ")
    letter.signatory = clean(" ".join(position)) or None


def _clerk(text: str) -> str | None:
    """'Орын.: Ж.Нұржан тел.: 8 7172 74 19 94' → 'Ж.Н., 8 7172 74 19 94': the initials and the office
    phone, never the clerk's name."""
    label = _CLERK.match(text)
    rest = text[label.end():] if label else text
    phone = _PHONE.search(rest) or _PHONE.search(text)
    name_part = rest[: phone.start()] if phone and phone.start() < len(rest) else rest
    name_part = clean(name_part).strip(",;. ")
    if _BARE_NUMBER.match(name_part):
        return None
    initials = ""
    if name_part and (label or re.match(rf"^{_PERSON}$", name_part)):
        letters = re.findall(rf"(?:^|[\s.])([{_UP}])", name_part)
        initials = "".join(f"{c}." for c in letters[:3])
    parts = [p for p in (initials, clean(phone["number"]) if phone else "") if p]
    return ", ".join(parts) or None


def _issuer_in_body(body: list[Line]) -> str | None:
    """The body that names itself in the first paragraph, in the nominative: "Т. Рысқұлов ауданының
    білім бөлімі келесіні хабарлайды" (a name ending in a genitive is a basis, not the sender)."""
    stop = {"сәйкес", "мақсатында", "және", "хатына", "хатын", "орындау", "негізінде", "келесіні", "осыған"}
    for line in body[:2]:
        text = line.text
        for match in _BODY_NOMINATIVE.finditer(text):
            words = text[: match.end()].split()
            phrase: list[str] = []
            for word in reversed(words):
                bare = word.strip("«»\"()")
                if phrase and (word.endswith((",", ";", ":", ")")) or bare.lower() in stop or word.startswith("№")):
                    break
                phrase.insert(0, word)
                if len(phrase) >= 8:
                    break
            while phrase and not phrase[0][:1].isupper():
                phrase.pop(0)
            if phrase:
                return clean(" ".join(phrase)).strip("«»\"")
    return None


def _bases(text: str) -> list[Citation]:
    """The documents the opening paragraphs say the letter executes, in their order."""
    citations: list[Citation] = []
    previous_end = 0
    for anchor in _BASIS_ANCHOR.finditer(text):
        span = text[previous_end: anchor.start()]
        if found := _citation(span, anchor["what"]):
            citations.append(found)
        previous_end = anchor.end()
    for anchor in _BASIS_BEFORE.finditer(text):  # "во исполнение письма … от 24.05.2024 №…"
        span = text[anchor.end(): anchor.end() + 200]
        span = re.split(r"[,;]|\s(?:и|сообщает|направляет)\s", span)[0]
        if found := _citation(span, anchor["what"], issuer_after=True):
            citations.append(found)
    return citations


def _citation(span: str, kind: str, issuer_after: bool = False) -> Citation | None:
    """The document a span of text before "…хатына сәйкес" names: its number and date (the last
    ones before the anchor) and its issuer (the words before them, in the genitive). A citation
    that names neither a number nor an issuer is no basis; an issuer that is a person's name
    ("вице-министрі Д. Қадыровтың") is not kept."""
    span = span[-400:]
    numbers = [m for m in _NUMBER.finditer(span) if m["number"]]
    number = numbers[-1] if numbers else None
    dates = [(m.start(), m) for pattern in (_NUMERIC_DATE, _TEXT_DATE_KK, _TEXT_DATE_RU) for m in pattern.finditer(span)]
    if number is not None:  # the date written next to the number
        dates = [(at, m) for at, m in dates if abs(at - number.start()) < 80] or dates
    at_date = max(dates, key=lambda item: item[0])[1] if dates else None
    starts = [m.start() for m in (number, at_date) if m is not None]
    cut = min(starts) if starts else len(span)
    issuer = None
    if issuer_after:
        issuer = clean(re.sub(r"\s+(?:от|№)\s*$", "", span[:cut])) or None
    else:
        clause = re.split(r"(?:(?<=[а-яәіңғүұқөһ]{2})\.\s|\)\s|(?<!\w)және(?!\w)|(?<!\w)и(?!\w)|;|,\s)", span[:cut])[-1]
        before = clause.split()
        # after the sender's own name in the nominative ("Жамбыл облысының әкімдігі Қазақстан …министрлігінің")
        for index in range(len(before) - 1, -1, -1):
            if _BODY_NOMINATIVE.fullmatch(before[index].strip("«»\"(),")):
                before = before[index + 1:]
                break
        words = [w for w in before if w.lower() not in ("шығыс", "кіріс", "берілген")]
        while words and not words[0][:1].isupper():
            words.pop(0)
        phrase = " ".join(words)
        if words and _GENITIVE.search(words[-1].strip("«»\",")) and not re.search(_PERSON, phrase):
            words[-1] = _GENITIVE.sub("", words[-1].strip("«»\","))
            issuer = clean(" ".join(words)).strip("«»\"") or None
    number_value = number["number"] if number else None
    if not issuer and not number_value:
        return None
    return Citation(issuer, number_value, _date_of(at_date) if at_date else None, kind.lower())


# --- the instruction ------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!])\s+(?=[А-ЯӘІҢҒҮҰҚӨҺA-Z«])", text) if s.strip()]


def _tasks(body: list[Line], warn) -> tuple[list[Task], tuple[str, list[str]] | None]:
    """The instruction's tasks in their order, and the reply (its deadline's words and items)."""
    tasks: list[Task] = []
    reply: tuple[str, list[str]] | None = None
    index = 0

    def add(task: Task) -> None:
        task.number = str(len(tasks) + 1)
        tasks.append(task)

    while index < len(body):
        line = body[index]
        text = line.text
        stage = _STAGE.match(text)
        if stage:
            label = clean(stage["name"])
            items, index = _items(body, index + 1)
            add(Task("", TaskKind.STAGE, clean(f"{label}: {stage['text'].rstrip(';.')}" if stage["text"] else label),
                     TaskDeadline(clean(stage["deadline"]), clean(stage["deadline"]), Deadline(clean(stage["deadline"]))),
                     items=items))
            continue
        if text.endswith(":"):
            items, after = _items(body, index + 1)
            projects = [_PROJECT.match(item) for item in items]
            if items and all(projects):
                for item, found in zip(items, projects, strict=True):
                    places, unknown = places_in(found["regions"])
                    for name in unknown:
                        warn("regions", msg("«%(name)s» in «%(item)s» is no region or city of republican significance",
                                            name=name, item=item[:80]))
                    add(Task("", TaskKind.PROJECT, f"«{clean(found['text'])}»", regions=[p.name for p in places]))
                index = after
                continue
            phrase = _DEADLINE_PHRASE.search(text)
            if phrase and items:
                if all(_SENDS.search(item) for item in items):
                    reply = (clean(phrase[0]), [item.rstrip(";.") for item in items])
                else:
                    for item in items:
                        add(Task("", TaskKind.INSTRUCTION, item.rstrip(";."),
                                 TaskDeadline(clean(phrase[0]), clean(phrase[0]), Deadline(clean(phrase[0])))))
                index = after
                continue
        for sentence in _sentences(text):
            if not (_INSTRUCTS.search(sentence) or _INSTRUCTS_FIRST.search(sentence)):
                continue
            phrase = _DEADLINE_PHRASE.search(sentence)
            words = clean(_CONNECTIVE.sub("", sentence)).rstrip(".:")
            words = words[:1].upper() + words[1:]
            if phrase and _SENDS.search(sentence) and reply is None:
                reply = (clean(phrase[0]), [words])
            elif phrase:
                add(Task("", TaskKind.INSTRUCTION, words, TaskDeadline(clean(phrase[0]), clean(phrase[0]),
                                                                    Deadline(clean(phrase[0])))))
            elif not sentence.rstrip().endswith(":"):
                add(Task("", TaskKind.INSTRUCTION, words))
        index += 1
    return tasks, reply


def _items(body: list[Line], index: int) -> tuple[list[str], int]:
    """The list items from `index` on ("- …;", "1) …"), and where the list ends."""
    items: list[str] = []
    while index < len(body) and (body[index].bullet or _ITEM_NUMBER.match(body[index].text)):
        items.append(_ITEM_NUMBER.sub("", body[index].text))
        index += 1
    return items, index


# --- an enclosed programme -----------------------------------------------------------------------


def _programme(lines: list[Line], letter: Letter, warnings: list[LetterWarning]) -> Programme | None:
    """The programme a letter encloses (seed 000's "БАҒДАРЛАМА"): its stages (per case), reporting
    duties, responsible bodies and target indicators, each block found by its heading."""
    texts = [line.text for line in lines]
    if not texts:
        return None
    title_at = next((i for i, t in enumerate(texts[:5]) if re.fullmatch(r"(?:БАҒДАРЛАМА|ПРОГРАММА|ЖОСПАР|ПЛАН)\S*", t,
                                                                          re.IGNORECASE)), None)
    title = clean(f"{texts[title_at]} {texts[title_at + 1]}") if title_at is not None and title_at + 1 < len(texts) \
        else texts[0]
    blocks = _blocks(lines)

    def block(*words: str) -> list[str]:
        for heading, items in blocks:  # the first such heading with items under it ("### Тиімділік …" has none)
            if items and any(word in fold(heading) for word in words):
                return items
        return []

    responsible = [item.rstrip(";.") for item in block(fold("жауаптылар"), fold("ответственные"))]
    control = [item.rstrip(";.") for item in block(fold("орындалуын бақылау"), fold("контроль за"))]
    indicators = [item.rstrip(";.") for item in block(fold("көрсеткіштер бойынша"), fold("тиімділік көрсеткіш"),
                                                       fold("показател"))]
    expected = [item.rstrip(";.") for item in block(fold("нәтижесінде"), fold("күтілетін нәтиже"), fold("ожидаемые"))]
    stages: list[Task] = []
    for heading, items in blocks:
        if "кезең" in heading.lower() or "этап" in heading.lower():
            for item in items:
                found = _STAGE.match(item)
                if found:
                    words = clean(found["deadline"])
                    # counted from each case, so read for what it says ("10 күнге дейін": 10 days), never dated
                    stages.append(Task(str(len(stages) + 1), TaskKind.STAGE, clean(found["name"]),
                                       TaskDeadline(words, words, due_dates_for(words, Period.years(2000, 2000))),
                                       per_case=True))
                elif stages:
                    stages[-1].items.append(item.rstrip(";.:"))
    reports: list[Task] = []
    for item in control:
        recurring = _RECURRING.search(item)
        if not recurring:
            continue
        words = clean(recurring[0])
        if re.search(r"жауапты\s+орындаушы|ответственных\s+исполнител", item, re.IGNORECASE) and responsible:
            for body in responsible:  # each responsible body reports for itself
                reports.append(Task("", TaskKind.REPORT, f"{item}: {body}", TaskDeadline(words, words, Deadline(words)),
                                    executors=body))
        else:
            reports.append(Task("", TaskKind.REPORT, item, TaskDeadline(words, words, Deadline(words)),
                                executors=", ".join(responsible)))
    if not reports and control:
        warnings.append(LetterWarning(letter.position, "tasks", msg(
            "the programme's control section names no reporting frequency: add the reporting duties by hand")))
    return Programme(title, stages, reports, responsible, indicators, expected, control)


def _blocks(lines: list[Line]) -> list[tuple[str, list[str]]]:
    """(heading, items) of a programme: a heading is a line that is not a list item (a numbered
    section "16. …:", "Тиімділік көрсеткіштері"); items are the list lines under it."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        is_item = line.bullet or bool(_ITEM_NUMBER.match(line.text)) and not _SECTION_NUMBER.match(line.text)
        if is_item and blocks:
            blocks[-1][1].append(_ITEM_NUMBER.sub("", line.text))
        else:
            blocks.append((line.text, []))
    return blocks


# --- the chain -----------------------------------------------------------------------------------


def _same_number(a: str | None, b: str | None) -> bool:
    return bool(a and b) and re.sub(r"[\s№]", "", a).lower() == re.sub(r"[\s№]", "", b).lower()


def _same_issuer(cited: str | None, letter: Letter) -> bool:
    if not cited:
        return False
    names = [n for n in (letter.issuer_name, letter.issuer) if n]
    return any(fuzz.token_set_ratio(norm(cited), norm(name)) >= 80 for name in names)


def _link_chain(letters: list[Letter], warnings: list[LetterWarning]) -> None:
    """Each letter executes the one below it: the citation that names the lower letter (by number,
    else by issuer) fills what the lower letter leaves blank; a citation that names another number
    is a warning."""
    for upper, lower in zip(letters, letters[1:], strict=False):
        cited = next((c for c in upper.bases if _same_number(c.number, lower.number)), None) \
            or next((c for c in upper.bases if _same_issuer(c.issuer, lower)), None) \
            or next((c for c in upper.bases if c.number and not lower.number), None)
        if cited is None:
            if upper.bases and lower.number:
                warnings.append(LetterWarning(upper.position, "basis", msg(
                    "the letter cites %(cited)s, but the letter under it is № %(number)s: check that they belong "
                    "together", cited=", ".join(f"№ {c.number}" for c in upper.bases if c.number) or "—",
                    number=lower.number)))
            continue
        # The citation is the lower letter: the first basis of the upper letter.
        upper.bases.remove(cited)
        upper.bases.insert(0, cited)
        if cited.number and not lower.number:
            lower.number = cited.number
            lower.inferred.append("number")
            _drop(warnings, lower.position, "number")
        if cited.date and not lower.date:
            lower.date = cited.date
            lower.inferred.append("date")
            _drop(warnings, lower.position, "date")
        if not cited.issuer:
            cited.issuer = lower.issuer_name or lower.issuer
        if not lower.issuer and cited.issuer:
            lower.issuer = lower.issuer_name = cited.issuer
            lower.inferred.append("issuer")
            _drop(warnings, lower.position, "issuer")
        if cited.number and lower.number and not _same_number(cited.number, lower.number):
            warnings.append(LetterWarning(upper.position, "basis", msg(
                "the letter cites № %(cited)s, but the letter under it is № %(number)s", cited=cited.number,
                number=lower.number)))
        if upper.region is None and lower.region and not lower.recipients[1:]:
            upper.region = lower.region
        if upper.region is None and lower.recipients and len(lower.recipients) > 1:
            # a region's own covering letter of a letter to all regions: the region of its issuer's chain
            place = region_in(" ".join(upper.addressees + [upper.issuer or ""]))
            upper.region = place.name if place else None
    for letter in letters:
        if letter.reply is not None and letter.reply.to is None:
            letter.reply.to = letter.issuer_name or letter.issuer
        # A regional letter's receiver is its region (the police department writes to its deputy akim)
        if letter is letters[-1] and not letter.recipients and letter.region:
            letter.recipients = [letter.region]
    inferred = {
        "number": msg("the number is taken from the letter above, which cites this one: the letter itself leaves it blank"),
        "date": msg("the date is taken from the letter above, which cites this one: the letter itself leaves it blank"),
        "issuer": msg("the issuer is taken from the letter above, which cites this one: the letter does not name it"),
    }
    for letter in letters:
        for field_name in letter.inferred:
            warnings.append(LetterWarning(letter.position, "letter", inferred[field_name]))


def _drop(warnings: list[LetterWarning], position: int, field_name: str) -> None:
    warnings[:] = [w for w in warnings if not (w.letter == position and w.field == field_name)]


# --- deadlines in the letter's year --------------------------------------------------------------


def _year_of(letter: Letter, letters: list[Letter]) -> int | None:
    """The letter's year; for a letter with no date, the year of the letter it executes (below)."""
    if letter.date:
        return letter.date.year
    for lower in letters[letter.position + 1:]:
        if lower.date:
            return lower.date.year
    return None


def read_deadline(written: str, letter_date: date | None, year: int | None = None, received: date | None = None,
                  calendar: WorkingCalendar | None = None, period_end: date | None = None) -> TaskDeadline:
    """A deadline as a letter writes it, read in the letter's year: "ағымдағы жылғы 27 мамырға дейін"
    is 27 May of the letter's year; a day with no year is the first such day on or after the letter's
    date; "2025-2026 жылдар" gives the end of each year; a recurrence runs from the letter's month to
    the end of its year (or `period_end`); "N жұмыс күні ішінде" counts from the receipt (else the
    letter's date) on the working calendar."""
    year = year or (letter_date.year if letter_date else None)
    text = clean(written)
    if year is not None:
        # "ағымдағы жылғы" → "2024 жылғы"; "текущего года" → "2024 года"
        text = _THIS_YEAR.sub(lambda found: f"{year} жылғы" if "жыл" in found[0].lower() else f"{year} года", text)
    named_years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)]
    if year is not None and not named_years and not _RECURRING.search(text):
        day_month = re.search(rf"(?<!\d)(\d{{1,2}})\s*[-‑]?\s*({_MONTH_KK}|{_MONTH_RU})", text, re.IGNORECASE)
        if day_month:
            with_year = year
            try:
                if letter_date and date(year, _month(day_month[2]), int(day_month[1])) < letter_date:
                    with_year = year + 1
            except ValueError:
                pass
            text = f"{with_year} жылғы {text}"
            named_years = [with_year]
    if year is None and not named_years:
        return TaskDeadline(written, text, Deadline(text, problem=msg(
            "the letter's year is unknown: enter the letter's date")))
    first = min([*named_years, year] if year else named_years)
    last = max([*named_years, year] if year else named_years)
    if _RECURRING.search(text) and letter_date:
        period = Period(letter_date.replace(day=1), period_end or date(last, 12, 31))
    else:
        period = Period.years(first, last)
    deadline = due_dates_for(text, period, calendar=calendar)
    counted_from = None
    if deadline.relative is not None:
        counted_from = received or letter_date
    return TaskDeadline(written, text, deadline, counted_from)


def _read_deadlines(letter: Letter, letters: list[Letter], warnings: list[LetterWarning],
                    calendar: WorkingCalendar | None) -> None:
    year = _year_of(letter, letters)
    received = letter.received.date if letter.received else None
    for task in letter.tasks:
        if task.deadline is None or task.per_case:
            continue
        task.deadline = read_deadline(task.deadline.written, letter.date, year, received, calendar)
        _deadline_warnings(letter, f"task:{task.number}", task.deadline, warnings)
    if letter.reply is not None:
        letter.reply.deadline = read_deadline(letter.reply.deadline.written, letter.date, year, received, calendar)
        _deadline_warnings(letter, "reply", letter.reply.deadline, warnings)
    root = letter is letters[-1]
    for task in letter.tasks:
        if task.deadline is None and task.kind == TaskKind.INSTRUCTION:
            warnings.append(LetterWarning(letter.position, f"task:{task.number}", msg(
                "task %(number)s gives no deadline: give it one to put it on control", number=task.number) if root
                else msg("task %(number)s gives no deadline: passed down, it keeps the due dates of the letter it "
                         "executes", number=task.number)))


def _deadline_warnings(letter: Letter, field_name: str, deadline: TaskDeadline, warnings: list[LetterWarning]) -> None:
    if deadline.deadline.problem:
        warnings.append(LetterWarning(letter.position, field_name, msg(
            "deadline «%(text)s»: %(problem)s", text=deadline.written, problem=deadline.deadline.problem)))
    elif deadline.counted_from is not None and (letter.received is None or letter.received.date is None):
        warnings.append(LetterWarning(letter.position, field_name, msg(
            "«%(text)s» counts from the letter's receipt, which is not stamped on it; counted from the letter's date "
            "%(day)s — enter the day it was received", text=deadline.written, day=deadline.counted_from.isoformat())))


def _check(letters: list[Letter], warnings: list[LetterWarning], today: date | None) -> None:
    """What a person should see before the chain goes on control."""
    for letter in letters:
        def warn(field_name: str, message: Message, position: int = letter.position) -> None:
            warnings.append(LetterWarning(position, field_name, message))

        for basis in letter.bases:
            if basis.date and letter.date and basis.date > letter.date:
                warn("basis", msg("the letter is dated %(date)s but cites a document of %(basis)s, which is later: "
                                  "one of the dates is wrong", date=letter.date.isoformat(), basis=basis.date.isoformat()))
        if letter.received and letter.received.date and letter.date and letter.received.date < letter.date:
            warn("received", msg("the letter was received on %(received)s, before its own date %(date)s",
                                 received=letter.received.date.isoformat(), date=letter.date.isoformat()))
        if letter.reply is not None and letter.reply.date is not None:
            registered = letter.received.date if letter.received and letter.received.date else letter.date
            if registered and letter.reply.date < registered:
                warn("reply", msg("the reply was due on %(due)s, already past when the letter was received on %(day)s",
                                  due=letter.reply.date.isoformat(), day=registered.isoformat())
                     if letter.received and letter.received.date else
                     msg("the reply was due on %(due)s, before the letter's own date %(day)s",
                         due=letter.reply.date.isoformat(), day=registered.isoformat()))
            elif today and letter.reply.date < today and letter.position == len(letters) - 1:
                warn("reply", msg("the reply was due on %(due)s, which is past: it will be overdue as soon as it is "
                                  "stored", due=letter.reply.date.isoformat()))
    root = letters[-1]
    programme = root.programme or next((letter.programme for letter in letters if letter.programme), None)
    if not any(task.deadline for task in root.tasks) and root.reply is None and not (programme and programme.reports):
        warnings.append(LetterWarning(root.position, "tasks", msg(
            "no task with a deadline was recognised in the instruction: add the tasks to put on control")))
    for task in root.tasks:
        if task.kind == TaskKind.PROJECT and root.recipients:
            for region in task.regions:
                if region not in root.recipients:
                    warnings.append(LetterWarning(root.position, "regions", msg(
                        "%(region)s carries project %(number)s but is not among the letter's addressees",
                        region=region, number=task.number)))


def revise(chain: Chain, today: date | None = None, calendar: WorkingCalendar | None = None) -> None:
    """After a person corrected the preview: the deadlines read again from the words now in the
    tasks, and the warnings worked out again. What the document itself shows (a field left blank on
    it, a part taken from the letter above) stays while the field is still empty."""
    still_missing = {
        "number": lambda letter: not letter.number, "date": lambda letter: not letter.date,
        "issuer": lambda letter: not letter.issuer, "addressees": lambda letter: not letter.addressees,
    }
    kept: list[LetterWarning] = []
    for warning in chain.warnings:
        letter = chain.letters[warning.letter] if warning.letter is not None and warning.letter < len(chain.letters) \
            else None
        if warning.field == "letter" or (letter is not None and warning.field in still_missing
                                         and still_missing[warning.field](letter)):
            kept.append(warning)
    for letter in chain.letters:
        for field_name, missing in still_missing.items():
            if missing(letter) and not any(w.letter == letter.position and w.field == field_name for w in kept):
                kept.append(LetterWarning(letter.position, field_name, _EMPTIED[field_name]))
    chain.warnings = kept
    for letter in chain.letters:
        for task in letter.tasks:
            if task.deadline is not None and not clean(task.deadline.written):
                task.deadline = None
        if letter.reply is not None and not clean(letter.reply.deadline.written):
            letter.reply = None
        _read_deadlines(letter, chain.letters, chain.warnings, calendar)
    _check(chain.letters, chain.warnings, today)


#: what a field left empty in the preview is told
_EMPTIED = {
    "number": msg("no outgoing number (№) was found on the letter"),
    "date": msg("the letter has no date"),
    "issuer": msg("the issuer is not on the letter (no blank, and the text does not name its sender): enter it"),
    "addressees": msg("no addressee was found above the text: enter who the letter is written to"),
}


__all__ = ["Chain", "Citation", "DocumentKind", "Letter", "LetterFormatError", "LetterWarning", "Programme", "Reply",
           "Stamp", "Task", "TaskDeadline", "TaskKind", "read_deadline", "read_letters", "read_text", "revise"]
