"""A certificate named as another product's, for the voluntary families too (session 37).

domain.md, "Certification regimes": hoses, sprinklers, foam concentrate, fire doors and shutters, coatings, pumps and
HFC-227ea systems moved to voluntary certification in 2019, electrical-fire detectors left CCC in 2018; "Voluntary
certificates: ... verify on the national certification information platform", whose record, like a CCC one, names the
product it covers. So a listing whose own certificate row or sentence names another product's family
(证书产品：钢质防火门 on a shutter, 证书上的产品是手提式干粉灭火器 on foam concentrate) offers another product's
certificate (taxonomy.md invalid_certificate); a value naming the goods' own family, a list holding it, or no
family at all judges nothing (`certificates.yaml` certificate_product.families).
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, attributes, description, price", [
    ('fire_shutter', '钢质防火卷帘 特级 3h 商场', {"证书产品": "钢质防火门"}, '按平方计价。', '260.00'),
    ('fire_pump', '消防泵 XBD5/20 立式多级', {"认证产品": "消防水带"}, '含控制柜另算。', '6800.00'),
    ('foam_agent', '3% 水成膜泡沫液 AFFF 25kg', {}, '证书上的产品是手提式干粉灭火器，同一个厂的。', '600.00'),
    ('fire_glass', '复合防火玻璃 A类 1.0h', {"认证证书": "防火涂料产品认证证书"}, '', '450.00'),
    ('fire_retardant_coating', '钢结构防火涂料 超薄型 室内', {"证书产品": "灭火毯"}, '', '180.00'),
    ('gas_suppression', '七氟丙烷气体灭火装置 柜式 70L', {}, '附的证书是防火卷帘的，厂家同一家。', '5200.00'),
    ('electrical_fire_detector', '剩余电流式电气火灾监控探测器 4路', {"证书产品": "独立式感烟火灾探测报警器"}, '', '420.00'),
    ('fire_hose', '有衬里消防水带 8-65-25', {"证书产品": "消防泵"}, '', '120.00'),
    ('fire_door', '钢质防火门 甲级 1.5h', {"认证产品": "防火卷帘"}, '', '900.00'),
])
def test_another_familys_certificate_is_flagged(rules, category, title, attributes, description, price):
    assert "invalid_certificate" in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, description, price", [
    ('fire_shutter', '防火卷帘 无机布 特级', {"证书产品": "特级防火卷帘"}, '', '260.00'),
    ('fire_pump', '消防泵 XBD 立式', {"认证产品": "消防泵组"}, '', '6800.00'),
    ('foam_agent', '水成膜泡沫液 3%', {"证书产品": "水成膜泡沫灭火剂"}, '', '600.00'),
    ('fire_glass', '防火玻璃 单片铯钾', {"证书产品": "防火玻璃"}, '', '450.00'),
    ('fire_retardant_coating', '防火涂料 厚型 钢结构', {"认证产品": "钢结构防火涂料"}, '', '180.00'),
    ('gas_suppression', '七氟丙烷灭火装置 悬挂式', {"认证产品": "悬挂式七氟丙烷气体灭火装置"}, '', '1800.00'),
    ('electrical_fire_detector', '电气火灾监控探测器 剩余电流式', {"证书产品": "电气火灾监控探测器"}, '', '420.00'),
    ('fire_shutter', '防火卷帘 配控制箱', {}, '证书产品为防火卷帘用卷门机和防火卷帘控制器。', '260.00'),
    ('fire_pump', '消防泵 稳压设备', {"认证证书": "有"}, '我们也做消防水带，另有链接。', '8000.00'),
    ('fire_door', '防火门 乙级 含闭门器', {"证书产品": "钢质隔热防火门"}, '闭门器、防火锁另有证书。', '900.00'),
    ('fire_retardant_coating', '防火涂料 室内超薄', {}, '适用于钢结构、防火门框刷涂。证书产品为钢结构防火涂料。', '180.00'),
    ('foam_agent', '泡沫液 抗溶 6%', {"认证产品": "抗溶性水成膜泡沫灭火剂（配泡沫灭火系统）"}, '', '900.00'),
    ('gas_suppression', '气体灭火 七氟丙烷 管网', {"证书产品": "七氟丙烷灭火系统 管网式"}, '', '30000.00'),
])
def test_the_goods_own_family_or_none_judges_nothing(rules, category, title, attributes, description, price):
    assert "invalid_certificate" not in found(rules, shop(title, price, attributes, description), category)
