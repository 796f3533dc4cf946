from __future__ import annotations

import socket

import httpx
import pytest

from punchlab.mock.live import generate_users
from punchlab.mock.messages import MAX_BODY_BYTES
from punchlab.mock.server import MockServer


def live() -> MockServer:
    return MockServer(mode="live", users=generate_users(7))


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes and read until the server answers or closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"connection: close" not in received.lower():
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    return received


def status_of(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def test_serves_on_a_free_port_and_stops_cleanly() -> None:
    server = live().serve()
    assert not server.running
    server.start()
    try:
        assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(f"{server.url}/users/formatted?page=1").json()["total"] == 7
        assert "running" in repr(server)
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/users/formatted?page=1")
    # the port is free again
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", server.port))


@pytest.mark.parametrize(
    "garbage",
    [
        b"GARBAGE\r\n\r\n",
        b"\x00\x01\x02\xff\xfe\r\n\r\n",
        b"GET /users/formatted?page=1 HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"POST /user/1/punch-clock HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    ],
)
def test_garbage_gets_4xx_or_closed_and_serving_goes_on(garbage: bytes) -> None:
    with live().serve() as running:
        answer = raw_exchange(running.port, garbage)
        status = status_of(answer)
        assert status is None or 400 <= status < 500, answer[:200]
        assert httpx.get(f"{running.url}/users/formatted?page=1").status_code == 200


@pytest.mark.parametrize(
    "path", ["/users/%zz", "/user/%ff/punch-clock", "/user/%E2%28/punch-clock"]
)
def test_bad_percent_escapes_are_400(path: str) -> None:
    with live().serve() as running:
        request = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode()
        answer = raw_exchange(running.port, request)
        assert status_of(answer) == 400, answer[:200]
        assert httpx.get(f"{running.url}/users/formatted?page=1").status_code == 200


def test_streamed_body_over_the_cap_is_400_without_reading_it_all() -> None:
    def chunks():
        for _ in range(4):
            yield b"x" * (MAX_BODY_BYTES // 2)

    with live().serve() as running, httpx.Client(base_url=running.url) as http:
        try:
            answer = http.post("/user/1/punch-clock", content=chunks())
            assert answer.status_code == 400
        except httpx.HTTPError:
            pass  # the server may close the connection before the client finished sending
        assert http.get("/users/formatted?page=1").status_code == 200


def test_asgi_app_runs_under_httpx_asgi_transport() -> None:
    import asyncio

    server = live()

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=server.asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://asgi") as http:
            return await http.post("/user/3/punch-clock")

    answer = asyncio.run(call())
    assert answer.status_code == 200 and answer.json()["type"] == "in"
    assert int(answer.headers["content-length"]) == len(answer.content)


def test_port_in_use_is_an_error() -> None:
    with live().serve() as running:
        with pytest.raises(OSError):
            live().serve(port=running.port).start()


def test_every_accepted_connection_has_nagle_off() -> None:
    # uvicorn writes an answer's head and body apart; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms an answer). asyncio turns it off only on sockets that say
    # they are TCP, so check what the server itself holds for a kept-alive connection.
    with live().serve() as running, httpx.Client(base_url=running.url) as client:
        assert client.get("/users/formatted?page=1").status_code == 200
        connections = list(running._uvicorn.server_state.connections)
        assert connections, "the kept-alive connection is open on the server"
        for connection in connections:
            sock = connection.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
