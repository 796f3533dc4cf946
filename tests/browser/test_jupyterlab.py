"""A real browser in a real JupyterLab: notebook 01's Add New Agent form, filled and saved.

JupyterLab is started the way a learner starts it (`make lab`), on a copy of the notebooks so
autosave never touches the committed ones, with a throw-away lab home. Chromium comes from the
system (Debian's `chromium` package); Playwright never downloads a browser. Without Chromium or
Playwright the test is skipped and says why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
NOTEBOOK = "01_talkdesk_agents.ipynb"

sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright is missing")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make lab` on a free port, serving a copy of the notebooks; yields its URL with token."""
    work = tmp_path_factory.mktemp("lab")
    notebooks = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "PUNCHLAB_HOME": str(work / "home"),
        "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(work / "jupyter-runtime"),
        "IPYTHONDIR": str(work / "ipython"),
    }
    log = (work / "lab.log").open("wb")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"NOTEBOOK_DIR={notebooks}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/status", params={"token": token}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((work / "lab.log").read_text(errors="replace")[-2000:])
            time.sleep(0.25)
        # Start the notebook's kernel before the browser opens it, so JupyterLab attaches to a
        # ready kernel instead of asking which one to start.
        httpx.post(
            f"{base}/api/sessions",
            headers={"Authorization": f"token {token}"},
            json={
                "path": NOTEBOOK,
                "type": "notebook",
                "name": NOTEBOOK,
                "kernel": {"name": "python3"},
            },
        ).raise_for_status()
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


def _answer_kernel_dialog(page) -> None:
    """Pick the suggested kernel if JupyterLab asks which one to start."""
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    try:
        select.click(timeout=2_000)
    except sync_api.TimeoutError:
        pass  # no dialog: the kernel was already there


def _run_all_until_visible(page, target, *, attempts: int = 4):
    """Run -> Run All Cells until `target` shows; a slow machine may need more than one try.

    Under load JupyterLab can open the notebook before its kernel is ready: it may ask which
    kernel to use, or run nothing. Either way, answer the dialog and run the cells again.
    """
    for attempt in range(1, attempts + 1):
        _answer_kernel_dialog(page)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=120_000
        )
        # Run All stops at the cell that fails on purpose, after the form.
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        _answer_kernel_dialog(page)
        try:
            target.wait_for(timeout=45_000)
            return target
        except sync_api.TimeoutError:
            if attempt == attempts:
                raise
    return target


def _assert_kernel_goes_idle(lab: str, *, within: float = 60.0) -> None:
    """The kernel finishes the widget cells and the Save click: none of them leaves it busy."""
    base, _, query = lab.partition("/lab/tree/")
    token = query.rpartition("token=")[2]
    deadline = time.monotonic() + within
    while True:
        kernels = httpx.get(
            f"{base}/api/kernels", headers={"Authorization": f"token {token}"}
        ).json()
        states = [kernel["execution_state"] for kernel in kernels]
        if states and all(state == "idle" for state in states):
            return
        assert time.monotonic() < deadline, f"kernel still {states} after {within:.0f} s"
        time.sleep(0.5)


def test_add_new_agent_form_in_a_real_browser(lab: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(lab)
            page.locator(".jp-NotebookPanel").wait_for(timeout=120_000)
            form = _run_all_until_visible(page, page.locator(".punchlab-add-agent").first)
            form.get_by_role("textbox", name="Name *").fill("Browser Tester")
            form.get_by_role("textbox", name="Email *").fill("browser.tester@example.com")
            form.get_by_role("button", name="Save").click()

            form.get_by_text("Saved Browser Tester").wait_for(timeout=30_000)
            table = page.locator(".punchlab-agents-table").first
            table.get_by_text("browser.tester@example.com").wait_for(timeout=30_000)
            _assert_kernel_goes_idle(lab)
            page.screenshot(path=str(SCREENSHOTS / "01_add_new_agent.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
