"""Importing spot-check failure lists and certificate registries, and the reasons they drive."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.risk import RiskRules
from firewatch.cli import cli
from firewatch.services.loaders import load_registry, load_watchlist
from firewatch.core.exceptions import ImportFileError
from firewatch.imports import (certificate_status, parse_date, read_certificates_file, read_watchlist_file,
                               registry_from_store, watchlist_from_sources)
from firewatch.core.models import Listing
from firewatch.core.settings import load_settings
from firewatch.store import open_store

from tests.helpers import NOW

HEADER = ["序号", "产品种类", "受检单位", "标称生产单位", "标称生产单位所在地", "产品名称", "规格型号",
          "生产日期/批号", "主要不合格项目", "承检机构", "电商平台", "备注"]
ROWS = [
    ["1", "手提式干粉灭火器", "金城消防器材店", "温州宏泰消防器材有限公司", "浙江省温州市", "手提式干粉灭火器",
     "MFZ/ABC4", "2024-08", "灭火剂主要组分含量", "国家消防装备质量检验检测中心", "淘宝", "网络抽查"],
    ["2", "过滤式消防自救呼吸器", "顺安安防小铺", "泉州安达防护用品有限公司", "福建省泉州市", "过滤式消防自救呼吸器",
     "TZL30", "2024-10", "一氧化碳防护性能", "国家消防装备质量检验检测中心", "拼多多", ""],
    ["3", "独立式感烟火灾探测报警器", "／", "深圳市安盾电子科技有限公司", "广东省深圳市", "烟雾报警器",
     "JTY-GD-01", "2025-01", "报警功能", "某检测中心", "京东", ""],
]
NAMES = {"金城消防器材店", "温州宏泰消防器材有限公司", "顺安安防小铺", "泉州安达防护用品有限公司", "深圳市安盾电子科技有限公司"}


def write_csv(path: Path, rows, encoding: str) -> Path:
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode(encoding) + b"\r\n")
    return path


def shop_listing(shop: str, **kw) -> Listing:
    return Listing(platform="taobao", listing_id="w1", title="手提式干粉灭火器 MFZ/ABC4 4kg", shop_name=shop, **kw)


def run(settings_dir: Path, *args: str):
    result = CliRunner().invoke(cli, ["--config", str(settings_dir / "none.toml"), "--data-dir", str(settings_dir / "data"), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def cli_dir(tmp_path):
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return tmp_path


# -- reading ---------------------------------------------------------------------------
def test_gbk_csv(tmp_path):
    result = read_watchlist_file(write_csv(tmp_path / "gbk.csv", [HEADER, *ROWS], "gbk"))
    assert {r["name"] for r in result.records} == NAMES  # "／" is no name
    assert result.header_row == 1 and result.columns["inspected"] == "受检单位"
    first = result.records[0]
    assert first["role"] == "inspected" and first["failed_items"] == "灭火剂主要组分含量" and first["platform"] == "淘宝"
    assert {r["role"] for r in result.records if r["name"] == "温州宏泰消防器材有限公司"} == {"manufacturer"}


def test_utf8_bom_csv_with_title_rows(tmp_path):
    rows = [["2025年消防产品网络抽查不合格产品名单"], [""], HEADER, *ROWS, ["注：排名不分先后"]]
    result = read_watchlist_file(write_csv(tmp_path / "bom.csv", rows, "utf-8-sig"))
    assert (tmp_path / "bom.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert {r["name"] for r in result.records} == NAMES and result.header_row == 3
    assert result.skipped == 1  # the footnote


def test_xlsx_shuffled_columns_title_row_and_merged_cells(tmp_path):
    from openpyxl import Workbook

    order = [11, 4, 2, 0, 8, 3, 1, 5, 6, 7, 9, 10]  # a shuffled column order
    wb = Workbook()
    ws = wb.active
    ws.append(["消防产品质量监督抽查不合格产品名单（第一批）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=12)
    ws.append([" " + HEADER[i].replace("标称生产单位", "标称生产单位\n") + " " if i == 3 else HEADER[i] for i in order])
    for row in ROWS:
        ws.append([row[i] for i in order])
    # 产品种类 merged over the last two rows, as official sheets do
    col = order.index(1) + 1
    ws.cell(row=5, column=col).value = None
    ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    path = tmp_path / "list.xlsx"
    wb.save(path)
    result = read_watchlist_file(path)
    assert {r["name"] for r in result.records} == NAMES and result.header_row == 2
    by_name = {r["name"]: r for r in result.records}
    assert by_name["深圳市安盾电子科技有限公司"]["product_category"] == "过滤式消防自救呼吸器"  # merged cell filled
    assert by_name["金城消防器材店"]["model"] == "MFZ/ABC4"


def test_unreadable_files_say_what_to_do(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ImportFileError, match="save it as .xlsx"):
        read_watchlist_file(xls)
    no_header = write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]], "utf-8")
    with pytest.raises(ImportFileError, match="受检单位"):
        read_watchlist_file(no_header)


# -- into the store and the scorer -----------------------------------------------------
def test_import_watchlist_cli_and_watchlist_seller_fires(cli_dir, rules):
    path = write_csv(cli_dir / "gbk.csv", [["标题"], HEADER, *ROWS], "gbk")
    out = run(cli_dir, "import", "watchlist", str(path)).output
    assert "imported 5 new entries" in out and "已导入" in out
    again = run(cli_dir, "import", "watchlist", str(path)).output
    assert "imported 0 new entries" in again  # idempotent
    settings = load_settings(cli_dir / "none.toml", env={"FIREWATCH_DATA_DIR": str(cli_dir / "data")})
    watchlist = load_watchlist(settings)
    assert set(watchlist.names) == NAMES
    for shop in ("金城消防器材店", "温州宏泰消防器材厂", "顺安安防小铺 ", "泉州安达防护用品官方旗舰店"):
        reasons, _ = rules.check(shop_listing(shop), "portable_extinguisher", watchlist, NOW)
        assert [r.code for r in reasons] == ["watchlist_seller"], shop
        assert reasons[0].source == "shop_name"
    reasons, _ = rules.check(shop_listing("正规消防旗舰店"), "portable_extinguisher", watchlist, NOW)
    assert reasons == []
    # the manufacturer attribute matches too
    listing = shop_listing("某店", attributes={"生产厂家": "深圳市安盾电子科技有限公司"})
    assert rules.check(listing, "smoke_alarm", watchlist, NOW)[0][0].code == "watchlist_seller"


def test_settings_file_watchlist_still_works(tmp_path):
    path = write_csv(tmp_path / "wl.csv", [HEADER, *ROWS[:1]], "gbk")
    settings = load_settings(None, env={"FIREWATCH_CONFIG": str(tmp_path / "none.toml"),
                                        "FIREWATCH_DATA_DIR": str(tmp_path / "data"),
                                        "FIREWATCH_SCORING__WATCHLIST": str(path)})
    assert not settings.store_path.exists()
    wl = load_watchlist(settings)
    assert set(wl.names) == {"金城消防器材店", "温州宏泰消防器材有限公司"}
    assert not settings.store_path.exists()  # no store created just to look
    with open_store(settings.store_path) as store:
        store.references.add_watchlist_entries(read_watchlist_file(write_csv(tmp_path / "b.csv", [HEADER, ROWS[1]], "utf-8")).records)
        assert set(watchlist_from_sources(settings.watchlist_path, store).names) == {
            "金城消防器材店", "温州宏泰消防器材有限公司", "顺安安防小铺", "泉州安达防护用品有限公司"}
    assert len(load_watchlist(settings)) == 4
    assert watchlist_from_sources(None, None) is None


def test_import_watchlist_queues_matching_listings(cli_dir):
    with open_store(cli_dir / "data" / "firewatch.db") as store:
        store.listings.upsert_listing(shop_listing("金城消防器材店"))
        store.listings.upsert_listing(Listing("jd", "2", title="灭火器", shop_name="别的店"))
        for key in store.queue.pending("score"):
            store.queue.complete_stage(key, "score")
    path = write_csv(cli_dir / "u.csv", [HEADER, *ROWS], "utf-8-sig")
    assert "queued for rescoring: 1" in run(cli_dir, "import", "watchlist", str(path)).output
    with open_store(cli_dir / "data" / "firewatch.db") as store:
        assert store.queue.pending("score") == [("taobao", "w1")]
        assert 2 in store.schema_versions()


# -- certificates ----------------------------------------------------------------------
CERTS = [
    ["证书编号", "证书状态", "产品名称", "生产者/制造商", "有效期至"],
    ["2023081801234567", "有效", "手提式干粉灭火器", "温州宏泰消防器材有限公司", "2028-06-30"],
    ["2022081801230001", "注销", "手提式干粉灭火器", "某消防公司", "2027-01-01"],
    ["2021081801230002", "有效", "手提式干粉灭火器", "某消防公司", "2025/12/31"],
    ["2023081801239999", "暂停", "手提式干粉灭火器", "某消防公司", "2028年1月1日"],
]


def test_read_certificates(tmp_path):
    result = read_certificates_file(write_csv(tmp_path / "c.csv", CERTS, "gbk"))
    by = {r["number"]: r for r in result.records}
    assert by["2023081801234567"]["status"] == "valid" and by["2022081801230001"]["status"] == "cancelled"
    assert by["2021081801230002"]["expires_on"] == "2025-12-31" and by["2023081801239999"]["status"] == "suspended"
    assert by["2023081801239999"]["expires_on"] == "2028-01-01"
    assert certificate_status("撤销") == "revoked" and certificate_status("") == "valid"
    assert parse_date("20270501") == date(2027, 5, 1) and parse_date("46000") == date(2025, 12, 9)


def cert_codes(rules, number, **kw):
    listing = Listing(platform="jd", listing_id="c", title=f"干粉灭火器 MFZ/ABC4 4kg 3C认证证书编号：{number}", **kw)
    return {r.code: r for r in rules.check(listing, "portable_extinguisher", None, NOW)[0]}


def test_invalid_certificate_against_the_registry(cli_dir):
    plain = RiskRules()
    # without a registry only the structure counts
    assert "invalid_certificate" not in cert_codes(plain, "2024081801111111")
    out = run(cli_dir, "import", "certificates", str(write_csv(cli_dir / "c.csv", CERTS, "gbk"))).output
    assert "imported 4 new" in out
    settings = load_settings(cli_dir / "none.toml", env={"FIREWATCH_DATA_DIR": str(cli_dir / "data")})
    rules = RiskRules(registry=load_registry(settings))
    assert "invalid_certificate" not in cert_codes(rules, "2023081801234567")
    absent = cert_codes(rules, "2024081801111111")["invalid_certificate"]
    assert "在导入的证书库中查无记录" in absent.evidence
    assert "注销" in cert_codes(rules, "2022081801230001")["invalid_certificate"].evidence
    assert "invalid_certificate" in cert_codes(rules, "2023081801239999")  # 暂停
    expired = cert_codes(rules, "2021081801230002")["invalid_certificate"]  # expired 2025-12-31, NOW is 2026-01-15
    assert "已于 2025-12-31 到期" in expired.evidence
    seen_before = cert_codes(rules, "2021081801230002", last_seen=datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert "invalid_certificate" not in seen_before  # still valid on the day the listing was seen
    # the structural check still reports malformed numbers first
    assert "应为 16 位" in cert_codes(rules, "2023081801234")["invalid_certificate"].evidence
    # a re-import with a changed status updates the record
    changed = [CERTS[0], ["2023081801234567", "撤销", "手提式干粉灭火器", "温州宏泰消防器材有限公司", "2028-06-30"]]
    assert "0 new, 1 updated" in run(cli_dir, "import", "certificates", str(write_csv(cli_dir / "d.csv", changed, "utf-8"))).output
    with open_store(settings.store_path) as store:
        assert "invalid_certificate" in cert_codes(RiskRules(registry=registry_from_store(store)), "2023081801234567")


def test_no_registry_means_none(tmp_path):
    settings = load_settings(None, env={"FIREWATCH_CONFIG": str(tmp_path / "none.toml"), "FIREWATCH_DATA_DIR": str(tmp_path)})
    assert load_registry(settings) is None
    with open_store(settings.store_path) as store:
        assert registry_from_store(store) is None


def test_help_explains_the_columns():
    runner = CliRunner()
    for sub, words in (("watchlist", ("受检单位", "标称生产单位", "GBK")), ("certificates", ("证书编号", "注销", "有效期至"))):
        result = runner.invoke(cli, ["import", sub, "--help"])
        assert result.exit_code == 0 and all(w in result.output for w in words), result.output
