"""What a platform hands a regulator as a file: a compliance data report (合规数据报送) of some of
its fire-product listings, as platforms send them (GBK CSV under a title row, Chinese columns).

`write_compliance_report(catalogue, keys, path)` writes one such file for the listings `keys`
with their real item URLs, day-0 title and price, shop, the operator behind the shop (a company
name and a well-formed unified social credit code, both derived from the shop, so the same
shop always reports the same operator) and its address. The demo imports it with
`firewatch import listings`; the listings it names need not have been crawled.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from demo_market.catalogue import Catalogue
from firewatch.core.creditcode import ALPHABET, check_character

HEADER = ["序号", "商品链接", "商品名称", "销售价格（元）", "店铺名称", "经营者名称", "统一社会信用代码", "经营地址",
          "年销售额标识", "销售数量", "涉嫌违法情形"]
PLATFORM_TITLES = {"jd": "京东", "taobao": "淘宝", "tmall": "天猫", "pdd": "拼多多", "1688": "1688"}


def operator_of(shop_name: str, city: str) -> tuple[str, str]:
    """(company name, unified social credit code) of the operator behind a demo shop."""
    digest = hashlib.sha256(shop_name.encode("utf-8")).digest()
    body = "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:9])
    first17 = "91" + "3501" + "00" + body
    company = f"{city or '福州'}{shop_name.replace('旗舰店', '').replace('专营店', '').replace('店', '')}商贸有限公司"
    return company, first17 + check_character(first17)


def write_compliance_report(catalogue: Catalogue, keys: list[tuple[str, str]], path: str | Path,
                            period: str = "2026年第四季度") -> Path:
    """A GBK CSV report of the listings `keys` (see the module docstring); returns its path."""
    platforms = "、".join(sorted({PLATFORM_TITLES[p] for p, _ in keys}))
    rows = [[f"{period} 消防产品网络交易合规数据报送（{platforms}）"], ["报送依据：网络交易合规数据报送暂行办法；金额单位：元"], HEADER]
    for n, key in enumerate(keys, start=1):
        item = catalogue.get(*key)
        if item is None:
            raise KeyError(f"no demo listing {key}")
        company, code = operator_of(item.shop_name, item.location)
        rows.append([str(n), item.url, item.title, str(item.price), item.shop_name, company, code,
                     f"{item.location or '福建省福州市'}某路{n}号", "是" if item.sales > 1000 else "否", str(item.sales),
                     "价格明显偏低" if item.true_reasons else ""])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("gbk", errors="replace"))
    return path
