"""A learner's first minutes, for tests/setup/ and benchmarks/setup_time.py: a fresh copy of the
repository, `make lab` with one installer (uv or pip), and JupyterLab answering on `/lab`.

Every JupyterLab runs on 127.0.0.1 at a free port, with throw-away Jupyter folders and lab home,
so nothing of the user's own settings or lab is read or written.

```python
checkout = fresh_checkout(tmp_path / "clone")
with lab(checkout, installer="pip") as url:
    httpx.get(url)            # 200: JupyterLab, opened on notebook 00
```
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.mock.test_cli import free_port

ROOT = Path(__file__).resolve().parents[2]


def fresh_checkout(dest: Path, *, source: Path = ROOT, clone: bool = False) -> Path:
    """A fresh copy of the repository at `dest`: `git clone` (committed state), or the tracked
    files as they are in the working tree (what a test of uncommitted changes needs)."""
    if clone:
        subprocess.run(["git", "clone", "--quiet", str(source), str(dest)], check=True)
        return dest
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=source, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        target = dest / name
        if (source / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
    return dest


def isolated_env(work: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment with throw-away Jupyter folders and lab home under `work`."""
    return {
        **os.environ,
        "PUNCHLAB_HOME": str(work / "home"),
        "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(work / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(work / "jupyter-runtime"),
        "IPYTHONDIR": str(work / "ipython"),
        **(extra or {}),
    }


@contextmanager
def lab(
    checkout: Path,
    *,
    installer: str = "auto",
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> Iterator[str]:
    """`make lab INSTALLER=...` in `checkout` on a free port; yields the URL that answered
    (`/lab` with its token) once JupyterLab serves it, and stops JupyterLab afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    env = {**(env or isolated_env(checkout.parent)), "JUPYTER_TOKEN": token}
    log_path = checkout.parent / f"make-lab-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}", f"INSTALLER={installer}"],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"make lab did not answer:\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def installed(checkout: Path) -> dict[str, str]:
    """Distribution name (normalised) -> version, of the checkout's `.venv`."""
    code = (
        "import importlib.metadata as m, json, re; print(json.dumps({"
        "re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(): d.version"
        " for d in m.distributions()}))"
    )
    python = checkout / ".venv" / "bin" / "python"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def size_mb(path: Path) -> float:
    """Disk use of `path` in MB, as `du` counts it."""
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024
