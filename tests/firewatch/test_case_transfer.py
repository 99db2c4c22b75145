"""Issue 16, data sharing: a case's transfer package for the police or another authority, through the
real command line: the signed evidence pack (verified), the transfer letter and the subjects' record in
Chinese as HTML and PDF (real Chromium), a manifest whose hashes match the files; penalties recorded with
`firewatch penalty add` and exported with `firewatch export credit`; hostile seller text stays text."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile

import pytest
from parsel import Selector

from alerts.pack_verify import check_pack
from firewatch.core.models import Source
from firewatch.store import open_store
from tests.chinese import english_in
from tests.web.sample import build_sample

CODE = "91320500MA1N98765Q"
HOSTILE = "<script>x</script>"
KEYS = [("jd", "100231"), ("jd", "100232"), ("1688", "7300001")]


@pytest.fixture
def data(tmp_path):
    data = tmp_path / "data"
    build_sample(data)
    with open_store(data / "firewatch.db") as store:
        case_id = store.reviews.create_case("年检专用灭火器<b>专案</b>", "investigator", "群众举报后立案")
        for key in KEYS:
            store.reviews.add_case_item(case_id, key, "investigator")
        store.sources.record(("1688", "7300001"), Source("report", "阿里合规报送", "f:7",
                                                        {"seller": {"operator": f"义乌{HOSTILE}消防器材有限公司",
                                                                    "credit_code": CODE}}))
    return data, case_id


def test_transfer_package_holds_a_verified_pack_chinese_letters_and_a_true_manifest(data, run_firewatch, chromium, tmp_path):
    data_dir, case_id = data
    env = {"FIREWATCH_CAPTURE__CHROMIUM": chromium}
    added = run_firewatch("penalty", "add", str(case_id), "--subject", "苏州安盾消防科技有限公司", "--credit-code", CODE,
                          "--decided-on", "2026-11-02", "--authority", "苏州市市场监督管理局",
                          "--document-no", "苏市监处罚〔2026〕88号", "--penalty", "罚款人民币三万元",
                          "--listing", "jd:100231", "--listing", "jd:100232", data_dir=data_dir, env=env)
    assert added.returncode == 0, added.stderr
    again = run_firewatch("penalty", "add", str(case_id), "--subject", "x", "--decided-on", "2026-11-02", "--authority",
                          "y", "--document-no", "苏市监处罚〔2026〕88号", data_dir=data_dir, env=env)
    assert again.returncode == 65 and "已登记" in again.stderr

    out = tmp_path / "移送.zip"
    made = run_firewatch("export", "transfer", str(case_id), "--to", "苏州市公安局食品药品环境犯罪侦查支队",
                         "--out", str(out), "--operator", "张三", data_dir=data_dir, env=env)
    assert made.returncode == 0, made.stderr
    assert "移送材料 FW-YS-" in made.stdout

    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest["files"]:
            body = zf.read(entry["name"])
            assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
        zf.extract(f"证据包-案件{case_id}.zip", tmp_path)
        letter = zf.read("移送函.html").decode()
        subjects = zf.read("当事人情况.html").decode()
        for name in ("移送函.pdf", "当事人情况.pdf"):
            pdf = zf.read(name)
            assert pdf.startswith(b"%PDF") and b"CJK" in pdf
    assert names == {e["name"] for e in manifest["files"]} | {"manifest.json"}
    assert manifest["recipient"] == "苏州市公安局食品药品环境犯罪侦查支队" and manifest["listings"] == 3

    checks = check_pack(tmp_path / f"证据包-案件{case_id}.zip")
    assert [p for c in checks for p in c.problems] == []

    assert "苏市监处罚〔2026〕88号" in letter and "苏州市公安局食品药品环境犯罪侦查支队" in letter
    for url_id in ("100231", "100232", "7300001"):
        assert url_id in letter
    assert "<b>专案</b>" not in letter and "&lt;b&gt;专案&lt;/b&gt;" in letter  # seller and case text escaped
    assert "<script>x</script>" not in subjects and "义乌&lt;script&gt;" in subjects
    # subjects: the penalty's subject with its two listings, the reported operator, and no listing left unnamed
    assert subjects.count("苏州安盾消防科技有限公司") >= 1 and "义乌" in subjects and "店铺（经营者未知）" not in subjects
    assert [s["listings"] for s in manifest["subjects"]] == [2, 1]
    for html in (letter, subjects):
        shown = " ".join(Selector(text=html).xpath("//body//text()[not(ancestor::style)]").getall())
        # allowed: a command, file names, a reviewer's login, seller-written text
        assert english_in(shown, allowed=("firewatch verify", "manifest.json", "当事人情况.pdf", "regulator",
                                          HOSTILE)) == []

    credit = run_firewatch("export", "credit", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv",
                           "--out", str(tmp_path / "c.csv"), data_dir=data_dir, env=env)
    assert credit.returncode == 0, credit.stderr
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["行政处罚决定书文号"], r["统一社会信用代码"], r["处罚机关"], r["涉案商品数"]) for r in rows] == \
        [("苏市监处罚〔2026〕88号", CODE, "苏州市市场监督管理局", "2")]


def test_transfer_refuses_a_case_without_listings_or_recipient(data, run_firewatch, tmp_path):
    data_dir, case_id = data
    with open_store(data_dir / "firewatch.db") as store:
        empty = store.reviews.create_case("空案件", "investigator")
    res = run_firewatch("export", "transfer", str(empty), "--to", "某市公安局", "--out", str(tmp_path / "x.zip"),
                        data_dir=data_dir)
    assert res.returncode == 65 and "还没有商品" in res.stderr
    res = run_firewatch("export", "transfer", str(case_id), "--to", "  ", "--out", str(tmp_path / "x.zip"), data_dir=data_dir)
    assert res.returncode == 65 and "接收" in res.stderr
    assert not (tmp_path / "x.zip").exists()
    res = run_firewatch("export", "credit", "--from", "2026-13-01", data_dir=data_dir)
    assert res.returncode == 2 and "年-月-日" in res.stderr
