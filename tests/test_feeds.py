"""Calendar feeds: made on the account page, read at their secret URL by a client that never signs
in, parsed with the `icalendar` library; dates that move move in the feed; renewed, revoked and
unknown tokens answer 404; no one else's feed can be touched; no IIN ever reaches a calendar.

The world is tests/mail_world.py: activity 1 (lead A, co-executor B) and 2 (lead C by agreement,
co-executor A) due D, activity 3 (lead A alone) due D3.
"""

import re
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.mail_world import build
from tests.test_personal_data import make_iin
from tracker.control import operations as control
from tracker.core.personal_data import find_iins
from tracker.extensions import db
from tracker.feeds.models import FeedToken
from tracker.plans import operations as plans

D = date(2026, 10, 15)
D3 = date(2026, 11, 30)
TODAY = date(2026, 10, 5)  # D is ten days ahead (due soon), D3 eight weeks (upcoming)
PORTAL = "https://tracker.akimat.example.kz/"
PASSWORD = "not-used-here-1"  # tests/mail_world.py gives every account this one
#: born 2091 and 2094: numbers no living person has
IIN = make_iin(date(2091, 3, 15), "m")
OTHER_IIN = make_iin(date(2094, 11, 2), "f", serial=17)
FEED_PATH = re.compile(r"/feeds/([A-Za-z0-9_-]{20,64})\.ics")


@pytest.fixture
def world(app):
    app.config.update(TODAY=TODAY, PORTAL_URL=PORTAL)
    made = build(D, D3)
    made.accounts["a_daily"].language = "en"  # its feed is read here in English; the others stay in kk / ru
    db.session.commit()
    return made


def sign_in(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[-1000:]


def feed_urls_on_account_page(client) -> list[str]:
    page = client.get("/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return re.findall(r'value="(' + re.escape(PORTAL.rstrip("/")) + r'/feeds/[^"]+\.ics)"', html)


def make_feed(client, **form) -> str:
    """Post the account page's form; the address the page then shows for the new feed."""
    before = set(feed_urls_on_account_page(client))
    response = client.post("/account/feeds", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#feeds")
    (url,) = set(feed_urls_on_account_page(client)) - before
    return url


def path_of(url: str) -> str:
    assert url.startswith(PORTAL.rstrip("/") + "/feeds/")
    return url.removeprefix(PORTAL.rstrip("/"))


def fetch(app, url: str):
    """What a calendar program gets: a client of its own that never signed in."""
    return app.test_client().get(path_of(url))


def events(app, url: str) -> dict[str, dict]:
    """{summary: {due, description lines, url, uid}} of the feed, parsed with icalendar."""
    response = fetch(app, url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    assert calendar["version"] == "2.0"
    found = {}
    for event in calendar.walk("VEVENT"):
        summary = str(event["summary"])
        assert summary not in found
        found[summary] = {"due": event.decoded("dtstart"), "end": event.decoded("dtend"),
                          "lines": str(event["description"]).split("\n"), "url": str(event["url"]),
                          "uid": str(event["uid"])}
    return found


def link(obligation) -> str:
    return f"{PORTAL}obligations/{obligation.id}"


def test_an_executors_feed_has_every_due_date_of_its_body_with_plan_role_status_and_link(app, client, world):
    sign_in(client, world.accounts["a_daily"])
    url = make_feed(client, scope="account")
    assert client.get("/account").get_data(as_text=True).count(url) == 1
    client.post("/logout")
    got = events(app, url)
    uids = {summary: event.pop("uid") for summary, event in got.items()}
    plan = "Plan: Балаларды қорғау жоспары"
    assert got == {
        "1. Мектептерде профилактикалық іс-шаралар өткізу": {
            "due": D, "end": date(2026, 10, 16), "url": link(world.o1),
            "lines": [plan, "Role: lead executor", "Status on 2026-10-05: due soon", link(world.o1)]},
        "2. Рейдтер ұйымдастыру": {
            "due": D, "end": date(2026, 10, 16), "url": link(world.o2),
            "lines": [plan, "Role: co-executor", "Status on 2026-10-05: due soon", link(world.o2)]},
        "3. Ата-аналармен жиналыс": {
            "due": D3, "end": date(2026, 12, 1), "url": link(world.o3),
            "lines": [plan, "Role: lead executor", "Status on 2026-10-05: upcoming", link(world.o3)]},
    }
    # one event per due date, named after the obligation: a calendar moves it when the date moves
    assert sorted(uids.values()) == [f"obligation-{o.id}@tracker.akimat.example.kz"
                                     for o in (world.o1, world.o2, world.o3)]


def test_body_feeds_in_the_readers_language_and_the_coordinators_feed_of_escalations(app, client, world):
    sign_in(client, world.accounts["coordinator"])  # Kazakh
    b_feed = make_feed(client, scope="body", body_id=world.bodies["B"].id)
    c_feed = make_feed(client, scope="body", body_id=world.bodies["C"].id)
    own = make_feed(client, scope="account")
    got = events(app, b_feed)
    assert list(got) == ["1. Мектептерде профилактикалық іс-шаралар өткізу"]  # B is co-executor of activity 1 only
    assert got["1. Мектептерде профилактикалық іс-шаралар өткізу"]["lines"][1:3] == [
        "Рөлі: қосымша орындаушы", "2026-10-05 жағдай бойынша мәртебесі: мерзімі жақын"]
    got = events(app, c_feed)
    assert list(got) == ["2. Рейдтер ұйымдастыру"]
    assert got["2. Рейдтер ұйымдастыру"]["lines"][1] == "Рөлі: негізгі орындаушы (келісім бойынша)"
    # the coordinator's own feed: only what is escalated (lead overdue past the plan's 10 working
    # days, and never a body taking part by agreement)
    assert events(app, own) == {}
    app.config["TODAY"] = date(2026, 11, 16)  # 22 working days after D; D3 not yet due
    got = events(app, own)
    assert list(got) == ["1. Мектептерде профилактикалық іс-шаралар өткізу"]
    assert got["1. Мектептерде профилактикалық іс-шаралар өткізу"]["lines"][2] == \
        "2026-11-16 жағдай бойынша мәртебесі: мерзімі өтіп кетті"


def test_an_executor_cannot_make_a_feed_of_another_body(app, client, world):
    sign_in(client, world.accounts["a_daily"])
    client.post("/account/feeds", data={"scope": "body", "body_id": world.bodies["B"].id})
    assert db.session.scalar(select(func.count()).select_from(FeedToken)) == 0
    assert feed_urls_on_account_page(client) == []


def test_a_due_date_moved_by_an_approved_extension_or_an_edited_deadline_moves_in_the_feed(app, client, world):
    sign_in(client, world.accounts["a_daily"])
    url = make_feed(client, scope="account")
    before = events(app, url)
    first = "1. Мектептерде профилактикалық іс-шаралар өткізу"
    third = "3. Ата-аналармен жиналыс"
    assert before[first]["due"] == D and before[third]["due"] == D3

    # an extension asked by the lead body and approved by the coordinator
    request = control.request_extension(world.o1, world.accounts["a_daily"], date(2026, 11, 20),
                                        "Мектептер каникулда")
    assert events(app, url)[first]["due"] == D  # asked is not moved
    control.decide_extension(request, world.accounts["coordinator"], True, "")
    after = events(app, url)
    assert after[first]["due"] == date(2026, 11, 20) and after[first]["uid"] == before[first]["uid"]
    assert after[first]["lines"][2] == "Status on 2026-10-05: upcoming"  # five weeks away now

    # the coordinator corrects activity 3's deadline text
    activity = world.o3.activity
    plans.edit_activity(activity, number=activity.number, section_id=activity.section_id, text=activity.text,
                        completion_form=activity.completion_form or "", deadline_text="2026 жылғы 30 қазанға дейін",
                        funding_text="")
    after = events(app, url)
    assert after[third]["due"] == date(2026, 10, 30)
    assert len(after) == 3 and all(e["due"] != D3 for e in after.values())


def test_regenerate_gives_a_new_address_and_the_old_one_answers_404(app, client, world):
    sign_in(client, world.accounts["a_daily"])
    old = make_feed(client, scope="account")
    feed = db.session.scalar(select(FeedToken).where(FeedToken.token == FEED_PATH.search(old).group(1)))
    response = client.post(f"/account/feeds/{feed.id}/regenerate")
    assert response.status_code == 302
    (new,) = feed_urls_on_account_page(client)
    assert new != old
    assert fetch(app, old).status_code == 404
    assert set(events(app, new)) == {"1. Мектептерде профилактикалық іс-шаралар өткізу", "2. Рейдтер ұйымдастыру",
                                     "3. Ата-аналармен жиналыс"}
    # the old feed's id no longer works for the buttons either
    assert client.post(f"/account/feeds/{feed.id}/regenerate").status_code == 404


def test_revoke_makes_the_address_answer_404(app, client, world):
    sign_in(client, world.accounts["a_daily"])
    url = make_feed(client, scope="account")
    assert fetch(app, url).status_code == 200
    feed_id = db.session.scalar(select(FeedToken.id).where(FeedToken.token == FEED_PATH.search(url).group(1)))
    assert client.post(f"/account/feeds/{feed_id}/revoke").status_code == 302
    assert fetch(app, url).status_code == 404
    assert feed_urls_on_account_page(client) == []
    assert client.post(f"/account/feeds/{feed_id}/revoke").status_code == 404


@pytest.mark.parametrize("other", ["a_head", "coordinator", "admin"])
def test_another_account_cannot_renew_or_revoke_someone_elses_feed(app, client, world, other):
    """Not a colleague of the same body, not the coordinator, not an administrator: the feed is its
    maker's. Each answer is 404 and nothing changes."""
    sign_in(client, world.accounts["a_daily"])
    url = make_feed(client, scope="account")
    token = FEED_PATH.search(url).group(1)
    feed_id = db.session.scalar(select(FeedToken.id).where(FeedToken.token == token))
    sign_in(client, world.accounts[other])
    for action in ("regenerate", "revoke"):
        assert client.post(f"/account/feeds/{feed_id}/{action}").status_code == 404
    db.session.rollback()
    feed = db.session.get(FeedToken, feed_id)
    assert feed.token == token and feed.revoked_at is None
    assert db.session.scalar(select(func.count()).select_from(FeedToken)) == 1
    assert fetch(app, url).status_code == 200
    assert url not in client.get("/account").get_data(as_text=True)  # nor is it shown to them


def test_unknown_tokens_and_a_disabled_accounts_feed_answer_404(app, client, world):
    assert app.test_client().get("/feeds/not-a-token-of-anyone-here-at-all.ics").status_code == 404
    assert app.test_client().get("/feeds/" + "x" * 65 + ".ics").status_code == 404
    sign_in(client, world.accounts["a_daily"])
    url = make_feed(client, scope="account")
    token = FEED_PATH.search(url).group(1)
    assert app.test_client().get(f"/feeds/{token[:-1]}.ics").status_code == 404  # one character short
    world.accounts["a_daily"].active = False
    db.session.commit()
    assert fetch(app, url).status_code == 404


def unfolded(app, url: str) -> str:
    """The feed as text with iCalendar's line folding undone: a number split by a fold is whole again."""
    response = fetch(app, url)
    assert response.status_code == 200
    return re.sub(r"\r\n[ \t]", "", response.get_data(as_text=True))


@pytest.mark.parametrize("written", [IIN, f"{IIN[:6]} {IIN[6]} {IIN[7:11]} {IIN[11]}",
                                     "-".join(IIN[i:i + 3] for i in range(0, 12, 3))])
def test_no_iin_reaches_a_feed(app, client, written):
    """Every form refuses an IIN, so one can only come from rows written before the guard (here,
    straight into the database): the activity's text is left out, the due date stays."""
    app.config.update(TODAY=TODAY, PORTAL_URL=PORTAL)
    world = build(D, D3, text1=f"{written} ЖСН бар баланы тіркеу")
    world.plan.title = f"Жоспар {OTHER_IIN}"
    world.bodies["A"].name = f"Білім басқармасы {OTHER_IIN}"
    world.accounts["a_daily"].language = "en"
    db.session.commit()
    sign_in(client, world.accounts["a_daily"])
    urls = [make_feed(client, scope="account"), make_feed(client, scope="body", body_id=world.bodies["A"].id)]
    sign_in(client, world.accounts["coordinator"])
    urls.append(make_feed(client, scope="body", body_id=world.bodies["A"].id))
    hidden = "(not shown: the text carries a personal identification number)"
    for url in urls:
        text = unfolded(app, url)
        assert find_iins(text) == [] and IIN not in text and OTHER_IIN not in text
    got = events(app, urls[0])
    assert f"1. {hidden}" in got and got[f"1. {hidden}"]["due"] == D
    assert got[f"1. {hidden}"]["lines"][0] == f"Plan: {hidden}"
    assert "2. Рейдтер ұйымдастыру" in got and "3. Ата-аналармен жиналыс" in got
