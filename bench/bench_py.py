"""The Python contenders: csend's send, CPython's socket.send (per call) or
socket.sendall (throughput).
Usage: python bench_py.py csend|csend4|csend4local|socket tcp|unix ADDRESS SIZE N
       python bench_py.py floor4 tcp|unix ADDRESS SIZE N
(csend4: the four-argument form .NET code ports to,
s.send(buf, 0, len(buf), SocketFlags.NONE); csend4local: the same with the
flags value in a local, which leaves csend's own share; floor4: the same call
of a C method that does nothing but send, from the floor module built in
$CSEND_BENCH_DIR: what any extension would cost)
Prints the nanoseconds the N sends took; exits 3 when the sink did not
receive exactly N x SIZE bytes."""
import os
import socket
import struct
import sys
import time

import csend
from csend import SocketFlags


def timed(send, buf, n):
    # A function with the method bound to a local: the loop a user would write.
    t0 = time.perf_counter_ns()
    for _ in range(n):
        send(buf)
    return time.perf_counter_ns() - t0


def timed4(s, buf, n):
    # The call as ported .NET code writes it, in a function.
    t0 = time.perf_counter_ns()
    for _ in range(n):
        s.send(buf, 0, len(buf), SocketFlags.NONE)
    return time.perf_counter_ns() - t0


def timed4local(s, buf, n):
    flags = SocketFlags.NONE
    t0 = time.perf_counter_ns()
    for _ in range(n):
        s.send(buf, 0, len(buf), flags)
    return time.perf_counter_ns() - t0


def timed_floor(f, buf, n):
    # The same call, on the floor (floor.c): the least a C method can do.
    t0 = time.perf_counter_ns()
    for _ in range(n):
        f.send(buf, 0, len(buf), SocketFlags.NONE)
    return time.perf_counter_ns() - t0


def main():
    who, transport, where, size, n = sys.argv[1:6]
    size, n = int(size), int(n)
    family = socket.AF_UNIX if transport == "unix" else socket.AF_INET
    address = where if transport == "unix" else ("127.0.0.1", int(where))
    buf = bytearray(b"x" * size)
    if who.startswith("csend"):
        s = csend.Socket(family, socket.SOCK_STREAM)
        s.connect(address)
        loop = {"csend": lambda: timed(s.send, buf, n), "csend4": lambda: timed4(s, buf, n),
                "csend4local": lambda: timed4local(s, buf, n)}[who]
        elapsed = loop()
        s.shutdown(csend.SocketShutdown.SEND)
        answer = bytearray(8)
        got = 0
        while got < 8:
            got += s.receive(answer, got)
    else:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.connect(address)
        if who == "floor4":
            sys.path.insert(0, os.environ["CSEND_BENCH_DIR"])
            from csend_bench_floor import Floor
            elapsed = timed_floor(Floor(s.fileno()), buf, n)
        else:
            elapsed = timed(s.sendall if size >= 65536 else s.send, buf, n)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while len(answer) < 8:
            answer += s.recv(8 - len(answer))
    s.close()
    total = struct.unpack("<Q", bytes(answer))[0]
    if total != n * size:
        print(f"sink received {total} bytes, expected {n * size}", file=sys.stderr)
        sys.exit(3)
    print(elapsed)


if __name__ == "__main__":
    main()
