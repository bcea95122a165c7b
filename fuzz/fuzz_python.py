#!/usr/bin/env python3
"""atheris target for the Python API: arbitrary objects for every argument
of every public callable, one call per input on a fresh socketpair.

A call may succeed or raise one of the documented classes (the csend
exceptions, TypeError, ValueError, BufferError, or the exception an
argument's own __index__ raised); anything else (SystemError,
OverflowError, a crash) is a finding. When `send` gets a bytes-like buffer
and integers, its outcome must also be the one contract §1-2 predicts, and the
peer must receive exactly the slice.

The adversary: `send` and `send_segments` on a blocking socket while a
second thread clears or rewrites the list of segments, resizes a
bytearray or releases a memoryview (which must raise BufferError while the
call holds it), and collects garbage. The peer must receive exactly the
bytes the arguments held when the call was made.

    python fuzz/fuzz_python.py CORPUS_DIR... -max_total_time=N
"""
import array
import gc
import math
import socket
import sys
import threading

import atheris

with atheris.instrument_imports():
    import csend



class FromUserCode(Exception):
    """Raised by an argument's own method: it must come out of the call as it is."""


ALLOWED = (csend.ArgumentException, csend.SocketException, csend.InvalidOperationException,
           TypeError, ValueError, BufferError, FromUserCode)
BIG = [0, 1, -1, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32 - 1, 2**32, 2**63 - 1, 2**63,
       -2**63, -2**63 - 1, 2**64, 2**70, -2**70, 10**30]
HOSTS = ["127.0.0.1", "::1", "0.0.0.0", "", "256.1.1.1", "localhost", "not an address"]
stats = {"calls": 0, "raised": 0, "send_checked": 0, "adversary": 0, "refused": 0,
         "in_flight": 0}


class Weird:
    """An integer-like object whose conversion fails (as a broken numpy scalar)."""

    def __index__(self):
        raise FromUserCode("__index__")

    def fileno(self):
        raise FromUserCode("fileno")

    def __len__(self):
        return 3


@atheris.instrument_func
def any_object(fdp, depth=0):
    """One object of any kind the API might be handed."""
    kind = fdp.ConsumeIntInRange(0, 20 if depth == 0 else 15)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeIntInRange(-8, 40)
    if kind == 3:
        return BIG[fdp.ConsumeIntInRange(0, len(BIG) - 1)]
    if kind == 4:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 16))
    if kind == 5:
        return [math.nan, math.inf, -math.inf, 0.0, 1.5, 3.0][fdp.ConsumeIntInRange(0, 5)]
    if kind == 6:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12))
    if kind == 7:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64))
    if kind == 8:
        return bytearray(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64)))
    if kind == 9:
        mv = memoryview(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64)))
        step = fdp.ConsumeIntInRange(1, 3)
        return mv[::step]
    if kind == 10:
        code = "bBhHiIlLqQfd"[fdp.ConsumeIntInRange(0, 11)]
        return array.array(code, [0] * fdp.ConsumeIntInRange(0, 4))
    if kind == 11:
        return memoryview(bytearray(12)).cast("B", (3, 4))
    if kind == 12:
        return (HOSTS[fdp.ConsumeIntInRange(0, len(HOSTS) - 1)], any_object(fdp, depth + 1))
    if kind == 13:
        return "\0" + fdp.ConsumeUnicodeNoSurrogates(8)  # never a file on disk
    if kind == 14:
        return Weird()
    if kind == 15:
        return object()
    # containers (only at the top)
    n = fdp.ConsumeIntInRange(0, 4)
    items = [any_object(fdp, depth + 1) for _ in range(n)]
    return items if kind < 18 else tuple(items)


@atheris.instrument_func
def predict(length, offset, size, flags):
    """contract §1-2 for an open AF_UNIX stream socket and a bytes-like buffer."""
    if not 0 <= offset <= length:
        return ("range", "offset")
    if not 0 <= size <= length - offset:
        return ("range", "size")
    if not -2**31 <= flags <= 2**32 - 1:
        return ("range", "socketFlags")
    if flags & 0xFFFFFFFF & ~0x5:
        return ("socket", csend.SocketError.OPERATION_NOT_SUPPORTED)
    return ("ok", size)


def outcome(call):
    try:
        return ("ok", call())
    except csend.ArgumentOutOfRangeException as e:
        return ("range", e.param_name)
    except csend.SocketException as e:
        return ("socket", e.socket_error_code)


def is_plain_int(v):
    return type(v) is int


@atheris.instrument_func
def check_send(s, peer, buf, args):
    length = memoryview(buf).nbytes
    offset = args[0] if len(args) > 0 else 0
    flags = args[2] if len(args) > 2 else 0
    if not (is_plain_int(offset) and is_plain_int(flags)):
        return False
    size = args[1] if len(args) > 1 else length - offset  # the default: the rest
    if not is_plain_int(size):
        return False
    if -2**31 <= flags <= 2**32 - 1 and flags & 0x1 and not flags & ~0x5:
        return False  # urgent data on AF_UNIX is the kernel's choice: not predicted
    want = predict(length, offset, size, flags)
    got = outcome(lambda: s.send(buf, *args))
    assert got == want, (length, args, got, want)
    arrived = b""
    try:
        while True:
            arrived += peer.recv(1 << 16)
    except BlockingIOError:
        pass
    expect = bytes(memoryview(buf).cast("B")[offset:offset + size]) if want[0] == "ok" else b""
    assert arrived == expect, (args, arrived, expect)
    stats["send_checked"] += 1
    return True


def segment(fdp):
    # Large enough to outlast the small send buffer, so the adversary lands
    # while the call waits.
    data = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 64)) or b"\0"
    data *= fdp.ConsumeIntInRange(1, 16384)
    kind = fdp.ConsumeIntInRange(0, 3)
    if kind == 0:
        return data
    if kind == 1:
        return bytearray(data)
    if kind == 2:
        return memoryview(data)
    return memoryview(bytearray(data))


def mutate(items, action):
    """One hostile change to the arguments of a call in flight."""
    if action == 0:
        items.clear()
    elif action == 1 and items:
        items[:] = [b"x"] * len(items)
    elif action == 2:
        for x in list(items):
            try:
                if isinstance(x, bytearray):
                    x.extend(b"more")
                elif isinstance(x, memoryview):
                    x.release()
            except BufferError:
                stats["refused"] += 1  # pinned while the call holds it
    gc.collect()


@atheris.instrument_func
def against_an_adversary(fdp):
    gather = fdp.ConsumeBool()
    items = [segment(fdp) for _ in range(fdp.ConsumeIntInRange(1, 8 if gather else 1))]
    expect = b"".join(bytes(x) for x in items)
    action, delay = fdp.ConsumeIntInRange(0, 2), fdp.ConsumeIntInRange(0, 500) / 1e6
    a, b = socket.socketpair()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    s = csend.Socket.from_socket(a)
    a.close()
    got = bytearray()
    started, done = threading.Event(), threading.Event()

    def read():
        while chunk := b.recv(1 << 16):
            got.extend(chunk)
            started.set()
        started.set()

    def interfere():
        started.wait(1.0)  # the call has begun: bytes arrived
        threading.Event().wait(delay)
        mutate(items, action)
        stats["in_flight"] += not done.is_set()

    threads = [threading.Thread(target=read), threading.Thread(target=interfere)]
    for t in threads:
        t.start()
    call_items = items if gather else items[0]
    n = s.send_segments(call_items) if gather else s.send(call_items)
    done.set()
    threads[1].join()
    s.close()
    threads[0].join()
    b.close()
    assert n == len(expect), (n, len(expect))
    assert bytes(got) == expect, (len(got), len(expect))
    stats["adversary"] += 1


METHODS = ["send", "try_send", "send_to", "send_segments", "receive", "connect", "bind",
           "listen", "shutdown", "accept", "blocking", "send_timeout", "receive_timeout",
           "no_delay", "Socket", "from_fd", "from_socket", "set_trace", "closed_send",
           "adversary", "adversary", "adversary"]


@atheris.instrument_func
def one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    name = METHODS[fdp.ConsumeIntInRange(0, len(METHODS) - 1)]
    if name == "adversary":
        stats["calls"] += 1
        against_an_adversary(fdp)
        return
    a, b = socket.socketpair()
    s = csend.Socket.from_socket(a)
    a.close()
    b.setblocking(False)
    s.blocking = False  # a call never waits in the fuzzer
    args = [any_object(fdp) for _ in range(fdp.ConsumeIntInRange(0, 5))]
    stats["calls"] += 1
    if stats["calls"] & (stats["calls"] - 1) == 0 or stats["calls"] % 50_000 == 0:
        report()  # libFuzzer ends the process without running atexit
    try:
        if name == "send" and args and isinstance(args[0], (bytes, bytearray)) \
                and check_send(s, b, args[0], args[1:4]):
            return
        if name in ("blocking", "send_timeout", "receive_timeout", "no_delay"):
            setattr(s, name, args[0] if args else None)
        elif name == "Socket":
            csend.Socket(*args[:3]).close()
        elif name == "from_fd":
            fd = args[0] if args else None
            if isinstance(fd, int) and 0 <= fd < 2**20:
                fd = -1 - fd  # never adopt (and later close) a real descriptor
            csend.Socket.from_fd(fd)
        elif name == "from_socket":
            csend.Socket.from_socket(args[0] if args else None)
        elif name == "set_trace":
            try:
                csend.set_trace(*args[:2])
            finally:
                csend.set_trace(False)
        elif name == "closed_send":
            s.close()
            s.send(*args)
        else:
            getattr(s, name)(*args)
    except ALLOWED:
        stats["raised"] += 1
    finally:
        s.close()
        b.close()


def report():
    print(f"fuzz_python: {stats['calls']} calls, {stats['raised']} raised a documented "
          f"exception, {stats['send_checked']} sends checked against contract §1-2, "
          f"{stats['adversary']} calls against an adversary ({stats['in_flight']} changed "
          f"their arguments mid-call, {stats['refused']} resizes refused)",
          file=sys.stderr)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
