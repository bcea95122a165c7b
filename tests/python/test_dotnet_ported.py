"""Tests ported from .NET's own functional tests for System.Net.Sockets
(dotnet/runtime, src/libraries/System.Net.Sockets/tests/FunctionalTests/),
synchronous forms only, rewritten for csend's Python surface.

Each test names the .NET test it comes from as `File.cs: TestName`, and
each check says what .NET asserts (".NET asserts ...") next to what csend
checks, so the port can be audited line by line.  Where the two must
differ (csend never sends outside 127.0.0.0/8 and ::1; Python endpoints are
tuples, not objects) the test says how it adapts.  The .NET tests that are
not ported, and why, are listed in docs/dotnet-tests.md.
"""
import os
import socket
import tempfile
import threading
import time
import uuid

import pytest

import csend
from csend import (AddressFamily as AF, SocketError as SE, SocketOptionLevel as Level,
                   SocketOptionName as Name, SocketType as ST)

V4, V6, UNIX = AF.INTER_NETWORK, AF.INTER_NETWORK_V6, AF.UNIX
LOOPBACK = {V4: "127.0.0.1", V6: "::1"}
WILDCARD = {V4: "0.0.0.0", V6: "::"}


def udp(family=V4):
    return csend.Socket(family, ST.DGRAM)


def tcp(family=V4):
    return csend.Socket(family, ST.STREAM)


def bind_anonymous(s, host):
    """.NET's BindToAnonymousPort: bind port 0 and return the port chosen."""
    s.bind((host, 0))
    return s.local_endpoint[1]


def connected_pair(family=V4, client_family=None):
    """A listener, a client connected to it and the accepted socket."""
    listener = tcp(family)
    port = bind_anonymous(listener, LOOPBACK[family])
    listener.listen(1)
    client = tcp(client_family or family)
    host = LOOPBACK[family]
    if client_family == V6 and family == V4:
        host = "::ffff:127.0.0.1"
    client.connect((host, port))
    accepted = listener.accept()
    listener.close()
    return client, accepted


def raises_socket(code, fn, *args):
    with pytest.raises(csend.SocketException) as info:
        fn(*args)
    assert info.value.socket_error_code == code, info.value
    return info.value


# ---- LocalEndPointTest.cs (IPv4 and IPv6) ---------------------------------

@pytest.mark.parametrize("family", [V4, V6])
def test_udp_when_bound_to_wildcard_local_ep_does_not_change_on_send_to(family):
    """LocalEndPointTest.cs: UdpSocket_WhenBoundToWildcardAddress_LocalEPDoesNotChangeOnSendTo"""
    with udp(family) as server, udp(family) as client:
        server_port = bind_anonymous(server, WILDCARD[family])
        assert client.local_endpoint is None  # .NET asserts null before Bind
        client_port = bind_anonymous(client, WILDCARD[family])
        assert client.local_endpoint[0] == WILDCARD[family]  # .NET asserts the wildcard
        client.send_to(bytes([1, 2, 3]), (LOOPBACK[family], server_port))
        # .NET asserts the address and port are unchanged by SendTo
        assert client.local_endpoint[:2] == (WILDCARD[family], client_port)
        buf = bytearray(3)
        n, sender = server.receive_from(buf)
        assert (n, bytes(buf)) == (3, bytes([1, 2, 3]))  # .NET asserts the bytes
        assert sender[1] == client_port  # .NET asserts the sender's port


@pytest.mark.parametrize("family", [V4, V6])
def test_udp_when_not_bound_local_ep_changes_to_wildcard_on_send_to(family):
    """LocalEndPointTest.cs: UdpSocket_WhenNotBound_LocalEPChangeToWildcardOnSendTo"""
    with udp(family) as server, udp(family) as client:
        server_port = bind_anonymous(server, WILDCARD[family])
        assert client.local_endpoint is None  # .NET asserts null before SendTo
        client.send_to(bytes([1, 2, 3]), (LOOPBACK[family], server_port))
        assert client.local_endpoint[0] == WILDCARD[family]  # .NET asserts the wildcard after
        buf = bytearray(3)
        n, sender = server.receive_from(buf)
        assert bytes(buf) == bytes([1, 2, 3])
        assert sender[0] == LOOPBACK[family]  # .NET asserts it came from the loopback


@pytest.mark.parametrize("family", [V4, V6])
@pytest.mark.parametrize("client_bound", [True, False])
def test_tcp_client_local_ep_changes_to_specific_on_connect(family, client_bound):
    """LocalEndPointTest.cs: TcpClientSocket_WhenBoundToWildcardAddress_LocalEPChangeToSpecificOnConnect
    and TcpClientSocket_WhenNotBound_LocalEPChangeToSpecificOnConnect"""
    with tcp(family) as server, tcp(family) as client:
        port = bind_anonymous(server, WILDCARD[family] if client_bound else LOOPBACK[family])
        server.listen(1)
        if client_bound:
            client_port = bind_anonymous(client, WILDCARD[family])
            assert client.local_endpoint[0] == WILDCARD[family]  # .NET: wildcard before connect
        else:
            assert client.local_endpoint is None  # .NET: null before connect
        client.connect((LOOPBACK[family], port))
        assert client.local_endpoint[0] == LOOPBACK[family]  # .NET: specific after connect
        if client_bound:
            assert client.local_endpoint[1] == client_port  # .NET: the bound port kept
        with server.accept() as accepted:
            assert accepted.remote_endpoint == client.local_endpoint  # .NET asserts equal


@pytest.mark.parametrize("family", [V4, V6])
@pytest.mark.parametrize("wildcard", [True, False])
def test_tcp_accept_socket_local_ep(family, wildcard):
    """LocalEndPointTest.cs: TcpAcceptSocket_WhenServerBoundToWildcardAddress_LocalEPIsSpecific
    and TcpAcceptSocket_WhenServerBoundToSpecificAddress_LocalEPIsSame"""
    with tcp(family) as server, tcp(family) as client:
        host = WILDCARD[family] if wildcard else LOOPBACK[family]
        port = bind_anonymous(server, host)
        assert server.local_endpoint[0] == host
        server.listen(1)
        client.connect((LOOPBACK[family], port))
        with server.accept() as accepted:
            assert accepted.remote_endpoint == client.local_endpoint
            assert accepted.local_endpoint == client.remote_endpoint
            assert server.local_endpoint[0] == host  # .NET: the listener keeps its address
            assert accepted.local_endpoint[0] == LOOPBACK[family]  # .NET: specific
            assert accepted.local_endpoint[1] == port


# ---- SendTo.cs ---------------------------------------------------------------

@pytest.mark.parametrize("length, offset, count", [(1, -1, 0), (1, 2, 0), (1, 0, -1),
                                                   (1, 0, 2), (1, 1, 1)])
def test_send_to_out_of_range_throws(length, offset, count):
    """SendTo.cs: OutOfRange_Throws_ArgumentOutOfRangeException"""
    with udp() as s:
        with pytest.raises(csend.ArgumentOutOfRangeException):  # .NET asserts AOORE
            s.send_to(bytes(length), offset, count, 0, ("127.0.0.1", 1234))


def test_send_to_null_buffer_and_null_endpoint():
    """SendTo.cs: NullBuffer_Throws_ArgumentNullException, NullEndpoint_Throws_ArgumentException"""
    with udp() as s:
        with pytest.raises(csend.ArgumentNullException) as e:  # .NET: ArgumentNullException
            s.send_to(None, ("127.0.0.1", 1234))
        assert e.value.param_name == "buffer"
        with pytest.raises(csend.ArgumentNullException) as e:
            s.send_to(bytes(64), 0, 64, 0, None)
        assert e.value.param_name == "remoteEP"  # .NET asserts the name remoteEP


def test_send_to_broadcast_without_enable_broadcast_is_access_denied_and_does_not_bind():
    """SendTo.cs: Datagram_UDP_AccessDenied_Throws_DoesNotBind.  .NET sends to
    255.255.255.255; csend's tests never leave the loopback, so the broadcast
    address is the loopback's, 127.255.255.255 (same rule: SO_BROADCAST)."""
    with udp() as s:
        raises_socket(SE.ACCESS_DENIED, s.send_to, bytes(32), ("127.255.255.255", 1234))
        assert s.local_endpoint is None  # .NET asserts LocalEndPoint stays null


def test_send_to_broadcast_succeeds_once_enable_broadcast_is_set():
    """EnableBroadcastTest.cs: UdpConstructor_EnableBroadcast_Configurable, and the
    datagram the option lets through (it stays on lo)."""
    with udp() as receiver, udp() as s:
        port = bind_anonymous(receiver, "127.255.255.255")
        receiver.receive_timeout = 5000
        assert s.enable_broadcast is False  # .NET: false by default
        raises_socket(SE.ACCESS_DENIED, s.send_to, b"hi", ("127.255.255.255", port))
        s.enable_broadcast = True
        assert s.enable_broadcast is True  # .NET: reads back true
        assert s.send_to(b"hi", ("127.255.255.255", port)) == 2
        buf = bytearray(8)
        assert receiver.receive_from(buf)[0] == 2
        s.enable_broadcast = False
        assert s.enable_broadcast is False  # .NET: and back to false


def test_send_to_disposed_throws():
    """SendTo.cs: Disposed_Throws"""
    s = udp()
    s.close()
    with pytest.raises(csend.ObjectDisposedException):  # .NET asserts ObjectDisposedException
        s.send_to(bytes(1), ("127.0.0.1", 1234))


# ---- ReceiveFrom.cs ------------------------------------------------------------

@pytest.mark.parametrize("length, offset, count", [(1, -1, 0), (1, 2, 0), (1, 0, -1),
                                                   (1, 0, 2), (1, 1, 1)])
def test_receive_from_out_of_range_throws_before_the_bind_check(length, offset, count):
    """ReceiveFrom.cs: OutOfRange_Throws_ArgumentOutOfRangeException (unbound socket)"""
    with udp() as s:
        with pytest.raises(csend.ArgumentOutOfRangeException):  # .NET: AOORE, not the bind check
            s.receive_from(bytearray(length), offset, count)


def test_receive_from_null_buffer_throws():
    """ReceiveFrom.cs: NullBuffer_Throws_ArgumentNullException"""
    with udp() as s:
        with pytest.raises(csend.ArgumentNullException):
            s.receive_from(None)


def test_receive_from_not_bound_throws_invalid_operation():
    """ReceiveFrom.cs: NotBound_Throws_InvalidOperationException"""
    with udp() as s:
        with pytest.raises(csend.InvalidOperationException) as e:  # .NET asserts IOE
            s.receive_from(bytearray(1))
        assert not isinstance(e.value, csend.ObjectDisposedException)


@pytest.mark.parametrize("family", [V4, V6])
def test_receive_from_on_a_connected_tcp_socket(family):
    """ReceiveFrom.cs: ReceiveSent_TCP_Success"""
    client, accepted = connected_pair(family)
    with client, accepted:
        assert client.send(bytes([1, 2, 3])) == 3
        buf = bytearray(3)
        n, sender = accepted.receive_from(buf)
        assert (n, bytes(buf)) == (3, bytes([1, 2, 3]))  # .NET asserts 3 and the bytes
        assert sender == client.local_endpoint


@pytest.mark.parametrize("family", [V4, V6])
def test_receive_from_udp_with_offset(family):
    """ReceiveFrom.cs: ReceiveSent_UDP_Success"""
    with udp(family) as receiver, udp(family) as sender:
        bind_anonymous(receiver, LOOPBACK[family])
        bind_anonymous(sender, LOOPBACK[family])
        for _ in range(16):
            data = os.urandom(256)
            assert sender.send_to(data, receiver.local_endpoint) == 256
            buf = bytearray(266)
            n, remote = receiver.receive_from(buf, 10, 256)
            assert n == 256  # .NET asserts 256 received
            assert bytes(buf[:10]) == bytes(10)  # .NET: the first 10 bytes untouched
            assert bytes(buf[10:]) == data
            assert remote == sender.local_endpoint  # .NET: the sender's endpoint


def test_receive_from_closed_before_operation_throws_disposed():
    """ReceiveFrom.cs: ClosedBeforeOperation_Throws_ObjectDisposedException"""
    s = udp()
    bind_anonymous(s, "0.0.0.0")
    s.close()
    with pytest.raises(csend.ObjectDisposedException):
        s.receive_from(bytearray(1))


@pytest.mark.parametrize("op", ["receive_from", "receive"])
@pytest.mark.parametrize("family", [V4, V6])
def test_udp_receive_closed_during_operation_is_interrupted(op, family):
    """ReceiveFrom.cs: ClosedDuringOperation_Throws_ObjectDisposedExceptionOrSocketException and
    SendReceive.cs: UdpReceiveGetsCanceledByDispose (sync: SocketException Interrupted)"""
    s = udp(family)
    bind_anonymous(s, LOOPBACK[family])
    seen = []

    def blocked():
        try:
            getattr(s, op)(bytearray(1))
        except Exception as e:  # noqa: BLE001 - the test inspects it
            seen.append(e)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.1)
    s.close()
    t.join(10)
    assert not t.is_alive()
    assert isinstance(seen[0], csend.SocketException)
    assert seen[0].socket_error_code == SE.INTERRUPTED  # .NET asserts Interrupted


# ---- Connected.cs --------------------------------------------------------------

def test_non_blocking_failed_connect_connected_returns_false():
    """Connected.cs: NonBlockingFailedConnect_ConnectedReturnsFalse"""
    with tcp() as s:
        s.blocking = False
        e = raises_socket(SE.WOULD_BLOCK, s.connect, ("127.0.0.1", 0))  # .NET: WouldBlock
        assert e.error_code == 10035
        assert s.connected is False  # .NET asserts Connected false


# ---- DisposedSocketTests.cs ----------------------------------------------------

def _setter(name, value):
    return lambda s: setattr(s, name, value)


DISPOSED = {
    "Available": lambda s: s.available,
    "LocalEndPoint": lambda s: s.local_endpoint,
    "RemoteEndPoint": lambda s: s.remote_endpoint,
    "SetBlocking": _setter("blocking", True),
    "ReceiveBufferSize": lambda s: s.receive_buffer_size,
    "SetReceiveBufferSize": _setter("receive_buffer_size", 1),
    "SendBufferSize": lambda s: s.send_buffer_size,
    "SetSendBufferSize": _setter("send_buffer_size", 1),
    "ReceiveTimeout": lambda s: s.receive_timeout,
    "SetReceiveTimeout": _setter("receive_timeout", 1),
    "SendTimeout": lambda s: s.send_timeout,
    "SetSendTimeout": _setter("send_timeout", 1),
    "LingerState": lambda s: s.linger_state,
    "SetLingerState": _setter("linger_state", (True, 1)),
    "NoDelay": lambda s: s.no_delay,
    "SetNoDelay": _setter("no_delay", True),
    "Ttl_IPv4": lambda s: s.ttl,
    "SetTtl_IPv4": _setter("ttl", 1),
    "DontFragment": lambda s: s.dont_fragment,
    "SetDontFragment": _setter("dont_fragment", True),
    "EnableBroadcast": lambda s: s.enable_broadcast,
    "SetEnableBroadcast": _setter("enable_broadcast", True),
    "Bind": lambda s: s.bind(("127.0.0.1", 0)),
    "Connect_IPEndPoint": lambda s: s.connect(("127.0.0.1", 1)),
    "Connect_Host_Port": lambda s: s.connect(("localhost", 1)),
    "Listen": lambda s: s.listen(),
    "Listen_Backlog": lambda s: s.listen(1),
    "Accept": lambda s: s.accept(),
    "Send_Buffer_Size": lambda s: s.send(bytes(1), size=1, flags=0),
    "Send_Buffer_SocketFlags": lambda s: s.send(bytes(1), flags=0),
    "Send_Buffer": lambda s: s.send(bytes(1)),
    "Send_Buffer_Offset_Size": lambda s: s.send(bytes(1), 0, 1, 0),
    "Send_Buffer_Offset_Size_SocketError": lambda s: s.try_send(bytes(1), 0, 1, 0),
    "Send_Buffers": lambda s: s.send_segments([bytes(1)]),
    "Send_Buffers_SocketFlags": lambda s: s.send_segments([bytes(1)], 0),
    "SendTo_Buffer_Offset_Size": lambda s: s.send_to(bytes(1), 0, 1, 0, ("127.0.0.1", 1)),
    "SendTo_Buffer_Size": lambda s: s.send_to(bytes(1), 1, 0, ("127.0.0.1", 1)),
    "SendTo_Buffer_SocketFlags": lambda s: s.send_to(bytes(1), 0, ("127.0.0.1", 1)),
    "SendTo_Buffer": lambda s: s.send_to(bytes(1), ("127.0.0.1", 1)),
    "Receive_Buffer_Offset_Size": lambda s: s.receive(bytearray(1), 0, 1, 0),
    "Receive_Buffer": lambda s: s.receive(bytearray(1)),
    "ReceiveFrom_Buffer_Offset_Size": lambda s: s.receive_from(bytearray(1), 0, 1, 0),
    "ReceiveFrom_Buffer": lambda s: s.receive_from(bytearray(1)),
    "Shutdown": lambda s: s.shutdown(csend.SocketShutdown.BOTH),
    "SetSocketOption_Int": lambda s: s.set_socket_option(Level.SOCKET, Name.ERROR, 0),
    "SetSocketOption_Bool": lambda s: s.set_socket_option(Level.SOCKET, Name.ERROR, True),
    "SetSocketOption_Object": lambda s: s.set_socket_option(Level.SOCKET, Name.LINGER, (True, 1)),
    "GetSocketOption_Int": lambda s: s.get_socket_option(Level.SOCKET, Name.ERROR),
    "GetSocketOption_Object": lambda s: s.get_socket_option(Level.SOCKET, Name.LINGER),
}
DISPOSED_V6 = {
    "Ttl_IPv6": lambda s: s.ttl,
    "SetTtl_IPv6": _setter("ttl", 1),
    "DualMode": lambda s: s.dual_mode,
    "SetDualMode": _setter("dual_mode", True),
}


@pytest.mark.parametrize("member", sorted(DISPOSED) + sorted(DISPOSED_V6))
def test_disposed_socket_throws_object_disposed(member):
    """DisposedSocketTests.cs: <member>_Throws_ObjectDisposed (one .NET test per member)"""
    s = tcp(V6 if member in DISPOSED_V6 else V4)
    s.close()
    with pytest.raises(csend.ObjectDisposedException):  # .NET asserts ObjectDisposedException
        (DISPOSED_V6.get(member) or DISPOSED[member])(s)


def test_disposed_socket_members_that_do_not_throw():
    """DisposedSocketTests.cs / Socket.cs: the members .NET leaves usable after Dispose
    (the Blocking getter, Connected, the family, type and protocol) and Close again."""
    s = tcp()
    s.close()
    assert s.blocking is True
    assert s.connected is False
    assert (s.family, s.type) == (V4, ST.STREAM)
    s.close()  # Close.cs: Close twice is no error


# ---- TimeoutTest.cs ---------------------------------------------------------------

@pytest.mark.parametrize("prop", ["receive_timeout", "send_timeout"])
def test_timeout_get_and_set(prop):
    """TimeoutTest.cs: GetAndSet_Success, SocketSendTimeout_GetAndSet_Success"""
    with tcp(V6) as s:
        assert getattr(s, prop) == 0  # .NET: default 0
        setattr(s, prop, 100)
        assert getattr(s, prop) == 100
        setattr(s, prop, -1)
        assert getattr(s, prop) == 0  # .NET: -1 reads back in [0, int.Max]; csend: 0


def test_receive_times_out_and_stays_connected():
    """TimeoutTest.cs: ReceiveTimesOut_Throws (forceNonBlocking: false)"""
    client, accepted = connected_pair(V6)
    with client, accepted:
        accepted.receive_timeout = 2000
        start = time.monotonic()
        raises_socket(SE.TIMED_OUT, accepted.receive, bytearray(1))  # .NET: TimedOut
        elapsed = time.monotonic() - start
        assert accepted.connected is True  # .NET: still connected
        assert 1.5 <= elapsed < 4.0  # .NET asserts [1500, 3999.8] ms


def test_send_times_out_and_stays_connected():
    """TimeoutTest.cs: SendTimesOut_Throws (forceNonBlocking: false)"""
    client, accepted = connected_pair(V6)
    with client, accepted:
        accepted.send_timeout = 2000
        chunk = bytes(16 * 1024)
        while True:
            start = time.monotonic()
            try:
                accepted.send(chunk)
            except csend.SocketException as e:
                assert e.socket_error_code == SE.TIMED_OUT  # .NET: TimedOut
                break
        elapsed = time.monotonic() - start
        assert accepted.connected is True  # .NET: still connected
        assert 1.5 <= elapsed < 4.0  # .NET asserts [1500, 3999.8] ms for the last send


# ---- SocketOptionNameTest.cs ------------------------------------------------------

@pytest.mark.parametrize("family", [V4, V6])
def test_ttl_set_succeeds(family):
    """SocketOptionNameTest.cs: Ttl_Set_Succeeds"""
    with udp(family) as s:
        ttl = s.ttl
        new = ttl + 1 if ttl < 255 else ttl - 1
        s.ttl = new
        assert s.ttl == new  # .NET asserts the value read back


def test_failed_connect_error_option_is_connection_refused_then_cleared():
    """SocketOptionNameTest.cs: FailedConnect_GetSocketOption_SocketOptionNameError"""
    import select
    with tcp() as client, tcp() as server:
        client.blocking = False
        bind_anonymous(server, "127.0.0.1")  # bound, not listening
        with pytest.raises(csend.SocketException):
            client.connect(server.local_endpoint)
        server.close()
        poller = select.poll()
        poller.register(client.fileno(), select.POLLERR)
        assert poller.poll(10_000)  # .NET: Poll(SelectError) is true
        # .NET asserts the SocketError number, not the errno, then 0 on Unix
        assert client.get_socket_option(Level.SOCKET, Name.ERROR) == SE.CONNECTION_REFUSED
        assert client.get_socket_option(Level.SOCKET, Name.ERROR) == 0
        # Reading Error cleared SO_ERROR: the refused connect still never connected.
        assert client.connected is False
        assert client.local_endpoint is None


# (exclusive, a_reuse, b_reuse, bind_fails); None = not set
REUSE_CASES = [
    (None, None, None, True), (None, None, False, True), (None, False, False, True),
    (None, True, False, True), (None, True, True, False), (True, None, None, True),
    (True, None, False, True), (True, None, True, True), (True, False, None, True),
    (True, False, False, True), (True, False, True, True),
]


@pytest.mark.parametrize("exclusive, a_reuse, b_reuse, fails", REUSE_CASES)
def test_reuse_address(exclusive, a_reuse, b_reuse, fails):
    """SocketOptionNameTest.cs: ReuseAddress"""
    with udp() as a, udp() as b:
        if exclusive is not None:
            a.set_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE, exclusive)
        if a_reuse is not None:
            a.set_socket_option(Level.SOCKET, Name.REUSE_ADDRESS, a_reuse)
        a.bind(("127.0.0.1", 0))
        if b_reuse is not None:
            b.set_socket_option(Level.SOCKET, Name.REUSE_ADDRESS, b_reuse)
        if fails:
            with pytest.raises(csend.SocketException):  # .NET asserts the bind fails
                b.bind(a.local_endpoint)
        else:
            b.bind(a.local_endpoint)
        if a_reuse is not None:
            # .NET on Unix writes SO_REUSEPORT and SO_REUSEADDR together
            std = socket.socket(fileno=os.dup(a.fileno()))
            flags = (std.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT),
                     std.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
            std.close()
            assert flags == (int(a_reuse), int(a_reuse))


def test_exclusive_address_default_unix():
    """SocketOptionNameTest.cs: ExclusiveAddress_Default_Unix"""
    with udp() as s:
        assert s.get_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE) == 1
        assert s.get_socket_option(Level.SOCKET, Name.REUSE_ADDRESS) == 0


@pytest.mark.parametrize("value", [1, 0])
def test_setting_exclusive_address_sets_reuse_address(value):
    """SocketOptionNameTest.cs: SettingExclusiveAddress_SetsReuseAddress"""
    with udp() as s:
        s.set_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE, value)
        assert s.get_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE) == value
        assert s.get_socket_option(Level.SOCKET, Name.REUSE_ADDRESS) == 1 - value
    with udp() as s:
        s.set_socket_option(Level.SOCKET, Name.REUSE_ADDRESS, value)
        assert s.get_socket_option(Level.SOCKET, Name.REUSE_ADDRESS) == value
        assert s.get_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE) == 1 - value


def test_exclusive_address_use_tcp():
    """SocketOptionNameTest.cs: ExclusiveAddressUseTcp"""
    with tcp() as a, tcp() as b:
        a.set_socket_option(Level.SOCKET, Name.EXCLUSIVE_ADDRESS_USE, True)
        port = bind_anonymous(a, "127.0.0.1")
        a.listen()
        raises_socket(SE.ADDRESS_ALREADY_IN_USE, b.bind, ("127.0.0.1", port))


def test_get_accept_connection():
    """SocketOptionNameTest.cs: Get_AcceptConnection_Succeeds"""
    with tcp() as s:
        assert s.get_socket_option(Level.SOCKET, Name.ACCEPT_CONNECTION) == 0
        bind_anonymous(s, "127.0.0.1")
        s.listen()
        assert s.get_socket_option(Level.SOCKET, Name.ACCEPT_CONNECTION) != 0


@pytest.mark.parametrize("call", ["get", "set_int", "set_bool"])
def test_unsupported_socket_option_does_not_disconnect(call):
    """SocketOptionNameTest.cs: GetUnsupportedSocketOption_DoesNotDisconnectSocket,
    SetUnsupportedSocketOptionIntArg_..., SetUnsupportedSocketOptionBoolArg_..."""
    client, accepted = connected_pair()
    with client, accepted:
        with pytest.raises(csend.SocketException) as e:
            if call == "get":
                client.get_socket_option(Level.SOCKET, -1)
            else:
                client.set_socket_option(Level.SOCKET, -1, 1 if call == "set_int" else True)
        # .NET asserts ProtocolOption or OperationNotSupported; csend: ProtocolOption
        assert e.value.socket_error_code == SE.PROTOCOL_OPTION
        assert client.connected is True  # .NET asserts still connected


def test_bind_during_tcp_wait_succeeds():
    """SocketOptionNameTest.cs: NoParallelTests.BindDuringTcpWait_Succeeds"""
    client, accepted = connected_pair()
    port = accepted.local_endpoint[1]
    accepted.linger_state = (True, 0)  # .NET's Close(0): abortive
    accepted.close()
    client.close()
    with tcp() as s:
        s.bind(("127.0.0.1", port))  # .NET asserts no exception


# ---- KeepAliveTest.cs ---------------------------------------------------------------

def test_keep_alive_disabled_by_default_and_enable():
    """KeepAliveTest.cs: Socket_KeepAlive_Disabled_By_Default, Socket_KeepAlive_Enable"""
    with tcp() as s:
        assert s.get_socket_option(Level.SOCKET, Name.KEEP_ALIVE) == 0
        s.set_socket_option(Level.SOCKET, Name.KEEP_ALIVE, True)
        assert s.get_socket_option(Level.SOCKET, Name.KEEP_ALIVE) != 0


@pytest.mark.parametrize("name, value", [(Name.TCP_KEEP_ALIVE_RETRY_COUNT, 60),
                                         (Name.TCP_KEEP_ALIVE_TIME, 5),
                                         (Name.TCP_KEEP_ALIVE_INTERVAL, 2)])
def test_keep_alive_tcp_options(name, value):
    """KeepAliveTest.cs: Socket_KeepAlive_RetryCount_Success, Socket_KeepAlive_Time,
    Socket_KeepAlive_Interval"""
    with tcp() as s:
        s.set_socket_option(Level.TCP, name, value)
        assert s.get_socket_option(Level.TCP, name) == value


# ---- LingerStateTest.cs ---------------------------------------------------------------

def test_linger_state_common_boundaries():
    """LingerStateTest.cs: Socket_LingerState_Common_Boundaries_CorrectBehavior"""
    with tcp() as s:
        assert s.linger_state == (False, 0)  # .NET: disabled, 0 by default
        for bad in (-1, 65536):
            with pytest.raises(csend.ArgumentException) as e:  # .NET: ArgumentException
                s.linger_state = (True, bad)
            assert type(e.value) is csend.ArgumentException
            assert e.value.param_name == "optionValue"  # .NET asserts optionValue
        for good in (0, 120):
            s.linger_state = (True, good)
            assert s.linger_state == (True, good)


def test_linger_state_upper_boundaries():
    """LingerStateTest.cs: Socket_LingerState_Upper_Boundaries_CorrectBehavior"""
    with tcp() as s:
        for good in (32767, 32768, 65535):
            s.linger_state = (True, good)
            assert s.linger_state == (True, good)


@pytest.mark.parametrize("linger, seconds", [(False, 0), (True, 0), (True, 1)])
def test_set_linger_after_server_closed(linger, seconds):
    """LingerStateTest.cs: SetLingerAfterServerClosed"""
    with tcp() as listener, tcp() as client:
        port = bind_anonymous(listener, "127.0.0.1")
        listener.listen(1)
        client.connect(("127.0.0.1", port))
        listener.close()
        time.sleep(0.01)
        client.linger_state = (linger, seconds)  # .NET asserts no exception


# ---- EnableBroadcastTest.cs ------------------------------------------------------------

def test_tcp_enable_broadcast_getter_false_and_setter_accepted_on_linux():
    """EnableBroadcastTest.cs: TcpConstructor_EnableBroadcast_GetterReturnsFalse (and the
    setter, which throws on Windows only)"""
    with tcp() as s:
        assert s.enable_broadcast is False
        s.enable_broadcast = True


# ---- DualModeSocketTest.cs ---------------------------------------------------------------

def test_dual_mode_normal_constructor_configurable():
    """DualModeSocketTest.cs: NormalConstructor_DualModeConfgiureable.  Linux's
    default (net.ipv6.bindv6only = 0) makes a new IPv6 socket dual; .NET's test
    starts by setting it false on platforms where it is not."""
    with tcp(V6) as s:
        s.dual_mode = False
        assert s.dual_mode is False
        s.dual_mode = True
        assert s.dual_mode is True
        s.dual_mode = False
        assert s.dual_mode is False


def test_ipv4_dual_mode_getter_false_setter_throws():
    """DualModeSocketTest.cs: IPv4Constructor_DualMode_GetterReturnsFalse,
    IPv4Constructor_DualMode_SetterThrows"""
    with tcp(V4) as s:
        assert s.dual_mode is False
        with pytest.raises(csend.NotSupportedException):
            s.dual_mode = True


def _dual_client():
    s = tcp(V6)
    s.dual_mode = True
    return s


# (connect_to, listen_on, dual_server)
DUAL_CONNECT_OK = [("::ffff:127.0.0.1", "127.0.0.1", False), ("::ffff:127.0.0.1", "::", True),
                   ("127.0.0.1", "127.0.0.1", False), ("::1", "::1", False),
                   ("127.0.0.1", "::", True), ("::1", "::", True)]


@pytest.mark.parametrize("connect_to, listen_on, dual_server", DUAL_CONNECT_OK)
def test_dual_mode_connect_to_ip_endpoint(connect_to, listen_on, dual_server):
    """DualModeSocketTest.cs: DualModeConnectToIPEndPoint (V4MappedToV4Host, V4MappedToDualHost,
    V4ToV4Host, V6ToV6Host, V4ToDualHost, V6ToDualHost)"""
    server = tcp(V4 if ":" not in listen_on else V6)
    if dual_server:
        server.dual_mode = True
    with server, _dual_client() as client:
        port = bind_anonymous(server, listen_on)
        server.listen(1)
        client.connect((connect_to, port))
        assert client.connected is True  # .NET asserts Connected


@pytest.mark.parametrize("connect_to, listen_on", [("127.0.0.1", "::1"), ("::1", "127.0.0.1")])
def test_dual_mode_connect_across_families_fails(connect_to, listen_on):
    """DualModeSocketTest.cs: ConnectV4IPEndPointToV6Host_Fails, ConnectV6IPEndPointToV4Host_Fails"""
    server = tcp(V4 if ":" not in listen_on else V6)
    with server, _dual_client() as client:
        port = bind_anonymous(server, listen_on)
        server.listen(1)
        with pytest.raises(csend.SocketException):  # .NET asserts SocketException
            client.connect((connect_to, port))


def test_dual_mode_off_connect_v4_endpoint_throws():
    """DualModeSocketTest.cs: Socket_ConnectV4IPEndPointToV4Host_Throws"""
    with tcp(V6) as client, tcp(V4) as server:
        client.dual_mode = False
        port = bind_anonymous(server, "127.0.0.1")
        server.listen(1)
        with pytest.raises(csend.SocketException):  # .NET asserts SocketException
            client.connect(("127.0.0.1", port))


@pytest.mark.parametrize("host", ["::ffff:127.0.0.1", "127.0.0.1", "::1"])
def test_dual_mode_bind_succeeds(host):
    """DualModeSocketTest.cs: BindMappedV4IPEndPoint_Success, BindV4IPEndPoint_Success,
    BindV6IPEndPoint_Success"""
    with _dual_client() as s:
        bind_anonymous(s, host)


def test_ipv6_only_bind_v4_endpoint_throws():
    """DualModeSocketTest.cs: Socket_BindV4IPEndPoint_Throws"""
    with tcp(V6) as s:
        s.dual_mode = False
        with pytest.raises(csend.SocketException):
            s.bind(("127.0.0.1", 0))


def test_enable_dual_mode_after_bind_throws():
    """DualModeSocketTest.cs: Socket_EnableDualModeAfterV4Bind_Throws"""
    with tcp(V6) as s:
        s.dual_mode = False
        bind_anonymous(s, "::")
        with pytest.raises(csend.SocketException):
            s.dual_mode = True


@pytest.mark.parametrize("send_to, listen_on, dual_server", [
    ("127.0.0.1", "127.0.0.1", False), ("::1", "::1", False),
    ("127.0.0.1", "::", True), ("::1", "::", True)])
def test_dual_mode_send_to(send_to, listen_on, dual_server):
    """DualModeSocketTest.cs: DualModeConnectionlessSendToSync (V4ToV4Host, V6ToV6Host,
    V4ToDualHost, V6ToDualHost)"""
    server = udp(V4 if ":" not in listen_on else V6)
    if dual_server:
        server.dual_mode = True
    client = udp(V6)
    client.dual_mode = True
    with server, client:
        port = bind_anonymous(server, listen_on)
        server.receive_timeout = 5000
        assert client.send_to(b"x", (send_to, port)) == 1  # .NET asserts 1 sent
        assert server.receive(bytearray(1)) == 1  # .NET asserts 1 received


@pytest.mark.parametrize("send_to, listen_on", [("127.0.0.1", "::1"), ("::1", "127.0.0.1")])
def test_dual_mode_send_to_other_family_is_not_received(send_to, listen_on):
    """DualModeSocketTest.cs: SendToV4IPEndPointToV6Host_NotReceived,
    SendToV6IPEndPointToV4Host_NotReceived (a blocking receive with a timeout
    stands for .NET's task timeout)"""
    server = udp(V4 if ":" not in listen_on else V6)
    client = udp(V6)
    client.dual_mode = True
    with server, client:
        port = bind_anonymous(server, listen_on)
        server.receive_timeout = 500
        try:
            client.send_to(b"x", (send_to, port))
        except csend.SocketException:
            pass  # refused at once is also "not received"
        raises_socket(SE.TIMED_OUT, server.receive, bytearray(1))


def test_dual_mode_off_send_to_v4_endpoint_throws():
    """DualModeSocketTest.cs: Socket_SendToV4IPEndPointToV4Host_Throws"""
    with udp(V6) as client:
        client.dual_mode = False
        with pytest.raises(csend.SocketException):
            client.send_to(b"x", ("127.0.0.1", 8))


@pytest.mark.parametrize("listen_on, connect_to", [
    ("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("::1", "::1"),
    ("::", "::1"), ("::", "127.0.0.1")])
def test_dual_mode_receive_from(listen_on, connect_to):
    """DualModeSocketTest.cs: DualModeConnectionlessReceiveFromSync (ReceiveFromV4BoundToSpecificV4,
    V4BoundToAnyV4, V6BoundToSpecificV6, V6BoundToAnyV6, V4BoundToAnyV6)"""
    server = udp(V6)
    server.dual_mode = True
    with server, udp(V4 if ":" not in connect_to else V6) as client:
        port = bind_anonymous(server, listen_on)
        server.receive_timeout = 5000
        client.send_to(b"x", (connect_to, port))
        n, remote = server.receive_from(bytearray(1))
        assert n == 1
        # .NET asserts an IPv6 endpoint: the sender's address, IPv4-mapped
        expected = connect_to if ":" in connect_to else "::ffff:" + connect_to
        assert remote[0] == expected


# ---- UnixDomainSocketTest.cs ----------------------------------------------------------------

def _path(tmp_path, extra=""):
    return str(tmp_path / (uuid.uuid4().hex[:8] + "A" * 5 + extra))


def test_unix_send_receive_and_the_file_is_removed(tmp_path):
    """UnixDomainSocketTest.cs: Socket_SendReceive_Success"""
    path = _path(tmp_path)
    with csend.Socket(UNIX, ST.STREAM) as server, csend.Socket(UNIX, ST.STREAM) as client:
        server.bind(path)
        server.listen(1)
        client.connect(path)
        with server.accept() as accepted:
            buf = bytearray(1)
            for i in range(10):
                assert accepted.send(bytes([i])) == 1
                assert client.receive(buf) == 1 and buf[0] == i
    assert not os.path.exists(path)  # .NET asserts the socket file is gone


def test_unix_send_receive_through_adopted_clones(tmp_path):
    """UnixDomainSocketTest.cs: Socket_SendReceive_Clone_Success (new Socket(SafeHandle) is
    from_fd of a duplicate here)"""
    path = _path(tmp_path)
    with csend.Socket(UNIX, ST.STREAM) as server, csend.Socket(UNIX, ST.STREAM) as client:
        server.bind(path)
        server.listen(1)
        client.connect(path)
        with server.accept() as accepted:
            with csend.Socket.from_fd(os.dup(client.fileno())) as c2, \
                    csend.Socket.from_fd(os.dup(accepted.fileno())) as a2:
                assert c2.family == UNIX and c2.connected and a2.connected
                assert c2.remote_endpoint == client.remote_endpoint
                assert a2.local_endpoint == accepted.local_endpoint
                buf = bytearray(1)
                for i in range(10):
                    assert a2.send(bytes([i])) == 1
                    assert c2.receive(buf) == 1 and buf[0] == i
    assert not os.path.exists(path)


def test_unix_endpoint_invalid_paths_throw():
    """UnixDomainSocketTest.cs: UnixDomainSocketEndPoint_InvalidPaths_Throws"""
    with csend.Socket(UNIX, ST.STREAM) as s:
        with pytest.raises(csend.ArgumentNullException):
            s.bind(None)
        for bad in ("", "a" * 109):
            with pytest.raises(csend.ArgumentOutOfRangeException) as e:
                s.bind(bad)
            assert e.value.param_name == "path"


def test_unix_remote_endpoint_equals_bind_address(tmp_path):
    """UnixDomainSocketTest.cs: UnixDomainSocketEndPoint_RemoteEndPointEqualsBindAddress"""
    server_path, client_path = _path(tmp_path), _path(tmp_path, "ABC")
    with csend.Socket(UNIX, ST.STREAM) as server, csend.Socket(UNIX, ST.STREAM) as client:
        server.bind(server_path)
        server.listen(1)
        client.bind(client_path)
        client.connect(server_path)
        with server.accept() as accepted:
            assert accepted.remote_endpoint == client_path
    assert not os.path.exists(server_path) and not os.path.exists(client_path)


def test_unix_receive_from_endpoints_correct(tmp_path):
    """UnixDomainSocketTest.cs: ReceiveFrom_EndPoints_Correct (useAsync: false)"""
    server_path, client_path = _path(tmp_path), _path(tmp_path, "ABCD")
    data = b"ReceiveFrom_EndPoints_Correct"
    with csend.Socket(UNIX, ST.DGRAM) as server, csend.Socket(UNIX, ST.DGRAM) as client:
        server.bind(server_path)
        client.bind(client_path)
        assert client.send_to(data, server.local_endpoint) == len(data)
        buf = bytearray(2 * len(data))
        n, remote = server.receive_from(buf)
        assert n == len(data) and bytes(buf[:n]) == data
        assert remote == client_path  # .NET asserts the sender's path


def test_unix_receive_gets_canceled_by_dispose(tmp_path):
    """UnixDomainSocketTest.cs: UnixDomainSocket_Receive_GetsCanceledByDispose"""
    path = _path(tmp_path)
    with csend.Socket(UNIX, ST.STREAM) as server:
        server.bind(path)
        server.listen(1)
        client = csend.Socket(UNIX, ST.STREAM)
        client.connect(path)
        with server.accept():
            seen = []

            def blocked():
                try:
                    client.receive(bytearray(1))
                except Exception as e:  # noqa: BLE001
                    seen.append(e)
            t = threading.Thread(target=blocked)
            t.start()
            time.sleep(0.1)
            client.close()
            t.join(10)
            assert isinstance(seen[0], csend.SocketException)  # .NET asserts SocketException


# ---- SendReceive.cs and SendReceiveMisc.cs ----------------------------------------------------

@pytest.mark.parametrize("length, offset, count, exc", [
    (None, 0, 0, csend.ArgumentNullException), (1, -1, 0, csend.ArgumentOutOfRangeException),
    (1, 2, 0, csend.ArgumentOutOfRangeException), (1, 0, -1, csend.ArgumentOutOfRangeException),
    (1, 1, 2, csend.ArgumentOutOfRangeException)])
def test_send_receive_invalid_arguments(length, offset, count, exc):
    """SendReceive.cs: InvalidArguments_Throws (the single-buffer forms)"""
    with tcp() as s:
        buf = None if length is None else bytearray(length)
        with pytest.raises(exc):
            s.send(buf, offset, count, 0)
        with pytest.raises(exc):
            s.receive(buf, offset, count, 0)


@pytest.mark.parametrize("family", [V4, V6])
@pytest.mark.parametrize("use_list", [True, False])
def test_send_recv_stream_tcp(family, use_list):
    """SendReceive.cs: SendRecv_Stream_TCP (the client sends 123456 random bytes in 512-byte
    chunks or as a list of segments, sets LingerState (true, 1) and shuts down Send)"""
    client, accepted = connected_pair(family)
    data = os.urandom(123456)
    received = bytearray()

    def server():
        buf = bytearray(4096)
        while True:
            n = accepted.receive(buf)
            if n == 0:
                break
            received.extend(buf[:n])

    t = threading.Thread(target=server)
    t.start()
    with client, accepted:
        sent = 0
        while sent < len(data):
            if use_list:
                piece = data[sent:sent + 23 + 100 + 9]
                segs = [piece[:23], piece[23:123], b"", piece[123:]]
                sent += client.send_segments([s for s in segs])
            else:
                sent += client.send(data, sent, min(512, len(data) - sent), 0)
        client.linger_state = (True, 1)
        client.shutdown(csend.SocketShutdown.SEND)
        t.join(30)
    assert bytes(received) == data  # .NET asserts the counts and the checksums


def test_zero_byte_receive_waits_for_data():
    """SendReceive.cs: SendRecv_0ByteReceive_Success"""
    client, server = connected_pair()
    with client, server:
        for _ in range(3):
            done = threading.Event()
            result = []
            t = threading.Thread(target=lambda: (result.append(client.receive(bytearray(0))),
                                                 done.set()))
            t.start()
            assert not done.wait(0.1)  # .NET: the 0-byte receive has not completed
            assert client.available == 0
            assert server.send(b"\x01") == 1
            t.join(5)
            assert result == [0]  # .NET: it completes with 0
            assert client.available == 1
            assert client.receive(bytearray(0)) == 0 and client.available == 1
            assert client.receive(bytearray(1)) == 1 and client.available == 0


def test_zero_byte_receive_returns_when_peer_disconnects():
    """SendReceive.cs: Receive0ByteReturns_WhenPeerDisconnects"""
    client, server = connected_pair()
    with client:
        result = []
        t = threading.Thread(target=lambda: result.append(client.receive(bytearray(0))))
        t.start()
        time.sleep(0.1)
        assert result == []
        server.shutdown(csend.SocketShutdown.BOTH)
        server.close()
        t.join(5)
        assert result == [0]


@pytest.mark.parametrize("receive, ipv6_server, dual_client", [
    (True, False, False), (True, False, True), (True, True, False),
    (False, False, False), (False, False, True), (False, True, False)])
def test_tcp_receive_send_gets_canceled_by_dispose(receive, ipv6_server, dual_client):
    """SendReceive.cs: TcpReceiveSendGetsCanceledByDispose (sync): the local call fails
    with ConnectionAborted and the peer sees ConnectionReset"""
    family = V6 if ipv6_server else V4
    socket1, socket2 = connected_pair(family, V6 if dual_client else None)
    seen = []

    def blocked():
        try:
            if receive:
                socket1.receive(bytearray(1))
            else:
                while True:
                    socket1.send(bytes(4096))
        except Exception as e:  # noqa: BLE001
            seen.append(e)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.2)
    socket1.close()
    t.join(10)
    assert seen[0].socket_error_code == SE.CONNECTION_ABORTED  # .NET: ConnectionAborted
    with socket2:
        buf = bytearray(65536)
        with pytest.raises(csend.SocketException) as e:
            while socket2.receive(buf) > 0:
                pass
        assert e.value.socket_error_code == SE.CONNECTION_RESET  # .NET: the peer is reset


def test_tcp_peer_receives_fin_on_shutdown_with_pending_data():
    """SendReceive.cs: TcpPeerReceivesFinOnShutdownWithPendingData"""
    socket1, socket2 = connected_pair()
    t = threading.Thread(target=lambda: pytest.raises(csend.SocketException, socket1.send,
                                                      bytes(100_000_000)))
    t.start()
    time.sleep(0.1)
    socket1.shutdown(csend.SocketShutdown.BOTH)
    socket1.close()
    total = 0
    buf = bytearray(1 << 20)
    with socket2:
        while True:
            n = socket2.receive(buf)
            if n == 0:
                break
            total += n
    t.join(10)
    assert total > 0  # .NET asserts data then FIN, not a reset


def test_send_iov_max_tcp():
    """SendReceiveMisc.cs: SendRecvIovMaxTcp_Success (the send side: 2400 one-byte segments)"""
    client, server = connected_pair()
    with client, server:
        segments = [bytes([i % 256]) for i in range(2400)]
        assert server.send_segments(segments) == 2400  # .NET: 2400 and Success
        server.shutdown(csend.SocketShutdown.SEND)
        got = bytearray()
        buf = bytearray(4096)
        while (k := client.receive(buf)) > 0:
            got.extend(buf[:k])
        assert bytes(got) == bytes(i % 256 for i in range(2400))


def test_send_iov_max_udp_success_or_message_size():
    """SendReceiveMisc.cs: SendIovMaxUdp_SuccessOrMessageSize"""
    with udp() as s:
        bind_anonymous(s, "127.0.0.1")
        s.connect(s.local_endpoint)
        try:
            assert s.send_segments([b"x"] * 1200) == 1200
        except csend.SocketException as e:
            assert e.socket_error_code == SE.MESSAGE_SIZE
            assert e.bytes_transferred == 0  # .NET: 0 bytes, never a split datagram


def test_non_blocking_send_returns_bytes_sent():
    """SendReceiveMisc.cs: SocketSendWouldBlock_ReturnsBytesSent"""
    client, server = connected_pair()
    with client, server:
        server.blocking = False
        n, code = server.try_send(bytes(5_000_000))
        assert code == SE.SUCCESS  # .NET asserts Success, not WouldBlock
        assert 1 <= n <= 4_999_999


# ---- ArgumentValidationTests.cs ---------------------------------------------------------------

@pytest.mark.parametrize("prop, value", [("receive_buffer_size", -1), ("send_buffer_size", -1),
                                         ("receive_timeout", -2**31), ("send_timeout", -2**31),
                                         ("ttl", -1), ("ttl", 256)])
def test_property_out_of_range(prop, value):
    """ArgumentValidationTests.cs: SetReceiveBufferSize_Negative_ArgumentOutOfRange,
    SetSendBufferSize_..., SetReceiveTimeout_LessThanNegativeOne_..., SetSendTimeout_...,
    SetTtl_OutOfRange_Throws_ArgumentOutOfRange"""
    with tcp() as s:
        with pytest.raises(csend.ArgumentOutOfRangeException) as e:
            setattr(s, prop, value)
        assert e.value.param_name == "value"


def test_dont_fragment_on_ipv6_not_supported():
    """ArgumentValidationTests.cs: DontFragment_IPv6_Throws_NotSupported,
    SetDontFragment_Throws_NotSupported"""
    with tcp(V6) as s:
        with pytest.raises(csend.NotSupportedException):
            s.dont_fragment
        with pytest.raises(csend.NotSupportedException):
            s.dont_fragment = True


def test_send_receive_buffers_null_and_empty():
    """ArgumentValidationTests.cs: Send_Buffers_NullBuffers_Throws_ArgumentNull,
    Send_Buffers_EmptyBuffers_Throws_Argument"""
    with tcp() as s:
        with pytest.raises(csend.ArgumentNullException):
            s.send_segments(None)
        with pytest.raises(csend.ArgumentException) as e:
            s.send_segments([])
        assert e.value.param_name == "buffers"


def test_set_socket_option_object_checks():
    """ArgumentValidationTests.cs: SetSocketOption_Object_ObjectNull_Throws_ArgumentNull,
    SetSocketOption_Linger_InvalidLingerTime_Throws_Argument,
    SetSocketOption_Object_InvalidOptionName_Throws_Argument"""
    with tcp() as s:
        with pytest.raises(csend.ArgumentNullException) as e:
            s.set_socket_option(Level.SOCKET, Name.LINGER, None)
        assert e.value.param_name == "optionValue"
        for bad in (-1, 65536):
            with pytest.raises(csend.ArgumentException) as e:
                s.set_socket_option(Level.SOCKET, Name.LINGER, (True, bad))
            assert e.value.param_name == "optionValue"
        with pytest.raises(csend.ArgumentException) as e:
            s.set_socket_option(Level.TCP, Name.NO_DELAY, (True, 1))
        assert e.value.param_name == "optionValue"
        # .NET: any pair but Linger refuses an object value, even one the OS lacks
        with pytest.raises(csend.ArgumentException) as e:
            s.set_socket_option(Level.UDP, Name.NO_CHECKSUM, (True, 1))
        assert type(e.value) is csend.ArgumentException


def test_timeouts_set_as_options_are_the_properties_with_their_check():
    """Socket.cs: SendTimeout/ReceiveTimeout are Get/SetSocketOption(Socket, SendTimeout...)."""
    with tcp() as s:
        s.set_socket_option(Level.SOCKET, Name.SEND_TIMEOUT, 250)
        assert s.send_timeout == 250
        s.set_socket_option(Level.SOCKET, Name.RECEIVE_TIMEOUT, -1)
        assert s.receive_timeout == 0
        with pytest.raises(csend.ArgumentOutOfRangeException):
            s.set_socket_option(Level.SOCKET, Name.SEND_TIMEOUT, -2)
        assert s.send_timeout == 250


def test_set_socket_option_on_a_closed_socket_is_disposed_whatever_the_value():
    """DisposedSocketTests.cs: SetSocketOption_Object_Throws_ObjectDisposed: disposal is
    checked before the value, even a value of the wrong type."""
    s = tcp()
    s.close()
    for value in ("text", object(), (True, 1), None, 1, True):
        with pytest.raises(csend.ObjectDisposedException):
            s.set_socket_option(Level.SOCKET, Name.LINGER, value)
