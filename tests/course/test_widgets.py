from __future__ import annotations

from punchlab.course.widgets import AddAgentForm
from punchlab.talkdesk.account import Account


def test_add_agent_form_saves_and_shows_errors_in_the_form(account: Account) -> None:
    form = AddAgentForm(account)
    saved = []
    form.on_saved(saved.append)
    form.name.value, form.email.value = "Ana Lima", "not-an-email"
    form.save.click()
    assert "not a valid email" in form.message.value and account.agents() == []
    assert form.name.value == "Ana Lima"  # kept, so the learner can fix the email
    form.email.value = "Ana.Lima@Example.com"
    form.save.click()
    assert [a.email for a in account.agents()] == ["Ana.Lima@Example.com"]
    assert "Saved Ana Lima" in form.message.value and form.name.value == ""
    assert saved == [form.last_saved]
    form.name.value, form.email.value = "", "x@example.com"
    form.save.click()
    assert "Name is mandatory" in form.message.value and len(saved) == 1


def test_add_agent_form_can_show_the_agents_table(account: Account) -> None:
    form = AddAgentForm(account, show_table=True)
    assert form.table in form.children
    form.name.value, form.email.value = "Ana Lima", "ana.lima@example.com"
    form.save.click()
    assert "punchlab-agents-table" in form.table._dom_classes
    assert "punchlab-add-agent" in form._dom_classes
    assert form.last_saved is not None and form.last_saved.email == "ana.lima@example.com"
    assert "ana.lima@example.com" in form.table.value  # refreshed by the save


def test_the_agents_table_follows_the_account_after_every_cell(account: Account, shell) -> None:
    """A form shown early in a notebook still shows the truth after *Run All*."""
    hooks = len(shell.events.callbacks["post_run_cell"])
    form = AddAgentForm(account, show_table=True)
    assert "no agents yet" in form.table.value
    account.add_agent(name="Priya Nair", email="priya.nair@example.com")  # not through the form
    assert "priya.nair@example.com" not in form.table.value
    shell.run_cell("1 + 1")  # any later cell
    assert "priya.nair@example.com" in form.table.value
    assert "priya.nair@example.com" in form.snapshot().data
    form.close()  # a closed form stops listening
    shell.run_cell("1 + 1")
    assert len(shell.events.callbacks["post_run_cell"]) == hooks
