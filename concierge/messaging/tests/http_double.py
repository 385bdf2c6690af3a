"""A loopback stand-in for an SMS / WeChat provider gateway: a tiny HTTP server in a thread that records requests.

It speaks the contract of concierge/messaging/channels/http.py. Tests script its answers with `respond(...)`:
each call queues one (status, json) reply; when the queue is empty it accepts with a fresh provider id.
"""
from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    json: dict[str, Any]


@dataclass
class Gateway:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def respond(self, status: int, body: dict[str, Any] | None = None) -> None:
        with self.lock:
            self.replies.append((status, body or {}))

    def next_reply(self) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            return 200, {"id": f"prov-{next(self.ids)}", "status": "accepted"}


@contextmanager
def provider_gateway() -> Iterator[Gateway]:
    """Start the double on 127.0.0.1 (a free port) for the duration of the block."""
    gateway: Gateway

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with gateway.lock:
                gateway.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                 json.loads(raw.decode("utf-8"))))
            status, body = gateway.next_reply()
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway = Gateway(url=f"http://127.0.0.1:{server.server_address[1]}/v1/messages")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
