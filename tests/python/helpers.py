"""Sockets and the shared vector table for the Python tests."""
import select
import socket

import csend
from conftest import VECTORS


def read_vectors(path=VECTORS):
    rows = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, state, length, offset, size, flags, expect, detail = line.split()
        rows.append(dict(name=name, closed=state == "closed", buffer_len=int(length, 0),
                         offset=int(offset, 0), size=int(size, 0), flags=int(flags, 0),
                         expect=expect, detail=detail))
    return rows


def tcp_pair():
    """A csend client connected to a stdlib peer over 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        s = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.STREAM,
                         csend.ProtocolType.TCP)
        s.connect(listener.getsockname())
        peer, _ = listener.accept()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
    return s, peer


def unix_pair():
    a, b = socket.socketpair()
    s = csend.Socket.from_socket(a)
    a.close()
    return s, b


def drain(peer, quiet=0.05):
    """Everything that arrives until `quiet` seconds pass with nothing (or EOF)."""
    out = bytearray()
    while select.select([peer], [], [], quiet)[0]:
        chunk = peer.recv(1 << 20)
        if not chunk:
            break
        out += chunk
    return bytes(out)


def small_buffers(fd):
    """Shrinks the kernel buffers of a descriptor so a few hundred KiB fill them."""
    s = socket.socket(fileno=fd)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    finally:
        s.detach()


def pattern(n):
    """n bytes that are not all alike, cheaply."""
    block = bytes(range(251))
    return (block * (n // 251 + 1))[:n]
