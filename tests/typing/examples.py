"""Every public callable of csend, used as a program would, so that the type
checkers (mypy --strict, pyright) hold the stubs to real use; it also runs
(tests/test_typing.py), so every line is a working example.  Loopback only."""
import array
import asyncio
import os
import pickle
import socket
import tempfile

import csend
from csend import (AddressFamily, ProtocolType, SocketError, SocketFlags, SocketOptionLevel,
                   SocketOptionName, SocketShutdown, SocketType)


def stream_pair() -> tuple[csend.Socket, csend.Socket]:
    with csend.Socket(AddressFamily.INTER_NETWORK, SocketType.STREAM, ProtocolType.TCP) as lst:
        lst.bind(("127.0.0.1", 0))
        lst.listen()
        lst.listen(8)
        client = csend.Socket(family=AddressFamily.INTER_NETWORK, type=SocketType.STREAM)
        ep = lst.local_endpoint
        assert isinstance(ep, tuple)
        client.connect(ep)
        server = lst.accept()
    return client, server


def sends(s: csend.Socket, peer: csend.Socket) -> None:
    msg = b"This is a test"
    n: int = s.send(msg, 0, len(msg), SocketFlags.NONE)  # .NET's order
    n += s.send(msg)
    n += s.send(msg, flags=SocketFlags.NONE)
    n += s.send(msg, size=4, flags=SocketFlags.NONE)
    n += s.send(bytearray(msg), 2)
    n += s.send(memoryview(msg), 2, 3)
    n += s.send(array.array("i", [1, 2]))
    count, code = s.try_send(msg)
    assert code is SocketError.SUCCESS
    n += count
    count, code = s.try_send(msg, size=2)
    n += count
    n += s.send_segments([b"ab", bytearray(b"cd"), memoryview(b"ef")])
    n += s.send_segments((b"gh",), SocketFlags.NONE)
    buf = bytearray(4096)
    got = 0
    while got < n:
        got += peer.receive(buf)
    assert got == n


def errors(s: csend.Socket) -> None:
    try:
        s.send(b"abc", 9)
    except csend.ArgumentOutOfRangeException as out:
        assert out.param_name == "offset" and out.actual_value == 9
    try:
        s.send(None)
    except csend.ArgumentNullException as null:
        assert null.param_name == "buffer"
    s.blocking = False
    try:
        while True:
            s.send(bytes(1 << 20))
    except BlockingIOError as blocked:  # also a csend.SocketException
        assert isinstance(blocked, csend.SocketException)
        e: csend.SocketException = blocked
        assert e.socket_error_code is SocketError.WOULD_BLOCK and e.error_code == 10035
        assert e.bytes_transferred >= 0 and e.native_error_code == e.errno
        assert pickle.loads(pickle.dumps(e)).error_code == 10035
    s.blocking = True
    s.send_timeout = 50
    try:
        s.send(bytes(64 << 20))
    except TimeoutError as timed_out:
        assert isinstance(timed_out, csend.SocketException) and "TimedOut 10060" in str(timed_out)
    s.close()
    try:
        s.send(b"x")
    except csend.ObjectDisposedException as disposed:
        assert disposed.object_name == "csend.Socket"
    for cls in (csend.ArgumentException, csend.InvalidOperationException,
                csend.NotSupportedException):
        assert issubclass(cls, Exception)
    e2 = csend.SocketException(SocketError.CONNECTION_RESET, 104, "reset", 5)
    assert isinstance(e2, ConnectionResetError)


def properties(s: csend.Socket) -> None:
    s.no_delay = True
    s.send_timeout = 1000
    s.receive_timeout = 1000
    s.send_buffer_size = 1 << 16
    s.receive_buffer_size = 1 << 16
    s.ttl = 64
    s.enable_broadcast = False
    s.dont_fragment = False
    s.linger_state = (True, 1)
    enabled, seconds = s.linger_state
    assert enabled and seconds == 1
    assert s.dual_mode is False
    assert s.available == 0 and s.connected and not s.closed
    assert s.family is AddressFamily.INTER_NETWORK and s.type is SocketType.STREAM
    assert s.proto is ProtocolType.TCP and s.fileno() >= 0
    assert s.remote_endpoint is not None and s.blocking
    s.set_socket_option(SocketOptionLevel.SOCKET, SocketOptionName.KEEP_ALIVE, True)
    s.set_socket_option(SocketOptionLevel.TCP, SocketOptionName.TCP_KEEP_ALIVE_TIME, 5)
    s.set_socket_option(SocketOptionLevel.SOCKET, SocketOptionName.LINGER, (False, 0))
    value = s.get_socket_option(SocketOptionLevel.SOCKET, SocketOptionName.KEEP_ALIVE)
    assert value == 1
    s.shutdown(SocketShutdown.SEND)


def datagrams() -> None:
    with csend.Socket(AddressFamily.INTER_NETWORK, SocketType.DGRAM) as rx, \
            csend.Socket(AddressFamily.INTER_NETWORK, SocketType.DGRAM) as tx:
        rx.bind(("127.0.0.1", 0))
        ep = rx.local_endpoint
        assert isinstance(ep, tuple)
        n = tx.send_to(b"one", ep)
        n += tx.send_to(b"two", SocketFlags.NONE, ep)
        n += tx.send_to(b"three", 5, SocketFlags.NONE, ep)
        n += tx.send_to(b"four", 0, 4, SocketFlags.NONE, ep)
        n += tx.send_to(b"five", size=4, remote_ep=ep)
        buf = bytearray(16)
        got = 0
        for _ in range(5):
            count, sender = rx.receive_from(buf)
            here = tx.local_endpoint  # bound by the first send_to, to 0.0.0.0
            assert isinstance(sender, tuple) and isinstance(here, tuple)
            assert sender[1] == here[1]
            got += count
        assert got == n


def adoption() -> None:
    a, b = socket.socketpair()
    a.settimeout(2.0)
    with csend.Socket.from_socket(a) as c:
        assert c.blocking and c.send_timeout == 2000
        c.send(b"hi")
    assert b.recv(2) == b"hi"
    with csend.Socket.from_fd(os.dup(a.fileno())) as d:
        assert d.family is AddressFamily.UNIX
    a.close()
    b.close()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s")
        with csend.Socket(AddressFamily.UNIX, SocketType.STREAM) as u:
            u.bind(path)
            assert u.local_endpoint == path


def tracing() -> None:
    lines: list[str] = []
    csend.set_trace(True, lines.append)
    assert csend.get_trace()
    csend.set_trace(False)
    assert csend.__version__


async def async_sends(client: csend.Socket, server: csend.Socket) -> None:
    fut = client.send_async(b"async", 0, 5, SocketFlags.NONE)
    n: int = await fut
    assert n == 5
    assert await client.send_async(bytearray(b"ab"), size=1) == 1
    pending = client.send_async(b"z" * 4096, flags=SocketFlags.NONE)
    if isinstance(pending, csend.SendFuture):
        went: int = pending.bytes_transferred
        assert went >= 0
    assert await pending == 4096
    buf = bytearray(8192)
    got = 0
    while got < 5 + 1 + 4096:
        got += await server.receive_async(buf)
    assert await client.send_segments_async([b"ab", bytearray(b"cd")]) == 4
    assert await server.receive_async(buf, 0, 4, SocketFlags.NONE) == 4


async def async_others() -> None:
    listener = csend.Socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    where = listener.local_endpoint
    assert isinstance(where, tuple)
    accepting = listener.accept_async()
    client = csend.Socket()
    await client.connect_async(where)
    assert client.connected
    server: csend.Socket = await accepting
    done: csend.OperationDone[int] | csend.OperationFuture[int] = client.send_async(b"x")
    assert await done == 1
    server.close()
    client.close()
    listener.close()
    a = csend.Socket(AddressFamily.INTER_NETWORK, SocketType.DGRAM)
    b = csend.Socket(AddressFamily.INTER_NETWORK, SocketType.DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    target = a.local_endpoint
    assert target is not None
    receiving = a.receive_from_async(bytearray(16))
    assert await b.send_to_async(b"hi", target) == 2
    assert await b.send_to_async(b"hi", 0, 2, SocketFlags.NONE, target) == 2
    count, sender = await receiving
    assert count == 2 and sender == b.local_endpoint
    a.close()
    b.close()


def main() -> None:
    client, server = stream_pair()
    with client, server:
        sends(client, server)
        properties(client)
    client, server = stream_pair()
    with server:
        errors(client)
    datagrams()
    adoption()
    tracing()
    client, server = stream_pair()
    with client, server:
        asyncio.run(async_sends(client, server))
    asyncio.run(async_others())


if __name__ == "__main__":
    main()
