"""The Python contenders: csend's send, CPython's socket.send (per call) or
socket.sendall (throughput).
Usage: python bench_py.py csend|socket tcp|unix ADDRESS SIZE N
Prints the nanoseconds the N sends took; exits 3 when the sink did not
receive exactly N x SIZE bytes."""
import socket
import struct
import sys
import time

import csend


def timed(send, buf, n):
    # A function with the method bound to a local: the loop a user would write.
    t0 = time.perf_counter_ns()
    for _ in range(n):
        send(buf)
    return time.perf_counter_ns() - t0


def main():
    who, transport, where, size, n = sys.argv[1:6]
    size, n = int(size), int(n)
    family = socket.AF_UNIX if transport == "unix" else socket.AF_INET
    address = where if transport == "unix" else ("127.0.0.1", int(where))
    buf = bytearray(b"x" * size)
    if who == "csend":
        s = csend.Socket(family, socket.SOCK_STREAM)
        s.connect(address)
        elapsed = timed(s.send, buf, n)
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
