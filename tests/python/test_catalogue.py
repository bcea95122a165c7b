"""Bad inputs, catalogued: every public callable of the Python module, each
argument in turn given None, bools, floats, NaN, huge and negative integers,
strings, arbitrary objects and buffers that are not bytes. Each gets the
documented exception (the class, and for argument errors the .NET parameter
name); a closed socket is ObjectDisposedException before any argument is
looked at; nothing crashes, and repeating the catalogue leaks nothing."""
import array
import gc
import math
import socket
import sys

import pytest

import csend
from helpers import unix_pair

BAD = {
    "None": None,
    "True": True,
    "float": 1.5,
    "nan": math.nan,
    "inf": math.inf,
    "huge": 2**70,
    "minus_huge": -2**70,
    "int64_max_plus_one": 2**63,
    "str": "abc",
    "complex": 1j,
    "object": object(),
    "list": [1, 2],
    "array_of_int32": array.array("i", [1, 2]),
    "strided_view": memoryview(b"abcdef")[::2],
}

NOT_INT = ("True", "float", "nan", "inf", "str", "complex", "object", "list", "array_of_int32",
           "strided_view", "None")
HUGE = ("huge", "minus_huge", "int64_max_plus_one")
# array('i') is a C-contiguous buffer: sent as its bytes, as socket.send does.
NOT_BUFFER = ("True", "float", "nan", "inf", "str", "complex", "object", "list", "huge",
              "minus_huge", "int64_max_plus_one", "strided_view")


def int_rules(param):
    """An integer parameter: not an int is TypeError; beyond the 32/64-bit
    range is ArgumentOutOfRangeException naming the .NET parameter."""
    rules = {k: (TypeError, None) for k in NOT_INT}
    rules.update({k: (csend.ArgumentOutOfRangeException, param) for k in HUGE})
    return rules


def optional_rules(param):
    """offset, size and flags of the buffer methods: None is 'not given'
    (the overload without it), so it is no error."""
    rules = int_rules(param)
    del rules["None"]
    return rules


def buffer_rules(param, null=True):
    rules = {k: (TypeError, None) for k in NOT_BUFFER}
    rules["None"] = (csend.ArgumentNullException, param) if null else (TypeError, None)
    return rules


def bool_rules():
    return {k: (TypeError, None) for k in BAD if k != "True"}


def endpoint_rules(param):
    rules = {k: (TypeError, None) for k in BAD}
    rules["None"] = (csend.ArgumentNullException, param)
    return rules


EP = ("127.0.0.1", 9)

# name -> (call(socket, args), valid args, [(position, rules)])
CALLS = {
    "send": (lambda s, a: s.send(*a), [b"abc", 0, 3, 0],
             [(0, buffer_rules("buffer")), (1, optional_rules("offset")), (2, optional_rules("size")),
              (3, optional_rules("socketFlags"))]),
    "try_send": (lambda s, a: s.try_send(*a), [b"abc", 0, 3, 0],
                 [(0, buffer_rules("buffer")), (1, optional_rules("offset")),
                  (2, optional_rules("size")), (3, optional_rules("socketFlags"))]),
    "send_segments": (lambda s, a: s.send_segments(*a), [[b"ab", b"c"], 0],
                      [(1, optional_rules("socketFlags"))]),
    "receive": (lambda s, a: s.receive(*a), [bytearray(3), 0, 3, 0],
                [(0, buffer_rules("buffer")), (1, optional_rules("offset")), (2, optional_rules("size")),
                 (3, optional_rules("socketFlags"))]),
    "listen": (lambda s, a: s.listen(*a), [1], [(0, int_rules("backlog"))]),
    "shutdown": (lambda s, a: s.shutdown(*a), [csend.SocketShutdown.SEND],
                 [(0, int_rules("how"))]),
    "blocking": (lambda s, a: setattr(s, "blocking", *a), [True], [(0, bool_rules())]),
    "no_delay": (lambda s, a: setattr(s, "no_delay", *a), [True], [(0, bool_rules())]),
    "send_timeout": (lambda s, a: setattr(s, "send_timeout", *a), [100],
                     [(0, int_rules("value"))]),
    "receive_timeout": (lambda s, a: setattr(s, "receive_timeout", *a), [100],
                        [(0, int_rules("value"))]),
}

# Datagram calls, on a UDP socket.
UDP_CALLS = {
    "send_to": (lambda s, a: s.send_to(*a), [b"abc", 0, 3, 0, EP],
                [(0, buffer_rules("buffer")), (1, optional_rules("offset")), (2, optional_rules("size")),
                 (3, optional_rules("socketFlags")), (4, endpoint_rules("remoteEP"))]),
    "connect": (lambda s, a: s.connect(*a), [EP], [(0, endpoint_rules("remoteEP"))]),
    "bind": (lambda s, a: s.bind(*a), [("127.0.0.1", 0)], [(0, endpoint_rules("localEP"))]),
}

# A bad element inside the list of buffers.
SEGMENT_RULES = buffer_rules("buffers")


def udp():
    return csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM,
                        csend.ProtocolType.UDP)


def cases():
    for table, make in ((CALLS, "stream"), (UDP_CALLS, "udp")):
        for name, (_, _, positions) in table.items():
            for pos, rules in positions:
                for bad in BAD:
                    if bad in rules:
                        yield pytest.param(make, name, pos, bad, id=f"{name}-arg{pos}-{bad}")
    for bad in BAD:
        if bad in SEGMENT_RULES:
            yield pytest.param("stream", "send_segments", "element", bad,
                               id=f"send_segments-element-{bad}")


def expect(call, cls, param):
    with pytest.raises(cls) as info:
        call()
    e = info.value
    assert str(e), "an empty message"
    if isinstance(e, csend.ArgumentException):
        assert e.param_name == param, (e.param_name, param)
    return e


def run_case(make, name, pos, bad):
    s, peer = unix_pair() if make == "stream" else (udp(), None)
    try:
        if pos == "element":
            cls, param = SEGMENT_RULES[bad]
            expect(lambda: s.send_segments([b"ok", BAD[bad]]), cls, param)
            return
        table = CALLS if make == "stream" else UDP_CALLS
        fn, valid, positions = table[name]
        cls, param = dict(positions)[pos][bad]
        args = list(valid)
        args[pos] = BAD[bad]
        expect(lambda: fn(s, args), cls, param)
    finally:
        s.close()
        if peer is not None:
            peer.close()


@pytest.mark.parametrize("make, name, pos, bad", list(cases()))
def test_bad_argument_gets_the_documented_exception(make, name, pos, bad):
    run_case(make, name, pos, bad)


CLOSED = {**CALLS, **UDP_CALLS,
          "accept": (lambda s, a: s.accept(), [], []),
          "available": (lambda s, a: s.available, [], []),
          "local_endpoint": (lambda s, a: s.local_endpoint, [], []),
          "remote_endpoint": (lambda s, a: s.remote_endpoint, [], [])}


def closed_cases():
    """Valid arguments, then each argument null or out of range: the core
    checks disposal first (contract §1 row 1). A value of the wrong type is the
    runtime's TypeError, raised while the arguments are read."""
    for name, (_, valid, positions) in CLOSED.items():
        yield pytest.param(name, None, None, id=f"{name}-valid")
        for pos, rules in positions:
            for bad in ("None", "huge"):
                if rules.get(bad, (TypeError,))[0] is not TypeError:
                    yield pytest.param(name, pos, bad, id=f"{name}-arg{pos}-{bad}")


@pytest.mark.parametrize("name, pos, bad", list(closed_cases()))
def test_closed_socket_is_disposed_before_any_argument_check(name, pos, bad):
    s, peer = unix_pair() if name not in UDP_CALLS else (udp(), None)
    s.close()
    if peer is not None:
        peer.close()
    fn, valid, _ = CLOSED[name]
    args = list(valid)
    if pos is not None:
        args[pos] = BAD[bad]
    e = expect(lambda: fn(s, args), csend.ObjectDisposedException, None)
    assert e.object_name == "csend.Socket"


@pytest.mark.parametrize("arg, bad", [(a, b) for a in range(3) for b in BAD if b != "None"])
def test_socket_constructor_arguments(arg, bad):
    args = [csend.AddressFamily.INTER_NETWORK, csend.SocketType.STREAM, csend.ProtocolType.TCP]
    args[arg] = BAD[bad]
    param = ["addressFamily", "socketType", "protocolType"][arg]
    cls, name = int_rules(param)[bad]
    expect(lambda: csend.Socket(*args), cls, name)


@pytest.mark.parametrize("value, cls, param", [
    (-1, csend.ArgumentOutOfRangeException, "fd"),
    (2**32 + 1, csend.ArgumentOutOfRangeException, "fd"),  # never truncated to fd 1
    (2**70, csend.ArgumentOutOfRangeException, "fd"),
    (1.5, TypeError, None), (None, TypeError, None), (True, TypeError, None),
])
def test_from_fd_arguments(value, cls, param):
    expect(lambda: csend.Socket.from_fd(value), cls, param)


@pytest.mark.parametrize("value", [None, 3, 2**70, "abc", b"abc", object()])
def test_from_socket_needs_a_socket_object(value):
    expect(lambda: csend.Socket.from_socket(value), TypeError, None)


def test_from_socket_of_a_closed_socket_names_sock():
    # It once said ArgumentOutOfRange "fd ('-1')": a parameter never passed.
    a, b = socket.socketpair()
    a.close()
    b.close()
    expect(lambda: csend.Socket.from_socket(a), csend.ArgumentException, "sock")
    with pytest.raises(csend.ArgumentException) as e:
        csend.Socket.from_socket(a)
    assert type(e.value) is csend.ArgumentException and "closed" in str(e.value)


@pytest.mark.parametrize("args", [(True, 5), (True, "not callable"), (True, None, 3)])
def test_set_trace_arguments(args):
    """enabled is read for its truth, as CPython's flag arguments are; the
    callback must be callable."""
    try:
        expect(lambda: csend.set_trace(*args), TypeError, None)
    finally:
        csend.set_trace(False)


def test_the_catalogue_leaks_nothing():
    every = list(cases())

    def run_all():
        for p in every:
            run_case(*p.values)

    run_all()
    gc.collect()
    blocks = sys.getallocatedblocks()
    for _ in range(5):
        run_all()
    gc.collect()
    grown = sys.getallocatedblocks() - blocks
    assert grown < 500, f"{grown} blocks still allocated after 5 x {len(every)} bad calls"
