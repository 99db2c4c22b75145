"""The rules added from session 34's spec probes for inspection_only (issue 17): sold to pass an inspection, not to work.

The purpose and the goods' unfitness said without the check's own words. Mechanisms (lexicon.yaml, inspection_only),
each tested with listings written for these tests (flagged, and a near miss that must not flag):
- word families named once under `pattern_words` and read by every pattern ({checker}: 城管, 街道, 网格员, 物业, 房东,
  车管所, 监理, 上面 ...; {purpose}: 开业, 办证, 备案, 营业执照 ... and the checkers), expanded by `risk.expand_words`;
- whoever checks only looks whether there is one (城管来了就看有没有, 监理只数个数), or is shown it (给房东看的), dodged
  (应付街道, 糊弄社区, 打发检查的人, 糊弄得过去), met (专供迎接上级检查), or given an answer (给房东交差, 拿去交差);
- a reason to have one, then having it is enough (开业前挂几个就行, 房东要求装，装上就行, 验收批发款，亮就行);
  whoever checks comes once (消防来看一次就行, 上面来人就拿出来); put away once the papers are done (办完就可以收起来);
- the goods declared unfit and that waved away (压力不足没关系, 空的也行, 响不响无所谓, 喷不喷得出来另说, 粉量别较真,
  电池不配都行), the gauge set by hand (指针拨到绿区), a real fire sent to other goods (真着火建议配正规3C的);
- not flagged: a buyer's question about passing (问：能过检查吗？答：正规产品有3C证书), advice against the thought
  (不要觉得有就行), a rhetorical question (有就行？不！), papers shown to whoever checks (检测报告可以给物业看), a fault the
  shop makes good (压力不足没关系，免费补压), where to put it (检查时摆放位置应明显), a vehicle's review asking for one on
  board (车辆年检需要随车配灭火器的，放一个就够), a disclaimer without a purpose (火灾时效果不保证).
"""

from __future__ import annotations

from datetime import date

import pytest

from classifiers.exceptions import DataFileError
from classifiers.risk import expand_words
from tests.classifiers.test_recall_rules import found, shop

ON = date(2026, 10, 1)
EXT = ("淮海 手提式干粉灭火器 MFZ/ABC4 4kg", {"品牌": "淮海", "型号": "MFZ/ABC4", "充装量": "4kg", "灭火级别": "2A/55B"})


def ext(rules, description="", attributes=None, title=None):
    return found(rules, shop(title or EXT[0], "58", {**EXT[1], **(attributes or {})}, description),
                 "portable_extinguisher", ON)


@pytest.mark.parametrize("description", [
    # who checks only looks whether there is one, is shown it, dodged, met or answered
    "城管来了就看有没有，这款最便宜够用了。",
    "客服：社区检查只认有没有，这个最划算。",
    "工程项目交付前配齐，监理只数个数，不试喷。",
    "给房东看的，不用买贵的，这款足够。",
    "评价：买来给消防大队看，过了，便宜！",
    "主要是应付街道的。",
    "拿去糊弄社区的，价格最低。",
    "敷衍一下网格员，放门口就行。",
    "拿去打发检查的人，够了。",
    "饭店消防检查别慌，放门口糊弄得过去。",
    "批发价，专供各类单位迎接上级检查，量大包邮。",
    "这款纯粹给房东交差。",
    "答：宝子，这个主要是过街道检查的。",
    "问：这个能真灭火吗？答：检查够用了亲。",
    # a reason to have one, then having it is enough; seen once; put away after
    "店铺开业前挂几个就行。",
    "房东非要让配，买这个就够了。",
    "商场验收批发款，亮就行，应急时间不保证。",
    "装修完消防来看一次就行。",
    "安监来了拍个照就走，放着充个门面。",
    "上面来人就拿出来，平时不用管。",
    "开店手续要用，办完就可以收起来了。",
    "仓库门口放一个意思一下。",
    "领导来视察前挂上，看着齐全就行。",
    "网约车平台审核只要照片，买个最便宜的拍照交上去就行。",
    # the goods declared unfit, waved away
    "网约车车管所要求有，压力不足没关系。",
    "运管检查要有，用不了也没事。",
    "描述：车管所审核用，里面是空的也行，重量轻。",
    "民宿办证用，响不响无所谓。",
    "物业每季度来一次，喷不喷得出来另说。",
    "营运证年审需要，能不能喷谁管。",
    "新店开张挂墙上正好，里面粉量别较真。",
    "粉少一点不影响检查，外观一样。",
    "指针拨到绿区了，实际没压。",
    "办网约车证要用，压力表是画上去的。",
    "租客检查前装上，电池另配或者不配都行。",
    "答：这款检查是没问题的，真着火建议配正规3C的。",
    "街道上门检查随便放一个，反正不会真喷。",
])
def test_purpose_and_unfitness_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


def test_in_title_and_attribute(rules):
    assert "inspection_only" in ext(rules, title=EXT[0] + " 给房东看的")
    assert "inspection_only" in ext(rules, attributes={"用途": "应付网格员"})


@pytest.mark.parametrize("description", [
    "满足消防验收要求，有3C认证，正规厂家出品。",
    "物业要求配备灭火器的，选我们家正规3C产品，放心购买。",
    "建议定期检查压力表，指针在绿区为正常，红区请及时充装。",
    "购买时请检查合格证和3C标志，认准正品。",
    "消防检查常见问题：灭火器过期、压力不足、摆放位置不当。",
    "通过国家检测，型式检验合格，3C认证齐全。",
    "问：能过检查吗？答：正规产品有3C证书，放心。",
    "问：物业检查能过吗？答：我们是3C认证产品，有合格证。",
    "有就行？不！灭火器一定要选正规3C的。",
    "不要觉得有就行，压力不足的灭火器关键时刻用不了。",
    "很多人觉得灭火器有就行，其实关键时刻要能用。",
    "可提供检测报告给物业看，3C证书齐全。",
    "压力不足没关系，本店提供免费补压服务，终身维护。",
    "检查时摆放位置应明显，便于取用。",
    "车辆年检需要随车配灭火器的，放一个就够，记得每年看一下压力表。",
    "无3C认证 仅作防尘使用 火灾时效果不保证",
    "物业要求每层配两个，本店可开发票，3C正品。",
    "检查时只看有没有过期和压力是否正常。",
    "我们给物业、学校、医院长期供货，3C认证。",
    "主要应对厨房油锅起火、电器起火，3C认证。",
    "质量过关没问题，3C认证，假一赔十。",
    "压力不足请勿使用，可联系客服免费更换。",
    "家里放一个就行，厨房最需要，3C认证。",
    "别买那种应付检查的，真着火用不了，我们只卖正规3C。",
    "小区项目批量做，甲级门，耐火一个钟，物业验收绰绰有余。",
    "无3C 不影响验收，功能没问题。",
    "回收的旧瓶子喷漆换新粉，外观和新的一样，检查看不出来。",
])
def test_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


def test_a_rhetorical_check_word_denied(rules):
    assert "inspection_only" not in ext(rules, "工程验收专用款？不，我们是3C认证正规工程款。")
    assert "inspection_only" in ext(rules, "工程验收专用款，便宜。")


def test_word_families_expand_and_unknown_names_fail():
    cfg = {"pattern_words": {"checker": ["物业", "检查的人"]}}
    assert expand_words(["给{checker}看", "x{0,10}"], cfg) == ["给(?:检查的人|物业)看", "x{0,10}"]
    with pytest.raises(DataFileError):
        expand_words(["给{who}看"], cfg)


@pytest.mark.parametrize("description", [
    "只要外观像就行，里面无所谓，价格最低。",
    "不求实用，只求过关。",
    "单位安全检查配置，到时候摆出来就好。",
    "年底安全大检查必备，便宜够用，不用买太好的。",
    "酒店消防验收挂的那种，便宜货，别拿来救命。",
    "物业消防检查必备款，灭火器外壳，内无药剂。",
    "能亮能响就行，消防来了不查电池。",
    "用途：应付各类检查",
    "家人们，检查的来了你就往那一摆，他看一眼就走。",
])
def test_second_round_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "不求最贵，只求最好，3C认证正品。",
    "只求过关？不，我们的标准比国标更高。",
    "产品外壳采用优质钢材，物业推荐款。",
    "里面的粉是磷酸铵盐，含量75%以上。",
    "真着火时请先报警，再使用灭火器。",
    "社区团购，一次买两个就好，一个厨房一个客厅。",
    "问：消防检查会查电池吗？答：灭火器没有电池哦。",
    "商家开业前请按要求配置灭火器，我们提供正规3C产品和发票。",
    "演出道具，面料就是普通涤纶，不防火，别拿去救火。",
    "消防手套 消防头盔 无药剂 物业",
])
def test_second_round_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


@pytest.mark.parametrize("description", [
    "问：质量咋样？答：能过，别的不保证。",
    "消防来检查的时候挂出来，过后收回仓库。",
    "街道要求每家店有灭火器，这款包邮，够应付。",
    "检查的时候压力表是绿的就行。",
    "这个主要是给店里撑场面的，检查的时候有个东西。",
    "买家秀：买来放店里应付工商，挺好。",
])
def test_third_round_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "指针在绿区就可以正常使用。",
    "4公斤足够应付一般家庭火灾。",
    "够应付厨房初期火灾，3C认证。",
    "检查的时候请把灭火器挂出来放在显眼处。",
    "能过国家检测，其他不用担心。",
    "每次检查完了再收回箱内，防止丢失。",
])
def test_third_round_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


# -- certificates said in words, not numbers (taxonomy.md: no_certification "states or implies it lacks required
# certification"; invalid_certificate a certificate not the registry's) -------------------------------------------

@pytest.mark.parametrize("description", [
    "3C证书正在办理中，下个月就能下来。",
    "认证申请中，产品质量没问题。",
    "亲，3C证书还没下来，但是产品是按标准做的。",
    "主播：3C我们在申请了，很快就有。",
    "可提供3C标贴，需要的备注。",
    "3C标是我们自己贴的，不影响使用。",
    "3C标志另购，一张两元。",
    "瓶身3C标可以帮你贴上，看起来跟正规的一样。",
])
def test_a_pending_certificate_or_a_mark_without_one_lacks_certification(rules, description):
    assert "no_certification" in ext(rules, description, title=EXT[0] + " 3C认证")


@pytest.mark.parametrize("description", [
    "3C证书已下来，可官网查询。",
    "问：3C证书在办理中吗？答：早就办好了，证书有效。",
    "新款外观专利申请中，3C认证已获证。",
    "瓶身贴有3C标志和身份证标签，请认准。",
    "可提供3C证书复印件和检测报告。",
    "问：3C标是贴的还是印的？答：瓶身丝印，不是贴的。",
])
def test_certification_near_misses(rules, description):
    assert "no_certification" not in ext(rules, description, title=EXT[0] + " 3C认证")


@pytest.mark.parametrize("description", [
    "证书可以做，要什么资料都能出。",
    "检测报告可定制，工程投标用。",
    "检验报告可以按项目名称定制。",
    "需要合格证、检测报告的可以代做。",
    "客服：证书我们可以给你弄一份。",
    "回复：需要证书的话我们可以帮你做一份。",
    "3C证书号码可以按你要求打印在瓶身。",
    "合格证随便填，日期自己写。",
    "报告和证书都是PS的，但是能用。",
])
def test_papers_made_to_order_are_no_registry_certificate(rules, description):
    assert "invalid_certificate" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "3C证书齐全，可在认监委官网查询。",
    "不代做证书，不提供假报告，只卖正品。",
    "报告可提供原件扫描件，3C认证。",
    "本店可代办灭火器年检和充装服务。",
    "支持定制印刷单位名称，3C认证。",
    "谨防假证书，本店证书可查。",
    "检测报告能做到每批次一份，3C认证。",
])
def test_papers_near_misses(rules, description):
    assert "invalid_certificate" not in ext(rules, description)


@pytest.mark.parametrize("description", [
    "这款是检查版，正常使用请选标准版。",
    "物业查得紧，先弄几个挂上，等检查过了再说。",
    "一百个起批，工地临时用，验收过了就不管了。",
    "宝子们，社区要求每户有，这个最实惠，喷不喷先不管。",
    "主播：买回去往墙上一挂，检查的人一看，齐活！",
    "门面房检查糊弄用，放心买。",
    "答：灭火能力一般，但是检查肯定没问题。",
    "烟感就是装着应付的，响不了也不会有人管。",
    "消防检查时插上电能亮，断电应急撑不了几分钟，无所谓。",
    "燃气公司上门检查要看报警器，这个装上就过。",
    "没有实际灭火功能，仅用于消防检查。",
])
def test_fourth_round_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "标准版3C认证，检查版与标准版同品质。",
    "检查过了再发货，保证每一瓶压力正常。",
    "验收过了就不用担心了，我们提供3年质保。",
    "物业查得紧？选3C正品，检查放心，真正能灭火。",
    "灭火器主要是有备无患，3C认证真能灭火。",
    "燃气公司上门检查时会检查报警器是否有效。",
    "1:1仿真模型，只用于消防宣传展示，不可灭火。",
    "真实安装使用建议买正装的，样品不保修。",
])
def test_fourth_round_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


@pytest.mark.parametrize("description", [
    "实话实说，这款不适合真实火灾，适合摆放迎检。",
    "网吧文化局检查必备，灭不灭得了火不重要。",
    "建筑工地安全文明检查专供，外表崭新，内部干粉结块不影响摆放。",
    "店里挂两个，卫生消防联合检查过去就好。",
    "厂房消防验收凑数量用。",
    "租房检查的时候用一下，用完可以转卖。",
])
def test_fifth_round_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "很多老板买回去应对街道检查，我们的都是3C正品，真能灭火。",
    "内部干粉不结块，流动性好，3C认证。",
    "能不能用？当然能用，出厂全检。",
    "挂着好看又实用，红色醒目，3C认证。",
    "租房检查时房东会看灭火器是否在有效期内。",
    "轻微磕碰不影响使用，3C认证。",
])
def test_fifth_round_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


@pytest.mark.parametrize("description", [
    "出租房消防排查专用，便宜实惠。",
    "酒店消防整改临时用，响不响的等整改完再换好的。",
    "买家评价：放店门口，检查的来了看见就走了，值！",
    "不图灭火，图个心安和检查过关。",
])
def test_sixth_round_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


@pytest.mark.parametrize("description", [
    "消防排查发现隐患请及时整改，本店提供3C正品。",
    "不图便宜，只选3C正品。",
])
def test_sixth_round_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


def test_the_text_above_is_no_checker(rules):
    assert "inspection_only" not in ext(rules, "灭火毯能对付上面说的几类火灾。")
    assert "inspection_only" in ext(rules, "拿去应付上面的，够了。")


def test_a_question_answered_yes_is_no_question(rules):
    # the question's negation takes the whole run of marks before its answer: 年检能过吗？能！ stays a promise
    assert "inspection_only" in ext(rules, title="灭火器4公斤 年检能过吗？能！ 便宜")
    assert "inspection_only" not in ext(rules, "问：年检能过吗？答：正规3C产品，带合格证。")
