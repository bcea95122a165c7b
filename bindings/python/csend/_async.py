"""The asyncio side of the *_async methods (contract §10).

The C side runs the synchronous method's checks and begins the core's
operation; what is left here is waiting, on the running loop's own watchers
(add_writer for the sends and connect, add_reader for the receives and
accept), in the order the operations were called. Nothing here decides what
an operation means: each step is the core's.

A socket has two lines, sends and receives. The C side keeps, on the socket
itself, how many operations of each are pending or being called and the
loop they belong to: a call from another loop is refused before anything
moves, and a closed loop's operations are given up (abandon) rather than
left to hold the socket.
"""
from __future__ import annotations

import asyncio
import collections
import fcntl
from typing import Any, Optional, TypeVar

from . import _core

_T = TypeVar("_T")

_Line = collections.deque["OperationFuture[Any]"]


def _line(sock: Any, line: bool, make: bool = False) -> Optional[_Line]:
    """A socket's operations of a line (False: sends and connect; True:
    receives and accept), in call order; the first is the one stepped. The
    socket holds them, so a socket dropped with its loop closed goes, with
    them, to the collector."""
    lines = _core._lines(sock)
    queue: Optional[_Line] = lines[line]
    if queue is None and make:
        queue = lines[line] = collections.deque()
    return queue


class OperationFuture(asyncio.Future[_T]):
    """The future a *_async method returns while its operation is pending.

    bytes_transferred is what the kernel has taken (a send) or given (a
    receive) so far: after a cancellation, what moved before the operation
    was given up.
    """

    _op: Any = None  # None while the call that made it has not begun it
    _sock: Any
    _line: bool = False
    _fd: int = -1  # the operation's duplicate of the descriptor, watched while at the head
    _timer: Optional[asyncio.TimerHandle] = None  # a watcher resting (see _ready)
    _rest: float = 0.0

    __module__ = "csend"

    @property
    def bytes_transferred(self) -> int:
        return 0 if self._op is None else int(self._op.count)



def _new(sock: Any, loop: asyncio.AbstractEventLoop, op: Any, line: bool) -> OperationFuture[Any]:
    fut: OperationFuture[Any] = OperationFuture(loop=loop)
    fut._op, fut._sock, fut._line = op, sock, line
    fut.add_done_callback(_finished)
    return fut


def reserve(sock: Any, loop: asyncio.AbstractEventLoop, line: bool) -> OperationFuture[Any]:
    """An operation called behind pending ones: its place in the line is
    taken before it begins, so that none made meanwhile (by a trace
    callback, say) can go ahead of it."""
    fut = _new(sock, loop, None, line)
    _line(sock, line, True).append(fut)  # type: ignore[union-attr]
    return fut


def attach(fut: OperationFuture[Any], op: Any, may_start: bool) -> None:
    """The reserved operation has begun: op is what to step. It starts at
    once when it is first in line (may_start is False while an earlier call
    of the line is still making its first attempt)."""
    fut._op = op
    queue = _line(fut._sock, fut._line)
    if may_start and queue and queue[0] is fut:
        _advance(fut._sock, fut._line)


def drop(fut: OperationFuture[Any], may_start: bool) -> None:
    """The reserved operation failed its checks: its place goes to the next."""
    fut.remove_done_callback(_finished)
    _leave(fut, may_start)


def front(sock: Any, loop: asyncio.AbstractEventLoop, op: Any) -> OperationFuture[Any]:
    """An operation whose first attempt, made by the call, did not complete
    it: first in line (those called during that attempt wait behind it)."""
    fut = _new(sock, loop, op, bool(op.readable))
    _line(sock, fut._line, True).appendleft(fut)  # type: ignore[union-attr]
    _watch(fut)
    return fut


def resume(sock: Any, line: bool) -> None:
    """A call whose first attempt ended its operation: those called during
    that attempt may start."""
    _advance(sock, line)


def abandon(sock: Any) -> None:
    """The socket's loop is closed: nothing will step its operations again.
    Each is given up (its descriptor and buffers go back) and its future
    cancelled."""
    lines = _core._lines(sock)
    futs = [*(lines[0] or ()), *(lines[1] or ())]
    lines[0] = lines[1] = None
    for fut in futs:
        fut.remove_done_callback(_finished)
        _unwatch(fut)
        if fut._op is not None:
            fut._op.close()
            fut._op.release()
    for fut in futs:
        try:
            fut.cancel()
        except RuntimeError:  # a task waits on it: its wake-up needs the closed loop
            pass


def _advance(sock: Any, line: bool) -> None:
    """The head of the line goes: each first attempt in turn (as if called
    now) until one must wait, which is then watched. Ended operations whose
    callbacks have not run yet (their loop stopped first) leave the line."""
    queue = _line(sock, line)
    while queue:
        head = queue[0]
        if head.done() and head._fd < 0:
            queue.popleft()
            if head._op is not None:
                head._op.close()
                head._op.release()
            continue
        if head._op is None or head._fd >= 0 or head._timer is not None:
            break  # not begun yet, or already watched
        if not _step(head, woken=False):
            _watch(head)
            break
        queue.popleft()
        head._op.release()
    if not queue:
        _core._lines(sock)[line] = None


def _watch(fut: OperationFuture[Any]) -> None:
    # A descriptor of our own: it stays valid until _unwatch however the
    # operation ends (close releases the socket's), and a watcher the
    # program has on the socket's own number is never touched.
    try:
        fut._fd = fut._op.watch_fd()
    except BaseException as e:  # no descriptor left: the operation cannot wait
        fut._op.close()
        if not fut.done():
            fut.set_exception(e)
        return
    _add_watcher(fut)


def _add_watcher(fut: OperationFuture[Any]) -> None:
    # uvloop (libuv's uv_poll_init) sets O_NONBLOCK on a descriptor it
    # watches: on the open file description, which the socket (and an
    # adopted socket's owner) shares with our duplicate. The steps never
    # need it (MSG_DONTWAIT), and the mode is not the loop's to change.
    flags = fcntl.fcntl(fut._fd, fcntl.F_GETFL)
    if fut._line:
        fut.get_loop().add_reader(fut._fd, _ready, fut)
    else:
        fut.get_loop().add_writer(fut._fd, _ready, fut)
    if fcntl.fcntl(fut._fd, fcntl.F_GETFL) != flags:
        fcntl.fcntl(fut._fd, fcntl.F_SETFL, flags)


def _remove_watcher(fut: OperationFuture[Any]) -> None:
    try:
        if fut._line:
            fut.get_loop().remove_reader(fut._fd)
        else:
            fut.get_loop().remove_writer(fut._fd)
    except RuntimeError:  # a closed loop watches nothing any more
        pass


# Some waits the loop cannot see: a Unix-domain datagram sender whose
# receiver's queue is full is always "writable". Once a wake-up moved
# nothing, the watcher rests 1, 2, 4 ... 16 ms between tries (as the core's
# own waits do), so the loop never spins.
_REST_MAX = 0.016


def _step(fut: OperationFuture[Any], woken: bool) -> bool:
    """The next steps of the operation at the head of its line: True when it
    has ended (its result or exception set, no longer watched)."""
    before = fut._op.count
    try:
        r = fut._op.step()
    except BaseException as e:  # the core's SocketException, or a runtime error
        _unwatch(fut)
        if not fut.done():  # code the step ran (a signal handler) may have cancelled it
            fut.set_exception(e)
        return True
    if r is not None:
        _unwatch(fut)
        if not fut.done():
            fut.set_result(r[0])
        elif isinstance(r[0], _core.Socket):
            r[0].close()  # accepted for a future cancelled meanwhile: nobody will have it
        return True
    if not woken or fut._op.count != before:
        fut._rest = 0.0
    elif fut._fd >= 0 and fut._timer is None:
        fut._rest = min(fut._rest * 2 or 0.001, _REST_MAX)
        _remove_watcher(fut)
        fut._timer = fut.get_loop().call_later(fut._rest, _rested, fut)
    return False


def _ready(fut: OperationFuture[Any]) -> None:
    """The watcher's callback: the descriptor is ready (or the socket was
    shut down by close). An operation that ends leaves its line at once, in
    the same callback, and the next one goes."""
    if not fut.done() and _step(fut, woken=True):
        _leave(fut, True)


def _rested(fut: OperationFuture[Any]) -> None:
    fut._timer = None
    if not fut.done() and fut._fd >= 0:
        _add_watcher(fut)


def _unwatch(fut: OperationFuture[Any]) -> None:
    """Stops watching at once when the operation ends."""
    if fut._timer is not None:
        fut._timer.cancel()
        fut._timer = None
    if fut._fd >= 0:
        try:
            _remove_watcher(fut)
        finally:
            fut._op.close_watch()
            fut._fd = -1


def _leave(fut: OperationFuture[Any], may_start: bool) -> None:
    queue = _line(fut._sock, fut._line)
    if queue is None or fut not in queue:
        return
    head = queue[0] is fut
    queue.remove(fut)
    if fut._op is not None:
        fut._op.release()
    if head and may_start:
        _advance(fut._sock, fut._line)
    elif not queue:
        _core._lines(fut._sock)[fut._line] = None


def _finished(fut: OperationFuture[Any]) -> None:
    """Completed, failed or cancelled: stop watching, give a cancelled
    operation up, and start the next of its line."""
    _unwatch(fut)  # a cancelled operation still holds the descriptor
    if fut._op is not None:
        fut._op.close()  # a no-op once ended; a cancelled one is given up here
    _leave(fut, True)


_core._bind_async(reserve, attach, drop, front, resume, abandon, asyncio.get_running_loop)
