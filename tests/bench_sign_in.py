"""Measurement: how long a refused sign-in takes for an e-mail that has an account and for one that
has not (not part of the test suite, and no timed assertion anywhere).

    .venv/bin/python tests/bench_sign_in.py [--tries 30]

Makes a portal on a SQLite file in a temporary folder with one account, then posts a wrong
password `--tries` times for its e-mail and as many times for an unknown e-mail, alternating, each
through the test client (the real view, form, lockout and password hashing), and prints the
median and the spread of each. The two medians should be within a few per cent of each other:
both pay one password-hash check. The lockout is raised out of the way for the measurement.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()

    import flask_migrate

    from tracker.app import create_app
    from tracker.auth.operations import create_user
    from tracker.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                          "LOGIN_RATE_LIMIT": "100000 per minute"})
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            known = create_user(email="known@bench.example", role="auditor", password="bench-pass-phrase-1").email
            db.session.remove()
        client = app.test_client()
        times: dict[str, list[float]] = {"known e-mail, wrong password": [], "unknown e-mail": []}
        client.post("/login", data={"email": "warm-up@bench.example", "password": "x"})  # first-use costs
        for _ in range(args.tries):
            for case, email in (("known e-mail, wrong password", known), ("unknown e-mail", "nobody@bench.example")):
                started = time.perf_counter()
                response = client.post("/login", data={"email": email, "password": "not-the-password"})
                times[case].append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        for case, values in times.items():
            print(f"{case:30} median {statistics.median(values) * 1000:7.1f} ms   "
                  f"min {min(values) * 1000:7.1f}   max {max(values) * 1000:7.1f}   ({len(values)} tries)")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
