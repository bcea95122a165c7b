"""The asyncio side of Socket.send_async (contract §10).

The C side has already run Send's checks and begun the core's pending send
(SendAsync's mode); what is left here is waiting, on the running loop's own
watchers (add_writer), in the order the sends were called. Nothing here
decides what a send means: each step is the core's.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any

from . import _core

# Socket -> its pending sends, in call order; the first is the one stepped.
_queues: dict[Any, collections.deque["SendFuture"]] = {}


class SendFuture(asyncio.Future[int]):
    """The future send_async returns while the send is pending.

    bytes_transferred is what the kernel has taken so far: after a
    cancellation, what went before the send was given up.
    """

    _op: Any
    _sock: Any
    _fd: int = -1  # the descriptor watched while at the head of the queue

    __module__ = "csend"

    @property
    def bytes_transferred(self) -> int:
        return int(self._op.sent)


def start_send(sock: Any, op: Any) -> SendFuture:
    """Called by send_async (C) for a send that must wait: queues it behind
    the socket's earlier pending sends."""
    loop = asyncio.get_running_loop()
    fut = SendFuture(loop=loop)
    fut._op, fut._sock = op, sock
    queue = _queues.get(sock)
    if queue is None:
        queue = _queues[sock] = collections.deque()
    queue.append(fut)
    fut.add_done_callback(_finished)
    if len(queue) == 1:
        _watch(loop, fut)
    return fut


def _watch(loop: asyncio.AbstractEventLoop, fut: SendFuture) -> None:
    fut._fd = fut._op.fileno()  # held open by the operation until it ends
    loop.add_writer(fut._fd, _ready, fut)


def _ready(fut: SendFuture) -> None:
    """The descriptor is writable (or the socket was shut down by close):
    the next steps of the send at the head of its socket's queue."""
    if fut.done():
        return
    try:
        n = fut._op.step()
    except BaseException as e:  # the core's SocketException, or a runtime error
        _unwatch(fut)
        fut.set_exception(e)
        return
    if n is not None:
        _unwatch(fut)
        fut.set_result(n)


def _unwatch(fut: SendFuture) -> None:
    """Stops watching at once when the send ends: its descriptor may be
    released by then, and its number given to a new socket before the
    future's callbacks run."""
    if fut._fd >= 0:
        fut.get_loop().remove_writer(fut._fd)
        fut._fd = -1


def _finished(fut: SendFuture) -> None:
    """Completed, failed or cancelled: stop watching, give a cancelled send
    up, and start the next send of the socket."""
    op, sock = fut._op, fut._sock
    loop = fut.get_loop()
    queue = _queues.get(sock)
    head = queue is not None and queue[0] is fut
    _unwatch(fut)  # a cancelled send: its operation still holds the descriptor
    op.close()  # a no-op once ended; a cancelled send is given up here
    if queue is None:
        return
    queue.remove(fut)
    if not queue:
        del _queues[sock]
    elif head:
        nxt = queue[0]
        _ready(nxt)  # its first attempt, as if it had been called now
        if not nxt.done():
            _watch(loop, nxt)


_core._bind_async(start_send, asyncio.get_running_loop)
