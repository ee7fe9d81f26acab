"""The drill-down from a collective executor to its members: on a plan's responsibility charts
(`?open=<group>`, no script) and on the group's body page — Kostanay's «қалалар мен аудандардың
білім бөлімдері» expanded into its 20 district departments, one of them late on every part; a body
that is not a group has no drill-down."""

import re
from datetime import date

from sqlalchemy import select

from tests.test_delegation import (
    KOSTANAY_EDUCATION_DEPARTMENTS,
    activity,
    kostanay,
    latest,
    region_education,
    report,
    review,
)
from tracker.delegation import registry
from tracker.delegation.models import Delegation
from tracker.extensions import db

TODAY = date(2026, 11, 23)


def rows_of(page: str, section_id: str) -> dict[str, dict[str, str]]:
    """member id → {data attribute: figure} of the members' table inside `section_id`."""
    part = page.split(f'id="{section_id}"', 1)[1]
    part = part.split("</table>", 1)[0]
    rows = {}
    for member, cells in re.findall(r'<tr data-member="(\d+)">(.*?)</tr>', part, re.S):
        rows[member] = dict(re.findall(r'data-(\w+)>([^<]*)<', cells))
    return rows


def expanded_group(app, client, login, make_user, seed_plans):
    """Activity 1.10 of Kostanay, led by the group, expanded; every member reports and is accepted
    on the first due date but the eighth member, which never reports."""
    app.config["TODAY"] = TODAY
    plan = kostanay(seed_plans)
    item = activity(plan, "1.10")
    group = item.lead.body
    login("coordinator")
    assert client.post(f"/executors/{item.lead.id}/expand", data={}).status_code == 302
    members = registry.members(group)
    head = region_education(plan)
    reviewer = make_user("executor", body=head)
    first = item.obligations[0]
    for number, member in enumerate(members):
        if number == 7:
            continue
        part = db.session.scalar(select(Delegation).where(Delegation.obligation_id == first.id,
                                                          Delegation.body_id == member.id))
        login(make_user("executor", body=member))
        assert report(client, part.id, f"{member.name}: өткізілді.").status_code == 302
        login(reviewer)
        assert review(client, latest(part.id).id, accept=True).status_code == 302
    login("coordinator")
    return plan, item, group, members


def test_the_charts_open_a_group_on_its_members(app, client, login, make_user, seed_plans):
    plan, item, group, members = expanded_group(app, client, login, make_user, seed_plans)
    obligations = len(item.obligations)
    due = sum(1 for o in item.obligations if o.due_date <= TODAY)
    assert due == obligations  # the plan is over by then: every part was due

    closed = client.get(f"/plans/{plan.id}/charts?lang=kk").get_data(as_text=True)
    # the group's row offers its members; nothing is open yet
    assert f'data-open-group="{group.id}"' in closed and 'class="group-members"' not in closed
    link = re.search(rf'data-open-group="{group.id}" href="([^"]+)"', closed).group(1)
    assert f"open={group.id}" in link
    # a body that is not a group offers no drill-down
    head = region_education(plan)
    assert f'data-executor="{head.id}"' in closed and f'data-open-group="{head.id}"' not in closed

    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'id="members-{group.id}"' in page and f'data-close-group="{group.id}"' in page
    rows = rows_of(page, f"members-{group.id}")
    assert list(rows) == [str(m.id) for m in members]  # every member, in the registry's order
    assert all(name in page for name in KOSTANAY_EDUCATION_DEPARTMENTS)
    for number, member in enumerate(members):
        row = rows[str(member.id)]
        # the group leads 1.10 and co-executes nothing else with parts given
        assert (row["lead"], row["co"], row["parts"]) == ("1", "0", str(obligations))
        assert row["overdue"] == str(obligations if number == 7 else obligations - 1)
        assert f'href="/bodies/{member.id}' in page  # each member opens its body page
    # the SVG draws one bar per member beside the table
    block = page.split(f'id="members-{group.id}"', 1)[1].split("</svg>", 1)[0]
    assert block.count('class="series-a"') >= len(members)

    # opening a body that is not a group, or nonsense, shows nothing and breaks nothing
    for key in (str(head.id), "written:ББ", "-1", "abc"):
        answer = client.get(f"/plans/{plan.id}/charts", query_string={"open": key})
        assert answer.status_code == 200 and 'class="group-members"' not in answer.get_data(as_text=True)


def test_a_group_not_yet_expanded_opens_on_no_members(app, client, login, seed_plans):
    app.config["TODAY"] = TODAY
    plan = kostanay(seed_plans)
    group = activity(plan, "1.10").lead.body
    login("coordinator")
    page = client.get(f"/plans/{plan.id}/charts?open={group.id}&lang=en").get_data(as_text=True)
    assert f'id="members-{group.id}"' in page and "holds none of its members yet" in page
    body_page = client.get(f"/bodies/{group.id}?lang=en").get_data(as_text=True)
    assert 'id="group-members"' in body_page and "holds none of its members yet" in body_page


def test_the_group_body_page_lists_its_members_with_their_figures(app, client, login, make_user, seed_plans):
    plan, item, group, members = expanded_group(app, client, login, make_user, seed_plans)
    obligations = len(item.obligations)
    page = client.get(f"/bodies/{group.id}?lang=kk").get_data(as_text=True)
    rows = rows_of(page, "group-members")
    assert list(rows) == [str(m.id) for m in members]
    for number, member in enumerate(members):
        row = rows[str(member.id)]
        assert row["parts"] == str(obligations)
        assert row["overdue"] == str(obligations if number == 7 else obligations - 1)
        assert row["done"] == ("0" if number == 7 else "1")
        assert f'href="/bodies/{member.id}' in page
    # a member's own page opens and is not a group: no drill-down there, nor on the region's department
    for body in (members[0], region_education(plan)):
        other = client.get(f"/bodies/{body.id}?lang=kk")
        assert other.status_code == 200 and 'id="group-members"' not in other.get_data(as_text=True)
