"""The registry of responsible bodies shared by all plans."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.executors.districts import BodyLevel
from tracker.extensions import db

#: the `region` of bodies that serve the whole country (ministries, the children's ombudsman)
NATIONAL = "Қазақстан Республикасы"
#: BodyAlias.source of a form a coordinator assigned to a body in the portal: the next import of
#: a plan of that region resolves it as `alias` (tracker.plans.operations.learned_aliases)
LEARNED_FROM_COORDINATOR = "coordinator"


def reads_russian() -> bool:
    """Whether the page is in Russian (asked once per list, not once per name: it is not free)."""
    from flask_babel import get_locale

    return str(get_locale() or "") == "ru"


def body_name(name: str, name_ru: str | None, russian: bool | None = None) -> str:
    """The body's name for the reader: Russian on a Russian page where the registry gives a
    Russian name, otherwise the Kazakh name the plans use (imported text is never translated).
    Pass `russian` (from `reads_russian`) when naming many bodies."""
    if name_ru and (reads_russian() if russian is None else russian):
        return name_ru
    return name


def _level_by_region(context) -> str:
    # A body made without a place (an import, the demo) is national or the region's by its region.
    region = context.get_current_parameters().get("region")
    return BodyLevel.NATIONAL.value if region == NATIONAL else BodyLevel.REGION.value


class Body(db.Model):
    """A responsible body: one per real body per region (the Kostanay and the Karaganda
    health departments are two Bodies, both ДСБ)."""

    __tablename__ = "body"
    __table_args__ = (UniqueConstraint("region", "identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: full name as the plans give it (Kazakh)
    name: Mapped[str] = mapped_column(String(500))
    #: Russian name, from the built-in registry where the body is a standard one
    name_ru: Mapped[str | None] = mapped_column(String(500))
    abbreviation: Mapped[str | None] = mapped_column(String(60))
    #: the region it serves, or NATIONAL
    region: Mapped[str] = mapped_column(String(120), index=True)
    #: what makes it the same body across plans: a registry key ("education") or "legend:<name>"
    identity: Mapped[str] = mapped_column(String(600))
    registry_key: Mapped[str | None] = mapped_column(String(60))
    #: where it stands (a BodyLevel): national, region, district, organisation
    level: Mapped[str] = mapped_column(String(12), default=_level_by_region, index=True)
    #: the body above it, which hands work down to it (tracker.delegation): a district's education
    #: department's is the region's; a school's, its district's
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"), index=True)
    #: the city or district it serves, as the district registry names it ("Алтынсарин ауданы")
    district: Mapped[str | None] = mapped_column(String(120))

    aliases: Mapped[list["BodyAlias"]] = relationship(back_populates="body", cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        return body_name(self.name, self.name_ru)

    @property
    def other_name(self) -> str | None:
        """The name in the other language, where the registry gives both (for a tooltip)."""
        shown = self.display_name
        return next((n for n in (self.name, self.name_ru) if n and n != shown), None)

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.abbreviation})" if self.abbreviation else self.display_name


class BodyAlias(db.Model):
    """A way a plan wrote a body ("ЖКУӘББ", "УО", "ібілм бөлімдері") and how it was matched."""

    __tablename__ = "body_alias"
    __table_args__ = (UniqueConstraint("body_id", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    written: Mapped[str] = mapped_column(String(500))
    #: folded comparison key (tracker.core.text.norm)
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    #: how it was learned: legend | registry | variant | alias, or LEARNED_FROM_COORDINATOR
    source: Mapped[str] = mapped_column(String(20))

    body: Mapped[Body] = relationship(back_populates="aliases")
