"""Review 38: a regulator's reviewer's read of session 38's rule changes (172 listings written by hand, 137 clean and 35
that should flag, aimed at the day's certificate, inspection, power-family and reply changes). Scored on the rules at the
start of the review: 53 clean listings flagged and 20 misses; after it 16 and 4, none of the 16 from a fix below undone.

1. a component's certificate beside the goods' own said before it or after it in other words (报警器本身有3C证书，电源适配器
   有3C认证; 锂电池有3C认证，烟感本身也是3C产品), several components after the goods' (灯具取得3C认证，电池有3C认证，充电器有
   CCC认证) are no component's alone; said as 是3C认证的, 已通过3C认证 or 电池3C认证的 alone, they are;
2. 共用 of a query system (共用认证查询系统) or denied (不存在共用证书) shares no certificate; 公用, 合用, 都用同一个3C证书 do;
3. a certificate's model list, series or range holding the goods' model (证书型号：MFZ/ABC1、…MFZ/ABC4…; H388/H388A系列;
   MFZ/ABC1-8; MFZ/ABC1~MFZ/ABC8) or a kit part's model (配套的3C认证电磁阀型号是DN15) is not another product's; a model row
   keyed 型号规格 is the goods' own;
4. status words of other things: 不冻结 (the agent), 账号冻结, 被印在吊牌上, 被吊顶挡住, 可被吊装, a reply of the sale or a date
   (暂停销售了, 到期日是, 过期时间是); withdrawn by someone with 给/让 (证书给撤了), a renewal pending before its word (正在续期,
   正在办续证), a reply opening 嗯， or 上个月 (答：嗯，过期了) are statuses;
5. the emergency-lamp power family: another power type a system takes (另可接入自带电源型灯具, 系统兼容…) or the shop also
   makes (我们也做集中电源型) is not these lamps';
6. a warranty's time replying to a question also about the goods' life (问：电池能用几年？坏了怎么换？答：三年内免费换新);
7. inspection wording: relied on outside the check's clause (定期检查压力表，关键时刻就靠它了), a photo sent to ask, register or be
   reimbursed (拍张照片发给物业问一下, 拍照给社区网格员登记), set down said no good (年检时往那一放不行) are no stand-in;
   能对付, a video sent as all that is done, 放那就不罚 are.
Judged not errors or left: a part sold on its own (应急灯专用替换电池: 电池有3C认证; a not_fire charger), MFT/ABC35 against a
certificate's MFTZ/ABC35 (two designations), a manual defining both power types (本品为后者), 暂时冻结了，过段时间恢复, and
older flags outside the day's changes (3C款暂停发货, 如果证书被撤销…退款, 年检过了就不管了).
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop

E, S, L, G, R = "portable_extinguisher", "smoke_alarm", "emergency_light", "gas_detector", "escape_respirator"
EA = {"品牌": "淮海", "型号": "MFZ/ABC4", "认证": "3C"}
SA = {"品牌": "海湾", "认证": "3C"}
LA = {"品牌": "劳士", "认证": "3C"}
GA = {"品牌": "海湾", "认证": "3C", "报警设定值": "10%LEL"}


# -- 1. a component's certificate ---------------------------------------------------------------------------------

@pytest.mark.parametrize("category, attributes, description", [
    (G, GA, "报警器本身有3C证书，电源适配器有3C认证，双重保障。"),
    (L, LA, "灯具取得3C认证，电池有3C认证，充电器有CCC认证。"),
    (L, LA, "灯体有3C证书，编号见图，里面的电池有3C认证的，不是杂牌电芯。"),
    (S, SA, "烟感3C证书齐全，里面的电池有3C认证的。"),
    (G, GA, "适配器有3C认证，报警器主体也通过了3C认证，证书可查。"),
    (G, GA, "探测器获得3C认证（证书号见详情），电源适配器通过了3C认证。"),
    (L, LA, "本产品有3C认证，充电器有3C认证，电池过了3C。"),
    (G, GA, "报警器3C认证；电源适配器有3C认证，插头国标。"),
    (L, LA, "整灯3C认证，电池有3C认证的。"),
    (S, SA, "锂电池有3C认证，烟感本身也是3C产品。"),
    (L, LA, "灯有3C，电池有3C认证，充电器有3C认证，三证齐全。"),
    (G, GA, "主机3C，电源适配器有3C认证。"),
])
def test_a_components_certificate_beside_the_goods_own(rules, category, attributes, description):
    assert "invalid_certificate" not in found(rules, shop("消防产品 3C认证", "45", attributes, description), category)


@pytest.mark.parametrize("category, description", [
    (G, "电源适配器是3C认证的，放心用。"),
    (L, "电池已通过3C认证，放心购买。"),
    (L, "里面的电池3C认证的。"),
])
def test_a_components_certificate_alone(rules, category, description):
    assert "invalid_certificate" in found(rules, shop("消防产品 3C认证", "45", {}, description), category)


# -- 2. shared -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, attributes, description", [
    (E, EA, "全国门店共用认证查询系统，扫码可查。"),
    (E, EA, "三个产品各有一张证书，不存在共用证书的情况。"),
])
def test_shared_of_other_things_or_denied(rules, category, attributes, description):
    assert "invalid_certificate" not in found(rules, shop("灭火器 4kg 3C", "45", attributes, description), category)


@pytest.mark.parametrize("category, description", [
    (G, "燃气报警器和烟感公用一个3C证书。"),
    (S, "温感和烟感合用一个3C证书，放心。"),
    (G, "我们几款报警器都用同一个3C证书。"),
])
def test_one_certificate_shared_in_other_words(rules, category, description):
    assert "invalid_certificate" in found(rules, shop("报警器 3C", "45", {}, description), category)


# -- 3. a certificate's model --------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, attributes, description", [
    ("MFZ/ABC4 干粉灭火器 4kg", EA, "3C证书型号：MFZ/ABC1、MFZ/ABC2、MFZ/ABC3、MFZ/ABC4、MFZ/ABC5、MFZ/ABC8全系列。"),
    ("JTY-GD-H388 烟感 3C", {**SA, "型号": "JTY-GD-H388"}, "证书中的型号是JTY-GD-H388/H388A系列。"),
    ("MFZ/ABC4 灭火器 4kg", EA, "认证型号：MFZ/ABC1-8，本款为ABC4。"),
    ("MFZ/ABC4 灭火器 3C", EA, "证书上的型号是MFZ/ABC1~MFZ/ABC8，包含本款。"),
    ("家用燃气报警器 套装 3C", {**GA, "型号": "JT-HX2"}, "套装含电磁阀，配套的3C认证电磁阀型号是DN15。"),
])
def test_a_certificates_models_holding_the_goods_model(rules, title, attributes, description):
    category = E if "灭火器" in title else S if "烟感" in title else G
    assert "invalid_certificate" not in found(rules, shop(title, "45", attributes, description), category)


def test_a_model_row_keyed_xinghao_guige(rules):
    item = shop("MFZ/ABC8 灭火器", "45", {"型号规格": "MFZ/ABC8"}, "证书上的型号是MFZ/ABC4，同系列通用。")
    assert "invalid_certificate" in found(rules, item, E)


# -- 4. status words ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, title, attributes, description", [
    (E, "水基灭火器 3C认证 耐低温不冻结 车用", {**EA, "型号": "MSWZ/2"}, "冬天放车里没问题。"),
    (S, "烟感 3C", SA, "证书图片因账号冻结暂时上传不了，需要的私聊发您。"),
    (E, "灭火器 4kg 3C", EA, "问：3C款什么时候有货？\n答：暂停销售了，等新批次。"),
    (S, "烟感 3C", SA, "问：证书有效期到什么时候？\n答：到期日是2029年3月，官网可查。"),
    (S, "烟感 3C", SA, "问：证书是不是快过期了？\n答：过期时间是2028年底，还早。"),
    (E, "灭火器 4kg 3C", EA, "3C标识被印在吊牌上，拆开包装可见。"),
    (L, "应急灯 3C", LA, "有3C证书，被吊顶挡住的位置也能装。"),
    (L, "应急灯 3C 吸顶", LA, "证书齐全，可被吊装在天花板上。"),
])
def test_status_words_of_other_things(rules, category, title, attributes, description):
    assert "invalid_certificate" not in found(rules, shop(title, "45", attributes, description), category)


@pytest.mark.parametrize("description", [
    "证书给撤了，货是老批次的，便宜处理。",
    "证书让认证机构撤了，货没问题。",
    "证书过期了，正在续期，不影响使用。",
    "证书上个月过期了，正在办续证。",
    "问：证书还有效吗？\n答：上个月到期了，新证在办。",
    "问：证书还有效吗？\n答：嗯，过期了。",
])
def test_a_status_in_more_words(rules, description):
    assert "invalid_certificate" in found(rules, shop("烟感 3C", "45", {}, description), S)


# -- 5. the lamp's power -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, attributes, description", [
    ("集中电源型 疏散指示灯 A型", {**LA, "供电方式": "集中电源集中控制型"},
     "系统说明：本系统由应急照明集中电源、集中电源型灯具组成，另可接入自带电源型灯具。"),
    ("集中电源型 安全出口灯 A型", {**LA, "供电方式": "集中电源集中控制型"}, "系统兼容自带电源型灯具，改造项目可混装。"),
    ("自带电源型 应急照明灯", {**LA, "供电方式": "自带电源型"}, "我们也做集中电源型，量大可定制。"),
])
def test_another_power_type_a_system_takes_or_the_shop_makes(rules, title, attributes, description):
    assert "spec_mismatch" not in found(rules, shop(title, "45", attributes, description), L)


# -- 6. a warranty's time ------------------------------------------------------------------------------------------

def test_a_warranty_replying_to_a_question_also_about_the_life(rules):
    item = shop("烟感报警器 十年电池 3C", "45", {**SA, "电池寿命": "10年"}, "问：电池能用几年？坏了怎么换？\n答：三年内免费换新。")
    assert "spec_mismatch" not in found(rules, item, S)


# -- 7. inspection wording -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, title, attributes, description", [
    (E, "MFZ/ABC4 干粉灭火器 4kg 3C", EA, "定期检查压力表，关键时刻就靠它了。"),
    (E, "MFZ/ABC4 灭火器 3C", EA, "检查组抽检合格，厂家全靠它打开了市场。"),
    (S, "烟感 3C", SA, "安装位置不确定的可以拍张照片发给物业问一下。"),
    (S, "烟感 3C 政府补贴款", SA, "安装后拍照给社区网格员登记，领取补贴。"),
    (E, "MFZ/ABC4 灭火器 3C", EA, "物业检查发现过期的要及时换，拍照发给物业确认即可。"),
    (S, "烟感 3C", SA, "装上拍照发给房东，房东报销。"),
    (E, "MFZ/ABC4 灭火器 3C", EA, "年检时往那一放不行，检查员会看压力和日期，我们保证都是新货。"),
])
def test_checks_photos_and_reliance_of_honest_goods(rules, category, title, attributes, description):
    assert "inspection_only" not in found(rules, shop(title, "45", attributes, description), category)


@pytest.mark.parametrize("description", [
    "街道检查那关这个就能对付。",
    "挂上拍个视频发给物业就行了。",
    "抽查来了放那就不罚。",
])
def test_a_stand_in_in_more_words(rules, description):
    assert "inspection_only" in found(rules, shop("干粉灭火器 4kg 便宜", "25", {"型号": "MFZ/ABC4"}, description), E)
