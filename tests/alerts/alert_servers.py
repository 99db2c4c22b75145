"""Real local servers for the alert tests: an aiosmtpd SMTP server and an HTTP server.

`SMTPServer` is aiosmtpd's threaded Controller bound to 127.0.0.1 port 0 (the port the
kernel chose is read back from the listening socket); it keeps every message it receives
as raw bytes. `HookServer` is a stdlib `ThreadingHTTPServer` on port 0 that verifies the
HMAC-SHA256 signature of each POST itself (not with the code under test), can fail the
first N posts (or all of them) with 500, records every request, and serves PNG bytes
from a dict under GET. SMTP and HTTP calls return only after the server has handled
them, so tests read what the servers recorded without waiting for anything.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from PIL import Image, ImageDraw


class _Keep:
    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "raw": bytes(envelope.original_content or envelope.content)})
        return "250 OK"


class _PortZeroController(Controller):
    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        return super()._trigger_server()


class SMTPServer:
    """aiosmtpd on 127.0.0.1:0, keeping each received message."""

    def __init__(self) -> None:
        self.handler = _Keep()
        self.controller = _PortZeroController(self.handler, hostname="127.0.0.1", port=0)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages

    def parsed(self, i: int = -1) -> EmailMessage:
        return message_from_bytes(self.messages[i]["raw"], policy=policy.default)


class HookServer:
    """HTTP on 127.0.0.1:0: POST checks the signature and fails the first `fail_first` posts."""

    def __init__(self, secret: str, fail_first: int = 0, always_fail: bool = False,
                 images: dict[str, bytes] | None = None, hold_first: threading.Event | None = None) -> None:
        self.secret = secret
        self.hold_first = hold_first  # the first POST waits for this event before answering
        self.arrived = threading.Event()  # set when the first POST has come in
        self.fail_first = fail_first
        self.always_fail = always_fail
        self.images = images or {}
        self.posts: list[dict] = []  # every POST: headers, body, signature_ok, status answered
        self.gets: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802
                with server.lock:
                    server.gets.append(self.path)
                data = server.images.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ts = self.headers.get("X-Firewatch-Timestamp", "")
                expected = "sha256=" + hmac.new(server.secret.encode(), ts.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                sig_ok = hmac.compare_digest(expected, self.headers.get("X-Firewatch-Signature", ""))
                fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
                with server.lock:
                    n = len(server.posts)
                    failing = server.always_fail or n < server.fail_first
                    status = 401 if not (sig_ok and fresh) else (500 if failing else 200)
                    server.posts.append({"headers": dict(self.headers), "body": body, "signature_ok": sig_ok,
                                         "fresh": fresh, "status": status})
                if n == 0 and server.hold_first is not None:
                    server.arrived.set()
                    server.hold_first.wait(30)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"failing on purpose")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> "HookServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def delivered(self) -> list[dict]:
        """The JSON bodies of the posts answered 200."""
        return [json.loads(p["body"]) for p in self.posts if p["status"] == 200]


def png(seed: int, size: int = 64) -> bytes:
    """A PNG with a pattern that differs by seed (distinct dHashes for distinct seeds)."""
    im = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(im)
    for i in range(8):
        shade = (seed * 37 + i * 61) % 256
        x = (seed * 13 + i * 23) % size
        draw.rectangle([x, i * 8, min(size - 1, x + 20), i * 8 + 7], fill=shade)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()

