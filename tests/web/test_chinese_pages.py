"""Pages and exports of the web app a person reads, over HTTP against the sample dataset's
server: the custody log of a case's evidence pack names actions and actors in Chinese (the
code stays beside the action), and the search CSV says 平台/类别/是否/状态 in Chinese with a
code column beside each."""

from __future__ import annotations

import csv
import io

from parsel import Selector

from firewatch.core.models import Reason
from firewatch.store import open_store
from tests.chinese import english_in


def test_custody_log_page_is_chinese(as_user, web_data):
    key = ("jd", "100232")  # flagged, captured, confirmed by a reviewer in the sample
    with open_store(web_data / "firewatch.db") as store:
        case_id = store.reviews.create_case("保管记录测试", "investigator")
        store.reviews.add_case_item(case_id, key, "investigator")
    investigator = as_user("investigator")  # the pack as the web app makes it, recorded with the case
    made = investigator.post(f"/api/v1/cases/{case_id}/export", headers={"X-CSRF-Token": investigator.csrf})
    assert made.status_code == 200 and made.content[:2] == b"PK"
    page = Selector(investigator.get(f"/cases/{case_id}").text)
    rows = page.css("table.custody tr")[1:]
    assert len(rows) >= 4  # captured, the review, packed, exported
    actions = [" ".join(r.css("td:nth-child(4)::text").getall()).strip() for r in rows]
    actors = [r.css("td:nth-child(3)").xpath("string()").get().strip() for r in rows]
    assert "审核结论：确认违规" in actions and "审核人 regulator" in actors
    codes = [r.css("td:nth-child(4) code::text").get() for r in rows]
    assert "review:confirm" in codes  # the stored code, beside its name
    shown = " ".join(" ".join(r.css("td:nth-child(-n+4)").xpath("string()").getall()) for r in rows)
    found = english_in(shown, allowed=[*codes, "regulator", "investigator", "sample"])  # names; the sample's browser
    assert found == [], found


def test_action_names():
    from firewatch.web.render import action_text

    assert action_text("review:dismiss") == "审核结论：排除" and action_text("packed") == "打包"
    assert action_text("login") == "登录" and action_text("something_new") == "something_new"


def test_search_csv_is_chinese_with_codes_beside(as_user):
    response = as_user("analyst").get("/search.csv", params={"q": "灭火器"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows
    for row in rows:
        assert row["平台"] in ("京东", "淘宝", "天猫", "拼多多", "1688") and row["平台代码"] in ("jd", "taobao", "tmall", "pdd", "1688")
        assert row["已标记"] in ("是", "否") and row["状态"] in ("在售", "已下架", "被屏蔽", "未知")
        assert not row["类别"].isascii() and row["类别代码"].isascii()
        readable = [row[k] for k in ("平台", "类别", "已标记", "原因", "状态")]
        assert english_in(" ".join(readable)) == [], row
    assert any(row["原因"] for row in rows) and any(row["已标记"] == "是" for row in rows)


def test_api_reasons_carry_chinese_beside_codes(as_user):
    data = as_user("regulator").get("/api/v1/listings/jd/100231").json()
    reasons = data["assessment"]["reasons"]
    assert reasons and all(r["name_zh"] and r["source_zh"] and r["code"] for r in reasons)
    assert {r["source_zh"] for r in reasons} == {"标题", "价格"}
    assert set(Reason.__dataclass_fields__) <= set(reasons[0])  # the stored fields, spans included


def test_reasons_stored_before_spans_still_load_and_mark(as_user, web_data):
    """An assessment row written before reasons kept spans (no start/end/span_field in its JSON)
    loads, and the listing page still marks its evidence, found in the text."""
    import json
    import sqlite3

    old = [{"code": "refurbished", "evidence": "翻新 二手", "source": "title"}]
    with sqlite3.connect(web_data / "firewatch.db") as db:
        db.execute("UPDATE assessments SET reasons=? WHERE platform='pdd' AND listing_id='8800103'",
                   (json.dumps(old, ensure_ascii=False),))
    with open_store(web_data / "firewatch.db") as store:
        reasons = store.assessments.get_assessment(("pdd", "8800103")).reasons
    assert [(r.code, r.span) for r in reasons] == [("refurbished", None)]
    page = Selector(as_user("regulator").get("/listings/pdd/8800103").text)
    assert page.css("h1.title mark::text").getall() == ["翻新 二手"]


def test_raw_attribute_keys_get_chinese_labels(as_user, web_data):
    """Keys the parsers keep in a page's own English (normal_price, jd_venderId) are shown by their
    Chinese label; an unknown key is shown as it is, escaped."""
    from decimal import Decimal

    from firewatch.core.models import Listing

    listing = Listing(platform="pdd", listing_id="990001", url="https://mobile.yangkeduo.com/goods.html?goods_id=990001",
                      title="干粉灭火器 4kg", price=Decimal("30.00"), shop_name="属性标签测试店",
                      attributes={"normal_price": "35.00", "jd_venderId": "1000", "规格": "4kg", "<b>x</b>": "未知键"})
    with open_store(web_data / "firewatch.db") as store:
        store.listings.upsert_listing(listing)
    response = as_user("regulator").get("/listings/pdd/990001")
    page = Selector(response.text)
    labels = page.css("table.attrs th::text").getall()
    assert sorted(labels) == sorted(["单买价", "商家编号", "规格", "<b>x</b>"])
    assert "<b>x</b>" not in response.text and "&lt;b&gt;x&lt;/b&gt;" in response.text
    assert english_in(" ".join(label for label in labels if label != "<b>x</b>")) == []


def test_date_fields_are_beijing_dates_written_year_month_day(as_user):
    """Chromium's own date picker shows the machine's locale (mm/dd/yyyy on an English desktop):
    every date field is a text field for 年-月-日, and a bad date gets a Chinese answer."""
    pages = {"regulator": ["/queue"], "analyst": ["/search"], "admin": ["/audit"]}
    for user, paths in pages.items():
        client = as_user(user)
        for path in paths:
            page = Selector(client.get(path).text)
            dates = page.css("input[placeholder='年-月-日']")
            assert dates, path
            assert not page.css("input[type=date]"), path
            assert all(d.attrib["type"] == "text" and d.attrib["pattern"] == r"\d{4}-\d{2}-\d{2}" for d in dates)
    bad = as_user("analyst").get("/search", params={"since": "12/01/2026"})
    assert bad.status_code == 400 and "年-月-日" in bad.text
