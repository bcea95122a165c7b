"""contract §11: csend's exceptions as Python code expects them — each
SocketException is also the stdlib exception its SocketError means, prints
its SocketError and progress, shows as csend.X, and pickles."""
import errno
import pickle
import socket
import traceback

import pytest

import csend
from csend import SocketError as SE
from helpers import tcp_pair

KINDS = [(SE.TIMED_OUT, TimeoutError, errno.ETIMEDOUT),
         (SE.WOULD_BLOCK, BlockingIOError, errno.EAGAIN),
         (SE.IN_PROGRESS, BlockingIOError, errno.EINPROGRESS),
         (SE.CONNECTION_RESET, ConnectionResetError, errno.ECONNRESET),
         (SE.CONNECTION_ABORTED, ConnectionAbortedError, errno.ECONNABORTED),
         (SE.SHUTDOWN, BrokenPipeError, errno.EPIPE),
         (SE.CONNECTION_REFUSED, ConnectionRefusedError, errno.ECONNREFUSED),
         (SE.INTERRUPTED, InterruptedError, errno.EINTR),
         (SE.ACCESS_DENIED, PermissionError, errno.EACCES)]


@pytest.mark.parametrize("code, std, native", KINDS)
def test_socket_exception_is_the_stdlib_kind(code, std, native):
    e = csend.SocketException(code, native, "text", 7)
    assert isinstance(e, csend.SocketException) and isinstance(e, std)
    assert type(e).__name__ == "SocketException"
    assert (e.error_code, e.socket_error_code, e.errno, e.bytes_transferred) == \
        (int(code), code, native, 7)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is type(e) and back.bytes_transferred == 7 and str(back) == str(e)


def test_other_codes_are_plain_socket_exceptions():
    e = csend.SocketException(SE.MESSAGE_SIZE, errno.EMSGSIZE, "Message too long")
    assert type(e) is csend.SocketException
    assert not isinstance(e, (TimeoutError, ConnectionError, BlockingIOError))


def test_except_timeout_error_catches_a_real_send_timeout():
    s, peer = tcp_pair()
    s.send_timeout = 200
    with pytest.raises(TimeoutError) as info:
        s.send(bytes(64 << 20))
    e = info.value
    assert isinstance(e, csend.SocketException) and e.socket_error_code == SE.TIMED_OUT
    assert e.bytes_transferred > 0
    # str names the errno text, the SocketError and how far the send got
    assert str(e) == (f"[Errno {e.errno}] {e.strerror} (TimedOut 10060; "
                      f"{e.bytes_transferred} bytes sent)")
    assert repr(e).startswith("csend.SocketException(SocketError.TIMED_OUT, native_error_code=")
    s.close()
    peer.close()


def test_except_connection_reset_and_blocking_io_catch_real_failures():
    s, peer = tcp_pair()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    peer.close()
    import time
    time.sleep(0.05)
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        s.send(b"x" * 1000)
    s.close()
    s, peer = tcp_pair()
    s.blocking = False
    with pytest.raises(BlockingIOError) as info:
        while True:
            s.send(bytes(1 << 20))
    assert info.value.characters_written == info.value.bytes_transferred
    s.close()
    peer.close()


def test_str_without_errno_or_progress():
    e = csend.SocketException(SE.HOST_NOT_FOUND, 0, "Name or service not known")
    assert str(e) == "Name or service not known (HostNotFound 11001)"


def test_classes_and_enums_show_as_csend():
    for name in csend.__all__:
        obj = getattr(csend, name)
        if isinstance(obj, type):
            assert obj.__module__ == "csend", name
    try:
        csend.Socket().send(b"x", 5)
    except csend.ArgumentOutOfRangeException:
        text = traceback.format_exc()
    assert "csend.ArgumentOutOfRangeException: " in text
    assert "csend._exceptions" not in text
    assert repr(csend.SocketError.WOULD_BLOCK) == "<SocketError.WOULD_BLOCK: 10035>"
    assert pickle.loads(pickle.dumps(csend.SocketFlags.OUT_OF_BAND)) is \
        csend.SocketFlags.OUT_OF_BAND


def test_host_not_found_keeps_the_resolver_code():
    with csend.Socket() as s:
        with pytest.raises(csend.SocketException) as info:
            s.connect(("nonexistent.invalid", 1))
    e = info.value
    assert e.socket_error_code == SE.HOST_NOT_FOUND
    assert e.native_error_code == socket.EAI_NONAME  # as CPython's gaierror: -2
    assert str(e).startswith(f"[Errno {socket.EAI_NONAME}] ")


def test_a_hand_made_exception_round_trips_every_field():
    for e in (csend.SocketException(SE.WOULD_BLOCK),
              csend.SocketException(SE.TIMED_OUT, errno.ETIMEDOUT),
              csend.SocketException()):
        back = pickle.loads(pickle.dumps(e))
        assert (back.args, back.strerror, back.message, str(back)) == \
            (e.args, e.strerror, e.message, str(e))
    assert csend.SocketException(SE.TIMED_OUT, errno.ETIMEDOUT).strerror == \
        "Connection timed out"  # the OS text when there is an errno
    assert csend.SocketException(SE.WOULD_BLOCK).message == "WouldBlock"
