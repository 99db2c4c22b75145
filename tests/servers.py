"""The test servers, in one place: real servers on 127.0.0.1, each on a port the kernel picks.

HTTP servers are stdlib `ThreadingHTTPServer`s served from a daemon thread
(`LocalHTTPServer`); the kinds the tests need are subclasses:

- `PageServer`: fixed pages by path (any charset, extra headers, redirects), records GETs;
- `HookServer`: a webhook receiver that checks the HMAC-SHA256 signature itself (not with
  the code under test), fails the first N posts (or all of them) on purpose, can hold the
  first post until an event is set, and serves PNG bytes under GET (an image host);
- `ImageHost`: an image CDN that answers ETag and Last-Modified, honours If-None-Match and
  If-Modified-Since with 304, answers a chosen status for a path (404, 410, 403, 503...), and
  records every GET with the validators it carried and the status answered;
- `TSAServer`: a time-stamping authority that answers anything but a timestamp;
- `ForwardProxy`: an HTTP forward proxy for absolute-URI GETs, counting what it forwards.

`SMTPServer` is aiosmtpd's threaded controller (a real SMTP server) that keeps every
message. `RedisServer` is Debian's redis-server as a child process. The fixtures that start
and stop them live in tests/conftest.py (`serve`, `smtp_server`, `redis_url`). A request
to any of these servers returns only after the server has handled it, so tests read what
a server recorded without waiting for anything.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import select
import socket
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import format_datetime, parsedate_to_datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["LocalHTTPServer", "PageServer", "HookServer", "ImageHost", "TSAServer", "ForwardProxy", "SMTPServer",
           "RedisServer", "free_port", "dead_url"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listened on a moment ago (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_url() -> str:
    """http://127.0.0.1:PORT where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}"


# -- HTTP ------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """Base request handler: quiet, with `owner` (the LocalHTTPServer) and `reply()`."""

    @property
    def owner(self):
        return self.server.owner

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class LocalHTTPServer:
    """A `ThreadingHTTPServer` on 127.0.0.1 port 0 in a daemon thread; subclasses set `handler`.

    The socket is bound when the object is made (so `url` is known at once); `start()`
    begins serving, `stop()` shuts down, closes the socket and joins the thread. Also a
    context manager.
    """

    handler: type[BaseHTTPRequestHandler] = Handler

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join(10)
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _PageHandler(Handler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        owner = self.owner
        with owner.lock:
            owner.gets.append(self.path)
        if self.path in owner.redirects:
            self.reply(302, headers={"Location": owner.redirects[self.path]})
            return
        page = owner.routes.get(self.path, owner.default)
        if page is None:
            self.reply(404, b"not found", headers=owner.headers)
            return
        body, content_type = page
        self.reply(200, body, content_type, owner.headers)


class PageServer(LocalHTTPServer):
    """Serves `routes` ({path: (body bytes, content type)}); `redirects` answer 302 to
    their target; `default` (body, type) answers any other path (else 404); `headers` go on
    every answer. Every GET path is recorded in `gets`."""

    handler = _PageHandler

    def __init__(self, routes: dict[str, tuple[bytes, str]] | None = None, *,
                 redirects: dict[str, str] | None = None, default: tuple[bytes, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.routes = dict(routes or {})
        self.redirects = dict(redirects or {})
        self.default = default
        self.headers = dict(headers or {})
        self.gets: list[str] = []
        super().__init__()


class _HookHandler(Handler):
    def do_GET(self) -> None:  # noqa: N802
        owner = self.owner
        with owner.lock:
            owner.gets.append(self.path)
        data = owner.images.get(self.path)
        if data is None:
            self.reply(404)
        else:
            self.reply(200, data, "image/png")

    def do_POST(self) -> None:  # noqa: N802
        owner = self.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ts = self.headers.get("X-Firewatch-Timestamp", "")
        expected = "sha256=" + hmac.new(owner.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        sig_ok = hmac.compare_digest(expected, self.headers.get("X-Firewatch-Signature", ""))
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300  # the receiver's replay window
        with owner.lock:
            n = len(owner.posts)
            failing = owner.always_fail or n < owner.fail_first
            status = 401 if not (sig_ok and fresh) else (500 if failing else 200)
            owner.posts.append({"headers": dict(self.headers), "body": body, "signature_ok": sig_ok,
                                "fresh": fresh, "status": status})
        if n == 0 and owner.hold_first is not None:
            owner.arrived.set()
            owner.hold_first.wait(30)
        self.reply(status, b"ok" if status == 200 else b"failing on purpose")


class HookServer(LocalHTTPServer):
    """Webhook receiver and image host. POST checks the signature (401 if wrong or stale)
    and answers 500 to the first `fail_first` posts (every post while `always_fail`);
    with `hold_first`, the first POST sets `arrived` and waits for that event before
    answering. GET serves `images` ({path: PNG bytes}), else 404."""

    handler = _HookHandler

    def __init__(self, secret: str = "unused", fail_first: int = 0, always_fail: bool = False,
                 images: dict[str, bytes] | None = None, hold_first: threading.Event | None = None) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.always_fail = always_fail
        self.images = dict(images or {})
        self.hold_first = hold_first
        self.arrived = threading.Event()  # set when the first POST has come in
        self.posts: list[dict] = []  # every POST: headers, body, signature_ok, fresh, status answered
        self.gets: list[str] = []
        super().__init__()

    def stop(self) -> None:
        if self.hold_first is not None:
            self.hold_first.set()  # never leave a handler thread waiting
        super().stop()

    def delivered(self) -> list[dict]:
        """The JSON bodies of the posts answered 200."""
        return [json.loads(p["body"]) for p in self.posts if p["status"] == 200]


class _ImageHostHandler(Handler):
    protocol_version = "HTTP/1.1"  # connections kept alive, as a CDN's
    timeout = 10  # an idle kept connection is closed after this many seconds

    def setup(self) -> None:
        super().setup()
        with self.owner.lock:
            self.owner.connections += 1

    def do_GET(self) -> None:  # noqa: N802
        owner = self.owner
        asked = {"path": self.path, "if_none_match": self.headers.get("If-None-Match", ""),
                 "if_modified_since": self.headers.get("If-Modified-Since", "")}
        with owner.lock:
            status, data = owner.statuses.get(self.path), owner.images.get(self.path)
            etag, modified = owner.etags.get(self.path, ""), owner.modified.get(self.path)
            moved = owner.redirects.get(self.path)
        if moved is not None:
            with owner.lock:
                owner.requests.append({**asked, "status": 302})
            self.reply(302, b"", headers={"Location": moved})
            return
        headers = {}
        if status is None and data is None:
            status = 404
        if status is None:
            if owner.send_etag:
                headers["ETag"] = etag
            if owner.send_last_modified:
                headers["Last-Modified"] = format_datetime(modified, usegmt=True)
            status = 200
            if asked["if_none_match"]:  # RFC 9110 13.2.2: If-None-Match decides; If-Modified-Since is ignored
                if owner.send_etag and etag in [t.strip() for t in asked["if_none_match"].split(",")]:
                    status = 304
            elif asked["if_modified_since"] and owner.send_last_modified:
                try:
                    since = parsedate_to_datetime(asked["if_modified_since"])
                except (TypeError, ValueError):
                    since = None
                if since is not None and modified <= since:
                    status = 304
        with owner.lock:
            owner.requests.append({**asked, "status": status})
        if status == 304:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
        elif status == 200:
            self.reply(200, data, "image/png", headers)
        else:
            self.reply(status, b"no image here")


class ImageHost(LocalHTTPServer):
    """An image CDN: serves `images` ({path: bytes}) with an ETag (a hash of the bytes) and a
    Last-Modified (a clock that moves an hour at each `put`), answers 304 to a GET whose
    If-None-Match names the current ETag (or, without it, whose If-Modified-Since is not before
    Last-Modified), and answers `statuses[path]` (404, 410, 403, 503...) with no image where set, and a 302
    to `redirects[path]` where set.
    `send_etag` / `send_last_modified` turn each validator off. A lying host (`lie`, settable at any time)
    keeps a path's ETag and Last-Modified when `put` changes its bytes (a CDN keying its validators on the
    path), so it answers 304 to the old validators for ever. Every GET is kept in `requests`
    (path, the validators it carried, the status answered); connections are kept alive (HTTP/1.1)
    and counted in `connections`."""

    handler = _ImageHostHandler

    def __init__(self, images: dict[str, bytes] | None = None, send_etag: bool = True,
                 send_last_modified: bool = True, lie: bool = False) -> None:
        self.send_etag = send_etag
        self.send_last_modified = send_last_modified
        self.lie = lie
        self.images: dict[str, bytes] = {}
        self.etags: dict[str, str] = {}
        self.modified: dict[str, datetime] = {}
        self.statuses: dict[str, int] = {}
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        self.requests: list[dict] = []
        self.connections = 0
        self._clock = datetime(2026, 11, 1, tzinfo=timezone.utc)
        super().__init__()
        for path, data in (images or {}).items():
            self.put(path, data)

    def put(self, path: str, data: bytes) -> None:
        """Serve `data` at `path` from now on (a new ETag, Last-Modified an hour later than any before; a lying
        host keeps the validators a path already has)."""
        with self.lock:
            self._clock += timedelta(hours=1)
            self.images[path] = data
            if self.lie and path in self.etags:
                return
            self.etags[path] = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
            self.modified[path] = self._clock

    def gets(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def count(self, status: int | None = None) -> int:
        """GETs answered (with `status` only)."""
        with self.lock:
            return sum(1 for r in self.requests if status is None or r["status"] == status)


class _TSAHandler(Handler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.owner.lock:
            self.owner.seen.append((self.headers["Content-Type"], body))
        self.reply(200, b"\x30\x03\x02\x01\x02", "application/timestamp-reply")  # DER, but no TimeStampResp


class TSAServer(LocalHTTPServer):
    """A TSA that answers anything but a timestamp (what a broken or hostile one does);
    `seen` holds (content type, body) of every query."""

    handler = _TSAHandler

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []
        super().__init__()


HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
              "te", "trailer", "transfer-encoding", "upgrade"}


class _ProxyHandler(Handler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802
        owner = self.owner
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute http URI expected")
            return
        with owner.lock:
            owner.count += 1
            owner.paths.append(target.path)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        try:
            conn.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
            upstream = conn.getresponse()
            body = upstream.read()
        except OSError as exc:
            self.send_error(502, f"upstream failed: {exc}")
            return
        finally:
            conn.close()
        self.send_response(upstream.status, upstream.reason)
        for key, value in upstream.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


    def do_CONNECT(self) -> None:  # noqa: N802 - an HTTPS tunnel: bytes both ways until either side closes
        owner = self.owner
        host, _, port = self.path.rpartition(":")
        with owner.lock:
            owner.count += 1
            owner.paths.append(f"CONNECT {self.path}")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=30)
        except (OSError, ValueError) as exc:
            self.send_error(502, f"upstream failed: {exc}")
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        client = self.connection
        with upstream:
            sockets = [client, upstream]
            while True:
                readable, _, broken = select.select(sockets, [], sockets, 30)
                if broken or not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)


class ForwardProxy(LocalHTTPServer):
    """An HTTP forward proxy: GET with an absolute URI, forwarded with http.client, and CONNECT
    tunnels for HTTPS; `count` and `paths` record what it forwarded (one count per tunnel)."""

    handler = _ProxyHandler

    def __init__(self) -> None:
        self.count = 0
        self.paths: list[str] = []
        super().__init__()


# -- SMTP ------------------------------------------------------------------------------------

class _Keep:
    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "raw": bytes(envelope.original_content or envelope.content)})
        return "250 OK"


def _controller(handler):
    from aiosmtpd.controller import Controller

    class PortZeroController(Controller):
        def _trigger_server(self):  # read back the port the kernel chose
            self.port = self.server.sockets[0].getsockname()[1]
            return super()._trigger_server()

    return PortZeroController(handler, hostname="127.0.0.1", port=0)


class SMTPServer:
    """aiosmtpd on 127.0.0.1 port 0 in its own thread, keeping each received message."""

    def __init__(self) -> None:
        self.handler = _Keep()
        self.controller = _controller(self.handler)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        if getattr(self.controller, "_thread", None) is not None:
            self.controller.stop()

    def restart(self) -> "SMTPServer":
        """Start again (on a new port) after `stop()`, keeping the messages received so far."""
        self.stop()
        self.controller = _controller(self.handler)
        return self.start()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages

    def parsed(self, i: int = -1) -> EmailMessage:
        return message_from_bytes(self.messages[i]["raw"], policy=policy.default)


# -- Redis -----------------------------------------------------------------------------------

class RedisServer:
    """Debian's redis-server on 127.0.0.1 (no persistence) as a child process."""

    EXECUTABLE = "/usr/bin/redis-server"

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, attempts: int = 3) -> "RedisServer":
        for _ in range(attempts):  # a free port can be taken between probe and bind; try another
            self.port = free_port()
            self.proc = subprocess.Popen([self.EXECUTABLE, "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
                                          "--logfile", ""], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if self._wait_ready():
                return self
            self.proc.kill()
            self.proc.wait(timeout=10)
        raise RuntimeError(f"redis-server did not start in {attempts} attempts")

    def _wait_ready(self, timeout: float = 20.0) -> bool:
        """Read redis-server's log until it accepts connections, then PING it."""
        import redis

        deadline = time.monotonic() + timeout
        buffered = b""
        while b"Ready to accept connections" not in buffered:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                return False
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                buffered += chunk
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        try:
            for _ in range(20):  # bounded: the log line says it is up, PING confirms
                try:
                    return bool(client.ping())
                except redis.ConnectionError:
                    continue
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()
