"""Socket.send_async (contract §10): .NET's SendAsync on asyncio's default
loop and on uvloop. Every test runs under both loops."""
import asyncio
import gc
import hashlib
import os
import random
import socket

import pytest

import csend

uvloop = pytest.importorskip("uvloop")

LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
MIB = 1 << 20


@pytest.fixture(params=sorted(LOOPS))
def run(request):
    """run(coro_fn) runs it to completion on a fresh loop of the kind."""
    def runner(fn, *args):
        loop = LOOPS[request.param]()
        try:
            return loop.run_until_complete(fn(*args))
        finally:
            loop.close()
    return runner


def pair():
    """A csend sender and a stdlib peer (non-blocking), over TCP loopback."""
    with socket.create_server(("127.0.0.1", 0)) as srv:
        s = csend.Socket()
        s.connect(srv.getsockname())
        peer, _ = srv.accept()
    peer.setblocking(False)
    return s, peer


async def read_exactly(peer, n):
    loop = asyncio.get_running_loop()
    got = bytearray()
    while len(got) < n:
        chunk = await loop.sock_recv(peer, min(MIB, n - len(got)))
        if not chunk:
            break
        got += chunk
    return bytes(got)


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def watchers(loop):
    """Descriptors the loop still watches for writing (asked of both loops
    the same way: remove_writer says whether there was one)."""
    return [fd for fd in range(3, 1024) if loop.remove_writer(fd)]


def test_errors_of_arguments_and_disposal_are_raised_by_the_call(run):
    async def main():
        s, peer = pair()
        with pytest.raises(csend.ArgumentNullException) as e:
            s.send_async(None)
        assert e.value.param_name == "buffer"
        with pytest.raises(csend.ArgumentOutOfRangeException) as e:
            s.send_async(b"abc", 4)
        assert e.value.param_name == "offset"
        with pytest.raises(csend.ArgumentOutOfRangeException) as e:
            s.send_async(b"abc", 1, 3)
        assert e.value.param_name == "size"
        with pytest.raises(csend.SocketException) as e:
            s.send_async(b"abc", 0, 3, csend.SocketFlags.PEEK)
        assert e.value.socket_error_code == csend.SocketError.OPERATION_NOT_SUPPORTED
        with pytest.raises(TypeError):
            s.send_async("text")
        s.close()
        with pytest.raises(csend.ObjectDisposedException):
            s.send_async(None, 9, 9)  # disposal first, as .NET
        peer.close()
    run(main)


def test_a_send_the_kernel_takes_whole_is_done_before_any_await(run):
    async def main():
        s, peer = pair()
        fut = s.send_async(b"hello", 1, 3, csend.SocketFlags.NONE)
        assert fut.done(), "no round trip through the loop"
        assert await fut == 3
        assert await read_exactly(peer, 3) == b"ell"
        s.close()
        peer.close()
    run(main)


def test_an_os_error_surfaces_from_the_await(run):
    async def main():
        s = csend.Socket()  # never connected
        fut = s.send_async(b"abc")
        with pytest.raises(csend.SocketException) as e:
            await fut
        assert e.value.bytes_transferred == 0
        s.close()
    run(main)


def test_concurrent_sends_complete_in_call_order_and_never_interleave(run):
    async def main():
        s, peer = pair()
        s.send_buffer_size = 65536
        blocks = [bytes([i]) * (MIB + i) for i in range(20)]
        futs = [s.send_async(b) for b in blocks]
        order = []
        for i, f in enumerate(futs):
            f.add_done_callback(lambda _f, i=i: order.append(i))
        got = await read_exactly(peer, sum(map(len, blocks)))
        assert await asyncio.gather(*futs) == [len(b) for b in blocks]
        assert order == list(range(20))
        assert got == b"".join(blocks)
        s.close()
        peer.close()
    run(main)


def test_close_fails_100_pending_sends_with_operation_aborted_at_once(run):
    async def main():
        loop = asyncio.get_running_loop()
        fds = open_fds()
        s, peer = pair()
        s.send_buffer_size = 4096
        futs = [s.send_async(b"x" * MIB) for _ in range(100)]
        await asyncio.sleep(0.01)
        assert not any(f.done() for f in futs[1:])
        t0 = loop.time()
        s.close()
        results = await asyncio.gather(*futs, return_exceptions=True)
        assert loop.time() - t0 < 1.0
        aborted = [r for r in results if isinstance(r, csend.SocketException)]
        assert len(aborted) >= 99
        for r in aborted:
            assert r.socket_error_code == csend.SocketError.OPERATION_ABORTED
            assert r.error_code == 995
        assert watchers(loop) == []
        peer.close()
        gc.collect()
        assert open_fds() == fds
    run(main)


def test_cancelling_a_large_send_gives_it_up_and_says_what_went(run):
    async def main():
        s, peer = pair()
        s.send_buffer_size = 4096
        data = os.urandom(16 * MIB)
        fut = s.send_async(data)
        task = asyncio.ensure_future(fut)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        went = fut.bytes_transferred
        assert 0 < went < len(data)
        assert await s.send_async(b"after") == 5  # the socket goes on
        got = await read_exactly(peer, went + 5)
        assert got == data[:went] + b"after"
        assert watchers(asyncio.get_running_loop()) == []
        s.close()
        peer.close()
    run(main)


def test_asyncio_timeout_applies_through_cancellation_and_send_timeout_does_not(run):
    async def main():
        s, peer = pair()
        s.send_buffer_size = 4096
        s.send_timeout = 1  # a blocking send would time out at once: not this one
        fut = s.send_async(b"t" * (8 * MIB))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(fut), 0.2)
        assert not fut.done()  # still pending: SendTimeout does not apply
        fut.cancel()
        await asyncio.sleep(0)
        assert 0 < fut.bytes_transferred < 8 * MIB
        s.close()
        peer.close()
    run(main)


def test_a_pending_send_pins_its_bytearray(run):
    async def main():
        s, peer = pair()
        s.send_buffer_size = 65536
        buf = bytearray(b"p" * (4 * MIB))
        fut = s.send_async(buf)
        with pytest.raises(BufferError):
            buf.extend(b"more")
        await asyncio.gather(fut, read_exactly(peer, 4 * MIB))
        buf.extend(b"more")  # released once the send ended
        s.close()
        peer.close()
    run(main)


def test_256_mib_arrive_whole_while_100_other_tasks_send_and_receive(run):
    async def main():
        loop = asyncio.get_running_loop()
        s, peer = pair()
        rng = random.Random(256)
        chunk = rng.randbytes(4 * MIB)
        total = 256 * MIB
        expect = hashlib.sha256()

        async def sender():
            sent = 0
            while sent < total:
                piece = chunk[: min(len(chunk), total - sent)]
                expect.update(piece)
                sent += await s.send_async(piece)
            return sent

        async def receiver():
            h, n = hashlib.sha256(), 0
            while n < total:
                data = await loop.sock_recv(peer, MIB)
                assert data
                h.update(data)
                n += len(data)
            return h.hexdigest(), n

        async def chatter(i):
            a, b = pair()
            msg = f"{i:04d}".encode() * 256
            for _ in range(20):
                await a.send_async(msg)
                assert await read_exactly(b, len(msg)) == msg
            a.close()
            b.close()

        others = [asyncio.ensure_future(chatter(i)) for i in range(100)]
        sent, (digest, n) = await asyncio.gather(sender(), receiver())
        await asyncio.gather(*others)
        assert sent == n == total
        assert digest == expect.hexdigest()
        s.close()
        peer.close()
    run(main)


def test_10000_cancel_and_complete_races_leave_no_watcher_or_descriptor(run):
    async def main():
        loop = asyncio.get_running_loop()
        fds = open_fds()
        s, peer = pair()
        s.send_buffer_size = 4096
        rng = random.Random(10000)
        received = 0
        expected = 0

        async def drain():
            nonlocal received
            while True:
                data = await loop.sock_recv(peer, MIB)
                if not data:
                    return
                received += len(data)

        reader = asyncio.ensure_future(drain())
        for _ in range(10000):
            fut = s.send_async(b"r" * rng.choice((16, 4096, 65536)))
            if rng.random() < 0.5:
                await asyncio.sleep(0)
            fut.cancel()
            try:
                expected += await fut
            except asyncio.CancelledError:
                expected += fut.bytes_transferred
        s.shutdown(csend.SocketShutdown.SEND)
        await reader
        assert received == expected
        assert watchers(loop) == []
        s.close()
        peer.close()
        gc.collect()
        assert open_fds() == fds
    run(main)


def test_a_descriptor_number_reused_at_once_keeps_its_new_watcher(run):
    """A send that ends stops watching its descriptor at once: a handler that
    runs in the same loop iteration, after the close released the number,
    may give it to a new socket whose pending send must keep its watcher."""
    async def main():
        loop = asyncio.get_running_loop()
        s, peer = pair()
        s.send_buffer_size = 4096
        fd = s.fileno()
        first = s.send_async(b"a" * (8 * MIB))
        await asyncio.sleep(0.01)
        other_a, other_b = socket.socketpair()
        other_b.setblocking(False)
        made = {}

        def reuse():
            # Ready in the same iteration as the first send's watcher.
            loop.remove_reader(other_b.fileno())
            t = csend.Socket()  # first: the lowest free number, the one just released
            with socket.create_server(("127.0.0.1", 0)) as srv:
                t.connect(srv.getsockname())
                tpeer, _ = srv.accept()
            tpeer.setblocking(False)
            t.send_buffer_size = 4096
            made.update(t=t, tpeer=tpeer, fut=t.send_async(b"b" * (4 * MIB)))

        loop.add_reader(other_b.fileno(), reuse)
        s.close()             # the first send's watcher becomes ready first...
        other_a.send(b"!")    # ...then this reader, in the same batch
        with pytest.raises(csend.SocketException):
            await first
        while "fut" not in made:
            await asyncio.sleep(0)
        assert made["t"].fileno() == fd  # the number the close released
        sent, got = await asyncio.wait_for(
            asyncio.gather(made["fut"], read_exactly(made["tpeer"], 4 * MIB)), 10)
        assert sent == 4 * MIB and len(got) == 4 * MIB
        for x in (made["t"], made["tpeer"], peer, other_a, other_b):
            x.close()
    run(main)
