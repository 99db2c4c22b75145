"""The spec parser's and checks' shortcuts against their straightforward references: the literal gates
(`parse_specs(text)` against `parse_specs(text, gated=False)`, every expression run) and the
lazy parse (`LazySpecs`, a family at a time) give the same keys, values and key order on every
corpus, held-out and demo-market text, and on texts written to sit at the gates' edges; the
comparison values (`spec_scalars`) are the same with and without the shortcut for specs that state none."""

from __future__ import annotations

import pytest

from classifiers.corpus import CORPUS_PATH, HELDOUT_PATH, load_records, record_to_listing
from classifiers.specs import LazySpecs, load_facts, parse_specs
from demo_market.generator import build_catalogue

# each beside its neighbours: codes with and without the literal their gate looks for, full-width
# and upper-case spellings, joins that put two fields' values side by side
EDGES = [
    "ZR-YJV 3*4+1*2.5 电缆 0.6/1kV 4芯 4平方", "NH-BV 2.5 耐火电线 BTTZ 4x10", "WDZN-RVS 2x1.5 双绞线",
    "djyvp 计算机电缆 ng-a(bttz) 矿物", "DJYVP 屏蔽", "KVVP 7x1.5 控制电缆", "yjlv22 铝芯 铠装", "BYJR 6mm² 8.7/15kv",
    "执行标准 EN 3-7 UL 299 BS EN 1869 NFPA 10 IEC 60331 ISO 7165 AS/NZS 3504 DIN 14406 JIS 1 ANSI 2",
    "enable ul bs iso", "en3 ul-711 din14406", "主要成分：磷酸铵盐 75% 干粉含量50%", "含粉量 90 %",
    "3C证书编号：2023081801234567", "ccc编号 2021", "证书no. 20230818", "认证编号:abcd-1234", "证书号",
    "ＭＦＺ／ＡＢＣ４　４ＫＧ", "MFTZ/ABC35 推车 35kg", "MSWZ/6 6L 水基", "mp3 ms6 mfz4", "MT/3 二氧化碳 3kg",
    "TZL30 防护时间 30 分钟", "XBD8/30 扬程 80 米 0.8mpa", "SN65 室内消火栓 DN65 2.5寸", "8-65-25 水带 25米",
    "KD65 接口 口径 65mm", "ZSTX15-68℃ 红色 K80 DN15", "FFB-15-A1.00 耐火1小时 甲级 GFM-1021-bk5 A1.50",
    "1.5米x1.5米 灭火毯 120*180cm 4只装 装12个", "AFFF 3% 水成膜 S/AR 6% 蛋白 氟蛋白 IG541 70L qmq",
    "GQQ120/4.2 七氟丙烷 120L", "锂电池 磷酸铁锂 铅酸 镍镉", "GB4351-2023 XF 1205-2014 GA 1 GB/T 5135.1",
    "", " ", "-", "x", "%", "kg", "米", "m", "v", "证书",
]


def _texts() -> list[str]:
    listings = [record_to_listing(r) for r in load_records(CORPUS_PATH) + load_records(HELDOUT_PATH)]
    texts = []
    for listing in listings:
        attrs = [f"{k} {v}" for k, v in listing.attributes.items()]
        texts += [listing.title, listing.description, *attrs, " ".join([listing.title, *attrs])]
    for seed in (7, 11):
        for c in build_catalogue(seed=seed).listings:
            attrs = [f"{k} {v}" for k, v in c.attributes.items()]
            texts += [c.title, c.description, *attrs, " ".join([c.title, *attrs])]
    texts += EDGES + [" ".join(EDGES[i:i + 3]) for i in range(len(EDGES))]
    return list(dict.fromkeys(texts))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_literal_gates_change_nothing(texts):
    facts = load_facts()
    assert len(texts) > 5000
    differ = [t for t in texts if list(parse_specs(t, facts).items()) != list(parse_specs(t, facts, gated=False).items())]
    assert not differ, differ[:3]
    # the reference does find what the gates let through: the edges state every family
    found = {key for t in EDGES for key in parse_specs(t, facts, gated=False)}
    assert {"cables", "foreign_standards", "powder_content_pct", "certificate_numbers", "hoses", "pumps",
            "fire_glass", "sprinklers", "blanket_sizes", "gas_cylinders", "batteries", "pack_qty"} <= found


def test_lazy_specs_equal_parse_specs(texts):
    facts = load_facts()
    keys = ["extinguisher_codes", "hoses", "sprinklers", "rating_hours", "temperatures_c", "voltages",
            "pack_qty", "not_a_key"]
    for text in texts:
        full = parse_specs(text, facts)
        lazy = LazySpecs(text, facts)
        # read in an order of its own (families loaded out of turn), then the whole mapping
        for key in keys:
            assert lazy.get(key) == full.get(key), (text, key)
            assert (key in lazy) == (key in full)
        assert list(lazy.items()) == list(full.items()), text
        assert len(lazy) == len(full)
    with pytest.raises(KeyError):
        LazySpecs("MFZ/ABC4", facts)["hoses"]


class _Never:
    """A key set that is never disjoint: `spec_scalars` then always takes its full path."""

    def isdisjoint(self, other) -> bool:
        return False


def test_scalars_shortcut_changes_nothing(texts, monkeypatch):
    import classifiers.spec_checks as checks

    facts = load_facts()
    parsed = [parse_specs(t, facts) for t in texts]
    # every key alone, too: a key the comparison reads must be in the shortcut's set
    singles = [{key: value} for specs in parsed for key, value in specs.items()]
    fast = [checks.spec_scalars(s) for s in parsed + singles]
    assert any(not f for f in fast) and any(fast)
    monkeypatch.setattr(checks, "_SCALAR_KEYS", _Never())
    assert [checks.spec_scalars(s) for s in parsed + singles] == fast


class _Reading(dict):
    """Specs that note every key read."""

    def __init__(self, specs) -> None:
        super().__init__(specs)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def test_scalar_families_read_only_their_keys(texts):
    import classifiers.spec_checks as checks

    facts = load_facts()
    for text in texts:
        specs = parse_specs(text, facts)
        for family, keys, values in checks._SCALAR_FAMILIES:
            reading = _Reading(specs)
            values(reading)
            assert reading.read <= set(keys), (family, reading.read - set(keys))
        for family in checks._word_family_names():
            reading = _Reading(specs)
            checks._coded_words(family, reading)
            assert reading.read <= checks._CODED_WORD_KEYS, (family, reading.read)
