"""Deterministic generation of the demo catalogue from the vocabulary files in `data/`.

Everything random goes through one `random.Random(seed)`, so a seed always yields the same listings.
Titles are assembled from shuffled segments as real titles vary; a share of fire listings is made
risky, with the evidence of one or two reason codes planted and recorded as ground truth.
"""
from __future__ import annotations

import csv
import json
import logging
import random
from decimal import Decimal
from pathlib import Path

from demo_market import networks as seller_networks
from demo_market.catalogue import PLATFORMS, Catalogue, Listing, Shop, money

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
PLATFORM_WEIGHTS = {"jd": 25, "taobao": 25, "tmall": 14, "pdd": 20, "1688": 16}
CATEGORY_WEIGHTS = {
    "portable_extinguisher": 14, "escape_respirator": 6, "smoke_alarm": 7, "emergency_light": 7,
    "gas_detector": 5, "fire_blanket": 5, "sprinkler": 4, "fire_hose": 4, "fire_coupling": 3,
    "flame_retardant_cable": 4, "fire_resistant_cable": 3, "fire_door": 3, "fire_glass": 2,
    "fire_shutter": 2, "fire_pump": 2, "gas_suppression": 2, "electrical_fire_detector": 2,
    "fire_retardant_coating": 2, "foam_agent": 2, "rescue_equipment": 4, "other_fire": 6,
    "not_fire": 7,
}
RISK_RATE = 0.30
TEXT_REASONS = ("inspection_only", "no_certification", "refurbished", "prop_or_display",
                "no_manufacturer")
PLATFORM_CN = {"淘宝": "taobao", "天猫": "tmall", "京东": "jd", "拼多多": "pdd", "1688": "1688"}
WATCH_CATEGORY = [  # 产品名称 substring -> category code, first match wins
    ("二氧化碳灭火器", "portable_extinguisher"), ("水基型灭火器", "portable_extinguisher"),
    ("干粉灭火器", "portable_extinguisher"), ("呼吸器", "escape_respirator"),
    ("感烟", "smoke_alarm"), ("应急", "emergency_light"), ("水带", "fire_hose"),
    ("阻燃", "flame_retardant_cable"), ("耐火电", "fire_resistant_cable"),
    ("灭火毯", "fire_blanket"), ("可燃气体", "gas_detector"), ("喷头", "sprinkler"),
    ("防火门", "fire_door"), ("防护服", "rescue_equipment"), ("接口", "fire_coupling"),
]
_ASCIIISH = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.*/-%℃")
MALFORMERS = ("short", "long", "letter", "future", "prefix", "dash")
# years no CCC certificate of a category could be issued (classifiers/data/ccc_scope.yaml): gas
# detectors were outside CCC from 2018-06-11 (2018年第11号公告) until 2024-11-01 (2024年第9号)
CCC_GAP_YEARS = {"0913": (2019, 2023)}


def load_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_watchlist() -> list[dict]:
    with (DATA / "watchlist.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


class _Builder:
    """Holds the generator state for one `generate` call."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.cats = load_json("categories.json")
        self.vocab = load_json("vocab.json")
        self.watchlist = load_watchlist()
        self.used_ids: set[str] = set()
        self.shops: list[Shop] = []
        self.shop_pool: dict[str, list[Shop]] = {p: [] for p in PLATFORMS}
        self.watch_names = {r["受检单位"] for r in self.watchlist}
        self.shop_names: set[str] = set(self.watch_names)
        self.watch_shops: dict[str, Shop] = {}
        self.makers = {b: f"{self.rng.choice(self.vocab['cities'])}{b}消防设备有限公司"
                       for b in self.vocab["brands"]}

    # ids and shops -------------------------------------------------------------
    def new_id(self, platform: str) -> str:
        rng = self.rng
        while True:
            if platform == "jd":
                lid = "100" + _digits(rng, 9, "0123456789") if rng.random() < 0.6 else _digits(rng, rng.choice((10, 11)))
            elif platform in ("taobao", "tmall"):
                lid = _digits(rng, 12, "567")
            elif platform == "pdd":
                lid = _digits(rng, rng.choice((11, 12)), "123456")
            else:
                lid = _digits(rng, 12, "678")
            if lid not in self.used_ids:
                self.used_ids.add(lid)
                return lid

    def new_shop(self, platform: str, name: str | None = None, city: str | None = None,
                 watchlisted: bool = False) -> Shop:
        rng, v = self.rng, self.vocab
        city = city or rng.choice(v["cities"])
        while name is None:
            first = rng.choice(v["brands"]) if platform == "tmall" else rng.choice(v["shop_words"])
            cand = first + rng.choice(v["shop_suffix"][platform])
            if platform == "1688" or cand in self.shop_names:
                cand = city + cand
            if cand not in self.shop_names:
                name = cand
        self.shop_names.add(name)
        if platform == "jd":
            shop_id, seller = _digits(rng, rng.choice((6, 7, 8))), _digits(rng, rng.choice((6, 7)))
        elif platform in ("taobao", "tmall"):
            shop_id, seller = _digits(rng, rng.choice((8, 9))), _digits(rng, rng.choice((9, 10)))
        elif platform == "pdd":
            shop_id = seller = _digits(rng, 9)
        else:
            shop_id, seller = "b2b-" + _digits(rng, 12, "2"), _digits(rng, 10)
        nick = name if platform in ("tmall", "jd", "1688") else rng.choice(v["shop_words"]) + _digits(rng, 4)
        shop = Shop(platform, shop_id, name, seller, nick, city, watchlisted)
        self.shops.append(shop)
        if not watchlisted:
            self.shop_pool[platform].append(shop)
        return shop

    def pick_shop(self, platform: str) -> Shop:
        pool = self.shop_pool[platform]
        if len(pool) < 6 or self.rng.random() < 0.12:
            return self.new_shop(platform)
        return self.rng.choice(pool)

    def watch_shop(self, row: dict) -> Shop:
        name = row["受检单位"]
        if name not in self.watch_shops:
            self.watch_shops[name] = self.new_shop(
                PLATFORM_CN.get(row["电商平台"], "taobao"), name=name, watchlisted=True)
        return self.watch_shops[name]

    # certificates ------------------------------------------------------------
    def cert(self, ccc_code: str) -> str:
        rng = self.rng
        year = rng.randint(2015, 2025)
        gap = CCC_GAP_YEARS.get(ccc_code)
        if gap and gap[0] <= year <= gap[1]:
            year = gap[1] + 1 + year % 2  # same random draws as before: the rest of the catalogue is unchanged
        return (str(year) + rng.choice(("01", "08", "18"))
                + ccc_code + _digits(rng, 6, "0123456789"))

    def bad_cert(self, ccc_code: str) -> str:
        good, kind = self.cert(ccc_code), self.rng.choice(MALFORMERS)
        if kind == "short":
            return good[:-1]
        if kind == "long":
            return good + str(self.rng.randint(0, 9))
        if kind == "letter":
            i = self.rng.randint(6, 14)
            return good[:i] + "O" + good[i + 1:]
        if kind == "future":
            return str(self.rng.randint(2031, 2039)) + good[4:]
        if kind == "prefix":
            return "CCC" + good[3:]
        return f"{good[:4]}-{good[4:6]}-{good[6:10]}-{good[10:13]}"

    # choosing risk ---------------------------------------------------------------
    def applicable(self, cat: str) -> list[str]:
        info = self.cats[cat]
        reasons = list(TEXT_REASONS) + ["price_too_low", "substandard_spec", "watchlist_seller"]
        if info["cert"] == "ccc":
            reasons.append("invalid_certificate")
        if info.get("mismatch"):
            reasons.append("spec_mismatch")
        return reasons

    def choose_reasons(self, cat: str) -> list[str]:
        rng = self.rng
        pool = self.applicable(cat)
        # lean on the rarer codes so every code appears even in small catalogues
        weights = [1.6 if r in ("invalid_certificate", "spec_mismatch") else 1.0 for r in pool]
        first = rng.choices(pool, weights)[0]
        reasons = [first]
        if rng.random() < 0.25:
            second = rng.choice([r for r in pool if r not in reasons and r != "watchlist_seller"
                                 and not (first == "watchlist_seller" and r == "no_manufacturer")])
            if {first, second} != {"refurbished", "prop_or_display"}:
                reasons.append(second)
        return sorted(reasons)

    # one listing -------------------------------------------------------------
    def make(self, platform: str, cat: str, reasons: list[str], shop: Shop | None = None,
             spec: dict | None = None, relist_of: str | None = None) -> Listing:
        rng, v, info = self.rng, self.vocab, self.cats[cat]
        spec = spec or rng.choice(info["specs"])
        model, spec_text = spec["model"], spec["spec"]
        attrs: dict[str, str] = {}
        maker: str | None = None
        watch_row = None
        if "watchlist_seller" in reasons:
            rows = [r for r in self.watchlist if self.watch_cat(r) == cat] or self.watchlist
            watch_row = rng.choice(rows)
            if shop is None and PLATFORM_CN.get(watch_row["电商平台"]) == platform and rng.random() < 0.7:
                shop = self.watch_shop(watch_row)
            else:
                maker = watch_row["标称生产单位"]
        shop = shop or self.pick_shop(platform)
        brand = rng.choice(v["brands"]) if cat != "not_fire" or rng.random() < 0.5 else ""
        if platform == "tmall" and shop.name.endswith("旗舰店") and not shop.watchlisted:
            brand = next((b for b in v["brands"] if shop.name.startswith(b)), brand)
        noun = spec.get("noun") or rng.choice(info["nouns"])
        standard = info["standard"]
        risk_title: list[str] = []
        extra = ""
        if "spec_mismatch" in reasons:
            model, spec_text = rng.choice(info["mismatch"])
        if "substandard_spec" in reasons:
            sub = rng.choice(info["substandard"])
            if sub.startswith("执行标准"):
                standard = sub.removeprefix("执行标准")
                if rng.random() < 0.5:
                    risk_title.append(sub.removeprefix("执行标准").replace(" ", ""))
            else:
                risk_title.append(sub)
        for code in TEXT_REASONS:
            if code in reasons:
                phrase = rng.choice(v["risk_phrases"][code])
                if rng.random() < 0.75:
                    risk_title.append(phrase)
                else:
                    extra += f"本品{phrase}，介意勿拍。"
        if "no_manufacturer" in reasons:
            brand = ""
        # attributes
        if brand:
            attrs["品牌"] = brand
        elif "no_manufacturer" in reasons and rng.random() < 0.6:
            attrs["品牌"] = "无品牌"
        if model:
            attrs["型号"] = model
        attrs["规格"] = spec_text
        if standard:
            attrs["执行标准"] = standard
        cert = ""
        if info["cert"] == "ccc":
            if "invalid_certificate" in reasons:
                cert = self.bad_cert(info["ccc_code"])
            elif "no_certification" not in reasons and rng.random() < 0.85:
                cert = self.cert(info["ccc_code"])
            if cert:
                attrs["认证证书编号"] = cert
        elif info["cert"] == "voluntary" and rng.random() < 0.5 and "no_certification" not in reasons:
            attrs["产品认证"] = "自愿性产品认证"
        if "no_manufacturer" not in reasons:
            maker = maker or (self.makers.get(brand) if brand else None)
            if maker:
                attrs["生产企业"] = maker
            attrs["产地"] = shop.city if rng.random() < 0.7 else "中国大陆"
        attrs.update(spec.get("attrs", {}))
        # price
        lo, hi = spec["price"]
        price = money(rng.uniform(lo, hi))
        if price >= 20:
            price = money(int(price) + rng.choice((0, 0.5, 0.9, 0.99)))
        if "price_too_low" in reasons:
            price = max(money(lo * rng.uniform(0.08, 0.3)), Decimal("0.50"))
        if platform == "1688":
            price = money(price * Decimal("0.8"))
        price_max = money(price * Decimal(str(rng.uniform(1.1, 1.6)))) if rng.random() < 0.35 else None
        promo = Decimal(str(round(rng.uniform(0.82, 0.96), 2))) if rng.random() < 0.4 else None
        if "invalid_certificate" in reasons and rng.random() < 0.5:
            risk_title.append("3C认证")
        title = self.title(platform, cat, noun, brand, model, spec_text, risk_title, reasons, spec)
        desc = self.description(cat, noun, brand, model, spec_text, standard, shop.city, extra, attrs)
        return Listing(
            platform=platform, listing_id=self.new_id(platform), title=title, true_category=cat,
            shop_id=shop.shop_id, shop_name=shop.name, seller_id=shop.seller_id,
            seller_nick=shop.nick, location=f"{v['provinces'].get(shop.city, '')} {shop.city}".strip(),
            brand=brand, model=model, spec=spec_text, attributes=attrs, certificate_no=cert,
            price=price, price_max=price_max, promo_ratio=promo,
            stock=rng.randint(0, 5000), sales=int(rng.paretovariate(1.1) * 8) % 40000,
            description=desc, image_count=rng.randint(1, 5), true_reasons=list(reasons),
            relist_of=relist_of)

    def watch_cat(self, row: dict) -> str:
        name = row["产品名称"] + row["产品种类"]
        return next((c for key, c in WATCH_CATEGORY if key in name), "portable_extinguisher")

    def title(self, platform, cat, noun, brand, model, spec_text, risk_title, reasons, spec) -> str:
        rng, v, info = self.rng, self.vocab, self.cats[cat]
        head: list[str] = []
        segs: list[str] = [noun]
        if cat == "not_fire":
            segs += rng.sample(["消防", "灭火器", "消防员", "119", "灭火", "消防车"], rng.randint(0, 2))
        else:
            others = [n for n in info["nouns"] if n != noun]
            segs += rng.sample(others, min(len(others), rng.choice((0, 0, 1, 1, 2))))
        if brand and rng.random() < 0.85:
            (head if rng.random() < 0.7 else segs).append(brand)
        if rng.random() < 0.85 or "spec_mismatch" in reasons:
            segs.append(self.spell(spec_text))
        if model and (rng.random() < 0.6 or "spec_mismatch" in reasons):
            segs.append(model)
        segs += rng.sample(info["uses"], rng.randint(0, min(2, len(info["uses"]))))
        selling = v["selling"] if cat != "not_fire" else ["新款", "热卖", "儿童礼物"]
        if info["cert"] != "ccc":
            selling = [s for s in selling if s != "3C认证"]
        if "no_certification" in reasons:
            selling = [s for s in selling if "认证" not in s and "检" not in s]
        segs += rng.sample(selling, rng.randint(0, 2))
        segs += rng.sample(v["platform_tokens"][platform], rng.randint(0, 2) if platform != "1688" else rng.randint(1, 2))
        segs += risk_title
        rng.shuffle(segs)
        if rng.random() < 0.35:
            tag = "【" + rng.choice(v["brackets"] + risk_title[:1]) + "】"
            if tag[1:-1] in segs:
                segs.remove(tag[1:-1])
            (head.insert(0, tag) if rng.random() < 0.75 else segs.append(tag))
        parts = head + segs
        while sum(len(p) for p in parts) > 58 and len(parts) > 3:
            optional = [p for p in parts if p not in risk_title and p not in (noun, model, spec_text, brand)]
            if not optional:
                break
            parts.remove(rng.choice(optional))
        out = parts[0]
        for p in parts[1:]:
            glued = out[-1] in _ASCIIISH and p[0] in _ASCIIISH  # never fuse two codes into one
            out += (" " if glued or rng.random() < 0.55 else "") + p
        return out

    def spell(self, spec_text: str) -> str:
        """Spell a specification the way sellers vary it (4kg, 4KG, 4公斤)."""
        r = self.rng.random()
        if spec_text.endswith("kg") and spec_text[:-2].isdigit():
            return spec_text if r < 0.5 else (spec_text[:-2] + ("KG" if r < 0.75 else "公斤"))
        return spec_text

    def description(self, cat, noun, brand, model, spec_text, standard, city, extra, attrs) -> str:
        rng, v = self.rng, self.vocab
        if cat == "not_fire":
            return f"{noun}，{spec_text}。" + rng.choice(v["toy_desc"])
        text = rng.choice(v["desc_templates"]).format(
            brand=brand or "", noun=noun, model=model or "", spec=spec_text,
            standard=standard or "相关标准", city=city, use=rng.choice(self.cats[cat]["uses"]),
            extra=extra)
        if "认证证书编号" in attrs and rng.random() < 0.5:
            text += f"证书编号：{attrs['认证证书编号']}。"
        return text


def generate(seed: int = 7, size: int = 1600) -> Catalogue:
    """Build a `Catalogue` with `size` day-0 listings plus their future relistings."""
    b = _Builder(seed)
    rng = b.rng
    plats, pw = list(PLATFORM_WEIGHTS), list(PLATFORM_WEIGHTS.values())
    cats, cw = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    listings: list[Listing] = []
    order = cats + rng.choices(cats, cw, k=max(0, size - len(cats)))  # every category once
    rng.shuffle(order)
    for cat in order[:size]:
        platform = rng.choices(plats, pw)[0]
        reasons = b.choose_reasons(cat) if cat != "not_fire" and rng.random() < RISK_RATE else []
        listings.append(b.make(platform, cat, reasons))
    _plant_missing_reasons(b, listings)
    relists: list[Listing] = []
    for x in listings:
        if x.risky and rng.random() < 0.35:
            x.delisted_day = rng.randint(1, 5)
        elif not x.risky and rng.random() < 0.05:
            x.delisted_day = rng.randint(1, 8)
        if x.delisted_day and x.risky and x.true_reasons != ["watchlist_seller"] and rng.random() < 0.6:
            reasons = [r for r in x.true_reasons if r != "watchlist_seller"]
            new = b.make(x.platform, x.true_category, reasons, shop=b.new_shop(x.platform),
                         relist_of=x.listing_id)
            new.listed_day = x.delisted_day + rng.randint(0, 2)
            relists.append(new)
    log.debug("generated %d listings and %d relistings (seed %s)", len(listings), len(relists), seed)
    nets, licences = seller_networks.attach(listings + relists, b.shops, seed)  # own rng: the rest unchanged
    catalogue = Catalogue(listings + relists, b.shops, seed, b.watchlist)
    catalogue.networks, catalogue.licences = nets, licences
    return catalogue


def _plant_missing_reasons(b: _Builder, listings: list[Listing]) -> None:
    """Replace a few clean listings so that every reason code occurs at least twice."""
    all_codes = set(TEXT_REASONS) | {"price_too_low", "substandard_spec", "watchlist_seller",
                                     "invalid_certificate", "spec_mismatch"}
    for code in sorted(all_codes):
        have = sum(code in x.true_reasons for x in listings)
        for i, x in enumerate(listings):
            if have >= 2:
                break
            if not x.risky and x.true_category != "not_fire" and code in b.applicable(x.true_category):
                listings[i] = b.make(x.platform, x.true_category, [code])
                have += 1


def build_catalogue(seed: int = 7, size: int = 1600) -> Catalogue:
    """Generate the catalogue deterministically from `seed` (`size` listings live on day 0)."""
    return generate(seed=seed, size=size)
