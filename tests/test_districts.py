"""The district registry (the shipped file, an administrator's correction) and the import of
organisation lists with row-level errors."""

import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.delegation import registry
from tracker.delegation.models import DistrictCorrection
from tracker.executors import districts
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry

REGIONS = ("Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
           "Шығыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Батыс Қазақстан облысы", "Қарағанды облысы",
           "Қостанай облысы", "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы",
           "Солтүстік Қазақстан облысы", "Түркістан облысы", "Ұлытау облысы", "Астана қаласы", "Алматы қаласы",
           "Шымкент қаласы")


def test_the_file_lists_every_region_with_both_names_and_the_complete_ones_whole():
    data = json.loads(districts.DATA_FILE.read_text(encoding="utf-8"))
    assert tuple(r["kk"] for r in data["regions"]) == REGIONS
    assert data["sources"]
    registry_file = districts.shipped()
    for region in REGIONS:
        units = registry_file[districts.region_key(region)].units
        assert units and all(u.kk and u.ru and u.kk_genitive and u.ru_genitive for u in units), region
        assert len({u.key for u in units}) == len(units), region
    counts = {r: (sum(u.kind == "city" for u in registry_file[districts.region_key(r)].units),
                  sum(u.kind == "district" for u in registry_file[districts.region_key(r)].units))
              for r in ("Қостанай облысы", "Қарағанды облысы", "Жамбыл облысы")}
    assert counts == {"Қостанай облысы": (4, 16), "Қарағанды облысы": (6, 7), "Жамбыл облысы": (1, 10)}
    assert {r for r in REGIONS if registry_file[districts.region_key(r)].complete} == {
        "Қостанай облысы", "Қарағанды облысы", "Жамбыл облысы"}
    zhambyl = [u.kk for u in registry_file[districts.region_key("Жамбыл облысы")].units]
    assert "Тараз қаласы" in zhambyl and "Т.Рысқұлов ауданы" in zhambyl  # seeds 000 and 002


@pytest.mark.parametrize("kk, ru, kk_gen, ru_gen", [
    ("Алтынсарин ауданы", "Алтынсаринский район", "Алтынсарин ауданының", "Алтынсаринского района"),
    ("Қостанай қаласы", "город Костанай", "Қостанай қаласының", "города Костанай"),
    ("Бейімбет Майлин ауданы", "район Беимбета Майлина", "Бейімбет Майлин ауданының", "района Беимбета Майлина"),
    ("Бұқар жырау ауданы", "Бухар-Жырауский район", "Бұқар жырау ауданының", "Бухар-Жырауского района"),
])
def test_members_are_named_as_the_letters_name_them(kk, ru, kk_gen, ru_gen):
    unit = districts.unit_of(districts.DISTRICT, kk, ru)
    assert (unit.kk_genitive, unit.ru_genitive) == (kk_gen, ru_gen)
    name, name_ru = districts.member_names(districts.GROUP_KINDS["district_education"], unit)
    assert name == f"{kk_gen} білім бөлімі" and name_ru == f"Отдел образования {ru_gen}"


def test_a_synthetic_region_has_its_real_regions_districts():
    assert districts.units_of("Қостанай облысы (СИНТЕТИКА 2)") == districts.units_of("Қостанай облысы")
    assert districts.members_of("health", "Қостанай облысы") == []
    assert districts.executor_group_json("health", "Қостанай облысы") == {}
    assert districts.executor_group_json("district_akimats", "Тест облысы") == {"group": True, "members": []}


def test_an_administrators_list_is_read_line_by_line():
    units, problems = districts.read_units(
        "Қостанай қаласы | город Костанай\n"
        "\n"
        "Жаңа ауданы\n"                       # no Russian name
        "Әлдебір | Какой-то район\n"          # neither «қаласы» nor «ауданы»
        "Қостанай қаласы | город Костанай\n"  # twice
        "Ғабит Мүсірепов атындағы аудан | район имени Габита Мусрепова | Ғабит Мүсірепов атындағы ауданның | "
        "района имени Габита Мусрепова\n")
    assert [u.kk for u in units] == ["Қостанай қаласы", "Ғабит Мүсірепов атындағы аудан"]
    assert [(p.line, p.problem) for p in problems] == [
        (3, "write the Kazakh name, a «|» and the Russian name"),
        (4, "the Kazakh name must say «қаласы» or «ауданы»"),
        (5, "this unit is already listed above"),
    ]
    assert districts.read_units("")[1][0].problem == "the list is empty"
    again, none = districts.read_units(districts.units_text(units))
    assert again == units and none == []


def test_the_administrator_corrects_a_region_in_the_portal(app, client, login):
    admin = login("admin")
    page = client.get("/admin/districts?region=Қостанай облысы&lang=kk").get_data(as_text=True)
    assert "Алтынсарин ауданы | Алтынсаринский район" in page
    text = districts.units_text(districts.units_of("Қостанай облысы"))
    bad = client.post("/admin/districts", data={"region": "Қостанай облысы", "units": text + "\nБұзық жол"})
    assert bad.status_code == 422 and "21" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DistrictCorrection)) == 0
    renamed = text.replace("Федоров ауданы | Федоровский район", "Жаңа ауданы | Новый район")
    assert client.post("/admin/districts", data={"region": "Қостанай облысы", "units": renamed}).status_code == 302
    assert [u.kk for u in registry.units("Қостанай облысы")][-1] == "Жаңа ауданы"
    assert districts.units_of("Қостанай облысы")[-1].kk == "Федоров ауданы"  # the shipped file is untouched
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "districts.corrected"))
    assert entry.user_id == admin.id and entry.details["added"] == ["Жаңа ауданы"]
    assert entry.details["removed"] == ["Федоров ауданы"]
    # the bodies the corrected list stands for
    assert client.post("/admin/districts/bodies", data={"region": "Қостанай облысы"}).status_code == 302
    names = set(db.session.scalars(select(Body.name).where(Body.region == "Қостанай облысы")))
    assert "Жаңа ауданының білім бөлімі" in names and "Жаңа ауданының әкімдігі" in names
    assert "Федоров ауданының білім бөлімі" not in names
    login("coordinator")
    assert client.get("/admin/districts").status_code == 403
    assert client.post("/admin/districts", data={"region": "Қостанай облысы", "units": text}).status_code == 403


def organisations_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Атауы", "Наименование на русском", "Аудан", "Жоғары тұрған орган"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str, region: str = "Қостанай облысы"):
    return client.post("/admin/organisations", data={"region": region, "document": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_organisation_list_with_errors_stores_nothing_and_names_each_row(app, client, login):
    login("admin")
    before = db.session.scalar(select(func.count()).select_from(Body))
    answer = upload(client, organisations_xlsx([
        ["№1 мектеп (СИНТЕТИКА)", "Школа №1", "Алтынсарин ауданы", None],
        [None, "Школа без имени", "Алтынсарин ауданы", None],
        ["№3 мектеп (СИНТЕТИКА)", None, "Ойдан шыққан ауданы", None],
        ["№1 мектеп (СИНТЕТИКА)", None, "Алтынсарин", None],
        ["№5 мектеп (СИНТЕТИКА)", None, "Рудный қаласы", "Жоқ орган"],
    ]), "schools.xlsx")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for row in ("3-жол", "4-жол", "5-жол", "6-жол"):
        assert row in page or row.replace("-жол", "") in page
    assert "Ойдан шыққан ауданы" in page and "Жоқ орган" in page
    assert db.session.scalar(select(func.count()).select_from(Body)) == before  # nothing half-written
    for bad, name in ((b"", "empty.csv"), (b"x;y\n1;2\n", "nothing.csv"), (b"PK\x03\x04broken", "broken.xlsx"),
                      (b"%PDF-1.4", "list.pdf")):
        answer = upload(client, bad, name)
        assert answer.status_code == 422, name
    assert db.session.scalar(select(func.count()).select_from(Body)) == before


def test_an_organisation_list_places_each_school_under_its_district(app, client, login):
    login("admin")
    csv_data = ("Атауы,Орысша атауы,Аудан\n"
                "№1 мектеп (СИНТЕТИКА),Школа №1 (СИНТЕТИКА),Рудный қаласы\n"
                "Колледж (СИНТЕТИКА),,Рудный\n").encode()
    assert upload(client, csv_data, "list.csv").status_code == 302
    rudny = db.session.scalar(select(Body).where(Body.name == "Рудный қаласының білім бөлімі"))
    schools = db.session.scalars(select(Body).where(Body.parent_id == rudny.id).order_by(Body.name)).all()
    assert [(s.name, s.level, s.district) for s in schools] == [
        ("Колледж (СИНТЕТИКА)", "organisation", "Рудный қаласы"),
        ("№1 мектеп (СИНТЕТИКА)", "organisation", "Рудный қаласы")]
    # the same list again updates, it does not duplicate
    assert upload(client, csv_data, "list.csv").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Body).where(Body.parent_id == rudny.id)) == 2
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "organisations.imported")).all()
    assert [(e.details["created"], e.details["updated"]) for e in entries] == [(2, 0), (0, 2)]


def test_the_administrator_places_a_body_above_another(app, client, login):
    login("admin")
    ministry = Body(name="Оқу-ағарту министрлігі (СИНТЕТИКА)", region="Қазақстан Республикасы", identity="m:test")
    region_body = Body(name="Білім басқармасы (СИНТЕТИКА)", region="Қостанай облысы", identity="education:test")
    db.session.add_all([ministry, region_body])
    db.session.commit()
    assert ministry.level == "national" and region_body.level == "region"  # placed by their region
    answer = client.post(f"/admin/bodies/{region_body.id}/place",
                         data={"level": "region", "parent": str(ministry.id), "district": ""})
    assert answer.status_code == 302
    assert db.session.get(Body, region_body.id).parent_id == ministry.id
    loop = client.post(f"/admin/bodies/{ministry.id}/place",
                       data={"level": "national", "parent": str(region_body.id), "district": ""})
    assert loop.status_code == 422 and db.session.get(Body, ministry.id).parent_id is None
    assert client.post(f"/admin/bodies/{ministry.id}/place",
                       data={"level": "national", "parent": "999999", "district": ""}).status_code == 422
