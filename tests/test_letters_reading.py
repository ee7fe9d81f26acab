"""Letters read by the pure reader (tracker.letters.reading): the two seed stacks, newest on top,
as chains of letters each with its own number, date, issuer and addressees; the ministry's
projects and their regions; the stages and the reply with their dates; the programme passed down
with its reporting duties and indicators; the same reading from Word and PDF; bad input."""

import io
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tracker.letters.places import REGIONS
from tracker.letters.reading import DocumentKind, LetterFormatError, TaskKind, read_letters, read_text

ROOT = Path(__file__).resolve().parent.parent
LETTERS = Path(__file__).resolve().parent / "letters"
#: seed 002: the district's letter to schools on top, the akimat's 03-4279 under it, the ministry's at the bottom
MINISTRY = LETTERS / "ministry-assignment-002.txt"
#: seed 000: the district's letter, the regional department's 03-2530 (with the district's incoming
#: stamp), the police department's letter and its programme
PROGRAMME = LETTERS / "police-programme-000.txt"


def chain_of(path: Path, **kwargs):
    return read_letters(path.read_bytes(), path.name, **kwargs)


def fields(warnings, position):
    return [w.field for w in warnings if w.letter == position]


# --- seed 002: the ministry's assignment passed down ---------------------------------------------


@pytest.fixture(scope="module")
def ministry():
    return chain_of(MINISTRY, today=date(2026, 12, 1))


def test_the_stack_is_one_chain_of_three_letters_newest_on_top(ministry):
    district, akimat, root = ministry.letters
    assert [letter.position for letter in ministry.letters] == [0, 1, 2]
    assert ministry.root is root and ministry.kind == DocumentKind.ASSIGNMENT

    assert district.issuer == "Т.Рысқұлов ауданы білім бөлімі"  # no blank: the text names its sender
    assert (district.number, district.date) == (None, None)  # the seed's top letter has neither
    assert {"number", "date"} <= set(fields(ministry.warnings, 0))
    assert district.addressees == ["МЕКТЕП БАСШЫЛАРЫНА"]
    assert district.basis.number == "03-4279"

    assert akimat.issuer_name == "ЖАМБЫЛ ОБЛЫСЫ ӘКІМІНІҢ АППАРАТЫ"
    assert "АППАРАТ АКИМА ЖАМБЫЛСКОЙ ОБЛАСТИ" in akimat.issuer_ru
    assert (akimat.number, akimat.date) == ("03-4279", date(2024, 5, 1))
    assert akimat.addressees == ["Тараз қаласы мен аудандардың әкімдеріне", "Мемлекеттік органдардың басшыларына"]
    assert akimat.region == "Жамбыл облысы"
    assert (akimat.basis.number, akimat.basis.date) == ("3-05-4/3494-И", date(2024, 5, 24))
    assert akimat.basis.issuer == "Қазақстан Республикасы Оқу-ағарту министрлігі"

    # The ministry's blank leaves "№ ____": its number and date come from the akimat's citation.
    assert root.issuer == "Қазақстан Республикасының Оқу-ағарту министрлігі"
    assert (root.number, root.date) == ("3-05-4/3494-И", date(2024, 5, 24))
    assert root.inferred == ["number", "date"]
    assert root.addressees == ["Облыстардың, Астана, Алматы және Шымкент қалаларының әкімдіктері"]
    assert (root.basis.number, root.basis.date) == ("23-63-8.19", date(2023, 2, 2))


def test_every_region_and_city_of_republican_significance_receives_it(ministry):
    assert ministry.root.recipients == [place.name for place in REGIONS]
    assert len(ministry.root.recipients) == 20
    assert {"Астана қаласы", "Алматы қаласы", "Шымкент қаласы", "Алматы облысы"} <= set(ministry.root.recipients)


def test_ten_projects_each_carried_by_a_pair_of_regions(ministry):
    projects = [task for task in ministry.root.tasks if task.kind == TaskKind.PROJECT]
    assert len(projects) == 10
    assert all(len(task.regions) == 2 for task in projects)
    carried = [region for task in projects for region in task.regions]
    assert sorted(carried) == sorted(ministry.root.recipients)  # each region carries exactly one project
    mediation = next(task for task in projects if "медиация" in task.text)
    assert mediation.regions == ["Жамбыл облысы", "Қарағанды облысы"]
    assert next(t for t in projects if "Ұлытау облысы" in t.regions).regions == ["Ұлытау облысы", "Астана қаласы"]
    assert next(t for t in projects if "Шымкент қаласы" in t.regions).regions == ["Алматы қаласы", "Шымкент қаласы"]
    assert next(t for t in projects if "Алматы облысы" in t.regions).regions == ["Батыс Қазақстан облысы",
                                                                                  "Алматы облысы"]


def test_the_three_stages_and_the_reply_have_their_dates(ministry):
    root = ministry.root
    stages = [task for task in root.tasks if task.kind == TaskKind.STAGE]
    assert [task.deadline.written for task in stages] == [
        "2024 жылғы 25 желтоқсанға дейін", "2025-2026 жылдар", "2026 жылғы 1 желтоқсан"]
    assert [task.deadline.due_dates for task in stages] == [
        [date(2024, 12, 25)], [date(2025, 12, 31), date(2026, 12, 31)], [date(2026, 12, 1)]]
    assert stages[0].text.startswith("1 кезең: жобаны дайындау")
    # "ағымдағы жылғы 27 мамырға дейінгі мерзімде": 27 May of the letter's year, sent to the ministry
    assert root.reply.deadline.written == "ағымдағы жылғы 27 мамырға дейінгі мерзімде"
    assert root.reply.deadline.text == "2024 жылғы 27 мамырға дейінгі мерзімде"
    assert root.reply.date == date(2024, 5, 27)
    assert root.reply.to == root.issuer
    assert len(root.reply.items) == 2 and "Министрлікке" in root.reply.items[0]


def test_inconsistencies_a_person_should_see_are_warnings(ministry):
    akimat = ministry.letters[1]
    basis = [w for w in ministry.warnings if w.letter == akimat.position and w.field == "basis"]
    assert basis and "2024-05-01" in basis[0].message and "2024-05-24" in basis[0].message
    reply = [w.message for w in ministry.warnings if w.letter == 2 and w.field == "reply"]
    assert reply and "2024-05-27" in reply[0]  # already past on the portal's day
    # …and only then: read on the letter's own day there is nothing past about it
    assert not [w for w in chain_of(MINISTRY, today=date(2024, 5, 25)).warnings if w.field == "reply"]


def test_the_json_has_the_proposal_keys(ministry):
    data = ministry.to_json()
    assert {"issuer", "number", "date", "basis", "addressees", "tasks", "reply_due", "warnings", "chain"} <= set(data)
    assert data["number"] == "3-05-4/3494-И" and data["date"] == "2024-05-24"
    assert data["basis"] == {"issuer": "Қазақстан Республикасы Президенті Әкімшілігі Басшысы", "number": "23-63-8.19",
                             "date": "2023-02-02", "kind": "хаттамалық"}
    assert data["reply_due"]["date"] == "2024-05-27"
    stage = next(t for t in data["tasks"] if t["kind"] == "stage" and t["deadline"]["text"] == "2025-2026 жылдар")
    assert stage["deadline"]["due_dates"] == ["2025-12-31", "2026-12-31"]
    assert [letter["number"] for letter in data["chain"]] == [None, "03-4279", "3-05-4/3494-И"]
    json.dumps(data, ensure_ascii=False)  # all of it serialisable


# --- seed 000: a programme passed down ---------------------------------------------------------------


@pytest.fixture(scope="module")
def programme():
    return chain_of(PROGRAMME, today=date(2026, 12, 1))


def test_the_programme_is_passed_from_the_police_through_the_regional_department(programme):
    district, department, police = programme.letters
    assert programme.kind == DocumentKind.PROGRAMME

    assert district.issuer == "Т. Рысқұлов ауданының білім бөлімі"
    assert district.addressees == ["Білім беру мекемелерінің басшыларына"]
    assert "number" in fields(programme.warnings, 0)  # "2947" alone after the signature is pointed out
    assert any("2947" in w.message for w in programme.warnings if w.letter == 0)

    assert department.issuer_name == "ЖАМБЫЛ ОБЛЫСЫ ӘКІМДІГІНІҢ БІЛІМ БАСҚАРМАСЫ"
    assert (department.number, department.date) == ("03-2530", date(2026, 5, 5))
    assert department.addressees == ["Тараз қаласы мен аудандық білім бөлімдерінің басшыларына",
                                     "Колледждердің басшыларына", "Білім басқармасына қарасты мекемелердің басшыларына"]
    # the district's incoming stamp, which stands between this letter and the police blank
    assert department.received.number == "121" and department.received.date == date(2026, 5, 8)
    assert "БІЛІМ БӨЛІМІ" in department.received.holder
    assert police.received is None

    assert police.issuer_name == "ЖАМБЫЛ ОБЛЫСЫНЫҢ ПОЛИЦИЯ ДЕПАРТАМЕНТІ"
    assert (police.number, police.date) == ("5/1-5-42/515-И", date(2026, 4, 7))  # from 03-2530's citation
    assert police.inferred == ["number", "date"]
    assert police.addressees == ["Жамбыл облысы әкімінің орынбасары"]  # the position, not the official's name
    assert police.copies == ["Жамбыл облысы әкімдігі білім басқармасының басшысы"]
    assert police.recipients == ["Жамбыл облысы"]


def test_the_programme_s_reporting_duties_and_indicators(programme):
    police = programme.root
    reports = [task for task in police.tasks if task.kind == TaskKind.REPORT]
    monthly = [task for task in reports if task.deadline.written == "ай сайын"]
    assert [task.executors for task in monthly] == [
        "ішкі істер органдары", "білім басқармасы", "денсаулық сақтау басқармасы", "әлеуметтік қорғау органдары",
        "кемелетке толмағандардың істері және олардың құқықтарын қорғау жөніндегі комиссиялар"]
    # monthly from the letter's month (April 2026) to the end of its year
    assert monthly[0].deadline.due_dates[0] == date(2026, 4, 30)
    assert monthly[0].deadline.due_dates[-1] == date(2026, 12, 31)
    assert len(monthly[0].deadline.due_dates) == 9
    quarterly = next(task for task in reports if task.deadline.written == "тоқсан сайын")
    assert quarterly.deadline.due_dates == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert quarterly.executors.startswith("ішкі істер органдары, білім басқармасы")
    # the stages count from each child's admission: the programme's words, never a date
    stages = [task for task in police.tasks if task.kind == TaskKind.STAGE]
    assert [task.deadline.written for task in stages] == ["10 күнге дейін", "3–6 ай", "12 айға дейін"]
    assert all(task.per_case and not task.deadline.due_dates and not task.goes_on_control for task in stages)
    assert programme.programme.indicators[0] == "қайталама қылмыстылықтың кемінде 20%-ға төмендеуі"
    assert len(programme.programme.indicators) == 5
    assert len(programme.programme.responsible) == 5


def test_no_name_of_a_person_is_kept_only_positions_and_initials(ministry, programme):
    """Signatories by position, clerks by initials and office phone, addressees without the names
    of the officials written to."""
    text = json.dumps([ministry.to_json(), programme.to_json()], ensure_ascii=False)
    for name in ("Оспан", "Нұржан", "Календеров", "Садырқұлов", "Сванов", "Джамбулбаева", "Самылтыров", "Атенов",
                 "Керімбеков", "Салемов", "Оршыбеков", "Абдикаримов", "Пирматов"):
        assert name not in text, name
    assert ministry.root.signatory == "Вице-министр"
    assert ministry.root.clerk == "Ж.Н., 8 7172 74 19 94"
    assert ministry.letters[0].clerk == "Д., 2-14-10"
    assert programme.letters[1].signatory == "Басшының орынбасары"
    assert programme.root.clerk == "А.П."


# --- the same letters in Word and PDF ---------------------------------------------------------------


def _as_docx(text: str, blank_as_table: bool = False) -> bytes:
    """The seed text as a Word letter: paragraphs as written (soft line breaks kept); optionally
    each blank laid out as Word letters do, a table with the Kazakh and the Russian name side by side."""
    import re

    import docx

    document = docx.Document()
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    index = 0
    while index < len(blocks):
        block = re.sub(r"\*\*|^#+\s*|\\", "", blocks[index], flags=re.MULTILINE).replace("*", "")
        following = re.sub(r"\*\*|\\", "", blocks[index + 1]) if index + 1 < len(blocks) else ""
        if blank_as_table and ("МЕКЕМЕСІ" in block and "УЧРЕЖДЕНИЕ" in following):
            table = document.add_table(rows=1, cols=3)
            table.cell(0, 0).text = block.strip()
            table.cell(0, 2).text = following.strip()
            index += 2
            continue
        paragraph = document.add_paragraph()
        for number, line in enumerate(block.strip().split("\n")):
            if number:
                paragraph.add_run().add_break()
            paragraph.add_run(line.strip())
        index += 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _summary(chain):
    return [(letter.issuer_name, letter.number, letter.date, letter.addressees, letter.copies, letter.recipients,
             [(b.issuer, b.number, b.date) for b in letter.bases],
             [(t.kind, t.text, t.deadline.due_dates if t.deadline else None, t.regions) for t in letter.tasks],
             letter.reply.date if letter.reply else None, letter.signatory, letter.clerk,
             letter.received.to_json() if letter.received else None) for letter in chain.letters]


@pytest.mark.parametrize("seed", [MINISTRY, PROGRAMME], ids=["002", "000"])
@pytest.mark.parametrize("blank_as_table", [False, True], ids=["paragraphs", "blank-table"])
def test_a_word_letter_reads_as_its_text(seed, blank_as_table):
    text = seed.read_text(encoding="utf-8")
    docx_chain = read_letters(_as_docx(text, blank_as_table), "letter.docx")
    assert docx_chain.source_format == "docx"
    assert _summary(docx_chain) == _summary(chain_of(seed))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: no PDF to read")
@pytest.mark.parametrize("seed", [MINISTRY, PROGRAMME], ids=["002", "000"])
def test_a_pdf_letter_reads_as_its_text(seed, tmp_path):
    """The Word letter printed to PDF by LibreOffice, read back through the PDF reader."""
    (tmp_path / "letter.docx").write_bytes(_as_docx(seed.read_text(encoding="utf-8")))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "letter.docx")],
                   check=True, capture_output=True, timeout=120)
    pdf_chain = read_letters((tmp_path / "letter.pdf").read_bytes(), "letter.pdf")
    assert pdf_chain.source_format == "pdf"
    assert _summary(pdf_chain) == _summary(chain_of(seed))


# --- small letters: deadlines, stamps, bad input ------------------------------------------------------


def letter(number_line="№ 3-05-4/1000-И от 20.05.2024", instruction="", addressee="Облыстардың әкімдіктері",
           stamp=""):
    return f"""ҚАЗАҚСТАН РЕСПУБЛИКАСЫ
ОҚУ-АҒАРТУ МИНИСТРЛІГІ

МИНИСТЕРСТВО ПРОСВЕЩЕНИЯ
РЕСПУБЛИКИ КАЗАХСТАН

010000, Астана қаласы, «Министрліктер Үйі»

{number_line}
{stamp}
{addressee}

Қазақстан Республикасының Оқу-ағарту министрлігі кәмелетке толмағандар арасындағы құқық бұзушылықтың алдын алу жөніндегі жұмысты күшейту мақсатында төмендегілерді хабарлайды.

{instruction}

Вице-министр

Е. Оспан

Орын.: Ж.Нұржан тел.: 8 7172 74 19 94
"""


def warning_messages(chain, field_name):
    return [w.message for w in chain.warnings if w.field == field_name]


def test_a_deadline_without_a_year_is_in_the_letter_s_year():
    chain = read_text(letter(instruction="Жұмыс жоспарын 1 маусымға дейін бекітуді тапсырамын."))
    task = chain.root.tasks[0]
    assert task.deadline.text == "2024 жылғы 1 маусымға дейін"
    assert task.deadline.due_dates == [date(2024, 6, 1)]
    # written on 20 May: "15 қаңтарға дейін" is next January, not one already gone
    later = read_text(letter(instruction="Жоспарды 15 қаңтарға дейін бекітуді тапсырамын."))
    assert later.root.tasks[0].deadline.due_dates == [date(2025, 1, 15)]


def test_working_days_count_from_the_receipt_on_the_stamp():
    """Received on Friday 24 May 2024: three working days end on Wednesday 29 May."""
    chain = read_text(letter(instruction="Аталған ақпаратты 3 жұмыс күні ішінде ұсынуды сұраймыз.",
                             stamp="КІРІС № 77\n24.05.2024 ж."))
    root = chain.root
    assert (root.received.number, root.received.date) == ("77", date(2024, 5, 24))
    assert root.reply.deadline.counted_from == date(2024, 5, 24)
    assert root.reply.date == date(2024, 5, 29)
    # without a stamp it counts from the letter's date, and says so
    unstamped = read_text(letter(instruction="Аталған ақпаратты 3 жұмыс күні ішінде ұсынуды сұраймыз."))
    assert unstamped.root.reply.date == date(2024, 5, 23)
    assert any("not stamped" in m for m in warning_messages(unstamped, "reply"))


def test_a_reply_already_past_when_the_letter_was_received_is_a_warning():
    chain = read_text(letter(instruction="Ақпаратты 2024 жылғы 22 мамырға дейін жолдауды сұраймыз.",
                             stamp="КІРІС № 78\n24.05.2024 ж."))
    assert chain.root.reply.date == date(2024, 5, 22)
    assert any("2024-05-22" in m and "received on 2024-05-24" in m for m in warning_messages(chain, "reply"))


def test_a_letter_with_no_date_is_a_warning_and_its_deadlines_give_no_date():
    chain = read_text(letter(number_line="№ 12-34", instruction="Жұмыс жоспарын 1 маусымға дейін бекітуді тапсырамын."))
    assert chain.root.number == "12-34" and chain.root.date is None
    assert warning_messages(chain, "date") == ["the letter has no date"]
    assert chain.root.tasks[0].deadline.due_dates == []
    assert any("year is unknown" in m for m in warning_messages(chain, "task:1"))


def test_an_unreadable_date_is_a_warning_naming_it():
    chain = read_text(letter(number_line="№ 03-4279 от 31.02.2024"))
    assert chain.root.date is None
    assert warning_messages(chain, "date") == ["the date «31.02.2024» is not a date that exists: enter the letter's date"]


def test_a_letter_with_no_recognisable_task_is_a_warning():
    chain = read_text(letter(instruction=""))
    assert warning_messages(chain, "tasks") == [
        "no task with a deadline was recognised in the instruction: add the tasks to put on control"]


def test_a_document_that_is_not_a_letter_gets_one_clear_line():
    with pytest.raises(LetterFormatError, match="is not a letter: no addressee, outgoing number or signature"):
        read_text("Бұл жай мәтін, хат емес. Мұнда ешқандай нөмір де, адресат та жоқ, тек сөйлемдер бар.", "notes.txt")
    with pytest.raises(LetterFormatError, match="is a plan table, not a letter"):
        chain_of(ROOT / "plans" / "kostanay-2019-2021.txt")
    with pytest.raises(LetterFormatError, match="is an order, not a letter"):
        read_text("Бірлескен бұйрық\n\n1. Қоса беріліп отырған қағидалар бекітілсін. Осыған байланысты БҰЙЫРАМЫЗ: "
                  "қағидаларды бекіту және оларды орындауды қамтамасыз ету.", "order.txt")
    with pytest.raises(LetterFormatError, match="is empty"):
        read_letters(b"   \n", "empty.txt")


def test_a_letter_carrying_an_iin_is_refused_with_the_number_masked():
    from tests.test_personal_data import make_iin

    number = make_iin(date(2091, 3, 15))  # born in the 2090s: nobody's number
    with pytest.raises(LetterFormatError, match="IIN") as raised:
        read_text(letter(instruction=f"Баланың ЖСН {number} туралы ақпаратты 1 маусымға дейін ұсынуды сұраймыз."))
    assert number not in str(raised.value)


def test_the_reader_loads_without_flask_or_the_database():
    probe = ("import sys; import tracker.letters.reading, tracker.letters.places; "
             "print(sorted(m for m in ('flask', 'flask_babel', 'flask_sqlalchemy', 'sqlalchemy', 'werkzeug') "
             "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_a_russian_letter_reads_the_same_way():
    chain = read_text("""МИНИСТЕРСТВО ПРОСВЕЩЕНИЯ
РЕСПУБЛИКИ КАЗАХСТАН

№ 3-05-4/1000 от 20.05.2024

Акиматам областей, городов Астаны, Алматы и Шымкента

Во исполнение письма Администрации Президента Республики Казахстан от 02.02.2023 года № 23-63 Министерство просвещения сообщает о необходимости принять меры по реализации проектов.

Просим в срок до 27 мая текущего года направить информацию в Министерство.

Вице-министр

Е. Оспан

Исп.: Ж.Нұржан тел.: 8 7172 74 19 94
""")
    root = chain.root
    assert root.issuer == "МИНИСТЕРСТВО ПРОСВЕЩЕНИЯ РЕСПУБЛИКИ КАЗАХСТАН"
    assert (root.number, root.date) == ("3-05-4/1000", date(2024, 5, 20))
    assert root.recipients == [place.name for place in REGIONS]  # 17 regions, then the three cities
    assert (root.basis.issuer, root.basis.number, root.basis.date) == (
        "Администрации Президента Республики Казахстан", "23-63", date(2023, 2, 2))
    assert root.reply.deadline.text == "в срок до 27 мая 2024 года" and root.reply.date == date(2024, 5, 27)
    assert (root.signatory, root.clerk) == ("Вице-министр", "Ж.Н., 8 7172 74 19 94")
