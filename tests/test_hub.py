"""Addresses on a hub: a lab port (direct on a laptop, through the hub's proxy on a hub), and the
link attendees click (tests/hub/ clicks it on a real hub)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from punchlab import ValidationError, browser_url, workshop_link
from punchlab.cli import main
from punchlab.hub import hub_prefix

HUB = {"JUPYTERHUB_SERVICE_PREFIX": "/user/ana/"}


def test_off_a_hub_the_browser_uses_the_plain_address() -> None:
    assert hub_prefix(environ={}) is None
    assert browser_url(4010, environ={}) == "http://127.0.0.1:4010"
    assert browser_url(4010, host="::1", environ={}) == "http://[::1]:4010"


def test_under_a_hub_a_loopback_port_goes_through_the_users_proxy_path() -> None:
    assert hub_prefix(environ=HUB) == "/user/ana/"
    assert hub_prefix(environ={"JUPYTERHUB_SERVICE_PREFIX": "/user/ana"}) == "/user/ana/"
    assert browser_url(4010, environ=HUB) == "/user/ana/proxy/4010"
    public = {**HUB, "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/user/ana/"}
    assert browser_url(4010, environ=public) == "https://hub.example.org/user/ana/proxy/4010"


def test_a_server_on_another_interface_is_reached_as_it_is() -> None:
    assert browser_url(4010, host="10.1.2.3", environ=HUB) == "http://10.1.2.3:4010"


# ------------------------------------------------------------ the link attendees click

LINK_HUB = "https://hub.example.org"


def link_parts(link: str) -> tuple[str, dict[str, str]]:
    base, _, query = link.partition("?")
    parsed = parse_qs(query, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values())
    return base, {key: values[0] for key, values in parsed.items()}


@pytest.mark.parametrize(
    "repository",
    [
        "https://github.com/acme/punchlab.git",
        "https://github.com/acme/punchlab",
        "https://gitlab.example.org/acme/punchlab/",
        "git@github.com:acme/punchlab.git",
        "file:///srv/git/punchlab.git",
    ],
)
def test_the_link_opens_notebook_00_in_the_folder_the_clone_lands_in(repository: str) -> None:
    base, query = link_parts(workshop_link(f"{LINK_HUB}/", repository))
    assert base == f"{LINK_HUB}/hub/user-redirect/git-pull"
    assert query == {
        "repo": repository,
        "branch": "main",
        "targetpath": "punchlab",
        "urlpath": "lab/tree/punchlab/notebooks/00_setup_check.ipynb",
    }


def test_the_link_keeps_the_hubs_own_path_and_names_what_it_is_told() -> None:
    link = workshop_link(
        "http://10.0.0.5:8000/jhub",
        "https://example.org/acme/punchlab.git",
        branch="workshop-2026",
        folder="course",
        notebook="notebooks/02_mock_api.ipynb",
    )
    base, query = link_parts(link)
    assert base == "http://10.0.0.5:8000/jhub/hub/user-redirect/git-pull"
    assert query["branch"] == "workshop-2026" and query["targetpath"] == "course"
    assert query["urlpath"] == "lab/tree/course/notebooks/02_mock_api.ipynb"


@pytest.mark.parametrize(
    ("args", "options", "where"),
    [
        (("hub.example.org", "https://g.org/punchlab"), {}, "hub"),
        (("ftp://hub.example.org", "https://g.org/punchlab"), {}, "hub"),
        (("https://hub.example.org?x=1", "https://g.org/punchlab"), {}, "hub"),
        (("http://[::1", "https://g.org/punchlab"), {}, "hub"),
        (("https://hub.example.org/#top", "https://g.org/punchlab"), {}, "hub"),
        (("https://ana:s3cret@hub.example.org", "https://g.org/punchlab"), {}, "hub"),
        ((LINK_HUB, ""), {}, "repository"),
        ((LINK_HUB, "https://g.org/punch lab"), {}, "repository"),
        ((LINK_HUB, "https://ana:s3cret@github.com/acme/punchlab.git"), {}, "repository"),
        ((LINK_HUB, "https://github.com/acme/punchlab.git?access_token=s3cret"), {}, "repository"),
        (("https://hub.example.org/?token=s3cret", "https://g.org/punchlab"), {}, "hub"),
        ((LINK_HUB, "https://g.org/punchlab"), {"branch": "main\n"}, "branch"),
        ((LINK_HUB, "https://g.org/.git"), {}, "folder"),
        ((LINK_HUB, "https://g.org/punchlab"), {"folder": "../up"}, "folder"),
        ((LINK_HUB, "https://g.org/punchlab"), {"notebook": "../secret.ipynb"}, "notebook"),
        ((LINK_HUB, "https://g.org/punchlab"), {"notebook": "/etc/x.ipynb"}, "notebook"),
    ],
)
def test_a_bad_part_of_the_link_is_named(args: tuple[str, str], options: dict, where: str) -> None:
    with pytest.raises(ValidationError) as raised:
        workshop_link(*args, **options)
    assert raised.value.where == where
    assert str(raised.value).startswith(f"{where}: ")
    assert "s3cret" not in str(raised.value)


def test_punchlab_link_prints_the_link_or_one_line_and_status_2(capsys) -> None:
    repository = "https://github.com/acme/punchlab.git"
    assert main(["link", LINK_HUB, repository, "--branch", "day-1"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == workshop_link(LINK_HUB, repository, branch="day-1")
    assert main(["link", "hub.example.org", repository]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("punchlab link: hub: ")
