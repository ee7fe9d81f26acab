"""The transports: a real SMTP server on loopback (aiosmtpd), the .eml outbox, an SMTP outage
retried by the real worker, and what the administrator sees."""

import email
import time
from datetime import date
from email import policy

import pytest
from sqlalchemy import func, select

from tests.mail_world import build
from tests.smtp_capture import Server, free_port, html_of, smtp_server, text_of
from tracker.extensions import db
from tracker.jobs import queue
from tracker.jobs.tasks import MAIL_FAILED, queue_reminders
from tracker.jobs.worker import make_consumer, start_in_threads
from tracker.mail import batch
from tracker.mail.models import Delivery, OutgoingMessage
from tracker.mail.transport import TransportDown
from tracker.schedule.workdays import default_calendar
from tracker.work.models import Notification

D = date(2026, 9, 15)
DAY = default_calendar().add_working_days(D, -7)  # four digests: a_daily, a_head, b_daily, c_daily
RECIPIENTS = ["a.daily@test.example", "a.head@test.example", "b.daily@test.example", "c.daily@test.example"]


@pytest.fixture
def world(app):
    return build(D, date(2026, 11, 30))


@pytest.fixture
def worker(app, tmp_path):
    """The real Huey consumer (its scheduler and a worker thread) on a queue of this test's own."""
    queue.huey.configure(f"sqlite:///{tmp_path / 'huey.sqlite'}")
    consumer = make_consumer(app, workers=1, periodic=False)
    start_in_threads(consumer)
    yield consumer
    consumer.stop(graceful=True)
    queue.huey.configure(queue.default_url())


def wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the worker committed
        if condition():
            return True
        time.sleep(0.1)
    return False


def states() -> dict[str, int]:
    db.session.rollback()
    return dict(db.session.execute(select(OutgoingMessage.state, func.count()).group_by(OutgoingMessage.state)).all())


def test_smtp_delivers_plain_text_and_html_with_stable_headers(app, world):
    with smtp_server() as server:
        app.config.update(server.settings(), MAIL_FROM="Tracker <noreply@akimat.example.kz>")
        composed, delivered = batch.run_day(DAY)
        assert composed.messages == delivered.sent == 4
        messages = {m["To"]: m for m in server.mailbox.messages}
        raw = {email.message_from_bytes(r, policy=policy.default)["To"]: r for r in server.mailbox.raw}
    assert sorted(messages) == RECIPIENTS
    message = messages["a.daily@test.example"]
    assert message["From"] == "Tracker <noreply@akimat.example.kz>"
    assert message["Message-ID"].endswith("@akimat.example.kz>")
    record = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.to_address == "a.daily@test.example"))
    assert message["Message-ID"] == record.message_id and record.state == Delivery.SENT and record.attempts == 1
    assert record.transport == "smtp" and record.sent_at is not None
    assert text_of(message).strip() == record.text_body.strip()
    assert f'href="http://127.0.0.1:5000/obligations/{world.o1.id}"' in html_of(message)
    assert b"Content-Type: text/html" in raw["a.daily@test.example"]


def test_a_refused_mailbox_fails_alone_and_the_batch_goes_on(app, world):
    with smtp_server() as server:
        server.mailbox.refuse.add("b.daily@test.example")
        app.config.update(server.settings())
        _composed, delivered = batch.run_day(DAY)
        assert delivered.sent == 3 and delivered.refused == 1
        assert sorted(m["To"] for m in server.mailbox.messages) == [r for r in RECIPIENTS if r != "b.daily@test.example"]
    failed = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.state == Delivery.FAILED))
    assert failed.to_address == "b.daily@test.example" and "550" in failed.last_error


def test_an_unreachable_server_gives_the_messages_back(app, world):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with pytest.raises(TransportDown):
        batch.run_day(DAY)
    assert states() == {Delivery.PENDING: 4}
    assert db.session.scalar(select(func.max(OutgoingMessage.attempts))) == 1


def test_smtp_down_then_up_the_worker_retries_and_delivers_exactly_once(app, world, worker):
    server = Server()
    app.config.update(server.settings(), MAIL_RETRIES=20, MAIL_RETRY_DELAY=0.5, MAIL_RETRY_BACKOFF=1.2)
    queue_reminders(DAY)  # the server is not started: the first tries fail
    assert wait_for(lambda: (db.session.scalar(select(func.max(OutgoingMessage.attempts))) or 0) >= 2)
    # between two tries every message is given back (a try caught in flight shows them "sending")
    assert wait_for(lambda: states() == {Delivery.PENDING: 4})
    server.start()
    try:
        assert wait_for(lambda: states() == {Delivery.SENT: 4})
        time.sleep(1.5)  # a second delivery, if there were one, would have arrived by now
        assert sorted(m["To"] for m in server.mailbox.messages) == RECIPIENTS
    finally:
        server.stop()
    assert not db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == MAIL_FAILED))


def test_after_the_last_try_the_messages_fail_and_the_administrator_is_told(app, world, worker):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT=2,
                      MAIL_RETRIES=2, MAIL_RETRY_DELAY=0.3, MAIL_RETRY_BACKOFF=1)
    queue_reminders(DAY)
    assert wait_for(lambda: states() == {Delivery.FAILED: 4})
    told = db.session.scalars(select(Notification).where(Notification.kind == MAIL_FAILED)).all()
    assert [n.account_id for n in told] == [world.accounts["admin"].id]
    assert told[0].message["p"]["count"] == 4
    assert db.session.scalar(select(func.max(OutgoingMessage.attempts))) == 3  # the first try and two retries
    # the administrator sends them again once the server is back
    with smtp_server() as server:
        app.config.update(server.settings())
        assert batch.send_again() == 4
        batch.deliver()
        assert sorted(m["To"] for m in server.mailbox.messages) == RECIPIENTS


def test_the_embedded_outbox_writes_eml_files_the_administrator_reads(app, world, client, login, tmp_path):
    from tests.conftest import PASSWORD
    from tracker.auth.operations import create_user

    app.config.update(SMTP_HOST="", OUTBOX_DIR=str(tmp_path / "outbox"))
    batch.run_day(DAY)
    files = sorted((tmp_path / "outbox" / DAY.isoformat()).glob("*.eml"))
    assert len(files) == 4 and not list((tmp_path / "outbox").rglob("*.part"))
    parsed = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["To"] for m in parsed) == RECIPIENTS
    assert all(m.get_body(preferencelist=("html",)) is not None for m in parsed)
    record = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.to_address == "a.daily@test.example"))
    assert record.transport == "outbox" and (tmp_path / "outbox" / record.outbox_file).is_file()
    # a second run writes nothing new
    batch.send_again(DAY)
    batch.run_day(DAY)
    assert sorted((tmp_path / "outbox" / DAY.isoformat()).glob("*.eml")) == files
    admin = create_user(email="boss@test.example", role="admin", password=PASSWORD)
    login(admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "a.daily@test.example" in page and str(tmp_path / "outbox") in page
    shown = client.get(f"/admin/outbox/{record.id}").get_data(as_text=True)
    assert "/obligations/" in shown
    download = client.get(f"/admin/outbox/{record.id}.eml")
    assert download.data == (tmp_path / "outbox" / record.outbox_file).read_bytes()


def test_only_the_administrator_sees_the_outbox(app, world, client, login):
    batch.compose_day(DAY)
    login("coordinator")
    assert client.get("/admin/outbox").status_code == 403
    message_id = db.session.scalar(select(OutgoingMessage.id))
    assert client.get(f"/admin/outbox/{message_id}").status_code == 403
    assert client.get(f"/admin/outbox/{message_id}.eml").status_code == 403
    assert client.post("/admin/outbox/send-again").status_code == 403
