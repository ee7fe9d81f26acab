"""A plan file → ParsedPlan: title, region, period, legend, sections, activities, warnings.

The whole engine is pure Python (file in, dataclasses out) so that the CLI,
the web preview and the tests all read a plan the same way.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.core.messages import msg
from tracker.core.sizes import DEFAULT_MAX_PLAN_BYTES
from tracker.core.text import clean, looks_like_abbreviation, norm
from tracker.executors.districts import executor_group_json
from tracker.executors.resolve import BodyResolver, LegendEntry, Resolution, Target
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.funding import Funding, classify_funding
from tracker.plans.engine.headers import LEGEND_MARKER
from tracker.plans.engine.readers import read_document, size_error
from tracker.plans.engine.table import RawActivity, interpret
from tracker.schedule.deadlines import DEFAULT_FREQUENCY, Deadline, Period, due_dates_for

#: how a plan marks a body outside the akimat that takes part by agreement (police, prosecutor, ombudsman)
BY_AGREEMENT = "(келісім бойынша)"
#: the written form of an executor whose name was lost before the mark (Karaganda 50): kept for a
#: coordinator to assign, never learned as an alias (it names nobody)
UNNAMED = BY_AGREEMENT
_BY_AGREEMENT = re.compile(r"\(?\s*(келісім\w*\s+бойынша|по\s+согласованию)\s*\)?", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_REGION_KK = re.compile(r"([А-ЯӘІҢҒҮҰҚӨҺ][а-яәіңғүұқөһ]+)\s+облыс(?:ы|ының|ында|тық)\b")
_REGION_RU = re.compile(r"([А-Я][а-я]+)ск(?:ой|ая)\s+област")
_LEGEND_LINE = re.compile(r"^\s*(?P<abbr>[^–—:]{1,40}?)\s*(?:[–—]|\s-\s|-\s|\s-)\s*(?P<name>\S.*?)\s*[;,.]?\s*$")


@dataclass
class ParsedExecutor:
    written: str
    body: str | None  #: full name of the resolved body
    abbreviation: str | None
    lead: bool
    by_agreement: bool
    match: str  #: legend | registry | variant | fuzzy | unresolved
    body_key: str | None = None  #: identity of the body inside the region
    registry_key: str | None = None
    name_ru: str | None = None
    national: bool = False
    suggestion_score: float | None = None


@dataclass
class ParsedPart:
    """A sub-row of an activity: its own deliverable and deadline (Kostanay 3.4)."""

    completion_form: str
    deadline: Deadline
    funding: Funding


@dataclass
class ParsedActivity:
    number: str
    section: str | None
    text: str
    completion_form: str
    deadline: Deadline
    funding: Funding
    executors: list[ParsedExecutor]
    parts: list[ParsedPart]
    source_ref: str


@dataclass
class ParsedWarning:
    activity: str | None
    field: str
    message: str


@dataclass
class ParsedPlan:
    title: str
    region: str | None
    period: Period
    legend: list[LegendEntry]
    sections: list[tuple[str, str]]
    activities: list[ParsedActivity]
    warnings: list[ParsedWarning]
    expected_results: list[str] = field(default_factory=list)
    source_format: str = "text"
    default_frequency: str = DEFAULT_FREQUENCY

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "region": self.region,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "format": self.source_format,
            "default_frequency": self.default_frequency,
            "legend": [{"abbreviation": e.abbreviation, "name": e.name} for e in self.legend],
            "sections": [{"number": n, "title": t} for n, t in self.sections],
            "expected_results": self.expected_results,
            "activities": [_activity_json(a, self.region) for a in self.activities],
            "warnings": [{"activity": w.activity, "field": w.field, "message": w.message} for w in self.warnings],
        }


def _deadline_json(deadline: Deadline) -> dict:
    # "due" gives each date its rule, the period it covers and any move; "relative", "waits_for"
    # and "notes" appear when the deadline has them (Deadline.to_json)
    return {"text": deadline.text, "rule": deadline.rule, "due_dates": [d.isoformat() for d in deadline.due_dates],
            **deadline.to_json()}


def _funding_json(funding: Funding) -> dict:
    return {"text": funding.text, "kind": funding.kind, "amount_kzt": funding.amount_kzt}


def _activity_json(activity: ParsedActivity, region: str | None = None) -> dict:
    data = {
        "number": activity.number,
        "section": activity.section,
        "text": activity.text,
        "completion_form": activity.completion_form,
        "deadline": _deadline_json(activity.deadline),
        "funding": _funding_json(activity.funding),
        "executors": [
            {
                "written": e.written, "body": e.body, "abbreviation": e.abbreviation, "lead": e.lead,
                "by_agreement": e.by_agreement, "match": e.match, "body_ru": e.name_ru,
                # a collective executor: "group": true and the region's bodies it stands for
                **executor_group_json(e.registry_key, region),
            }
            for e in activity.executors
        ],
        "source": activity.source_ref,
    }
    if len(activity.parts) > 1:
        data["parts"] = [
            {"completion_form": p.completion_form, "deadline": _deadline_json(p.deadline), "funding": _funding_json(p.funding)}
            for p in activity.parts
        ]
    return data


# ---------------------------------------------------------------------------------------


def parse_plan_file(path: str | Path, max_bytes: int = DEFAULT_MAX_PLAN_BYTES,
                    default_frequency: str = DEFAULT_FREQUENCY,
                    learned_aliases: Callable[[str | None], dict[str, Target]] | None = None) -> ParsedPlan:
    path = Path(path)
    if not path.is_file():
        raise PlanFormatError(msg("%(path)s: no such file", path=str(path)))
    size = path.stat().st_size
    if size > max_bytes:  # refuse before reading it into memory
        raise size_error(path.name, size, max_bytes)
    return parse_plan(path.read_bytes(), path.name, max_bytes, default_frequency, learned_aliases)


def parse_plan(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_PLAN_BYTES,
               default_frequency: str = DEFAULT_FREQUENCY,
               learned_aliases: Callable[[str | None], dict[str, Target]] | None = None) -> ParsedPlan:
    """Read a plan document. `learned_aliases(region)` gives the forms coordinators have
    assigned to bodies of that region (the portal passes it; the engine knows no database)."""
    document = read_document(data, filename, max_bytes)
    table = interpret(document)
    if not table.activities:
        raise PlanFormatError(msg("%(name)s: the plan table has a header but no activities under it",
                                   name=Path(filename).name))
    warnings: list[ParsedWarning] = [ParsedWarning(a, f, m) for a, f, m in table.notes]

    title = _title(table.preamble) or Path(filename).stem
    period = _period(title, table.preamble, table.activities, warnings)
    region = _region(table.preamble + [title])
    legend = parse_legend(table.trailing)
    resolver = BodyResolver(legend, learned_aliases(region) if learned_aliases else None)
    for abbreviation in resolver.duplicate_abbreviations:
        meanings = [e.name for e in legend if norm(e.abbreviation) == norm(abbreviation)]
        warnings.append(ParsedWarning(None, "legend", msg(
            "the legend gives %(abbreviation)s %(n)s meanings: %(meanings)s. %(abbreviation)s is read as "
            "«%(first)s»; the others are matched by their full names only",
            abbreviation=abbreviation, n=len(meanings), meanings="; ".join(f"«{m}»" for m in meanings),
            first=meanings[0])))

    deadlines: dict[str, Deadline] = {}  # read once per wording: rows repeat it (and dateutil is not quick)
    activities = [
        _activity(raw, period, resolver, warnings, has_funding="funding" in table.columns,
                  default_frequency=default_frequency, deadlines=deadlines)
        for raw in table.activities
    ]
    return ParsedPlan(
        title=title,
        region=region,
        period=period,
        legend=legend,
        sections=[(s.number, s.title) for s in table.sections],
        activities=activities,
        warnings=warnings,
        expected_results=_expected_results(table.preamble),
        source_format=document.format,
        default_frequency=default_frequency,
    )


def _activity(raw: RawActivity, period: Period, resolver: BodyResolver, warnings: list[ParsedWarning],
              has_funding: bool, default_frequency: str, deadlines: dict[str, Deadline]) -> ParsedActivity:
    number = raw.number
    rows = [raw.cells] + [{**raw.cells, **{k: v for k, v in sub.items() if v}} for sub in raw.subrows]
    parts = []
    for row in rows:
        text = row.get("deadline", "")
        if text not in deadlines:
            deadlines[text] = due_dates_for(text, period, default_frequency)
        deadline = deadlines[text]
        if deadline.problem:
            warnings.append(ParsedWarning(number, "deadline", msg("%(ref)s: %(problem)s", ref=raw.ref,
                                                                  problem=deadline.problem)))
        funding = classify_funding(row.get("funding", ""))
        parts.append(ParsedPart(row.get("completion_form", ""), deadline, funding))

    if has_funding:
        for part in parts[:1]:
            if not part.funding.text:
                warnings.append(ParsedWarning(number, "funding", msg("%(ref)s: no funding given", ref=raw.ref)))
            elif part.funding.kind == "unspecified":
                warnings.append(ParsedWarning(number, "funding", msg("%(ref)s: funding «%(text)s» not understood",
                                                                     ref=raw.ref, text=part.funding.text)))
    if not clean(raw.cells.get("text")):
        warnings.append(ParsedWarning(number, "text", msg("%(ref)s: the activity has no text", ref=raw.ref)))

    written_lists = [row.get("executors", "") for row in rows]
    executors = resolve_executors(written_lists, resolver, number, raw.ref, warnings)

    all_dates = sorted({d for p in parts for d in p.deadline.due_dates})
    deadline = Deadline(
        text="\n".join(dict.fromkeys(p.deadline.text for p in parts if p.deadline.text)),
        due_dates=all_dates,
        rule=parts[0].deadline.rule if len(parts) == 1 else "parts",
        problem=parts[0].deadline.problem if len(parts) == 1 else None,
    )
    return ParsedActivity(
        number=number,
        section=raw.section,
        text=raw.cells.get("text", ""),
        completion_form="\n".join(dict.fromkeys(p.completion_form for p in parts if p.completion_form)),
        deadline=deadline,
        funding=parts[0].funding,
        executors=executors,
        parts=parts,
        source_ref=raw.ref,
    )


def split_executors(text: str) -> list[tuple[str, bool]]:
    """'ББ, ПД (келісім бойынша); ДСБ' → [('ББ', False), ('ПД', True), ('ДСБ', False)]."""
    return [item for item in map(_executor, re.split(r"[,;\n]", text or "")) if item]


def _executor(piece: str) -> tuple[str, bool] | None:
    """One written executor and whether it takes part by agreement; None for an empty piece."""
    piece = clean(piece)
    if not piece:
        return None
    by_agreement = bool(_BY_AGREEMENT.search(piece))
    return (clean(_BY_AGREEMENT.sub(" ", piece)) if by_agreement else piece, by_agreement)


#: how many comma-separated pieces one body's name may span ("Мәдениет, тілдерді дамыту және архив ісі
#: басқармасы" is two; "Управление культуры, архивов и документации" is two)
_MAX_NAME_PIECES = 4
#: no body's full name is longer; longer joins are not tried
_MAX_NAME_LENGTH = 200
#: join attempts per cell: a giant cell of junk must not resolve every window of it
_MAX_JOIN_ATTEMPTS = 200
_EXACT_MATCHES = ("legend", "variant", "alias", "registry")
#: a near miss this close counts as naming the body when the pieces it joins name nothing
#: ("мәдениет, тілдерді дамыту…" for the legend's "Облыстың мәдениет, тілдерді дамыту…")
_SURE_NEAR_MISS = 90.0


def split_executors_by_bodies(text: str, resolve: Callable[[str], Resolution]) -> list[tuple[str, bool]]:
    """Like `split_executors`, but a comma inside a body's full name is not a separator.

    "Облыстың мәдениет, тілдерді дамыту және архив ісі басқармасы, ББ": splitting at every comma
    leaves "тілдерді дамыту және архив ісі басқармасы", which resolves to nothing, while the two
    pieces joined are a body the legend (or the registry) knows: that split is wrong, so the pieces
    are joined. Only commas join (a semicolon or a line break always separates), only when a piece
    resolves to nothing or to a mere near miss and the joined text to a body exactly."""
    parts = re.split(r"([,;\n])", text or "")
    pieces = [(clean(parts[i]), parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    joined_pieces: list[str] = []
    attempts = 0
    index = 0
    while index < len(pieces):
        piece = pieces[index][0]
        end = index
        name = clean(_BY_AGREEMENT.sub(" ", piece))
        if name and not looks_like_abbreviation(name):
            for last in range(index + 1, min(index + _MAX_NAME_PIECES, len(pieces))):
                if pieces[last - 1][1] != "," or not pieces[last][0] or attempts >= _MAX_JOIN_ATTEMPTS:
                    break
                if looks_like_abbreviation(clean(_BY_AGREEMENT.sub(" ", pieces[last][0]))):
                    break  # "ББ, ДСБ" are two bodies, whatever "ББ ДСБ" would resolve to as a compound
                candidate = ", ".join(p for p, _ in pieces[index:last + 1])
                if len(candidate) > _MAX_NAME_LENGTH:
                    break
                # Only a split that leaves a piece naming nothing, or a mere near miss, can be wrong:
                # the pieces are resolved anyway, the joined text only then (a near miss costs a search).
                fragments = [resolve(clean(_BY_AGREEMENT.sub(" ", p))).match for p, _ in pieces[index:last + 1]]
                if not any(match in ("unresolved", "fuzzy") for match in fragments):
                    continue
                attempts += 1
                joined = resolve(clean(_BY_AGREEMENT.sub(" ", candidate)))
                exact = joined.match in _EXACT_MATCHES
                if exact or ("unresolved" in fragments and joined.match == "fuzzy"
                             and (joined.score or 0) >= _SURE_NEAR_MISS):
                    end = last
        joined_pieces.append(", ".join(p for p, _ in pieces[index:end + 1]))
        index = end + 1
    return [item for item in map(_executor, joined_pieces) if item]


def resolve_executors(written_lists: list[str], resolver: BodyResolver, number: str, ref: str,
                      warnings: list[ParsedWarning]) -> list[ParsedExecutor]:
    """The executors of one activity, the first the lead; problems become warnings."""
    result: list[ParsedExecutor] = []
    seen: set[str] = set()
    seen_written: set[str] = set()
    resolved: dict[str, Resolution] = {}

    def resolve(written: str) -> Resolution:
        if written not in resolved:
            resolved[written] = resolver.resolve(written)
        return resolved[written]

    for text in dict.fromkeys(written_lists):  # sub-rows repeat their activity's executors
        for written, by_agreement in split_executors_by_bodies(text, resolve):
            if written in seen_written:
                continue  # the same words again resolve the same way (one name 20,000 times took seconds)
            seen_written.add(written)
            if not written:
                # Karaganda 50: "(келісім бойынша), ББ" — the body's name was lost.
                warnings.append(ParsedWarning(number, "executors", msg(
                    "%(ref)s: an executor is missing before «(келісім бойынша)»; "
                    "it is kept as an unnamed body by agreement for the coordinator to assign", ref=ref)))
                written = UNNAMED
                resolution = Resolution(None, "unresolved")
            else:
                resolution = resolve(written)
            identity = resolution.target.key if resolution.target else "written:" + norm(written)
            if identity in seen:
                continue  # 3.13 names ДСБ and ҮЕҰ twice; 2.11 names ПД and ДП (the same body)
            seen.add(identity)
            target = resolution.target
            if resolution.match == "unresolved" and written != UNNAMED:
                warnings.append(ParsedWarning(number, "executors", msg(
                    "%(ref)s: executor «%(written)s» is in neither the plan's legend nor the registry of bodies",
                    ref=ref, written=written)))
            elif resolution.match == "fuzzy":
                warnings.append(ParsedWarning(number, "executors", msg(
                    "%(ref)s: executor «%(written)s» read as «%(short)s» (%(name)s) — a near miss "
                    "(similarity %(score).0f%%), please confirm", ref=ref, written=written,
                    short=target.abbreviation or target.name, name=target.name, score=resolution.score)))
            result.append(ParsedExecutor(
                written=written,
                body=target.name if target else None,
                abbreviation=target.abbreviation if target else None,
                lead=not result,
                by_agreement=by_agreement,
                match=resolution.match,
                body_key=target.key if target else None,
                registry_key=target.registry_key if target else None,
                name_ru=target.name_ru if target else None,
                national=target.national if target else False,
                suggestion_score=resolution.score,
            ))
    if not result:
        warnings.append(ParsedWarning(number, "executors", msg("%(ref)s: no responsible executor given", ref=ref)))
    return result


# --- the text around the table --------------------------------------------------------


def parse_legend(lines: list[str]) -> list[LegendEntry]:
    """'ББ – Білім басқармасы;' lines after 'Аббревиатураларды таратып жазу:' (or anywhere
    after the table when there is no such heading)."""
    start = next((i + 1 for i, line in enumerate(lines) if LEGEND_MARKER.search(line)), 0)
    entries = []
    for line in lines[start:]:
        match = _LEGEND_LINE.match(clean(line))
        if match and looks_like_abbreviation(match["abbr"]) and len(match["name"]) > 2:
            entries.append(LegendEntry(clean(match["abbr"]), clean(match["name"])))
    return entries


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines:
        if clean(line):
            current.append(clean(line))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _title(preamble: list[str]) -> str | None:
    paragraphs = _paragraphs(preamble)
    for index, paragraph in enumerate(paragraphs):
        if _YEAR_RANGE.search(paragraph) and len(paragraph) > 30:
            title = paragraph
            following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
            # "… жөніндегі" + "ЖОЛ КАРТАСЫ": the document kind in capitals closes the title.
            if following and following.isupper() and len(following.split()) <= 5:
                title = f"{title} {following}"
            return title
    words = re.compile(r"жоспар|план|карта|бағдарлама|программа", re.IGNORECASE)
    candidates = [p for p in paragraphs if words.search(p) and len(p) > 30]
    return max(candidates, key=len) if candidates else None


def _period(title: str, preamble: list[str], activities: list[RawActivity],
            warnings: list[ParsedWarning]) -> Period:
    for text in [title, *preamble]:
        match = _YEAR_RANGE.search(text)
        if match:
            first, last = int(match[1]), int(match[2])
            if first > last:  # "2025-2023": a slip of the pen, not a period that ends before it starts
                warnings.append(ParsedWarning(None, "period", msg(
                    "the years %(first)s–%(last)s are written backwards; the period is read as %(last)s–%(first)s",
                    first=first, last=last)))
                first, last = last, first
            return Period.years(first, last)
    single = _YEAR.search(title)
    if single:
        return Period.years(int(single[1]), int(single[1]))
    years = sorted({int(y) for a in activities for y in _YEAR.findall(a.cells.get("deadline", ""))})
    if years:
        warnings.append(ParsedWarning(None, "period", msg(
            "the title names no years; the period %(start)s–%(end)s is taken from the deadlines",
            start=years[0], end=years[-1])))
        return Period.years(years[0], years[-1])
    this_year = date.today().year
    warnings.append(ParsedWarning(None, "period", msg(
        "neither the title nor the deadlines name a year; the period is set to %(year)s — please correct it",
        year=this_year)))
    return Period.years(this_year, this_year)


def _region(lines: list[str]) -> str | None:
    for line in lines:
        match = _REGION_KK.search(line)
        if match:
            return f"{match[1]} облысы"
        match = _REGION_RU.search(line)
        if match:
            return f"{match[1]}ская область"
    return None


def _expected_results(preamble: list[str]) -> list[str]:
    start = next((i + 1 for i, line in enumerate(preamble)
                  if re.search(r"Күтілетін нәтижелер|Ожидаемые результаты", line)), None)
    if start is None:
        return []
    results = []
    for line in preamble[start:]:
        text = clean(line)
        if re.match(r"^[-•–]\s*|^\d+\)", text):
            results.append(re.sub(r"^[-•–]\s*", "", text))
        elif text and results:
            break
    return results
