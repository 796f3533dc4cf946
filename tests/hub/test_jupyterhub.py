"""A room on one shared server: a real JupyterHub with five attendees, each running the course.

The hub loads the shipped `deploy/jupyterhub_config.py` (see `hubrun.py` for what the test adds).
Users are created and their servers started through the hub's REST API; each attendee's kernel
runs the heart of the course in their own lab home. Then: nobody sees another attendee's agents,
runs or punches, every mock has its own port, and each mock answers through the hub's proxy at
the URL the notebook shows, behind the hub's login. Last, an attendee's Chromium clicks the
workshop link (nbgitpuller): log in, the course pulled into their home, notebook 00 open; a
second click after the presenter pushes a fix brings it and keeps the attendee's edit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("jupyterhub", reason="pip package jupyterhub is missing (the `hub` extra)")
pytest.importorskip("jupyter_server_proxy", reason="pip package jupyter-server-proxy is missing")

from punchlab import workshop_link  # noqa: E402
from tests.hub.course_steps import COURSE, LOOK  # noqa: E402
from tests.hub.hubrun import ROOT, Hub, proxy_command  # noqa: E402

pytestmark = pytest.mark.skipif(
    proxy_command() is None,
    reason="configurable-http-proxy is not installed (.ci/run installs it into .tools/ with npm)",
)

USERS = ["ana", "ben", "chloe", "dmitri", "eva"]
TUTORIAL_AGENTS = [f"user+{n}@talkdesk.com" for n in range(1, 8)]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, dict[str, Any]]]:
    """A running hub whose five attendees have each run the course; their results by name."""
    hub = Hub(tmp_path_factory.mktemp("hub"))
    with hub:
        hub.add_users(USERS)
        hub.start_servers(USERS)
        results = {name: json.loads(hub.run(name, COURSE.format(name=name))) for name in USERS}
        yield hub, results


def look(hub: Hub, name: str) -> dict[str, Any]:
    return json.loads(hub.run(name, LOOK))


def test_every_attendee_runs_the_course_in_their_own_lab_home(room) -> None:
    hub, results = room
    homes = {name: Path(result["home"]) for name, result in results.items()}
    for name, home in homes.items():
        assert home == hub.work / "homes" / name / ".punchlab"
        assert (home / "lab.sqlite3").is_file()
    for result in results.values():
        assert result["sync"]["matched"] == 7 and result["sync"]["conflicts"] == 0
        assert result["punches"] == 7


def test_nobody_sees_another_attendees_agents_runs_or_punches(room) -> None:
    hub, _ = room
    for name in USERS:
        seen = look(hub, name)
        assert seen["agents"] == sorted([f"{name}@attendees.example.org", *TUTORIAL_AGENTS])
        # seven punches by the login Automation; the attendee's own agent has no External ID
        assert seen["runs"] == {"success": 7, "missing_variable": 1}
        assert seen["punches"] == 7


def test_every_mock_has_its_own_free_port(room) -> None:
    _, results = room
    ports = [result["port"] for result in results.values()]
    assert len(set(ports)) == len(USERS)
    assert 4010 not in ports


def test_each_mock_answers_through_the_hub_at_the_url_the_notebook_shows(room) -> None:
    hub, results = room
    for name, result in results.items():
        assert result["public_url"] == f"/user/{name}/proxy/{result['port']}"
        page = hub.http.get(f"{result['public_url']}/users/formatted", params={"page": 1})
        assert page.status_code == 200, page.text[:500]
        assert page.json()["total"] == 7
    # a punch through ana's proxied URL lands in ana's mock, and only there
    punch = hub.http.post(f"{results['ana']['public_url']}/user/3/punch-clock")
    assert punch.status_code == 200 and punch.json()["type"] == "out"
    assert look(hub, "ana")["punches"] == 8
    assert look(hub, "ben")["punches"] == 7


def test_the_proxied_mock_is_behind_the_hubs_login(room) -> None:
    hub, results = room
    url = f"{hub.url}{results['ben']['public_url']}/users/formatted?page=1"
    anonymous = httpx.get(url)  # no token, no cookie: a browser that has not logged in
    assert anonymous.status_code in (302, 403), anonymous.status_code
    assert "users" not in anonymous.text


# ------------------------------------------------------------ the link attendees click

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def git(*args: str | Path, cwd: Path | None = None) -> str:
    author = ["-c", "user.name=Presenter", "-c", "user.email=presenter@example.org"]
    done = subprocess.run(
        ["git", *author, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def course_repository(tmp_path: Path) -> Path:
    """The presenter's repository: this checkout's HEAD pushed to a bare repository's main."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to pull")
    bare = tmp_path / "punchlab.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", bare)
    git("push", "--quiet", bare, "HEAD:refs/heads/main", cwd=ROOT)
    return bare


def click(page, link: str, folder: str) -> None:
    """Open the link as an attendee's browser does, and wait for JupyterLab on notebook 00."""
    page.goto(link)
    if "/hub/login" in page.url:  # the first click: the hub asks who this is
        page.fill("#username_input", "ana")
        page.fill("#password_input", "any password (the dummy authenticator)")
        page.click("#login_submit")
    opened = f"**/user/ana/lab/tree/{folder}/notebooks/00_setup_check.ipynb"
    page.wait_for_url(opened, timeout=120_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_workshop_link_pulls_the_course_and_opens_notebook_00(room, course_repository) -> None:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="pip package playwright is missing"
    )
    hub, _ = room
    link = workshop_link(hub.url, f"file://{course_repository}")
    clone = hub.work / "homes" / "ana" / "punchlab"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            click(page, link, "punchlab")
            # ready for class: punchlab's JupyterLab defaults say "never ask about news"
            settings = hub.server_api("ana", f"lab/api/settings/{NOTIFICATION}").json()
            assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"
            page.wait_for_timeout(2000)  # the prompt, when on, shows by now (next to the cells)
            assert page.get_by_text("official Jupyter news").count() == 0
            page.screenshot(path=str(SCREENSHOTS / "hub-workshop-link.png"))
            assert (clone / "notebooks" / "00_setup_check.ipynb").is_file()
            assert (clone / "data").is_dir()

            # Later: the attendee edited a notebook; the presenter pushed a fix. Clicking the
            # same link again brings the fix and keeps the attendee's edit.
            edited = clone / "notebooks" / "00_setup_check.ipynb"
            notebook = json.loads(edited.read_text())
            notebook["cells"][0]["source"] = "# Ana's notes\n"
            edited.write_text(json.dumps(notebook))
            presenter = course_repository.parent / "presenter"
            git("clone", "--quiet", course_repository, presenter)
            (presenter / "notebooks" / "ERRATA.md").write_text("Day 2: page size is 5.\n")
            git("add", "notebooks/ERRATA.md", cwd=presenter)
            git("commit", "--quiet", "-m", "Errata for day 2", cwd=presenter)
            git("push", "--quiet", "origin", "main", cwd=presenter)
            click(page, link, "punchlab")
        finally:
            browser.close()
    assert (clone / "notebooks" / "ERRATA.md").read_text() == "Day 2: page size is 5.\n"
    assert json.loads(edited.read_text())["cells"][0]["source"] in (
        "# Ana's notes\n",
        ["# Ana's notes\n"],
    )
