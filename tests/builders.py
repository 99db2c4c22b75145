"""Synthetic data shared by several test modules (plain functions and constants, no tests).

- evidence packs: `make_evidence`, `make_item`, the in-memory signing key `PACK_SIGNER`;
- search: the ten hand-written `SEARCH_ROWS` (`search_items()`), `HOSTILE_QUERIES`, and the
  demo catalogue as index items (`catalogue_items()`);
- the web app's sample: hostile listings and their keys (`web_extra_listings()`).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from PIL import Image

from firewatch.core.models import Artefact, Assessment, Evidence, Listing, Reason, Snapshot


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- evidence packs ---------------------------------------------------------------------------

def make_evidence(base: Path, platform: str, listing_id: str) -> Evidence:
    """A synthetic capture folder (screenshot, page, MHTML, raw body, manifest) with its hashes."""
    directory = base / platform / listing_id / "20250101T000000.000000Z"
    directory.mkdir(parents=True)
    files = {
        "screenshot.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png"),
        "page.html": ("<html><title>灭火器年检专用</title></html>".encode(), "text/html"),
        "page.mhtml": (b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n", "multipart/related"),
        "response.body": ("<title>灭火器</title>".encode("gbk"), "text/html; charset=gbk"),
    }
    artefacts = []
    for name, (data, media) in files.items():
        (directory / name).write_bytes(data)
        artefacts.append(Artefact(name, sha256_hex(data), media, len(data)))
    manifest = json.dumps({"artefacts": [a.__dict__ for a in artefacts]}).encode()
    (directory / "manifest.json").write_bytes(manifest)
    return Evidence(platform=platform, listing_id=listing_id,
                    captured_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                    url=f"https://item.example/{listing_id}", final_url=f"https://item.example/{listing_id}",
                    http_status=200, server_ip="127.0.0.1", user_agent="ua", browser_version="156",
                    directory=str(directory), artefacts=artefacts, manifest_sha256=sha256_hex(manifest))


def make_item(base: Path, platform: str, listing_id: str):
    """A `PackItem`: a listing, its assessment and a synthetic capture under `base`."""
    from alerts.evidence_pack import PackItem

    listing = Listing(platform=platform, listing_id=listing_id, title="ABC干粉灭火器 4kg", price=Decimal("9.90"))
    assessment = Assessment(platform=platform, listing_id=listing_id, category="extinguisher",
                            category_confidence=0.93, risk_score=0.88, flagged=True,
                            reasons=[Reason("PRICE_TOO_LOW", "9.90")])
    return PackItem(listing.to_dict(), assessment, make_evidence(base, platform, listing_id))


def _pack_signer():
    from alerts.signing import PackSigner

    return PackSigner.generate()


PACK_SIGNER = _pack_signer()  # one in-memory Ed25519 key for the packs of a session


# -- search -----------------------------------------------------------------------------------

def when(day: str) -> datetime:
    return datetime.fromisoformat(day + "T08:30:00.123456+00:00")


# (key, title, shop_id, shop_name, price, status, last_seen, description, category, risk, flagged, reasons)
SEARCH_ROWS = [
    ("jd:1001", "干粉灭火器4kg 年检专用 MFZ/ABC4", "s1", "消防器材旗舰店", "35.00", "active", "2026-11-01", "",
     "portable_extinguisher", 0.92, True, ["inspection_only", "no_certification"]),
    ("jd:1002", "手提式干粉灭火器 MFZ/ABC4 3C认证", "s1", "消防器材旗舰店", "89.00", "active", "2026-11-03", "",
     "portable_extinguisher", 0.2, False, []),
    ("pdd:2001", "家用烟雾报警器 烟感 独立式", "s2", "平安安防", "19.90", "active", "2026-10-20", "",
     "smoke_alarm", 0.75, True, ["no_certification"]),
    ("pdd:2002", "烟感探测器 消防验收专用 无线", "s2", "平安安防", "12.50", "removed", "2026-10-25", "",
     "smoke_alarm", 0.88, True, ["inspection_only", "price_too_low"]),
    ("taobao:3001", "过滤式消防自救呼吸器 防毒面具", "s3", "安全家居", "59.00", "active", "2026-11-05", "",
     "escape_respirator", 0.1, False, []),
    ("1688:4001", "二氧化碳灭火器 MT/3 批发", "s4", "宁波消防厂", "120.00", "blocked", "2026-09-30", "二手翻新 钢瓶",
     "portable_extinguisher", 0.6, True, ["refurbished"]),
    ("jd:1003", "儿童消防车玩具", "s5", "玩具店", None, "active", "2026-11-02", "", "not_fire", 0.05, False, []),
    ("tmall:5001", "灭火毯 家用厨房 1.2米", "s6", "", "29.00", "active", "2026-11-04", "", None, None, None, []),
    ("jd:1004", "干粉灭火器4kg 年检专用 MFZ/ABC4 特价", "s1", "消防器材旗舰店", "35.00", "active", "2026-11-01", "",
     "portable_extinguisher", 0.92, True, ["inspection_only", "no_certification"]),
    ("pdd:2003", 'title:* (灭火器) "OR" AND NOT 烟感* {!', "s7", "[red]假店[/red]", "9.90", "active", "2026-11-06", "",
     "portable_extinguisher", 0.5, True, ["no_manufacturer"]),
]
HOSTILE_QUERIES = ['title:*', '(', ')', '"', '灭火" OR docs_fts MATCH "*', 'NEAR(灭火 烟感)', '*', 'a OR b', '灭火 AND',
                   '{"query": 1}', '\\', 'tokens:灭火~2', '[red]x[/red]', '   ', '\x00', 'NOT', '^',
                   'title:(灭火 OR 烟感)']


def search_items():
    """The ten `SEARCH_ROWS` as (listing, assessment or None, snapshots or None); jd:1001 has history."""
    items = []
    for key, title, shop_id, shop, price, status, seen, desc, cat, risk, flagged, reasons in SEARCH_ROWS:
        platform, lid = key.split(":")
        listing = Listing(platform=platform, listing_id=lid, url=f"https://example.test/{platform}/{lid}", title=title,
                          price=Decimal(price) if price else None, shop_id=shop_id, shop_name=shop, description=desc,
                          attributes={"型号": "MFZ/ABC4"} if "MFZ" in title else {}, status=status,
                          first_seen=when("2026-09-01"), last_seen=when(seen))
        assessment = None if cat is None else Assessment(
            platform, lid, cat, 0.9, risk, flagged, reasons=[Reason(code, "…") for code in reasons],
            assessed_at=when(seen))
        snapshots = None
        if key == "jd:1001":
            snapshots = [Snapshot(platform, lid, when("2026-10-01"), Decimal("39.00"), title, 5, "active", "a" * 64),
                         Snapshot(platform, lid, when("2026-10-15"), Decimal("35.00"), title, 3, "active", "b" * 64),
                         Snapshot(platform, lid, when("2026-11-01"), Decimal("35.00"), title, 0, "removed", "c" * 64)]
        items.append((listing, assessment, snapshots))
    return items


CATALOGUE_BASE = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


@lru_cache(maxsize=1)
def _catalogue():
    from demo_market.generator import build_catalogue

    return build_catalogue(seed=7)


def catalogue_items() -> list[tuple[Listing, Assessment | None]]:
    """The demo catalogue (seed 7) as index items: statuses, missing prices and assessments
    spread by a hash of the key, risks rounded so that many tie. Fresh objects each call."""
    items = []
    for c in _catalogue().listings:
        h = _h(c.platform + c.listing_id)
        seen = CATALOGUE_BASE + timedelta(days=h % 30, milliseconds=(h // 30) % 3 * 250)
        listing = Listing(platform=c.platform, listing_id=c.listing_id, url=f"https://example.test/{c.listing_id}",
                          title=c.title, price=None if h % 17 == 0 else c.price, shop_id=c.shop_id,
                          shop_name=c.shop_name, attributes=dict(c.attributes), description=c.description,
                          status=("active", "active", "active", "removed", "blocked")[h % 5],
                          first_seen=CATALOGUE_BASE - timedelta(days=60), last_seen=seen)
        if h % 11 == 0:
            items.append((listing, None))
            continue
        risk = round((h % 10) / 10, 1)
        reasons = [Reason(code, "…") for code in c.true_reasons]
        items.append((listing, Assessment(c.platform, c.listing_id, c.true_category, 0.8, risk,
                                          risk >= 0.5 and bool(reasons), reasons=reasons, assessed_at=seen)))
    return items


# -- the web app's sample dataset -------------------------------------------------------------

PAYLOADS = ['<img src=x onerror=alert("xss1")>', '<script>alert("xss2")</script>', '"><svg onload=alert("xss3")>',
            "'-alert(\"xss4\")-'"]
XSS_KEY = ("jd", "666001")
XSS_UNCONFIRMED = ("taobao", "666002")
TRIAGE_SHOP = "键盘分拣测试店"
TRIAGE_KEYS = [("pdd", "555001"), ("pdd", "555002"), ("pdd", "555003")]


def web_extra_listings() -> list[tuple[Listing, Assessment]]:
    """Listings whose title, shop name, attributes, description and URL carry XSS payloads,
    and three listings of a shop that only the keyboard-triage test touches."""
    p1, p2, p3, p4 = PAYLOADS
    out = []
    for key, risk in ((XSS_KEY, 0.99), (XSS_UNCONFIRMED, 0.98)):
        listing = Listing(platform=key[0], listing_id=key[1], url='javascript:alert("xss5")',
                          title=f"年检专用灭火器 {p1} {p4}", price=Decimal("6.60"), shop_id="evil-shop",
                          shop_name=f"恶意店铺{p3}", attributes={p2: p1, "规格": f"4kg {p3}"},
                          description=f"{p2} 年检专用 {p1} 描述 {p4}")
        assessment = Assessment(key[0], key[1], "portable_extinguisher", 0.9, risk, True,
                                [Reason("inspection_only", "年检专用", "title"), Reason("no_certification", p1, "description")])
        out.append((listing, assessment))
    for i, key in enumerate(TRIAGE_KEYS):
        listing = Listing(platform=key[0], listing_id=key[1], url=f"https://item.example.com/{key[1]}",
                          title=f"分拣测试 干粉灭火器 年检专用 第{i + 1}件", price=Decimal("10.00") + i,
                          shop_id="triage-shop", shop_name=TRIAGE_SHOP)
        out.append((listing, Assessment(key[0], key[1], "portable_extinguisher", 0.9, 0.9 - i * 0.01, True,
                                        [Reason("inspection_only", "年检专用", "title")])))
    return out


def gps_jpeg(maker: str = "TipCameraMaker", size: tuple[int, int] = (48, 32)) -> bytes:
    """A JPEG whose EXIF block carries a camera make and a GPS position (what a phone photo holds)."""
    im = Image.new("RGB", size, (200, 40, 40))
    exif = im.getexif()
    exif[0x010F] = maker
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
