"""The notebooks are committed clean, and the README's lesson table lists them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found"
    assert NOTEBOOKS[0].name == "00_setup_check.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts"
    assert "widgets" not in notebook.get("metadata", {}), f"{path.name} carries widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_skeleton(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
    number = path.name[:2]
    assert text.lstrip().startswith(f"# {number} ·"), (
        f"{path.name}: title must start '# {number} ·'"
    )
    for heading in ("**Objectives**", "## Key points", "## Up next"):
        assert heading in text, f"{path.name}: missing {heading!r}"


def test_readme_lists_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p.stem for p in NOTEBOOKS if f"`{p.stem}`" not in readme]
    assert not missing, f"README's lesson table does not list {missing}"


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


EXERCISED = [p for p in NOTEBOOKS if p.name[:2] in {"01", "02", "03", "04", "05", "07"}]


@pytest.mark.parametrize("path", EXERCISED, ids=lambda p: p.name)
def test_each_tutorial_notebook_has_a_checked_exercise(path: Path) -> None:
    """01-05 and 07: a "Your turn" cell, its check, a hidden solution that runs, the check again."""
    cells = _cells(path)
    sources = ["".join(c["source"]) for c in cells]
    turn = next(i for i, s in enumerate(sources) if s.startswith("# Your turn"))
    assert "check_" in sources[turn + 1], f"{path.name}: no check right after the Your turn cell"
    hidden = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and c["metadata"].get("jupyter", {}).get("source_hidden")
    ]
    assert len(hidden) == 1 and hidden[0] > turn + 1, f"{path.name}: one hidden solution cell"
    again = sources[hidden[0] + 1]
    assert "check_" in again and "assert feedback.ok" in again, f"{path.name}: no check again"
    assert "What you'd click" in "\n".join(sources), f"{path.name}: no Talkdesk/Postman aside"


def test_the_presenter_reset_is_off_by_default() -> None:
    sources = ["".join(c["source"]) for c in _cells(NOTEBOOKS[0])]
    reset = [s for s in sources if "Account().reset()" in s]
    assert len(reset) == 1 and reset[0].startswith("RESET_LAB = False")
    assert any("punchlab reset" in s and "punchlab demo" in s for s in sources)


@pytest.mark.parametrize("readme", ["README.md", "notebooks/README.md"])
def test_lesson_tables_give_each_notebook_its_own_minutes(readme: str) -> None:
    """The minutes in the README tables are the ones each notebook's Objectives announce (with
    the sections marked *(optional)*, when it has any)."""
    rows = {
        line.split("|")[1].strip(): line
        for line in (ROOT / readme).read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for path in NOTEBOOKS:
        text = "".join("".join(c["source"]) for c in _cells(path)[:1])
        minutes = re.search(
            r"\*\*Objectives\*\* \(about (\d+) minutes(?:; (\d+) with the optional sections)?\)",
            text,
        )
        assert minutes, f"{path.name}: no '**Objectives** (about N minutes)'"
        cell = minutes[1] + (f" ({minutes[2]} with optional)" if minutes[2] else "")
        row = rows.get(f"`{path.stem}`", "")
        assert f"| {cell} |" in row, f"{readme}: {path.stem} is not {cell} min"
        if minutes[2]:  # the optional minutes belong to sections that say so
            assert "(optional)" in "".join("".join(c["source"]) for c in _cells(path)[1:])
