"""A certificate said void in the shop's own words, a fresh batch written from the spec (session 37).

domain.md, "Numbers and labels" / taxonomy.md invalid_certificate: a certificate expired, suspended, revoked or
cancelled (the statuses of the CCC certificate query) is no valid certificate. Scored before fixing: 25 of 27 as
expected; the two fixed here: a restoration still to come (恢复之前) takes no status back, and another shop's
certificate said void (别家的证书都过期了) is none of the goods'.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop

TITLE = "MFZ/ABC4 手提式干粉灭火器 4kg 3C认证"


@pytest.mark.parametrize("attributes, description", [
    ({}, '3C证书2023年就过期了，新证在办，不影响使用。'),
    ({}, '认证证书目前处于暂停状态，产品没问题。'),
    ({}, '证书去年被撤销了，这批是之前的库存。'),
    ({}, 'CCC证书已失效，但产品质量没问题。'),
    ({}, '证书状态显示撤销，但都是正规厂家货。'),
    ({}, '证书暂停了，恢复之前先按这个价清。'),
    ({}, '认证过期了还没续，便宜处理。'),
    ({}, '3C证已到期，正在重新申请。'),
    ({}, '认证被暂停（整改中），现货发。'),
    ({}, '证书已经作废了，货是好的。'),
    ({"证书状态": "注销"}, ''),
    ({"认证状态": "暂停"}, ''),
    ({"证书状态": "已撤销"}, ''),
    ({"证书有效期": "2024-03-01"}, ''),
    ({}, '我们的证书过期了还没续，别家的证书都还有效。'),
])
def test_a_certificate_said_void(rules, attributes, description):
    assert "invalid_certificate" in found(rules, shop(TITLE, "60", attributes, description), "portable_extinguisher")


@pytest.mark.parametrize("attributes, description", [
    ({}, '证书状态：有效，可在认监委官网查询。'),
    ({}, '问：证书过期了吗？\n答：没有，有效期到2028年。'),
    ({}, '之前证书暂停过，现已恢复，状态有效。'),
    ({}, '别家的证书都过期了，我们的是新的。'),
    ({}, '证书到期前会提前续证，请放心。'),
    ({}, '过期灭火器回收，以旧换新。'),
    ({}, '药剂有效期五年，过期请及时更换。'),
    ({}, '不卖过期证书的货，证书可查。'),
    ({}, '证书不会过期吗？会的，到期续证，目前有效。'),
    ({}, '认证证书有效期至2029年。'),
    ({"证书状态": "有效"}, ''),
    ({"认证状态": "正常"}, ''),
    ({"证书有效期": "2029-06-30"}, ''),
])
def test_a_valid_renewed_or_other_shops_certificate(rules, attributes, description):
    assert "invalid_certificate" not in found(rules, shop(TITLE, "60", attributes, description), "portable_extinguisher")
