"""Test-runner setup for every pytest run here: the package tests and the notebooks (nbmake).

Why the notebook suite used to stall for exactly its per-cell timeout (issue 15)
--------------------------------------------------------------------------------
nbmake runs each notebook with nbclient on jupyter_client's asyncio client. While a cell runs,
nbclient awaits the execute_reply with ``shell_channel.get_msg(timeout)``, a pyzmq asyncio poll
that wakes when the shell socket's ``ZMQ_FD`` turns readable. That descriptor is edge-triggered:
any send or receive on the socket lets libzmq take pending "message arrived" notices off it.

When a cell writes into an ``ipywidgets.Output`` (our forms' tables and previews do), nbclient's
stand-in for the front end's Output widget answers each output with a ``comm_msg`` *sent on the
same shell socket*. ``Session.send`` sends it through a blocking shadow of the asyncio socket, so
pyzmq never learns of the send and never looks at the socket's events again. If the kernel's
execute_reply reached the client just before that send, the send takes its notice off the
descriptor: the reply sits in the socket's queue, the event loop sleeps in ``epoll_wait`` and
wakes only when the poll times out, finds the reply and the cell "passes", a full timeout late.

Upstream this is nbclient issue 312 ("when cell contains ipywidget, execute cell will sometimes
block", open; PR 311 open). nbclient 0.11.0, jupyter_client 8.10.0 and pyzmq 27.3.0 are the
newest releases, and jupyter_client 7.4 and 8.6 send through the same shadow: no version
constraint avoids it. The kernel is not involved (it has sent the
reply; a second client gets answers from it during the stall), and JupyterLab is not affected:
jupyter_server sends to the kernel through ZMQStreams, which re-check the socket after sending.

The fix below does what pyzmq's own asyncio ``send`` does after sending: read ``EVENTS`` through
the asyncio socket, which makes pyzmq schedule its handler when a message is already waiting.
It is a no-op for blocking sockets and for an asyncio socket that nothing awaits. Remove it once
jupyter_client sends on asyncio sockets through pyzmq's asyncio API (tests/test_notebook_runner.py
then passes without it: `pytest --noconftest tests/test_notebook_runner.py`).
"""

from __future__ import annotations

import asyncio
import functools

import zmq
import zmq.asyncio
from jupyter_client.session import Session


def _in_event_loop() -> bool:
    """Only a running event loop can have a wait on the socket that needs waking."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _rearm_after_send(send):
    @functools.wraps(send)
    def send_and_rearm(self, stream, *args, **kwargs):
        message = send(self, stream, *args, **kwargs)
        if isinstance(stream, zmq.asyncio.Socket) and not stream.closed and _in_event_loop():
            stream.get(zmq.EVENTS)  # pyzmq's asyncio socket re-checks its queue on this read
        return message

    send_and_rearm.rearms_asyncio_poll = True
    return send_and_rearm


if not getattr(Session.send, "rearms_asyncio_poll", False):
    Session.send = _rearm_after_send(Session.send)
