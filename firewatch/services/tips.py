"""The public tips channel (举报线索): check a tip, keep it, file its URL as a lead, say its status.

`TipsChannel(tips_dir, policy)` holds the installation's tips secret (`<tips_dir>/secret.key`,
made once: it signs proof-of-work challenges and keys the hash of sender addresses, so no
raw address is stored). `submit(store, form, ip)` refuses, in this order, an address over its
hourly limit, a missing or wrong proof of work, invalid fields, too many photos, a challenge
already used (it is spent here, before any photo is decoded), too large photos and photos
that are not JPEG, PNG or WebP by content; it re-encodes each photo without its metadata
(EXIF, GPS included), stores the tip and files its URL with `leads.url_lead` (a watched platform's item
page becomes a listing fetched, captured and scored by the next `firewatch process`; another
URL is kept and marked as outside the watched platforms). Every refusal is a `TipRefused`
whose `reason` the web app maps to a status. `tip_status` derives a tip's status from its
listing: received, under review (assessed, or escalated), confirmed or not confirmed (the
latest decision since the tip). A tip that names only a shop stays "received" until an
admin links it to a listing. The contact goes into the tips table only: never into the
listing's sources, so takedown lists, notices and evidence packs cannot carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import ipaddress
import secrets
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageOps

from crawler.sites import listing_key, site_of_url
from firewatch.core.clock import to_utc, utcnow
from firewatch.core.exceptions import TipRefused
from firewatch.core.files import write_new
from firewatch.core.settings import Settings, TipsSettings
from firewatch.core.models import Source
from firewatch.services.challenge import ProofOfWork
from firewatch.services.leads import url_lead
from firewatch.store import Store, TipRecord

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or copied by hand
RECEIPT_LENGTH = 16  # 31**16 ≈ 7e23: not guessable
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000  # a small file that decodes to a huge image (a decompression bomb) is refused
MAX_URL = 2000
MAX_SHOP = 200
MAX_CONTACT = 200
STATUSES = ("received", "under_review", "confirmed", "not_confirmed")
_DEFAULTS = TipsSettings()


@dataclass(frozen=True)
class TipPolicy:
    """The channel's limits (`[tips]` in the settings)."""

    rate_limit_per_hour: int = _DEFAULTS.rate_limit_per_hour
    max_text: int = _DEFAULTS.max_text
    max_photos: int = _DEFAULTS.max_photos
    max_photo_bytes: int = _DEFAULTS.max_photo_bytes
    pow_bits: int = _DEFAULTS.pow_bits
    challenge_minutes: int = _DEFAULTS.challenge_minutes

    @classmethod
    def from_settings(cls, settings: Settings) -> "TipPolicy":
        t = settings.tips
        return cls(t.rate_limit_per_hour, t.max_text, t.max_photos, t.max_photo_bytes, t.pow_bits, t.challenge_minutes)

    @property
    def max_request_bytes(self) -> int:
        """The largest request body a tip can need (photos plus the text fields, with room)."""
        return self.max_photos * self.max_photo_bytes + 8 * self.max_text + 256_000


@dataclass
class TipForm:
    """What a tipster sent: `photos` as (file name, bytes); `challenge` and `nonce` the proof of work."""

    url: str = ""
    shop_name: str = ""
    text: str = ""
    contact: str = ""
    photos: list[tuple[str, bytes]] = field(default_factory=list)
    challenge: str = ""
    nonce: str = ""


def _clean_text(value: Any) -> str:
    """The text without control characters other than line breaks and tabs, trimmed."""
    text = str(value or "").replace("\r\n", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs", "Co")).strip()


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normal_receipt(text: str) -> str | None:
    """A receipt code as typed (spaces, dashes, lower case allowed), or None when it cannot be one."""
    code = "".join(c for c in str(text or "").upper() if c not in " -")
    return code if len(code) == RECEIPT_LENGTH and all(c in RECEIPT_ALPHABET for c in code) else None


def size_text(n: int) -> str:
    """A byte count as people read it: 5 MB, 300 KB."""
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n // 1000} KB"


def clean_photo(data: bytes, max_bytes: int, name: str = "") -> tuple[bytes, str, str]:
    """(re-encoded bytes, media type, extension) of a JPEG, PNG or WebP photo, checked by its
    content (not its name), turned upright and saved again without any metadata."""
    label = f"照片“{name[:60]}”" if name else "照片"
    if len(data) > max_bytes:
        raise TipRefused(f"{label}超过 {size_text(max_bytes)} 的大小限制：请压缩或缩小照片后重新提交", "too_large")
    refused = TipRefused(f"{label}不是可识别的 JPEG、PNG 或 WebP 图片（按文件内容判断，与文件名无关）："
                         "请上传手机或相机拍摄的原始照片或截图", "bad_photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise TipRefused(f"{label}的像素尺寸过大：请缩小后重新提交", "too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as im:
            fmt = im.format
            im.load()
            upright = ImageOps.exif_transpose(im)
    except TipRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise refused from None
    clean = upright.copy()
    clean.info = {}  # no EXIF (GPS), XMP, ICC or text chunks carried into the saved file
    media_type, ext = PHOTO_FORMATS[fmt]
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    if fmt == "PNG" and clean.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        clean = clean.convert("RGBA")
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    clean.save(out, fmt, **options)
    return out.getvalue(), media_type, ext


def _secret(folder: Path) -> bytes:
    """The tips secret, made once per installation (file mode 0400, placed atomically)."""
    path = folder / "secret.key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_new(path, secrets.token_bytes(32), mode=0o400)
    data = path.read_bytes()
    if len(data) < 32:
        raise OSError(f"tips secret {path} is truncated; delete it to make a new one")
    return data


class TipsChannel:
    """Checks, stores and reports public tips; photos live under `tips_dir/<receipt>/`."""

    def __init__(self, tips_dir: Path, policy: TipPolicy | None = None):
        self.dir = Path(tips_dir)
        self.policy = policy or TipPolicy()
        self._secret = _secret(self.dir)
        self.pow = ProofOfWork(self._secret, self.policy.pow_bits, self.policy.challenge_minutes)

    def address_hash(self, ip: str) -> str:
        """The sender's address as a keyed hash: counts per address without storing it. An IPv6
        address counts as its /64 (one subscriber's prefix: rotating within it gains nothing)."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            key = ip
        else:
            key = str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)
        return hmac.new(self._secret, f"ip:{key}".encode(), hashlib.sha256).hexdigest()[:32]

    def challenge(self) -> dict[str, object]:
        return self.pow.issue()

    def photo_path(self, tip: TipRecord, photo: dict[str, Any]) -> Path:
        """The stored file of one of the tip's photos (refusing a path outside the tips folder)."""
        path = (self.dir / photo["path"]).resolve()
        if not path.is_relative_to(self.dir.resolve() / tip.receipt):
            raise FileNotFoundError(photo["path"])
        return path

    def _fields(self, form: TipForm) -> tuple[str, str, str, str]:
        p = self.policy
        url, shop = _clean_text(form.url), _clean_text(form.shop_name)
        text, contact = _clean_text(form.text), _clean_text(form.contact)
        if not url and not shop:
            raise TipRefused("请填写商品链接或店铺名称（至少一项）")
        if url:
            if len(url) > MAX_URL or any(c.isspace() for c in url):
                raise TipRefused(f"商品链接无效：请粘贴一个完整的网址（不超过 {MAX_URL} 个字符，不含空格）")
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise TipRefused("商品链接应以 http:// 或 https:// 开头：请从浏览器地址栏复制完整网址")
        if len(shop) > MAX_SHOP:
            raise TipRefused(f"店铺名称过长：请不超过 {MAX_SHOP} 个字符")
        if not text:
            raise TipRefused("请说明商品存在什么问题")
        if len(text) > p.max_text:
            raise TipRefused(f"问题说明过长（{len(text)} 字）：请精简到 {p.max_text} 字以内", "too_large")
        if len(contact) > MAX_CONTACT:
            raise TipRefused(f"联系方式过长：请不超过 {MAX_CONTACT} 个字符")
        return url, shop, text, contact

    def submit(self, store: Store, form: TipForm, ip: str, now: datetime | None = None) -> TipRecord:
        """Check, store and file one tip; returns it with its receipt code (see the module doc)."""
        now = now or utcnow()
        p = self.policy
        address, since = self.address_hash(ip), now - timedelta(hours=1)
        limited = TipRefused(f"此网络地址一小时内提交的举报已达 {p.rate_limit_per_hour} 条上限：请一小时后再试；"
                             "如有大量线索，请直接联系监管部门", "rate_limited")
        if store.tips.recent_tips(address, since) >= p.rate_limit_per_hour:
            raise limited
        solved = self.pow.check(form.challenge, form.nonce, now)
        url, shop, text, contact = self._fields(form)
        uploads = [(name, data) for name, data in form.photos if data]
        if len(uploads) > p.max_photos:
            raise TipRefused(f"最多可上传 {p.max_photos} 张照片：请删去多余的照片后重新提交", "too_large")
        # the challenge is spent before any photo is decoded: decoding is the costly step
        if not store.tips.use_challenge(solved.challenge_id, solved.expires_at, now):
            raise TipRefused("此防刷验证已使用过：请刷新页面后重新提交", "challenge")
        photos = [clean_photo(data, p.max_photo_bytes, name) for name, data in uploads]
        receipt = new_receipt()
        key = listing_key(url) if url else None
        tip = TipRecord(receipt=receipt, text=text, url=url, shop_name=shop, contact=contact,
                        platform=key[0] if key else None, listing_id=key[1] if key else None,
                        on_platform=bool(url) and site_of_url(url) is not None, created_at=now)
        folder = self.dir / receipt
        for n, (data, media_type, ext) in enumerate(photos, 1):
            folder.mkdir(parents=True, exist_ok=True)
            write_new(folder / f"{n}.{ext}", data, mode=0o440)
            tip.photos.append({"path": f"{receipt}/{n}.{ext}", "sha256": hashlib.sha256(data).hexdigest(),
                               "media_type": media_type, "size": len(data)})
        tip.id = store.tips.add_tip(tip, address, since, p.rate_limit_per_hour) or 0
        if not tip.id:  # another post from the address took the last place meanwhile
            shutil.rmtree(folder, ignore_errors=True)
            raise limited
        if key is not None:
            # provenance only: the receipt names the tip; the URL as pasted (share links can carry
            # the sharer's account), text and contact stay in the tips table
            url_lead(store, url, Source("tip", "tip", ref=receipt), at=now)
        return tip

    def link(self, store: Store, receipt: str, url: str, by: str) -> tuple[str, str]:
        """Point a tip at the listing of an item URL (an admin's link for a shop-only tip)."""
        key = listing_key(_clean_text(url))
        if key is None:
            raise TipRefused("无法识别此商品链接：请粘贴监测平台的商品详情页网址")
        tip = store.tips.get_tip(receipt)
        if tip is None:
            raise TipRefused(f"没有回执编号为 {receipt} 的举报")
        url_lead(store, _clean_text(url), Source("tip", "tip", ref=receipt))
        store.tips.link_tip(receipt, key, by)
        return key


def tip_status(store: Store, tip: TipRecord) -> str:
    """received → under_review (assessed or escalated) → confirmed / not_confirmed (the latest
    decision made since the tip arrived; earlier decisions are not the tip's outcome)."""
    key = tip.key
    if key is None:
        return "received"
    since = tip.created_at
    decisions = [d for d in store.reviews.decisions(key) if since is None or to_utc(d.at) >= to_utc(since)]
    if decisions:
        return {"confirm": "confirmed", "dismiss": "not_confirmed"}.get(decisions[-1].verdict, "under_review")
    return "under_review" if store.assessments.get_assessment(key) is not None else "received"


@dataclass(frozen=True)
class TipCounts:
    """The campaign's measures: tips by status; confirmed ones are the valid tips (有效举报),
    of which those with a contact can be rewarded."""

    total: int
    by_status: dict[str, int]
    anonymous: int
    confirmed_with_contact: int


def tip_counts(tips: list[TipRecord], statuses: dict[str, str]) -> TipCounts:
    by_status = {s: 0 for s in STATUSES}
    for tip in tips:
        by_status[statuses[tip.receipt]] += 1
    return TipCounts(len(tips), by_status, sum(1 for t in tips if not t.contact),
                     sum(1 for t in tips if t.contact and statuses[t.receipt] == "confirmed"))
