"""`firewatch alerts ...` end to end (the command line in this process), against a real SMTP
server and a webhook that fails until told otherwise: run, list, send, dead letters, ack, digest."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from firewatch.core.models import Assessment, Listing, Reason
from firewatch.store import open_store

from tests.helpers import png
from tests.servers import HookServer

SECRET = "cli-secret"


@pytest.fixture()
def servers(smtp_server, serve):
    hook = serve(HookServer, SECRET, always_fail=True, images={"/img/1.png": png(5), "/img/2.png": png(5),
                                                               "/img/3.png": png(2)})
    return smtp_server, hook


def write_config(path, smtp=None, hook=None):
    lines = ["[alerts]", "max_attempts = 2", "backoff_seconds = 0.001", "backoff_max_seconds = 0.002",
             'timezone = "Asia/Shanghai"']
    if smtp:
        lines += ['smtp_host = "127.0.0.1"', f"smtp_port = {smtp.port}", 'smtp_to = ["duty@example.org"]',
                  'smtp_from = "firewatch@example.org"', "smtp_timeout = 10"]
    if hook:
        lines += [f'webhook_url = "{hook.url}/hook"', f'webhook_secret = "{SECRET}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fill_store(data_dir, hook):
    with open_store(data_dir / "firewatch.db") as store:
        def put(lid, title, shop, image, status="active", risk=0.5):
            store.listings.upsert_listing(Listing(platform="jd", listing_id=lid, url=f"{hook.url}/jd/item/{lid}.html",
                                         title=title, price=Decimal("59.00"), shop_id=f"s{lid}", shop_name=shop,
                                         image_urls=[image], status=status))
            store.assessments.save_assessment(Assessment(platform="jd", listing_id=lid, category="portable_extinguisher",
                                             category_confidence=0.9, risk_score=risk, flagged=risk >= 0.5,
                                             reasons=[Reason("inspection_only", "年检专用")]))

        put("1", "年检专用 4kg干粉灭火器 MFZ/ABC4 <script>x</script>", "鑫安消防器材旗舰店", "/img/1.png",
            status="removed")
        put("2", "4kg干粉灭火器 MFZ/ABC4 年检专用 <script>x</script> 包邮", "鑫安消防专营店", "/img/2.png", risk=0.95)
        put("3", "烟雾报警器 独立式", "华盾安全", "/img/3.png", risk=0.1)
        run = store.listings.start_crawl_run("pdd")
        store.listings.finish_crawl_run(run, "finished", pages=5, items=0, blocks=5)


def test_alerts_commands_end_to_end(tmp_path, servers, run_firewatch):
    smtp, hook = servers
    data = tmp_path / "data"
    fill_store(data, hook)
    config = str(write_config(tmp_path / "fw.toml", smtp, hook))

    def fw(*args):
        return run_firewatch("--config", config, "alerts", *args, data_dir=data)

    first = fw("run")
    assert first.returncode == 0, first.stderr
    assert "新告警 3 条" in first.stdout and "疑似重新上架" in first.stdout
    assert "新告警 0 条" in fw("run").stdout
    listed = [json.loads(line) for line in fw("list", "--state", "new", "--json").stdout.splitlines()]
    assert sorted(a["rule"] for a in listed) == ["crawler_blocked", "new_flagged", "relisting"]

    failed = fw("send")
    assert failed.returncode == 75, failed.stdout + failed.stderr
    assert "已记入死信" in failed.stderr and "email: 已发送 3 条" in failed.stdout
    assert len(smtp.messages) == 1 and len(hook.posts) == 2
    assert smtp.parsed()["Subject"].startswith("[firewatch] 告警 3 条：")
    dead = fw("dead-letters", "--json")
    assert dead.returncode == 0, dead.stderr
    [letter] = [json.loads(line) for line in dead.stdout.splitlines()]
    assert letter["channel"] == "webhook" and "HTTP 500" in letter["last_error"] and letter["attempts"] == 2
    assert sorted(letter["alert_ids"]) == sorted(a["id"] for a in listed)
    assert "死信" in fw("dead-letters").stdout
    assert len(fw("list", "--state", "new", "--json").stdout.splitlines()) == 3  # unsent, not lost

    hook.always_fail = False
    retried = fw("dead-letters", "--retry")
    assert retried.returncode == 0, retried.stderr
    assert "成功" in retried.stdout
    assert fw("list", "--state", "new", "--json").stdout.strip() == ""
    assert len(fw("list", "--state", "sent", "--json").stdout.splitlines()) == 3

    again = fw("send")
    assert again.returncode == 0 and "email: 已发送 0 条" in again.stdout and "webhook: 已发送 0 条" in again.stdout
    assert len(smtp.messages) == 1 and len(hook.delivered()) == 1

    alert_id = listed[0]["id"]
    acked = fw("ack", str(alert_id), "--by", "alice")
    assert acked.returncode == 0 and "alice" in acked.stdout
    assert json.loads(fw("list", "--state", "acknowledged", "--json").stdout)["acknowledged_by"] == "alice"
    missing = fw("ack", "9999")
    assert missing.returncode == 66 and "9999" in missing.stderr

    digest = fw("digest")
    assert digest.returncode == 0, digest.stderr
    assert "共 3 条" in digest.stdout and len(smtp.messages) == 2
    assert "已发送过" in fw("digest").stdout and len(smtp.messages) == 2
    printed = fw("digest", "--print", "--date", "2020-01-01")
    assert printed.returncode == 0 and "2020-01-01" in printed.stdout and "今日无新告警" in printed.stdout
    assert fw("digest", "--date", "someday").returncode != 0


def test_send_without_a_channel_says_what_to_set(tmp_path, run_firewatch):
    config = str(write_config(tmp_path / "fw.toml"))
    result = run_firewatch("--config", config, "alerts", "send")
    assert result.returncode == 78
    assert "smtp_host" in result.stderr and "webhook_url" in result.stderr
