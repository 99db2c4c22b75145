"""Lexicon hard negatives: phrases that look like a reason but negate it, and real hits nearby."""

import pytest

from classifiers.risk import RiskRules
from firewatch.core.models import Listing

from tests.helpers import NOW


@pytest.fixture(scope="module")
def rules():
    return RiskRules()


def codes(rules, title, category="portable_extinguisher", **kw):
    reasons, _ = rules.check(Listing(platform="taobao", listing_id="1", title=title, **kw), category, now=NOW)
    return {r.code for r in reasons}


@pytest.mark.parametrize("title,code,category", [
    ("干粉灭火器 4kg 年检合格 可过年检", "inspection_only", "portable_extinguisher"),
    ("灭火器 年检有效 检验合格 店铺用", "inspection_only", "portable_extinguisher"),
    ("灭火器年检维修 上门年检服务", "inspection_only", "not_fire"),
    ("应急灯 消防验收合格 新国标", "inspection_only", "emergency_light"),
    ("灭火器 非二手 全新出厂", "refurbished", "portable_extinguisher"),
    ("灭火器 正规维修 换粉服务", "refurbished", "not_fire"),
    ("灭火器换粉 维修充装服务 本地上门", "refurbished", "not_fire"),
    ("灭火器 以旧换新 全新", "refurbished", "portable_extinguisher"),
    ("消防水带 非回收 拒绝翻新", "refurbished", "fire_hose"),
    ("灭火器 包装可回收 环保纸箱", "refurbished", "portable_extinguisher"),
    ("旧灭火器 上门回收 高价回收", "refurbished", "not_fire"),
    ("喷淋头 经过检测 国标", "inspection_only", "sprinkler"),
    ("烟感 通过检验 3C认证", "inspection_only", "smoke_alarm"),
    ("儿童消防员玩具 道具 过家家", "prop_or_display", "not_fire"),
    ("消防车模型 合金 1:50", "prop_or_display", "not_fire"),
    ("灭火器 厂家批发 免费拿样 支持拿样", "prop_or_display", "portable_extinguisher"),
    ("烟雾报警器 样品免费 量大从优", "prop_or_display", "smoke_alarm"),
    ("防火门 小区 建筑模型配套", "prop_or_display", "fire_door"),
    ("灭火器 拒绝三无 正规厂家", "no_manufacturer", "portable_extinguisher"),
    ("消防面具 杜绝三无 3C认证", "no_manufacturer", "escape_respirator"),
    ("灭火器 谨防无3C产品", "no_certification", "portable_extinguisher"),
    ("烟感 无3C不发 假一赔十", "no_certification", "smoke_alarm"),
    ("烟感 无证不发", "no_certification", "smoke_alarm"),
    ("消防书籍 无需认证 教材", "no_certification", "not_fire"),
    ("钢质防火门 非标尺寸 可定制", "substandard_spec", "fire_door"),
    ("阻燃电缆 拒绝非国标 足米足方", "substandard_spec", "flame_retardant_cable"),
])
def test_negative(rules, title, code, category):
    assert code not in codes(rules, title, category)


@pytest.mark.parametrize("title,code,category", [
    ("灭火器 年检专用 便宜", "inspection_only", "portable_extinguisher"),
    ("灭火器 包过年检 4kg", "inspection_only", "portable_extinguisher"),
    ("应急灯 应付消防检查 摆着就行", "inspection_only", "emergency_light"),
    ("灭火器 二次充装 4kg", "refurbished", "portable_extinguisher"),
    ("自救呼吸器 闲置 有使用痕迹", "refurbished", "escape_respirator"),
    ("阻燃电线 国标回收 2.5平方 100米", "refurbished", "flame_retardant_cable"),
    ("玻璃球喷头 DN15 68℃ 过检", "inspection_only", "sprinkler"),
    ("灭火器 影视道具 空瓶", "prop_or_display", "portable_extinguisher"),
    ("灭火器 空壳 无药剂 展示", "prop_or_display", "portable_extinguisher"),
    ("烟感 无中文标识 厂家不详", "no_manufacturer", "smoke_alarm"),
    ("烟感 没3C 便宜", "no_certification", "smoke_alarm"),
    ("阻燃电线 非国标 便宜", "substandard_spec", "flame_retardant_cable"),
])
def test_positive_nearby(rules, title, code, category):
    assert code in codes(rules, title, category)


def test_attribute_contradiction_is_a_mismatch(rules):
    listing = Listing(platform="jd", listing_id="2", title="手提式干粉灭火器 MFZ/ABC4 店铺用",
                      attributes={"净含量": "2kg"})
    reasons, _ = rules.check(listing, "portable_extinguisher", now=NOW)
    hit = [r for r in reasons if r.code == "spec_mismatch"]
    assert hit and hit[0].source == "title+attributes" and "MFZ/ABC4" in hit[0].evidence
    ok = Listing(platform="jd", listing_id="3", title="手提式干粉灭火器 MFZ/ABC4", attributes={"毛重": "6.5kg"})
    assert "spec_mismatch" not in {r.code for r in rules.check(ok, "portable_extinguisher", now=NOW)[0]}
