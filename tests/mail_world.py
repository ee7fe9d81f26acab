"""A small world for the reminder tests: one plan, three bodies, one account of each kind.

- activity 1: lead A, co-executor B; due D
- activity 2: lead C taking part by agreement, co-executor A; due D
- activity 3: lead A alone; a report sent before the replay and returned on a chosen day
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from tracker.auth.models import AccountRole, User
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.mail.models import DigestChoice, MailPreference
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.status import ReportState

REGION = "Тест облысы"


@dataclass
class World:
    plan: Plan
    bodies: dict[str, Body]
    accounts: dict[str, User]
    o1: Obligation
    o2: Obligation
    o3: Obligation


def body(key: str, name: str, abbreviation: str, name_ru: str | None = None) -> Body:
    item = Body(name=name, name_ru=name_ru, abbreviation=abbreviation, region=REGION, identity=f"test:{key}")
    db.session.add(item)
    return item


def account(email: str, role: str, body: Body | None = None, language: str | None = "kk", choice: str | None = None,
            is_head: bool = False, active: bool = True) -> User:
    user = User(email=email, name="", role=role, body=body, language=language, is_head=is_head, active=active)
    user.set_password("not-used-here-1")
    db.session.add(user)
    db.session.flush()
    if choice:
        db.session.add(MailPreference(account_id=user.id, digest=choice))
    return user


def activity(plan: Plan, number: str, text: str, executors: list[tuple[Body, str, bool]], due: date) -> Obligation:
    item = Activity(plan=plan, number=number, position=int(number), text=text, deadline_text="")
    db.session.add(item)
    for position, (who, role, agreement) in enumerate(executors):
        db.session.add(ActivityExecutor(activity=item, body=who, written=who.abbreviation, position=position,
                                        role=role, by_agreement=agreement, match="registry"))
    obligation = Obligation(activity=item, due_date=due, original_due_date=due)
    db.session.add(obligation)
    return obligation


def build(due: date, due3: date, text1: str = "Мектептерде профилактикалық іс-шаралар өткізу") -> World:
    bodies = {"A": body("a", "Білім басқармасы", "ББ", "Управление образования"),
              "B": body("b", "Денсаулық сақтау басқармасы", "ДСБ", "Управление здравоохранения"),
              "C": body("c", "Полиция департаменті", "ПД", "Департамент полиции")}
    plan = Plan(title="Балаларды қорғау жоспары", region=REGION, period_start=date(due.year, 1, 1),
                period_end=date(due.year, 12, 31), natural_key=f"test-plan-{due.isoformat()}", escalation_working_days=10)
    db.session.add(plan)
    o1 = activity(plan, "1", text1, [(bodies["A"], ExecutorRole.LEAD, False), (bodies["B"], ExecutorRole.CO_EXECUTOR, False)], due)
    o2 = activity(plan, "2", "Рейдтер ұйымдастыру", [(bodies["C"], ExecutorRole.LEAD, True),
                                                     (bodies["A"], ExecutorRole.CO_EXECUTOR, False)], due)
    o3 = activity(plan, "3", "Ата-аналармен жиналыс", [(bodies["A"], ExecutorRole.LEAD, False)], due3)
    accounts = {
        "a_daily": account("a.daily@test.example", AccountRole.EXECUTOR, bodies["A"]),
        "a_head": account("a.head@test.example", AccountRole.EXECUTOR, bodies["A"], language="ru", is_head=True),
        "a_weekly": account("a.weekly@test.example", AccountRole.EXECUTOR, bodies["A"], choice=DigestChoice.WEEKLY),
        "a_returned": account("a.returned@test.example", AccountRole.EXECUTOR, bodies["A"],
                              choice=DigestChoice.RETURNED_ONLY),
        "a_disabled": account("a.disabled@test.example", AccountRole.EXECUTOR, bodies["A"], active=False),
        "b_daily": account("b.daily@test.example", AccountRole.EXECUTOR, bodies["B"], language="en"),
        "c_daily": account("c.daily@test.example", AccountRole.EXECUTOR, bodies["C"]),
        "coordinator": account("coordinator@test.example", AccountRole.COORDINATOR),
        "auditor": account("auditor@test.example", AccountRole.AUDITOR),
        "admin": account("admin@test.example", AccountRole.ADMIN),
    }
    db.session.commit()
    return World(plan, bodies, accounts, o1, o2, o3)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(6), tzinfo=UTC)


def returned_report(world: World, obligation: Obligation, sent: date, returned: date, comment: str) -> CompletionReport:
    report = CompletionReport(obligation=obligation, body=world.bodies["A"], kind=ReportKind.LEAD, version=1,
                              text="Жасалды", links=[], state=ReportState.RETURNED, submitted_at=at_noon(sent),
                              submitted_on=sent, submitted_by_id=world.accounts["a_daily"].id,
                              reviewed_at=at_noon(returned), reviewed_on=returned,
                              reviewed_by_id=world.accounts["coordinator"].id, review_comment=comment,
                              no_personal_data=True)
    db.session.add(report)
    db.session.commit()
    return report
