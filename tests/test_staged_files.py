"""Files attached to a report form that comes back with an error are kept: listed as already
attached, sent with the report on the next send of the same form, only ever for the person who
attached them, checked like any evidence before they are kept, removed once the report is stored
or after a day."""

import html
import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.evidence_files import PNG, tiny_pdf
from tests.test_reports import TODAY, lead_case, lead_reports, use_english
from tracker.extensions import db
from tracker.reports.models import CompletionReport, Evidence

#: where the kept files live under EVIDENCE_DIR (tracker.reports.staged_files.STAGED)
STAGED = ".staged"
PROTOCOL = tiny_pdf("Seminar protocol, 12 March")
PHOTO = PNG


@pytest.fixture(autouse=True)
def english(app):
    use_english(app)


@pytest.fixture
def case(app, seed_plans):
    app.config["TODAY"] = TODAY
    return lead_case(seed_plans)


def form_token(client, obligation_id: int) -> str:
    page = client.get(f"/obligations/{obligation_id}").get_data(as_text=True)
    return token_in(page)


def token_in(page: str) -> str:
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)


def send(client, obligation_id: int, token: str, text: str = "", files=(), confirm: bool = True, unstage=()):
    data = {"text": text, "links": "", "submission_token": token}
    if confirm:
        data["no_personal_data"] = "y"
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    if unstage:
        data["unstage"] = list(unstage)
    return client.post(f"/obligations/{obligation_id}/reports", data=data, content_type="multipart/form-data")


def kept(page: str) -> list[tuple[str, str]]:
    """(file name, its remove checkbox's value) of each file the form lists as already attached."""
    box = re.search(r'<div class="field staged-files" id="staged-files">(.*?)</div>', page, re.S)
    if box is None:
        return []
    return [(html.unescape(name), value) for name, value in re.findall(
        r'<span class="file-name">(.*?)</span>.*?name="unstage" value="([0-9a-f]{32})"', box.group(1), re.S)]


def staged_on_disk(app) -> list[Path]:
    root = Path(app.config["EVIDENCE_DIR"]) / STAGED
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_file_sent_with_a_refused_form_is_kept_and_goes_with_the_report(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    token = form_token(client, case.obligation.id)

    refused = send(client, case.obligation.id, token, text="", files=[("protocol.pdf", PROTOCOL)])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert [name for name, _id in kept(page)] == ["protocol.pdf"]
    assert "Already attached" in page and "Attached files are not kept" not in page
    assert re.search(r'<span class="file-name">protocol.pdf</span> <small>\(PDF, [^)]+\)</small>', page)
    assert token_in(page) == token  # the form comes back with its token: the files stay its own
    assert count(CompletionReport) == 0 and count(Evidence) == 0
    assert [p.read_bytes() for p in staged_on_disk(app) if p.suffix == ".pdf"] == [PROTOCOL]

    # The text is written now; no file is attached again.
    stored = send(client, case.obligation.id, token, text="Held a seminar for school psychologists.")
    assert stored.status_code == 302, stored.get_data(as_text=True)[-800:]
    [report] = lead_reports(case.obligation)
    [evidence] = report.evidence
    assert evidence.original_name == "protocol.pdf" and evidence.kind == "pdf"
    assert (Path(app.config["EVIDENCE_DIR"]) / evidence.stored_name).read_bytes() == PROTOCOL
    assert staged_on_disk(app) == []  # nothing stays kept once the report is stored
    assert not (Path(app.config["EVIDENCE_DIR"]) / STAGED / token).exists()


def test_a_form_refused_by_the_report_rules_keeps_its_files_too(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    token = form_token(client, case.obligation.id)
    refused = send(client, case.obligation.id, token, text="Done.", files=[("protocol.pdf", PROTOCOL)], confirm=False)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Confirm that the report names no minor" in page
    assert [name for name, _id in kept(page)] == ["protocol.pdf"]
    assert send(client, case.obligation.id, token, text="Done.").status_code == 302
    assert [e.original_name for e in lead_reports(case.obligation)[0].evidence] == ["protocol.pdf"]
    assert staged_on_disk(app) == []


def test_only_the_person_who_attached_them_can_use_the_kept_files(app, client, case, make_user, login):
    owner = make_user("executor", body=case.lead_body)
    colleague = make_user("executor", body=case.lead_body)  # the same body: may report on the due date
    login(owner)
    token = form_token(client, case.obligation.id)
    assert send(client, case.obligation.id, token, files=[("protocol.pdf", PROTOCOL)]).status_code == 422
    before = {p: p.read_bytes() for p in staged_on_disk(app)}

    login(colleague)
    taken = send(client, case.obligation.id, token, text="Sent with someone else's form token.")
    assert taken.status_code == 422  # a lead report needs evidence: the owner's file is not theirs
    page = taken.get_data(as_text=True)
    assert "Attach at least one evidence file" in page and kept(page) == []
    assert token_in(page) != token  # their form gets a token of its own
    assert count(CompletionReport) == 0 and count(Evidence) == 0
    assert {p: p.read_bytes() for p in staged_on_disk(app) if p in before} == before  # untouched

    # The owner, on another due date with the same token, finds nothing either.
    login(owner)
    other = next(o for o in case.activity.obligations if o.id != case.obligation.id)
    elsewhere = send(client, other.id, token, text="The same token on another due date.")
    assert elsewhere.status_code == 422 and kept(elsewhere.get_data(as_text=True)) == []
    assert count(CompletionReport) == 0

    # On its own form the file is still there and goes with the report.
    assert send(client, case.obligation.id, token, text="Held a seminar.").status_code == 302
    [report] = lead_reports(case.obligation)
    assert [e.original_name for e in report.evidence] == ["protocol.pdf"]
    assert [p for p in staged_on_disk(app) if token in str(p)] == []


def test_a_refused_file_is_never_kept(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    token = form_token(client, case.obligation.id)
    response = send(client, case.obligation.id, token, files=[("protocol.pdf", PROTOCOL), ("virus.pdf", b"MZ\x90\x00 not a pdf"),
                                                               ("empty.png", b"")])
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "«virus.pdf» is not a PDF, Word, Excel, JPEG or PNG file" in page and "«empty.png» is empty." in page
    assert [name for name, _id in kept(page)] == ["protocol.pdf"]
    assert [p.read_bytes() for p in staged_on_disk(app) if p.name != "manifest.json"] == [PROTOCOL]


def test_a_kept_file_ticked_remove_is_not_sent(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    token = form_token(client, case.obligation.id)
    page = send(client, case.obligation.id, token, files=[("protocol.pdf", PROTOCOL), ("photo.png", PHOTO)]).get_data(
        as_text=True)
    ids = dict(kept(page))
    assert set(ids) == {"protocol.pdf", "photo.png"}
    response = send(client, case.obligation.id, token, text="Held a seminar.", unstage=[ids["photo.png"]])
    assert response.status_code == 302
    assert [e.original_name for e in lead_reports(case.obligation)[0].evidence] == ["protocol.pdf"]
    assert staged_on_disk(app) == []


def test_kept_files_are_removed_after_a_day(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    old_token = form_token(client, case.obligation.id)
    send(client, case.obligation.id, old_token, files=[("protocol.pdf", PROTOCOL)])
    assert staged_on_disk(app)
    two_days_ago = time.time() - 2 * 24 * 3600
    folder = Path(app.config["EVIDENCE_DIR"]) / STAGED / old_token
    for path in [folder, *folder.iterdir()]:
        os.utime(path, (two_days_ago, two_days_ago))
    # a fresh form a day later, refused too: its own file is kept, the old form's is gone
    fresh = form_token(client, case.obligation.id)
    page = send(client, case.obligation.id, fresh, files=[("photo.png", PHOTO)]).get_data(as_text=True)
    assert [name for name, _id in kept(page)] == ["photo.png"]
    assert not folder.exists()
    assert [p.name.endswith(".png") for p in staged_on_disk(app) if p.name != "manifest.json"] == [True]
