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
