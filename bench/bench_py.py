"""The Python contenders: csend's send, CPython's socket.send (per call) or
socket.sendall (throughput).
Usage: python bench_py.py csend|csend4|csend4local|socket tcp|unix ADDRESS SIZE N
(csend4: the four-argument form .NET code ports to,
s.send(buf, 0, len(buf), SocketFlags.NONE); csend4local: the same with the
flags value in a local, which leaves csend's own share)
Prints the nanoseconds the N sends took; exits 3 when the sink did not
receive exactly N x SIZE bytes."""
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
