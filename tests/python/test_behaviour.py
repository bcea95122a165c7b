"""contract §3 from Python, on real loopback sockets."""
import errno
import hashlib
import os
import select
import signal
import socket
import threading
import time

import pytest

import csend
from conftest import TSAN
from helpers import drain, pattern, small_buffers, tcp_pair, unix_pair

MIB = 1 << 20


def reader(peer, out, slow=False):
    h = hashlib.sha256()
    total = 0
    while True:
        chunk = peer.recv(64 * 1024)
        if not chunk:
            break
        h.update(chunk)
        total += len(chunk)
        if slow and total % (4 * MIB) < 64 * 1024:
            time.sleep(0.001)
    out["total"], out["digest"] = total, h.hexdigest()


@pytest.mark.parametrize("pair", [tcp_pair, unix_pair], ids=["tcp", "socketpair"])
def test_blocking_send_of_64_mib_to_slow_reader_arrives_whole(pair):
    s, peer = pair()
    data = bytearray(os.urandom(64 * MIB))
    out = {}
    t = threading.Thread(target=reader, args=(peer, out, True))
    t.start()
    assert s.send(data) == len(data)
    s.shutdown(csend.SocketShutdown.SEND)
    t.join()
    assert out == {"total": len(data), "digest": hashlib.sha256(data).hexdigest()}
    s.close()
    peer.close()


def test_send_timeout_raises_timed_out_with_bytes_transferred():
    s, peer = unix_pair()
    small_buffers(s.fileno())
    s.send_timeout = 200
    data = pattern(8 * MIB)
    t0 = time.monotonic()
    with pytest.raises(csend.SocketException) as info:
        s.send(data)
    took = time.monotonic() - t0
    e = info.value
    assert e.socket_error_code == csend.SocketError.TIMED_OUT
    assert e.error_code == 10060
    assert 0 < e.bytes_transferred < len(data)
    assert 0.19 <= took < 1.5
    assert s.connected
    s.shutdown(csend.SocketShutdown.SEND)
    assert drain(peer, 2.0) == data[:e.bytes_transferred]
    s.close()
    peer.close()


def test_send_timeout_property_reads_minus_one_as_zero_and_rejects_below():
    s, peer = unix_pair()
    with s:
        s.send_timeout = -1
        assert s.send_timeout == 0
        s.send_timeout = 250
        assert s.send_timeout == 250
        with pytest.raises(csend.ArgumentOutOfRangeException) as info:
            s.send_timeout = -2
        assert info.value.param_name == "value"
        assert s.send_timeout == 250
    peer.close()


def test_non_blocking_send_returns_partial_count_then_would_block():
    s, peer = tcp_pair()
    small_buffers(s.fileno())
    s.blocking = False
    assert s.blocking is False
    data = pattern(8 * MIB)
    first = s.send(data)
    assert 0 < first < len(data)
    sent = first
    with pytest.raises(csend.SocketException) as info:
        while True:
            sent += s.send(data, sent)
    assert info.value.socket_error_code == csend.SocketError.WOULD_BLOCK
    assert info.value.bytes_transferred == 0
    assert s.connected
    n, code = s.try_send(data, sent)
    assert (n, code) == (0, csend.SocketError.WOULD_BLOCK)
    s.shutdown(csend.SocketShutdown.SEND)
    assert drain(peer, 2.0) == data[:sent]
    s.close()
    peer.close()


def udp_receiver():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    return rx


def test_udp_without_connect_needs_a_destination():
    with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as s:
        with pytest.raises(csend.SocketException) as info:
            s.send(b"x")
    assert info.value.socket_error_code in (csend.SocketError.DESTINATION_ADDRESS_REQUIRED,
                                            csend.SocketError.NOT_CONNECTED)


def test_udp_oversized_datagram_is_message_size_and_one_send_is_one_datagram():
    rx = udp_receiver()
    with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as s:
        s.connect(rx.getsockname())
        with pytest.raises(csend.SocketException) as info:
            s.send(bytes(70000))
        assert info.value.socket_error_code == csend.SocketError.MESSAGE_SIZE
        assert info.value.errno == 90
        assert s.send(b"datagram", 4) == 4
        assert s.send(b"") == 0
        assert rx.recv(100) == b"gram"
        assert rx.recv(100) == b""
    rx.close()


def test_send_to_reaches_an_explicit_endpoint_in_every_overload():
    rx = udp_receiver()
    ep = rx.getsockname()
    with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as s:
        assert s.send_to(b"hello", ep) == 5
        assert s.send_to(b"hello", csend.SocketFlags.NONE, ep) == 5
        assert s.send_to(b"hello", 3, csend.SocketFlags.NONE, ep) == 3
        assert s.send_to(b"hello", 1, 3, csend.SocketFlags.NONE, ep) == 3
        assert s.send_to(b"hello", remote_ep=ep, offset=2) == 3
        assert [rx.recv(16) for _ in range(5)] == [b"hello", b"hello", b"hel", b"ell", b"llo"]
        with pytest.raises(csend.ArgumentNullException) as info:
            s.send_to(b"hello", None)
        assert info.value.param_name == "remoteEP"
        with pytest.raises(csend.ArgumentOutOfRangeException) as info:
            s.send_to(b"hello", 9, 0, 0, ep)
        assert info.value.param_name == "offset"
    rx.close()


def test_reset_peer_gives_connection_reset_once_then_shutdown():
    s, peer = tcp_pair()
    s.send(b"unread")
    time.sleep(0.02)
    peer.close()
    time.sleep(0.02)
    with pytest.raises(csend.SocketException) as info:
        s.send(b"x")
    assert info.value.socket_error_code == csend.SocketError.CONNECTION_RESET
    assert isinstance(info.value, OSError)
    assert info.value.errno == 104 and info.value.strerror == "Connection reset by peer"
    assert not s.connected
    with pytest.raises(csend.SocketException) as info:
        s.send(b"x")
    assert info.value.socket_error_code == csend.SocketError.SHUTDOWN
    s.close()


def test_closed_peer_never_raises_sigpipe():
    assert signal.getsignal(signal.SIGPIPE) in (signal.SIG_IGN, signal.SIG_DFL)
    s, peer = unix_pair()
    peer.close()
    with pytest.raises(csend.SocketException) as info:
        s.send(b"x" * 100)
    assert info.value.socket_error_code == csend.SocketError.SHUTDOWN
    s.close()


def test_send_after_close_is_object_disposed_even_with_bad_arguments():
    s, peer = unix_pair()
    fd = s.fileno()
    s.close()
    s.close()
    assert s.closed and s.fileno() == -1
    with pytest.raises(OSError):
        os.fstat(fd)
    for args in [(b"x",), (None,), (b"x", 9), (b"x", 0, 1, 2)]:
        with pytest.raises(csend.ObjectDisposedException) as info:
            s.send(*args)
        assert info.value.object_name == "csend.Socket"
    peer.close()


def test_close_from_another_thread_wakes_a_blocked_send():
    s, peer = tcp_pair()
    small_buffers(s.fileno())
    result = {}

    def blocked():
        try:
            s.send(pattern(8 * MIB))
        except csend.SocketException as e:
            result["e"] = e

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.15)
    s.close()
    t.join(2.0)
    assert not t.is_alive()
    e = result["e"]
    assert e.socket_error_code == csend.SocketError.CONNECTION_ABORTED
    assert e.strerror == os.strerror(errno.ECONNABORTED)  # the message fits the code
    assert e.bytes_transferred > 0
    # contract §3 (.NET's TryUnblockSocket): the close is abortive, so the peer
    # reads a prefix and then a reset, never a clean end of stream.
    got = bytearray()
    with pytest.raises(ConnectionResetError):
        while select.select([peer], [], [], 2.0)[0]:
            chunk = peer.recv(1 << 20)
            assert chunk, "the peer saw a clean end of stream after an aborted send"
            got += chunk
        raise AssertionError("no reset within 2 s")
    assert len(got) <= e.bytes_transferred
    peer.close()


def test_blocked_send_releases_the_gil():
    s, peer = tcp_pair()
    small_buffers(s.fileno())
    s.send_timeout = 300
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    with pytest.raises(csend.SocketException):
        s.send(pattern(8 * MIB))
    stop.set()
    t.join()
    assert len(ticks) > 10  # the other thread ran while send waited
    s.close()
    peer.close()


@pytest.mark.skipif(TSAN, reason="ThreadSanitizer defers signals: a blocked call never sees EINTR")
def test_signal_handler_interrupts_a_blocked_send():
    s, peer = tcp_pair()
    small_buffers(s.fileno())

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        t0 = time.monotonic()
        with pytest.raises(Stop) as info:
            s.send(pattern(8 * MIB))
        assert time.monotonic() - t0 < 2
        # The interrupted send says how far the stream got.
        s.shutdown(csend.SocketShutdown.SEND)
        assert len(drain(peer, 2.0)) == info.value.bytes_transferred > 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    s.close()
    peer.close()


def test_bytearray_is_pinned_while_a_send_uses_it():
    s, peer = tcp_pair()
    small_buffers(s.fileno())
    s.send_timeout = 500
    data = bytearray(pattern(4 * MIB))
    errors = []

    def resize():
        time.sleep(0.1)
        try:
            data.extend(b"more")
        except BufferError as e:
            errors.append(e)

    t = threading.Thread(target=resize)
    t.start()
    with pytest.raises(csend.SocketException):
        s.send(data)
    t.join()
    assert len(errors) == 1
    s.close()
    peer.close()


@pytest.mark.parametrize("family, call", [
    (csend.AddressFamily.INTER_NETWORK, lambda s: s.connect(("nonexistent.invalid", 1))),
    (csend.AddressFamily.INTER_NETWORK, lambda s: s.bind(("nonexistent.invalid", 0))),
    (csend.AddressFamily.INTER_NETWORK, lambda s: s.send_to(b"x", ("nonexistent.invalid", 1))),
    (csend.AddressFamily.INTER_NETWORK, lambda s: s.connect(("::1", 1))),
    (csend.AddressFamily.INTER_NETWORK_V6, lambda s: s.connect(("127.0.0.1", 70000))),
    (csend.AddressFamily.UNIX, lambda s: s.connect("/nonexistent/" + "x" * 200)),
])
def test_a_closed_socket_is_disposed_before_any_endpoint_is_resolved(family, call):
    # contract §6: disposal first, then the arguments, and only then a name is
    # resolved or an endpoint built (it was HostNotFound, or the port error).
    s = csend.Socket(family, csend.SocketType.STREAM)
    s.close()
    with pytest.raises(csend.ObjectDisposedException):
        call(s)


def test_listen_without_a_backlog_is_dotnets_listen():
    # .NET's Listen() is Listen(int.MaxValue): the kernel's cap, not 128.
    with open("/proc/sys/net/core/somaxconn") as f:
        cap = int(f.read())
    if cap <= 160:
        pytest.skip(f"net.core.somaxconn is {cap}")
    s = csend.Socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    clients = []
    try:
        for _ in range(150):  # none accepted: all wait in the backlog
            clients.append(socket.create_connection(s.local_endpoint, timeout=2.0))
    finally:
        for c in clients:
            c.close()
        s.close()
    assert len(clients) == 150


def test_refused_flags_are_named_in_the_message():
    # send_to(buffer, size, flags, ep): flags 3 is OutOfBand | Peek. The
    # message names the refused bit and the operation (it was the bare
    # "Operation not supported").
    s = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM)
    try:
        with pytest.raises(csend.SocketException) as info:
            s.send_to(b"abc", 1, 3, ("127.0.0.1", 9))
        e = info.value
        assert e.socket_error_code == csend.SocketError.OPERATION_NOT_SUPPORTED
        assert e.errno == errno.EOPNOTSUPP
        assert e.strerror == "socketFlags 0x3: Peek (0x2) is not valid for Send"
    finally:
        s.close()


def test_shutdown_after_the_connection_closed_succeeds():
    # .NET ignores ENOTCONN for a socket that was once connected (its
    # Shutdown_TCP_CLOSED_Success test); a never-connected one still fails.
    s, peer = tcp_pair()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    peer.close()  # a reset: s goes to CLOSED
    time.sleep(0.1)
    with pytest.raises(csend.SocketException):
        for _ in range(10):
            s.send(b"x")
            time.sleep(0.05)
    s.shutdown(csend.SocketShutdown.BOTH)  # NotConnected before
    s.close()
    never = csend.Socket()
    with pytest.raises(csend.SocketException) as info:
        never.shutdown(csend.SocketShutdown.BOTH)
    assert info.value.socket_error_code == csend.SocketError.NOT_CONNECTED
    never.close()


def test_a_non_blocking_connect_in_progress_is_would_block_then_connected():
    # .NET reports WouldBlock (10035), not InProgress, and Connected turns
    # true once the handshake has completed.
    with socket.create_server(("127.0.0.1", 0)) as lst:
        s = csend.Socket()
        s.blocking = False
        try:
            s.connect(lst.getsockname())
            raised = None  # loopback may complete at once
        except csend.SocketException as e:
            raised = e
        if raised is not None:
            assert raised.socket_error_code == csend.SocketError.WOULD_BLOCK
            assert raised.error_code == 10035
            assert raised.errno == errno.EINPROGRESS
        select.select([], [s], [], 2.0)
        assert s.connected
        peer, _ = lst.accept()
        assert s.send(b"hi") == 2
        assert peer.recv(2) == b"hi"
        peer.close()
        s.close()


def test_closing_a_unix_socket_removes_the_path_it_bound(tmp_path):
    # .NET removes the socket file, so the path can be bound again.
    path = str(tmp_path / "sock")
    for _ in range(2):
        s = csend.Socket(csend.AddressFamily.UNIX, csend.SocketType.STREAM)
        s.bind(path)
        s.listen()
        assert os.path.exists(path)
        s.close()
        assert not os.path.exists(path)
