"""A real JupyterHub on this machine, for tests/hub/ and benchmarks/hub_capacity.py.

The hub loads the shipped `deploy/jupyterhub_config.py` and adds what a test needs: the dummy
authenticator, the simple local-process spawner (every attendee's server is a process of this
user, with its own home under the work folder), configurable-http-proxy from `.tools/` (npm),
a service token, and 127.0.0.1 on free ports for the proxy, the hub and every server.

```python
with Hub(tmp_path) as hub:
    hub.add_users(["ana"])
    hub.start_server("ana")                      # seconds it took
    hub.run("ana", "print(1 + 1)")               # '2\n', from ana's kernel
```
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.mock.test_cli import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
SERVICE = "punchlab-test"


def proxy_command() -> str | None:
    """configurable-http-proxy: from `.tools/` (installed by .ci/run with npm), else PATH."""
    local = ROOT / ".tools" / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else shutil.which("configurable-http-proxy")


class KernelError(RuntimeError):
    """Code sent to a user's kernel raised; the message is the kernel's traceback."""


class Hub:
    """JupyterHub in a subprocess, driven through its REST API with a service token."""

    def __init__(self, work: Path) -> None:
        self.work = Path(work)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(24)
        self.process: subprocess.Popen | None = None
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=60
        )
        self._kernels: dict[str, str] = {}

    def _config(self) -> Path:
        proxy = proxy_command()
        if proxy is None:
            raise RuntimeError("configurable-http-proxy is not installed (npm)")
        singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
        args = ["--allow-root"] if os.geteuid() == 0 else []
        settings = {
            "deploy": str(DEPLOY_CONFIG),
            "proxy": proxy,
            "port": self.port,
            "hub_port": free_port(),
            "api_port": free_port(),
            "work": str(self.work),
            "cmd": [str(singleuser)],
            "args": args,
            "token": self.token,
            "service": SERVICE,
        }
        config = self.work / "jupyterhub_config.py"
        config.write_text(_CONFIG.format(**{k: repr(v) for k, v in settings.items()}))
        return config

    def start(self, *, timeout: float = 120) -> Hub:
        self.work.mkdir(parents=True, exist_ok=True)
        config = self._config()
        log = (self.work / "hub.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=self.work,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.http.get("/hub/api/").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, chars: int = 4000) -> str:
        path = self.work / "hub.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the hub; it stops every user's server and the proxy on its way out."""
        self.http.close()
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- users and their servers, through the hub's REST API -----------------------------------

    def add_users(self, names: list[str]) -> None:
        self.http.post("/hub/api/users", json={"usernames": names}).raise_for_status()

    def user(self, name: str) -> dict[str, Any]:
        answer = self.http.get(f"/hub/api/users/{name}")
        answer.raise_for_status()
        return answer.json()

    def start_servers(self, names: list[str], *, timeout: float = 300) -> dict[str, float]:
        """Ask the hub to start these users' servers at once; seconds until each was ready."""
        started = time.perf_counter()
        for name in names:
            self.http.post(f"/hub/api/users/{name}/server").raise_for_status()
        ready: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        while len(ready) < len(names):
            for name in set(names) - set(ready):
                server = self.user(name).get("servers", {}).get("")
                if server is None:
                    raise RuntimeError(f"{name}'s server failed to start:\n{self.log_tail()}")
                if server.get("ready"):
                    ready[name] = time.perf_counter() - started
            if time.monotonic() > deadline:
                raise RuntimeError(f"servers not ready in {timeout} s:\n{self.log_tail()}")
            time.sleep(0.2)
        return ready

    def start_server(self, name: str, *, timeout: float = 180) -> float:
        """Ask the hub to start `name`'s server; the seconds until it is ready."""
        return self.start_servers([name], timeout=timeout)[name]

    def server_api(self, name: str, path: str, method: str = "GET", **options: Any):
        """A call to `name`'s Jupyter server, through the hub's proxy."""
        answer = self.http.request(method, f"/user/{name}/{path.lstrip('/')}", **options)
        answer.raise_for_status()
        return answer

    # --- code in a user's kernel: Jupyter's REST + websocket API -------------------------------

    def kernel(self, name: str) -> str:
        """The id of `name`'s kernel (started on first use)."""
        if name not in self._kernels:
            kernel = self.server_api(name, "api/kernels", "POST", json={"name": "python3"})
            self._kernels[name] = kernel.json()["id"]
        return self._kernels[name]

    def kernel_pid(self, name: str) -> int | None:
        """The kernel's process id, from its connection file's neighbours (psutil)."""
        import psutil

        kernel = self.kernel(name)
        for process in psutil.process_iter(["cmdline"]):
            if any(kernel in part for part in process.info["cmdline"] or []):
                return process.pid
        return None

    def run(self, name: str, code: str, *, timeout: float = 120) -> str:
        """Execute `code` in `name`'s kernel; its standard output (KernelError if it raised)."""
        return asyncio.run(self._execute(name, self.kernel(name), code, timeout))

    async def _execute(self, name: str, kernel: str, code: str, timeout: float) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{self.port}/user/{name}/api/kernels/{kernel}/channels"
        request = HTTPRequest(url, headers={"Authorization": f"token {self.token}"})
        connection = await asyncio.wait_for(websocket_connect(request), timeout)
        msg_id = uuid.uuid4().hex
        connection.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": name,
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {"code": code, "silent": False, "stop_on_error": True},
                }
            )
        )
        output: list[str] = []
        error: str | None = None
        replied = idle = False
        deadline = time.monotonic() + timeout
        try:
            while not (replied and idle):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{name}'s kernel did not finish in {timeout} s")
                raw = await asyncio.wait_for(connection.read_message(), left)
                if raw is None:
                    raise RuntimeError(f"{name}'s kernel connection closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream" and content["name"] == "stdout":
                    output.append(content["text"])
                elif kind == "error":
                    error = "\n".join(content["traceback"])
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
        finally:
            connection.close()
            # wait for the close handshake, so the socket is closed before the loop ends
            with contextlib.suppress(Exception):
                while await asyncio.wait_for(connection.read_message(), 10) is not None:
                    pass
        if error is not None:
            raise KernelError(f"{name}'s kernel raised:\n{error}")
        return "".join(output)


_CONFIG = """\
# Written by tests/hub/hubrun.py: the shipped deploy config plus what a test hub needs.
load_subconfig({deploy})

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + str({api_port})
c.ConfigurableHTTPProxy.command = [{proxy}]
c.ConfigurableHTTPProxy.pid_file = {work} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {work} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {work} + "/cookie_secret"
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {work} + "/homes/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = {cmd}
c.Spawner.args.extend({args})
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

c.JupyterHub.services = [{{"name": {service}, "api_token": {token}}}]
c.JupyterHub.load_roles = [
    {{
        "name": {service},
        "services": [{service}],
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"],
    }}
]
"""
