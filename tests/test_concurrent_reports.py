"""50 executors post completion reports at the same instant, through real HTTP to the real app in
a threaded server, over the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

30 post the first report on 30 different due dates; 10 accounts of one lead body race to post the
first report on one same due date; 10 accounts of its co-executors post their contributions to that
due date at the same moment. Afterwards: no 500 (each answer is a success or the clear refusal),
one lead report (version 1) per due date, every contribution stored once, as many reports as
successful answers, and the evidence folder holds exactly the files the Evidence rows name, each
with its checksum. A form sent twice (a double click, a retry) is stored once.
"""

import hashlib
import html
import http.client
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import event, func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import KOSTANAY, PASSWORD
from tests.evidence_files import tiny_pdf
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, Obligation
from tracker.reports.models import CompletionReport, Evidence

DISTINCT, RACERS, CONTRIBUTORS = 30, 10, 10
AWAITS_REVIEW = "A report for this due date awaits review"
TIMEOUT = 60  # seconds any one request, barrier or join may take before the test gives up


class Client:
    """One browser: its own cookies, one plain HTTP/1.1 connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()  # a double click sends from two threads with the same cookies

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            sent = dict(headers or {})
            with self.lock:
                if self.cookies:
                    sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            with self.lock:
                for cookie in response.headers.get_all("Set-Cookie") or []:
                    name, _, value = cookie.split(";", 1)[0].partition("=")
                    self.cookies[name.strip()] = value.strip()
            return response.status, text
        finally:
            connection.close()

    def sign_in(self, email: str) -> None:
        body = f"email={email}&password={PASSWORD}".encode()
        status, page = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (email, status, page[-1500:])

    def form_token(self, obligation_id: int) -> str:
        status, page = self.request("GET", f"/obligations/{obligation_id}")
        assert status == 200, page[-1500:]
        found = re.search(r'name="submission_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="submission_token"', page)
        assert found, "the report form carries no submission token"
        return html.unescape(found.group(1))


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Post:
    """One executor's report, ready to send: who, where, the body of the request."""

    group: str
    email: str
    obligation_id: int
    client: Client
    token: str = ""
    #: which report this is (the text and the file): the same number twice is the same form sent twice
    number: int = 0
    pdf: bytes = b""
    status: int = 0
    page: str = ""
    seconds: float = 0.0
    error: BaseException | None = field(default=None, repr=False)

    def prepare(self, number: int) -> tuple[bytes, str]:
        self.pdf = tiny_pdf(f"Report {number} of {self.group}")
        return multipart({"text": f"Done: report {number} ({self.group}).", "links": "", "no_personal_data": "y",
                          "submission_token": self.token}, [("files", f"report-{number}.pdf", self.pdf)])

    def send(self, body: bytes, content_type: str) -> None:
        started = time.perf_counter()
        self.status, self.page = self.client.request(
            "POST", f"/obligations/{self.obligation_id}/reports", body, {"Content-Type": content_type})
        self.seconds = time.perf_counter() - started


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # 100 lines of "POST … 302" say nothing a failure would not
        pass


@pytest.fixture
def server(app):
    """The real app in a threaded WSGI server on a free port of 127.0.0.1."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # refusals asserted in English
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(TIMEOUT)
    httpd.server_close()


def lead_and_co_bodies(activity: Activity) -> tuple[int | None, list[int]]:
    lead = {e.body_id for e in activity.executors if e.role == "lead" and e.body_id}
    co = {e.body_id for e in activity.executors if e.role != "lead" and e.body_id} - lead
    return (next(iter(lead)) if lead else None), sorted(co)


def choose_obligations():
    """The due date to race on (an activity with a resolved lead and co-executors), and DISTINCT
    other due dates with a resolved lead."""
    obligations = list(db.session.scalars(select(Obligation).order_by(Obligation.id)))
    race = next(o for o in obligations if all(lead_and_co_bodies(o.activity)))
    others = [o for o in obligations if o.id != race.id and lead_and_co_bodies(o.activity)[0]][:DISTINCT]
    assert len(others) == DISTINCT
    return race, others


def send_all_at_once(posts: list[Post]) -> None:
    """Every request prepared first, then released together by one barrier."""
    bodies = [post.prepare(post.number or number) for number, post in enumerate(posts, start=1)]
    barrier = threading.Barrier(len(posts), timeout=TIMEOUT)

    def run(post: Post, body: tuple[bytes, str]) -> None:
        try:
            barrier.wait()
            post.send(*body)
        except BaseException as error:  # reported by the test below, with the post
            post.error = error

    threads = [threading.Thread(target=run, args=(post, body), daemon=True) for post, body in zip(posts, bodies, strict=True)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 2 * TIMEOUT
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "requests still running after the time limit"
    assert not [p for p in posts if p.error], [(p.email, repr(p.error)) for p in posts if p.error]


def evidence_on_disk(app) -> dict[str, str]:
    """Every file under EVIDENCE_DIR (relative name → sha256)."""
    folder = Path(app.config["EVIDENCE_DIR"])
    if not folder.exists():
        return {}
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.rglob("*") if path.is_file()}


def assert_evidence_matches_disk(app) -> None:
    rows = {e.stored_name: e.sha256 for e in db.session.scalars(select(Evidence))}
    on_disk = evidence_on_disk(app)
    assert set(rows) - set(on_disk) == set(), "lost files: Evidence rows whose file is not on disk"
    assert set(on_disk) - set(rows) == set(), "orphan files: on disk without an Evidence row"
    assert {name: on_disk[name] for name in rows} == rows, "a stored file differs from its checksum"


def test_fifty_executors_post_at_once(app, seed_plans, make_user, server):
    seed_plans(KOSTANAY)
    race, others = choose_obligations()
    race_lead, race_co = lead_and_co_bodies(race.activity)
    posts: list[Post] = []
    for obligation in others:
        user = make_user("executor", body=db.session.get(Body, lead_and_co_bodies(obligation.activity)[0]))
        posts.append(Post("distinct", user.email, obligation.id, Client(server)))
    for _ in range(RACERS):  # several accounts of the same lead body
        posts.append(Post("race", make_user("executor", body=db.session.get(Body, race_lead)).email, race.id,
                          Client(server)))
    for number in range(CONTRIBUTORS):  # the co-executors' accounts, spread over the co-executor bodies
        user = make_user("executor", body=db.session.get(Body, race_co[number % len(race_co)]))
        posts.append(Post("contribution", user.email, race.id, Client(server)))
    assert len(posts) == 50
    obligation_ids = {race.id, *(o.id for o in others)}
    db.session.commit()  # the test's own session holds nothing while the server writes

    for post in posts:  # each signs in and opens the due date's page, as a person would
        post.client.sign_in(post.email)
        post.token = post.client.form_token(post.obligation_id)
    assert len({post.token for post in posts}) == len(posts)

    send_all_at_once(posts)

    answers = sorted({(p.group, p.status) for p in posts})
    assert all(p.status in (302, 422) for p in posts), answers
    for post in posts:
        if post.status == 422:  # only a racer that lost, told so in the usual words
            assert post.group == "race" and AWAITS_REVIEW in html.unescape(post.page), (post.email, post.page[-2000:])
    won = [p for p in posts if p.status == 302]
    assert len([p for p in won if p.group == "race"]) == 1
    assert len([p for p in won if p.group == "distinct"]) == DISTINCT
    assert len([p for p in won if p.group == "contribution"]) == CONTRIBUTORS

    db.session.expire_all()
    reports = list(db.session.scalars(select(CompletionReport).where(CompletionReport.obligation_id.in_(obligation_ids))))
    assert len(reports) == len(won) == DISTINCT + 1 + CONTRIBUTORS
    for obligation_id in obligation_ids:
        leads = [r for r in reports if r.obligation_id == obligation_id and r.kind == "lead"]
        assert [(r.version, r.state) for r in leads] == [(1, "submitted")], obligation_id
    by_token = {r.submission_token: r for r in reports}
    assert len(by_token) == len(reports)
    for post in won:  # each success is the report of that very form, with that very file
        report = by_token[post.token]
        assert report.submitted_by.email == post.email and report.obligation_id == post.obligation_id
        assert [e.sha256 for e in report.evidence] == [hashlib.sha256(post.pdf).hexdigest()]
    assert sorted(r.kind for r in reports if r.obligation_id == race.id) == ["contribution"] * CONTRIBUTORS + ["lead"]
    recorded = db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action.in_(("report.submitted", "report.contributed"))))
    assert recorded == len(reports)
    assert_evidence_matches_disk(app)
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == len(won)


def test_the_same_form_sent_again_is_stored_once(app, seed_plans, make_user, server):
    """A double click (several identical posts at once) and a retry after the answer was lost (the
    same post again later): one report, one file, and every answer leads to the stored report."""
    seed_plans(KOSTANAY)
    race, others = choose_obligations()
    cases = []  # a lead's first report, and a co-executor's contribution
    for obligation, body_id in ((others[0], lead_and_co_bodies(others[0].activity)[0]),
                                (race, lead_and_co_bodies(race.activity)[1][0])):
        client = Client(server)
        client.sign_in(make_user("executor", body=db.session.get(Body, body_id)).email)
        cases.append((obligation.id, client, client.form_token(obligation.id)))
    db.session.commit()

    for obligation_id, client, token in cases:
        clicks = [Post("double click", "", obligation_id, Client(server), token) for _ in range(5)]
        for post in clicks:
            post.client.cookies = dict(client.cookies)  # the same browser session
        pdf = tiny_pdf("Minutes of the meeting")
        body = multipart({"text": "Held the meeting.", "links": "", "no_personal_data": "y",
                          "submission_token": token}, [("files", "minutes.pdf", pdf)])
        barrier = threading.Barrier(len(clicks), timeout=TIMEOUT)

        def click(post, body=body, barrier=barrier):
            barrier.wait()
            post.send(*body)

        threads = [threading.Thread(target=click, args=(post,), daemon=True) for post in clicks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        assert not any(thread.is_alive() for thread in threads)
        retry = Post("retry", "", obligation_id, client, token)  # later, the same form once more
        retry.send(*body)

        answers = [(post.status, post.page[-1500:]) for post in [*clicks, retry]]
        assert all(status == 302 for status, _page in answers), answers
        db.session.expire_all()
        stored = list(db.session.scalars(select(CompletionReport).where(CompletionReport.obligation_id == obligation_id)))
        assert len(stored) == 1 and stored[0].submission_token == token
        assert [e.sha256 for e in stored[0].evidence] == [hashlib.sha256(pdf).hexdigest()]
        assert_evidence_matches_disk(app)
        # The retry's answer says it was already received (one flash message, on the next page).
        assert "already received" in client.request("GET", f"/obligations/{obligation_id}")[1]

    # The co-executor's page offers a fresh form: a second, different contribution is a new report.
    obligation_id, client, token = cases[1]
    assert client.form_token(obligation_id) != token
    # A token is the form's, not a key to someone else's report: sent by another account it is refused.
    stolen = Post("stolen", "", obligation_id, client, cases[0][2])
    stolen.send(*multipart({"text": "Ours.", "links": "", "no_personal_data": "y", "submission_token": cases[0][2]},
                           [("files", "ours.pdf", tiny_pdf("Ours"))]))
    assert stolen.status == 422 and "already used to send another report" in html.unescape(stolen.page)
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == len(cases)


@pytest.mark.parametrize("who", ["two lead executors", "one double click"])
def test_both_read_before_either_writes(app, seed_plans, make_user, server, who):
    """The narrowest race, made certain: both requests have read that nothing is stored yet before
    either writes (each waits at its flush for the other). The database's unique index refuses the
    second INSERT; the loser's file is removed and its answer is the refusal (two executors) or the
    stored report (the same form twice) — never a 500, never a second row."""
    seed_plans(KOSTANAY)
    _race, others = choose_obligations()
    obligation = others[0]
    lead = db.session.get(Body, lead_and_co_bodies(obligation.activity)[0])
    posts = []
    for _ in range(2):
        if who == "two lead executors" or not posts:
            client = Client(server)
            email = make_user("executor", body=lead).email
            client.sign_in(email)
            token = client.form_token(obligation.id)
        posts.append(Post("race", email, obligation.id, client, token, number=1 if who == "one double click" else 0))
    db.session.commit()

    both_read = threading.Barrier(2, timeout=TIMEOUT)

    def wait_for_the_other(session, _context, _instances):
        if any(isinstance(item, CompletionReport) for item in session.new):
            both_read.wait()

    event.listen(Session, "before_flush", wait_for_the_other)
    try:
        send_all_at_once(posts)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other)

    db.session.expire_all()
    stored = list(db.session.scalars(select(CompletionReport).where(CompletionReport.obligation_id == obligation.id)))
    assert len(stored) == 1 and (stored[0].version, stored[0].kind) == (1, "lead")
    statuses = sorted(post.status for post in posts)
    if who == "two lead executors":
        assert statuses == [302, 422], statuses
        loser = next(post for post in posts if post.status == 422)
        assert AWAITS_REVIEW in html.unescape(loser.page)
        assert stored[0].submission_token == next(post for post in posts if post.status == 302).token
    else:
        assert statuses == [302, 302], [post.page[-1500:] for post in posts]
    assert_evidence_matches_disk(app)
    assert len(evidence_on_disk(app)) == 1
