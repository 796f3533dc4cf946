"""The heart of the course, as one attendee's kernel runs it: sent as code to each user's kernel.

`COURSE` builds the attendee's lab in their own lab home (agents, the live mock on a free port,
the Connection and its Actions, Agent Sync, the login Automation, punches) and leaves the mock
running, so its port can be reached through the hub. `LOOK` reads back what this attendee's lab
holds, from a fresh `Account()`. Both print one JSON line.
"""

from __future__ import annotations

COURSE = """
import json
from punchlab import Account, MockServer, agent_sync, lab_home

account = Account()
account.add_tutorial_agents()
me = account.add_agent(name="Attendee {name}", email="{name}@attendees.example.org")
live = MockServer(mode="live")
running = live.serve().start()
punch = account.add_connection(
    name="Punch Clock", description="The time-punching mock API", base_path=running.url
)
for action in punch.add_tutorial_actions():
    action.publish()
report = agent_sync(punch.action("Get users (formatted)"), account)
account.add_automation(
    name="Punch clock on login",
    when="login",
    action=punch.action("Punch clock"),
    inputs={{"user_id": punch.external_id_variable}},
)
for agent in account.agents():
    account.login(agent)
print(json.dumps({{
    "home": str(lab_home()),
    "mock_url": running.url,
    "port": running.port,
    "public_url": running.public_url,
    "sync": report.counts,
    "punches": len(live.ledger.records()),
}}))
"""

LOOK = """
import json
from punchlab import Account, lab_home

_seen = Account()
print(json.dumps({
    "home": str(lab_home()),
    "agents": sorted(agent.email for agent in _seen.agents()),
    "runs": _seen.runs()["outcome"].value_counts().to_dict(),
    "punches": len(live.ledger.records()),
}))
"""
