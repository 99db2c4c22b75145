"""A small, deterministic sample dataset for the web app's tests (tests/web/conftest.py) and
the README screenshots (tools/screenshots.py). Test-only: not part of the installed package.

`build_sample(data_dir)` writes a store (listings on four platforms first seen over eight
weeks, price changes as snapshots, assessments with reasons whose evidence occurs in
the listing text, captured evidence files for flagged listings, a few decisions), the
search index and one user per role, all under `data_dir`. Screenshots default to a
small generated PNG; pass `screenshot(listing) -> bytes` to draw real ones.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

from firewatch.core.models import Artefact, Assessment, Decision, Evidence, Listing, Reason
from firewatch.store import Store

START = datetime(2026, 9, 7, 2, 0, tzinfo=timezone.utc)
PASSWORD = "firewatch-demo-2026"
USERS = [("regulator", "regulator", ""), ("investigator", "investigator", ""), ("analyst", "analyst", ""),
         ("admin", "admin", ""), ("jd_team", "platform", "jd"), ("taobao_team", "platform", "taobao")]

# (platform, id, title, shop, price history, category, risk, reasons [(code, evidence, source)], attributes, description)
ROWS = [
    ("jd", "100231", "年检专用 手提式干粉灭火器 4kg 消防器材 店铺商用", "安盾消防专营店", ["19.90", "15.80", "12.50"],
     "portable_extinguisher", 0.96, [("inspection_only", "年检专用", "title"), ("price_too_low", "¥12.50 低于 4kg 成本", "price")],
     {"品牌": "安盾", "规格": "4kg", "认证": "无"}, "本店灭火器仅供年检使用，价格实惠。年检专用，质量一般，不保证喷射。"),
    ("jd", "100232", "二手翻新 二氧化碳灭火器 重新充装 MT3", "安盾消防专营店", ["45.00", "39.00"],
     "portable_extinguisher", 0.91, [("refurbished", "二手翻新", "title"), ("refurbished", "重新充装", "title")],
     {"品牌": "无", "成色": "九成新"}, "回收钢瓶重新充装，外观翻新，二手翻新品，介意慎拍。"),
    ("jd", "100233", "消防自救呼吸器 过滤式 逃生面具 无需认证 家用", "平安到家旗舰店", ["9.90"],
     "escape_respirator", 0.88, [("no_certification", "无需认证", "title")],
     {"防护时间": "15分钟", "认证": "无需认证"}, "逃生面具，家用酒店通用，无需认证，简单好用。"),
    ("jd", "100234", "独立式感烟火灾探测报警器 3C认证 家用烟感", "海湾安防京东自营", ["89.00", "79.00"],
     "smoke_alarm", 0.22, [], {"品牌": "海湾", "认证": "3C 证书 2021081801000123"}, "符合 GB 20517 标准，3C 认证。"),
    ("jd", "100235", "道具灭火器 模型 展示品 拍摄用 4kg外观", "星光影视道具", ["25.00"],
     "portable_extinguisher", 0.74, [("prop_or_display", "道具灭火器 模型 展示品", "title")],
     {"用途": "拍摄道具"}, "道具，不能灭火，仅供展示拍摄。"),
    ("taobao", "62001", "消防应急照明灯 安全出口指示灯 LED 无厂名", "小李五金", ["8.50", "7.20", "6.90", "6.50"],
     "emergency_light", 0.83, [("no_manufacturer", "无厂名", "title"), ("price_too_low", "¥6.50", "price")],
     {"品牌": "无", "产地": "不详"}, "三无产品，便宜好用，应急时间约30分钟。"),
    ("taobao", "62002", "洒水喷头 68度 玻璃球 下垂型 K80 规格低于国标", "水立方消防器材", ["3.20", "2.80"],
     "sprinkler", 0.69, [("substandard_spec", "K80 规格低于国标", "title")],
     {"流量系数": "K60", "温度": "68℃"}, "标称 K80，实际 K60，批量更便宜。"),
    ("taobao", "62003", "防火门 钢质甲级 1.5h 证书可查 厂家直销", "坚固防火门厂", ["1280.00"],
     "fire_door", 0.18, [], {"耐火等级": "甲级", "认证": "3C"}, "钢质防火门，提供检验报告。"),
    ("taobao", "62004", "灭火毯 1.5米 家用厨房 年检用 特价", "厨卫小铺", ["5.90", "4.90"],
     "fire_blanket", 0.86, [("inspection_only", "年检用", "title"), ("price_too_low", "¥4.90", "price")],
     {"尺寸": "1.5m×1.5m"}, "应付检查专用，特价清仓。"),
    ("pdd", "8800101", "干粉灭火器 4公斤 年检专用 消防验收 便宜", "百货批发1号店", ["16.80", "13.80", "11.00"],
     "portable_extinguisher", 0.95, [("inspection_only", "年检专用", "title"), ("price_too_low", "¥11.00", "price")],
     {"重量": "4公斤", "品牌": "无"}, "消防验收年检专用，一次性使用。"),
    ("pdd", "8800102", "燃气报警器 家用 天然气泄漏 证书编号 CCC2020-XXXX", "智能家居专卖", ["29.90"],
     "gas_detector", 0.77, [("invalid_certificate", "CCC2020-XXXX", "title")],
     {"证书编号": "CCC2020-XXXX"}, "带证书，证书编号 CCC2020-XXXX，质量保证。"),
    ("pdd", "8800103", "消防水带 13型 20米 翻新 二手 工地用", "工地用品店", ["35.00", "32.00"],
     "fire_hose", 0.81, [("refurbished", "翻新 二手", "title")], {"长度": "20米"}, "二手翻新水带，工地临时使用。"),
    ("pdd", "8800104", "阻燃电缆 ZR-BV 2.5平方 100米 国标", "电线电缆直销", ["158.00"],
     "flame_retardant_cable", 0.31, [], {"型号": "ZR-BV 2.5"}, "阻燃等级 C 级，附检测报告。"),
    ("1688", "7300001", "批发 手提式灭火器 4kg 年检专用 工厂直供 量大优惠", "义乌消防器材批发", ["10.50", "9.80"],
     "portable_extinguisher", 0.93, [("inspection_only", "年检专用", "title"), ("price_too_low", "¥9.80", "price")],
     {"起批量": "100件", "品牌": "OEM"}, "年检专用款，量大从优，可贴牌。"),
    ("1688", "7300002", "过滤式自救呼吸器 TZL30 无3C 出口转内销", "宁波防护用品厂", ["18.00"],
     "escape_respirator", 0.87, [("no_certification", "无3C", "title")], {"型号": "TZL30"}, "出口转内销，无3C。"),
    ("1688", "7300003", "防火涂料 室内超薄型 钢结构 检测报告齐全", "华东涂料", ["12.00"],
     "fire_retardant_coating", 0.15, [], {"类型": "超薄型"}, "提供型式检验报告。"),
]
DECISIONS = [("jd", "100232", "confirm", "二手翻新，符合下架条件"), ("jd", "100233", "confirm", "声称无需认证"),
             ("taobao", "62004", "confirm", "年检用灭火毯"), ("pdd", "8800102", "escalate", "证书待核实")]


def tiny_png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A valid solid-colour PNG."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def add_evidence(store: Store, evidence_dir: Path, listing: Listing, png: bytes, at: datetime) -> Evidence:
    """Write a capture folder (screenshot.png, page.html) and record its Evidence."""
    folder = Path(evidence_dir) / listing.platform / listing.listing_id / at.strftime("%Y%m%dT%H%M%S.%fZ")
    folder.mkdir(parents=True, exist_ok=True)
    html = f"<html><body><h1>{listing.title}</h1></body></html>".encode("utf-8")
    artefacts = []
    for name, data, media in (("screenshot.png", png, "image/png"), ("page.html", html, "text/html; charset=utf-8")):
        (folder / name).write_bytes(data)
        artefacts.append(Artefact(name, hashlib.sha256(data).hexdigest(), media, len(data)))
    evidence = Evidence(listing.platform, listing.listing_id, at, listing.url, listing.url, 200, "127.0.0.1",
                        "firewatch-sample", "sample", str(folder), artefacts)
    store.evidence.save_evidence(evidence)
    return evidence


def build_sample(data_dir: Path, screenshot: Callable[[Listing], bytes] | None = None,
                 password: str = PASSWORD, extra: list[tuple[Listing, Assessment]] = ()) -> dict:
    """Build the sample store, evidence, index and users under `data_dir`; returns what was made."""
    from firewatch.search import open_index
    from firewatch.store import open_store
    from firewatch.web.security import hash_password

    data_dir = Path(data_dir)
    evidence_dir = data_dir / "evidence"
    store = open_store(data_dir / "firewatch.db")
    index = open_index("sqlite", data_dir / "search.db")
    pw_hash = hash_password(password)
    made = {"flagged": [], "listings": []}
    try:
        for n, (platform, lid, title, shop, prices, category, risk, reasons, attrs, desc) in enumerate(ROWS):
            seen = START + timedelta(days=4 * n, hours=n)
            listing = Listing(platform=platform, listing_id=lid, url=f"https://item.example.com/{platform}/{lid}.html",
                              title=title, shop_id="shop-" + hashlib.sha256(shop.encode()).hexdigest()[:8],
                              shop_name=shop, attributes=attrs, description=desc)
            for i, price in enumerate(prices):
                listing.price = Decimal(price)
                store.listings.upsert_listing(listing, observed_at=seen + timedelta(days=9 * i))
            made["listings"].append((platform, lid))
            flagged = risk >= 0.5
            store.assessments.save_assessment(Assessment(platform, lid, category, 0.9, risk, flagged,
                                             [Reason(c, e, s) for c, e, s in reasons], {"规格": attrs.get("规格", "")} if attrs.get("规格") else {},
                                             {"sample": "1"}, seen + timedelta(hours=1)), ("capture",) if flagged else ())
            if flagged:
                made["flagged"].append((platform, lid))
                stored = store.listings.get_listing((platform, lid))
                add_evidence(store, evidence_dir, stored, screenshot(stored) if screenshot else tiny_png(), seen + timedelta(hours=2))
            index.index_listing(store.listings.get_listing((platform, lid)), store.assessments.get_assessment((platform, lid)))
        for listing, assessment in extra:
            store.listings.upsert_listing(listing)
            store.assessments.save_assessment(assessment)
            if assessment.flagged:
                add_evidence(store, evidence_dir, store.listings.get_listing(listing.key),
                             screenshot(listing) if screenshot else tiny_png(), START + timedelta(days=70))
            index.index_listing(store.listings.get_listing(listing.key), assessment)
            made["listings"].append(listing.key)
        for i, (platform, lid, verdict, note) in enumerate(DECISIONS):
            store.reviews.record_decision(Decision(platform, lid, "regulator", verdict, note, START + timedelta(days=60, hours=i)))
        for name, role, platform in USERS:
            store.users.add_user(name, role, pw_hash, platform)
    finally:
        index.close()
        store.close()
    made.update(data_dir=data_dir, evidence_dir=evidence_dir, password=password)
    return made


@contextmanager
def sample_site(data_dir: Path, chromium: str):
    """The sample built under `data_dir`, served by the web app on a port of its own (Chromium for
    packs and letters): yields {"url", "data"}; the server stops on exit."""
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    build_sample(data_dir)
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data_dir)},
                                                     "capture": {"chromium": chromium}})
    server = AppServer(create_app(settings))
    url = server.start()
    try:
        yield {"url": url, "data": data_dir}
    finally:
        server.stop()


def make_case(data_dir: Path, title: str, keys) -> int:
    """A case of these listings in the sample store, made by the investigator; its id."""
    from firewatch.store import open_store

    with open_store(Path(data_dir) / "firewatch.db") as store:
        case_id = store.reviews.create_case(title, "investigator", "")
        for key in keys:
            store.reviews.add_case_item(case_id, key, "investigator")
    return case_id
