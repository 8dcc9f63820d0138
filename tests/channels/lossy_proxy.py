"""A loopback HTTP proxy that loses answers: the request reaches the server, the answer never
comes back (the connection is cut), as when a network drops after the server did the work.

``LossyProxy(upstream_port, lose=predicate)`` forwards each request (one per connection, as
``urllib`` sends them) and, for requests ``lose(first_line)`` picks, drops the answer the first
``times`` times. ``seen`` lists every request line it forwarded.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable
from typing import Any


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class LossyProxy:
    def __init__(self, upstream_port: int, lose: Callable[[str], bool], times: int = 1) -> None:
        self.upstream_port = upstream_port
        self.lose = lose
        self.left = times
        self.seen: list[str] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy.handle(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        request = _read_request(conn)
        if not request:
            return
        first = request.split(b"\r\n", 1)[0].decode("latin-1")
        with self.lock:
            self.seen.append(first)
            drop = self.lose(first) and self.left > 0
            if drop:
                self.left -= 1
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10) as upstream:
            upstream.sendall(request)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        if drop:
            conn.shutdown(socket.SHUT_RDWR)  # the server did it; the client never hears
            return
        conn.sendall(answer)

    def __enter__(self) -> LossyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
