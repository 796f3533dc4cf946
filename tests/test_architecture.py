"""The layout of `punchlab/` is its architecture: imports point one way, and never in a cycle.

Every import statement counts (top-level, inside functions, under `TYPE_CHECKING`, relative or
absolute): a lazy import back up is still a dependency back up.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "punchlab"
SIDES = ("mock", "talkdesk", "course")
# What each part may import besides itself and the shared modules at the top of `punchlab/`.
ALLOWED = {"shared": set(), "mock": set(), "talkdesk": {"mock"}, "course": {"mock", "talkdesk"}}
TOP = {"punchlab", "punchlab.cli"}  # the public face, above everything


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The punchlab modules that `name` (at `path`) imports, by every import statement in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            # `from x import y` imports the module x.y when there is one, else a name of x
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            # `import punchlab.mock.server` depends on that module (the closest one we know)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    found = modules(root)
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def part(name: str) -> str:
    """`top`, `shared`, or the side (`mock`, `talkdesk`, `course`) a module belongs to."""
    if name in TOP:
        return "top"
    side = name.split(".")[1]
    return side if side in SIDES else "shared"


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Every import that points against the layering rule."""
    wrong = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            here, there = part(source), part(target)
            if here == "top" or there in ("shared", here):
                continue
            if there not in ALLOWED.get(here, set()):
                wrong.append(f"{source} ({here}) imports {target} ({there})")
    return wrong


def test_the_package_has_the_three_sides_and_shared_ground_at_the_top() -> None:
    parts = {part(name) for name in modules()}
    assert parts == {"top", "shared", *SIDES}
    shared = sorted(name for name in modules() if part(name) == "shared")
    assert shared == [
        f"punchlab.{name}"
        for name in (
            "csvfile",
            "emails",
            "errors",
            "home",
            "inprocess",
            "names",
            "store",
            "templates",
            "text",
            "times",
        )
    ]


def test_no_import_cycle_in_punchlab() -> None:
    assert cycle(graph()) is None


def test_imports_point_one_way_shared_mock_talkdesk_course() -> None:
    assert violations(graph()) == []


@pytest.mark.parametrize(
    ("where", "line", "expected"),
    [
        # a lazy import inside a function still counts
        ("mock/replay.py", "    from ..talkdesk import account\n", "punchlab.talkdesk.account"),
        # so does one under TYPE_CHECKING, and an absolute one
        (
            "mock/faults.py",
            "if TYPE_CHECKING:\n    from punchlab.course.demo import run_demo\n",
            "punchlab.course.demo",
        ),
        ("talkdesk/action.py", "import punchlab.course.check\n", "punchlab.course.check"),
        ("store.py", "    from .mock import server\n", "punchlab.mock.server"),
        ("errors.py", "    from . import cli\n", "punchlab.cli"),
    ],
    ids=["lazy-mock", "type-checking-mock", "absolute-talkdesk", "shared-to-mock", "shared-to-cli"],
)
def test_the_check_catches_an_import_against_the_rule(
    tmp_path: Path, where: str, line: str, expected: str
) -> None:
    copy = tmp_path / "punchlab"
    for path in modules().values():
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    changed = copy / where
    text = changed.read_text(encoding="utf-8")
    if line.startswith("    "):  # inside a function: a lazy import
        line = f"def _lazy() -> None:\n{line}"
    changed.write_text(f"{text}\n\n{line}", encoding="utf-8")

    edges = graph(copy)
    assert expected in edges[module_name(changed, copy)]
    assert any(expected in wrong for wrong in violations(edges))


def test_the_check_catches_a_cycle_within_a_side() -> None:
    edges = graph()
    assert "punchlab.talkdesk.automation" in edges["punchlab.talkdesk.account"]
    edges["punchlab.talkdesk.automation"].add("punchlab.talkdesk.account")
    assert violations(edges) == []  # the same side: only the cycle check sees it
    found = cycle(edges)
    assert found is not None and found[0] == found[-1]
    assert {"punchlab.talkdesk.account", "punchlab.talkdesk.automation"} <= set(found)


def test_the_readme_section_matches_the_tree() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is organised", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"(?<![\w/.])((?:(?:mock|talkdesk|course)/)?[a-z_]+\.py)\b", section))
    missing = sorted(path for path in named if not (PACKAGE / path).is_file())
    assert missing == [], f"the README names modules that do not exist: {missing}"
    layer_table = section.split("```text", 2)[2]
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("course/widgets/"):
            assert "widgets/" in layer_table
        elif path.name == "__init__.py" and relative != "__init__.py":
            assert f"{relative.split('/')[0]}/" in section
        elif "/" in relative:
            assert relative in section, f"the README does not place {relative}"
        else:
            assert path.name in layer_table, f"the README's layers do not list {relative}"
