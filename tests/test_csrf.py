"""CSRF protection with the setting on, as in production: forms carry a token, htmx sends it as a header.

Every test here uses one client: the token a page shows belongs to that client's session.
"""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import KOSTANAY, PASSWORD
from tests.evidence_files import PDF
from tracker.extensions import db
from tracker.plans.models import Activity, PlanWarning
from tracker.reports.models import CompletionReport

CSRF_MESSAGE = "The form expired or was not sent from this portal"


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def header_token(html: str) -> str:
    """The token base.html gives htmx: <body hx-headers='{"X-CSRFToken": "…"}'>."""
    return re.search(r"""<body hx-headers='\{"X-CSRFToken": "([^"]+)"\}'>""", html)[1]


def reports() -> int:
    return db.session.scalar(select(func.count()).select_from(CompletionReport))


@pytest.fixture
def csrf_app(app, seed_plans):
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["TODAY"] = date(2026, 11, 23)
    seed_plans(KOSTANAY)
    return app


@pytest.fixture
def lead(csrf_app, make_user):
    activity = db.session.scalar(select(Activity).where(Activity.number == "1.4"))
    return make_user("executor", body=activity.lead.body), activity


def sign_in(client, user) -> None:
    page = client.get("/login?lang=en")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": form_token(page.get_data(as_text=True))})
    # an executor lands on its own work, a coordinator on the reports to review, the others on the plans
    assert response.status_code == 302
    assert response.headers["Location"] == {"executor": "/my-work", "coordinator": "/inbox"}.get(user.role, "/")


def evidence_files(app) -> list[Path]:
    return [p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file()]


def test_login_without_token_is_refused(csrf_app, client, make_user):
    user = make_user("auditor")
    client.get("/login?lang=en")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not signed in

    forged = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400


def test_login_with_the_token_from_the_page_works(csrf_app, client, make_user):
    user = make_user("auditor")
    sign_in(client, user)
    assert client.get("/").status_code == 200


def test_report_without_token_is_refused_and_nothing_stored(csrf_app, client, lead):
    user, activity = lead
    sign_in(client, user)
    obligation = activity.obligations[0]
    url = f"/obligations/{obligation.id}/reports"
    page = client.get(f"/obligations/{obligation.id}")
    assert page.status_code == 200

    response = client.post(url, data={"text": "Өткізілді.", "no_personal_data": "y",
                                      "files": [(io.BytesIO(PDF), "evidence.pdf")]})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert reports() == 0 and evidence_files(csrf_app) == []

    token = form_token(page.get_data(as_text=True))
    response = client.post(url, data={"text": "Өткізілді.", "no_personal_data": "y", "csrf_token": token,
                                      "files": [(io.BytesIO(PDF), "evidence.pdf")]})
    assert response.status_code == 302
    assert reports() == 1 and len(evidence_files(csrf_app)) == 1


def test_htmx_sends_the_token_as_a_header(csrf_app, client, lead):
    user, activity = lead
    sign_in(client, user)
    obligation = activity.obligations[1]
    page = client.get(f"/obligations/{obligation.id}").get_data(as_text=True)
    token = header_token(page)
    data = {"text": "Өткізілді.", "no_personal_data": "y", "files": [(io.BytesIO(PDF), "evidence.pdf")]}

    refused = client.post(f"/obligations/{obligation.id}/reports", data=dict(data),
                          headers={"HX-Request": "true", "X-CSRFToken": "forged"})
    assert refused.status_code == 400 and reports() == 0

    data["files"] = [(io.BytesIO(PDF), "evidence.pdf")]
    response = client.post(f"/obligations/{obligation.id}/reports", data=data,
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200  # htmx gets the obligation fragment back
    assert "<html" not in response.get_data(as_text=True)
    assert reports() == 1


def test_htmx_warning_resolution_with_the_header(csrf_app, client, make_user):
    coordinator = make_user("coordinator")
    sign_in(client, coordinator)
    warning = db.session.scalar(select(PlanWarning).where(PlanWarning.resolved_at.is_(None)))
    page = client.get(f"/plans/{warning.plan_id}").get_data(as_text=True)
    assert f'id="w-{warning.id}"' in page

    assert client.post(f"/warnings/{warning.id}/resolve", headers={"HX-Request": "true"}).status_code == 400
    assert db.session.get(PlanWarning, warning.id).resolved_at is None

    response = client.post(f"/warnings/{warning.id}/resolve",
                           headers={"HX-Request": "true", "X-CSRFToken": header_token(page)})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert db.session.get(PlanWarning, warning.id).resolved_at is not None


def test_sign_out_needs_the_token(csrf_app, client, make_user):
    sign_in(client, make_user("auditor"))
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # a forged sign-out did not sign anybody out
    logout_form = re.search(r'action="/logout".*?</form>', page, re.S)[0]
    assert client.post("/logout", data={"csrf_token": form_token(logout_form)}).status_code == 302
    assert client.get("/").status_code == 302
