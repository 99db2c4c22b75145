"""Alert senders (e-mail, signed webhook) behind one interface, delivery with retries, dead letters.

`deliver_pending(store, senders, policy)` sends each channel its undelivered alerts under the
channel's delivery lock, so none goes out twice; a batch that fails every attempt becomes a dead
letter (its alerts stay unsent) for `retry_dead_letters`. Senders raise `DeliveryError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

import httpx
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from firewatch.core.clock import show_date, show_time
from firewatch.core.models import utcnow
from firewatch.core.settings import AlertsSettings, Settings
from firewatch.store import Store
from firewatch.core.retry import backoff_delay, retry_call

from .exceptions import AlertsConfigError, DeliveryError
from .rules import rule_name

log = logging.getLogger(__name__)
_DEFAULTS = AlertsSettings()  # the schema's defaults, for senders and policies built directly

TEMPLATES = Path(__file__).parent / "templates"
SIGNATURE_HEADER = "X-Firewatch-Signature"
TIMESTAMP_HEADER = "X-Firewatch-Timestamp"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


class Sender(Protocol):
    """Delivers one payload (a batch of alerts or a digest) or raises DeliveryError."""

    channel: str

    def deliver(self, payload: dict[str, Any]) -> None: ...


# -- payloads ----------------------------------------------------------------------------
MAX_TEXT = 2000  # characters of one seller-written value carried in an alert


def clean(value: Any) -> Any:
    """Seller text made deliverable: lone surrogates (not UTF-8) become U+FFFD and a value
    longer than MAX_TEXT is cut with '…', so one hostile title can neither stop a batch
    (an encoding error on every run) nor swell an e-mail to megabytes."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            value = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def alerts_payload(alerts: Iterable[Any]) -> dict[str, Any]:
    """The JSON-ready batch of stored alerts (AlertRecord) that every sender delivers."""
    items = []
    counts: dict[str, int] = {}
    for a in alerts:
        d = clean(a.to_dict())
        d["rule_name"] = rule_name(a.rule)
        items.append(d)
        counts[a.rule] = counts.get(a.rule, 0) + 1
    return {"type": "alerts", "generated_at": utcnow().isoformat(), "count": len(items),
            "counts": [{"rule": r, "name": rule_name(r), "count": n} for r, n in counts.items()], "alerts": items}


def subject_for(payload: dict[str, Any]) -> str:
    """'[firewatch] 新标记商品 3 条', or the total and each rule's count for a mixed batch."""
    if payload["type"] == "digest":
        return f"[firewatch] 每日告警汇总 {payload['day']}：共 {payload['total']} 条"
    counts = payload["counts"]
    if len(counts) == 1:
        return f"[firewatch] {counts[0]['name']} {counts[0]['count']} 条"
    parts = "、".join(f"{c['name']} {c['count']} 条" for c in counts)
    return f"[firewatch] 告警 {payload['count']} 条：{parts}"


# -- e-mail ------------------------------------------------------------------------------
def one_line(value: Any) -> str:
    """Seller text on one line: control characters and line breaks become one space."""
    return _CONTROL_RE.sub(" ", "" if value is None else str(value)).strip()


def safe_url(value: Any) -> str:
    """The URL when it is http(s), else '' (no javascript: or data: links in mail)."""
    text = one_line(value)
    return text if re.match(r"https?://", text, re.I) else ""


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["one_line"] = one_line
    env.filters["safe_url"] = safe_url
    env.filters["beijing"] = show_time
    env.filters["beijing_date"] = show_date
    return env


_env: Environment | None = None


def render(payload: dict[str, Any]) -> tuple[str, str]:
    """(plain text, HTML) of a payload from alert_email.* or alert_digest.*."""
    global _env
    if _env is None:
        _env = _environment()
    name = "alert_digest" if payload["type"] == "digest" else "alert_email"
    ctx = {"p": payload, "subject": subject_for(payload)}
    return _env.get_template(f"{name}.txt").render(ctx), _env.get_template(f"{name}.html").render(ctx)


def _check_address(value: str, what: str) -> str:
    if not value or _CONTROL_RE.search(value):
        raise AlertsConfigError(f"alerts.{what}: {value!r} is not a usable e-mail address")
    return value


class EmailSender:
    """Multipart (text + HTML) Chinese e-mail over SMTP, optionally STARTTLS/TLS and login."""

    channel = "email"

    def __init__(self, host: str, port: int, sender: str, to: list[str], starttls: bool = False,
                 use_ssl: bool = False, username: str = "", password: str = "",
                 timeout: float = _DEFAULTS.smtp_timeout) -> None:
        self.host, self.port = host, int(port)
        self.sender = _check_address(sender, "smtp_from")
        self.to = [_check_address(t, "smtp_to") for t in to]
        if not self.to:
            raise AlertsConfigError("alerts.smtp_to: no recipient")
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password, self.timeout = username, password, timeout

    def message(self, payload: dict[str, Any]) -> EmailMessage:
        text, html = render(payload)
        msg = EmailMessage()
        # Only our own words go into headers; the templates put seller text on one line (one_line),
        # so it can never start a header or a line of its own.
        msg["Subject"] = one_line(subject_for(payload))
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="firewatch.local")
        msg.set_content(text, charset="utf-8")
        msg.add_alternative(html, subtype="html", charset="utf-8")
        return msg

    def deliver(self, payload: dict[str, Any]) -> None:
        msg = self.message(payload)
        try:
            if self.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.starttls and not self.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=self.to)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc
        if refused:
            log.warning("SMTP %s:%s refused recipients %s", self.host, self.port, sorted(refused))


# -- webhook -----------------------------------------------------------------------------
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """'sha256=<hex>' of HMAC-SHA256(secret, timestamp + '.' + body)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300,
                     now: float | None = None) -> bool:
    """A receiver's check: the signature matches and the timestamp is at most `max_age` s old."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(age) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


class WebhookSender:
    """JSON POST signed with HMAC-SHA256 (timestamp included in the signed material)."""

    def __init__(self, url: str, secret: str, timeout: float = _DEFAULTS.webhook_timeout, user_agent: str = "firewatch-alerts",
                 client: httpx.Client | None = None) -> None:
        if not re.match(r"https?://", url or ""):
            raise AlertsConfigError(f"alerts.webhook_url: {url!r} is not an http(s) URL")
        if not secret:
            raise AlertsConfigError("alerts.webhook_secret is empty: receivers could not tell our posts from forgeries")
        self.url, self.secret, self.timeout = url, secret, timeout
        self.channel = "webhook"
        self.user_agent = user_agent
        self._client = client

    @staticmethod
    def body(payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()

    def deliver(self, payload: dict[str, Any]) -> None:
        body = self.body(payload)
        timestamp = str(int(time.time()))  # signed afresh on every attempt
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent,
                   TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(self.secret, timestamp, body)}
        try:
            if self._client is not None:
                resp = self._client.post(self.url, content=body, headers=headers, timeout=self.timeout)
            else:
                with httpx.Client(timeout=self.timeout) as client:
                    resp = client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {self.url}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= resp.status_code < 300:
            raise DeliveryError(f"webhook {self.url}: HTTP {resp.status_code} {one_line(resp.text[:200])}")


# -- delivery ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryPolicy:
    """Attempts per delivery and the exponential backoff between them (seconds)."""

    max_attempts: int = _DEFAULTS.max_attempts
    backoff: float = _DEFAULTS.backoff_seconds
    backoff_max: float = _DEFAULTS.backoff_max_seconds

    def delay(self, attempt: int) -> float:
        """Wait after failed attempt number `attempt` (1-based): backoff * 2^(attempt-1), capped."""
        return backoff_delay(attempt, self.backoff, self.backoff_max)


def deliver_with_retry(sender: Sender, payload: dict[str, Any], policy: DeliveryPolicy,
                       sleep: Callable[[float], None] = time.sleep) -> tuple[bool, int, str]:
    """Try up to policy.max_attempts times; returns (delivered, attempts made, last error)."""

    def once(attempt: int) -> int:
        sender.deliver(payload)
        return attempt

    def failed(attempt: int, exc: BaseException, wait: float | None) -> None:
        log.warning("%s: attempt %d/%d failed: %s", sender.channel, attempt, policy.max_attempts, exc)

    try:
        return True, retry_call(once, attempts=policy.max_attempts, retry_on=DeliveryError, backoff=policy.backoff,
                                backoff_max=policy.backoff_max, on_failure=failed, sleep=sleep), ""
    except DeliveryError as exc:
        return False, max(1, policy.max_attempts), str(exc)


@dataclass
class ChannelResult:
    channel: str
    delivered: int = 0
    failed: int = 0
    attempts: int = 0
    error: str = ""
    dead_letter: int | None = None
    busy: bool = False  # another send held this channel: nothing done here


def deliver_pending(store: Store, senders: list[Sender], policy: DeliveryPolicy) -> list[ChannelResult]:
    """Send each channel its undelivered new alerts, one batch per channel.

    A batch that fails every attempt becomes a dead letter; its alerts stay `new`, so the
    next run (or `retry_dead_letters`) tries again. A channel that delivered an alert
    never gets it again.
    """
    channels = [s.channel for s in senders]
    store.alerts.settle_sent(channels)
    results = []
    for sender in senders:
        result = ChannelResult(sender.channel)
        results.append(result)
        with store.alerts.delivery_lock(sender.channel) as mine:
            if not mine:
                result.busy = True
                log.warning("%s: another send is delivering on this channel; skipped", sender.channel)
                continue
            alerts = store.alerts.unsent_alerts(sender.channel)
            if not alerts:
                continue
            ids = [a.id for a in alerts]
            payload = alerts_payload(alerts)
            ok, result.attempts, result.error = deliver_with_retry(sender, payload, policy)
            if ok:
                store.alerts.mark_delivered(ids, sender.channel, channels)
                result.delivered = len(ids)
            else:
                result.failed = len(ids)
                result.dead_letter = store.alerts.add_dead_letter(sender.channel, "alerts", ids, payload,
                                                           result.attempts, result.error)
    return results


def retry_dead_letters(store: Store, senders: list[Sender], policy: DeliveryPolicy,
                       rebuild_digest: Callable[[str], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Try every open dead letter again on its channel (if still configured).

    Alerts are re-sent only where that channel has not delivered them since (the batch is
    rebuilt from the store); a digest is re-sent unless that day's digest went out since.
    """
    by_channel = {s.channel: s for s in senders}
    channels = list(by_channel)
    report = []
    for dead in store.alerts.dead_letters():
        sender = by_channel.get(dead.channel)
        entry = {"id": dead.id, "channel": dead.channel, "kind": dead.kind, "ok": False, "note": ""}
        report.append(entry)
        if sender is None:
            entry["note"] = "channel not configured"
            continue
        with store.alerts.delivery_lock(dead.channel) as mine:
            if not mine:
                entry["note"] = "another send is delivering on this channel; try again later"
                continue
            _retry_one(store, sender, dead, entry, policy, channels, rebuild_digest)
    return report


def _retry_one(store: Store, sender: Sender, dead: Any, entry: dict[str, Any], policy: DeliveryPolicy,
               channels: list[str], rebuild_digest: Callable[[str], dict[str, Any]] | None) -> None:
    """One dead letter again, under its channel's delivery lock."""
    if dead.kind == "alerts":
        pending = {a.id: a for a in store.alerts.unsent_alerts(dead.channel)}
        alerts = [pending[i] for i in dead.alert_ids if i in pending]
        if not alerts:
            store.alerts.record_dead_letter_retry(dead.id, ok=True)
            entry.update(ok=True, note="already delivered")
            return
        payload = alerts_payload(alerts)
    else:
        day = dead.payload.get("day", "")
        if store.alerts.digest_sent(day, dead.channel):
            store.alerts.record_dead_letter_retry(dead.id, ok=True)
            entry.update(ok=True, note="already delivered")
            return
        payload = rebuild_digest(day) if rebuild_digest else dead.payload
    ok, attempts, error = deliver_with_retry(sender, payload, policy)
    if ok and dead.kind == "alerts":
        store.alerts.mark_delivered([a.id for a in alerts], dead.channel, channels)
    elif ok:
        store.alerts.mark_digest_sent(payload["day"], dead.channel)
    store.alerts.record_dead_letter_retry(dead.id, ok=ok, attempts=attempts, error=error)
    entry.update(ok=ok, note=error)


def policy_from_settings(settings: Settings) -> DeliveryPolicy:
    a = settings.alerts
    return DeliveryPolicy(a.max_attempts, a.backoff_seconds, a.backoff_max_seconds)


def senders_from_settings(settings: Settings) -> list[Sender]:
    """The configured channels: e-mail when smtp_host and smtp_to are set, webhook when webhook_url is."""
    a = settings.alerts
    senders: list[Sender] = []
    if a.smtp_host and a.smtp_to:
        senders.append(EmailSender(a.smtp_host, a.smtp_port, a.smtp_from, list(a.smtp_to), a.smtp_starttls,
                                   a.smtp_ssl, a.smtp_username, a.smtp_password, a.smtp_timeout))
    if a.webhook_url:
        senders.append(WebhookSender(a.webhook_url, a.webhook_secret, a.webhook_timeout))
    return senders
