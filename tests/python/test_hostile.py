"""csend used as a hostile but legal program would: other threads mutate,
clear or free the arguments while a call blocks, callbacks re-enter the
module, close lands while every kind of call waits, signals land in every
blocking call, adoption fails, and allocations fail."""
import gc
import os
import select
import signal
import pickle
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import csend
from conftest import TSAN
from helpers import pattern, small_buffers, tcp_pair

MIB = 1 << 20
AF, ST = csend.AddressFamily, csend.SocketType


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def read_all(peer, expect, quiet=5.0):
    """Reads until `expect` bytes arrived (or nothing came for `quiet` s)."""
    out = bytearray()
    while len(out) < expect and select.select([peer], [], [], quiet)[0]:
        chunk = peer.recv(1 << 20)
        if not chunk:
            break
        out += chunk
    return bytes(out)


def blocked_until(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "the call never blocked"
        time.sleep(0.01)


class InThread:
    """Runs fn in a thread; keeps its result or exception and its CPU clock
    at the end."""

    def __init__(self, fn):
        self.result = self.error = None
        self.cpu_end = 0.0

        def run():
            try:
                self.result = fn()
            except BaseException as e:  # noqa: BLE001 - the test inspects it
                self.error = e
            self.cpu_end = time.thread_time()  # the thread's CPU clock when it ended

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self, timeout):
        self.thread.join(timeout)
        return not self.thread.is_alive()


def stalled_tcp():
    """A csend TCP sender whose peer does not read (yet): a send of more
    than ~10 MB blocks."""
    return tcp_pair()


# ---- mutation from another thread while a call blocks ----------------------

def _segments(kind, n, size):
    made = []
    for i in range(n):
        data = os.urandom(size)
        if kind == "bytes":
            made.append(data)
        elif kind == "bytearray":
            made.append(bytearray(data))
        elif kind == "memoryview_bytes":
            made.append(memoryview(data))
        else:
            made.append(memoryview(bytearray(data)))
    return made


@pytest.mark.parametrize("size", [4 * MIB, 3000])
@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview_bytes",
                                  "memoryview_bytearray"])
def test_send_segments_survives_the_list_being_cleared_mid_send(kind, size):
    # Review finding 1: the bytes items were freed under sendmsg.
    s, peer = stalled_tcp()
    items = _segments(kind, 6 if size > 4000 else 8000, size)
    expect = b"".join(bytes(x) for x in items)
    call = InThread(lambda: s.send_segments(items))
    time.sleep(0.2)  # blocked: the peer is not reading
    items.clear()
    gc.collect()
    junk = [os.urandom(size) for _ in range(8)]  # reuse the freed memory
    got = read_all(peer, len(expect))
    assert call.join(5)
    del junk
    assert call.error is None, call.error
    assert call.result == len(expect)
    assert got == expect
    s.close()
    peer.close()


def test_send_segments_sends_the_items_the_list_held_when_called():
    s, peer = stalled_tcp()
    items = [os.urandom(64 * 1024) for _ in range(256)]
    expect = b"".join(items)
    call = InThread(lambda: s.send_segments(items))
    time.sleep(0.2)
    items[:] = [b"x" * 10] * 3
    items.append(b"later")
    got = read_all(peer, len(expect))
    assert call.join(5) and call.error is None
    assert got == expect
    s.close()
    peer.close()


@pytest.mark.parametrize("method", ["send", "send_segments", "receive"])
def test_a_bytearray_cannot_be_resized_while_a_call_uses_it(method):
    s, peer = stalled_tcp()
    buf = bytearray(pattern(24 * MIB))
    if method == "send":
        call = InThread(lambda: s.send(buf))
    elif method == "send_segments":
        call = InThread(lambda: s.send_segments([buf, buf]))
    else:
        s.receive_timeout = 0
        call = InThread(lambda: s.receive(buf))
    time.sleep(0.2)
    with pytest.raises(BufferError):
        buf.extend(b"more")
    with pytest.raises(BufferError):
        del buf[:100]
    if method == "receive":
        peer.sendall(b"hello")
        assert call.join(5) and call.result == 5
        assert buf[:5] == b"hello"
    else:
        got = read_all(peer, len(buf) * (2 if method == "send_segments" else 1))
        assert call.join(5) and call.error is None
        assert got[:len(buf)] == bytes(buf)
    s.close()
    peer.close()


def test_a_memoryview_cannot_be_released_while_send_uses_it():
    s, peer = stalled_tcp()
    data = bytearray(pattern(24 * MIB))
    view = memoryview(data)
    call = InThread(lambda: s.send(view))
    time.sleep(0.2)
    with pytest.raises(BufferError):
        view.release()
    got = read_all(peer, len(data))
    assert call.join(5) and call.result == len(data) and got == bytes(data)
    s.close()
    peer.close()


def test_send_to_keeps_its_buffer_pinned(tmp_path):
    path = str(tmp_path / "rx")
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(path)
    s = csend.Socket(AF.UNIX, ST.DGRAM)
    buf = bytearray(b"d" * 2048)
    # Fill the receiver's queue so that send_to blocks.
    s.blocking = False
    while True:
        try:
            s.send_to(buf, path)
        except csend.SocketException as e:
            assert e.socket_error_code == csend.SocketError.WOULD_BLOCK
            break
    s.blocking = True
    call = InThread(lambda: s.send_to(buf, path))
    time.sleep(0.2)
    assert call.thread.is_alive()
    with pytest.raises(BufferError):
        buf.extend(b"x")
    rx.recv(4096)
    assert call.join(5) and call.result == 2048
    s.close()
    rx.close()


# ---- callbacks that re-enter the module --------------------------------------

@pytest.fixture
def trace():
    yield
    csend.set_trace(False)


def test_trace_callback_that_sends_on_the_same_socket_is_not_traced_again(trace):
    s, peer = tcp_pair()
    lines = []

    def cb(line):
        lines.append(line)
        if len(lines) < 50:
            s.send(b"!")  # re-enters csend from inside a send

    csend.set_trace(True, cb)
    assert s.send(b"abc") == 3
    csend.set_trace(False)
    got = read_all(peer, 5, quiet=0.5)
    assert sorted(got) == sorted(b"abc!!")  # one "!" per line of the outer send
    assert sum("size=" in ln for ln in lines) == 1  # the nested send made no line
    s.close()
    peer.close()


def test_trace_callback_that_clears_itself_survives_its_own_call(trace):
    s, peer = tcp_pair()
    seen = []

    class Callback:
        def __call__(self, line):
            csend.set_trace(False)  # drops the module's reference to self
            gc.collect()
            seen.append((self.tag, line))

    cb = Callback()
    cb.tag = "alive"
    csend.set_trace(True, cb)
    del cb
    assert s.send(b"x") == 1
    assert seen and seen[0][0] == "alive"
    s.close()
    peer.close()


def test_trace_callback_that_replaces_itself_and_raises(trace):
    s, peer = tcp_pair()
    second = []

    def first(line):
        csend.set_trace(True, second.append)
        raise RuntimeError("trace callbacks may fail")

    csend.set_trace(True, first)
    hooked = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = hooked.append
    try:
        assert s.send(b"one") == 3
        assert s.send(b"two") == 3
    finally:
        sys.unraisablehook = old_hook
    assert hooked and isinstance(hooked[0].exc_value, RuntimeError)
    assert any("returns:3" in ln for ln in second)
    s.close()
    peer.close()


def test_trace_lines_of_other_threads_reach_the_callback_while_one_runs(trace):
    # The "no nested tracing" flag is per thread: while one thread's callback
    # has lent the GIL, another thread's sends are traced as usual.
    s1, p1 = tcp_pair()
    s2, p2 = tcp_pair()
    inside, release = threading.Event(), threading.Event()
    lines = []
    main = threading.get_ident()

    def cb(line):
        lines.append((threading.get_ident(), line))
        if threading.get_ident() != main and not inside.is_set():
            inside.set()
            release.wait(5)  # lends the GIL while it waits

    csend.set_trace(True, cb)
    first = InThread(lambda: s1.send(b"one"))
    assert inside.wait(5)
    assert s2.send(b"two") == 3  # this thread's lines, while the first callback waits
    mine = [ln for tid, ln in lines if tid == threading.get_ident()]
    release.set()
    assert first.join(5) and first.error is None
    assert len(mine) == 2, lines
    for x in (s1, p1, s2, p2):
        x.close()


def test_trace_callback_that_closes_an_adopted_socket_leaves_the_original_alone(trace):
    # Review finding 7: close with any operation in flight shut the shared
    # connection down, killing the socket the duplicate came from.
    std, peer = socket.socketpair()
    dup = csend.Socket.from_socket(std)
    csend.set_trace(True, lambda line: dup.close())
    with pytest.raises((csend.SocketException, csend.ObjectDisposedException)):
        dup.send(b"abc")
    csend.set_trace(False)
    std.sendall(b"still here")
    assert read_all(peer, 10, quiet=1.0).endswith(b"still here")
    peer.sendall(b"back")
    assert std.recv(16) == b"back"
    std.close()
    peer.close()


# ---- close wakes every wait, at once, without spinning -------------------------

def _listener():
    srv = csend.Socket(AF.INTER_NETWORK, ST.STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    return srv


def _full_backlog():
    """A listener whose accept queue is full: a further connect waits."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    filler = [socket.create_connection(lst.getsockname())]
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(lst.getsockname())
        filler.append(c)
    time.sleep(0.05)
    return lst, filler


def _setup(kind, tmp_path):
    """(csend socket, the blocking call, things to close afterwards)."""
    if kind in ("tcp_send", "tcp_gather", "tcp_receive"):
        s, peer = stalled_tcp()
        if kind == "tcp_send":
            return s, lambda: s.send(pattern(32 * MIB)), [peer]
        if kind == "tcp_gather":
            return s, lambda: s.send_segments([pattern(MIB)] * 32), [peer]
        return s, lambda: s.receive(bytearray(100)), [peer]
    if kind in ("unix_stream_send", "unix_stream_receive"):
        a, b = socket.socketpair()
        s = csend.Socket.from_socket(a)
        a.close()
        if kind == "unix_stream_send":
            return s, lambda: s.send(pattern(32 * MIB)), [b]
        return s, lambda: s.receive(bytearray(100)), [b]
    if kind == "udp_receive":
        s = csend.Socket(AF.INTER_NETWORK, ST.DGRAM)
        s.bind(("127.0.0.1", 0))
        return s, lambda: s.receive(bytearray(100)), []
    if kind == "unix_dgram_receive":
        s = csend.Socket(AF.UNIX, ST.DGRAM)
        s.bind(str(tmp_path / "d"))
        return s, lambda: s.receive(bytearray(100)), []
    if kind == "unix_dgram_send":
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        s = csend.Socket.from_socket(a)
        a.close()
        s.blocking = False
        try:
            while True:
                s.send(b"q" * 1024)
        except csend.SocketException:
            pass
        s.blocking = True
        return s, lambda: s.send(b"q" * 1024), [b]
    if kind == "unix_dgram_send_to":
        path = str(tmp_path / "rx")
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(path)
        s = csend.Socket(AF.UNIX, ST.DGRAM)
        s.blocking = False
        try:
            while True:
                s.send_to(b"q" * 1024, path)
        except csend.SocketException:
            pass
        s.blocking = True
        return s, lambda: s.send_to(b"q" * 1024, path), [rx]
    if kind == "accept":
        s = _listener()
        return s, s.accept, []
    if kind == "connect":
        lst, filler = _full_backlog()
        s = csend.Socket(AF.INTER_NETWORK, ST.STREAM)
        return s, lambda: s.connect(lst.getsockname()), [lst] + filler
    raise AssertionError(kind)


WAITS = ["tcp_send", "tcp_gather", "tcp_receive", "unix_stream_send", "unix_stream_receive",
         "udp_receive", "unix_dgram_receive", "unix_dgram_send", "unix_dgram_send_to", "accept",
         "connect"]


@pytest.mark.parametrize("timeout_ms", [0, 3000])
@pytest.mark.parametrize("kind", WAITS)
def test_close_wakes_every_wait_at_once(kind, timeout_ms, tmp_path):
    # Review finding 3: a datagram receive with a timeout spun at 100% CPU
    # until its deadline instead of waking.
    s, call_fn, extra = _setup(kind, tmp_path)
    s.send_timeout = timeout_ms
    s.receive_timeout = timeout_ms
    call = InThread(call_fn)
    time.sleep(0.3)
    assert call.thread.is_alive(), f"{kind} did not block: {call.error!r}"
    clock = time.pthread_getcpuclockid(call.thread.ident)
    cpu0 = time.clock_gettime(clock)
    time.sleep(0.2)
    assert time.clock_gettime(clock) - cpu0 < 0.05, f"{kind} spins while it waits"
    t0 = time.monotonic()
    cpu0 = time.clock_gettime(clock)
    s.close()
    assert call.join(1.5), f"{kind} was not woken by close"
    woke = time.monotonic() - t0
    assert woke < 1.0, woke
    spun = call.cpu_end - cpu0
    assert spun < 0.25, f"{kind} spun after close: {spun:.2f} s of CPU"
    e = call.error
    assert isinstance(e, csend.SocketException), repr(e)
    stream = kind not in ("udp_receive", "unix_dgram_receive", "unix_dgram_send",
                          "unix_dgram_send_to")
    want = csend.SocketError.CONNECTION_ABORTED if stream else csend.SocketError.INTERRUPTED
    assert e.socket_error_code == want, e
    for x in extra:
        x.close()


def test_close_wakes_every_thread_blocked_in_accept():
    # A disconnect of a listener wakes only one of its accepting threads:
    # close must wake them all (or the rest hold the descriptor for ever).
    s = _listener()
    calls = [InThread(s.accept) for _ in range(3)]
    time.sleep(0.3)
    assert all(c.thread.is_alive() for c in calls)
    s.close()
    assert all(c.join(1.5) for c in calls), "an accept was not woken by close"
    for c in calls:
        assert isinstance(c.error, csend.SocketException), repr(c.error)


def test_close_after_shutdown_send_is_graceful_for_the_peer():
    # contract §3: after Shutdown(Send), a close that wakes a blocked call
    # shuts down both ways: the peer sees a clean end of stream.
    s, peer = tcp_pair()
    s.send(b"last words")
    s.shutdown(csend.SocketShutdown.SEND)
    call = InThread(lambda: s.receive(bytearray(10)))
    time.sleep(0.2)
    s.close()
    assert call.join(2)
    assert read_all(peer, 100, quiet=2.0) == b"last words"
    assert peer.recv(10) == b""  # end of stream, not a reset
    peer.close()


def test_close_with_nothing_waiting_is_an_ordinary_close():
    s, peer = tcp_pair()
    s.send(b"all of it")
    s.close()
    assert read_all(peer, 100, quiet=2.0) == b"all of it"
    assert peer.recv(10) == b""
    peer.close()


# ---- a signal during every blocking call ---------------------------------------

class Alarm(Exception):
    pass


def _raise_alarm(signum, frame):
    raise Alarm()


SIGNALLED = ["tcp_send", "tcp_gather", "tcp_receive", "udp_receive", "unix_dgram_send",
             "unix_dgram_send_to", "accept", "connect"]


@pytest.mark.skipif(TSAN, reason="ThreadSanitizer defers signals: a blocked call never sees EINTR")
@pytest.mark.parametrize("kind", SIGNALLED)
def test_a_signal_interrupts_every_blocking_call(kind, tmp_path):
    # Review finding 5: Ctrl-C did not interrupt a blocking connect.
    s, call_fn, extra = _setup(kind, tmp_path)
    watchdog = threading.Timer(8.0, s.close)  # never hang the suite
    watchdog.start()
    old = signal.signal(signal.SIGALRM, _raise_alarm)
    t0 = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Alarm):
            call_fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        watchdog.cancel()
    assert time.monotonic() - t0 < 3.0
    s.close()
    for x in extra:
        x.close()


# ---- adoption ------------------------------------------------------------------

def test_from_socket_failures_leak_no_descriptor():
    # Review finding 6: each failed from_socket left its duplicate open.
    r, w = os.pipe()

    class NotASocket:
        def fileno(self):
            return r

    before = open_fds()
    for _ in range(100):
        with pytest.raises(csend.SocketException):
            csend.Socket.from_socket(NotASocket())
    assert open_fds() == before
    os.close(r)
    os.close(w)


def test_from_fd_failure_leaves_the_descriptor_to_the_caller():
    r, w = os.pipe()
    with pytest.raises(csend.SocketException):
        csend.Socket.from_fd(r)
    os.fstat(r)  # still open: the caller's to close
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("extra", ["SOCK_NONBLOCK", "SOCK_CLOEXEC"])
def test_a_type_with_creation_flags_is_still_a_stream(extra):
    # Review finding 11: Socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK) was
    # not treated as a stream.
    with socket.create_server(("127.0.0.1", 0)) as lst:
        s = csend.Socket(AF.INTER_NETWORK, ST.STREAM | getattr(socket, extra))
        assert s.type == ST.STREAM
        assert s.blocking is (extra != "SOCK_NONBLOCK")
        s.blocking = True
        s.connect(lst.getsockname())
        peer, _ = lst.accept()
    segments = [b"%05d" % i for i in range(1025)]
    assert s.send_segments(segments) == 5 * 1025
    assert read_all(peer, 5 * 1025) == b"".join(segments)
    small_buffers(s.fileno())
    call = InThread(lambda: s.send(pattern(32 * MIB)))
    time.sleep(0.2)
    s.close()
    assert call.join(2)
    assert call.error.socket_error_code == csend.SocketError.CONNECTION_ABORTED
    peer.close()


# ---- several interpreters, failing allocations ----------------------------------

def _child(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300)


def test_sub_interpreters_are_refused_clearly():
    run = _child("""
        import _xxsubinterpreters as interpreters
        import csend  # the main interpreter may use it
        i = interpreters.create()
        try:
            interpreters.run_string(i, "import csend")
        except Exception as e:
            print("refused:", e)
        csend.Socket().close()
        print("main ok")
    """)
    assert run.returncode == 0, run.stderr
    assert "refused:" in run.stdout and "sub-interpreters" in run.stdout, run.stdout
    assert "main ok" in run.stdout


def test_every_allocation_failing_once_leaves_nothing_broken():
    # CPython's own allocators fail at the k-th allocation inside each call
    # (_testcapi.set_nomemory, as CPython's tests do): each call either
    # works or raises MemoryError, leaks no descriptor, and the socket
    # still works afterwards.
    run = _child("""
        import os, socket, _testcapi, csend
        def fds():
            return len(os.listdir("/proc/self/fd"))
        lst = csend.Socket(); lst.bind(("127.0.0.1", 0)); lst.listen(64)
        addr = lst.local_endpoint
        a, b = socket.socketpair()
        calls = {
            "Socket": lambda: csend.Socket(),
            "from_socket": lambda: csend.Socket.from_socket(a),
            "send_segments": lambda: ca.send_segments([b"x" * 10, bytearray(20)] * 40),
            "send": lambda: ca.send(bytearray(100), 0, 50, 0),
            "receive": lambda: ca.receive(bytearray(10)),
            "accept": lambda: lst.accept(),
        }
        ca = csend.Socket.from_socket(a)
        failures = 0
        for name, fn in calls.items():
            for k in range(1, 200):
                c = socket.create_connection(addr) if name == "accept" else None
                if name == "receive":
                    b.send(b"r")
                before = fds()
                made = None
                _testcapi.set_nomemory(k, k + 1)
                try:
                    made = fn()
                    ok = True
                except MemoryError:
                    ok = False
                finally:
                    _testcapi.remove_mem_hooks()
                if isinstance(made, csend.Socket):
                    made.close()
                after = fds()
                assert after == before, (name, k, before, after)
                if c is not None:
                    c.close()
                failures += not ok
                if ok and k > 3:
                    break
            ca.send(b"z")
            assert b.recv(1 << 20).endswith(b"z")
        print("failures", failures)
    """)
    assert run.returncode == 0, run.stdout + run.stderr
    assert int(run.stdout.split()[-1]) > 0, run.stdout


# ---- an outside review of the adoption and exception changes ----------------

def test_accept_on_a_socket_that_does_not_listen_is_invalid_operation():
    """.NET: Accept on a socket that does not listen raises
    InvalidOperationException before any OS call.  The accept pre-poll made
    a UDP socket with a datagram queued report OperationNotSupported, and
    one without WouldBlock, so a retry loop spun."""
    with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as u, \
            csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as tx:
        with pytest.raises(csend.InvalidOperationException, match="Bind"):
            u.accept()
        u.bind(("127.0.0.1", 0))
        u.blocking = False
        tx.send_to(b"x", u.local_endpoint)
        for _ in range(2):
            with pytest.raises(csend.InvalidOperationException, match="Listen"):
                u.accept()
    with csend.Socket() as t:
        t.bind(("127.0.0.1", 0))
        with pytest.raises(csend.InvalidOperationException, match="Listen"):
            t.accept()


def test_an_adopted_socket_sees_the_address_its_original_bound_later():
    std = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with csend.Socket.from_socket(std) as c:
        assert c.local_endpoint is None
        std.bind(("127.0.0.1", 0))
        assert c.local_endpoint == std.getsockname()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            tx.sendto(b"hi", std.getsockname())
            buf = bytearray(4)
            assert c.receive_from(buf)[0] == 2
    std.close()


class PlainSubclass(csend.SocketException):
    """A user's subclass, at module level so that pickle finds it."""


def test_user_subclasses_of_socket_exception_keep_their_arguments_and_state():
    import copy

    class Mine(csend.SocketException):
        def __init__(self, text):
            super().__init__(csend.SocketError.CONNECTION_RESET, 104, text)
            self.extra = 1

    e = Mine("custom")
    assert (e.errno, e.strerror, e.message, e.extra) == (104, "custom", "custom", 1)
    plain = csend.SocketException(csend.SocketError.TIMED_OUT, 110)
    plain.add_note("context")
    plain.custom = 5
    for back in (pickle.loads(pickle.dumps(plain)), copy.deepcopy(plain), copy.copy(plain)):
        assert type(back) is type(plain)
        assert back.__notes__ == ["context"] and back.custom == 5
        assert (back.errno, back.strerror) == (110, "Connection timed out")

    p = pickle.loads(pickle.dumps(PlainSubclass(csend.SocketError.TIMED_OUT, 110, "t", 3)))
    assert type(p) is PlainSubclass and p.bytes_transferred == 3
    with pytest.raises(TypeError, match="socket_error"):
        csend.SocketException("boom")


@pytest.mark.parametrize("value", [float("nan"), -1.0])
def test_from_socket_refuses_a_timeout_that_is_none(value):
    a, b = socket.socketpair()

    class Odd:
        def fileno(self):
            return a.fileno()

        def gettimeout(self):
            return value
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with pytest.raises(ValueError, match="not a timeout"):
            csend.Socket.from_socket(Odd())
    a.close()
    b.close()


def test_from_socket_lets_an_interrupt_from_gettimeout_through():
    a, b = socket.socketpair()

    class Interrupting:
        def fileno(self):
            return a.fileno()

        @property
        def gettimeout(self):
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        csend.Socket.from_socket(Interrupting())
    a.close()
    b.close()
