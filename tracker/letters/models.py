"""Letters as stored: the stack they came in, each letter's registration fields, the plans the
assignment became (one per receiving region), and which region carries which project.

The letter's own words that matter on control are kept (number, date, issuer, addressees, bases,
tasks, reply); its full text is not: it names officials and clerks, and the portal keeps of them
only the signatory's position and the clerk's initials and office phone (tracker.letters.reading).
"""

import datetime as dt
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import now
from tracker.extensions import db
from tracker.plans.models import Plan


class LetterRole(StrEnum):
    """The part a letter plays in its chain."""

    #: the letter whose tasks are on control: the received assignment (the stack's lowest letter)
    ASSIGNMENT = "assignment"
    #: a covering letter that passes the letter below it down to its own addressees
    DELEGATION = "delegation"


class PassState(StrEnum):
    """Whether a covering letter's passing down is in the portal yet."""

    #: stored with its parent letter, waiting to be passed down (tracker.delegation makes it real)
    PROPOSED = "proposed"
    #: its sub-obligations are made; their ids are on the letter
    PASSED = "passed"


class LetterChain(db.Model):
    """One uploaded stack of letters (newest on top), stored once."""

    __tablename__ = "letter_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: a DocumentKind (tracker.letters.reading): assignment | programme
    kind: Mapped[str] = mapped_column(String(12))
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_format: Mapped[str | None] = mapped_column(String(10))
    #: the same document uploaded again is recognised (and refused: it is in the portal already)
    source_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()
    letters: Mapped[list["Letter"]] = relationship(back_populates="chain", cascade="all, delete-orphan",
                                                   order_by="Letter.position")


class Letter(db.Model):
    """One letter of a chain, as confirmed in the preview."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("chain_id", "position", name="uq_letter_chain_id_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("letter_chain.id", ondelete="CASCADE"), index=True)
    #: 0 is the newest, on top of the stack
    position: Mapped[int] = mapped_column(Integer)
    #: the letter it executes (the one below it in the stack); None for the assignment itself
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    #: a LetterRole
    role: Mapped[str] = mapped_column(String(12))
    #: a PassState, for a covering letter; None for the assignment
    state: Mapped[str | None] = mapped_column(String(12))
    issuer: Mapped[str | None] = mapped_column(Text)
    issuer_ru: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    number: Mapped[str | None] = mapped_column(String(60), index=True)
    # dt.date: inside this class `date` is the column below, and an annotation naming it would be
    # read as that column (NOT NULL in the metadata, not in the migrated table)
    date: Mapped[dt.date | None] = mapped_column(Date)
    #: fields taken from the citation in the letter above ("number", "date", "issuer")
    inferred: Mapped[list] = mapped_column(JSON, default=list)
    #: the receiver's incoming stamp
    received_by: Mapped[str | None] = mapped_column(Text)
    received_number: Mapped[str | None] = mapped_column(String(60))
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    addressees: Mapped[list] = mapped_column(JSON, default=list)
    copies: Mapped[list] = mapped_column(JSON, default=list)
    #: the regions and cities of republican significance it goes to (stored names)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    #: [{"issuer", "number", "date", "kind"}]: the documents it executes, the first the one it passes on
    bases: Mapped[list] = mapped_column(JSON, default=list)
    #: the tasks as confirmed: [{"number", "kind", "text", "deadline", "due_dates", "regions", "executors", "per_case"}]
    tasks: Mapped[list] = mapped_column(JSON, default=list)
    #: {"text", "date", "items", "to"}: the reply owed to the sender
    reply: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    enclosures: Mapped[str | None] = mapped_column(String(120))
    #: the signatory's position (the name is not kept)
    signatory: Mapped[str | None] = mapped_column(Text)
    #: the clerk's initials and office phone (the name is not kept)
    clerk: Mapped[str | None] = mapped_column(String(120))
    #: the warnings of the preview, as message data with their field
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    #: a covering letter passed down: the ids of the sub-obligations it made (tracker.delegation)
    delegation_ids: Mapped[list] = mapped_column(JSON, default=list)

    chain: Mapped[LetterChain] = relationship(back_populates="letters")
    parent: Mapped["Letter | None"] = relationship(remote_side=[id])
    plans: Mapped[list["LetterPlan"]] = relationship(back_populates="letter", cascade="all, delete-orphan",
                                                     order_by="LetterPlan.id")
    region_tasks: Mapped[list["RegionTask"]] = relationship(back_populates="letter", cascade="all, delete-orphan",
                                                            order_by="RegionTask.id")

    @property
    def label(self) -> str:
        """"№ 03-4279, 2024-05-01" (or what the letter has of it)."""
        parts = [f"№ {self.number}" if self.number else "", self.date.isoformat() if self.date else ""]
        return ", ".join(p for p in parts if p) or "—"


class LetterPlan(db.Model):
    """A plan an assignment became: one per receiving region (the ministry's letter: twenty)."""

    __tablename__ = "letter_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), unique=True)
    region: Mapped[str | None] = mapped_column(String(120))

    letter: Mapped[Letter] = relationship(back_populates="plans")
    plan: Mapped[Plan] = relationship()


class RegionTask(db.Model):
    """Which region carries which task of a letter ("Жамбыл, Қарағанды облыстары – «…медиация…»")."""

    __tablename__ = "letter_region_task"
    __table_args__ = (UniqueConstraint("letter_id", "region", "task_number", name="uq_letter_region_task_letter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(120), index=True)
    task_number: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)

    letter: Mapped[Letter] = relationship(back_populates="region_tasks")
