"""Indicators proposed from a plan's own words: the expected results ("Күтілетін нәтижелер",
"Тиімділік көрсеткіштері", "Ожидаемые результаты") and the quantities in completion forms
("білім беру ұйымдарының 200 қызметкері").

The engine of the indicators feature: sentences in, dataclasses out, no Flask and no database
(pyproject.toml's forbidden contract holds it so). Nothing read here is stored by itself: the
portal shows every proposal for a person to confirm or correct.

How a sentence is read (Kazakh and Russian; letters are folded, tracker.core.text.fold, so
Қ/К, Ұ/У… compare equal):

- **direction** — "болмауы", "отсутствие" → keep at zero; a level ("100 %-ға дейін", "кемінде
  90 %-ын", "100 % қамту", "до 100 %", "не менее 90 %") → reach it; "төмендету", "азаюы",
  "снижение" → down; "арттыру", "ұлғайту", "повышение" → up. A sentence with none is no indicator.
- **figures** — "2023 жылы – 92 факты", "2024 жыл-5 факты", "в 2023 году – 92": year and value.
  A scope word ("Қарағанды облысында", "по области", "ауданда", "по республике") switches the
  scope of the figures after it. Figures before the first regional or district word are the
  country's (the plans quote the national plan's figures, then the region's); in a sentence that
  names no scope, they are the plan's own (its region, or the country for a national plan).
  A year repeating inside one scope starts a second series ("…, әрекет жасау: 2023 жылы – 293"):
  one sentence, two indicators.
- **relative targets** — "жыл сайын 5 %-ға" (per year), "кемінде 20 %-ға төмендеуі" (at
  least), "азаюы" without a figure (fewer): kept as `Relative`, turned into numbers once a
  baseline is entered (tracker.indicators.values.relative_target).
- **baseline** — "базалық мән – 40 (2025)", "2022 жылмен салыстырғанда", "по сравнению с 2022".
- **unit** — "%" → percent; "факт", offences, suicides, cases → facts; staff, pupils, people →
  people; organisations, schools → organisations; anything else → units.
- **activities** — a «quoted» name that an activity's text also carries links the two
  (6) «Жеке қауіпсіздік» → activity 12), and that activity's lead is proposed as the body.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from tracker.core.messages import Message, msg
from tracker.core.text import clean, fold
from tracker.indicators.periods import Frequency, period_keys
from tracker.indicators.values import Direction, Relative, Unit, number_of, plain


class Scope(StrEnum):
    """Whose figure a target or an actual is: the country's, the region's, a district's, or one
    activity's (the quantity its completion form names)."""

    COUNTRY = "country"
    REGION = "region"
    DISTRICT = "district"
    ACTIVITY = "activity"


@dataclass
class Baseline:
    year: int | None
    value: float | None

    def to_json(self) -> dict:
        return {"year": self.year, "value": plain(self.value)}


@dataclass
class ProposedTarget:
    period: str
    scope: str
    value: float

    def to_json(self) -> dict:
        return {"period": self.period, "scope": self.scope, "value": plain(self.value)}


@dataclass
class Proposal:
    """An indicator as the plan states it, for a person to confirm or correct."""

    key: str  #: where it was read: "result:1", "result:3.2" (the second series of result 3), "activity:3"
    text: str  #: the sentence or completion form, as written
    name: str
    unit: str  #: a Unit
    direction: str  #: a Direction
    scope: str  #: the scope its responsible body reports (a Scope)
    frequency: str = Frequency.ANNUAL
    baseline: Baseline | None = None
    targets: list[ProposedTarget] = field(default_factory=list)
    relative: Relative | None = None
    activity: str | None = None  #: the activity whose completion form gave the quantity
    activities: list[str] = field(default_factory=list)  #: activities it belongs to
    body: str | None = None  #: the body the plan suggests (the lead of its activity), as written
    notes: list[Message] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "key": self.key, "text": self.text, "name": self.name, "unit": self.unit, "direction": self.direction,
            "scope": self.scope, "frequency": self.frequency,
            "baseline": self.baseline.to_json() if self.baseline else None,
            "targets": [t.to_json() for t in self.targets],
            "relative": self.relative.to_json() if self.relative else None,
            "activity": self.activity, "activities": self.activities, "body": self.body,
            "notes": [str(n) for n in self.notes],
        }


@dataclass(frozen=True)
class ActivityText:
    """What the reader needs of an activity (parsed or stored)."""

    number: str
    text: str
    completion_form: str
    years: tuple[int, ...] = ()  #: the years of its due dates
    lead: str | None = None  #: its lead executor's name


# --- the words ---------------------------------------------------------------------------------
# Patterns are written folded (tracker.core.text.fold: lower case, Қ→к, Ұ→у, Ә→а, І→и, Ө→о…).

_ZERO = re.compile(r"болмау|болдырмау|жол бермеу|отсутств|недопущ|не допуск|нолге|нулев")
_DOWN = re.compile(r"томенд|азаю|азай|кыскар|сниж|сокращ|уменьш")
_UP = re.compile(r"арттыр|артуы|улгай|кобей|осуи|повыш|увелич|\bрост")
_REACH = re.compile(r"камту|тарту|охват|достиж|довести")
_PCT = r"(\d+(?:[.,]\d+)?)\s*%"
#: a level to reach: "100 %-ға дейін", "90%-ын", "100 % қамту", "до 100 %", "не менее 90 %"
_LEVELS = (
    re.compile(_PCT + r"\s*-?\s*(?:га|ке|ге|ка)\s+дейин"),
    re.compile(_PCT + r"\s*-?\s*(?:ын|ин)\b"),
    re.compile(_PCT + r"\s+(?:камт|тарт|охват)"),
    re.compile(r"\bдо\s+" + _PCT),
    re.compile(r"не менее\s+" + _PCT),
    re.compile(r"охват\w*\s+(?:\w+\s+){0,3}?" + _PCT),
)
_PER_YEAR = re.compile(r"(?:жыл сайын|ежегодно)\s+(?:на\s+)?" + _PCT)
#: a change: "20%-ға" (not followed by "дейін"), "на 20 %"
_CHANGE = (
    re.compile(_PCT + r"\s*-?\s*(?:га|ке|ге|ка)\b(?!\s+дейин)"),
    re.compile(r"\bна\s+" + _PCT),
)
_AT_LEAST = re.compile(r"кеминде|не менее|не ниже|как минимум")
_BASELINE_VALUE = re.compile(r"(?:базалык|базов\w*|исходн\w*)\s*(?:ман\w*|денгей\w*|значени\w*|уровень)?\s*"
                             r"[–—:-]?\s*(\d[\d  ]*(?:[.,]\d+)?)\s*(?:\w+\s*)?(?:\(\s*((?:19|20)\d{2})[^)]*\))?")
_BASELINE_YEAR = re.compile(r"((?:19|20)\d{2})\s*жыл(?:га|мен)\s*(?:денгей\w*\s*)?(?:салыстырганда|караганда)"
                            r"|(?:по сравнению с|от уровня|относительно)\s*((?:19|20)\d{2})")
_UNIT_WORDS = (
    (Unit.FACTS, re.compile(r"факт|кылмыс|кукык бузушылык|правонаруш|преступ|суицид|арекет|жагдай|случа|попыт")),
    (Unit.PEOPLE, re.compile(r"адам|кызметкер|педагог|окушы|бала|жасоспирим|катысушы|студент|маман|человек|"
                             r"сотрудник|работник|учащ|специалист|подрост|детей|дети")),
    (Unit.ORGANISATIONS, re.compile(r"уйым|мектеп|колледж|организац|учрежден|школ")),
)

# Figures and scope words are found in the text as written (NFC, lower case; `fold` keeps every
# position, so a match in one is a match in the other).
_FIGURE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*(?:жылы|жылғы|жыл|ж\.?|году|года|год|г\.?)?\s*[–—−-]\s*"
    r"(?P<value>\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d.,]\d)(?P<after>\s*(?:%|\w+)?)")
_SCOPE_WORDS = (
    (Scope.DISTRICT, re.compile(r"аудан\w*|район\w*")),
    (Scope.REGION, re.compile(r"облыс\w*|област\w*|өңір\w*|регион\w*")),
    (Scope.COUNTRY, re.compile(r"республик\w*|қазақстан(?:да|\s+бойынша)?\b|казахстан\w*|\bел\s+бойынша|\bелде\b|"
                               r"по\s+стране|\bрк\b|\bқр\b")),
)
_LABEL = re.compile(r"([^\W\d_][\w\s-]{1,40}?)\s*:\s*$")
_QUOTED = re.compile(r"«([^»]{4,80})»|\"([^\"]{4,80})\"")
_NUMBERED = re.compile(r"^\s*(?:[-•–]\s*)?(?:(\d{1,3})\s*[).]\s*)?")


def _nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


# --- expected results ----------------------------------------------------------------------------


def read_results(lines: Iterable[str], *, years: list[int], plan_scope: str,
                 frequency: str = Frequency.ANNUAL, activities: Iterable[ActivityText] = (),
                 key_prefix: str = "result") -> list[Proposal]:
    """The indicators a list of expected-result sentences states, in their order. A sentence
    that states no direction (no indicator) gives none."""
    activities = list(activities)
    proposals: list[Proposal] = []
    for index, raw in enumerate(lines, start=1):
        line = clean(unicodedata.normalize("NFC", raw or ""))
        numbered = _NUMBERED.match(line)
        number = numbered.group(1) if numbered and numbered.group(1) else str(index)
        body = line[numbered.end():] if numbered else line
        proposals.extend(_read_sentence(body, f"{key_prefix}:{number}", years, plan_scope, frequency, activities))
    return proposals


def _read_sentence(text: str, key: str, years: list[int], plan_scope: str, frequency: str,
                   activities: list[ActivityText]) -> list[Proposal]:
    folded = fold(text)
    lower = _nfc_lower(text)
    level = next((m for pattern in _LEVELS if (m := pattern.search(folded))), None)
    if _ZERO.search(folded):
        direction = Direction.ZERO
    elif level is not None:
        direction = Direction.REACH
    elif _DOWN.search(folded):
        direction = Direction.DOWN
    elif _UP.search(folded):
        direction = Direction.UP
    elif _REACH.search(folded):
        direction = Direction.REACH
    else:
        return []
    notes: list[Message] = []
    series, figure_units, first_figure = _figures(text, lower, years, plan_scope, notes)
    relative = _relative(folded, direction, level)
    unit = _unit(folded, figure_units, level)
    linked = _linked_activities(text, activities)
    body = next((a.lead for a in activities if a.number in linked and a.lead), None)
    name = _name(text, first_figure)
    baseline = _baseline(folded)

    if not series:
        # No yearly figures: the target is the level, zero, or follows from the baseline.
        targets = []
        if direction == Direction.ZERO:
            targets = [ProposedTarget(p, plan_scope, 0.0) for p in period_keys(years, frequency)]
        elif level is not None:
            value = number_of(level.group(1))
            targets = [ProposedTarget(p, plan_scope, value) for p in period_keys(years, frequency)]
        elif relative is not None:
            notes.append(msg("the targets are relative: they become numbers once a baseline is entered"))
        else:
            notes.append(msg("no figure is stated: enter the targets"))
        return [Proposal(key, text, name, unit, direction, plan_scope, frequency, baseline, targets, relative,
                         activities=linked, body=body, notes=notes)]

    proposals = []
    for position, (label, targets) in enumerate(series):
        scopes = {t.scope for t in targets}
        scope = plan_scope if plan_scope in scopes else next(iter(sorted(scopes)))
        proposals.append(Proposal(
            key if position == 0 else f"{key}.{position + 1}", text,
            f"{name} — {label}" if label else name, unit, direction, scope, Frequency.ANNUAL, baseline, targets,
            relative, activities=linked, body=body, notes=list(notes)))
    return proposals


def _figures(text: str, lower: str, years: list[int], plan_scope: str,
             notes: list[Message]) -> tuple[list[tuple[str | None, list[ProposedTarget]]], set[str], int | None]:
    """The yearly figures of a sentence as series of targets (a label each, None for the first),
    the units written beside the figures, and where the first figure starts."""
    figures = [m for m in _FIGURE.finditer(text) if not _is_year_span(m)]
    if not figures:
        return [], set(), None
    markers = sorted((m.start(), scope) for scope, pattern in _SCOPE_WORDS for m in pattern.finditer(lower))
    first_at = figures[0].start()
    later = [scope for at, scope in markers if at > first_at]
    before = [scope for at, scope in markers if at < first_at]
    if before:
        default = before[-1]
    elif later and later[0] in (Scope.REGION, Scope.DISTRICT):
        default = Scope.COUNTRY
    else:
        default = plan_scope
        if plan_scope != Scope.COUNTRY:
            notes.append(msg("the sentence names no scope; its figures are read as the region's — correct it if "
                             "they are the country's"))
    # series[i] collects the i-th series of every scope: the n-th series of the region continues
    # the n-th of the country (3: suicides, then attempts)
    series: list[tuple[str | None, list[ProposedTarget]]] = []
    units: set[str] = set()
    scope, position, seen, previous_end = default, 0, set(), 0
    outside: set[int] = set()
    for figure in figures:
        switched = [s for at, s in markers if previous_end <= at < figure.start()]
        if switched and switched[-1] != scope:
            scope, position, seen = switched[-1], 0, set()
        year = int(figure["year"])
        label = None
        if year in seen:  # the same year again in one scope: the next series begins
            position += 1
            seen = set()
            found = _LABEL.search(text[previous_end:figure.start()])
            label = clean(found.group(1)) if found else None
        seen.add(year)
        previous_end = figure.end()
        after = fold(figure["after"].strip())
        if after.startswith("%"):
            units.add(Unit.PERCENT)
        elif after.startswith("факт"):
            units.add(Unit.FACTS)
        if years and year not in years:
            outside.add(year)
            continue
        while len(series) <= position:
            series.append((None, []))
        if label and not series[position][0]:
            series[position] = (label, series[position][1])
        series[position][1].append(ProposedTarget(str(year), scope, number_of(figure["value"])))
    for year in sorted(outside):
        notes.append(msg("%(year)s is outside the plan's period; its figure is left out", year=year))
    return [s for s in series if s[1]], units, first_at


def _is_year_span(figure: re.Match) -> bool:
    """"2023 – 2025 жылдарға" is a span of years, not a figure."""
    value = figure["value"]
    return (len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2100
            and fold(figure["after"].strip()).startswith(("жыл", "ж", "год", "г")))


def _relative(folded: str, direction: str, level: re.Match | None) -> Relative | None:
    if direction in (Direction.ZERO,) or level is not None:
        return None
    at_least = bool(_AT_LEAST.search(folded))
    per_year = _PER_YEAR.search(folded)
    if per_year:
        return Relative(number_of(per_year.group(1)), per_year=True, at_least=at_least)
    change = next((m for pattern in _CHANGE if (m := pattern.search(folded))), None)
    if change:
        return Relative(number_of(change.group(1)), per_year=False, at_least=at_least)
    if direction == Direction.DOWN:
        return Relative(None)  # "азаюы": fewer than at the start
    return None


def _unit(folded: str, figure_units: set[str], level: re.Match | None) -> str:
    if Unit.PERCENT in figure_units or level is not None:
        return Unit.PERCENT
    if Unit.FACTS in figure_units:
        return Unit.FACTS
    return next((unit for unit, pattern in _UNIT_WORDS if pattern.search(folded)), Unit.UNITS)


def _baseline(folded: str) -> Baseline | None:
    found = _BASELINE_VALUE.search(folded)
    if found:
        return Baseline(int(found.group(2)) if found.group(2) else None, number_of(found.group(1)))
    found = _BASELINE_YEAR.search(folded)
    if found:
        return Baseline(int(found.group(1) or found.group(2)), None)
    return None


def _name(text: str, first_figure: int | None) -> str:
    """The sentence without its figures: up to the parenthesis (or the word) where they begin."""
    name = text
    if first_figure is not None:
        opening = text.rfind("(", 0, first_figure)
        cut = opening if opening != -1 and ")" not in text[opening:first_figure] else first_figure
        name = text[:cut]
    name = clean(name).rstrip(" ;.,:–—-")
    return name if len(name) >= 3 else clean(text).rstrip(" ;.,")


def _linked_activities(text: str, activities: list[ActivityText]) -> list[str]:
    """Activities whose text carries a «quoted» name the sentence quotes."""
    quoted = [fold(a or b) for a, b in _QUOTED.findall(text)]
    if not quoted:
        return []
    return [a.number for a in activities if any(q in fold(a.text) for q in quoted)]


# --- quantities in completion forms -------------------------------------------------------------

_QUANTITY = re.compile(r"(?<![\d№./-])(\d{1,3}(?:[  ]\d{3})+|\d+)(?![\d./-])\s*(%|[^\W\d_][\w-]*)?")
#: words of time, not of things: "жылына 1 рет", "5 жұмыс күні"
_NOT_THINGS = re.compile(r"^(?:рет|раз|жыл|год|г|ж|ай|меся|кун|ден|дн|сагат|час|токсан|квартал|апта|недел|жумыс|"
                         r"рабоч|минут|мин)")
_THING_UNITS = (
    (Unit.PEOPLE, re.compile(r"^(?:кызметкер|педагог|адам|окушы|бала|маман|студент|ата-ана|сотрудник|работник|"
                             r"человек|специалист|учащ|родител|инспектор|психолог)")),
    (Unit.ORGANISATIONS, re.compile(r"^(?:уйым|мектеп|колледж|организац|учрежден|школ)")),
)


def read_completion_forms(activities: Iterable[ActivityText], *, years: list[int]) -> list[Proposal]:
    """An activity whose completion form names a quantity ("200 қызметкері", "5 ролик",
    "100 %") gets a target of its own: scope "activity", that quantity for each year it is due."""
    proposals = []
    for activity in activities:
        form = clean(unicodedata.normalize("NFC", activity.completion_form or ""))
        quantity = _quantity(form)
        if quantity is None:
            continue
        value, unit = quantity
        due_years = [y for y in activity.years if not years or y in years] or list(years)
        proposals.append(Proposal(
            key=f"activity:{activity.number}", text=form, name=form, unit=unit, direction=Direction.REACH,
            scope=Scope.ACTIVITY, frequency=Frequency.ANNUAL,
            targets=[ProposedTarget(str(y), Scope.ACTIVITY, value) for y in due_years],
            activity=activity.number, activities=[activity.number], body=activity.lead,
            notes=[msg("the quantity is read as the target for each year the activity is due")]))
    return proposals


def _quantity(form: str) -> tuple[float, str] | None:
    for found in _QUANTITY.finditer(form):
        value = number_of(found.group(1))
        word = fold(found.group(2) or "")
        if value is None or value == 0 or (1900 <= value <= 2100 and found.group(1).isdigit()):
            continue  # a year ("2019-2021 жылдарға" never gets here: the dash is refused)
        if form[:found.start()].rstrip().endswith(("№", "N", "#")):
            continue  # a document's number: "№ 294 бұйрығы"
        if word == "%":
            return value, Unit.PERCENT
        if not word or _NOT_THINGS.match(word):
            continue
        return value, next((unit for unit, pattern in _THING_UNITS if pattern.match(word)), Unit.UNITS)
    return None


# --- a whole plan ----------------------------------------------------------------------------------


def reporting_frequency(lines: Iterable[str]) -> str | None:
    """How often a programme analyses its results, where its text says: "тоқсан сайын
    тиімділікті талдау" → quarterly. A line about analysis or effectiveness wins over one about
    reports ("жауапты орындаушылардың ай сайынғы есептері")."""
    found = []
    for line in lines:
        folded = fold(line or "")
        if re.search(r"токсан сайын|ежекварт|тоқсанына|квартал", folded):
            frequency = Frequency.QUARTERLY
        elif re.search(r"ай сайын|ежемесяч", folded):
            frequency = Frequency.MONTHLY
        elif re.search(r"жыл сайын|ежегодн|жылына", folded):
            frequency = Frequency.ANNUAL
        else:
            continue
        analysis = bool(re.search(r"тиимдил|талда|анализ|эффективн|монитор", folded))
        found.append((not analysis, frequency))
    return min(found)[1] if found else None


def plan_scope_of(region: str | None) -> str:
    return Scope.REGION if region else Scope.COUNTRY


def propose(parsed) -> list[Proposal]:
    """The proposals of a parsed plan (tracker.plans.engine.ParsedPlan): its expected results,
    then the quantities in its completion forms."""
    years = parsed.period.year_list
    activities = [ActivityText(
        a.number, a.text, a.completion_form, tuple(sorted({d.year for d in a.deadline.due_dates})),
        lead=(a.executors[0].body or a.executors[0].written) if a.executors else None) for a in parsed.activities]
    return (read_results(parsed.expected_results, years=years, plan_scope=plan_scope_of(parsed.region),
                         activities=activities)
            + read_completion_forms(activities, years=years))


def indicators_json(parsed) -> list[dict]:
    """`plans parse --json`'s "indicators": what the import will propose, as JSON."""
    return [p.to_json() for p in propose(parsed)]


def parsed_plan_extras(_sender=None, parsed=None, **_kwargs) -> dict:
    """A receiver for a "plan parsed" signal of tracker.plans (`plans parse --json` adds what
    each receiver returns): tracker.plans sits below this package, so it asks, not imports."""
    return {"indicators": indicators_json(parsed)}
