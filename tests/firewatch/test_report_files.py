"""Reading platforms' report files as leads (`firewatch.imports.listings`): encodings, title
rows, aliased and shuffled Chinese columns, JSON shapes, and every kind of bad row named by
its row number with the reason. Nothing here touches a store.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from firewatch.core.creditcode import check_character, credit_code_problem
from firewatch.core.exceptions import ImportFileError
from firewatch.imports.listings import read_listings_file

GOOD_CODE = "91350100M000100Y43"  # the standard's worked example


def write_csv(path, rows, encoding="gbk"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_credit_code_check_character():
    assert credit_code_problem(GOOD_CODE) is None
    assert check_character(GOOD_CODE[:17]) == "3"
    assert "校验位" in credit_code_problem(GOOD_CODE[:17] + "4")
    assert "18 位" in credit_code_problem(GOOD_CODE[:10])
    assert "不允许的字符" in credit_code_problem("91350100M000100YO3")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_under_title_rows_in_any_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "report.csv", [
        ["2026年第四季度消防产品合规数据报送"], ["报送单位：某平台"],
        ["序号", "商品链接", "商品名称", "销售价格（元）", "店铺名称", "经营者名称", "统一社会信用代码", "年销售额标识", "销量"],
        ["1", "https://item.jd.com/100012345678.html?spm=x", "年检专用 干粉灭火器4kg", "￥15.80", "安盾消防", "某消防器材有限公司",
         GOOD_CODE.lower(), "是", "1.2万"],
        [],
        ["序号", "商品链接", "商品名称", "销售价格（元）", "店铺名称", "经营者名称", "统一社会信用代码", "年销售额标识", "销量"],
        ["2", "https://item.m.jd.com/product/100099.html", "", "12.5-18", "", "", "", "否", "35件"],
    ], encoding)
    read = read_listings_file(path)
    assert read.kind == "csv" and read.header_row == 3 and not read.errors
    assert [r.row for r in read.rows] == ["4", "7"]  # the sheet's own row numbers; blank and repeated header skipped
    first, second = (r.listing for r in read.rows)
    assert first.key == ("jd", "100012345678") and first.url == "https://item.jd.com/100012345678.html"
    assert first.price == Decimal("15.80") and first.sales == 12000 and first.title.startswith("年检专用")
    assert read.rows[0].seller == {"operator": "某消防器材有限公司", "credit_code": GOOD_CODE, "annual_sales_flag": "是"}
    assert second.key == ("jd", "100099") and second.price_range == (Decimal("12.5"), Decimal("18"))
    assert not read.rows[1].has_content and read.rows[0].has_content


def test_xlsx_with_shuffled_columns_and_ids_without_urls(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["淘宝天猫 消防产品报送"])
    ws.append(["商品编号", "统一社会信用代码", "平台", "标题", "价格", "店铺"])
    ws.append([6789012345, GOOD_CODE, "天猫", "烟感报警器 3C认证", 39.9, "海湾旗舰店"])
    ws.append(["778899", "", "拼多多", "逃生面具", "19.90", ""])
    wb.save(tmp_path / "r.xlsx")
    read = read_listings_file(tmp_path / "r.xlsx")
    assert read.kind == "xlsx" and not read.errors, read.errors
    keys = [r.listing.key for r in read.rows]
    assert keys == [("tmall", "6789012345"), ("pdd", "778899")]
    assert read.rows[0].listing.url == "https://detail.tmall.com/item.htm?id=6789012345"
    assert read.rows[0].listing.price == Decimal("39.9")


@pytest.mark.parametrize("shape", ["list", "object", "lines"])
def test_json_shapes(tmp_path, shape):
    records = [{"商品链接": "https://detail.1688.com/offer/777.html", "商品名称": "消防水带", "价格": "88"},
               {"platform": "jd", "item_id": "123", "title": "灭火毯"}]
    text = {"list": json.dumps(records, ensure_ascii=False),
            "object": json.dumps({"code": 0, "data": records}, ensure_ascii=False),
            "lines": "\n".join(json.dumps(r, ensure_ascii=False) for r in records)}[shape]
    (tmp_path / "r.json").write_text(text, encoding="utf-8")
    read = read_listings_file(tmp_path / "r.json")
    assert [r.listing.key for r in read.rows] == [("1688", "777"), ("jd", "123")]
    assert [r.row for r in read.rows] == ["第1条", "第2条"]


def test_bad_rows_are_named_with_every_reason(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        ["商品链接", "平台", "商品编号", "销售价格", "统一社会信用代码", "年销售额标识", "库存"],
        ["https://item.jd.com/1.html", "", "", "15", GOOD_CODE, "是", "3"],  # row 2: good
        ["https://evil.example/item.htm?id=1", "", "", "", "", "", ""],  # row 3
        ["", "京东", "", "", "", "", ""],  # row 4: no id
        ["https://item.jd.com/2.html", "", "", "十五元", GOOD_CODE[:17] + "4", "也许", "很多"],  # row 5: four problems
        ["https://item.jd.com/3.html", "淘宝", "", "", "", "", ""],  # row 6: platform disagrees
        ["", "某宝", "55", "", "", "", ""],  # row 7: unknown platform
        ["https://item.jd.com/4.html", "", "5", "", "", "", ""],  # row 8: id disagrees
    ])
    read = read_listings_file(path)
    assert [r.row for r in read.rows] == ["2"]
    errors = {e.row: e.reason for e in read.errors}
    assert set(errors) == {"3", "4", "5", "6", "7", "8"}
    assert "不是受监测平台" in errors["3"]
    assert "缺少商品链接" in errors["4"]
    assert all(word in errors["5"] for word in ("价格无法识别", "校验位", "年销售额标识", "库存数量"))
    assert "不一致" in errors["6"] and "未知的平台" in errors["7"] and "不一致" in errors["8"]
    assert read.errors[0].where == "第 3 行"


@pytest.mark.parametrize("content, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xlsx"),
    (b"<html><body>not a table</body></html>", "HTML"),
    ('{"data": [1, 2'.encode(), "JSON"),
    ("标题,价格\n灭火器,12\n".encode("gbk"), "表头"),
    (b"\xff\xfe\x00\x00garbage\x81", "decode"),
])
def test_unreadable_files_say_what_to_do(tmp_path, content, words):
    path = tmp_path / "f.dat"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as info:
        read_listings_file(path)
    assert words.lower() in str(info.value).lower()
