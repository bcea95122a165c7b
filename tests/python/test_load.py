"""Integrity under load, from Python: random data in random chunk sizes and
offsets, checked by SHA-256 at the receiver; 16 threads x 16 sockets at once
while another thread is blocked in send; close against blocked sends.

Sizes and rounds come from the environment, so `make stress` runs the long
versions: CSEND_INTEGRITY_MIB (default 128; stress 1024), CSEND_RACES
(default 10000)."""
import hashlib
import os
import random
import selectors
import socket
import threading
import time

import pytest

import csend
from helpers import tcp_pair, unix_pair

MIB = 1 << 20
TOTAL = int(os.environ.get("CSEND_INTEGRITY_MIB", "128")) * MIB
RACES = int(os.environ.get("CSEND_RACES", "10000"))


def hashing_reader(sock, out):
    h, n = hashlib.sha256(), 0
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while True:
        k = sock.recv_into(buf)
        if k == 0:
            break
        h.update(view[:k])
        n += k
    out["n"], out["digest"] = n, h.hexdigest()


def chunk_size(rng):
    """1 byte to 1 MiB, spread evenly over the orders of magnitude."""
    return min(MIB, int(2 ** rng.uniform(0, 20.5)))


@pytest.mark.parametrize("pair", [tcp_pair, unix_pair], ids=["tcp", "socketpair"])
def test_random_chunks_and_offsets_arrive_with_the_same_sha256(pair):
    rng = random.Random(TOTAL)
    pool = bytearray(rng.randbytes(32 * MIB))
    kinds = [bytes(pool), pool, memoryview(pool)]
    s, peer = pair()
    out = {}
    reader = threading.Thread(target=hashing_reader, args=(peer, out))
    reader.start()
    sent, chunks, expect = 0, 0, hashlib.sha256()
    view = memoryview(pool)
    while sent < TOTAL:
        size = min(chunk_size(rng), TOTAL - sent)
        offset = rng.randrange(0, len(pool) - size + 1)
        how = rng.randrange(4)
        if how < 3:
            n = s.send(kinds[how], offset, size)
        else:  # the gather form: the same bytes as two or three segments
            cut = sorted(rng.randrange(offset, offset + size + 1) for _ in range(2))
            n = s.send_segments([view[offset:cut[0]], view[cut[0]:cut[1]],
                                 view[cut[1]:offset + size]])
        assert n == size
        expect.update(view[offset:offset + size])
        sent += size
        chunks += 1
    s.shutdown(csend.SocketShutdown.SEND)
    reader.join()
    s.close()
    peer.close()
    assert out == {"n": TOTAL, "digest": expect.hexdigest()}, f"after {chunks} chunks"


def sixteen_by_sixteen(threads=16, per_thread=16, per_socket=512 * 1024):
    """Each of `threads` threads sends per_socket random bytes to each of its
    per_thread sockets in random pieces; one reader thread checks them all by
    SHA-256. Returns the seconds it took."""
    payload = random.Random(7).randbytes(per_socket)
    pairs = [[unix_pair() for _ in range(per_thread)] for _ in range(threads)]
    got = {}
    sel = selectors.DefaultSelector()
    for t in range(threads):
        for k, (_, peer) in enumerate(pairs[t]):
            peer.setblocking(False)
            sel.register(peer, selectors.EVENT_READ, (t, k))
            got[(t, k)] = [hashlib.sha256(), 0]
    open_peers = threads * per_thread

    def read_all():
        nonlocal open_peers
        while open_peers:
            for key, _ in sel.select(timeout=5):
                data = key.fileobj.recv(1 << 20)
                if not data:
                    sel.unregister(key.fileobj)
                    open_peers -= 1
                    continue
                entry = got[key.data]
                entry[0].update(data)
                entry[1] += len(data)

    def work(t):
        local = random.Random(t)
        left = [per_socket] * per_thread
        while any(left):
            k = local.randrange(per_thread)
            if not left[k]:
                continue
            size = min(left[k], local.randrange(1, 64 * 1024))
            at = per_socket - left[k]
            assert pairs[t][k][0].send(payload, at, size) == size
            left[k] -= size
        for s, _ in pairs[t]:
            s.shutdown(csend.SocketShutdown.SEND)

    reader = threading.Thread(target=read_all)
    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    t0 = time.monotonic()
    reader.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    elapsed = time.monotonic() - t0
    assert not any(w.is_alive() for w in workers), "a worker hung"
    reader.join(timeout=60)
    digest = hashlib.sha256(payload).digest()
    for key, (h, n) in got.items():
        assert (n, h.digest()) == (per_socket, digest), key
    for row in pairs:
        for s, peer in row:
            s.close()
            peer.close()
    return elapsed


def test_sixteen_threads_by_sixteen_sockets_while_one_thread_is_blocked_in_send():
    """A thread blocked in send holds no lock: 16 threads x 16 sockets run
    beside it as they run alone (both timings are printed)."""
    alone = sixteen_by_sixteen()

    stuck, stuck_peer = unix_pair()
    big = bytes(64 * MIB)
    stuck_result = {}
    blocker = threading.Thread(target=lambda: stuck_result.update(n=stuck.send(big)))
    blocker.start()
    time.sleep(0.1)
    assert blocker.is_alive(), "the send was supposed to block"
    beside = sixteen_by_sixteen()
    assert blocker.is_alive(), "the blocked send finished early: the test proved nothing"
    total = 16 * 16 * 512 * 1024
    print(f"\n16x16 sockets, {total >> 20} MiB: {alone:.2f} s alone "
          f"({total / alone / MIB:.0f} MiB/s), {beside:.2f} s beside a thread blocked in send "
          f"({total / beside / MIB:.0f} MiB/s)")

    # Unblock it: everything it sent arrives too.
    drained = {}
    r = threading.Thread(target=hashing_reader, args=(stuck_peer, drained))
    r.start()
    blocker.join(timeout=60)
    stuck.shutdown(csend.SocketShutdown.SEND)
    r.join()
    assert stuck_result["n"] == len(big)
    assert drained == {"n": len(big), "digest": hashlib.sha256(big).hexdigest()}
    stuck.close()
    stuck_peer.close()


def test_close_while_threads_are_blocked_in_send_many_times():
    chunk = b"\xaa" * (64 * 1024)
    disposed = aborted = reused = 0
    for i in range(RACES):
        a, b = socket.socketpair()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        a.setblocking(False)
        prefill = 0
        try:
            while True:
                prefill += a.send(chunk)
        except BlockingIOError:
            pass
        a.setblocking(True)
        old_fd = a.fileno()
        s = csend.Socket.from_fd(a.detach())
        results = [None, None]
        go = threading.Barrier(3)

        def sender(k):
            go.wait()
            try:
                s.send(chunk)
                results[k] = "returned"
            except Exception as e:  # the class is checked below
                results[k] = e

        ts = [threading.Thread(target=sender, args=(k,)) for k in range(2)]
        for t in ts:
            t.start()
        go.wait()
        if i % 4:
            time.sleep((i % 100) * 1e-6)
        s.close()
        fresh_a, fresh_b = socket.socketpair()  # may take old_fd's number
        for t in ts:
            t.join(timeout=10)
            assert not t.is_alive(), f"round {i}: a send hung after close"
        later_a, later_b = socket.socketpair()
        fresh = (fresh_a, fresh_b, later_a, later_b)
        reused += any(x.fileno() == old_fd for x in fresh)
        told = prefill
        for e in results:
            if isinstance(e, csend.ObjectDisposedException):
                disposed += 1
            else:
                assert isinstance(e, csend.SocketException), f"round {i}: {e!r}"
                assert e.socket_error_code == csend.SocketError.CONNECTION_ABORTED, e
                aborted += 1
                told += e.bytes_transferred
        for x in fresh:
            x.setblocking(False)
            with pytest.raises(BlockingIOError):
                x.recv(1)  # nothing meant for the closed socket arrived here
        for x in fresh:
            x.close()
        b.setblocking(False)
        arrived = 0
        try:
            while (k := len(b.recv(1 << 20))):
                arrived += k
        except BlockingIOError:
            pass
        assert arrived == told, f"round {i}: {arrived} bytes arrived, callers were told {told}"
        b.close()
    print(f"\n{RACES} rounds: {disposed} disposed, {aborted} aborted, fd reused in {reused}")
    assert aborted > 0 and reused > 0
