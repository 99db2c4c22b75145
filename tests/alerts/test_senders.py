"""Senders against real local servers: e-mail into aiosmtpd, webhooks into an HTTP server
that checks the HMAC and fails on purpose; retries, dead letters, never sent twice."""

from __future__ import annotations

import json
import time
from datetime import timezone

import pytest

from alerts.digest import send_digest, today
from alerts.exceptions import AlertsConfigError, DeliveryError
from alerts.senders import (
    DeliveryPolicy,
    alerts_payload,
    EmailSender,
    WebhookSender,
    deliver_pending,
    deliver_with_retry,
    retry_dead_letters,
    senders_from_settings,
    sign,
    verify_signature,
)
from firewatch.core.settings import load_settings
from firewatch.store import open_store

from tests.servers import HookServer

SECRET = "s3cret-测试"
FAST = DeliveryPolicy(max_attempts=4, backoff=0.001, backoff_max=0.005)
HOSTILE = "<script>alert(1)</script>灭火器"
INJECT = "正品灭火器\r\nBcc: x@y"


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture()
def smtp(smtp_server):
    return smtp_server


@pytest.fixture()
def hook_factory(serve):
    return lambda **kw: serve(HookServer, SECRET, **kw)


def raise_alerts(store, n=2):
    titles = [HOSTILE, INJECT, "烟雾报警器"]
    return store.alerts.add_alerts([
        {"rule": "new_flagged", "dedupe_key": f"new_flagged:jd:{i}", "platform": "jd", "listing_id": str(i),
         "summary": f"新标记商品：京东 {i}，风险分 0.90（手提式灭火器）",
         "details": {"title": titles[i % 3], "url": "javascript:alert(2)" if i == 0 else f"https://jd.example/{i}",
                     "shop_name": "<b>店</b>", "price": "9.90", "category_name": "手提式灭火器", "risk_score": 0.9,
                     "reasons": [{"code": "no_certification", "name": "声明或暗示未取得强制性产品认证（3C）"}]}}
        for i in range(n)])


def email_sender(smtp):
    return EmailSender("127.0.0.1", smtp.port, "firewatch@example.org", ["duty@example.org", "lead@example.org"],
                       timeout=10)


def test_email_is_chinese_multipart_escaped_and_cannot_gain_headers(store, smtp):
    ids = raise_alerts(store, 2)
    [result] = deliver_pending(store, [email_sender(smtp)], FAST)
    assert result.delivered == 2 and result.failed == 0
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope["to"] == ["duty@example.org", "lead@example.org"]  # no x@y smuggled in
    msg = smtp.parsed()
    assert msg["Subject"] == "[firewatch] 新标记商品 2 条"
    assert msg["Bcc"] is None and msg["To"] == "duty@example.org, lead@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "新标记商品" in text and "声明或暗示未取得强制性产品认证" in text
    assert "正品灭火器 Bcc: x@y" in text  # kept, on one line
    assert not any(line.lstrip().startswith("Bcc:") for line in text.splitlines())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>店</b>" not in html and "&lt;b&gt;店&lt;/b&gt;" in html
    assert "javascript:" not in html and 'href="https://jd.example/1"' in html
    assert all(store.alerts.get_alert(i).state == "sent" for i in ids)
    # a second run sends nothing: the channel delivered these already
    [again] = deliver_pending(store, [email_sender(smtp)], FAST)
    assert again.delivered == 0 and len(smtp.messages) == 1


def test_email_refused_by_a_closed_port_becomes_a_dead_letter(store, smtp):
    [alert_id] = raise_alerts(store, 1)
    port = smtp.port
    smtp.stop()
    try:
        dead_sender = EmailSender("127.0.0.1", port, "firewatch@example.org", ["duty@example.org"], timeout=2)
        [result] = deliver_pending(store, [dead_sender], DeliveryPolicy(2, 0.001, 0.001))
    finally:
        smtp.restart()
    assert result.failed == 1 and result.attempts == 2 and "SMTP" in result.error
    [dead] = store.alerts.dead_letters()
    assert dead.channel == "email" and dead.alert_ids == [alert_id] and dead.last_error == result.error
    assert store.alerts.get_alert(alert_id).state == "new"
    [retried] = retry_dead_letters(store, [email_sender(smtp)], FAST)
    assert retried["ok"] and store.alerts.get_alert(alert_id).state == "sent" and store.alerts.dead_letters() == []
    assert len(smtp.messages) == 1


def test_webhook_is_signed_and_retried_with_backoff_until_it_succeeds(store, hook_factory):
    hook = hook_factory(fail_first=2)
    ids = raise_alerts(store, 3)
    [result] = deliver_pending(store, [WebhookSender(hook.url + "/hook", SECRET)], FAST)
    assert result.delivered == 3 and result.attempts == 3
    assert [p["status"] for p in hook.posts] == [500, 500, 200]
    assert all(p["signature_ok"] and p["fresh"] for p in hook.posts)
    [body] = hook.delivered()
    assert body["type"] == "alerts" and [a["id"] for a in body["alerts"]] == ids
    assert body["alerts"][0]["details"]["title"] == HOSTILE  # JSON carries the raw text, receivers escape
    assert body["alerts"][0]["rule_name"] == "新标记商品"
    assert all(store.alerts.get_alert(i).state == "sent" for i in ids)
    [again] = deliver_pending(store, [WebhookSender(hook.url + "/hook", SECRET)], FAST)
    assert again.delivered == 0 and len(hook.posts) == 3


def test_a_webhook_that_always_fails_leaves_a_dead_letter_and_the_alert_unsent(store, hook_factory):
    hook = hook_factory(always_fail=True)
    [alert_id] = raise_alerts(store, 1)
    sender = WebhookSender(hook.url, SECRET)
    [result] = deliver_pending(store, [sender], DeliveryPolicy(3, 0.001, 0.002))
    assert result.failed == 1 and len(hook.posts) == 3
    [dead] = store.alerts.dead_letters()
    assert dead.attempts == 3 and "HTTP 500" in dead.last_error and dead.alert_ids == [alert_id]
    assert dead.payload["alerts"][0]["id"] == alert_id
    assert store.alerts.get_alert(alert_id).state == "new"
    # still failing: the dead letter stays open with its attempts counted
    [still] = retry_dead_letters(store, [sender], DeliveryPolicy(2, 0.001, 0.002))
    assert not still["ok"] and store.alerts.dead_letters()[0].attempts == 5
    hook.always_fail = False
    [ok] = retry_dead_letters(store, [sender], FAST)
    assert ok["ok"] and store.alerts.dead_letters() == [] and store.alerts.get_alert(alert_id).state == "sent"
    assert len(store.alerts.dead_letters(include_resolved=True)) == 1
    assert len(hook.delivered()) == 1
    # neither a further send nor a further retry sends it again
    deliver_pending(store, [sender], FAST)
    assert retry_dead_letters(store, [sender], FAST) == []
    assert len(hook.delivered()) == 1


def test_with_two_channels_a_failed_one_never_makes_the_other_send_twice(store, smtp, hook_factory):
    hook = hook_factory(always_fail=True)
    [alert_id] = raise_alerts(store, 1)
    senders = [email_sender(smtp), WebhookSender(hook.url, SECRET)]
    first = deliver_pending(store, senders, DeliveryPolicy(2, 0.001, 0.001))
    assert [(r.channel, r.delivered, r.failed) for r in first] == [("email", 1, 0), ("webhook", 0, 1)]
    a = store.alerts.get_alert(alert_id)
    assert a.state == "new" and a.channels == ["email"]
    hook.always_fail = False
    second = deliver_pending(store, senders, FAST)
    assert [(r.channel, r.delivered) for r in second] == [("email", 0), ("webhook", 1)]
    assert len(smtp.messages) == 1 and len(hook.delivered()) == 1
    assert store.alerts.get_alert(alert_id).state == "sent"
    assert store.alerts.dead_letters() == []  # the later delivery resolved it


def test_forged_or_stale_signatures_are_refused(hook_factory):
    hook = hook_factory()
    with pytest.raises(DeliveryError, match="HTTP 401"):
        WebhookSender(hook.url, "wrong secret").deliver({"type": "alerts", "alerts": []})
    body = b'{"a":1}'
    ts = str(int(time.time()))
    good = sign(SECRET, ts, body)
    assert verify_signature(SECRET, ts, body, good)
    assert not verify_signature(SECRET, ts, b'{"a":2}', good)
    assert not verify_signature(SECRET, str(int(ts) - 1), body, good)  # the timestamp is signed too
    assert not verify_signature(SECRET, ts, body, good, now=int(ts) + 3600)  # replayed an hour later
    with pytest.raises(AlertsConfigError):
        WebhookSender(hook.url, "")


def test_backoff_is_exponential_and_capped():
    policy = DeliveryPolicy(max_attempts=5, backoff=0.5, backoff_max=3.0)
    assert [policy.delay(i) for i in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]

    class Broken:
        channel = "broken"

        def deliver(self, payload):
            raise DeliveryError("down")

    waits = []
    ok, attempts, error = deliver_with_retry(Broken(), {}, policy, sleep=waits.append)
    assert (ok, attempts, error) == (False, 5, "down") and waits == [0.5, 1.0, 2.0, 3.0]


def test_digest_is_sent_once_per_day_and_channel(store, smtp, hook_factory):
    hook = hook_factory()
    raise_alerts(store, 3)
    day = today(timezone.utc)
    senders = [email_sender(smtp), WebhookSender(hook.url, SECRET)]
    payload, results = send_digest(store, senders, FAST, day, "")
    assert payload["total"] == 3 and all(r["ok"] and not r["skipped"] for r in results)
    msg = smtp.parsed()
    assert msg["Subject"] == f"[firewatch] 每日告警汇总 {day.isoformat()}：共 3 条"
    assert "按规则" in msg.get_body(("plain",)).get_content()
    assert "<td style=\"padding: 3px 8px;\">新标记商品</td>" in msg.get_body(("html",)).get_content()
    assert json.loads(hook.posts[0]["body"])["by_rule"][0] == {"key": "new_flagged", "name": "新标记商品", "count": 3}
    _, again = send_digest(store, senders, FAST, day, "")
    assert all(r["skipped"] for r in again) and len(smtp.messages) == 1 and len(hook.posts) == 1
    _, forced = send_digest(store, senders, FAST, day, "", force=True)
    assert all(r["ok"] and not r["skipped"] for r in forced) and len(smtp.messages) == 2


def test_senders_come_from_settings():
    settings = load_settings(env={"FIREWATCH_ALERTS__SMTP_HOST": "127.0.0.1",
                                  "FIREWATCH_ALERTS__SMTP_TO": '["a@example.org"]',
                                  "FIREWATCH_ALERTS__WEBHOOK_URL": "http://127.0.0.1:9/hook",
                                  "FIREWATCH_ALERTS__WEBHOOK_SECRET": "x"})
    assert [s.channel for s in senders_from_settings(settings)] == ["email", "webhook"]
    assert senders_from_settings(load_settings(env={})) == []
    bad = load_settings(env={"FIREWATCH_ALERTS__SMTP_HOST": "h", "FIREWATCH_ALERTS__SMTP_TO": '["a@b\\r\\nBcc: c@d"]'})
    with pytest.raises(AlertsConfigError):
        senders_from_settings(bad)


def _concurrent(store_url, hook_factory, run):
    """`run(store, sender)` in a thread whose first POST the server holds, and again in this
    thread on another connection meanwhile; returns (the held run's result, the other's, server)."""
    import threading

    hold = threading.Event()
    hook = hook_factory(hold_first=hold)
    first, second = open_store(store_url), open_store(store_url)
    raise_alerts(first, 2)
    got = {}
    thread = threading.Thread(target=lambda: got.setdefault("first", run(first, WebhookSender(hook.url, SECRET))))
    thread.start()
    try:
        assert hook.arrived.wait(10)
        other = run(second, WebhookSender(hook.url, SECRET))
    finally:
        hold.set()
        thread.join(30)
    first.close()
    second.close()
    return got["first"], other, hook


def test_two_sends_at_the_same_time_deliver_each_alert_once(store_url, hook_factory):
    first, other, hook = _concurrent(store_url, hook_factory, lambda s, w: deliver_pending(s, [w], FAST))
    assert len(hook.posts) == 1, [json.loads(p["body"])["count"] for p in hook.posts]
    assert first[0].delivered == 2 and other[0].busy and other[0].delivered == 0
    with open_store(store_url) as s:
        assert {a.state for a in s.alerts.alerts()} == {"sent"}


def test_two_digests_at_the_same_time_send_once(store_url, hook_factory):
    day = today(timezone.utc)
    first, other, hook = _concurrent(store_url, hook_factory,
                                     lambda s, w: send_digest(s, [w], FAST, day, "UTC")[1])
    assert len(hook.posts) == 1
    assert first[0]["ok"] and not first[0]["skipped"] and other[0]["busy"]


def test_hostile_title_huge_or_not_utf8_is_still_delivered_and_bounded(store, smtp, hook_factory):
    """A title of a million characters and one holding a lone surrogate (not encodable as
    UTF-8): both channels deliver, the mail stays small, nothing raises outside DeliveryError."""
    from datetime import datetime

    from firewatch.store import AlertRecord

    def record(i, title):
        return AlertRecord(id=i, rule="new_flagged", dedupe_key=f"k{i}", platform="jd", listing_id=str(i),
                           summary=f"新标记商品 {title[:40]}", details={"title": title, "shop_name": title,
                                                                   "url": "https://jd.example/1"},
                           state="new", created_at=datetime(2026, 6, 20, tzinfo=timezone.utc))

    payload = alerts_payload([record(1, "灭" * 1_000_000), record(2, "坏\ud800标题\udfff" + INJECT)])
    email_sender(smtp).deliver(payload)
    msg = smtp.parsed()
    assert "Bcc" not in msg and len(msg.as_bytes()) < 200_000, len(msg.as_bytes())
    text = msg.get_body(("plain",)).get_content()
    assert "坏\ufffd标题\ufffd" in text and "灭" * 100 in text
    hook = hook_factory()
    WebhookSender(hook.url, SECRET).deliver(payload)
    body = hook.delivered()[0]
    assert len(hook.posts[0]["body"]) < 100_000
    assert body["alerts"][1]["details"]["title"].startswith("坏\ufffd标题\ufffd")
