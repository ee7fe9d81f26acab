"""Passing a covering letter down: the received assignment is the parent, the letter's addressees
get sub-obligations (tracker.delegation), and the letter's number and date are kept with them.

A covering letter in the stack ("Тараз қаласы мен аудандардың әкімдеріне", № 03-4279) is stored
with the assignment as *proposed*: it says the issuing body handed its part down, and on control
that is a delegation. An executor of the issuing body passes it down here (the delegation rules
hold: only a body that carries the work hands it down, to the bodies below it):

- what is handed down is what the issuing body owes of the assignment in its region: the due
  dates of the region's plan whose activity it leads or co-executes, or — further down the chain —
  the sub-obligations it was handed (those the letter it executes made first, else any of the
  same assignment), each once;
- to the bodies below it that the addressees name ("…әкімдеріне" → the district akimats,
  "…білім бөлімдерінің басшыларына" → the district education departments, "Мектеп басшыларына"
  → its schools), or those the person ticks;
- each sub-obligation's instruction starts with the letter's number, date and issuer, and the
  letter keeps the ids of the sub-obligations it made: the outgoing letter stays on the
  sub-assignment.
"""

import os
import re

from flask_babel import gettext as _
from rapidfuzz import fuzz
from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.core.text import clean, fold, norm
from tracker.delegation import operations as delegation_operations
from tracker.delegation.models import Delegation, SubReport
from tracker.executors.resolve import BodyResolver
from tracker.extensions import db
from tracker.letters.models import Letter, LetterPlan, LetterRole, PassState
from tracker.letters.operations import AKIMAT, LetterError, delegation_available
from tracker.plans.models import Activity, ActivityExecutor, Obligation
from tracker.reports.status import ReportState

#: words of an addressee → words of the bodies below that it names
_ADDRESSEE_WORDS = (
    ("әкім", ("әкімдігі", "акимат")),
    ("білім бөлім", ("білім бөлімі", "отдел образования")),
    ("мектеп", ("мектеп", "школ", "гимназ", "лицей")),
    ("колледж", ("колледж",)),
    ("мекеме", ("мектеп", "колледж", "гимназ", "лицей", "балабақша", "мекеме", "школ")),
)


def proposed_targets(letter: Letter, from_body) -> list[tuple[str, str, bool]]:
    """(value, label, proposed) of every body `from_body` may hand down to; proposed: the letter's
    addressees name it."""
    targets = delegation_operations.targets_for(from_body)
    wanted: set[str] = set()
    for addressee in letter.addressees + letter.copies:
        words = fold(addressee)
        for marker, names in _ADDRESSEE_WORDS:
            if fold(marker) in words:
                wanted.update(fold(name) for name in names)
    return [(t.value, t.label, any(name in fold(t.label) for name in wanted)) for t in targets]


def pass_down(letter: Letter, user: User, target_values: list[str] | None = None) -> list[int]:
    """Hand the issuing body's part of the assignment down to the bodies the letter is written to
    (or those chosen). Returns the ids of the sub-obligations made; LetterError when there is
    nothing to hand down or nobody to hand it to."""
    if letter.role != LetterRole.DELEGATION:
        raise LetterError(_("This letter is the assignment itself: it is on control as its regions' plans."))
    if letter.state == PassState.PASSED:
        raise LetterError(_("This letter is already passed down."))
    if not delegation_available():
        raise LetterError(_("Passing a letter down needs the delegation tables: run «flask db upgrade»."))
    if user.role != AccountRole.EXECUTOR or user.body_id is None:
        raise LetterError(_("An executor of the body that signed the letter passes it down."))
    operations = delegation_operations
    from_body = user.body
    if not issued_by(letter, from_body):
        raise LetterError(_("Only an executor of the body that signed the letter (%(issuer)s) passes it down.",
                            issuer=letter.issuer or "—"))
    items = _what_the_body_owes(letter, from_body.id)
    if not items:
        raise LetterError(_("Nothing of this assignment has reached «%(body)s» yet: the letter it executes must first "
                            "be passed down to it, or the assignment name it as an executor.", body=from_body.label))
    choices = proposed_targets(letter, from_body)
    values = target_values if target_values is not None else [value for value, _label, proposed in choices if proposed]
    if not values:
        raise LetterError(_("The letter's addressees name none of the bodies below yours: choose them."))
    made: list[int] = []
    instruction = _instruction(letter)
    for obligation, parent in items:
        if (parent.due_date if parent is not None else obligation.due_date) is None:
            continue  # waits for an event: handed down once its date is known
        from_body_id = parent.body_id if parent is not None else from_body.id
        already = set(db.session.scalars(select(Delegation.body_id).where(
            Delegation.obligation_id == obligation.id, Delegation.from_body_id == from_body_id)))
        wanted = [v for v in values if not (v.startswith("b") and v[1:].isdigit() and int(v[1:]) in already)]
        if not wanted:
            continue
        try:
            handed = operations.delegate(user, obligation, parent, wanted, None, instruction, [])
        except operations.DelegationError as error:
            db.session.rollback()
            raise LetterError(str(error)) from None
        made += [d.id for d in handed]
        # a member the registry named is a body now: the next due dates go to the same bodies by id
        values = list(dict.fromkeys([f"b{d.body_id}" for d in handed] + [v for v in values if v.startswith("b")]))
    letter.delegation_ids = list(letter.delegation_ids or []) + made
    letter.state = PassState.PASSED
    db.session.commit()
    return made


#: the akim's office signs for the akimat ("Жамбыл облысы әкімінің аппараты")
_AKIMS_OFFICE = re.compile(r"әкім(?:інің|і)?\s+аппарат|аппарат\s+акима", re.IGNORECASE)


def issued_by(letter: Letter, body) -> bool:
    """Whether `body` is the one that signed the letter: the registry's body the issuer names in
    the letter's region (the akim's office for the akimat), or a body named so (a district's
    department, "Т.Рысқұлов ауданы білім бөлімі" for "Т.Рысқұлов ауданының білім бөлімі").

    Named so means every word of one name is in the other, as the same word inflected: the
    departments of a region's districts share all their words but the place's ("Шу ауданының
    білім бөлімі", "Т.Рысқұлов ауданының білім бөлімі"), so a similarity of the names alone would
    let one district's department pass down the letter another district's signed."""
    issuer = clean(letter.issuer or "")
    if not issuer or body is None or (letter.region and body.region != letter.region):
        return False
    if _AKIMS_OFFICE.search(issuer):
        return body.identity == AKIMAT
    resolved = BodyResolver([]).resolve(issuer)
    if resolved.target is not None and resolved.match != "fuzzy" and resolved.target.key == body.identity:
        return True
    return any(fuzz.token_set_ratio(norm(issuer), norm(name)) >= 85
               and (_words_within(name, issuer) or _words_within(issuer, name))
               for name in (body.name, body.name_ru) if name)


def _words(text: str) -> list[str]:
    return [word for word in norm(text).split() if len(word) > 1]  # an initial ("Т.") may be left out


def _same_word(a: str, b: str) -> bool:
    """One word, maybe inflected: Kazakh adds suffixes ("ауданы", "ауданының"; "бөлімі", "бөлімдерінің")."""
    if a == b:
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 3 and common >= min(len(a), len(b)) - 1


def _words_within(part: str, whole: str) -> bool:
    """Every word of `part` is a word of `whole` (the region's department "Білім басқармасы" in
    "Жамбыл облысы әкімдігінің білім басқармасы")."""
    words = _words(whole)
    return bool(_words(part)) and all(any(_same_word(word, other) for other in words) for word in _words(part))


def _instruction(letter: Letter) -> str:
    task = next((t["text"] for t in letter.tasks if t.get("text")), "")
    head = "Хат" + (f" {letter.label}" if letter.number or letter.date else "") + \
        (f" ({letter.issuer})" if letter.issuer else "")
    return f"{head}: {task}" if task else head


def _region_plans(letter: Letter) -> list[int]:
    root = letter
    while root.parent is not None:
        root = root.parent
    region = letter.region
    query = select(LetterPlan.plan_id).where(LetterPlan.letter_id == root.id)
    if region:
        query = query.where(LetterPlan.region == region)
    return list(db.session.scalars(query))


def _what_the_body_owes(letter: Letter, body_id: int) -> list[tuple[Obligation, object]]:
    """(obligation, the sub-obligation handed to the body or None) for everything of the assignment
    the body carries and can hand down."""

    plan_ids = _region_plans(letter)
    if not plan_ids:
        return []
    handed = list(db.session.scalars(
        select(Delegation).join(Obligation).join(Activity)
        .where(Activity.plan_id.in_(plan_ids), Delegation.body_id == body_id).order_by(Delegation.id)))
    parent_ids = set(letter.parent.delegation_ids or []) if letter.parent is not None else set()
    if parent_ids and any(d.id in parent_ids for d in handed):
        handed = [d for d in handed if d.id in parent_ids]
    accepted = set(db.session.scalars(select(SubReport.delegation_id).where(
        SubReport.delegation_id.in_([d.id for d in handed]), SubReport.state == ReportState.ACCEPTED))) if handed else set()
    items = [(d.obligation, d) for d in handed if d.id not in accepted]
    if items:
        return items
    own = db.session.scalars(
        select(Obligation).join(Activity).join(ActivityExecutor)
        .where(Activity.plan_id.in_(plan_ids), ActivityExecutor.body_id == body_id)
        .order_by(Activity.position, Obligation.due_date)).unique()
    return [(o, None) for o in own]


def delegations_of(letter: Letter) -> list:
    """The sub-obligations a passed-down letter made, with their bodies (for the letter's page)."""
    if not letter.delegation_ids or not delegation_available():
        return []
    return list(db.session.scalars(select(Delegation).where(Delegation.id.in_(letter.delegation_ids))
                                   .order_by(Delegation.id)))
