"""The asyncio side of Socket.send_async (contract §10).

The C side runs Send's checks and begins the core's pending send
(SendAsync's mode); what is left here is waiting, on the running loop's own
watchers (add_writer), in the order the sends were called. Nothing here
decides what a send means: each step is the core's.

The C side also keeps, on the socket itself, how many sends are pending or
being called and the loop they belong to: a send from another loop is
refused by the call, before anything is sent, and a closed loop's sends are
given up (abandon) rather than left to hold the socket.
"""
from __future__ import annotations

import asyncio
import collections
import os
from typing import Any, Optional

from . import _core

# id(socket) -> its sends, in call order; the first is the one stepped. A
# queued send holds its socket, so an id here names one live socket.
_queues: dict[int, collections.deque["SendFuture"]] = {}


class SendFuture(asyncio.Future[int]):
    """The future send_async returns while the send is pending.

    bytes_transferred is what the kernel has taken so far: after a
    cancellation, what went before the send was given up.
    """

    _op: Any = None  # None while the call that made it has not begun the send
    _sock: Any
    _fd: int = -1  # our duplicate of the descriptor, watched while at the head

    __module__ = "csend"

    @property
    def bytes_transferred(self) -> int:
        return 0 if self._op is None else int(self._op.sent)


def _new(sock: Any, loop: asyncio.AbstractEventLoop, op: Any) -> SendFuture:
    fut = SendFuture(loop=loop)
    fut._op, fut._sock = op, sock
    fut.add_done_callback(_finished)
    return fut


def reserve(sock: Any, loop: asyncio.AbstractEventLoop) -> SendFuture:
    """A send called behind pending ones: its place in the queue is taken
    before its send begins, so that no send made meanwhile (by a trace
    callback, say) can go ahead of it."""
    fut = _new(sock, loop, None)
    _queues.setdefault(id(sock), collections.deque()).append(fut)
    return fut


def attach(fut: SendFuture, op: Any, may_start: bool) -> None:
    """The reserved send has begun: op is what to step. It starts at once
    when it is first in line (may_start is False while an earlier call of
    the socket is still making its first attempt)."""
    fut._op = op
    queue = _queues[id(fut._sock)]
    if may_start and queue[0] is fut:
        _start(fut)


def drop(fut: SendFuture, may_start: bool) -> None:
    """The reserved send failed its checks: its place goes to the next."""
    fut.remove_done_callback(_finished)
    _leave(fut, may_start)


def front(sock: Any, loop: asyncio.AbstractEventLoop, op: Any) -> SendFuture:
    """A send whose first attempt, made by the call, left bytes to send:
    first in line (sends called during that attempt wait behind it)."""
    fut = _new(sock, loop, op)
    _queues.setdefault(id(sock), collections.deque()).appendleft(fut)
    _watch(fut)
    return fut


def resume(sock: Any) -> None:
    """A call whose first attempt ended the send: the sends called during
    that attempt may start."""
    queue = _queues.get(id(sock))
    if queue and queue[0]._op is not None and not queue[0].done():
        _start(queue[0])


def abandon(sock: Any) -> None:
    """The socket's loop is closed: nothing will step its sends again. Each
    is given up (its descriptor and buffer go back) and its future
    cancelled."""
    for fut in _queues.pop(id(sock), ()):
        fut.remove_done_callback(_finished)
        _unwatch(fut)
        if fut._op is not None:
            fut._op.close()
        fut.cancel()


def _start(fut: SendFuture) -> None:
    """First in line: its first attempt, as if it had been called now."""
    _ready(fut)
    if not fut.done():
        _watch(fut)


def _watch(fut: SendFuture) -> None:
    # A descriptor of our own: it stays valid until _unwatch however the
    # operation ends (close releases the socket's), and a watcher the
    # program has on the socket's own number is never touched.
    fut._fd = os.dup(fut._op.fileno())
    fut.get_loop().add_writer(fut._fd, _ready, fut)


def _ready(fut: SendFuture) -> None:
    """The descriptor is writable (or the socket was shut down by close):
    the next steps of the send at the head of its socket's queue."""
    if fut.done():
        return
    try:
        n = fut._op.step()
    except BaseException as e:  # the core's SocketException, or a runtime error
        _unwatch(fut)
        if not fut.done():  # code the step ran (a signal handler) may have cancelled it
            fut.set_exception(e)
        return
    if n is not None:
        _unwatch(fut)
        if not fut.done():
            fut.set_result(n)


def _unwatch(fut: SendFuture) -> None:
    """Stops watching at once when the send ends."""
    fd, fut._fd = fut._fd, -1
    if fd >= 0:
        try:
            fut.get_loop().remove_writer(fd)
        except RuntimeError:  # a closed loop watches nothing any more
            pass
        finally:
            os.close(fd)


def _leave(fut: SendFuture, may_start: bool) -> None:
    queue: Optional[collections.deque[SendFuture]] = _queues.get(id(fut._sock))
    if queue is None or fut not in queue:
        return
    head = queue[0] is fut
    queue.remove(fut)
    if not queue:
        del _queues[id(fut._sock)]
    elif head and may_start and queue[0]._op is not None:
        _start(queue[0])


def _finished(fut: SendFuture) -> None:
    """Completed, failed or cancelled: stop watching, give a cancelled send
    up, and start the next send of the socket."""
    _unwatch(fut)  # a cancelled send: its operation still holds the descriptor
    if fut._op is not None:
        fut._op.close()  # a no-op once ended; a cancelled send is given up here
    _leave(fut, True)


_core._bind_async(reserve, attach, drop, front, resume, abandon, asyncio.get_running_loop)
