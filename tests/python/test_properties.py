"""Property test: for any buffer, offset, size and flags, send raises exactly
what contract §1 and §2 say, in their order, and sends nothing unless it succeeds.
The model below is the spec's table written as code, independent of the core."""
import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

import csend
from helpers import drain, tcp_pair

INT32_MAX = 2**31 - 1
wide = st.one_of(st.integers(-5, 70), st.integers(-2**70, 2**70),
                 st.sampled_from([INT32_MAX, INT32_MAX + 1, -2**31, -2**31 - 1, 2**63 - 1,
                                  -2**63, 2**63, 2**64]))
flags = st.one_of(st.sampled_from([0, 1, 2, 4, 5, 0x10, 0x100, 0x8000, 0x80000000, -1, 2**32]),
                  st.integers(-2**40, 2**40))


def model(length, offset, size, socket_flags):
    if length is None:
        return csend.ArgumentNullException, "buffer"
    if offset < 0 or offset > length or offset > INT32_MAX:
        return csend.ArgumentOutOfRangeException, "offset"
    if size < 0 or size > length - offset or size > INT32_MAX:
        return csend.ArgumentOutOfRangeException, "size"
    if socket_flags < -2**31 or socket_flags > 2**32 - 1:
        return csend.ArgumentOutOfRangeException, "socketFlags"
    if socket_flags & 0xFFFFFFFF & ~0x5:
        return csend.SocketException, csend.SocketError.OPERATION_NOT_SUPPORTED
    return None, size


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length=st.one_of(st.none(), st.integers(0, 64)), offset=wide, size=wide, socket_flags=flags)
def test_send_matches_the_spec_model(length, offset, size, socket_flags):
    s, peer = tcp_pair()
    try:
        buf = None if length is None else bytes(range(length))
        error, detail = model(length, offset, size, socket_flags)
        if error is None:
            assert s.send(buf, offset, size, socket_flags) == detail
            got = b""
            while len(got) < detail:
                more = drain(peer, 1.0)
                assert more
                got += more
            assert got == buf[offset:offset + detail]
        else:
            try:
                s.send(buf, offset, size, socket_flags)
            except error as e:
                assert type(e) is error
                if error is csend.SocketException:
                    assert e.socket_error_code == detail
                else:
                    assert e.param_name == detail
            else:
                raise AssertionError(f"expected {error.__name__}, but send returned")
            assert drain(peer, 0.01) == b""
    finally:
        s.close()
        peer.close()
