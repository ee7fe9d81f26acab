"""The day's batch: compose every digest once, then deliver each message exactly once.

- **Composed once.** Each digest is INSERTed with ON CONFLICT DO NOTHING on the unique
  (account, day, kind): two workers composing at the same moment, or a rerun, cannot make a second
  digest for anyone; the obligations a message names are written in the same transaction as the
  message, and only by whoever inserted it. A `DigestRun` row marks the day composed, so the
  hourly task does not compose it again.
- **Delivered once.** A worker claims a few pending messages with one UPDATE (PostgreSQL: FOR
  UPDATE SKIP LOCKED, so two workers take different ones; SQLite serialises writers), sends
  each, and marks it sent at once, in its own commit. A worker killed mid-batch leaves at most
  the message it was sending, and the rest of its claim, in `sending`: after MAIL_SEND_LEASE_SECONDS
  anyone claims them again. Only the one message in flight at the moment of the kill can have
  reached the server without its mark; it goes again with the same Message-ID (receiving
  systems drop a repeated Message-ID) — no batch design over SMTP can do better.
- **An outage** (the server cannot be reached, or says "try later") gives the claimed messages
  back and raises TransportDown: the caller retries later (tracker.jobs, with backoff). A message
  the server refuses for good (an unknown mailbox) is marked failed and the batch goes on.
"""

import hashlib
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import parseaddr
from itertools import islice

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from tracker.core.clock import now
from tracker.extensions import db
from tracker.mail.digest import digests_for_day, render
from tracker.mail.models import Delivery, DigestRun, MessageItem, MessageKind, OutgoingMessage
from tracker.mail.transport import Refused, TransportDown, build_email, transport_from

#: digests written per transaction
COMPOSE_CHUNK = 200
#: messages one worker thread claims at a time: small, so that the day's batch spreads over every
#: worker and a worker that dies holds back few (they wait out MAIL_SEND_LEASE_SECONDS)
CLAIM = 5


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _insert(model):
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def message_id_for(account_id: int, day: date, kind: str) -> str:
    """The same for every try of one message, unguessable across installations."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    key = f"{current_app.config['SECRET_KEY']}:{kind}:{day.isoformat()}:{account_id}"
    return f"<{kind}.{day:%Y%m%d}.{account_id}.{hashlib.sha256(key.encode()).hexdigest()[:16]}@{domain}>"


@dataclass
class Composed:
    day: date
    messages: int = 0  #: inserted by this run
    already: bool = False  #: the day was composed before


def compose_day(day: date) -> Composed:
    """Write the day's digests (idempotent)."""
    if db.session.get(DigestRun, day) is not None:
        return Composed(day, already=True)
    from tracker.calendar import working_calendar
    from tracker.mail.rules import sends_on

    if not sends_on(day, working_calendar()):
        return Composed(day)
    portal_url = current_app.config["PORTAL_URL"]
    result = Composed(day)
    digests = digests_for_day(day)
    while chunk := list(islice(digests, COMPOSE_CHUNK)):
        rows, lines_of = [], {}
        for digest in chunk:
            subject, text, html = render(digest, portal_url)
            person = digest.recipient
            rows.append({"account_id": person.id, "day": day, "kind": MessageKind.DIGEST.value,
                         "to_address": person.email, "language": person.language, "subject": subject,
                         "text_body": text, "html_body": html, "state": Delivery.PENDING.value, "attempts": 0,
                         "message_id": message_id_for(person.id, day, MessageKind.DIGEST), "created_at": now()})
            lines_of[person.id] = digest.lines
        inserted = db.session.execute(_insert(OutgoingMessage).values(rows).on_conflict_do_nothing()
                                      .returning(OutgoingMessage.id, OutgoingMessage.account_id)).all()
        items = [{"message_id": message_id, "obligation_id": line.named_obligation_id, "reason": str(line.reason),
                  "days": line.days}
                 for message_id, account_id in inserted for line in lines_of[account_id]]
        if items:
            db.session.execute(MessageItem.__table__.insert(), items)
        db.session.commit()
        result.messages += len(inserted)
    db.session.execute(_insert(DigestRun).values(day=day, composed_at=now(), messages=result.messages)
                       .on_conflict_do_nothing())
    db.session.commit()
    return result


@dataclass
class Delivered:
    sent: int = 0
    refused: int = 0


def _claimable(stale_before):
    return or_(OutgoingMessage.state == Delivery.PENDING,
               and_(OutgoingMessage.state == Delivery.SENDING, OutgoingMessage.claimed_at < stale_before))


def claim(me: str, day: date | None = None, limit: int = CLAIM) -> list[int]:
    stale_before = now() - timedelta(seconds=current_app.config["MAIL_SEND_LEASE_SECONDS"])
    candidates = select(OutgoingMessage.id).where(_claimable(stale_before)).order_by(OutgoingMessage.id).limit(limit)
    if day is not None:
        candidates = candidates.where(OutgoingMessage.day == day)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # The state is checked again on the row being updated: on PostgreSQL a row another worker
    # claimed meanwhile no longer matches and is skipped.
    ids = db.session.execute(
        update(OutgoingMessage).where(OutgoingMessage.id.in_(candidates.scalar_subquery()), _claimable(stale_before))
        .values(state=Delivery.SENDING, claimed_by=me, claimed_at=now())
        .returning(OutgoingMessage.id).execution_options(synchronize_session=False)).scalars().all()
    db.session.commit()
    return sorted(ids)


def _give_back(ids: list[int], me: str, error: str | None = None) -> None:
    if ids:
        values = {"state": Delivery.PENDING, "claimed_by": None, "claimed_at": None}
        if error:
            values["last_error"] = error[:2000]
        db.session.execute(update(OutgoingMessage).where(OutgoingMessage.id.in_(ids), OutgoingMessage.claimed_by == me)
                           .values(**values).execution_options(synchronize_session=False))
        db.session.commit()


def deliver(day: date | None = None, transport=None, me: str | None = None, stop_after: int | None = None) -> Delivered:
    """Send every pending message (of `day`, or of any day). Raises TransportDown, with the claimed
    messages given back, when the server is out of reach."""
    me = me or worker_name()
    transport = transport or transport_from(current_app.config)
    sender = current_app.config["MAIL_FROM"]
    done = Delivered()
    try:
        while ids := claim(me, day):
            for position, message_id in enumerate(ids):
                message = db.session.get(OutgoingMessage, message_id)
                try:
                    where = transport.send(message, build_email(message, sender))
                except TransportDown as exc:
                    db.session.execute(update(OutgoingMessage).where(OutgoingMessage.id == message_id)
                                       .values(attempts=OutgoingMessage.attempts + 1)
                                       .execution_options(synchronize_session=False))
                    db.session.commit()
                    _give_back(ids[position:], me, str(exc))
                    raise
                except Refused as exc:
                    _finish(message_id, me, Delivery.FAILED, error=str(exc))
                    done.refused += 1
                    continue
                _finish(message_id, me, Delivery.SENT, transport=transport.name, outbox_file=where)
                done.sent += 1
                if stop_after is not None and done.sent >= stop_after:
                    _give_back(ids[position + 1:], me)
                    return done
    finally:
        transport.close()
    return done


def _finish(message_id: int, me: str, state: Delivery, *, error: str | None = None, transport: str | None = None,
            outbox_file: str | None = None) -> None:
    values = {"state": state, "attempts": OutgoingMessage.attempts + 1}  # claimed_by stays: who sent it
    if state == Delivery.SENT:
        values.update(sent_at=now(), transport=transport, outbox_file=outbox_file, last_error=None)
    else:
        values.update(last_error=(error or "")[:2000])
    db.session.execute(update(OutgoingMessage).where(OutgoingMessage.id == message_id, OutgoingMessage.claimed_by == me)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()


def give_up(error: str, day: date | None = None) -> int:
    """After the last try: every message still pending is failed. Returns how many. Not committed:
    the caller tells the administrators in the same transaction, so that nobody ever sees the
    messages failed and no one told."""
    query = update(OutgoingMessage).where(OutgoingMessage.state == Delivery.PENDING)
    if day is not None:
        query = query.where(OutgoingMessage.day == day)
    return db.session.execute(query.values(state=Delivery.FAILED, last_error=error[:2000])
                              .execution_options(synchronize_session=False)).rowcount


def send_again(day: date | None = None, message_ids: list[int] | None = None) -> int:
    """Failed messages become pending again (a rerun, or the administrator's "Send again")."""
    query = update(OutgoingMessage).where(OutgoingMessage.state == Delivery.FAILED)
    if day is not None:
        query = query.where(OutgoingMessage.day == day)
    if message_ids is not None:
        query = query.where(OutgoingMessage.id.in_(message_ids))
    count = db.session.execute(query.values(state=Delivery.PENDING).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count


def counts(day: date) -> dict[str, int]:
    rows = db.session.execute(select(OutgoingMessage.state, func.count()).where(OutgoingMessage.day == day)
                              .group_by(OutgoingMessage.state)).all()
    return {state: n for state, n in rows}


def run_day(day: date, transport=None, stop_after: int | None = None) -> tuple[Composed, Delivered]:
    """The day's batch: compose (once), then deliver what is pending for the day."""
    composed = compose_day(day)
    return composed, deliver(day, transport, stop_after=stop_after)
