"""The asynchronous operations (contract §10): send_async, send_to_async,
send_segments_async, receive_async, receive_from_async, connect_async and
accept_async, .NET's *Async methods on asyncio's default loop and on uvloop.
Every test runs under both loops."""
import asyncio
import gc
import hashlib
import os
import random
import socket
import time

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
        peer.close()
        gc.collect()
        assert open_fds() == fds  # no watcher's descriptor is left either
    run(main)


def test_cancelling_a_large_send_gives_it_up_and_says_what_went(run):
    async def main():
        s, peer = pair()
        s.send_buffer_size = 4096
        fds = open_fds()
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
        assert open_fds() == fds  # the watcher and its descriptor are gone
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
        assert open_fds() == fds + 2  # the pair, and no watcher left
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
        in_use = {int(n) for n in os.listdir("/proc/self/fd")}
        s.close()             # the first send's watcher becomes ready first...
        other_a.send(b"!")    # ...then this reader, in the same batch
        with pytest.raises(csend.SocketException):
            await first
        while "fut" not in made:
            await asyncio.sleep(0)
        # A number the first send's end released (the socket's, or the one
        # its watcher used).
        assert made["t"].fileno() in in_use
        sent, got = await asyncio.wait_for(
            asyncio.gather(made["fut"], read_exactly(made["tpeer"], 4 * MIB)), 10)
        assert sent == 4 * MIB and len(got) == 4 * MIB
        for x in (made["t"], made["tpeer"], peer, other_a, other_b):
            x.close()
    run(main)


async def drain(peer, n):
    await read_exactly(peer, n)


def test_close_fails_a_pending_send_while_the_program_reads_the_same_descriptor(run):
    """A program that watches the socket's descriptor for reading (its
    receive side) and closes the socket while a send is pending: the send
    fails with OperationAborted at once, and the program's reader stays its
    own to remove."""
    async def main():
        loop = asyncio.get_running_loop()
        s, peer = pair()
        s.send_buffer_size = 4096
        fd = s.fileno()
        loop.add_reader(fd, lambda: None)
        fut = s.send_async(b"x" * (8 * MIB))
        await asyncio.sleep(0.02)
        s.close()
        with pytest.raises(csend.SocketException) as e:
            await asyncio.wait_for(fut, 3)
        assert e.value.socket_error_code == csend.SocketError.OPERATION_ABORTED
        loop.remove_reader(fd)
        peer.close()
    run(main)


def test_the_programs_own_writer_on_the_descriptor_is_left_alone(run):
    """send_async watches a descriptor of its own: a writer the program has
    on the socket's number is neither replaced nor removed by a send."""
    async def main():
        loop = asyncio.get_running_loop()
        s, peer = pair()
        s.send_buffer_size = 4096
        hits = []
        loop.add_writer(s.fileno(), hits.append, 1)
        await asyncio.gather(s.send_async(b"a" * MIB), drain(peer, MIB))
        hits.clear()
        await asyncio.sleep(0.02)
        assert hits, "the program's writer was removed by the send"
        loop.remove_writer(s.fileno())
        # A writer the program adds and removes while a send is pending does
        # not take the send's.
        fut = s.send_async(b"b" * MIB)
        await asyncio.sleep(0.01)
        loop.add_writer(s.fileno(), lambda: None)
        loop.remove_writer(s.fileno())
        n, _ = await asyncio.wait_for(asyncio.gather(fut, drain(peer, MIB)), 5)
        assert n == MIB
        s.close()
        peer.close()
    run(main)


def test_a_send_from_another_loop_is_refused_before_anything_is_sent():
    """Each loop of its own thread: while a send of the socket is pending on
    one loop, a send_async called on another raises RuntimeError, sends
    nothing, and leaves the first loop's send to complete."""
    import threading
    s, peer = pair()
    s.send_buffer_size = 4096
    loop1 = asyncio.new_event_loop()
    thread = threading.Thread(target=loop1.run_forever)
    thread.start()
    try:
        async def big():
            return await s.send_async(b"a" * (4 * MIB))
        f1 = asyncio.run_coroutine_threadsafe(big(), loop1)
        while s.send_buffer_size and not f1.done() and s.fileno() >= 0:
            if asyncio.run_coroutine_threadsafe(asyncio.sleep(0.01), loop1).result(5) is None:
                break

        async def other():
            with pytest.raises(RuntimeError, match="another event loop"):
                s.send_async(b"b" * 100)
            # The send's own checks still come first.
            with pytest.raises(csend.ArgumentOutOfRangeException):
                s.send_async(b"b", 2)
        for make in LOOPS.values():
            loop2 = make()
            loop2.run_until_complete(other())
            loop2.close()
        peer.setblocking(True)
        got = b""
        while len(got) < 4 * MIB:
            got += peer.recv(MIB)
        assert f1.result(5) == 4 * MIB
        assert got == b"a" * (4 * MIB)  # and no "b" from the refused calls
        peer.setblocking(False)
        with pytest.raises(BlockingIOError):
            peer.recv(1)
    finally:
        loop1.call_soon_threadsafe(loop1.stop)
        thread.join(5)
        loop1.close()
        s.close()
        peer.close()


def test_the_sends_of_a_closed_loop_are_given_up():
    """A send left pending when its loop is closed (nothing awaits it) no
    longer holds the socket: a send on a new loop goes through, and close
    releases the descriptor."""
    for make in LOOPS.values():
        fds = open_fds()
        s, peer = pair()
        s.send_buffer_size = 4096

        async def fire_and_forget():
            return s.send_async(b"x" * (8 * MIB))
        loop = make()
        left = loop.run_until_complete(fire_and_forget())
        loop.close()
        assert not left.done()

        async def later():
            n, _ = await asyncio.wait_for(
                asyncio.gather(s.send_async(b"y"), drain_all(peer)), 10)
            return n
        loop = make()
        assert loop.run_until_complete(later()) == 1
        loop.close()
        assert left.cancelled()
        s.close()
        peer.close()
        gc.collect()
        assert open_fds() == fds

        # Closing the socket gives them up too.
        s, peer = pair()
        s.send_buffer_size = 4096
        loop = make()
        left = loop.run_until_complete(fire_and_forget())
        loop.close()
        s.close()
        assert left.cancelled()
        peer.close()
        del left
        gc.collect()
        assert open_fds() == fds


async def drain_all(peer):
    """Reads until nothing more comes for a moment."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            if not await asyncio.wait_for(loop.sock_recv(peer, MIB), 0.2):
                return
        except TimeoutError:
            return


def test_outside_a_running_loop_the_call_raises_and_sends_nothing():
    s, peer = pair()
    with pytest.raises(RuntimeError, match="no running event loop"):
        s.send_async(b"hello")
    s.send_buffer_size = 4096
    with pytest.raises(RuntimeError):
        s.send_async(b"x" * (8 * MIB))
    # The send's own checks come first, as with a loop.
    with pytest.raises(csend.ArgumentNullException):
        s.send_async(None)
    time.sleep(0.05)
    with pytest.raises(BlockingIOError):
        peer.recv(1)  # nothing was sent
    s.close()
    with pytest.raises(csend.ObjectDisposedException):
        s.send_async(b"hello")
    peer.close()


def test_a_failed_send_done_is_collected_with_its_cycles(run):
    """An OperationDone holding its exception takes part in garbage collection: the
    exception's traceback refers to the frame that holds the OperationDone."""
    class Marker:
        pass

    async def one():
        marker = Marker()  # noqa: F841 (kept alive by the frame)
        s = csend.Socket()  # never connected: the first attempt fails
        d = s.send_async(b"abc")
        with pytest.raises(csend.SocketException):
            await d
        s.close()

    async def main():
        for _ in range(100):
            await one()
    run(main)
    gc.collect()
    assert not [o for o in gc.get_objects() if type(o) is Marker]


def test_awaiting_a_failed_send_done_again_does_not_grow_its_traceback(run):
    async def main():
        s = csend.Socket()
        d = s.send_async(b"abc")
        depths = []
        for _ in range(5):
            try:
                await d
            except csend.SocketException as e:
                tb, n = e.__traceback__, 0
                while tb is not None:
                    tb, n = tb.tb_next, n + 1
                depths.append(n)
        assert len(set(depths)) == 1, depths
        with pytest.raises(csend.SocketException):
            d.result()
        s.close()
    run(main)


def test_sockets_that_compare_equal_keep_their_own_order(run):
    """Socket subclasses may define equality; each socket's sends wait only
    behind its own."""
    class Equal(csend.Socket):
        def __eq__(self, other):
            return isinstance(other, Equal)

        def __hash__(self):
            return 0

    def equal_pair():
        with socket.create_server(("127.0.0.1", 0)) as srv:
            s = Equal()
            s.connect(srv.getsockname())
            peer, _ = srv.accept()
        peer.setblocking(False)
        return s, peer

    async def main():
        a, apeer = equal_pair()  # nobody reads apeer
        b, bpeer = equal_pair()
        a.send_buffer_size = b.send_buffer_size = 4096
        fa = a.send_async(b"a" * (8 * MIB))
        fb = b.send_async(b"b" * MIB)
        n, _ = await asyncio.wait_for(asyncio.gather(fb, drain(bpeer, MIB)), 5)
        assert n == MIB
        fa.cancel()
        for x in (a, apeer, b, bpeer):
            x.close()
    run(main)


def test_a_send_cancelled_by_code_its_step_runs_leaves_the_loop_clean(run):
    """A trace callback (or a signal handler) that runs during a step may
    cancel the very send being stepped: the send is given up, the next one
    completes, and the loop reports no error."""
    async def main():
        loop = asyncio.get_running_loop()
        errors = []
        loop.set_exception_handler(lambda lp, ctx: errors.append(ctx))
        s, peer = pair()
        s.send_buffer_size = 4096
        box = {}

        def trace(line):
            b = box.get("b")
            if b is not None and "returns:1000 " in line + " " and not b.done():
                b.cancel()
        csend.set_trace(True, trace)
        try:
            a = s.send_async(b"a" * MIB)
            b = box["b"] = s.send_async(b"b" * 1000)
            c = s.send_async(b"c" * 1000)
            await asyncio.wait_for(asyncio.gather(drain(peer, MIB + 2000), c), 5)
        finally:
            csend.set_trace(False, None)
        assert a.result() == MIB and b.cancelled() and c.result() == 1000
        assert errors == []
        s.close()
        peer.close()
    run(main)


def test_a_send_made_by_a_trace_callback_waits_behind_the_call_that_ran_it(run):
    """Code that runs inside a send_async call (here the trace callback of
    its first line) and sends on the same socket is behind that call,
    whether the call is first in line or behind pending sends."""
    async def main():
        s, peer = pair()
        s.send_buffer_size = 4096
        for pending in (False, True):
            first = s.send_async(b"0" * MIB) if pending else None
            inner = []

            def trace(line):
                if "size=5" in line and not inner:
                    inner.append(s.send_async(b"INNER"))
            csend.set_trace(True, trace)
            try:
                outer = s.send_async(b"OUTER")
            finally:
                csend.set_trace(False, None)
            order = []
            outer.add_done_callback(lambda f: order.append("outer"))
            inner[0].add_done_callback(lambda f: order.append("inner"))
            size = (MIB if pending else 0) + 10
            got = await read_exactly(peer, size)
            await asyncio.gather(*[f for f in (first, outer, inner[0]) if f is not None])
            await asyncio.sleep(0)
            assert got[-10:] == b"OUTERINNER"
            assert order == ["outer", "inner"]
        s.close()
        peer.close()
    run(main)


# ---- the other operations: send_to_async, send_segments_async,
# receive_async, receive_from_async, connect_async, accept_async ----

def udp_pair():
    a = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM)
    b = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    return a, b


def test_every_async_method_raises_its_argument_and_disposal_errors_from_the_call(run):
    async def main():
        s, peer = pair()
        u, _ = udp_pair()
        calls = [
            (lambda: s.receive_async(None), csend.ArgumentNullException, "buffer"),
            (lambda: s.receive_async(bytearray(3), 4), csend.ArgumentOutOfRangeException,
             "offset"),
            (lambda: s.receive_async(bytearray(3), 1, 3), csend.ArgumentOutOfRangeException,
             "size"),
            (lambda: s.receive_from_async(None), csend.ArgumentNullException, "buffer"),
            (lambda: s.send_to_async(b"abc", None), csend.ArgumentNullException, "remoteEP"),
            (lambda: s.send_to_async(b"abc", 4, 0, 0, ("127.0.0.1", 9)),
             csend.ArgumentOutOfRangeException, "offset"),
            (lambda: s.send_segments_async(None), csend.ArgumentNullException, "buffers"),
            (lambda: s.send_segments_async([]), csend.ArgumentException, "buffers"),
            (lambda: s.connect_async(None), csend.ArgumentNullException, "remoteEP"),
        ]
        for call, cls, param in calls:
            with pytest.raises(cls) as e:
                call()
            assert e.value.param_name == param
        with pytest.raises(csend.InvalidOperationException):
            s.accept_async()  # not listening
        fresh = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM)
        with pytest.raises(csend.InvalidOperationException):
            fresh.receive_from_async(bytearray(4))  # never bound
        with pytest.raises(TypeError):
            s.receive_async(b"read-only")
        with pytest.raises(csend.SocketException) as e:
            s.receive_async(bytearray(4), 0, 4, csend.SocketFlags.DONT_ROUTE)
        assert e.value.socket_error_code == csend.SocketError.OPERATION_NOT_SUPPORTED
        s.close()
        fresh.close()
        # Disposed first, whatever the arguments.
        for call in (lambda: s.receive_async(None), lambda: s.receive_from_async(None),
                     lambda: s.send_to_async(None, None), lambda: s.send_segments_async(None),
                     lambda: s.connect_async(("127.0.0.1", 1)), s.accept_async):
            with pytest.raises(csend.ObjectDisposedException):
                call()
        u.close()
        peer.close()
    run(main)


def test_receives_complete_in_call_order_with_what_came(run):
    async def main():
        s, peer = pair()
        loop = asyncio.get_running_loop()
        bufs = [bytearray(4) for _ in range(3)]
        futs = [s.receive_async(b) for b in bufs]
        assert not any(f.done() for f in futs)
        await loop.sock_sendall(peer, b"aaaabbbbcc")
        counts = await asyncio.wait_for(asyncio.gather(*futs), 5)
        assert counts == [4, 4, 2]
        assert [bytes(b) for b in bufs] == [b"aaaa", b"bbbb", b"cc\0\0"]
        # Bytes already there: done within the call, no loop round trip.
        await loop.sock_sendall(peer, b"xyz")
        await asyncio.sleep(0.01)
        buf = bytearray(8)
        done = s.receive_async(buf, 2, 6)
        assert isinstance(done, csend.OperationDone) and done.done()
        assert await done == 3 and bytes(buf[2:5]) == b"xyz"
        peer.close()  # the end of the stream: 0
        assert await asyncio.wait_for(s.receive_async(bytearray(4)), 5) == 0
        s.close()
    run(main)


def test_close_fails_pending_receives_and_accept_with_operation_aborted(run):
    async def main():
        loop = asyncio.get_running_loop()
        gc.collect()
        fds = open_fds()
        s, peer = pair()
        futs = [s.receive_async(bytearray(16)) for _ in range(10)]
        listener = csend.Socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepting = listener.accept_async()
        await asyncio.sleep(0.01)
        t0 = loop.time()
        s.close()
        listener.close()
        results = await asyncio.gather(*futs, accepting, return_exceptions=True)
        assert loop.time() - t0 < 1.0
        for r in results:
            assert isinstance(r, csend.SocketException), r
            assert r.socket_error_code == csend.SocketError.OPERATION_ABORTED
        peer.close()
        gc.collect()
        assert open_fds() == fds
    run(main)


def test_a_cancelled_receive_is_given_up_and_the_next_one_gets_the_bytes(run):
    async def main():
        s, peer = pair()
        loop = asyncio.get_running_loop()
        s.receive_timeout = 50  # does not apply to receive_async
        first = s.receive_async(bytearray(8))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(first, 0.2)  # well past receive_timeout: still waiting
        assert first.cancelled() and first.bytes_transferred == 0
        buf = bytearray(8)
        second = s.receive_async(buf)
        await loop.sock_sendall(peer, b"data")
        assert await asyncio.wait_for(second, 5) == 4 and bytes(buf[:4]) == b"data"
        s.close()
        peer.close()
    run(main)


def test_a_pending_receive_pins_its_bytearray(run):
    async def main():
        s, peer = pair()
        buf = bytearray(16)
        fut = s.receive_async(buf)
        with pytest.raises(BufferError):
            buf.extend(b"x" * 4096)
        await asyncio.get_running_loop().sock_sendall(peer, b"ok")
        assert await fut == 2
        buf.extend(b"x")  # released once it ended
        s.close()
        peer.close()
    run(main)


def test_sends_and_receives_wait_in_separate_lines(run):
    """A receive waiting for data does not hold up a send, nor the other
    way round, on the same socket."""
    async def main():
        s, peer = pair()
        loop = asyncio.get_running_loop()
        waiting = s.receive_async(bytearray(8))
        assert await asyncio.wait_for(s.send_async(b"ping"), 5) == 4
        big = s.send_async(b"b" * (16 * MIB))  # pending: nobody reads yet
        assert not big.done()
        await loop.sock_sendall(peer, b"pong")
        assert await asyncio.wait_for(waiting, 5) == 4
        got = await read_exactly(peer, 4 + 16 * MIB)
        assert got == b"ping" + b"b" * (16 * MIB) and await big == 16 * MIB
        s.close()
        peer.close()
    run(main)


def test_receive_from_and_send_to_carry_datagrams_and_endpoints(run):
    async def main():
        a, b = udp_pair()
        bufs = [bytearray(32) for _ in range(3)]
        futs = [a.receive_from_async(x) for x in bufs]
        for i in range(3):
            assert await b.send_to_async(b"dgram%d" % i, a.local_endpoint) == 6
        results = await asyncio.wait_for(asyncio.gather(*futs), 5)
        assert [r[0] for r in results] == [6, 6, 6]
        assert all(r[1] == b.local_endpoint for r in results)
        assert [bytes(x[:6]) for x in bufs] == [b"dgram0", b"dgram1", b"dgram2"]
        # .NET's overloads, as send_to's.
        assert await b.send_to_async(b"xyz", csend.SocketFlags.NONE, a.local_endpoint) == 3
        assert await b.send_to_async(b"xyz", 2, 0, a.local_endpoint) == 2
        assert await b.send_to_async(b"xyz", 1, 2, 0, a.local_endpoint) == 2
        assert await b.send_to_async(b"xyz", remote_ep=a.local_endpoint, size=1) == 1
        # A send_to on a socket never bound binds it, as send_to does.
        c = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.DGRAM)
        assert c.local_endpoint is None
        assert await c.send_to_async(b"q", a.local_endpoint) == 1
        assert c.local_endpoint is not None
        for x in (a, b, c):
            x.close()
    run(main)


def test_16_mib_of_segments_arrive_whole_and_in_line_with_sends(run):
    async def main():
        s, peer = pair()
        data = os.urandom(16 * MIB)  # more than the kernel holds
        parts = [data[:1], bytearray(data[1:5 * MIB]), memoryview(data)[5 * MIB:]]
        first = s.send_async(b"<")
        seg = s.send_segments_async(parts)
        last = s.send_async(b">")
        got = await asyncio.wait_for(read_exactly(peer, len(data) + 2), 30)
        assert hashlib.sha256(got).digest() == hashlib.sha256(b"<" + data + b">").digest()
        assert await first == 1 and await seg == len(data) and await last == 1
        s.close()
        peer.close()
    run(main)


def test_connect_and_accept_async_make_a_working_pair(run):
    async def main():
        listener = csend.Socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepts = [listener.accept_async() for _ in range(3)]
        clients = [csend.Socket() for _ in range(3)]
        for c in clients:
            assert await asyncio.wait_for(c.connect_async(listener.local_endpoint), 5) is None
            assert c.connected and c.blocking
        servers = await asyncio.wait_for(asyncio.gather(*accepts), 5)
        for i, (c, srv) in enumerate(zip(clients, servers)):
            assert isinstance(srv, csend.Socket) and srv.blocking
            assert srv.remote_endpoint == c.local_endpoint  # accepted in call order
            c.send(b"%d" % i)
            buf = bytearray(4)
            assert srv.receive(buf) == 1 and buf[:1] == b"%d" % i
        for x in (*clients, *servers, listener):
            x.close()
    run(main)


def test_connect_async_to_a_closed_port_raises_connection_refused_from_the_await(run):
    async def main():
        with socket.create_server(("127.0.0.1", 0)) as srv:
            where = srv.getsockname()
        c = csend.Socket()
        fut = c.connect_async(where)
        with pytest.raises(csend.SocketException) as e:
            await asyncio.wait_for(fut, 5)
        assert e.value.socket_error_code == csend.SocketError.CONNECTION_REFUSED
        assert isinstance(e.value, ConnectionRefusedError)
        assert not c.connected
        c.close()
    run(main)


def test_connect_async_refuses_an_adopted_descriptor_that_blocks_underneath(run):
    async def main():
        with socket.socket() as std:
            assert std.getblocking()
            c = csend.Socket.from_socket(std)
            with pytest.raises(csend.InvalidOperationException, match="blocks underneath"):
                c.connect_async(("127.0.0.1", 9))
            assert std.getblocking()  # its O_NONBLOCK untouched
            c.close()
        with socket.socket() as std:
            std.setblocking(False)
            with socket.create_server(("127.0.0.1", 0)) as srv:
                c = csend.Socket.from_socket(std)
                await asyncio.wait_for(c.connect_async(srv.getsockname()), 5)
                assert c.connected
                c.close()
    run(main)


def test_a_cancelled_accept_closes_nothing_it_did_not_give(run):
    """An accept cancelled while waiting takes no connection: the next
    accept gets it."""
    async def main():
        listener = csend.Socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        first = listener.accept_async()
        first.cancel()
        await asyncio.sleep(0)
        c = csend.Socket()
        await c.connect_async(listener.local_endpoint)
        srv = await asyncio.wait_for(listener.accept_async(), 5)
        assert srv.remote_endpoint == c.local_endpoint
        for x in (c, srv, listener):
            x.close()
    run(main)


def test_a_wait_the_loop_cannot_see_does_not_spin(run, tmp_path):
    """A Unix-domain datagram sender whose receiver's queue is full is
    always "writable" to the loop: the pending send_to rests between tries
    instead of spinning, and completes once the receiver reads."""
    import resource

    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    async def main():
        path = str(tmp_path / "r")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as r:
            r.bind(path)
            s = csend.Socket(csend.AddressFamily.UNIX, csend.SocketType.DGRAM)
            for _ in range(10_000):
                fut = s.send_to_async(b"x" * 100, path)
                if not fut.done():
                    break
                assert await fut == 100
            assert not fut.done()
            c0 = cpu()
            await asyncio.sleep(0.5)
            assert cpu() - c0 < 0.1  # resting, not spinning
            r.setblocking(False)
            with pytest.raises(BlockingIOError):
                while True:
                    r.recv(200)
            assert await asyncio.wait_for(fut, 2) == 100
            s.close()
    run(main)


def test_watching_leaves_every_descriptors_mode_as_it_was(run):
    """uvloop's watchers set O_NONBLOCK on what they watch (shared with the
    socket and, for an adopted socket, with its owner): csend puts the mode
    back, so the owner's blocking socket stays blocking."""
    import fcntl

    def nonblocking(fd):
        return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)

    async def main():
        with socket.create_server(("127.0.0.1", 0)) as srv:
            std = socket.create_connection(srv.getsockname())
            peer, _ = srv.accept()
        adopted = csend.Socket.from_socket(std)
        own, own_peer = pair()
        assert not nonblocking(std.fileno()) and not nonblocking(own.fileno())
        futs = [adopted.receive_async(bytearray(8)), own.receive_async(bytearray(8)),
                adopted.send_async(b"x" * (8 * MIB))]
        await asyncio.sleep(0.01)
        assert not any(f.done() for f in futs)
        assert not nonblocking(std.fileno()) and not nonblocking(own.fileno())
        peer.sendall(b"1")
        own_peer.sendall(b"2")
        assert await futs[0] == 1 and await futs[1] == 1
        peer.setblocking(False)
        sent, _ = await asyncio.gather(futs[2], read_exactly(peer, 8 * MIB))
        assert sent == 8 * MIB
        assert not nonblocking(std.fileno()) and std.gettimeout() is None
        for x in (adopted, own, own_peer, std, peer):
            x.close()
    run(main)


def test_no_descriptor_left_to_watch_fails_the_operation_not_the_socket(run):
    """At the process's descriptor limit an operation that must wait cannot
    watch: it fails with SocketException TooManyOpenSockets (from the await),
    and the socket's next operations go on."""
    import resource

    async def main():
        s, peer = pair()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        hog = []
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_fds() + 64, hard))
        try:
            with pytest.raises(OSError):
                while True:
                    hog.append(os.open("/dev/null", os.O_RDONLY))
            fut = s.receive_async(bytearray(8))
        finally:
            for fd in hog:
                os.close(fd)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        with pytest.raises(csend.SocketException) as e:
            await fut
        assert e.value.socket_error_code == csend.SocketError.TOO_MANY_OPEN_SOCKETS
        peer.sendall(b"data")
        assert await asyncio.wait_for(s.receive_async(bytearray(8)), 5) == 4
        s.close()
        peer.close()
    run(main)


def test_accept_async_refuses_an_adopted_listener_that_blocks_underneath(run):
    async def main():
        with socket.create_server(("127.0.0.1", 0)) as std:
            listener = csend.Socket.from_socket(std)
            with pytest.raises(csend.InvalidOperationException, match="blocks underneath"):
                listener.accept_async()
            assert std.getblocking()
            listener.close()
    run(main)


def test_a_connect_behind_another_never_blocks_the_loop(tmp_path):
    """Two connect_async on one socket to a listener whose queue is full: the
    second waits in line behind the first and, once the first is given up,
    fails (AlreadyInProgress) without ever blocking the loop in connect(2).
    In a child process, so that a blocked loop shows as a timeout."""
    import subprocess
    import sys
    code = '''
import asyncio, socket, time, sys
import csend
full = socket.socket(); full.bind(("127.0.0.1", 0)); full.listen(0)
fill = []
for _ in range(3):  # the accept queue full: later SYNs are dropped
    c = socket.socket(); c.setblocking(False)
    try: c.connect(full.getsockname())
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.2)
async def main():
    s = csend.Socket()
    first = s.connect_async(full.getsockname())
    second = s.connect_async(full.getsockname())
    await asyncio.sleep(0.05)
    first.cancel()
    t0 = time.monotonic()
    try:
        await asyncio.wait_for(second, 5)
    except (csend.SocketException, TimeoutError) as e:
        print(type(e).__name__, getattr(e, "socket_error_code", None))
    assert time.monotonic() - t0 < 6
    s.close()
loop = (__import__("uvloop").new_event_loop if sys.argv[1] == "uvloop"
        else asyncio.new_event_loop)()
loop.run_until_complete(main())
print("came back")
'''
    for kind in LOOPS:
        out = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True,
                             timeout=30)
        assert out.returncode == 0 and "came back" in out.stdout, out.stdout + out.stderr


def test_a_socket_dropped_with_its_loop_closed_goes_with_its_operations(run):
    """A receive nobody awaits is still pending when the loop is closed and
    the program drops the socket: nothing can reach them any more, so the
    collector takes the socket, its operation and the watcher's descriptor
    (nothing held for the life of the process)."""
    import warnings

    def socket_fds():
        found = set()
        for name in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                    found.add(int(name))
            except OSError:
                pass
        return found

    async def fire_and_forget(s):
        s.receive_async(bytearray(10))
        await asyncio.sleep(0.01)

    gc.collect()
    before = socket_fds()
    s, peer = pair()
    run(fire_and_forget, s)  # the loop is closed when run returns
    del s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # "unclosed": as socket.socket
        gc.collect()
    peer.close()
    assert socket_fds() == before


def test_a_closed_loop_with_tasks_still_waiting_gives_its_operations_up():
    """Tasks await two receives when their loop is closed without cancelling
    them: the socket's next call on a new loop gives them up (the tasks'
    wake-ups cannot run any more) and goes on."""
    import warnings
    for make in LOOPS.values():
        s, peer = pair()
        loop = make()

        async def receive():
            return await s.receive_async(bytearray(10))

        async def waiting():
            for _ in range(2):
                loop.create_task(receive())
            await asyncio.sleep(0.02)
        loop.run_until_complete(waiting())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Task was destroyed but it is pending!"
            loop.close()

        async def again():
            peer.sendall(b"hello")
            return await asyncio.wait_for(s.receive_async(bytearray(10)), 5)
        loop = make()
        assert loop.run_until_complete(again()) == 5
        loop.close()
        s.close()
        peer.close()
        gc.collect()


def test_an_operation_that_ended_as_its_loop_stopped_does_not_hold_the_line():
    """A send that completes in the last iteration of its loop (the loop
    stopped by a trace callback then) leaves its line at once: on a new
    loop, a send called behind a pending one is started after it."""
    import threading
    for make in LOOPS.values():
        s, peer = pair()
        s.send_buffer_size = 4096
        peer.setblocking(True)

        def drain(n):
            got = 0
            while got < n:
                got += len(peer.recv(MIB))
        loop = make()
        first = []

        def trace(line):
            if first and "Send" in line:
                loop.stop()

        async def start():
            first.append(s.send_async(b"x" * (2 * MIB)))
        csend.set_trace(True, trace)
        try:
            loop.run_until_complete(start())
            t = threading.Thread(target=drain, args=(2 * MIB,))
            t.start()
            loop.run_forever()  # stops in the iteration the send completes
        finally:
            csend.set_trace(False)
        t.join()
        loop.close()
        assert first[0].done()

        async def second():
            f2 = s.send_async(b"y" * (2 * MIB))
            f3 = s.send_async(b"z" * 10)
            t = threading.Thread(target=drain, args=(2 * MIB + 10,))
            t.start()
            n = await asyncio.wait_for(asyncio.gather(f2, f3), 5)
            t.join()
            return n
        loop = make()
        assert loop.run_until_complete(second()) == [2 * MIB, 10]
        loop.close()
        s.close()
        peer.close()


def test_one_socket_used_in_turn_by_two_loops_in_two_threads():
    """Two threads, each with its own loop, send framed messages on one
    socket: each call is either refused (RuntimeError: the other loop's
    send pends) or completes; frames never interleave, nothing is lost, and
    no operation is stepped by the wrong loop."""
    import re
    import sys
    import threading
    s, peer = pair()
    s.send_buffer_size = 8192
    got = bytearray()

    def reader():
        peer.setblocking(True)
        while data := peer.recv(1 << 16):
            got.extend(data)
    rt = threading.Thread(target=reader)
    rt.start()
    sent, errors = {"A": [], "B": []}, []

    def worker(name, make):
        async def main():
            rng = random.Random(name)
            end = time.monotonic() + 1.0
            i = 0
            while time.monotonic() < end:
                body = name.encode() * rng.choice([10, 5000, 60000])
                frame = b"<%s%d:%d>" % (name.encode(), i, len(body)) + body + b"</>"
                try:
                    fut = s.send_async(frame)
                except RuntimeError:
                    await asyncio.sleep(0)
                    continue
                sent[name].append(frame)
                i += 1
                try:
                    await fut
                except Exception as e:  # noqa: BLE001 - any is a failure of the test
                    errors.append(repr(e))
                    return
        loop = make()
        loop.run_until_complete(main())
        loop.close()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for make in LOOPS.values():
            threads = [threading.Thread(target=worker, args=(n, make)) for n in "AB"]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(interval)
    s.shutdown(csend.SocketShutdown.SEND)
    rt.join()
    assert errors == []
    frames = re.findall(rb"<([AB])(\d+):(\d+)>([AB]*)</>", bytes(got))
    assert all(len(b) == int(n) and set(b) <= {ord(w)} for w, _, n, b in frames)
    assert len(got) == sum(len(f) for f in sent["A"] + sent["B"])
    assert len(frames) == len(sent["A"]) + len(sent["B"])
    s.close()
    peer.close()
