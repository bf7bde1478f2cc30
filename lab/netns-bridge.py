#!/usr/bin/env python3
"""Reaches a TCP port inside a lab namespace from the root namespace: listens on 127.0.0.1 (an ephemeral port,
printed on the first line) here, then enters namespace NS and connects each accepted client to 127.0.0.1:PORT
there. The tests drive a Chromium that runs in a home namespace through it (its DevTools port is on that
namespace's loopback). Usage: netns-bridge.py NS PORT. Ends when its standard input closes."""
import ctypes
import os
import selectors
import socket
import sys

CLONE_NEWNET = 0x40000000


def main():
    namespace, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/run/netns/{namespace}") as handle:
        if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
            sys.exit(f"setns {namespace}: {os.strerror(ctypes.get_errno())}")
    print(listener.getsockname()[1], flush=True)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    peers = {}
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not sys.stdin.buffer.read1(4096):
                    return
            elif key.fileobj is listener:
                client, _ = listener.accept()
                inner = socket.create_connection(("127.0.0.1", port))
                peers[client], peers[inner] = inner, client
                selector.register(client, selectors.EVENT_READ)
                selector.register(inner, selectors.EVENT_READ)
            else:
                source = key.fileobj
                data = b""
                try:
                    data = source.recv(65536)
                except OSError:
                    pass
                if data:
                    peers[source].sendall(data)
                else:
                    other = peers.pop(source)
                    peers.pop(other, None)
                    for end in (source, other):
                        selector.unregister(end)
                        end.close()


if __name__ == "__main__":
    main()
