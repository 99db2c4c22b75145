"""Seller networks in the demo catalogue: which shops on which platforms one operator runs.

`attach(listings, shops, seed)` picks groups of existing shops (on different platforms, some on
the same one), renames them the way one operator names its shops (one stem, varied suffixes,
province sometimes dropped), and plants the keys a resolver can find:

- a licence block (company name and 统一社会信用代码 with a correct check character) where the
  real platform shows it openly: every Tmall shop, Taobao 企业店 shops, 1688 offers (the company
  name is the seller); JD shows its licence only behind an image captcha (the replica links to a
  captcha page), Pinduoduo only as an image behind login (the replica shows none);
- contact strings in listing descriptions, obfuscated as sellers write them ("V:", "薇信",
  spaced or full-width digits, "扣扣");
- an address, and shop names sharing a stem (weak keys: only in combination).

Each network member carries at least one strong key it shares with an earlier member, so a
resolver that reads every style can find the network; about 8% carry only weak keys (address +
name stem) and about 4% nothing at all (contacts only in the product images, their own name): the
ceiling of recall is below 1. Relistings' new shops (`relist_of`) join the network of the original's
shop (a network of two when the original shop had none) and carry some of its keys.

Hard negatives: unrelated shops registered at a network's address (a shared office building),
shops named with a network's stem on another platform, and a 400 service line printed in many
unrelated descriptions (not a mobile number, not a key).

Ground truth: `Network.shops`, a list of (platform, shop_id). Everything is drawn from its own
`random.Random(f"{seed}:networks")`, so the rest of the catalogue is unchanged by it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from firewatch.core.creditcode import ALPHABET, check_character

NETWORKS_PER_LISTING = 1 / 45
STEMS = ("盾安", "消安", "华卫", "安泰", "恒安", "卫邦", "佑安", "护神", "安邦", "捷安", "锦安", "御安",
         "泰和", "金盾", "安捷", "瑞安", "康安", "宁安", "晟安", "祥安", "泽安", "兴安", "凯安", "信安",
         "安宏", "安源", "安众", "安锐", "安迪", "安诺", "安特", "安格", "宏盾", "卫盾", "坚盾", "铁盾")
COMPANY_KINDS = ("消防器材有限公司", "商贸有限公司", "安防科技有限公司", "贸易有限公司", "消防设备有限公司")
SUFFIX = {"jd": ("消防专营店", "安防旗舰店", "消防器材专营店"), "taobao": ("企业店", "消防企业店", "消防器材店"),
          "tmall": ("旗舰店", "专营店", "消防专营店"), "pdd": ("消防百货", "安防专营", "消防用品店"),
          "1688": ()}
ROADS = ("建设路", "解放路", "人民路", "中山路", "工业大道", "科技园路", "创业路", "新华路")
BUILDINGS = ("国贸大厦", "创业园", "电商产业园", "科技大厦", "商务中心", "物流园")


@dataclass
class Licence:
    company: str
    credit_code: str


@dataclass
class Network:
    """One operator behind several shops: the ground truth a resolver is measured against."""

    network_id: str
    operator: str
    credit_code: str
    phone: str
    wechat: str
    qq: str
    address: str
    stem: str
    shops: list[tuple[str, str]] = field(default_factory=list)


def credit_code(rng: random.Random, city_code: str) -> str:
    """A well-formed 统一社会信用代码 (registration 9, type 1, a region code, an organisation code)."""
    body = "91" + city_code + "".join(rng.choice(ALPHABET[:10] if i < 8 else ALPHABET) for i in range(9))
    return body + check_character(body)


def licence_for(catalogue, listing) -> Licence | None:
    """The licence the shop's item page shows openly (None: the page shows none)."""
    return getattr(catalogue, "licences", {}).get((listing.platform, listing.shop_id))


def _phone_styles(phone: str) -> list[str]:
    full = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    return [f"电话{phone}", f"手机：{phone[:3]} {phone[3:7]} {phone[7:]}", f"☎ {phone[:3]}-{phone[3:7]}-{phone[7:]}",
            f"联系{full}", f"T: {' '.join(phone)}"]


def _wechat_styles(wx: str) -> list[str]:
    return [f"V:{wx}", f"薇信 {wx}", f"VX：{wx}", f"加微 {wx}", f"wx:{wx}"]


def _qq_styles(qq: str) -> list[str]:
    return [f"扣扣{qq}", f"QQ：{qq}", f"企鹅 {qq}"]


class _Planter:
    def __init__(self, listings: list, shops: list, seed: int):
        self.rng = random.Random(f"{seed}:networks")
        self.listings = listings
        self.shops = {(s.platform, s.shop_id): s for s in shops}
        self.by_shop: dict[tuple[str, str], list] = {}
        for x in listings:
            self.by_shop.setdefault((x.platform, x.shop_id), []).append(x)
        self.names = {s.name for s in shops}
        self.networks: list[Network] = []
        self.licences: dict[tuple[str, str], Licence] = {}
        self.member: dict[tuple[str, str], Network] = {}
        self.phones: set[str] = set()
        self.stems = list(STEMS)
        self.rng.shuffle(self.stems)

    def unique_phone(self) -> str:
        while True:
            p = self.rng.choice(("138", "139", "135", "151", "158", "177", "186", "199")) + \
                "".join(self.rng.choice("0123456789") for _ in range(8))
            if p not in self.phones:
                self.phones.add(p)
                return p

    def new_network(self, city: str) -> Network:
        rng = self.rng
        n = len(self.networks)
        stem = self.stems[n % len(self.stems)] + ("" if n < len(self.stems) else str(n // len(self.stems)))
        operator = f"{city}{stem}{rng.choice(COMPANY_KINDS)}"
        wx = rng.choice("abcdefghjkmnpqrstuvwxyz") + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789_")
                                                             for _ in range(rng.randint(6, 10)))
        qq = str(rng.randint(10_000_000, 3_999_999_999))
        address = (f"{city}市{rng.choice(('高新区', '经开区', '城东区', '江北区'))}{rng.choice(ROADS)}"
                   f"{rng.randint(1, 399)}号{rng.choice(BUILDINGS)}{rng.randint(1, 30)}0{rng.randint(1, 9)}室")
        net = Network(f"N{n + 1:03d}", operator, credit_code(rng, f"{rng.randint(110000, 659999)}"),
                      self.unique_phone(), wx, qq, address, stem)
        self.networks.append(net)
        return net

    def rename(self, shop, net: Network) -> None:
        rng = self.rng
        if shop.platform == "1688":
            name = net.operator if not any(s[0] == "1688" for s in net.shops[:-1]) else \
                f"{shop.city}{net.stem}消防器材经营部"
        else:
            province = "" if rng.random() < 0.6 else shop.city
            name = province + net.stem + rng.choice(SUFFIX[shop.platform])
        while name in self.names:
            name = shop.city + name if not name.startswith(shop.city) else name + "二店"
        self.names.add(name)
        shop.name = name
        if shop.platform in ("tmall", "jd", "1688"):
            shop.nick = name
        for x in self.by_shop.get((shop.platform, shop.shop_id), ()):
            x.shop_name = name
            x.seller_nick = shop.nick

    def licence(self, shop, net: Network) -> bool:
        """Put the network's licence on the shop where its platform shows one openly."""
        if shop.platform == "tmall" or shop.platform == "taobao" and shop.name.endswith("企业店"):
            self.licences[(shop.platform, shop.shop_id)] = Licence(net.operator, net.credit_code)
            return True
        return shop.platform == "1688" and shop.name == net.operator

    def plant(self, shop, keys: list[str], net: Network, weak_only: bool = False) -> None:
        """Write the chosen contact keys into the descriptions of some of the shop's listings."""
        rng = self.rng
        own = self.by_shop.get((shop.platform, shop.shop_id), [])
        if not own:
            return
        for i, x in enumerate(own):
            parts = []
            if not weak_only and (i == 0 or rng.random() < 0.7):  # sellers reuse one description template
                for k in keys:
                    styles = {"phone": _phone_styles(net.phone), "wechat": _wechat_styles(net.wechat),
                              "qq": _qq_styles(net.qq)}[k]
                    parts.append(rng.choice(styles))
            if i == 0 or rng.random() < 0.6:
                parts.append(f"地址：{net.address}")
            if parts:
                x.description = (x.description + " " + "，".join(parts) + "。").strip()

    def add_member(self, net: Network, shop, keys: list[str], weak_only: bool = False, rename: bool = True,
                   hidden: bool = False) -> None:
        net.shops.append((shop.platform, shop.shop_id))
        self.member[(shop.platform, shop.shop_id)] = net
        if hidden:  # contacts only in the product images ("详情见图片"), its own name: no key to find
            own = self.by_shop.get((shop.platform, shop.shop_id), [])
            if own:
                own[0].description += " 联系方式详见图片。"
            return
        if rename:
            self.rename(shop, net)
        self.licence(shop, net)
        self.plant(shop, keys, net, weak_only)

    def member_keys(self, carried: list[list[str]], shows_licence: bool) -> list[str]:
        """Contact keys for the next member: one shared with an earlier member (the licence counts
        when this shop shows one too), sometimes one more."""
        rng = self.rng
        if not carried:
            return rng.sample(["phone", "wechat", "qq"], rng.randint(1, 2))
        shared = [k for keys in carried for k in keys if k != "licence" or shows_licence]
        pick = rng.choice(shared)
        keys = set() if pick == "licence" else {pick}
        if rng.random() < 0.4 or not keys and rng.random() < 0.5:
            keys.add(rng.choice(("phone", "wechat", "qq")))
        return sorted(keys)

    def run(self) -> None:
        rng = self.rng
        day0 = [x for x in self.listings if x.listed_day == 0]
        pools: dict[str, list] = {}
        for key in dict.fromkeys((x.platform, x.shop_id) for x in day0):
            shop = self.shops.get(key)
            if shop is not None and not shop.watchlisted:
                pools.setdefault(key[0], []).append(shop)
        for pool in pools.values():
            rng.shuffle(pool)
        wanted = max(3, round(len(day0) * NETWORKS_PER_LISTING))
        platforms = sorted(pools)
        for _ in range(wanted):
            size = rng.choice((2, 2, 3, 3, 3, 4, 5))
            chosen = rng.sample(platforms, min(size, len(platforms)))
            if rng.random() < 0.25:
                chosen.append(rng.choice(chosen))  # two shops on one platform
            members = [pools[p].pop() for p in chosen if pools[p]]
            if len(members) < 2:
                break
            net = self.new_network(members[0].city)
            carried: list[list[str]] = []
            for i, shop in enumerate(members):
                roll = rng.random()
                hidden = i > 0 and roll < 0.04
                weak_only = i > 0 and roll < 0.12
                shows = shop.platform == "tmall" or shop.platform == "1688" and not any(
                    m.platform == "1688" for m in members[:i])
                keys = [] if weak_only else self.member_keys(carried, shows)
                self.add_member(net, shop, keys, weak_only, hidden=hidden)
                if hidden:
                    carried.append([])
                    continue
                if (shop.platform, shop.shop_id) in self.licences or shop.name == net.operator:
                    keys = keys + ["licence"]
                carried.append(keys)
        self.relistings()
        self.negatives(pools)

    def relistings(self) -> None:
        """A relisting's new shop belongs to the network of the original's shop."""
        rng = self.rng
        originals = {(x.platform, x.listing_id): x for x in self.listings}
        for x in self.listings:
            if not x.relist_of:
                continue
            orig = originals.get((x.platform, x.relist_of))
            shop = self.shops.get((x.platform, x.shop_id))
            if orig is None or shop is None or (x.platform, x.shop_id) in self.member:
                continue
            key = (orig.platform, orig.shop_id)
            net = self.member.get(key)
            if net is None:  # the original shop had no network: it and its relisting shop make one
                first = self.shops.get(key)
                if first is None or first.watchlisted:
                    continue
                net = self.new_network(first.city)
                self.add_member(net, first, ["phone"] if rng.random() < 0.5 else ["wechat"], rename=False)
            keys = sorted({rng.choice(("phone", "wechat", "qq")), "phone" if rng.random() < 0.7 else "wechat"})
            self.add_member(net, shop, keys, rename=rng.random() < 0.5)
            # the original's keys must reach the relisting: a relisting carries the phone or wechat
            # and so does every earlier member that `add_member` planted ("phone"/"wechat" choices above)
            self._ensure_shared(net, shop)

    def _ensure_shared(self, net: Network, shop) -> None:
        """Make sure the relisting shop's first listing names the network's phone and wechat both."""
        own = self.by_shop.get((shop.platform, shop.shop_id), [])
        if own:
            own[0].description += f" {self.rng.choice(_phone_styles(net.phone))}，{self.rng.choice(_wechat_styles(net.wechat))}。"
        first = self.by_shop.get(net.shops[0], [])
        if first:
            first[0].description += f" {self.rng.choice(_phone_styles(net.phone))}，{self.rng.choice(_wechat_styles(net.wechat))}。"

    def negatives(self, pools: dict[str, list]) -> None:
        """Unrelated shops sharing one weak key with a network each."""
        rng = self.rng
        if not self.networks:
            return
        for i in range(max(2, len(self.networks) // 3)):
            net = self.networks[i % len(self.networks)]
            plats = [p for p in pools if pools[p]]
            if not plats:
                return
            shop = pools[rng.choice(plats)].pop()
            own = self.by_shop.get((shop.platform, shop.shop_id), [])
            if i % 2 == 0 and own:  # registered at the same office address
                own[0].description += f" 地址：{net.address}。"
            elif shop.platform != "1688":  # a look-alike name, nothing else shared
                name = net.stem + rng.choice(SUFFIX[shop.platform])
                if name not in self.names:
                    self.names.add(name)
                    shop.name = name
                    for x in own:
                        x.shop_name = name
        hotline = "400-" + "".join(rng.choice("0123456789") for _ in range(3)) + "-" + \
            "".join(rng.choice("0123456789") for _ in range(4))
        for x in rng.sample(self.listings, min(60, len(self.listings))):
            x.description += f" 全国服务热线 {hotline}。"


def attach(listings: list, shops: list, seed: int) -> tuple[list[Network], dict[tuple[str, str], Licence]]:
    """Plant networks in the generated listings and shops (mutated in place); returns the networks
    (ground truth) and the licence shown per (platform, shop_id)."""
    planter = _Planter(listings, shops, seed)
    planter.run()
    # every Tmall shop shows a licence, network or not: its own company, so the block alone links nothing
    rng = random.Random(f"{seed}:licences")
    used = {lic.company for lic in planter.licences.values()}
    for s in shops:
        if s.platform == "tmall" and (s.platform, s.shop_id) not in planter.licences:
            company = f"{s.city}{s.name[:2]}{rng.choice(COMPANY_KINDS)}"
            while company in used:
                company = f"{s.city}{s.name[:2]}{rng.choice(STEMS)}{rng.choice(COMPANY_KINDS)}"
            used.add(company)
            planter.licences[(s.platform, s.shop_id)] = Licence(
                company, credit_code(rng, f"{rng.randint(110000, 659999)}"))
    return planter.networks, planter.licences
