"""The Talkdesk side (tutorial steps 1, 3 and 4): a simulated Talkdesk account.

* `account`: agents (step 1), their External IDs, and the account's shortcuts to the rest.
* `schemas`: the JSON-schema checks behind Actions and the field mapping.
* `action`: an Action, one HTTP call with typed parameters and schemas (step 3).
* `connection`: a Connection, its base path and auth; it creates its Actions (step 3).
* `mapping`: Agent Sync's field mapping from a users response to agents (step 3).
* `agent_sync`: Agent Sync, which pages through an Action and sets External IDs (step 3).
* `automation`: Automations, When an agent event Then run an Action, and the run ledger (step 4).
* `events`: a simulated clock and a day of agent log-ins and log-outs (step 4).
* `timesheet`: hours and shifts from the mock's punch ledger.

May import the shared modules and `punchlab.mock`; never `punchlab.course`.
"""
