"""What keeps people where they belong and the portal standing: security headers and a
Content-Security-Policy with no inline script, sign-in lockout, production cookies, safe
redirects, HTML shown as text, hostile upload names and zip bombs, and a 503 page (then a
recovery) when the database goes away."""

import contextlib
import io
import re
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import KOSTANAY, PASSWORD, ROOT, TEST_DATABASE_URL
from tests.evidence_files import PDF, tiny_pdf
from tracker.app import create_app
from tracker.core import personal_data
from tracker.core.security import CONTENT_SECURITY_POLICY
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports.models import CompletionReport, Evidence

TEMPLATES = ROOT / "templates"

# --- headers and the Content-Security-Policy -------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_page_carries_the_security_headers(client, login):
    login("auditor")
    for path in ("/", "/dashboard", "/login", "/static/tracker.css", "/nowhere"):
        response = client.get(path)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path
        policy = directives(headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path  # no inline script, no eval, no other host
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "Strict-Transport-Security" not in headers  # only in production, behind HTTPS
        response.close()


def test_no_template_has_inline_script_or_event_handlers():
    """The policy forbids them; this finds one before a browser silently refuses it."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", source):
            if "src=" not in tag:
                offenders.append((template.name, tag))
        offenders += [(template.name, m) for m in re.findall(r"\s(on[a-z]+)=", source)]
        offenders += [(template.name, m) for m in re.findall(r"javascript:", source, re.I)]
        offenders += [(template.name, m) for m in re.findall(r"<style\b", source)]
        offenders += [(template.name, m) for m in re.findall(r'hx-trigger="[^"]*\[', source)]  # filters need eval
    assert not offenders, offenders


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client):
    page = client.get("/login").get_data(as_text=True)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page).group(1)
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config
    assert "style-src-attr 'unsafe-inline'" in CONTENT_SECURITY_POLICY  # computed bar widths only


def test_production_cookies_and_transport_security(tmp_path):
    url = f"sqlite:///{tmp_path / 'production.sqlite'}"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENVIRONMENT": "production", "SECRET_KEY": "dev-only-not-secret", "SQLALCHEMY_DATABASE_URI": url})
    app = create_app({"ENVIRONMENT": "production", "SECRET_KEY": "a-long-random-secret-for-this-test",
                      "SQLALCHEMY_DATABASE_URI": url})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- sign-in lockout --------------------------------------------------------------------------


def test_repeated_failed_sign_ins_lock_the_account_and_the_address(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per 5 minutes"
    user = make_user("coordinator")
    for _ in range(3):
        response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
        assert response.status_code == 200 and "Электрондық пошта немесе құпиясөз қате" in response.get_data(as_text=True)
    locked = client.post("/login", data={"email": user.email, "password": PASSWORD})  # even the right one
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "Кіру 5 минутқа бұғатталды" in text and locked.headers.get("Retry-After")
    # from another address the account stays locked (guessing from many machines does not help) …
    elsewhere = app.test_client()
    other = {"REMOTE_ADDR": "10.1.2.3"}
    assert elsewhere.post("/login", data={"email": user.email, "password": PASSWORD}, environ_base=other).status_code == 429
    # … while another person at that other address signs in as usual
    colleague = make_user("auditor")
    response = elsewhere.post("/login", data={"email": colleague.email, "password": PASSWORD}, environ_base=other)
    assert response.status_code == 302


def test_successful_sign_ins_do_not_count(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "2 per 5 minutes"
    user = make_user("auditor")
    for _ in range(4):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        client.post("/logout")


def test_the_lockout_can_live_in_redis_for_several_workers(tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    import secrets

    from tracker.extensions import limiter

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite'}",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15", "LOGIN_RATE_LIMIT": "2 per 5 minutes",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    # An address and an account of this run only, instead of emptying a Redis other test runs share.
    run = secrets.token_hex(4)
    address = {"REMOTE_ADDR": f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"}
    try:
        answers = [app.test_client().post("/login", data={"email": f"nobody-{run}@x.example", "password": "x"},
                                          environ_base=address).status_code for _ in range(3)]
        # each request from its own client, as from several workers: the count is shared in Redis
        assert answers == [200, 200, 429]
        assert redis.Redis(db=15).keys(f"*login-account/nobody-{run}*")  # the count lives in Redis
    finally:
        ours = redis.Redis(db=15).keys(f"*nobody-{run}*") + redis.Redis(db=15).keys(f"*{address['REMOTE_ADDR']}/*")
        if ours:
            redis.Redis(db=15).delete(*ours)
        limiter.init_app(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}))  # memory storage again


# --- redirects, HTML as text -----------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "/%2F%2Fevil.example"])
def test_next_never_leaves_the_portal(client, make_user, target):
    user = make_user("auditor")
    response = client.post("/login?next=" + target, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location.split("?")[0][1:3]
    assert "evil" not in location or location.startswith("/%2F")


def test_html_in_a_plan_cell_and_in_a_report_is_shown_as_text(app, client, runner, login, make_user, tmp_path):
    plan_text = KOSTANAY.read_text(encoding="utf-8").replace(
        "\t1.1.\n\tПедагог", "\t1.1.\n\t<script>alert('plan')</script> Педагог", 1)
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(plan_text, encoding="utf-8")
    assert runner.invoke(args=["plans", "import", str(hostile)]).exit_code == 0
    activity = db.session.scalar(select(Activity).where(Activity.text.contains("<script>")))
    obligation = activity.obligations[0]
    login(make_user("executor", body=activity.executors[0].body))
    response = client.post(f"/obligations/{obligation.id}/reports", data={
        "text": "<img src=x onerror=alert('report')> done", "links": "https://example.kz/ok",
        "no_personal_data": "y", "files": [(io.BytesIO(PDF), "akt.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    for path in (f"/plans/{activity.plan_id}", f"/activities/{activity.id}", f"/obligations/{obligation.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;alert(&#39;plan&#39;)&lt;/script&gt;" in client.get(f"/activities/{activity.id}").get_data(
        as_text=True)
    assert "&lt;img src=x onerror=alert(&#39;report&#39;)&gt;" in client.get(f"/obligations/{obligation.id}").get_data(
        as_text=True)


# --- uploads: names, zip bombs, PDF text, download headers ----------------------------------


@pytest.fixture
def lead_case(app, seed_plans, make_user):
    seed_plans(KOSTANAY)
    obligation = db.session.scalar(select(Obligation).order_by(Obligation.id))
    executor = make_user("executor", body=obligation.activity.executors[0].body)
    return obligation, executor


def post(client, obligation, files, text="Атқарылды"):
    return client.post(f"/obligations/{obligation.id}/reports", data={
        "text": text, "links": "", "no_personal_data": "y", "files": files}, content_type="multipart/form-data")


def counts():
    return (db.session.scalar(select(func.count()).select_from(CompletionReport)),
            db.session.scalar(select(func.count()).select_from(Evidence)))


def test_a_hostile_file_name_is_cleaned_and_served_as_an_attachment(app, client, login, lead_case):
    obligation, executor = lead_case
    login(executor)
    name = "../../windows/акт\u202egpj.exe\x07\t.pdf"  # (a browser sends no folders; a script may)
    assert post(client, obligation, [(io.BytesIO(PDF), name)]).status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.original_name == "актgpj.exe.pdf"
    stored = Path(app.config["EVIDENCE_DIR"]) / evidence.stored_name
    assert stored.is_file() and stored.resolve().is_relative_to(Path(app.config["EVIDENCE_DIR"]).resolve())
    response = client.get(f"/evidence/{evidence.id}")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "\r" not in response.headers["Content-Disposition"] and "\n" not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == PDF
    response.close()
    client.post("/logout")
    assert client.get(f"/evidence/{evidence.id}").status_code == 302  # signed-in users only


def docx_with(member_bytes: int) -> bytes:
    """A Word file with one member of `member_bytes` zeros: deflate shrinks it to almost nothing."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", b"\0" * member_bytes)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, client, login, lead_case, monkeypatch):
    obligation, executor = lead_case
    login(executor)
    monkeypatch.setattr(personal_data, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    bomb = docx_with(8 * 1024 * 1024)
    assert len(bomb) < 60_000  # python-docx's empty document and a few kilobytes of zeros
    opened = []
    monkeypatch.setattr("docx.Document", lambda *a, **k: opened.append(1))
    response = post(client, obligation, [(io.BytesIO(bomb), "акт.docx")])
    assert response.status_code == 422
    assert "ашылмай қабылданбады" in response.get_data(as_text=True)
    assert opened == [] and counts() == (0, 0)
    assert not any(Path(app.config["EVIDENCE_DIR"]).rglob("*.docx"))


def test_an_iin_in_the_text_layer_of_a_pdf_is_refused(app, client, login, lead_case):
    from tests.test_personal_data import IIN as iin  # computed for a birth date in the 2090s: nobody's

    obligation, executor = lead_case
    login(executor)
    response = post(client, obligation, [(io.BytesIO(tiny_pdf(f"Pupil {iin} attended")), "list.pdf")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "list.pdf" in page and iin not in page and f"{iin[:2]}••••••••{iin[-2:]}" in page
    assert counts() == (0, 0)
    assert post(client, obligation, [(io.BytesIO(tiny_pdf("Seminar held for 40 teachers")), "list.pdf")]).status_code == 302


def test_a_pdf_whose_structure_cannot_be_read_is_refused_as_damaged(app, client, login, lead_case):
    obligation, executor = lead_case
    login(executor)
    response = post(client, obligation, [(io.BytesIO(b"%PDF-1.4\n garbage without pages"), "scan.pdf")])
    assert response.status_code == 422 and "scan.pdf" in response.get_data(as_text=True)
    assert counts() == (0, 0)


# --- the database goes away and comes back ------------------------------------------------


class Proxy:
    """A TCP forwarder in front of PostgreSQL that the test can cut and restore: the database
    'goes away' for the portal exactly as it does when a server restarts or a network drops."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = None
        self.connections: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
        self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.connections = []


@pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                    reason="the outage is staged in front of PostgreSQL (the PostgreSQL pass of .ci/run)")
def test_the_database_going_away_gives_a_503_and_the_portal_recovers_by_itself(app, make_user, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DATABASE_URL)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    user = make_user("auditor")
    portal = create_app({"TESTING": True, "SECRET_KEY": "outage", "WTF_CSRF_ENABLED": False,
                         "LOGIN_RATE_LIMIT": "3 per 5 minutes",
                         "SQLALCHEMY_DATABASE_URI": url.set(port=proxy.port).render_as_string(hide_password=False),
                         "EVIDENCE_DIR": str(tmp_path / "evidence")})
    client = portal.test_client()
    try:
        # each request gets its own app context (and session), as under a server
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        assert client.get("/").status_code == 200

        proxy.stop()  # the database is gone
        visitor = portal.test_client()
        for password in ("wrong-guess-1", "wrong-guess-2", "wrong-guess-3", PASSWORD):  # more than the limit
            assert visitor.post("/login", data={"email": user.email, "password": password}).status_code == 503
        for _ in range(2):
            response = client.get("/")
            assert response.status_code == 503
            page = response.get_data(as_text=True)
            assert "Дерекқор қазір қолжетімсіз" in page and "Traceback" not in page
            assert response.headers["Retry-After"] == "30"
        posted = client.post("/obligations/1/reports", data={"text": "x", "no_personal_data": "y",
                                                             "files": [(io.BytesIO(PDF), "a.pdf")]},
                             content_type="multipart/form-data")
        assert posted.status_code == 503
        assert not any((tmp_path / "evidence").rglob("*.pdf"))  # nothing half-written

        proxy.start()  # it is back: no restart of the portal needed
        assert client.get("/").status_code == 200
        assert client.get("/dashboard").status_code == 200
        # the sign-ins refused during the outage did not count towards a lockout
        assert visitor.post("/login", data={"email": user.email, "password": "wrong-guess-4"}).status_code == 200
        assert visitor.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    finally:
        proxy.stop()
        with portal.app_context():
            db.engine.dispose()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_only_an_unreachable_database_counts_as_an_outage():
    import sqlite3

    import psycopg2
    from sqlalchemy.exc import OperationalError

    from tracker.core.security import is_outage

    def wrapped(original):
        return OperationalError("SELECT 1", {}, original)

    assert is_outage(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_outage(wrapped(sqlite3.OperationalError("unable to open database file")))
    assert not is_outage(wrapped(sqlite3.OperationalError("no such column: user_account.language")))
    refused = psycopg2.OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    assert refused.pgcode is None and is_outage(wrapped(refused))


def test_a_broken_query_is_a_fault_not_an_outage_page(tmp_path):
    from sqlalchemy.exc import OperationalError

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never-migrated.sqlite'}"})
    with pytest.raises(OperationalError, match="no such table"):  # propagated: a 500 with its traceback logged
        app.test_client().post("/login", data={"email": "a@b.example", "password": "x"})
