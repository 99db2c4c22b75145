"""Another product's certificate said in a shop's own words, a fresh batch written from the spec (session 37).

domain.md, "Numbers and labels": a registry record names the product it covers; taxonomy.md invalid_certificate.
Scored before fixing: 5 of 12 such certificates missed (a certificate said to cover another product, 覆盖的是…; a
picture's product name; 附3C证书（产品名称：…）; a bare 证书 / 认证 row naming another product), no false flag among 10
clean ones. Also a gift said to have no certificate (赠品无3C) is not the goods sold (no_certification).
Left: 买灭火器送灭火毯，灭火毯无证书 (the gift named again in the next clause) still reads as the goods'.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, price, attributes, description", [
    ('smoke_alarm', '独立式光电感烟火灾探测报警器 3C', '45', {}, '3C证书是我们厂应急灯的，烟感用同一个。'),
    ('escape_respirator', '过滤式消防自救呼吸器 TZL30 3C', '60', {}, '认证证书覆盖的是灭火器产品，面罩是配套的。'),
    ('emergency_light', '消防应急标志灯 安全出口 3C', '35', {"CCC证书": "2023010918000000（产品：独立式感烟火灾探测报警器）"}, ''),
    ('gas_detector', '家用可燃气体探测器 天然气 3C', '89', {}, '证书图片里的产品名称是“手提式干粉灭火器”，是同厂的。'),
    ('portable_extinguisher', 'MFZ/ABC4 手提式干粉灭火器 4kg 3C', '60', {}, '附3C证书（产品名称：过滤式消防自救呼吸器）。'),
    ('fire_blanket', '灭火毯 1.5米 家用', '30', {}, '认证证书是消防水带的，灭火毯没单独做。'),
    ('smoke_alarm', '独立式光电感烟火灾探测报警器 3C', '45', {}, '证书上写的是可燃气体探测器，功能差不多。'),
    ('sprinkler', '玻璃球洒水喷头 ZSTX15 68℃', '8', {"认证": "消防水带产品认证"}, ''),
    ('fire_door', '钢质防火门 乙级', '900', {"证书": "防火卷帘（同厂）"}, ''),
    ('escape_respirator', '过滤式消防自救呼吸器 TZL30 3C', '60', {}, '我们用的是厂里灭火器那张3C证书。'),
    ('emergency_light', '消防应急标志灯 安全出口 3C', '35', {}, '这款没有单独的证书，证书是厂里另一款烟感的。'),
    ('portable_extinguisher', 'MFZ/ABC4 手提式干粉灭火器 4kg 3C', '60', {}, '3C证书所列产品为消防应急标志灯具。'),
])
def test_another_products_certificate(rules, category, title, price, attributes, description):
    assert "invalid_certificate" in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, price, attributes, description", [
    ('smoke_alarm', '独立式光电感烟火灾探测报警器 3C', '45', {}, '店内灭火器、应急灯也有3C证书，可一起采购。'),
    ('portable_extinguisher', 'MFZ/ABC4 手提式干粉灭火器 4kg 3C', '60', {}, '同厂生产的应急灯另有证书，请看其他链接。'),
    ('escape_respirator', '过滤式消防自救呼吸器 TZL30 3C', '60', {"证书产品": "过滤式消防自救呼吸器 TZL30"}, ''),
    ('emergency_light', '消防应急标志灯 安全出口 3C', '35', {"证书": "消防应急标志灯具、消防应急照明灯具"}, ''),
    ('gas_detector', '家用可燃气体探测器 天然气 3C', '89', {}, '证书产品为家用可燃气体探测器，和灭火器不是一个证。'),
    ('fire_hose', '有衬里消防水带 8-65-20', '110', {"证书产品": "有衬里消防水带（配套消防接口）"}, ''),
    ('smoke_alarm', '独立式光电感烟火灾探测报警器 3C', '45', {}, '证书齐全，可查询。同时我们也代理灭火器。'),
    ('smoke_alarm', '独立式光电感烟火灾探测报警器 3C', '45', {}, '问：证书是灭火器的吗？\n答：不是，是烟感自己的3C证书。'),
    ('emergency_light', '消防应急标志灯 安全出口 3C', '35', {}, '别家用灭火器的证书冒充，我们是应急灯具自己的证书。'),
])
def test_the_goods_own_certificate_or_another_items(rules, category, title, price, attributes, description):
    assert "invalid_certificate" not in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("description, flagged", [
    ('自产自销，没送检，无3C认证。', True),
    ('包邮送货上门，无3C认证。', True),
    ('下单送挂钩一个，赠品无3C。', False),
    ('送支架，灭火器本身没有3C。', True),
    ("送的挂钩没有证书，灭火器有3C。", False),
])
def test_a_gift_without_a_certificate(rules, description, flagged):
    reasons = found(rules, shop("MFZ/ABC4 灭火器 4kg", "60", {}, description), "portable_extinguisher")
    assert ("no_certification" in reasons) is flagged
