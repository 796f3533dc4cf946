"""`punchlab demo` runs every step of the tutorial for real and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from punchlab.course.demo import STEPS, run_demo


def test_demo_runs_every_step_and_summarises(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PUNCHLAB_HOME", str(tmp_path))
    lines: list[str] = []
    summary = run_demo(echo=lines.append)
    assert [line.split("]")[0] for line in lines[:-1]] == [
        f"[{n}/{len(STEPS)}" for n in range(1, len(STEPS) + 1)
    ]
    assert summary["agents"] == 7
    assert summary["sync"]["new"] == 7 and summary["sync"]["conflicts"] == 0
    assert summary["runs"] == {"success": 14}
    assert summary["hours"] == 7 * 9.0  # 08:00 to 17:00 for each of the seven agents
    assert lines[-1].startswith("Ready:")
    assert not any(tmp_path.iterdir()), "the demo must not touch the lab home"


def test_demo_command_exits_zero(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("punchlab")
    env = {**os.environ, "PUNCHLAB_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(exe), "demo"], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "[6/6] Time sheet" in result.stdout and "Ready:" in result.stdout
    assert not any(tmp_path.iterdir()), "the demo must not touch the lab home"
