"""The replica's listing images: product pictures with Chinese text drawn on them, and what each one says.

Real listings put decisive claims in their pictures (a 3C mark, "年检专用", a weight, a certificate
number) rather than in the title. `listing_images(listing, seed)` plans a listing's images, main
image first (800 x 800, the size the platforms' main images have) then detail images (750 wide, as
detail pictures are), each with the texts drawn on it and where (`ImageText.box`, the ground truth
a test compares OCR with); `render(image)` draws one as PNG bytes with Noto Sans CJK
(fonts-noto-cjk, found through fontconfig). Everything is a pure function of the seed and the
listing, so the same URL always answers the same bytes. A relisting (`relist_of`) shows the
pictures of the listing it relists, as a seller reusing its photos does.

Which listings say more in their pictures than in their title: a risky listing may carry
"年检专用" on its main image while its title is clean (`reason` "inspection_only"), or a weight on
its detail image that contradicts the title's ("spec_mismatch"); a listing with an invalid
certificate prints that number beside a 3C mark ("invalid_certificate"). `image_claims(listing,
seed)` lists those (image index, text, reason) for tests and the demo's summary.

`serve(catalogue, name)` answers the replica's `/img/<path>` route for a name such as
`n1/jfs/t1/jd_100012345678_0.png` (None: not a listing image; the server then draws its old tile).
"""
from __future__ import annotations

import io
import random
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

MAIN_SIZE = (800, 800)
CACHE_SIZE = 1024  # rendered pictures a catalogue keeps
DETAIL_WIDTH = 750
_NAME = re.compile(r"(?:^|/)(jd|taobao|tmall|pdd|1688)_([0-9A-Za-z]+)_(\d+)\.png$")
_KG = re.compile(r"(\d+(?:\.\d+)?)\s*(?:kg|KG|公斤|千克)")
_CCC_CATEGORY_HINT = ("灭火器", "呼吸器", "报警", "应急", "喷头", "防火门", "电缆")


@dataclass(frozen=True)
class ImageText:
    """One line of text drawn on an image: what it says, why it is there, and its box (x0, y0, x1, y1)."""

    text: str
    kind: str  # label | spec | claim | cert
    reason: str = ""  # the reason code a reader should draw from it ("" none)
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    size: int = 40  # font size (pixels)


@dataclass(frozen=True)
class ListingImage:
    """One planned picture of a listing."""

    platform: str
    listing_id: str
    index: int
    role: str  # main | detail
    width: int
    height: int
    background: tuple[int, int, int]
    accent: tuple[int, int, int]
    texts: tuple[ImageText, ...]
    product: str  # the silhouette drawn: extinguisher | box


@lru_cache(maxsize=1)
def font_file() -> tuple[str, int]:
    """(path, face index) of a bold Simplified-Chinese Noto Sans CJK face, from fontconfig."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", "Noto Sans CJK SC:style=Bold"],
                             capture_output=True, text=True, timeout=20, check=True).stdout.split("\n")
    except (OSError, subprocess.SubprocessError) as exc:
        raise RuntimeError(f"缺少中文字体：fc-match 无法运行（{exc}）；请安装 fonts-noto-cjk") from exc
    path = out[0].strip()
    if "CJK" not in path:
        raise RuntimeError(f"缺少中文字体：fontconfig 找到的是 {path or '无'}，请安装 fonts-noto-cjk")
    return path, int(out[1]) if len(out) > 1 and out[1].strip().isdigit() else 0


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = font_file()
    return ImageFont.truetype(path, size, index=index)


def _spec_line(spec: str) -> str:
    return spec.replace("kg", "KG") if spec else ""


def _other_weight(spec: str, rng: random.Random) -> str | None:
    """A weight that contradicts `spec` (title 4kg, picture 2KG), or None when `spec` states none."""
    m = _KG.search(spec or "")
    if not m:
        return None
    value = float(m.group(1))
    choices = [v for v in (1, 2, 3, 4, 5, 8) if abs(v - value) >= 1]
    return f"{rng.choice(choices)}KG"


def _layout(lines: list[tuple[str, str, str, int]], width: int, top: int, left: int = 60,
            gap: int = 28) -> tuple[list[ImageText], int]:
    """Boxes for lines of (text, kind, reason, font size), one under the other from `top`."""
    out, y = [], top
    for text, kind, reason, size in lines:
        x0, y0, x1, y1 = _font(size).getbbox(text)
        out.append(ImageText(text, kind, reason, (left + x0, y + y0, left + x1, y + y1), size))
        y += (y1 - y0) + gap + size // 3
    return out, y


def listing_images(listing, seed: int) -> list[ListingImage]:
    """The planned pictures of a demo-market listing (`demo_market.catalogue.Listing`)."""
    identity = listing.relist_of or listing.listing_id
    rng = random.Random(f"{seed}:img:{listing.platform}:{identity}")
    reasons = set(listing.true_reasons)
    count = max(1, int(listing.image_count))
    is_extinguisher = "灭火器" in listing.title or listing.true_category.endswith("extinguisher")
    ccc = bool(listing.certificate_no) or any(h in listing.title for h in _CCC_CATEGORY_HINT) and \
        listing.true_category != "not_fire" and "no_certification" not in reasons
    spec = _spec_line(listing.spec)
    contradict = _other_weight(listing.spec, rng) if reasons and rng.random() < 0.45 else None
    inspection_in_image = "inspection_only" in reasons or (bool(reasons) and rng.random() < 0.35)
    background = tuple(rng.randint(228, 250) for _ in range(3))
    accent = rng.choice([(200, 30, 30), (20, 90, 170), (30, 120, 60), (150, 60, 20)])

    main_lines: list[tuple[str, str, str, int]] = []
    if listing.brand:
        main_lines.append((listing.brand, "label", "", 56))
    main_lines.append((listing.title.split()[0][:10] if listing.title else "消防产品", "label", "", 50))
    if contradict and count == 1:
        main_lines.append((contradict, "spec", "spec_mismatch", 64))
    elif spec:
        main_lines.append((spec, "spec", "", 64))
    if ccc:
        main_lines.append(("3C认证", "cert", "invalid_certificate" if "invalid_certificate" in reasons else "", 52))
    if inspection_in_image:
        main_lines.append(("年检专用", "claim", "inspection_only", 64))
    texts, _ = _layout(main_lines, MAIN_SIZE[0], 70)
    images = [ListingImage(listing.platform, listing.listing_id, 0, "main", *MAIN_SIZE, background, accent,
                           tuple(texts), "extinguisher" if is_extinguisher else "box")]
    for index in range(1, count):
        lines: list[tuple[str, str, str, int]] = []
        if index == 1:
            lines.append(("产品参数", "label", "", 56))
            if listing.model:
                lines.append((f"型号：{listing.model}", "spec", "", 40))
            if contradict:
                lines.append((f"规格：{contradict}", "spec", "spec_mismatch", 44))
            elif spec:
                lines.append((f"规格：{spec}", "spec", "", 44))
            if listing.certificate_no:
                lines.append((f"证书编号：{listing.certificate_no}", "cert",
                              "invalid_certificate" if "invalid_certificate" in reasons else "", 36))
        else:
            lines.append((rng.choice(["正品保障", "厂家直销", "品质保证", "现货速发"]), "label", "", 56))
            if inspection_in_image and index == 2:
                lines.append(("应付检查 年检专用", "claim", "inspection_only", 48))
            else:
                lines.append((rng.choice(["压力充足 喷射有力", "操作简单 一拔二握三压", "家用商用均可"]), "label", "", 40))
        texts, bottom = _layout(lines, DETAIL_WIDTH, 80)
        height = max(900, min(1200, bottom + 260))
        images.append(ListingImage(listing.platform, listing.listing_id, index, "detail", DETAIL_WIDTH, height,
                                   background, accent, tuple(texts), "none"))
    return images


def image_claims(listing, seed: int) -> list[tuple[int, str, str]]:
    """(image index, text, reason) of every text that implies a reason, over a listing's pictures."""
    return [(im.index, t.text, t.reason) for im in listing_images(listing, seed) for t in im.texts if t.reason]


def render(image: ListingImage) -> bytes:
    """The picture as PNG bytes: a product silhouette, the texts in black on the background."""
    canvas = Image.new("RGB", (image.width, image.height), image.background)
    draw = ImageDraw.Draw(canvas)
    w, h = image.width, image.height
    if image.product == "extinguisher":
        draw.rounded_rectangle((w - 330, 260, w - 130, h - 80), radius=60, fill=image.accent)
        draw.rectangle((w - 260, 200, w - 200, 262), fill=(40, 40, 40))
        draw.rounded_rectangle((w - 300, 470, w - 160, 620), radius=12, fill=(250, 250, 250))
    elif image.product == "box":
        draw.rounded_rectangle((w - 340, h - 360, w - 100, h - 100), radius=24, fill=image.accent)
    else:
        draw.rectangle((0, h - 40, w, h), fill=image.accent)
    for t in image.texts:
        font = _font(t.size)
        x0, y0, _, _ = font.getbbox(t.text)
        left, top = t.box[0] - x0, t.box[1] - y0
        if t.kind in ("claim", "cert"):
            pad = max(6, t.size // 6)
            draw.rectangle((t.box[0] - pad, t.box[1] - pad, t.box[2] + pad, t.box[3] + pad), fill=(255, 255, 255),
                           outline=image.accent, width=4)
        draw.text((left, top), t.text, font=font, fill=(20, 20, 20))
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def parse_name(name: str) -> tuple[str, str, int] | None:
    """(platform, listing id, index) of an image path the replica hands out, else None."""
    m = _NAME.search(name)
    return (m.group(1), m.group(2), int(m.group(3))) if m else None


def serve(catalogue, name: str) -> bytes | None:
    """PNG bytes for an `/img/` path naming a catalogue listing's picture, else None."""
    parsed = parse_name(name)
    if parsed is None:
        return None
    platform, listing_id, index = parsed
    listing = catalogue.get(platform, listing_id)
    if listing is None or index >= max(1, int(listing.image_count)):
        return None
    cache = catalogue.__dict__.setdefault("_rendered_images", {})  # per catalogue: ~25 KB an image
    key = (platform, listing_id, index)
    data = cache.get(key)
    if data is None:
        source = catalogue.get(platform, listing.relist_of) if listing.relist_of else None
        plans = listing_images(source or listing, catalogue.seed)
        data = render(plans[min(index, len(plans) - 1)])  # ~12 ms of CPU
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = data
    return data
