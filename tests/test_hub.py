"""The browser's address of a lab port: direct on a laptop, through the hub's proxy on a hub."""

from __future__ import annotations

from punchlab import browser_url
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
