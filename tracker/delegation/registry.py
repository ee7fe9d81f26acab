"""The district registry as the portal uses it — the shipped file with an administrator's
corrections laid over it — and the bodies a collective executor stands for in a region."""

from dataclasses import dataclass

from sqlalchemy import select

from tracker import history
from tracker.auth.models import User
from tracker.core.clock import now
from tracker.core.text import norm
from tracker.delegation.models import DistrictCorrection
from tracker.executors import districts
from tracker.executors.districts import GROUP_KINDS, BodyLevel, Unit
from tracker.executors.models import Body
from tracker.executors.registry import BY_KEY
from tracker.extensions import db


def corrections() -> dict[str, tuple[Unit, ...]]:
    """Every region an administrator corrected: region key → its units (one query)."""
    return {row.region_key: tuple(districts.Unit(**unit) for unit in row.units)
            for row in db.session.scalars(select(DistrictCorrection))}


def units(region: str | None) -> tuple[Unit, ...]:
    return districts.units_of(region, corrections())


def correction_of(region: str) -> DistrictCorrection | None:
    return db.session.get(DistrictCorrection, districts.region_key(region))


def save_units(region: str, new_units: tuple[Unit, ...], actor: User) -> DistrictCorrection:
    """Store an administrator's list for a region (checked by tracker.executors.districts.read_units),
    with its history entry, and commit."""
    key = districts.region_key(region)
    row = db.session.get(DistrictCorrection, key) or DistrictCorrection(region_key=key, region=region)
    before = [unit.kk for unit in units(region)]
    row.units = [{"kind": u.kind, "kk": u.kk, "ru": u.ru, "kk_genitive": u.kk_genitive, "ru_genitive": u.ru_genitive}
                 for u in new_units]
    row.edited_by_id, row.edited_at = actor.id, now()
    db.session.add(row)
    history.record("districts.corrected", actor=actor, details={
        "region": region, "added": [u.kk for u in new_units if u.kk not in before],
        "removed": [name for name in before if name not in {u.kk for u in new_units}]})
    db.session.commit()
    return row


# --- groups --------------------------------------------------------------------------------------


def is_group(body: Body | None) -> bool:
    """A collective executor ("аудандар мен қалалардың білім бөлімдері"): a group kind that is not
    itself one district's body."""
    return body is not None and districts.is_group_kind(body.registry_key) and body.district is None


def head_of(group: Body) -> Body | None:
    """The region's body above the group's members (the education department above the
    districts' ones), if the portal has it."""
    kind = GROUP_KINDS[group.registry_key]
    if kind.head is None:
        return None
    return db.session.scalar(select(Body).where(Body.region == group.region, Body.registry_key == kind.head,
                                                Body.identity == kind.head).limit(1))


def members(group: Body) -> list[Body]:
    """The group's members the portal holds, in the registry's order (one query)."""
    found = {b.identity: b for b in db.session.scalars(
        select(Body).where(Body.region == group.region, Body.registry_key == group.registry_key,
                           Body.district.is_not(None)))}
    kind = GROUP_KINDS[group.registry_key]
    ordered = [found.pop(districts.member_identity(kind, unit)) for unit in units(group.region)
               if districts.member_identity(kind, unit) in found]
    return ordered + sorted(found.values(), key=lambda b: b.id)  # a district since removed from the registry


@dataclass(frozen=True)
class PossibleMember:
    """A member of a group as the registry names it: the body when the portal has it."""

    unit: Unit
    name: str
    name_ru: str
    identity: str
    body: Body | None


def possible_members(region: str, kind_key: str) -> list[PossibleMember]:
    """Every member the registry gives for a kind in a region, with its body where it exists
    (reading only; nothing is created)."""
    kind = GROUP_KINDS[kind_key]
    existing = {b.identity: b for b in db.session.scalars(
        select(Body).where(Body.region == region, Body.registry_key == kind_key, Body.district.is_not(None)))}
    found = []
    for unit in units(region):
        identity = districts.member_identity(kind, unit)
        name, name_ru = districts.member_names(kind, unit)
        found.append(PossibleMember(unit, name, name_ru, identity, existing.get(identity)))
    return found


def ensure_members(region: str, kind_key: str, only: set[str] | None = None) -> list[Body]:
    """The region's bodies of a group kind, created from the district registry where missing
    (`only`: those identities alone). Each member's parent is the region's head body where the
    portal has it. Added to the session; the caller commits."""
    kind = GROUP_KINDS[kind_key]
    head = db.session.scalar(select(Body).where(Body.region == region, Body.identity == kind.head).limit(1)) \
        if kind.head else None
    bodies = []
    for possible in possible_members(region, kind_key):
        if only is not None and possible.identity not in only:
            continue
        body = possible.body
        if body is None:
            body = Body(name=possible.name, name_ru=possible.name_ru, abbreviation=kind.member_abbreviation,
                        region=region, identity=possible.identity, registry_key=kind_key,
                        level=BodyLevel.DISTRICT.value, district=possible.unit.kk,
                        parent_id=head.id if head else None)
            db.session.add(body)
        elif body.parent_id is None and head is not None:
            body.parent_id = head.id
        bodies.append(body)
    db.session.flush()
    return bodies


def group_kinds_headed_by(body: Body) -> list[str]:
    """The group kinds whose members this body hands work down to (the region's education
    department heads the districts' education departments)."""
    if body.district is not None or body.level not in (BodyLevel.REGION, None):
        return []
    return [kind.key for kind in GROUP_KINDS.values() if kind.head is not None and body.identity == kind.head]


def group_name(kind_key: str) -> str:
    return BY_KEY[kind_key].name_kk


def find_member(region: str, kind_key: str, unit_name: str) -> PossibleMember | None:
    wanted = norm(unit_name)
    return next((m for m in possible_members(region, kind_key) if m.unit.key == wanted), None)


def members_of_kind(region: str, kind_key: str) -> list[Body]:
    return list(db.session.scalars(select(Body).where(Body.region == region, Body.registry_key == kind_key,
                                                      Body.district.is_not(None))))
