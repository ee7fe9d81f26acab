"""Reminders by e-mail: a plan's obligations replayed day by day from 14 working days before
their due date to escalation, through a real SMTP server on loopback, with the exact digest each
account receives; choices, languages, the IIN guard, the unique key, the commands, the pages."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from tests.mail_world import build, returned_report
from tests.smtp_capture import html_of, smtp_server, text_of
from tests.test_personal_data import IIN
from tracker.calendar import working_calendar
from tracker.extensions import db
from tracker.mail import batch
from tracker.mail.digest import digests_for_day
from tracker.mail.models import Delivery, DigestRun, MessageItem, OutgoingMessage

#: the due date of activities 1 and 2 (a Tuesday)
D = date(2026, 9, 15)
#: activity 3's, far enough not to be "due in 14 working days" during the replay
D3 = date(2026, 11, 30)


def wd(n: int) -> date:
    """The n-th working day after D (before it for n < 0)."""
    return working_calendar().add_working_days(D, n)


def first_of_week(day: date) -> bool:
    calendar = working_calendar()
    return calendar.is_working_day(day) and not any(
        calendar.is_working_day(day - timedelta(days=i)) for i in range(1, day.weekday() + 1))


def told(day: date) -> dict[str, list[tuple[str, int, int | None]]]:
    """What the records say was sent on `day`: e-mail → [(reason, obligation id, days)]."""
    rows = db.session.execute(
        select(OutgoingMessage.to_address, MessageItem.reason, MessageItem.obligation_id, MessageItem.days)
        .join(MessageItem, MessageItem.message_id == OutgoingMessage.id)
        .where(OutgoingMessage.day == day, OutgoingMessage.state == Delivery.SENT)
        .order_by(OutgoingMessage.to_address, MessageItem.id)).all()
    found: dict[str, list] = {}
    for address, reason, obligation_id, days in rows:
        found.setdefault(address, []).append((reason, obligation_id, days))
    return found


@pytest.fixture
def world(app):
    return build(D, D3)


def expected_for(day: date, w, returned_on: date) -> dict[str, list]:
    """The rules of the issue, written out for this world (not by calling tracker.mail.rules)."""
    calendar = working_calendar()
    n = calendar.working_days_between(D, day)
    late = (day - D).days
    o1, o2, o3 = w.o1.id, w.o2.id, w.o3.id
    since_return = calendar.working_days_between(returned_on, day) if day > returned_on else None
    returned_today = since_return is not None and since_return >= 1 and (since_return - 1) % 5 == 0
    due = n < 0 and -n in (14, 7, 3, 1)
    overdue = n >= 1 and (n - 1) % 5 == 0
    escalation = n >= 10 and (n - 10) % 5 == 0
    out: dict[str, list] = {}

    def add(who, *items):
        if items:
            out.setdefault(w.accounts[who].email, []).extend(items)

    for who in ("a_daily", "a_head"):
        items = []
        if returned_today:
            items.append(("returned", o3, since_return))
        if who == "a_head" and escalation:
            items.append(("escalation", o1, late))
        elif overdue:
            items.append(("overdue", o1, late))
        if overdue:
            items.append(("overdue", o2, late))
        if due:
            items += [("due", o1, -n), ("due", o2, -n)]
        add(who, *items)
    if first_of_week(day):  # the weekly digest: everything open
        items = []
        if since_return is not None and since_return >= 1:
            items.append(("returned", o3, since_return))
        if n >= 1:
            items += [("overdue", o1, late), ("overdue", o2, late)]
        elif -14 <= n <= -1:
            items += [("due", o1, -n), ("due", o2, -n)]
        add("a_weekly", *items)
    elif returned_today:
        add("a_weekly", ("returned", o3, since_return))
    if returned_today:
        add("a_returned", ("returned", o3, since_return))
    for who, obligation in (("b_daily", o1), ("c_daily", o2)):
        if overdue:
            add(who, ("overdue", obligation, late))
        if due:
            add(who, ("due", obligation, -n))
    if escalation:  # activity 2's lead takes part by agreement: never escalated
        add("coordinator", ("escalation", o1, late))
    return out


def test_a_plan_replayed_day_by_day_from_fourteen_working_days_before_to_escalation(app, world):
    returned_on = wd(-5)
    returned_report(world, world.o3, sent=wd(-8), returned=returned_on, comment="Қосымша құжат қажет")
    calendar = working_calendar()
    days = [wd(-15) + timedelta(days=i) for i in range((wd(21) - wd(-15)).days + 1)]
    with smtp_server() as server:
        app.config.update(server.settings())
        for day in days:
            batch.run_day(day)
            received = server.mailbox.take()
            expected = expected_for(day, world, returned_on) if calendar.is_working_day(day) else {}
            assert told(day) == expected, day
            # what arrived is what was recorded: one message per account, to it
            assert sorted(m["To"] for m in received) == sorted(expected), day
            for message in received:
                body = text_of(message)
                for _reason, obligation_id, _days in expected[message["To"]]:
                    assert f"/obligations/{obligation_id}" in body
                    assert f"/obligations/{obligation_id}" in html_of(message)
    # the days of the life that matter, as people read them
    assert expected_for(wd(-14), world, returned_on)["a.daily@test.example"][0] == ("due", world.o1.id, 14)
    assert "coordinator@test.example" in expected_for(wd(10), world, returned_on)
    # weekends and holidays sent nothing; every working day of the window was composed once
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == len(
        [d for d in days if calendar.is_working_day(d)])
    assert not db.session.scalar(select(func.count()).select_from(OutgoingMessage).where(
        OutgoingMessage.to_address.in_(["auditor@test.example", "admin@test.example", "a.disabled@test.example"])))


def test_the_digest_as_people_read_it_in_kazakh_russian_and_english(app, world):
    with smtp_server() as server:
        app.config.update(server.settings())
        batch.run_day(wd(-7))
        kk, = server.mailbox.to("a.daily@test.example")
        ru, = server.mailbox.to("a.head@test.example")
        en, = server.mailbox.to("b.daily@test.example")
    day = wd(-7)
    kk_subject = kk["Subject"].replace("\u202f", " ")  # Babel writes «2026 ж.» with a narrow no-break space
    assert f"{day.year} ж. {day.day} қыркүйек" in kk_subject and kk["Subject"].endswith(": 2")
    assert f"{day.day} сентября {day.year} г." in ru["Subject"].replace("\u202f", " ")
    assert "2026 ж. 15 қыркүйек" in text_of(kk).replace("\u202f", " ")
    assert "15 сентября 2026 г." in text_of(ru).replace("\u202f", " ")
    assert "September 15, 2026" in text_of(en)
    assert text_of(en).startswith("Good day, b.daily@test.example.")
    assert "due September 15, 2026, working days left: 7 (as co-executor)" in text_of(en)
    assert "Мектептерде профилактикалық іс-шаралар өткізу" in text_of(kk)  # imported text stays as written
    assert kk["Content-Language"] == "kk" and ru["Content-Language"] == "ru" and en["Content-Language"] == "en"
    for message in (kk, ru, en):
        assert message.get_content_type() == "multipart/alternative"
        assert message["Auto-Submitted"] == "auto-generated"
        assert "http://127.0.0.1:5000/obligations/" in html_of(message)
        assert "<script" not in html_of(message)


def test_escalation_reaches_the_coordinator_and_the_head_but_not_for_a_body_by_agreement(app, world):
    digests = {d.recipient.email: d for d in digests_for_day(wd(10))}
    coordinator = digests["coordinator@test.example"]
    assert [(line.reason, line.obligation_id) for line in coordinator.lines] == [("escalation", world.o1.id)]
    assert coordinator.lines[0].body == "Білім басқармасы (ББ)"
    head = digests["a.head@test.example"]
    assert ("escalation", world.o1.id) in [(line.reason, line.obligation_id) for line in head.lines]
    assert "c.daily@test.example" not in digests  # day 10 is not on C's weekly overdue repeat
    # C (by agreement) still gets its own overdue notices
    assert [line.reason for line in {d.recipient.email: d for d in digests_for_day(wd(11))}["c.daily@test.example"].lines] \
        == ["overdue"]
    # the plan's limit is the plan's: 3 working days
    world.plan.escalation_working_days = 3
    db.session.commit()
    assert "coordinator@test.example" in {d.recipient.email for d in digests_for_day(wd(3))}
    assert "coordinator@test.example" not in {d.recipient.email for d in digests_for_day(wd(10))}


def test_choices_weekly_and_returned_only_still_get_the_essential_notices(app, world):
    returned_report(world, world.o3, sent=wd(-8), returned=wd(-5), comment="Қайта жіберіңіз")
    day = wd(-4)  # the working day after the return
    digests = {d.recipient.email: d for d in digests_for_day(day)}
    for who in ("a.returned@test.example", "a.daily@test.example"):
        assert ("returned", world.o3.id) in [(line.reason, line.obligation_id) for line in digests[who].lines]
    assert digests["a.returned@test.example"].lines[0].comment == "Қайта жіберіңіз"
    if not first_of_week(day):
        assert [line.reason for line in digests["a.weekly@test.example"].lines] == ["returned"]
    # returned-only: never a due or overdue notice (before the return: nothing at all)
    for n in (-14, -7, -6, 1, 2, 6):
        digest = {d.recipient.email: d for d in digests_for_day(wd(n))}.get("a.returned@test.example")
        assert {line.reason for line in digest.lines} <= {"returned"} if digest else n in (-14, -7, -6, 2)
    # the head's escalation cannot be switched off either
    from tracker.mail.models import DigestChoice, MailPreference

    db.session.add(MailPreference(account_id=world.accounts["a_head"].id, digest=DigestChoice.RETURNED_ONLY))
    db.session.commit()
    head = {d.recipient.email: d for d in digests_for_day(wd(10))}["a.head@test.example"]
    assert [line.reason for line in head.lines] == ["escalation"]


def test_nothing_to_say_means_no_digest(app, world):
    assert list(digests_for_day(wd(-2))) == []  # no threshold, nothing overdue or returned
    assert list(digests_for_day(date(2026, 9, 12))) == []  # a Saturday
    with smtp_server() as server:
        app.config.update(server.settings())
        batch.run_day(wd(-2))
        assert server.mailbox.messages == []


def test_an_iin_in_quoted_text_is_never_sent(app):
    build(D, D3, text1=f"Оқушы ЖСН {IIN} бойынша тексеру")
    with smtp_server() as server:
        app.config.update(server.settings())
        batch.run_day(wd(-7))
        raw = b"".join(server.mailbox.raw)
    assert IIN.encode() not in raw
    stored = " ".join(m.text_body + m.html_body for m in db.session.scalars(select(OutgoingMessage)))
    assert IIN not in stored and "personal identification number" in stored


def test_one_digest_per_account_and_day_is_a_unique_key_not_a_check(app, world):
    batch.compose_day(wd(-7))
    first = db.session.scalars(select(OutgoingMessage)).first()
    db.session.add(OutgoingMessage(account_id=first.account_id, day=first.day, kind=first.kind, to_address="x@y.example",
                                   language="kk", subject="again", text_body="", html_body="",
                                   message_id="<another@test>", state=Delivery.PENDING, attempts=0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a rerun composes nothing new, and a run that forgot the day was composed inserts nothing either
    count = db.session.scalar(select(func.count()).select_from(OutgoingMessage))
    assert batch.compose_day(wd(-7)).already
    db.session.delete(db.session.get(DigestRun, wd(-7)))
    db.session.commit()
    assert batch.compose_day(wd(-7)).messages == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == count


def test_the_number_of_statements_does_not_grow_with_the_accounts(app, world):
    from tests.mail_world import account
    from tracker.auth.models import AccountRole

    def statements(day):
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            digests = list(digests_for_day(day))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), len(digests)

    few, digests_few = statements(wd(1))
    for i in range(40):
        account(f"more{i}@test.example", AccountRole.EXECUTOR, world.bodies["A" if i % 2 else "B"])
    db.session.commit()
    many, digests_many = statements(wd(1))
    assert digests_many == digests_few + 40
    assert many == few


def test_the_commands_preview_and_send(app, world, runner):
    with smtp_server() as server:
        app.config.update(server.settings())
        day = wd(-7).isoformat()
        result = runner.invoke(args=["reminders", "preview", "--account", "a.daily@test.example", "--date", day])
        assert result.exit_code == 0, result.output
        assert "Subject: " in result.output and f"/obligations/{world.o1.id}" in result.output
        assert server.mailbox.messages == [] and not db.session.scalar(select(func.count()).select_from(OutgoingMessage))
        result = runner.invoke(args=["reminders", "preview", "--account", "auditor@test.example", "--date", day])
        assert "no digest" in result.output
        first = runner.invoke(args=["reminders", "send", "--date", day])
        assert first.exit_code == 0, first.output
        sent = len(server.mailbox.messages)
        assert sent == 4  # a_daily, a_head, b_daily, c_daily
        again = runner.invoke(args=["reminders", "send", "--date", day])
        assert again.exit_code == 0 and "already composed" in again.output
        assert len(server.mailbox.messages) == sent  # idempotent
        assert runner.invoke(args=["reminders", "send", "--date", "2026-02-30"]).exit_code == 2
        assert "not a working day" in runner.invoke(args=["reminders", "send", "--date", "2026-09-12"]).output


def test_the_obligation_page_says_reminded_on_and_the_workbook_counts_them(app, world, client, login):
    from io import BytesIO

    import openpyxl

    with smtp_server() as server:
        app.config.update(server.settings())
        batch.run_day(wd(-7))
        batch.run_day(wd(-3))
    login("coordinator")
    page = client.get(f"/obligations/{world.o1.id}").get_data(as_text=True)
    assert 'id="reminded"' in page and page.count("a.daily@test.example") == 2  # on two days
    response = client.get("/export/workbook.xlsx?lang=en&as_of=" + wd(-3).isoformat())
    assert response.status_code == 200
    data = response.data
    response.close()
    sheet = openpyxl.load_workbook(BytesIO(data), read_only=True)["Obligations"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and "Reminders sent" in r)
    column = rows[header].index("Reminders sent")
    numbers = {r[1]: r[column] for r in rows[header + 1:] if r and r[1]}
    assert numbers["1"] == 6  # a_daily, a_head, b_daily on two days
    assert numbers["3"] == 0
