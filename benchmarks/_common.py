"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "data" / "time_punching_integration.postman_collection.json"


def punchlab_command() -> list[str]:
    """`punchlab` from the same environment as this Python."""
    exe = Path(sys.executable).with_name("punchlab")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "punchlab.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60.0) -> float:
    """Poll `url` until any HTTP answer; returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.002)
    raise RuntimeError(f"no answer from {url} in {timeout} s")
