"""Fault scenarios, run in a child interpreter with build/libcsend_fault.so
preloaded (test_faults.py starts it): `python fault_child.py SCENARIO`.

Each scenario asserts and, on success, prints one line `ok faults=N`: the
number of faults the shim injected while it ran."""
import ctypes
import errno
import hashlib
import os
import pathlib
import random
import re
import socket
import sys
import threading
import time

import csend

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "errno.txt"
shim = ctypes.CDLL(os.environ["CSEND_FAULT_SHIM"])  # the preloaded copy
shim.csend_fault_set.argtypes = [ctypes.c_char_p]
_stats = (ctypes.c_int64 * 3)()


def fault(spec):
    assert shim.csend_fault_set(spec.encode()) == 0, spec


def injected():
    shim.csend_fault_stats(ctypes.byref(_stats, 0), ctypes.byref(_stats, 8),
                           ctypes.byref(_stats, 16))
    return _stats[0]


def rows(skip_waiting=True):
    for line in VECTORS.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, member, code = line.split()
        if skip_waiting and name in ("EAGAIN", "EWOULDBLOCK", "EINTR"):
            continue
        yield name, member, int(code)


def snake(member):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", member).upper()


def pair():
    a, b = socket.socketpair()
    s = csend.Socket.from_socket(a)
    a.close()
    return s, b


def drain(peer):
    peer.setblocking(False)
    out = bytearray()
    try:
        while True:
            chunk = peer.recv(1 << 20)
            if not chunk:
                break
            out += chunk
    except BlockingIOError:
        pass
    return bytes(out)


# contract §11: the stdlib kind a SocketError means; the rest are plain.
STDLIB = {"TimedOut": TimeoutError, "WouldBlock": BlockingIOError,
          "InProgress": BlockingIOError, "AlreadyInProgress": BlockingIOError,
          "ConnectionReset": ConnectionResetError, "ConnectionAborted": ConnectionAbortedError,
          "Shutdown": BrokenPipeError, "ConnectionRefused": ConnectionRefusedError,
          "Interrupted": InterruptedError, "AccessDenied": PermissionError}


def check_error(e, name, member, code, sent):
    assert isinstance(e, csend.SocketException), (name, type(e))
    if member in STDLIB:
        assert isinstance(e, STDLIB[member]), (name, type(e).__mro__)
    else:
        assert type(e) is csend.SocketException, (name, type(e))
    assert e.error_code == code, (name, e.error_code, code)
    assert e.socket_error_code == csend.SocketError[snake(member)], (name, e.socket_error_code)
    assert e.native_error_code == getattr(errno, name), (name, e.native_error_code)
    assert e.errno == getattr(errno, name)
    assert e.bytes_transferred == sent, (name, e.bytes_transferred, sent)
    assert e.strerror == e.message == os.strerror(e.errno), (name, e.strerror)


def every_errno():
    """Each errno of §4 from the first send, from send and try_send."""
    for name, member, code in rows():
        s, peer = pair()
        fault(f"err={name},fd={s.fileno()}")
        try:
            s.send(b"hello")
        except csend.SocketException as e:
            check_error(e, name, member, code, 0)
        else:
            raise AssertionError(f"{name}: send succeeded")
        fault(f"err={name},fd={s.fileno()}")
        n, err = s.try_send(b"hello")
        assert (n, err) == (0, csend.SocketError[snake(member)]), (name, n, err)
        fault("")
        assert drain(peer) == b""
        s.close()
        peer.close()


def every_errno_mid_buffer():
    """The same errors after part of the buffer went: the exact count."""
    data = random.Random(1).randbytes(100_000)
    for i, (name, member, code) in enumerate(rows()):
        s, peer = pair()
        after = 1 + (i * 997) % 50_000
        fault(f"err={name},after={after},fd={s.fileno()}")
        try:
            s.send(data)
        except csend.SocketException as e:
            check_error(e, name, member, code, after)
        else:
            raise AssertionError(f"{name}: send succeeded")
        fault("")
        assert drain(peer) == data[:after], name
        s.close()
        peer.close()


def _storm(send):
    s, peer = pair()
    data = random.Random(2).randbytes(48 * 1024)
    got = {}

    def read():
        h, n = hashlib.sha256(), 0
        while chunk := peer.recv(65536):
            h.update(chunk)
            n += len(chunk)
        got["n"], got["digest"] = n, h.digest()

    t = threading.Thread(target=read)
    t.start()
    before = injected()
    fault(f"eintr=3,max=1,fd={s.fileno()}")
    assert send(s, data) == len(data)
    fault("")
    s.shutdown(csend.SocketShutdown.SEND)
    t.join()
    assert got == {"n": len(data), "digest": hashlib.sha256(data).digest()}
    assert injected() - before >= 3 * len(data)
    s.close()
    peer.close()


def eintr_storm():
    """EINTR three times before each call, one byte per write: all arrives once."""
    _storm(lambda s, data: s.send(data))


def eintr_storm_gather():
    _storm(lambda s, data: s.send_segments([data[:1000], b"", memoryview(data)[1000:]]))


def eagain_with_timeout():
    """EAGAIN from byte 12345 on, with a 150 ms timeout: TimedOut, exact count."""
    s, peer = pair()
    data = random.Random(3).randbytes(200_000)
    s.send_timeout = 150
    fault(f"err=EAGAIN,after=12345,fd={s.fileno()}")
    t0 = time.monotonic()
    try:
        s.send(data)
    except csend.SocketException as e:
        took = time.monotonic() - t0
        assert e.socket_error_code == csend.SocketError.TIMED_OUT
        assert e.error_code == 10060
        assert e.bytes_transferred == 12345
        assert 0.14 <= took < 2.0, took
    else:
        raise AssertionError("send succeeded")
    fault("")
    assert drain(peer) == data[:12345]
    s.close()
    peer.close()


def non_blocking():
    """EAGAIN on a non-blocking socket is WouldBlock; a 1-byte write is returned."""
    s, peer = pair()
    s.blocking = False
    fault(f"err=EAGAIN,fd={s.fileno()}")
    try:
        s.send(b"abc")
    except csend.SocketException as e:
        assert e.socket_error_code == csend.SocketError.WOULD_BLOCK
        assert e.native_error_code == errno.EAGAIN
    else:
        raise AssertionError("send succeeded")
    fault(f"max=1,fd={s.fileno()}")
    assert s.send(b"abc") == 1
    fault("")
    assert drain(peer) == b"a"
    s.close()
    peer.close()


def _stopped_by_a_signal_handler(send):
    """A blocking send cut into 1-byte writes still runs Python's signal
    handlers; an exception from one stops the send with bytes_transferred,
    and exactly that many bytes arrived."""
    import signal
    s, peer = pair()
    data = random.Random(5).randbytes(4 * 1024 * 1024)

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop()

    old = signal.signal(signal.SIGUSR1, handler)
    got = bytearray()

    def read():
        while chunk := peer.recv(65536):
            got.extend(chunk)

    t = threading.Thread(target=read)
    t.start()
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1))
    timer.start()
    fault(f"max=1,fd={s.fileno()}")
    try:
        send(s, data)
    except Stop as e:
        sent = e.bytes_transferred
    else:
        raise AssertionError("send was not interrupted")
    finally:
        fault("")
        signal.signal(signal.SIGUSR1, old)
    assert 0 < sent < len(data)
    s.shutdown(csend.SocketShutdown.SEND)
    t.join()
    assert bytes(got) == data[:sent]
    s.close()
    peer.close()


def signal_handler_runs_between_partial_writes():
    _stopped_by_a_signal_handler(lambda s, data: s.send(data))


def signal_handler_runs_between_partial_writes_gather():
    _stopped_by_a_signal_handler(
        lambda s, data: s.send_segments([data[:100], memoryview(data)[100:]]))


if __name__ == "__main__":
    before = injected()
    globals()[sys.argv[1]]()
    print(f"ok faults={injected() - before}")
