"""The seed's example in Python: Send(msg, 0, msg.Length, SocketFlags.None)."""
import threading

import csend


def serve(listener):
    with listener.accept() as conn:
        buf = bytearray(64)
        n = conn.receive(buf)
        conn.send(buf, 0, n, csend.SocketFlags.NONE)


def main():
    with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.STREAM,
                      csend.ProtocolType.TCP) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        server = threading.Thread(target=serve, args=(listener,))
        server.start()
        with csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.STREAM,
                          csend.ProtocolType.TCP) as s:
            s.connect(listener.local_endpoint)
            msg = b"This is a test"
            sent = s.send(msg, 0, len(msg), csend.SocketFlags.NONE)
            print(f"Sent {sent} bytes.")
            reply = bytearray(64)
            n = s.receive(reply)
            print(f"Received {n} bytes: {reply[:n].decode()}")
            server.join()

            print("\nThe exceptions of send, on purpose:")
            for call, args in [("send(None, 0, 0)", (None, 0, 0)),
                               ("send(msg, -1, 14)", (msg, -1, 14)),
                               ("send(msg, 4, 11)", (msg, 4, 11)),
                               ("send(msg, 0, 14, SocketFlags.PEEK)",
                                (msg, 0, 14, csend.SocketFlags.PEEK))]:
                try:
                    s.send(*args)
                except (csend.ArgumentException, csend.SocketException) as e:
                    print(f"  {call:36} -> {type(e).__name__}: {e}")
        try:
            s.send(msg)
        except csend.ObjectDisposedException as e:
            print(f"  {'send(msg) after close':36} -> {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
