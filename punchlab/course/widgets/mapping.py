"""The field-mapping editor: pick, for each of Agent Sync's fields, the source key that holds it.

```python
editor = MappingEditor(users)   # users from "Get users (not formatted)"
editor.sources["email"].value = "punch_clock_email"
editor.transforms["email"].value = "lower"
editor.mapping      # FieldMapping({..., 'email': 'punch_clock_email | lower'})
editor.problems     # [] once every field maps and validates
```
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from ...errors import MappingError
from ...talkdesk.mapping import TRANSFORMS, FieldMapping, source_keys, target_fields

__all__ = ["MappingEditor"]

_NONE = "—"


class MappingEditor(widgets.VBox):
    """One row per target field (`Label`, source `Dropdown`, transform `Dropdown`), a live preview
    of the mapped users and the validation messages.

    `sources` and `transforms` (target → `Dropdown`) let a notebook drive it from code; `mapping`
    is the `FieldMapping` the rows describe, `problems` what still stops it, `preview_frame` the
    preview shown.
    """

    def __init__(
        self, users: Sequence[Any], *, mapping: FieldMapping | None = None, rows: int = 5
    ) -> None:
        self.users = list(users)
        self.rows = rows
        keys = source_keys(self.users)
        chains = {
            " | ".join(rule.transforms)
            for rule in (mapping.rules.values() if mapping else ())
            if rule.transforms
        }
        transform_options = [(_NONE, ""), *[(n, n) for n in [*TRANSFORMS, *sorted(chains)]]]
        self.sources: dict[str, widgets.Dropdown] = {}
        self.transforms: dict[str, widgets.Dropdown] = {}
        lines = []
        for target in target_fields():
            rule = mapping.rules.get(target) if mapping else None
            extra = [rule.source] if rule and rule.source not in keys else []
            source_options = [(_NONE, ""), *[(k, k) for k in [*keys, *extra]]]
            self.sources[target] = widgets.Dropdown(
                options=source_options,
                value=rule.source if rule else "",
                description="from",
                layout=widgets.Layout(width="280px"),
            )
            self.transforms[target] = widgets.Dropdown(
                options=transform_options,
                value=" | ".join(rule.transforms) if rule else "",
                description="then",
                layout=widgets.Layout(width="200px"),
            )
            label = widgets.Label(target, layout=widgets.Layout(width="60px"))
            lines.append(widgets.HBox([label, self.sources[target], self.transforms[target]]))
        self.suggest_button = widgets.Button(
            description="Suggest from key names", layout=widgets.Layout(width="auto")
        )
        self.suggest_button.on_click(self._suggest)
        self.messages = widgets.HTML()
        self.output = widgets.Output()
        self.problems: list[str] = []
        self.preview_frame = None
        self.output.add_class("punchlab-mapping-preview")
        super().__init__([*lines, self.suggest_button, self.messages, self.output])
        self.add_class("punchlab-mapping-editor")  # a stable hook for browser tests
        for dropdown in (*self.sources.values(), *self.transforms.values()):
            dropdown.observe(self._refresh, names="value")
        self._refresh()

    @property
    def mapping(self) -> FieldMapping:
        """The mapping the rows describe (unset fields are left out)."""
        fields: dict[str, str | None] = {}
        for target, dropdown in self.sources.items():
            transform = self.transforms[target].value
            source = dropdown.value
            # a transform means nothing until a source is chosen
            fields[target] = (
                (f"{source} | {transform}" if transform else source) if source else None
            )
        return FieldMapping(fields)

    def _suggest(self, _button: Any = None) -> None:
        suggested = FieldMapping.suggest(self.users)
        for target, dropdown in self.sources.items():
            rule = suggested.rules.get(target)
            dropdown.value = rule.source if rule else ""

    def _refresh(self, _change: Any = None) -> None:
        try:
            mapping = self.mapping
            self.problems = mapping.problems(self.users)
        except MappingError as exc:  # shown in the editor, never as a traceback
            self.problems = [str(exc)]
            self.messages.value = f"<b style='color:#b00020'>Not valid yet</b>: {escape(str(exc))}"
            return
        if self.problems:
            items = "".join(f"<li>{escape(p)}</li>" for p in self.problems)
            self.messages.value = f"<b style='color:#b00020'>Not valid yet</b><ul>{items}</ul>"
        else:
            self.messages.value = (
                f"<b style='color:#006400'>✔ valid</b>: all {len(self.users)} users map to "
                f"Agent Sync's format with <code>{escape(str(mapping.to_dict()))}</code>"
            )
        self.preview_frame = mapping.preview(self.users, rows=self.rows)
        self.output.clear_output(wait=True)
        with self.output:
            display(self.preview_frame)
