"""The Python face of csend: overloads, buffers, integers, exceptions, enums."""
import array
import mmap
import pickle
import socket
import subprocess
import sys
import time

import pytest

import csend
from helpers import drain, tcp_pair, unix_pair


@pytest.fixture
def pair():
    s, peer = unix_pair()
    yield s, peer
    s.close()
    peer.close()


def test_four_argument_dotnet_order_works_positionally(pair):
    s, peer = pair
    buf = b"This is a test"
    assert s.send(buf, 0, len(buf), csend.SocketFlags.NONE) == 14
    assert drain(peer) == buf


def test_short_forms_and_keywords(pair):
    s, peer = pair
    buf = b"0123456789"
    assert s.send(buf) == 10
    assert s.send(buf, 4) == 6
    assert s.send(buf, 1, 2) == 2
    assert s.send(buf, flags=csend.SocketFlags.NONE) == 10
    assert s.send(buf, size=3, flags=0) == 3
    assert s.send(buf, offset=8) == 2
    assert s.send(buffer=buf, offset=2, size=1) == 1
    assert drain(peer) == buf + buf[4:] + buf[1:3] + buf + buf[:3] + buf[8:] + buf[2:3]
    with pytest.raises(TypeError, match="multiple values"):
        s.send(buf, 0, offset=1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        s.send(buf, socket_flags=0)
    with pytest.raises(TypeError, match="at most"):
        s.send(buf, 0, 1, 0, 5)
    with pytest.raises(TypeError, match="buffer"):
        s.send()


def test_try_send_returns_count_and_success(pair):
    s, peer = pair
    assert s.try_send(b"abc") == (3, csend.SocketError.SUCCESS)
    assert drain(peer) == b"abc"
    peer.close()
    n, code = s.try_send(b"abc")
    assert (n, code) == (0, csend.SocketError.SHUTDOWN)
    with pytest.raises(csend.ArgumentOutOfRangeException):
        s.try_send(b"abc", 4)


@pytest.mark.parametrize("make", [
    lambda b: b, bytearray, memoryview, lambda b: array.array("B", b),
    lambda b: array.array("b", b), lambda b: memoryview(bytearray(b))[0:],
], ids=["bytes", "bytearray", "memoryview", "array_B", "array_b", "memoryview_slice"])
def test_any_contiguous_byte_buffer_is_accepted(pair, make):
    s, peer = pair
    assert s.send(make(b"payload"), 1, 3) == 3
    assert drain(peer) == b"ayl"


def test_mmap_is_accepted(pair):
    s, peer = pair
    m = mmap.mmap(-1, 4096)
    m[:5] = b"hello"
    assert s.send(m, 0, 5) == 5
    assert drain(peer) == b"hello"
    m.close()


def test_any_c_contiguous_buffer_counts_bytes(pair):
    """As socket.send: array('i') and a 2-D memoryview are sent as their
    bytes, with offset and size counted in bytes (it was a TypeError)."""
    s, peer = pair
    ints = array.array("i", [1, 2, 3])
    assert s.send(ints) == 12
    assert s.send(ints, 4, 4) == 4
    grid = memoryview(bytearray(b"abcdef")).cast("B", (2, 3))
    assert s.send(grid, 1, 4) == 4
    assert drain(peer) == ints.tobytes() + ints.tobytes()[4:8] + b"bcde"
    got = array.array("h", [0, 0])
    peer.sendall(b"\x01\x00\x02\x00")
    assert s.receive(got) == 4 and list(got) == [1, 2]


@pytest.mark.parametrize("bad, match", [
    (memoryview(b"abcdef")[::2], "contiguous"),
    ("text", "bytes-like"),
    (12, "bytes-like"),
], ids=["strided", "str", "int"])
def test_other_buffers_are_a_clear_type_error(pair, bad, match):
    s, peer = pair
    with pytest.raises(TypeError, match=match):
        s.send(bad)
    assert drain(peer) == b""


@pytest.mark.parametrize("name", ["offset", "size", "flags"])
@pytest.mark.parametrize("value, error", [
    (2**31, csend.ArgumentOutOfRangeException),
    (-2**31 - 1, csend.ArgumentOutOfRangeException),
    (2**63, csend.ArgumentOutOfRangeException),
    (-2**64, csend.ArgumentOutOfRangeException),
    (10**40, csend.ArgumentOutOfRangeException),
    (True, TypeError), (False, TypeError), (1.0, TypeError), (0.5, TypeError),
    ("1", TypeError),
], ids=["int32max+1", "int32min-1", "int64max+1", "-2**64", "1e40",
        "True", "False", "float", "fraction", "str"])
def test_integers_beyond_range_and_non_integers(pair, name, value, error):
    s, peer = pair
    if name == "flags" and value == 2**31:
        value = 2**32  # 2**31 is SocketFlags bit 31, a 32-bit pattern (see the vectors)
    with pytest.raises(error) as info:
        s.send(b"abc", **{name: value})
    if error is csend.ArgumentOutOfRangeException:
        assert info.value.param_name == {"flags": "socketFlags"}.get(name, name)
    else:
        assert not isinstance(info.value, csend.ArgumentException)
        assert name in str(info.value)
    assert drain(peer) == b""


def test_index_objects_and_intflags_are_integers(pair):
    s, peer = pair
    import numpy_like  # noqa: F401  (tests/python/numpy_like.py)
    from numpy_like import Index
    assert s.send(b"abcdef", Index(2), Index(3), csend.SocketFlags(0)) == 3
    assert drain(peer) == b"cde"


def test_exceptions_follow_dotnet_and_python_hierarchies():
    assert issubclass(csend.ArgumentNullException, csend.ArgumentException)
    assert issubclass(csend.ArgumentNullException, TypeError)
    assert issubclass(csend.ArgumentNullException, ValueError)
    assert issubclass(csend.ArgumentOutOfRangeException, csend.ArgumentException)
    assert issubclass(csend.ArgumentOutOfRangeException, ValueError)
    assert issubclass(csend.ObjectDisposedException, csend.InvalidOperationException)
    assert issubclass(csend.InvalidOperationException, RuntimeError)
    assert issubclass(csend.SocketException, OSError)
    assert not issubclass(csend.SocketException, csend.ArgumentException)


def test_errors_are_catchable_as_builtins(pair):
    s, peer = pair
    with pytest.raises(TypeError):
        s.send(None)
    with pytest.raises(ValueError):
        s.send(b"x", 5)
    with pytest.raises(OSError) as info:
        s.send(b"x", flags=csend.SocketFlags.PEEK)
    assert info.value.errno == 95
    # The message names the refused flag (it was the errno's bare text).
    assert info.value.strerror == "socketFlags 0x2: Peek (0x2) is not valid for Send"
    s.close()
    with pytest.raises(RuntimeError):
        s.send(b"x")


def test_socket_exception_pickles_with_its_fields():
    e = csend.SocketException(10054, 104, "Connection reset by peer", 7)
    f = pickle.loads(pickle.dumps(e))
    assert (f.error_code, f.socket_error_code, f.native_error_code, f.bytes_transferred,
            f.errno, f.strerror) == (10054, csend.SocketError.CONNECTION_RESET, 104, 7, 104,
                                     "Connection reset by peer")


def test_enums_have_dotnet_names_and_values():
    assert csend.SocketFlags.OUT_OF_BAND == 1 and csend.SocketFlags.DONT_ROUTE == 4
    assert csend.SocketFlags.PARTIAL == 0x8000
    assert isinstance(csend.SocketFlags.NONE, int)
    assert len(csend.SocketError) == 47
    assert csend.SocketError.CONNECTION_RESET == 10054
    assert csend.SocketError.IO_PENDING == 997
    assert csend.SocketError.SOCKET_ERROR == -1
    assert csend.AddressFamily.INTER_NETWORK_V6 == 23


def test_stub_lists_every_public_name():
    stub = (csend.__file__.replace("__init__.py", "__init__.pyi"))
    text = open(stub).read()
    for name in csend.__all__:
        assert name in text, name
    for member in csend.SocketError:
        assert f"    {member.name}: int" in text or f"    {member.name} =" in text, member.name


def test_from_socket_duplicates_and_keeps_mode():
    a, b = socket.socketpair()
    a.setblocking(False)
    s = csend.Socket.from_socket(a)
    assert s.fileno() != a.fileno()
    assert s.blocking is False
    assert s.family == csend.AddressFamily.UNIX and s.type == csend.SocketType.STREAM
    s.close()
    a.send(b"still open")
    assert b.recv(100) == b"still open"
    a.close()
    b.close()


def test_from_fd_takes_ownership_and_refuses_non_sockets(tmp_path):
    a, b = socket.socketpair()
    s = csend.Socket.from_fd(a.detach())
    assert s.send(b"hi") == 2
    assert b.recv(10) == b"hi"
    s.close()
    b.close()
    with open(tmp_path / "f", "w") as f:
        with pytest.raises(csend.SocketException) as info:
            csend.Socket.from_fd(f.fileno())
        assert info.value.socket_error_code == csend.SocketError.NOT_SOCKET


def test_properties_endpoints_and_repr():
    s, peer = tcp_pair()
    with s:
        assert s.connected and s.blocking and not s.closed
        host, port = s.local_endpoint
        assert host == "127.0.0.1" and port > 0
        assert s.remote_endpoint == peer.getsockname()
        s.no_delay = True
        assert s.no_delay is True
        peer.send(b"abc")
        time.sleep(0.02)
        assert s.available == 3
        buf = bytearray(8)
        assert s.receive(buf, 2) == 3 and buf[2:5] == b"abc"
        assert "csend.Socket fd=" in repr(s)
    assert "closed" in repr(s)
    peer.close()


def test_stdlib_family_and_ipv6_and_unix_paths(tmp_path):
    with csend.Socket(socket.AF_INET6, socket.SOCK_STREAM) as l6:
        l6.bind(("::1", 0))
        l6.listen()
        with csend.Socket(csend.AddressFamily.INTER_NETWORK_V6) as c:
            c.connect(l6.local_endpoint)
            with l6.accept() as a:
                assert c.send(b"v6") == 2
                buf = bytearray(2)
                assert a.receive(buf) == 2 and buf == b"v6"
    path = str(tmp_path / "s.sock")
    with csend.Socket(csend.AddressFamily.UNIX, csend.SocketType.STREAM) as lu:
        lu.bind(path)
        lu.listen(1)
        assert lu.local_endpoint == path
        with csend.Socket(csend.AddressFamily.UNIX) as c:
            c.connect(path)
            with lu.accept() as a:
                assert c.send_segments([b"ab", bytearray(b"cd"), memoryview(b"ef")]) == 6
                buf = bytearray(6)
                assert a.receive(buf) == 6 and buf == b"abcdef"


def test_send_segments_validation(pair):
    s, peer = pair
    with pytest.raises(csend.ArgumentNullException) as info:
        s.send_segments(None)
    assert info.value.param_name == "buffers"
    with pytest.raises(csend.ArgumentException) as info:
        s.send_segments([])
    assert type(info.value) is csend.ArgumentException and info.value.param_name == "buffers"
    with pytest.raises(csend.ArgumentNullException):
        s.send_segments([b"a", None])
    assert drain(peer) == b""


def test_bad_endpoints(pair):
    with csend.Socket() as s:
        with pytest.raises(csend.ArgumentOutOfRangeException) as info:
            s.connect(("127.0.0.1", 70000))
        assert info.value.param_name == "port"
        with pytest.raises(csend.ArgumentNullException):
            s.connect((None, 80))
        with pytest.raises(TypeError):
            s.connect("127.0.0.1:80")


def test_trace_callback_sees_send_and_result(pair):
    s, peer = pair
    lines = []
    csend.set_trace(True, lines.append)
    try:
        assert csend.get_trace()
        s.send(b"This is a test")
        with pytest.raises(csend.ArgumentOutOfRangeException):
            s.send(b"x", 5)
    finally:
        csend.set_trace(False)
    assert len(lines) == 2
    assert "size=14" in lines[0]
    assert "returns:14 data=5468697320697320612074657374" in lines[1]


def test_trace_from_the_environment_goes_to_stderr():
    code = ("import csend, socket\n"
            "a, b = socket.socketpair()\n"
            "csend.Socket.from_socket(a).send(b'hi')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"CSEND_TRACE": "1", "PATH": "/usr/bin:/bin"}, cwd="/")
    assert run.returncode == 0, run.stderr
    assert "returns:2 data=6869" in run.stderr


def test_help_shows_docstrings():
    assert "offset" in csend.Socket.send.__doc__
    assert "SocketError" in csend.Socket.try_send.__doc__
    assert "Socket.Send" in csend.Socket.__doc__ or "Send" in csend.Socket.__doc__


def test_unclosed_socket_warns():
    code = ("import csend, gc, warnings\n"
            "warnings.simplefilter('always')\n"
            "s = csend.Socket()\n"
            "del s\ngc.collect()\n")
    run = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                         text=True, cwd="/")
    assert "ResourceWarning: unclosed <csend.Socket" in run.stderr


def test_socket_can_be_subclassed_with_its_constructor_arguments():
    class Tagged(csend.Socket):
        def __init__(self, family, type, proto=0):
            super().__init__(family, type, proto)
            self.tag = "t"

    with Tagged(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM) as s:
        assert s.tag == "t" and s.type == csend.SocketType.DGRAM
        assert isinstance(s, csend.Socket)


def test_each_module_object_keeps_its_own_classes_and_socket_type():
    # The classes, the SocketError members and the trace callback live in
    # the module's state (PEP 489), not in globals of the extension: a
    # second module object from the same file is wholly separate.
    import importlib.util

    spec = importlib.util.spec_from_file_location("csend._core", csend._core.__file__)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    assert other.Socket is not csend.Socket

    class Mine(ValueError):
        def __init__(self, message, param_name=None, *rest):
            super().__init__(message)
            self.param_name = param_name

    classes = {name: Mine for name in csend._exceptions.__all__}
    other._bind({**classes, "SocketError": csend.SocketError,
                 "AddressFamily": csend.AddressFamily, "SocketType": csend.SocketType,
                 "ProtocolType": csend.ProtocolType})
    theirs, ours = other.Socket(), csend.Socket()
    try:
        with pytest.raises(Mine) as info:
            theirs.send(b"x", 5)
        assert info.value.param_name == "offset"
        with pytest.raises(csend.ArgumentOutOfRangeException):
            ours.send(b"x", 5)
        lines = []
        other.set_trace(True, lines.append)  # the other module's callback only
        with pytest.raises(csend.SocketException):
            ours.send(b"x")  # not connected: traced to stderr, not to `lines`
        assert lines == []
    finally:
        other.set_trace(False)
        theirs.close()
        ours.close()


def _nonblocking(fd):
    import fcntl
    import os
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)


def test_blocking_on_an_adopted_socket_never_changes_the_original():
    """contract §3/§6: csend's mode is its own.  The duplicate shares O_NONBLOCK
    with the stdlib socket; flipping it made the original's next large send
    hang past its timeout."""
    import threading
    std, peer = socket.socketpair()
    std.settimeout(0.3)
    c = csend.Socket.from_socket(std)
    c.blocking = True
    c.blocking = False
    c.blocking = True
    assert c.blocking is True
    c.close()
    assert _nonblocking(std.fileno())  # the stdlib's timeout mode is intact
    outcome = []

    def big_send():
        try:
            std.sendall(bytes(64 << 20))
            outcome.append("sent")
        except TimeoutError:
            outcome.append("timeout")

    t = threading.Thread(target=big_send, daemon=True)
    t.start()
    t.join(10)
    assert outcome == ["timeout"], "the stdlib socket lost its timeout"
    std.close()
    peer.close()


def test_from_socket_takes_the_stdlib_timeout():
    """contract §6: None -> blocking, no timeouts; 0.0 -> non-blocking; t ->
    blocking with send/receive timeouts of t s rounded up to whole ms.  A
    socket from create_connection(timeout=...) once sent part of a large
    buffer and returned the count silently."""
    listener = socket.create_server(("127.0.0.1", 0))
    for timeout, blocking, ms in [(None, True, 0), (0.0, False, 0), (0.25, True, 250),
                                  (0.0001, True, 1)]:
        std = socket.create_connection(listener.getsockname(), timeout=5.0)
        std.settimeout(timeout)
        with csend.Socket.from_socket(std) as c:
            assert (c.blocking, c.send_timeout, c.receive_timeout) == (blocking, ms, ms)
        assert std.gettimeout() == timeout
        std.close()
        listener.accept()[0].close()
    std = socket.create_connection(listener.getsockname(), timeout=0.5)
    accepted = listener.accept()[0]
    with csend.Socket.from_socket(std) as c:
        with pytest.raises(csend.SocketException) as e:
            c.send(bytes(50 << 20))
        assert e.value.socket_error_code == csend.SocketError.TIMED_OUT
        assert 0 < e.value.bytes_transferred < 50 << 20
    std.close()
    accepted.close()
    listener.close()


def test_non_blocking_accept_on_an_adopted_blocking_listener_does_not_wait():
    """An adopted listener is blocking underneath; csend's non-blocking mode
    must not wait in accept4 (which has no MSG_DONTWAIT)."""
    listener = socket.create_server(("127.0.0.1", 0))
    with csend.Socket.from_fd(listener.detach()) as c:
        assert c.blocking is True
        c.blocking = False
        with pytest.raises(csend.SocketException) as e:
            c.accept()
        assert e.value.socket_error_code == csend.SocketError.WOULD_BLOCK
        assert not _nonblocking(c.fileno())


def test_family_type_and_proto_are_enum_members():
    """contract §11: the kind properties are the enums' members, not plain ints."""
    with csend.Socket(csend.AddressFamily.INTER_NETWORK_V6, csend.SocketType.DGRAM) as s:
        assert s.family is csend.AddressFamily.INTER_NETWORK_V6
        assert s.type is csend.SocketType.DGRAM
        assert s.proto is csend.ProtocolType.UDP
        assert repr(s.family) == "<AddressFamily.INTER_NETWORK_V6: 23>"
    a, b = socket.socketpair()
    with csend.Socket.from_socket(a) as s:
        assert s.family is csend.AddressFamily.UNIX and s.proto == 0
    a.close()
    b.close()


def test_none_is_an_argument_left_out(pair):
    """offset, size and flags of None mean the overload without them, so
    the signatures inspect shows (size=None) can be called as written."""
    s, peer = pair
    assert s.send(b"abcdef", None, None, None) == 6
    assert s.send(b"abcdef", 2, None) == 4
    assert s.send(b"abcdef", None, 3) == 3
    assert s.try_send(b"xy", flags=None) == (2, csend.SocketError.SUCCESS)
    assert s.send_segments([b"z"], None) == 1
    assert drain(peer) == b"abcdefcdefabcxyz"


def test_every_public_callable_has_a_signature_and_a_docstring():
    """contract §11: inspect.signature works on every public callable (it raised
    ValueError for all of them), and each one says what it mirrors."""
    import inspect
    checked = 0
    for name in csend.__all__:
        obj = getattr(csend, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        if callable(obj):
            inspect.signature(obj)
            checked += 1
    for name, attr in vars(csend.Socket).items():
        if name.startswith("_") and name not in ("__enter__", "__exit__"):
            continue
        assert attr.__doc__ and attr.__doc__.strip(), name
        if callable(getattr(csend.Socket, name)):
            sig = inspect.signature(getattr(csend.Socket, name))
            checked += 1
            if name in ("send", "try_send", "receive", "receive_from"):
                assert list(sig.parameters)[1:] == ["buffer", "offset", "size", "flags"]
    assert checked > 30
    doc = csend.Socket.send.__doc__
    for word in ("Socket.Send", "ObjectDisposedException", "ArgumentNullException",
                 "ArgumentOutOfRangeException", "SocketException", "send_timeout"):
        assert word in doc, word


def test_enum_members_are_class_attributes_found_as_any_others():
    """The enums' metaclass skips 3.11's EnumType.__getattr__ hook (a cost
    per lookup, not a behaviour): every member, aliases included, is still
    found by attribute, a missing name is still AttributeError, and members
    pickle."""
    for enum_cls in (csend.SocketError, csend.SocketFlags, csend.AddressFamily,
                     csend.SocketType, csend.ProtocolType, csend.SocketOptionLevel,
                     csend.SocketOptionName, csend.SocketShutdown):
        for name, member in enum_cls.__members__.items():
            assert getattr(enum_cls, name) is member
            assert pickle.loads(pickle.dumps(member)) is member
        with pytest.raises(AttributeError):
            getattr(enum_cls, "NO_SUCH_MEMBER")
    assert csend.SocketOptionName.NO_DELAY is csend.SocketOptionName.DEBUG
    assert csend.SocketFlags.OUT_OF_BAND | csend.SocketFlags.DONT_ROUTE == 5


def test_an_unclosed_socket_warns_once_and_its_descriptor_goes_with_the_warning():
    """As socket.socket: the finalizer warns and closes.  A recorded warning
    keeps the object (its source) alive; it warned again when freed, with
    the descriptor open all along."""
    import gc
    import os
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def leak():
            return csend.Socket().fileno()
        fd = leak()
        gc.collect()
        with pytest.raises(OSError):
            os.fstat(fd)
    assert len([w for w in caught if issubclass(w.category, ResourceWarning)]) == 1
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        del caught[:]  # the last reference to the socket: freed now
        gc.collect()
    assert [w for w in again if issubclass(w.category, ResourceWarning)] == []
