"""The notebook runner's shell wait wakes on a reply that a send took off the socket's descriptor.

This is the situation of issue 15 rebuilt with the parts nbclient uses (a jupyter_client
`Session` sending on a pyzmq asyncio socket): without the repository's `conftest.py` the poll
below never wakes, as nbclient's shell wait slept until its per-cell timeout.
"""

from __future__ import annotations

import asyncio
import select
import time

import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import Session


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


@pytest.fixture
def shell_pair():
    """A kernel-side ROUTER and a client-side asyncio DEALER, connected over localhost TCP."""
    kernel = zmq.Context.instance().socket(zmq.ROUTER)
    context = zmq.asyncio.Context()
    client = context.socket(zmq.DEALER)
    kernel.linger = client.linger = 0
    port = kernel.bind_to_random_port("tcp://127.0.0.1")
    client.connect(f"tcp://127.0.0.1:{port}")
    yield kernel, client
    client.close()
    kernel.close()
    context.term()


def test_a_send_on_the_shell_socket_does_not_hide_a_reply_already_queued(shell_pair) -> None:
    kernel, client = shell_pair
    session = Session(key=b"test-only key")

    async def scenario() -> int:
        session.send(client, "execute_request", {"code": "1"})
        identity, *_ = kernel.recv_multipart()
        reply_wait = client.poll()  # like nbclient's shell get_msg, here without a timeout
        await asyncio.sleep(0.05)  # the event loop now sleeps on the client's descriptor
        fd = client.getsockopt(zmq.FD)

        def reply_then_comm_msg() -> None:
            # One event-loop callback, as nbclient's Output widget stand-in runs: the reply
            # lands in the client's queue, then the client sends a comm_msg on the same socket.
            session.send(kernel, "execute_reply", {"status": "ok"}, ident=identity)
            deadline = time.monotonic() + 10
            while not _readable(fd) and time.monotonic() < deadline:
                time.sleep(0.001)
            session.send(client, "comm_msg", {"comm_id": "output", "data": {}})
            assert not _readable(fd), "the send should have taken the reply's notice off the fd"

        asyncio.get_running_loop().call_soon(reply_then_comm_msg)
        return await asyncio.wait_for(reply_wait, timeout=20)

    assert asyncio.run(scenario()) & zmq.POLLIN
