"""Signing in under attack: the lockout holds when wrong passwords arrive all at once, through real
HTTP to a threaded server (memory storage, and Redis when one runs at 127.0.0.1:6379); an unknown
e-mail costs the same password check as a known one; an outage does not count towards a lockout."""

import http.client
import secrets
import shutil
import threading
import urllib.parse

import pytest
from werkzeug.security import check_password_hash
from werkzeug.serving import WSGIRequestHandler, make_server

import tracker.auth.models
from tests.conftest import PASSWORD, ROOT
from tracker.app import create_app
from tracker.extensions import db, limiter

ATTEMPTS, LIMIT = 40, 10
TIMEOUT = 60
REDIS_URL = "redis://127.0.0.1:6379/15"


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class PasswordChecks:
    """Counts the real password-hash checks (werkzeug's function still runs, every time)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, pwhash: str, password: str) -> bool:
        with self.lock:
            self.count += 1
        return check_password_hash(pwhash, password)


@pytest.fixture
def checks(monkeypatch):
    counter = PasswordChecks()
    monkeypatch.setattr(tracker.auth.models, "check_password_hash", counter)
    return counter


def serve(app, address: str):
    """The app in a threaded WSGI server on a free port; every request arrives from `address` (one
    attacker's machine, and an address no other test uses, in a Redis that other test runs share)."""

    def from_address(environ, start_response):
        environ["REMOTE_ADDR"] = address
        return app(environ, start_response)

    httpd = make_server("127.0.0.1", 0, from_address, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


def post_all_at_once(port: int, email: str, passwords: list[str]) -> list[int]:
    """One plain HTTP connection per attempt, every request released by one barrier."""
    barrier = threading.Barrier(len(passwords), timeout=TIMEOUT)
    answers: list[int | BaseException] = [0] * len(passwords)

    def attempt(number: int, password: str) -> None:
        body = urllib.parse.urlencode({"email": email, "password": password}).encode()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            barrier.wait()
            connection.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            answers[number] = response.status
            connection.close()
        except BaseException as error:  # reported below, with the others
            answers[number] = error

    threads = [threading.Thread(target=attempt, args=(n, p), daemon=True) for n, p in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "attempts still running after the time limit"
    assert all(isinstance(a, int) for a in answers), answers
    return answers


def run_the_attack(app, make_user, checks) -> None:
    app.config["LOGIN_RATE_LIMIT"] = f"{LIMIT} per 5 minutes"
    user = make_user("coordinator", email=f"target-{secrets.token_hex(4)}@test.example")
    db.session.commit()  # the test's own session holds nothing while the server reads
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    httpd, thread = serve(app, address)
    try:
        answers = post_all_at_once(httpd.server_port, user.email, [f"wrong-guess-{n}" for n in range(ATTEMPTS)])
        # the account and the address are locked now, for the right password too
        after = post_all_at_once(httpd.server_port, user.email, [PASSWORD])
    finally:
        httpd.shutdown()
        thread.join(TIMEOUT)
        httpd.server_close()
    assert sorted(set(answers)) == [200, 429], answers  # refused passwords and lockouts, nothing else
    assert answers.count(200) == LIMIT, f"{answers.count(200)} passwords checked against a limit of {LIMIT}"
    assert answers.count(429) == ATTEMPTS - LIMIT
    assert checks.count == LIMIT  # the password hash was computed for the admitted attempts only
    assert after == [429]


def test_wrong_passwords_sent_at_once_are_checked_at_most_the_limit_times(app, make_user, checks):
    run_the_attack(app, make_user, checks)


def test_the_same_holds_with_the_count_in_redis(app, make_user, checks):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        before = set(redis.Redis(db=15).keys("*"))
        run_the_attack(app, make_user, checks)
        made = set(redis.Redis(db=15).keys("*")) - before
        assert any(b"login-account" in key for key in made) and any(b"login-address" in key for key in made)
    finally:
        # this test's keys only (a random address and account): other runs may share this Redis
        if made := locals().get("made"):
            redis.Redis(db=15).delete(*made)
        limiter.init_app(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}))  # memory storage again


# --- the same work for an account that exists and one that does not -------------------------------


def test_every_refused_sign_in_costs_one_password_check(app, client, make_user, checks):
    user = make_user("auditor")
    disabled = make_user("auditor")
    disabled.active = False
    db.session.commit()
    cases = {"known e-mail, wrong password": (user.email, "not-the-password"),
             "no such account": ("nobody-here@test.example", "not-the-password"),
             "disabled account, wrong password": (disabled.email, "not-the-password"),
             "disabled account, right password": (disabled.email, PASSWORD)}
    for case, (email, password) in cases.items():
        checks.count = 0
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 200, case
        assert checks.count == 1, f"{case}: {checks.count} password checks"


def test_the_dummy_check_uses_the_accounts_hash_method(app, make_user):
    from tracker.auth.models import dummy_password_hash

    dummy_password_hash.cache_clear()  # made once per process: perhaps under another test's cheaper hashing
    user = make_user("auditor")
    assert dummy_password_hash().split("$")[0] == user.password_hash.split("$")[0]  # e.g. scrypt:32768:8:1


# --- an outage does not lock anybody out --------------------------------------------------------


def test_sign_ins_during_an_outage_do_not_count(tmp_path):
    """The SQLite file is replaced by a folder of that name: every connection fails ("unable to open
    database file"), the page answers 503. Once the file is back, the attempts made meanwhile have
    not used up the allowance."""
    import flask_migrate

    from tracker.auth.operations import create_user

    path = tmp_path / "outage.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI":
                      f"sqlite:///{path}", "LOGIN_RATE_LIMIT": "2 per 5 minutes"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        email = create_user(email="outage@test.example", role="auditor", password=PASSWORD).email
        db.session.remove()
        db.engine.dispose()
        client = app.test_client()
        path.rename(tmp_path / "away.sqlite")
        path.mkdir()
        try:
            for password in ("wrong-guess-1", "wrong-guess-2", "wrong-guess-3", PASSWORD):
                assert client.post("/login", data={"email": email, "password": password}).status_code == 503
        finally:
            shutil.rmtree(path)
            (tmp_path / "away.sqlite").rename(path)
            db.session.remove()
            db.engine.dispose()
        assert client.post("/login", data={"email": email, "password": "wrong-guess-4"}).status_code == 200
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        db.session.remove()
        db.engine.dispose()

