"""Report import speed: `firewatch import listings` on a large platform report, beside a baseline.

Writes a GBK CSV report of N rows (default 100,000; a province's quarterly compliance report
for one category group is of that order) under two title rows, with the columns platforms send
(item URL, title, price, shop, operator, unified social credit code, address, annual-sales
flag, sales), then times in one process:

- baseline: decoding the file and splitting it with `csv` (the floor any reader pays);
- read: `firewatch.imports.listings.read_listings_file` (header detection, every row checked:
  item URL to listing key, price, counts, credit code check character);
- import into an empty store, and the same rows again from a second file (every listing already
  known: merged, not created): `firewatch.services.reports.import_listings`, one transaction each.

Prints rows per second of each and the ratio of read to baseline. Run:
`python benchmarks/bench_import.py [--rows 100000]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from firewatch.core.creditcode import ALPHABET, check_character  # noqa: E402
from firewatch.imports.listings import read_listings_file  # noqa: E402
from firewatch.services.reports import import_listings  # noqa: E402
from firewatch.store import open_store  # noqa: E402

HEADER = ["序号", "商品链接", "商品名称", "销售价格（元）", "店铺名称", "经营者名称", "统一社会信用代码", "经营地址",
          "年销售额标识", "销售数量"]
URLS = ("https://item.jd.com/{id}.html", "https://detail.tmall.com/item.htm?id={id}",
        "https://mobile.yangkeduo.com/goods.html?goods_id={id}", "https://detail.1688.com/offer/{id}.html")


def credit_code(n: int) -> str:
    body = "".join(ALPHABET[(n // len(ALPHABET) ** i) % len(ALPHABET)] for i in range(9))
    first17 = "91350100" + body
    return first17 + check_character(first17)


def write_report(path: Path, rows: int, title: str) -> Path:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerows([[title], ["金额单位：元"], HEADER])
    for n in range(rows):
        out.writerow([n + 1, URLS[n % 4].format(id=10_000_000 + n), f"手提式干粉灭火器 4kg 年检专用 {n}", f"{12 + n % 90}.80",
                      f"消防器材店{n % 5000}", f"某消防器材有限公司{n % 5000}", credit_code(n % 5000),
                      "福建省福州市", "是" if n % 7 == 0 else "否", str(n % 3000)])
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = write_report(folder / "report-1.csv", args.rows, "2026年第四季度 消防产品合规数据报送")
        second = write_report(folder / "report-2.csv", args.rows, "2026年第四季度 消防产品合规数据报送（补报）")
        size = first.stat().st_size
        base, _ = timed(lambda: sum(1 for _ in csv.reader(io.StringIO(first.read_bytes().decode("gb18030")))))
        read_s, read = timed(lambda: read_listings_file(first))
        assert not read.errors and len(read.rows) == args.rows, read.errors[:3]
        with open_store(folder / "firewatch.db", data_dir=folder) as store:
            new_s, new = timed(lambda: import_listings(store, first, "bench"))
            again_s, again = timed(lambda: import_listings(store, second, "bench"))
        assert new.written.created == args.rows and again.written.created == 0
    rate = lambda seconds: f"{args.rows / seconds:,.0f} rows/s"  # noqa: E731
    print(f"rows: {args.rows:,} (GBK CSV, {size / 1e6:.1f} MB)")
    print(f"baseline  decode + csv split        {base:7.2f} s  {rate(base)}")
    print(f"read      read_listings_file        {read_s:7.2f} s  {rate(read_s)}  ({read_s / base:.1f}x baseline)")
    print(f"import    into an empty store       {new_s:7.2f} s  {rate(new_s)}  (read included)")
    print(f"import    same listings, new file   {again_s:7.2f} s  {rate(again_s)}  (merged into known listings)")


if __name__ == "__main__":
    main()
