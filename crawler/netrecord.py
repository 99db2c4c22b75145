"""Record a page's network traffic over the Chrome DevTools Protocol and write it as WARC.

`NetworkRecorder(cdp)` pauses each response (CDP `Fetch`) to keep its raw body, before any charset
decoding, with its headers and server IP; requests that routing aborted are not seen. `warc_bytes`
writes the exchanges as a gzipped WARC 1.1 file (warcio), with the aborted and failed requests.
"""

from __future__ import annotations

import asyncio
import base64
import http
import io
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)

WARC_NAME = "page.warc.gz"
WARC_MEDIA_TYPE = "application/warc"
# Chromium hands bodies decompressed: these headers are renamed X-Firewatch-Original-... and
# Content-Length fixed (as Webrecorder's crawlers do), or a WARC reader would decode twice.
_RENAMED = {"content-encoding", "transfer-encoding"}

__all__ = ["Exchange", "NetworkRecorder", "WARC_MEDIA_TYPE", "WARC_NAME", "warc_bytes"]


@dataclass
class Exchange:
    """One request and its response as seen at the network boundary."""

    url: str
    method: str
    resource_type: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    status_text: str
    response_headers: list[tuple[str, str]]
    body: bytes | None  # None: no body (redirect, HEAD, 204) or it could not be read
    at: datetime
    network_id: str = ""
    hop: int = 0  # position in the request's redirect chain
    server_ip: str | None = None
    server_port: int | None = None
    protocol: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    """CDP headers (a {name: value} dict or a [{name, value}] list) as (name, value) pairs."""
    if isinstance(headers, Mapping):
        out = []
        for name, value in headers.items():  # CDP joins repeated headers with "\n"
            out.extend((str(name), v) for v in str(value).split("\n"))
        return out
    return [(str(h.get("name", "")), str(h.get("value", ""))) for h in headers or ()]


class NetworkRecorder:
    """Collects `Exchange`s for one page through its CDP session `cdp` (async API).

    Use: `await start()` before navigating, `await stop()` once the page has settled,
    then read `exchanges` (in arrival order). Handlers never raise into the page: a
    response whose body cannot be read is still let through and recorded without body.
    """

    def __init__(self, cdp: Any, clock: Callable[[], datetime] | None = None) -> None:
        self.cdp = cdp
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.exchanges: list[Exchange] = []
        self.failed: list[str] = []  # requests that got no response (network errors)
        self._tasks: set[asyncio.Task[None]] = set()
        self._hops: dict[str, int] = {}
        self._net: dict[tuple[str, str], dict[str, Any]] = {}
        self._sent_headers: dict[str, list[list[tuple[str, str]]]] = {}
        self._recording = False

    async def start(self) -> None:
        self.cdp.on("Fetch.requestPaused", self._on_paused)
        self.cdp.on("Network.responseReceived", self._on_response)
        self.cdp.on("Network.requestWillBeSent", self._on_request)
        self.cdp.on("Network.requestWillBeSentExtraInfo", self._on_request_extra)
        # The Network domain adds what Fetch does not say: server IP and port, protocol, and the
        # request headers the network stack really sent (`...ExtraInfo`).
        await self.cdp.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
        await self.cdp.send("Fetch.enable", {"patterns": [
            {"urlPattern": "*", "requestStage": "Response"}]})
        self._recording = True

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop pausing responses and wait (up to `timeout` s) for handlers in flight."""
        if self._recording:
            self._recording = False
            try:
                await self.cdp.send("Fetch.disable")
            except Exception:  # page or session already gone
                log.debug("Fetch.disable failed", exc_info=True)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        for ex in self.exchanges:
            info = self._net.get((ex.network_id, ex.url), {})
            ex.server_ip = ex.server_ip or info.get("ip")
            ex.server_port = ex.server_port or info.get("port")
            ex.protocol = ex.protocol or info.get("protocol", "")
            if not ex.status_text:
                ex.status_text = info.get("status_text", "")
            sent = self._sent_headers.get(ex.network_id, [])
            if ex.hop < len(sent) and sent[ex.hop]:
                ex.request_headers = sent[ex.hop]

    # -- CDP event handlers (called in the event loop) ----------------------------------

    def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._handle_paused(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_paused(self, event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        request = event.get("request", {})
        status = int(event.get("responseStatusCode") or 0)
        if not status:  # the request failed (responseErrorReason): no response to keep
            self.failed.append(f"{request.get('url', '')} ({event.get('responseErrorReason', '?')})")
            try:
                await self.cdp.send("Fetch.continueRequest", {"requestId": request_id})
            except Exception:
                log.debug("could not continue failed %s", request.get("url"), exc_info=True)
            return
        body: bytes | None = None
        try:
            if status and not 300 <= status < 400:
                got = await self.cdp.send("Fetch.getResponseBody", {"requestId": request_id})
                data = got.get("body", "")
                body = base64.b64decode(data) if got.get("base64Encoded") else data.encode("utf-8")
        except Exception:  # no body (HEAD, 204...): the page still loads
            log.debug("no body for %s", request.get("url"), exc_info=True)
        finally:
            try:
                await self.cdp.send("Fetch.continueResponse", {"requestId": request_id})
            except Exception:
                try:
                    await self.cdp.send("Fetch.continueRequest", {"requestId": request_id})
                except Exception:  # the page went away meanwhile
                    log.debug("could not continue %s", request.get("url"), exc_info=True)
        network_id = str(event.get("networkId") or "")
        hop = self._hops.get(network_id, 0)
        self._hops[network_id] = hop + 1
        post = request.get("postData")
        self.exchanges.append(Exchange(
            url=str(request.get("url", "")),
            method=str(request.get("method", "GET")),
            resource_type=str(event.get("resourceType", "")),
            request_headers=_pairs(request.get("headers", {})),
            request_body=post.encode("utf-8") if isinstance(post, str) else None,
            status=status,
            status_text=str(event.get("responseStatusText") or ""),
            response_headers=_pairs(event.get("responseHeaders", [])),
            body=body,
            at=self.clock(),
            network_id=network_id,
            hop=hop,
        ))

    def _remember(self, request_id: str, response: Mapping[str, Any]) -> None:
        self._net[(request_id, str(response.get("url", "")))] = {
            "ip": response.get("remoteIPAddress") or None,
            "port": response.get("remotePort") or None,
            "protocol": str(response.get("protocol") or ""),
            "status_text": str(response.get("statusText") or ""),
        }

    def _on_response(self, event: dict[str, Any]) -> None:
        self._remember(str(event.get("requestId", "")), event.get("response", {}))

    def _on_request(self, event: dict[str, Any]) -> None:
        redirect = event.get("redirectResponse")
        if redirect:
            self._remember(str(event.get("requestId", "")), redirect)

    def _on_request_extra(self, event: dict[str, Any]) -> None:
        headers = _pairs(event.get("headers", {}))
        self._sent_headers.setdefault(str(event.get("requestId", "")), []).append(headers)


# --- WARC ------------------------------------------------------------------------------


def _warc_date(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _http_version(protocol: str) -> str:
    return "HTTP/1.0" if protocol.lower() == "http/1.0" else "HTTP/1.1"


def _response_headers(ex: Exchange) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    length = len(ex.body) if ex.body is not None else None
    for name, value in ex.response_headers:
        low = name.lower()
        if low in _RENAMED:
            headers.append((f"X-Firewatch-Original-{name}", value))
        elif low == "content-length" and length is not None and value.strip() != str(length):
            headers.append((f"X-Firewatch-Original-{name}", value))
        elif low == "content-length" and length is not None:
            headers.append((name, value))
        else:
            headers.append((name, value))
    if length is not None and not any(n.lower() == "content-length" for n, _ in headers):
        headers.append(("Content-Length", str(length)))
    return headers


def _request_headers(ex: Exchange) -> list[tuple[str, str]]:
    headers = [(n, v) for n, v in ex.request_headers if not n.startswith(":")]
    if not any(n.lower() == "host" for n, _ in headers):
        parts = urlsplit(ex.url)
        headers.insert(0, ("Host", parts.netloc))
    return headers


def warc_bytes(
    exchanges: Iterable[Exchange],
    *,
    software: str,
    browser_version: str,
    info: Mapping[str, Any] | None = None,
    aborted: Iterable[str] = (),
    failed: Iterable[str] = (),
    target_url: str = "",
    at: datetime | None = None,
) -> bytes:
    """A gzipped WARC 1.1 file of `exchanges`: a warcinfo record naming software and browser, a
    request and a response record per exchange (linked by WARC-Concurrent-To, with
    WARC-IP-Address where known), and a metadata record listing aborted and failed requests."""

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    fields = {"software": software, "browser": f"Chromium {browser_version}",
              "format": "WARC File Format 1.1",
              "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
    fields.update({k: str(v) for k, v in (info or {}).items()})
    warcinfo = writer.create_warcinfo_record(WARC_NAME, fields)
    if at is not None:
        warcinfo.rec_headers.replace_header("WARC-Date", _warc_date(at))
    writer.write_record(warcinfo)
    for ex in exchanges:
        parts = urlsplit(ex.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        version = _http_version(ex.protocol)
        date = _warc_date(ex.at)
        req_body = ex.request_body or b""
        request = writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(req_body), length=len(req_body),
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(f"{ex.method} {target} {version}", _request_headers(ex),
                                          is_http_request=True))
        phrase = ex.status_text
        if not phrase:
            try:
                phrase = http.HTTPStatus(ex.status).phrase
            except ValueError:
                phrase = ""
        body = ex.body or b""
        resp_warc = {"WARC-Date": date}
        if ex.server_ip:
            resp_warc["WARC-IP-Address"] = ex.server_ip
        response = writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(body), length=len(body),
            warc_headers_dict=resp_warc,
            http_headers=StatusAndHeaders(f"{ex.status} {phrase}".strip(), _response_headers(ex),
                                          protocol=version))
        request.rec_headers.add_header("WARC-Concurrent-To",
                                       response.rec_headers.get_header("WARC-Record-ID"))
        if ex.server_ip:
            request.rec_headers.add_header("WARC-IP-Address", ex.server_ip)
        writer.write_record(response)
        writer.write_record(request)
    aborted, failed = list(aborted), list(failed)
    if aborted or failed:
        meta = json.dumps({"aborted_requests": aborted, "aborted_reason": "host not allowed",
                           "failed_requests": failed}, ensure_ascii=False).encode("utf-8")
        record = writer.create_warc_record(
            target_url or "urn:firewatch:capture", "metadata", payload=io.BytesIO(meta),
            length=len(meta), warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": _warc_date(at) if at else _warc_date(datetime.now(timezone.utc))})
        writer.write_record(record)
    return buf.getvalue()
