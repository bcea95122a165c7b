"""Every row of tests/vectors/send.txt through csend.Socket.send."""
import pytest

import csend
from helpers import drain, read_vectors, tcp_pair

# Any class or SocketError a row names, by its .NET name: a new row needs no
# change here.
CLASSES = {name: getattr(csend, name) for name in csend._exceptions.__all__}
SOCKET_ERRORS = {name: csend.SocketError[upper] for name, upper, _ in csend._core.SOCKET_ERRORS}
ROWS = read_vectors()


def test_the_table_covers_every_spec_row():
    expects = {r["expect"] for r in ROWS}
    assert expects == {"ok", "ArgumentNullException", "ArgumentOutOfRangeException",
                       "ObjectDisposedException", "SocketException"}
    assert len(ROWS) >= 50


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_send_vector(row):
    s, peer = tcp_pair()
    try:
        if row["closed"]:
            s.close()
        buf = None if row["buffer_len"] < 0 else bytes(
            (ord("a") + i % 26) for i in range(row["buffer_len"]))
        args = (buf, row["offset"], row["size"], row["flags"])
        if row["expect"] == "ok":
            assert s.send(*args) == int(row["detail"])
            n = int(row["detail"])
            got = b""
            while len(got) < n:
                more = drain(peer, 1.0)
                assert more, f"{row['name']}: only {len(got)} of {n} bytes arrived"
                got += more
            assert got == buf[row["offset"]:row["offset"] + n]
            return
        with pytest.raises(CLASSES[row["expect"]]) as info:
            s.send(*args)
        e = info.value
        assert type(e) is CLASSES[row["expect"]], f"{row['name']}: got {type(e).__name__}"
        if row["expect"] == "ObjectDisposedException":
            assert e.object_name == row["detail"]
        elif row["expect"] == "SocketException":
            code = SOCKET_ERRORS[row["detail"]]
            assert e.socket_error_code == code
            assert e.error_code == int(code)
            assert e.bytes_transferred == 0
        else:
            assert e.param_name == row["detail"]
            assert f"(Parameter '{row['detail']}')" in str(e)
        if row["expect"] == "ArgumentOutOfRangeException":
            given = {"offset": row["offset"], "size": row["size"],
                     "socketFlags": row["flags"]}[row["detail"]]
            assert e.actual_value == given
        assert drain(peer) == b"", f"{row['name']}: data arrived although send raised"
    finally:
        s.close()
        peer.close()


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] != "ok"],
                         ids=[r["name"] for r in ROWS if r["expect"] != "ok"])
def test_try_send_vector_raises_argument_errors_and_returns_socket_errors(row):
    s, peer = tcp_pair()
    try:
        if row["closed"]:
            s.close()
        buf = None if row["buffer_len"] < 0 else b"a" * row["buffer_len"]
        args = (buf, row["offset"], row["size"], row["flags"])
        if row["expect"] == "SocketException":
            n, code = s.try_send(*args)
            assert (n, code) == (0, SOCKET_ERRORS[row["detail"]])
        else:
            with pytest.raises(CLASSES[row["expect"]]):
                s.try_send(*args)
        assert drain(peer) == b""
    finally:
        s.close()
        peer.close()
