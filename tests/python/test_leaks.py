"""No reference or memory leak across 100,000 raising calls (nor succeeding ones)."""
import gc
import sys

import pytest

import csend
from conftest import SANITIZED
from helpers import unix_pair


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


CALLS = {
    "argument_null": lambda s, c: s.send(None),
    "out_of_range": lambda s, c: s.send(b"abc", 4),
    "out_of_range_huge": lambda s, c: s.send(b"abc", 0, 2**70),
    "socket_flags": lambda s, c: s.send(b"abc", 0, 3, csend.SocketFlags.PEEK),
    "disposed": lambda s, c: c.send(b"abc"),
    "type_error": lambda s, c: s.send(b"abc", 1.5),
    "try_send_socket_error": lambda s, c: s.try_send(b"abc", flags=2),
    "send_segments_null": lambda s, c: s.send_segments([b"a", None]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_100000_raising_calls_leak_nothing(name):
    call = CALLS[name]
    s, peer = unix_pair()
    closed, other = unix_pair()
    closed.close()

    def run(n):
        for _ in range(n):
            try:
                call(s, closed)
            except (ValueError, TypeError, RuntimeError, OSError):
                pass

    run(2000)  # warm caches and free lists
    gc.collect()
    blocks, rss = sys.getallocatedblocks(), rss_kib()
    run(100_000)
    gc.collect()
    grown_blocks = sys.getallocatedblocks() - blocks
    grown_rss = rss_kib() - rss
    assert grown_blocks < 200, f"{grown_blocks} Python blocks still allocated"
    if not SANITIZED:  # AddressSanitizer's quarantine holds freed memory
        assert grown_rss < 2048, f"RSS grew by {grown_rss} KiB"
    s.close()
    peer.close()
    other.close()


def test_100000_successful_sends_leak_nothing():
    s, peer = unix_pair()
    s.blocking = False
    buf = bytearray(64)

    def run(n):
        for _ in range(n):
            try:
                s.send(buf)
            except csend.SocketException:
                peer.recv(1 << 20)

    run(2000)
    gc.collect()
    blocks = sys.getallocatedblocks()
    run(100_000)
    gc.collect()
    assert sys.getallocatedblocks() - blocks < 200
    s.close()
    peer.close()
