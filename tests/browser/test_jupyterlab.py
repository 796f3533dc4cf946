"""The course as a learner sees it: every notebook, Run All, in a real JupyterLab and Chromium.

JupyterLab is started once, the way a learner starts it (`make lab`), on a copy of the notebooks
(autosave never touches the committed ones) with a throw-away lab home. For each notebook the
test runs every cell from the Run menu, saves the result and fails on any error output in a cell
not tagged `raises-exception`; then it drives the notebook's widgets as a learner would, with a
screenshot of each step in `tests/browser/screenshots/` (ignored by git).

Chromium comes from the system (Debian's `chromium` package); Playwright never downloads a
browser. Without Chromium or Playwright the test is skipped and says why.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))

sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright is missing")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    base: str
    token: str
    root: Path  # the folder it serves

    def api(self, method: str, path: str, *, missing_ok: bool = False, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}"}
        answer = httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)
        if not (missing_ok and answer.status_code == 404):
            answer.raise_for_status()
        return answer

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`make lab` on a free port, serving a copy of the notebooks."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    # Every cell in the page, so the test can read each prompt (no virtual scrolling).
    tracker = (
        work / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    )
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    docs = tracker.parents[1] / "docmanager-extension" / "plugin.jupyterlab-settings"
    docs.parent.mkdir()
    docs.write_text(json.dumps({"autosave": False}))  # the test saves; nothing saves beside it
    news = tracker.parents[1] / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir()
    news.write_text(json.dumps({"fetchNews": "false"}))  # no "Jupyter news?" toast
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "PUNCHLAB_HOME": str(work / "home"),
        "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(work / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
        "IPYTHONDIR": str(work / "ipython"),
    }
    log = (work / "lab.log").open("wb")
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "lab",
            f"PORT={port}",
            f"NOTEBOOK_DIR={work / 'notebooks'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lab = Lab(f"http://127.0.0.1:{port}", token, work / "notebooks")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{lab.base}/api/status", params={"token": token}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((work / "lab.log").read_text(errors="replace")[-2000:])
            time.sleep(0.25)
        yield lab
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
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
        try:
            yield chromium
        finally:
            chromium.close()


class Notebook:
    """One notebook open in JupyterLab, as a learner has it in front of them."""

    def __init__(self, page, lab: Lab, name: str, *, kernel: str | None = None) -> None:
        self.page, self.lab, self.name, self.kernel = page, lab, name, kernel
        self.steps = 0

    def shot(self, step: str, target=None) -> Path:
        """A screenshot named after the notebook and the step: of `target`, or the whole page."""
        self.steps += 1
        path = SCREENSHOTS / f"{self.name[:2]}_{self.steps:02d}_{step}.png"
        (target or self.page).screenshot(path=str(path))
        return path

    def menu(self, *names: str) -> None:
        """Click through the menu bar, e.g. `menu("Run", "Run All Cells")`."""
        for attempt in range(3):
            self.answer_kernel_dialog()  # a late "Select Kernel" dialog blocks every click
            try:
                for name in names:  # an item's accessible name may end with its shortcut
                    label = re.compile(rf"^{re.escape(name)}(\s+(Ctrl|Shift|Alt)\S*)?$")
                    self.page.get_by_role("menuitem", name=label).click(timeout=10_000)
                return
            except sync_api.TimeoutError:
                if not self.page.locator(".jp-Dialog").count():  # Escape would cancel it
                    self.page.keyboard.press("Escape")  # close a half-open menu, try again
                if attempt == 2:
                    raise

    def _kernel_idle(self) -> bool:
        """What the server says of the kernel (the page's indicator can lag behind)."""
        if self.kernel is None:
            return True
        kernel = self.lab.api("GET", f"/api/kernels/{self.kernel}").json()
        return kernel["execution_state"] == "idle"

    def answer_kernel_dialog(self) -> None:
        """Under load JupyterLab may ask which kernel to use, though one is running: pick it."""
        select = self.page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
        if select.count():
            select.click()

    def _prompts(self) -> list[str]:
        return self.page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()

    def wait_idle(self, *, timeout: float = 180) -> list[str]:
        """Wait until no cell is running or queued and the kernel has stayed idle for a second."""
        deadline, quiet_since = time.monotonic() + timeout, None
        indicator = self.page.locator(".jp-Notebook-ExecutionIndicator")
        while time.monotonic() < deadline:
            self.answer_kernel_dialog()
            prompts = self._prompts()
            idle = indicator.get_attribute("data-status") == "idle" and self._kernel_idle()
            if idle and not any("*" in prompt for prompt in prompts):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 1.0:
                    return prompts
            else:
                quiet_since = None
            self.page.wait_for_timeout(250)
        raise AssertionError(f"{self.name}: still running after {timeout:.0f} s")

    def save(self) -> dict:
        """File -> Save Notebook; returns the notebook as saved (outputs included)."""

        def saved(response) -> bool:
            return response.request.method == "PUT" and f"/api/contents/{self.name}" in response.url

        # Read it only once the server has answered the save: a read beside a write can fail.
        with self.page.expect_response(saved, timeout=30_000):
            self.menu("File", "Save Notebook")
        return self.lab.api("GET", f"/api/contents/{self.name}", params={"content": 1}).json()

    def run_all(self) -> dict:
        """Run -> Run All Cells, on past the cells that fail on purpose; returns the saved notebook.

        JupyterLab stops a Run All at a cell that raises, even one tagged `raises-exception`;
        a learner then runs the cells below it, and so does this. A cell is never run twice:
        the run goes on below a cell only once that cell has ended with an error.
        """
        self.menu("Run", "Run All Cells")
        for _ in range(15):
            self.wait_idle()
            saved = self.save()
            code = [c for c in saved["content"]["cells"] if c["cell_type"] == "code"]
            waiting = [i for i, c in enumerate(code) if c["execution_count"] is None]
            if not waiting or all(not code[i]["source"].strip() for i in waiting):
                return saved
            first = waiting[0]
            stopped = first > 0 and any(
                o["output_type"] == "error" for o in code[first - 1]["outputs"]
            )
            if first == 0:  # Run All never started (e.g. a kernel dialog took the click)
                self.menu("Run", "Run All Cells")
            elif stopped:
                self.answer_kernel_dialog()
                self.page.locator(".jp-CodeCell .jp-InputPrompt").nth(first).click()
                self.menu("Run", "Run Selected Cell and All Below")
        left = [code[i]["source"][:60] for i in waiting[:3]]
        raise AssertionError(f"{self.name}: Run All did not reach these cells: {left}")

    def output_of(self, marker: str):
        """The output area of the code cell whose source contains `marker` (unique)."""
        cells = self.page.locator(".jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea", has_text=marker)
        )
        assert cells.count() == 1, f"{self.name}: {cells.count()} cells contain {marker!r}"
        return cells.locator(".jp-OutputArea")


def _errors(notebook: dict) -> list[str]:
    """Error outputs in cells that are not tagged `raises-exception`, and cells that never ran."""
    found = []
    for index, cell in enumerate(notebook["content"]["cells"]):
        if cell["cell_type"] != "code":
            continue
        intended = "raises-exception" in cell["metadata"].get("tags", [])
        if cell["execution_count"] is None and cell["source"].strip():
            found.append(f"cell {index} did not run")
        for output in cell["outputs"]:
            if output["output_type"] == "error" and not intended:
                found.append(f"cell {index}: {output['ename']}: {output['evalue']}")
    return found


def _drive_00(nb: Notebook) -> None:
    """The overview diagram reads top-down at a legible size (not squeezed to fit the width)."""
    cell = nb.page.locator(".jp-MarkdownCell", has_text="The whole tutorial on one page")
    diagram = cell.locator(".jp-RenderedMermaid img").first  # Mermaid is drawn as an SVG image
    diagram.wait_for(timeout=30_000)
    nb.page.set_viewport_size({"width": 1400, "height": 2200})  # the whole diagram in one picture
    diagram.scroll_into_view_if_needed()
    nb.shot("diagram", cell)
    box = diagram.bounding_box()
    scale = diagram.evaluate("el => el.getBoundingClientRect().width / el.naturalWidth")
    assert box["height"] > box["width"] * 0.8, box  # top-down, not one long row
    assert scale > 0.75, f"the diagram is drawn at {scale:.2f}x: its text is too small to read"


def _drive_01(nb: Notebook) -> None:
    """The Add New Agent form: an invalid email first, then a valid one."""
    # The cell that saved a bad email shows that moment, not the form's final state.
    first_try = nb.output_of('form.email.value = "jamie.rivera@localhost"')
    first_try.scroll_into_view_if_needed()
    nb.shot("snapshot_after_the_bad_email", first_try)
    assert "not a valid email" in first_try.inner_text()
    assert "Saved" not in first_try.inner_text()
    form = nb.page.locator(".punchlab-add-agent").last
    form.scroll_into_view_if_needed()
    nb.shot("form_after_run_all", form)
    # shown before most agents were added, the form's table still lists them all after Run All
    assert "user+10@talkdesk.com" in form.locator(".punchlab-agents-table").inner_text()
    form.get_by_role("textbox", name="Name *").fill("Browser Tester")
    form.get_by_role("textbox", name="Email *").fill("browser.tester@localhost")
    form.get_by_role("button", name="Save").click()
    form.get_by_text("browser.tester@localhost").first.wait_for(timeout=30_000)
    assert "Saved" not in form.locator(".punchlab-message").inner_text()
    nb.shot("form_invalid_email", form)
    form.get_by_role("textbox", name="Email *").fill("browser.tester@example.com")
    form.get_by_role("button", name="Save").click()
    form.get_by_text("Saved Browser Tester").wait_for(timeout=30_000)
    form.locator(".punchlab-agents-table").get_by_text("browser.tester@example.com").wait_for(
        timeout=30_000
    )
    nb.shot("form_saved", form)


def _drive_04(nb: Notebook) -> None:
    """The mapping editor: choose another source for `name`; the preview follows."""
    editor = nb.page.locator(".punchlab-mapping-editor").last
    editor.scroll_into_view_if_needed()
    preview = editor.locator(".punchlab-mapping-preview")
    before = preview.inner_text()
    nb.shot("mapping_editor_after_run_all", editor)
    editor.locator("select").first.select_option(label="punch_clock_email")
    nb.page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[preview.element_handle(), before]
    )
    assert "@talkdesk.com" in preview.inner_text().split("name")[-1]
    nb.shot("mapping_editor_name_from_email", editor)


def _drive_05(nb: Notebook) -> None:
    """The builder publishes the logout Automation; the console logs an agent in and out."""
    # Above the exercise, the builder's snapshot does not give the answer away.
    before_exercise = nb.output_of('builder.name.value = "Punch in on login"')
    before_exercise.scroll_into_view_if_needed()
    nb.shot("builder_snapshot_before_the_exercise", before_exercise)
    assert "external_id" not in before_exercise.inner_text()
    builder = nb.page.locator(".punchlab-automation-builder").last
    builder.scroll_into_view_if_needed()
    nb.shot("builder_after_run_all", builder)
    message = builder.locator(".punchlab-message")
    # Run All made the logout Automation from code: the live builder is still the learner's.
    assert builder.get_by_role("textbox", name="Name *").input_value() == ""
    assert message.inner_text().strip() == ""
    builder.get_by_role("textbox", name="Name *").fill("")
    builder.get_by_role("button", name="Publish").click()
    message.get_by_text("Name is mandatory").wait_for(timeout=30_000)
    nb.shot("builder_without_a_name", builder)
    builder.get_by_role("textbox", name="Name *").fill("Punch out on logout")
    builder.locator("select").nth(1).select_option(label="an agent logs out")
    builder.locator("select").nth(2).select_option(label="Punch Clock: Punch clock")
    # the kernel rebuilds the inputs for the chosen Action: fill the new field, not the old one
    builder.locator(".punchlab-builder-inputs").get_by_text("User ID").wait_for(timeout=30_000)
    variable = builder.locator(".punchlab-builder-inputs input").first
    variable.fill("{{agent.connection_1.external_id}}")
    variable.press("Enter")
    builder.get_by_role("button", name="Publish").click()
    message.get_by_text("Published: Punch out on logout").wait_for(timeout=30_000)
    nb.shot("builder_published_logout", builder)

    console = nb.page.locator(".punchlab-agent-console").last
    console.scroll_into_view_if_needed()
    nb.shot("console_after_run_all", console)
    assert "offline since Mon 17:00" in console.inner_text()  # yesterday's logout names its day
    row = console.locator(".punchlab-agent-row", has_text="Gregory Dearing")
    history = console.locator(".punchlab-run-history")
    punches = console.locator(".punchlab-punches")
    row.get_by_role("button", name="Log in").click()
    history.locator("tr", has_text="Gregory").first.wait_for(timeout=30_000)
    first = history.locator("tbody tr").first.inner_text()
    assert "login" in first and "success" in first, first
    assert "08:00" in first and "Mon" not in first, first  # stamped at the clock's time, today
    punches.get_by_text("check-in").first.wait_for(timeout=30_000)
    assert "Gregory" in punches.locator("tbody tr").first.inner_text()
    nb.shot("console_logged_in", console)
    row.get_by_role("button", name="Log out").click()
    nb.page.wait_for_function(
        "el => el.querySelector('tbody tr').innerText.includes('logout')",
        arg=history.element_handle(),
        timeout=30_000,
    )
    first = history.locator("tbody tr").first.inner_text()
    assert "success" in first, first
    punches.get_by_text("check-out").first.wait_for(timeout=30_000)
    nb.shot("console_logged_out", console)


def _assert_kernel_goes_idle(lab: Lab, kernel: str, *, within: float = 60.0) -> None:
    """The kernel finishes Run All, the widget clicks and the saves: none leaves it busy."""
    deadline = time.monotonic() + within
    while (state := lab.api("GET", f"/api/kernels/{kernel}").json()["execution_state"]) != "idle":
        assert time.monotonic() < deadline, f"kernel still {state} after {within:.0f} s"
        time.sleep(0.5)


DRIVERS: dict[str, Callable[[Notebook], None]] = {
    "00": _drive_00,
    "01": _drive_01,
    "04": _drive_04,
    "05": _drive_05,
}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_a_real_browser(lab: Lab, browser, name: str) -> None:
    # Start the kernel first, so JupyterLab attaches to a ready kernel and asks nothing.
    session = lab.api(
        "POST",
        "/api/sessions",
        json={"path": name, "type": "notebook", "name": name, "kernel": {"name": "python3"}},
    ).json()
    # Forget the tabs of the notebooks before, so the page shows this one alone.
    lab.api("DELETE", "/lab/api/workspaces/default", missing_ok=True)
    for old in SCREENSHOTS.glob(f"{name[:2]}_*.png"):
        old.unlink()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    nb = Notebook(page, lab, name, kernel=session["kernel"]["id"])
    try:
        page.goto(lab.url(name))
        page.locator(".jp-NotebookPanel").wait_for(timeout=120_000)
        nb.wait_idle()
        started = time.monotonic()
        saved = nb.run_all()
        errors = _errors(saved)
        print(f"{name}: Run All in {time.monotonic() - started:.1f} s")
        nb.shot("run_all")
        assert not errors, f"{name} after Run All: " + "; ".join(errors)
        intended = [
            index
            for index, cell in enumerate(saved["content"]["cells"])
            if "raises-exception" in cell["metadata"].get("tags", [])
        ]
        if intended:  # what a learner reads there: the message first, short
            cell = page.locator(".jp-Notebook .jp-Cell").nth(intended[0])
            cell.scroll_into_view_if_needed()
            nb.shot("intended_error", cell)
        driver = DRIVERS.get(name[:2])
        if driver is not None:
            driver(nb)
        _assert_kernel_goes_idle(lab, session["kernel"]["id"])
    except Exception:
        nb.shot("failure")
        raise
    finally:
        page.close()
        lab.api("DELETE", f"/api/sessions/{session['id']}")


def test_punchlab_command_works_in_a_jupyterlab_terminal(lab: Lab, browser) -> None:
    """`punchlab ...` as the course says to type it, in the terminal JupyterLab opens."""
    for old in SCREENSHOTS.glob("te*.png"):
        old.unlink()
    lab.api("DELETE", "/lab/api/workspaces/default", missing_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{lab.base}/lab?token={lab.token}")
        nb = Notebook(page, lab, "terminal")
        page.locator(".jp-Launcher").get_by_text("Terminal", exact=True).click(timeout=60_000)
        terminal = page.locator(".jp-Terminal").first
        terminal.locator(".xterm-screen").wait_for(timeout=60_000)
        terminal.click()
        which, check = lab.root / "which.txt", lab.root / "check.txt"
        command = f"command -v punchlab > {which} && punchlab check > {check}"
        page.keyboard.type(f"{command} && clear && cat {which} {check}\n")
        deadline = time.monotonic() + 60
        while not (check.exists() and "[ OK ]" in check.read_text()):
            assert time.monotonic() < deadline, "punchlab check did not run in the terminal"
            page.wait_for_timeout(500)
        page.wait_for_timeout(1_000)  # the screen shows what was printed
        nb.shot("terminal", terminal)
        assert which.read_text().strip() == str(ROOT / ".venv" / "bin" / "punchlab")
        assert "[FAIL]" not in check.read_text()
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / "terminal_failure.png"))
        raise
    finally:
        page.close()
