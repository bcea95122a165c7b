"""The asyncio contenders: csend's send_async, asyncio's loop.sock_sendall,
and (for throughput) csend's blocking send from a thread, each awaited by
the loop.
Usage: python bench_async.py csend_async|sock_sendall|csend_thread asyncio|uvloop
           tcp|unix ADDRESS SIZE N
Prints the nanoseconds the N sends took; exits 3 when the sink did not
receive exactly N x SIZE bytes."""
import asyncio
import socket
import struct
import sys
import time

import csend


async def run(who, family, address, size, n):
    loop = asyncio.get_running_loop()
    buf = bytearray(b"x" * size)
    if who == "sock_sendall":
        s = socket.socket(family, socket.SOCK_STREAM)
        s.connect(address)
        s.setblocking(False)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            await loop.sock_sendall(s, buf)
        elapsed = time.perf_counter_ns() - t0
        s.setblocking(True)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while len(answer) < 8:
            answer += s.recv(8 - len(answer))
    else:
        s = csend.Socket(family, socket.SOCK_STREAM)
        s.connect(address)
        t0 = time.perf_counter_ns()
        if who == "csend_async":
            for _ in range(n):
                await s.send_async(buf)
        else:  # N blocking sends, made by a thread of the loop's executor
            def sends():
                for _ in range(n):
                    s.send(buf)
            await loop.run_in_executor(None, sends)
        elapsed = time.perf_counter_ns() - t0
        s.shutdown(csend.SocketShutdown.SEND)
        answer = bytearray(8)
        got = 0
        while got < 8:
            got += s.receive(answer, got)
    s.close()
    return elapsed, struct.unpack("<Q", bytes(answer))[0]


def main():
    who, kind, transport, where, size, n = sys.argv[1:7]
    size, n = int(size), int(n)
    family = socket.AF_UNIX if transport == "unix" else socket.AF_INET
    address = where if transport == "unix" else ("127.0.0.1", int(where))
    if kind == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        elapsed, total = loop.run_until_complete(run(who, family, address, size, n))
    finally:
        loop.close()
    if total != n * size:
        print(f"sink received {total} bytes, expected {n * size}", file=sys.stderr)
        sys.exit(3)
    print(elapsed)


if __name__ == "__main__":
    main()
