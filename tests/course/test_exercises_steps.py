"""The checks of notebooks 01 (step 1, agents), 02 (step 2.6, aligned emails) and 03 (step 3.6)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from punchlab import load_collection
from punchlab.course.exercises import (
    Feedback,
    check_agents,
    check_aligned_emails,
    check_punch_automation,
    check_punch_clock_action,
)
from punchlab.home import TUTORIAL_COLLECTION, data_file
from punchlab.talkdesk.account import Account

TUTORIAL = json.loads(data_file("tutorial_actions.json").read_text(encoding="utf-8"))
PUNCH = TUTORIAL["actions"][2]


def test_check_aligned_emails_names_each_stale_user_and_page(account) -> None:
    collection = load_collection(data_file(TUTORIAL_COLLECTION))
    for n, user in enumerate(collection.users(), start=1):
        account.add_agent(name=user["name"], email=f"lab+{n}@acme.example")
    collection.align_emails(by_external_id={n: f"lab+{n}@acme.example" for n in range(1, 6)})
    feedback = check_aligned_emails(collection, account)
    assert [p.split(" still has")[0] for p in feedback.problems] == [
        "user 6 (Clarence Hull)",
        "user 7 (Donald MCants)",
    ]
    assert (
        "'user+6@talkdesk.com' in users/formatted · page 2, users/not-formatted · page 2"
        in (feedback.problems[0])
    )
    assert "the agent's email is 'lab+6@acme.example'" in feedback.problems[0]

    collection.align_emails(by_external_id={6: " LAB+6@acme.example", 7: "lab+7@acme.example"})
    assert check_aligned_emails(collection, account).ok  # compared as Agent Sync does

    broken = collection.copy()
    broken.example("users/not-formatted", "page 2").data["body"] = "[]"
    del broken.data["item"][0]["response"][0]["name"]
    problems = check_aligned_emails(broken, account.agents()).problems
    assert problems == [
        "the example users/formatted · page 1 is gone; edit its emails, keep the example.",
        "the body of users/not-formatted · page 2 is no longer JSON with a `users` list.",
    ]


def test_check_aligned_emails_reports_missing_users_agents_and_schema_breaks() -> None:
    collection = load_collection(data_file(TUTORIAL_COLLECTION))
    agents = [{"name": u["name"], "email": u["email"]} for u in collection.users()][:-1]
    page2 = collection.example("users/formatted", "page 2")
    body = page2.json()
    body["users"] = body["users"][:1]
    collection.set_example_body("users/formatted", "page 2", body)
    collection.data["item"][2]["response"][0]["code"] = "200"
    problems = check_aligned_emails(collection, agents).problems
    assert problems[0] == (
        "user 7 (Donald MCants) is missing from users/formatted · page 2; keep every user."
    )
    assert problems[1] == ("user 7 (Donald MCants) has no agent with that name among the agents.")
    assert problems[2].startswith(
        "the collection no longer passes the v2.1 schema at item[2].response[0].code"
    )
    assert len(problems) == 3


def test_check_punch_clock_action_says_what_is_still_wrong(account) -> None:
    assert check_punch_clock_action(None).problems[0].startswith("there is no Action yet")
    punch = account.add_connection(name="P", description="d", base_path="http://p.test")
    wrong = copy.deepcopy(PUNCH["output_schema"])
    wrong["properties"]["check_in_time"].update(type="integer", title="Check in")
    wrong["required"] = ["name"]
    action = punch.add_action(
        name="punch CLOCK",  # the name is compared without case
        description="d",
        path="/users/{{id}}/punch-clock",
        output_schema=wrong,
    )
    assert check_punch_clock_action(action).problems == [
        "the method is GET; a punch records something, and the collection's users/punch-clock "
        "request is a POST.",
        "the relative path '/users/{{id}}/punch-clock' needs the parameter {{user_id}} (it has "
        "{{id}}): step 4.3.1 fills the User ID field with the agent's External ID.",
        "`check_in_time` has type 'integer'; the mock sends a string, so use 'string'.",
        "`check_in_time` has the title 'Check in'; the tutorial's is 'Check-in Time'.",
        "`check_in_time` is not in `required`; every punch answer has it.",
    ]
    nearly = {**PUNCH, "path": "/users/{{user_id}}/punch-clock", "output_schema": None}
    assert check_punch_clock_action(nearly).problems == [
        "for user 7 the relative path gives '/users/7/punch-clock'; the mock serves "
        "'/user/7/punch-clock', so the path is '/user/{{user_id}}/punch-clock'.",
        "there is no output schema: step 3.6.3 gives one with `name` and `check_in_time`.",
    ]
    done = punch.add_action(**{**PUNCH, "name": "Punch clock"})
    assert check_punch_clock_action(done).ok
    assert not check_punch_clock_action({**PUNCH, "name": "Clock"}).ok


NEW_USERS = [
    {"id": 8, "name": "Ana Lima", "email": "user+8@talkdesk.com"},
    {"id": 9, "name": "Diego Souza", "email": "user+9@talkdesk.com"},
]


def test_check_agents_counts_lines_as_an_editor_does() -> None:
    spaced = "name,email\n\nAna Lima,user+8@talkdesk.com\n\nDiego Souza,user9@talkdesk.com\n"
    problems = check_agents(spaced, NEW_USERS).problems
    assert problems and problems[0].startswith("line 5 (Diego Souza)")


def test_check_agents_explains_each_row_of_a_csv() -> None:
    first_try = "name,email\nAna Lima,[email protected]\nDiego Souza,user9@talkdesk.com\n"
    problems = check_agents(first_try, NEW_USERS).problems
    assert problems[0].startswith("line 2 (Ana Lima): '[email protected]' is how the tutorial")
    assert problems[1] == (
        "line 3 (Diego Souza) has the email 'user9@talkdesk.com', but punch-clock user 9 has "
        "'user+9@talkdesk.com': Agent Sync matches on email, so Diego Souza would get no "
        "External ID."
    )
    assert len(problems) == 2

    slips = "name,email\n,user+8@talkdesk.com\nBo,USER+9@talkdesk.com\nBo,user+9@talkdesk.com\n"
    assert check_agents(slips, NEW_USERS).problems == [
        "line 2: Name is mandatory.",
        "line 3 (Bo) has user 9's email but the Name 'Bo'; the punch clock calls this person "
        "'Diego Souza'.",
        "line 4 (Bo): 'user+9@talkdesk.com' appears twice (also at line 3).",
    ]
    header = check_agents("nom,email\n", NEW_USERS).problems[0]
    assert header.startswith("the CSV needs a header line with `name` and `email` columns; ")
    assert "missing column(s) name" in header and "'nom,email'" in header
    fixed = "name,email\nAna Lima, User+8@TalkDesk.com\nDiego Souza,user+9@talkdesk.com\n"
    assert check_agents(fixed, NEW_USERS).ok  # compared as Agent Sync does


def test_check_agents_reads_an_account_a_file_and_rows(account, tmp_path: Path) -> None:
    assert check_agents(account, NEW_USERS).problems == [
        "no agent for punch-clock user 8: add Name 'Ana Lima', Email 'user+8@talkdesk.com'.",
        "no agent for punch-clock user 9: add Name 'Diego Souza', Email 'user+9@talkdesk.com'.",
    ]
    account.add_agent(name="Ana Lima", email="user+8@talkdesk.com")
    account.add_agent(name="Diego Souza", email="diego@talkdesk.com")
    problems = check_agents(account, NEW_USERS).problems
    assert len(problems) == 1 and problems[0].startswith("agent 2 (Diego Souza) has the email")

    csv = tmp_path / "team.csv"
    csv.write_text("Name,Email\nAna Lima,user+8@talkdesk.com\nDiego Souza,user+9@talkdesk.com\n")
    assert check_agents(csv, NEW_USERS).ok
    rows = [{"name": "Ana Lima", "email": "user+8@talkdesk"}, dict(NEW_USERS[1])]
    assert check_agents(rows, NEW_USERS).problems == [
        "row 0 (Ana Lima): 'user+8@talkdesk' is not a valid email address "
        "(like user+1@talkdesk.com)."
    ]


def test_spaces_inside_the_external_id_variable_are_fine(account: Account, punch_clock) -> None:
    spaced = punch_clock.external_id_variable.replace("{{", "{{ ").replace("}}", " }}")
    account.add_automation(
        name="Punch in", when="login", action=punch_clock.action("Punch clock"),
        inputs={"user_id": spaced},
    )  # fmt: skip
    assert check_punch_automation(account, punch_clock).ok


def test_feedback_markdown_keeps_angle_brackets_and_code_spans() -> None:
    """`<n>` in a hint is text, not an HTML tag that Markdown would drop."""
    feedback = check_agents("name,email\nAna Lima,[email protected]\n", NEW_USERS[:1])
    markdown = feedback._repr_markdown_()
    assert "`user+<n>@talkdesk.com`" in markdown  # a code span shows it as typed
    assert "<n>" not in markdown.replace("`user+<n>@talkdesk.com`", "")
    assert Feedback("a <b> & c", ["x < y"])._repr_markdown_() == (
        "**✘ a &lt;b&gt; &amp; c**: still to fix\n\n- x &lt; y"
    )
