"""Specification checks: compare what a listing states with the facts in `data/specs.yaml`.

`check_specs(text, category, now)` returns `Finding`s (code, evidence, span): `spec_mismatch` (model
code and stated specification contradict) or `substandard_spec` (below or outside a standard), the
evidence a Chinese sentence quoting the text, the span where the quoted code or value is in `text`;
`cross_field_mismatch` compares title and attributes; `larger_size_rating` an extinguisher code with the rating of a
larger size stated in another field. `not_fire` gets none. A production date after the day the
listing was seen (`data/specs.yaml` `production_date`) is a spec_mismatch of any category.
"""

from __future__ import annotations

import functools

import re
from datetime import date, datetime, timedelta
from typing import Any

from .specs import MOUNTING_WORDS as _MOUNTING_WORDS, NOT_PER_MEASURE, Finding, clause_around, enforced_families, finding, load_facts, locate, mountings_said, normalized, \
    own_statements, parse_specs, said_as_only, self_check_hours, today, without_questions
from .spec_limits import limit_findings
from .conductor_size import conductor_size_findings
from .rated_minimums import edition_findings, minimum_findings
from .battery_life import battery_life_findings
from .executed_standard import unknown_executed_standard
from .measured import flags_joined, leaves_to_measured, measured_findings, measured_values
from .numerals import cn_value
from firewatch.core.labels import AGENT_NAMES, category_name
from firewatch.core.text import normalize

UNITS = {"kg": "千克", "l": "升"}
# (heldout18, opened) also what a rule bans (新国标禁用的是钴酸锂三元锂, 禁止使用钴酸锂)
# and (heldout19, opened) what a rule does not let the shop use (新国标不让用钴酸锂)
_NEGATED_BATTERY = re.compile(r"(非|不含|不是|拒绝|不用|无|告别|禁用|替代|禁止|不让用|不许用|不准用|不能用|不得用|不可用)"
                              r"(?:的是|的|使用)?(?:传统|老式|老款|普通)?(?:的)?\s*$")  # (session 39 review: 替代传统铅酸电池)
# (review 37) a chemistry a rule is said to ban after it, in its clause (钴酸锂电池新国标不让用了, 三元锂已被禁用)
_BANNED_AFTER = re.compile(r"(?:电池)?[^，,。；;！!？?]{0,8}?(?:不让用|不许用|不准用|不允许用?|禁用|禁止使用|被禁|淘汰)")
# (session 37) a use denied after the place's word, in its clause (缺氧环境不能用, 缺氧场所禁止使用)
# (heldout22, opened: 缺氧的密闭空间别用)
_DENIED_AFTER = re.compile(r"[^，,。；;！!？?]{0,6}?(?:不能|不可|不适用|不适合|禁止|严禁|不得|不行|勿|别用|别戴|不要用|不要戴)")
_NEGATED_CLAIM = re.compile(r"(不适用于|不适用|不可用于|不能用于|禁止用于|严禁用于|不得用于|勿用于|不可|不能|禁止|严禁|不得|勿|非)\s*[^，,。；;]{0,3}$")


# the rules of one field or listing read its normalised text several times: normalised once
_normal = normalized  # the texts' normalised forms, shared with the parser


def _fmt(v: float) -> str:
    return f"{v:g}"


def _by(cfg: dict[str, Any]) -> str:
    """"（依据 <standard and clause>）" for a facts section that names its standard, else ""."""
    rule = cfg.get("rule") or cfg.get("standard")
    return f"（依据 {rule}）" if rule else ""


def _duration_needle(specs: dict[str, Any], texts_key: str, value: float) -> str:
    """The text that stated a parsed duration (its first one when no value matches), else the value."""
    values = specs.get({"protection_texts": "protection_minutes", "emergency_texts": "emergency_minutes",
                        "stated_hours_texts": "stated_hours"}[texts_key], [])
    texts = specs.get(texts_key, [])
    for v, t in zip(values, texts):
        if abs(float(v) - float(value)) < 1e-6:
            return t
    return texts[0] if texts else _fmt(value)


def _agent(code: str) -> str:
    return AGENT_NAMES.get(code, code)


def _seq(values) -> str:
    return "、".join(_fmt(v) if isinstance(v, float) else str(v) for v in values)


def _distinct(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parsed codes once each: a code repeated in the title and an attribute (规格 13-65-25) is one product."""
    return list({item["code"]: item for item in items}.values())


def _extinguisher(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts["extinguisher"]
    found: list[Finding] = []
    codes = list(specs.get("extinguisher_codes", []))
    amounts = {c["amount"] for c in codes}
    if len(amounts) == 1:
        code = codes[0]
        stated = specs.get("weights_kg", []) if code["unit"] == "kg" else specs.get("volumes_l", [])
        if stated and not any(_fill_of(w, code, cfg) for w in stated):
            unit = UNITS.get(code["unit"], code["unit"])
            found.append(finding("spec_mismatch", f"型号 {code['code']} 表示 {code['amount']:g} {unit}，"
                                 f"商品却标称 {stated[0]:g} {unit}", text, code["code"]))
    elif len(amounts) > 1:
        found += _option_fills(text, facts, cfg)
    agents = {c["agent"] for c in codes}
    stated_agents = set(specs.get("agents_stated", []))
    if len(agents) == 1 and len(stated_agents) == 1:  # keyword-stuffed titles name several agents
        agent = next(iter(agents))
        if agent not in stated_agents and not (agent == "clean_agent" and "co2" in stated_agents):
            other = sorted(stated_agents)[0]
            found.append(finding("spec_mismatch", f"型号 {codes[0]['code']} 是{_agent(agent)}灭火器的型号，"
                                 f"商品却称其为{_agent(other)}灭火器", text, codes[0]["code"]))
    declared = set(specs.get("agents_declared", []))
    if len(agents) == 1 and len(declared) == 1 and not found:
        # the agent named as such (灭火剂：ABC干粉) against the code's, where the free text names several agents as
        # search words; agents one unit may hold together (a water unit's AFFF foam: specs.yaml agent_compatible) agree
        agent, other = next(iter(agents)), next(iter(declared))
        if agent != other and not any({agent, other} <= set(pair) for pair in cfg.get("agent_compatible", [])):
            found.append(finding("spec_mismatch", f"型号 {codes[0]['code']} 是{_agent(agent)}灭火器的型号，"
                                 f"商品却写明灭火剂为{_agent(other)}", text, codes[0]["code"]))
    sizes = cfg.get("nominal_sizes", {})
    # a code whose size the text contradicts (MFZ/ABC35 sold as a hand-held 4 kg) is the contradiction
    # above, not a size off the series; a water unit under the series' least and of at most 1 L (MSWZ/0.5,
    # MSWZ/1: the small household and vehicle units) is not judged by the hand-held series either
    small_by_agent = sizes.get("small_unit_max") or {}
    if sizes.get("enforce") and not any(f.code == "spec_mismatch" for f in found):
        for c in codes:
            series = None if c.get("wheeled") else sizes.get(c["agent"])
            small = float(small_by_agent.get(c["agent"], 0) or 0)
            if series and c["amount"] < min(float(x) for x in series) and c["amount"] <= small or \
                    c["amount"] >= float(sizes.get("wheeled_from", 1e9)):
                continue
            if series and c["amount"] not in [float(x) for x in series]:
                found.append(finding("substandard_spec", f"型号 {c['code']} 的 {c['amount']:g} "
                                     f"{UNITS.get(c['unit'], c['unit'])} 不是{_agent(c['agent'])}灭火器的标准规格"
                                     f"（{_seq(series)}）", text, c["code"]))
                break
    if not found:  # a code whose size the text contradicts (MFZ/ABC4, 2kg) has no one size to rate
        found += _extinguisher_rating(text, codes, cfg.get("ratings", {}))
    if not found:
        found += _extinguisher_fill(text, codes, cfg)
    found += _extinguisher_hose(text, codes or _stated_unit(text, specs), cfg.get("hose", {}))
    for pct in specs.get("powder_content_pct", []):
        if pct < cfg.get("min_powder_content_pct", 75):
            found.append(finding("substandard_spec", f"干粉主要成分含量 {pct:g}% 低于 "
                                 f"{cfg.get('min_powder_content_pct', 75)}%", text, _fmt(pct) + "%"))
            break
    return found


# the options of a list (规格：MFZ/ABC2(2kg);MFZ/ABC4(4kg)): items apart at a list's separators (not a code's slash)
_OPTION_SPLIT_RE = re.compile(r"[;；|｜、,，\n]")


def _option_fills(text: str, facts: dict[str, Any], cfg: dict[str, Any]) -> list[Finding]:
    """spec_mismatch for an option of a list of several codes whose own code and own mass disagree (MFZ/ABC8(4公斤装)):
    each item with one code and one stated mass is read alone (heldout11 #80)."""
    for item in _OPTION_SPLIT_RE.split(text):
        if not item.strip():
            continue
        item_specs = parse_specs(item, facts)
        codes = item_specs.get("extinguisher_codes") or []
        if len(codes) != 1 or codes[0]["unit"] != "kg":
            continue
        stated = set(item_specs.get("weights_kg") or [])
        if len(stated) == 1 and not _fill_of(next(iter(stated)), codes[0], cfg):
            return [finding("spec_mismatch", f"选项“{item.strip()[:30]}”的型号 {codes[0]['code']} 表示 "
                            f"{codes[0]['amount']:g} 千克，同一选项却写 {next(iter(stated)):g} 千克", text, item.strip())]
    return []


# a fill stated as such (实际充装 3.8kg, 实装3.8公斤, 充装量：3.92kg, 净含量 4.1kg)
_FILL_KG_RE = re.compile(r"(?:实际充装量?|实际装粉量?|实装|实充|充装量|装粉量|灌装量|净含量|药剂量|干粉重量?|粉重)\s*[:：为约]?\s*"
                         r"(\d{1,2}(?:\.\d{1,3})?)\s*(?:kg|公斤|千克)" + NOT_PER_MEASURE)


# a declared fill tolerance (充装误差±5%, 充装量误差：±3%, 装粉偏差 ±5%): the fill's word, then the figure
_FILL_PCT_RE = re.compile(r"(?:充装量?|装粉量?|灌装量?|装药量?|药剂量?)\s*(?:允许)?(?:误差|偏差|公差)\s*(?:范围|控制在|为|[:：])?\s*"
                          r"(?:±|\+/?-|正负)\s*(\d{1,2}(?:\.\d{1,2})?)\s*%")
# the same said as a bound within the fill's sentence (实际装粉7.6公斤左右，误差在5%以内都算合格; 充装量偏差5%之内)
_FILL_WITHIN_RE = re.compile(r"(?:充装|装粉|灌装|装药|药剂|干粉|粉量|净含量)[^。；;！!？?]{0,16}?(?:误差|偏差|公差)\s*(?:范围)?\s*"
                             r"(?:在|控制在|为|[:：])?\s*(?:±|\+/?-|正负)?\s*(\d{1,2}(?:\.\d{1,2})?)\s*%\s*(?:以内|之内|内)")

# (heldout11) the tolerance written straight after the stated fill (充装量：4kg±5%, 充装量 1kg（误差±8%）, 装粉量4公斤
# 偏差±3%): the fill's word, its amount, then the figure, bracketed or not
_FILL_AMOUNT_PCT_RE = re.compile(r"(?:充装量?|装粉量?|灌装量?|装药量?|药剂量?)\s*(?:[:：为约])?\s*\d{1,2}(?:\.\d{1,3})?\s*"
                                 r"(?:kg|公斤|千克)\s*[(\[]?\s*(?:(?:允许)?(?:误差|偏差|公差)\s*(?:[:：为])?\s*)?"
                                 r"(?:±|\+/?-|正负)\s*(\d{1,2}(?:\.\d{1,2})?)\s*%")


def _fill_tolerance(amount: float, table: dict[str, Any]) -> float | None:
    """The relative fill tolerance of a dry-powder unit of `amount` kg (facts: <=1, 1-3, >3)."""
    for band, tol in table.items():
        band = str(band)
        if band.startswith("<=") and amount <= float(band[2:]):
            return float(tol)
        if band.startswith(">") and amount > float(band[1:]):
            return float(tol)
        if "-" in band:
            lo, hi = (float(x) for x in band.split("-"))
            if lo < amount <= hi:
                return float(tol)
    return None


def _fill_of(fill: float, code: dict[str, Any], cfg: dict[str, Any]) -> bool:
    """Whether `fill` (kg or L) is a fill of the unit `code` names: its amount off by at most `tolerance_kg`, or, for a
    hand-held dry-powder unit of a size of the series (nominal_sizes.dry_powder), nearer that size than any other size
    of the series (MFZ/ABC4 with 充装量 3.6kg: a 4 kg unit short-filled, the fill tolerance's; with 3kg: another size,
    a contradiction) -- specs.yaml extinguisher.fill_band, a switch (the series is unverified)."""
    amount = float(code["amount"])
    if abs(fill - amount) <= float(cfg.get("tolerance_kg", 0.25)) + 1e-9:
        return True
    sizes = cfg.get("nominal_sizes") or {}
    if not ((cfg.get("fill_band") or {}).get("enforce") and sizes.get("enforce")) \
            or code.get("agent") != "dry_powder" or code.get("wheeled"):
        return False
    series = sorted(float(x) for x in sizes.get("dry_powder") or ())
    if amount not in series:
        return False
    i = series.index(amount)
    lo = (amount + series[i - 1]) / 2 if i else amount
    hi = (amount + series[i + 1]) / 2 if i + 1 < len(series) else amount
    return lo < fill < hi


def _extinguisher_fill(text: str, codes: list[dict[str, Any]], cfg: dict[str, Any]) -> list[Finding]:
    """substandard_spec when a dry-powder unit's stated fill differs from its code's nominal amount by more
    than the fill tolerance (<=1 kg ±5%, 1-3 kg ±3%, >3 kg ±2%; domain.md, finance.sina.cn/2023-11-07/
    detail-imztufqw6642786.d.html): MFZ/ABC4 with 实际充装 3.8kg is 5% short; or whose declared fill tolerance
    (充装误差±5%, 充装量 4kg±5%, 1kg（误差±8%）) is wider than its size's."""
    rule = cfg.get("fill", {})
    if not rule.get("enforce") or len({(c["agent"], c["amount"]) for c in codes}) != 1:
        return []
    code = codes[0]
    if code["agent"] != "dry_powder" or code.get("wheeled"):
        return []
    tol = _fill_tolerance(code["amount"], cfg.get("fill_tolerance", {}))
    if tol is None:
        return []
    norm = _normal(text)
    for m in [*_FILL_PCT_RE.finditer(norm), *_FILL_AMOUNT_PCT_RE.finditer(norm), *_FILL_WITHIN_RE.finditer(norm)]:
        # the seller's own declared fill tolerance (充装误差±5%): wider than the standard's for the size
        pct = float(m.group(1))
        if pct / 100.0 > tol + 1e-9:
            return [finding("substandard_spec", f"型号 {code['code']} 的充装量允许误差为 ±{tol * 100:g}%，"
                            f"商品却标称充装误差 ±{pct:g}%（超出标准允许范围）{_by(rule)}", text, m.group(0))]
    for m in _FILL_KG_RE.finditer(_normal(text)):
        fill = float(m.group(1))
        off = abs(fill - code["amount"]) / code["amount"]
        # a fill far off the code is the contradiction rule's (MFZ/ABC4 with 2 kg), not a tolerance
        if tol + 1e-9 < off and _fill_of(fill, code, cfg):
            return [finding("substandard_spec", f"型号 {code['code']} 的充装量应为 {code['amount']:g} 千克 ±{tol * 100:g}%，"
                            f"商品却标称充装 {fill:g} 千克（偏差 {off * 100:.1f}%）{_by(rule)}", text, m.group(0))]
    return []


_NO_HOSE_RE = re.compile(r"无(?:喷射)?(?:软)?管(?:设计|款|式|型|结构)|无管直喷|无(?:喷射)?喷管|不带喷管|无(?:喷射)?软管|不带(?:喷射)?软管|没有(?:喷射)?软管|免软管|(?:喷射)?软管\s*[:：]?\s*无(?![a-z\u4e00-\u9fff])")
# the discharge hose's length in any unit of length (软管长度 300mm, 喷管长30cm, 喷射软管：0.3米; (heldout18, opened)
# 公分, and a seller's reply to a question naming the hose: 问：喷管多长？答：30公分)
_HOSE_MM_RE = re.compile(r"(?:软管|喷管|喷射管)(?:(?:长度?|长)?\s*[:：为约]?|[^答\d\n，,。;；]{0,6}?[?？]?\s*答\s*[:：]\s*+"
                         r"[^\d，,。;；!！?？\n]{0,4}?)\s*(\d{1,4}(?:\.\d{1,2})?)\s*(mm|毫米|cm|厘米|公分|m(?![a-z])|米)")
_HOSE_UNIT_MM = {"mm": 1, "毫米": 1, "cm": 10, "厘米": 10, "公分": 10, "m": 1000, "米": 1000}


_WHEELED_WORDS = ("推车", "手推", "车推")


def _stated_unit(text: str, specs: dict[str, Any]) -> list[dict[str, Any]]:
    """A hand-held unit described by its mass alone (手提式干粉灭火器5kg, 充装量：5公斤), as a code-like
    entry for the rules that need only its size: one stated mass in kg, no wheeled unit named."""
    weights = set(specs.get("weights_kg") or [])
    if len(weights) != 1 or any(w in text for w in _WHEELED_WORDS):
        return []
    w = weights.pop()
    return [{"code": f"{w:g}kg", "agent": "dry_powder", "structure": "", "feature": "", "amount": w,
             "unit": "kg", "wheeled": False, "stated_only": True}]


def _extinguisher_hose(text: str, codes: list[dict[str, Any]], cfg: dict[str, Any]) -> list[Finding]:
    """substandard_spec when a hand-held unit of 4 kg or more has no discharge hose or a short one
    (its size from its model code, else from the one mass the text states)."""
    if not cfg.get("enforce") or len({c["amount"] for c in codes}) != 1 or codes[0].get("wheeled") \
            or codes[0]["unit"] != "kg" or codes[0]["amount"] < float(cfg.get("from_kg", 4)):
        return []
    norm = _normal(text)
    if "管" not in norm:
        return []
    m = _NO_HOSE_RE.search(norm)
    if m:
        what = f"{codes[0]['amount']:g} 千克的灭火器" if codes[0].get("stated_only") else f"型号 {codes[0]['code']}"
        return [finding("substandard_spec", f"{what}应有喷射软管，商品却称“{m.group(0)}”{_by(cfg)}",
                        text, m.group(0))]
    for m in _HOSE_MM_RE.finditer(norm):
        mm = float(m.group(1)) * _HOSE_UNIT_MM[m.group(2)]
        if 0 < mm < int(cfg.get("min_mm", 400)):
            return [finding("substandard_spec", f"喷射软管 {mm:g} 毫米，短于 {cfg.get('min_mm', 400)} 毫米{_by(cfg)}",
                            text, m.group(0))]
    return []


# 灭火级别 2A/55B, 2A 55B, 55B (B only: CO2 and BC powder)
# (the lookbehind after the first digit: the engine skips ahead to a digit; test_regex_rewrites.py)
_RATING_PAIR_RE = re.compile(r"(\d(?<![\d.a-z]\d)\d?)\s*a\s*[/、,， +]?\s*(\d{1,3})\s*b(?![a-z])")
_RATING_B_RE = re.compile(r"(?:灭火级别|灭火等级|灭火能力|级别)\s*[:：为]?\s*(\d{1,3})\s*b(?![a-z])")


def _extinguisher_rating(text: str, codes: list[dict[str, Any]], cfg: dict[str, Any]) -> list[Finding]:
    """A finding when the stated fire rating is below the least rating of the listing's one size
    (the rating of a smaller unit: 2A/55B on MFZ/ABC8): substandard_spec, a rating below the
    standard's minimum for the size, or spec_mismatch where the facts' `reason` says so."""
    if not cfg.get("enforce") or len({(c["agent"], c["feature"], c["amount"]) for c in codes}) != 1:
        return []
    code = codes[0]
    if code.get("wheeled"):
        return []
    table = {"dry_powder": cfg.get("dry_powder_abc" if "A" in code["feature"] else "dry_powder_bc", {}),
             "co2": cfg.get("co2", {}), "foam": cfg.get("foam", {})}.get(code["agent"], {})
    least = next((v for k, v in table.items() if float(k) == code["amount"]), None)
    if not least:
        return []
    norm = _normal(text)
    if "b" not in norm:
        return []  # every rating has a B figure (2A/55B, 21B)
    stated = [(int(a), int(b), m.group(0)) for m in _RATING_PAIR_RE.finditer(norm) for a, b in [m.groups()]]
    stated += [(None, int(m.group(1)), m.group(0)) for m in _RATING_B_RE.finditer(norm)]
    for a, b, needle in stated:
        low_a = a is not None and least[0] and a < least[0]
        if low_a or b < least[1]:
            want = (f"{least[0]}A/" if least[0] else "") + f"{least[1]}B"
            shown = needle.split('级别')[-1].strip(' :：为').upper()
            reason = cfg.get("reason", "substandard_spec")
            found = [finding(reason, f"型号 {code['code']} 的灭火级别应不低于 {want}，商品却标称 {shown}{_by(cfg)}", text, needle)]
            if cfg.get("also_mismatch") and reason != "spec_mismatch":
                found.append(finding("spec_mismatch", f"型号 {code['code']} 表示 {code['amount']:g} "
                                     f"{UNITS.get(code['unit'], code['unit'])}，标称的灭火级别 {shown} 却是更小规格的级别"
                                     f"{_by(cfg)}", text, needle))
            return found
        # a rating of a unit at least twice its size (144B, the 8 kg rating, on MFZ/ABC4): the rating
        # belongs to another size, so the listing contradicts its own code
        bigger = [(float(k), v) for k, v in table.items() if float(k) >= 2 * code["amount"] and v[1] > least[1]]
        if b > least[1] and bigger and b >= min(v[1] for _, v in bigger):
            size, rating = min(bigger, key=lambda x: x[0])
            return [finding("spec_mismatch", f"型号 {code['code']} 表示 {code['amount']:g} {UNITS.get(code['unit'], code['unit'])}，"
                            f"标称的灭火级别 {needle.split('级别')[-1].strip(' :：为').upper()} 却是 {size:g} "
                            f"{UNITS.get(code['unit'], code['unit'])}及以上规格的级别（{_by(cfg).strip('（）')}）", text, needle)]
    return []


def larger_size_rating(text: str, codes: list[dict[str, Any]], facts: dict[str, Any]) -> list[Finding]:
    """spec_mismatch when a field other than the code's (a description, a seller's reply) states the fire rating of a
    unit at least twice the size of the listing's one code (MFZ/ABC1 in the title, 灭火级别：2A/55B below): the
    rating belongs to another size. A rating below the code's size is the joined fields' substandard_spec instead."""
    found = _extinguisher_rating(text, codes, facts["extinguisher"].get("ratings", {})) if codes else []
    return found if found and all(f.code == "spec_mismatch" for f in found) else []


# an oxygen floor the goods are said to work down to: 氧含量≥12%, 氧气浓度12%以上, 氧含量在百分之十二以上 (a least, not a
# warning below one: 氧气低于17%不能用 states no floor of use)
_OXYGEN_FLOOR_RE = re.compile(r"氧(?:气)?(?:含量|浓度)\s*[:：]?\s*(?:在|为|(?P<to>到|低到|降到))?\s*(?:[≥>＞]=?|不低于|大于|高于)?\s*"
                              r"(?:(\d{1,2}(?:\.\d)?)\s*%|百分之\s*(?:(\d{1,2}(?:\.\d)?)|([一二两三四五六七八九十]{1,3})))"
                              r"(?=\s*(?:以上|及以上|都|就|即|也|$|[，,。；;）)\s]))")
_CO_RE = re.compile(r"(?:co|一氧化碳)\s*(?:透过量|透过浓度|泄漏量|渗透量|透过|防护)?[^\d，,。;；]{0,8}?(\d{2,4})\s*(?:ml/m[³3]|ppm)")


def respirator_over(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> Finding | None:
    """substandard_spec when a text stating no TZL code claims a protection time above the longest rating
    (防护时间 60分钟): no rating of GB 21976.7-2012 (spec_yields.py leaves it to the code another field states)."""
    allowed = set(facts["respirator"]["rated_minutes"])
    if specs.get("tzl_minutes"):
        return None
    over = [m for m in specs.get("protection_minutes", []) if max(allowed) < m <= 180]
    if not over:
        return None
    return finding("substandard_spec", f"声称防护 {_fmt(over[0])} 分钟，超出标准规定的额定防护时间 "
                   f"{_seq(sorted(allowed))} 分钟{_by(facts['respirator'])}", text,
                   _duration_needle(specs, "protection_texts", over[0]))


# words in a clause that make a product named in it another one (不能替代消防员的空气呼吸器, 和隔绝式的不一样)
# (session 39 review) a price set against it names the other kind too (隔绝式的要贵好几倍)
_OTHER_GOODS_CLAUSE_RE = re.compile(r"替代|代替|不是|并非|不像|区别|不一样|不同|比|相比|不能当|(?:要|更|还|太)贵|贵(?:好|很|不少|几|一)")


def _other_goods_clause(text: str, word: str) -> bool:
    """Whether every place `word` stands in `text` is a clause naming other goods (不能替代消防员的空气呼吸器)."""
    norm = _normal(text)
    w = normalize(word)
    spans = [m.span() for m in re.finditer(re.escape(w), norm)]
    return bool(spans) and all(_OTHER_GOODS_CLAUSE_RE.search(clause_around(norm, a, b)) for a, b in spans)


def _respirator(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    allowed = set(facts["respirator"]["rated_minutes"])
    found: list[Finding] = []
    tzl = specs.get("tzl_minutes", [])
    for minutes in tzl:
        if minutes not in allowed:
            found.append(finding("substandard_spec", f"型号 TZL{minutes} 的防护时间不是标准规定的 "
                                 f"{_seq(sorted(allowed))} 分钟之一", text, f"tzl{minutes}"))
            break
    said = (specs.get("word_values") or {}).get("respirator_type", {})
    if tzl and "self_contained" in said and "filtering" not in said and not _other_goods_clause(text, said["self_contained"]):
        # (heldout22, opened) a TZL code is GB 21976.7's filter respirator's (domain.md); one called self-contained
        # (隔绝式, 自带氧源) is two kinds at once. Both kinds named is the word family's own contradiction
        found.append(finding("spec_mismatch", f"型号 TZL{tzl[0]} 是过滤式消防自救呼吸器（GB 21976.7-2012）的型号，"
                             f"商品却称“{said['self_contained']}”（隔绝式，自带氧源）", text, said["self_contained"]))
    stated = specs.get("protection_minutes") or [m for m in specs.get("stated_minutes", []) if m >= 10]
    by = _by(facts["respirator"])
    if len(set(tzl)) == 1 and stated and tzl[0] in allowed and tzl[0] not in stated:
        # the code and the written time contradict each other (TZL30, 防护时间15分钟 or 60分钟)
        found.append(finding("spec_mismatch", f"型号 TZL{tzl[0]} 表示额定防护 {tzl[0]} 分钟，商品却标称 {_fmt(stated[0])} 分钟"
                             f"{by}", text, _duration_needle(specs, "protection_texts", stated[0])))
    elif not tzl:
        protect = specs.get("protection_minutes", [])
        over = respirator_over(text, specs, facts)
        short = [m for m in protect if 0 < m < min(allowed)]
        if over:
            found.append(over)
        elif short:
            found.append(finding("substandard_spec", f"标称防护 {_fmt(short[0])} 分钟，短于标准最短的额定防护时间 "
                                 f"{min(allowed)} 分钟{by}", text, _duration_needle(specs, "protection_texts", short[0])))
    co_max = facts["respirator"].get("max_co_ml_m3")
    if co_max:
        for m in _CO_RE.finditer(_normal(text)):
            if int(m.group(1)) > int(co_max):
                found.append(finding("substandard_spec", f"一氧化碳透过量 {m.group(1)} mL/m³，超过标准规定的 "
                                     f"{co_max} mL/m³（依据 GB 21976.7-2012 一氧化碳透过量）", text, m.group(0)))
                break
    oxygen = facts["respirator"].get("oxygen_deficient", {})
    if oxygen.get("enforce"):
        norm = _normal(without_questions(text, keep_affirmed=True))  # a buyer asking (问：能用在缺氧的地方吗？) claims no use
        for word in oxygen.get("words", []):
            at = norm.find(normalize(word))
            if at >= 0 and not _NEGATED_CLAIM.search(norm[max(0, at - 6):at]) \
                    and not _DENIED_AFTER.match(norm, at + len(normalize(word))):
                found.append(finding("substandard_spec", f"过滤式自救呼吸器只能用于氧气浓度不低于 "
                                     f"{oxygen.get('min_oxygen_pct', 17)}% 的环境，商品却称可用于“{word}”", text, word))
                break
        least = float(oxygen.get("min_oxygen_pct", 17))
        for m in _OXYGEN_FLOOR_RE.finditer(norm) if "氧" in norm else ():
            value = float(m.group(2) or m.group(3) or cn_value(m.group(4)) or 0)
            if m.group("to") and not re.match(r"\s*(?:以上)?\s*(?:都|也)", norm[m.end():]):
                continue  # (session 39 review) 到 a level only as one it still works at (氧含量到百分之十五都能用), not a warning
            if 0 < value < least and not found:
                # (heldout22, opened) a usable oxygen floor below the standard's (氧含量≥12%, 氧含量在百分之十二以上都能用)
                found.append(finding("substandard_spec", f"过滤式自救呼吸器只能用于氧气浓度不低于 {least:g}% 的环境，"
                                     f"商品却称氧含量 {value:g}% 即可使用", text, m.group(0)))
                break
    return found


def _grade_hours(text: str, specs: dict[str, Any], facts: dict[str, Any], family: str,
                 stated_hours_apply: bool = False) -> list[Finding]:
    grade_hours = facts["fire_door"]["grade_hours"]
    found: list[Finding] = []
    grades = [g for g in specs.get("door_grades", []) if g in grade_hours]
    hours = set(specs.get("rating_hours", [])) | set(specs.get("stated_hours", []))
    if family == "fire_glass":
        hours |= {g["hours"] for g in specs.get("fire_glass", [])}
    classes = {float(x) for x in facts[family].get("hours", facts["fire_door"]["hours"])}
    in_class = [x for x in hours if any(abs(x - c) < 1e-6 for c in classes)]
    if len(grades) == 1 and hours and not any(abs(grade_hours[grades[0]] - h) < 1e-6 for h in hours) \
            and (in_class or min(hours) < grade_hours[grades[0]]):
        # a longer time that is no class of the standard (丙级 A0.75, 特甲级 A2.50, 1.2 小时 "比乙级好") does
        # not take the grade back: the classes rule reports it; a shorter one (乙级 A0.80) falls short of it
        h = sorted(in_class)[0] if in_class else min(hours)
        coded = set(specs.get("rating_hours", [])) | ({g["hours"] for g in specs.get("fire_glass", [])}
                                                      if family == "fire_glass" else set())
        written = [x for x in specs.get("stated_hours", []) if x < grade_hours[grades[0]]]
        if written and not coded:
            # a time written out below the grade it claims: the product is below its class, and
            # the grade word and the time contradict each other (甲级 with 耐火时间1.0小时)
            found.append(finding("substandard_spec", f"标称耐火 {min(written):.2f} 小时，低于{grades[0]}要求的 "
                                 f"{grade_hours[grades[0]]:.2f} 小时{_by(facts['fire_door'])}", text, grades[0]))
            if facts["fire_door"].get("lower_time_also_mismatch"):
                found.append(finding("spec_mismatch", f"{grades[0]}表示耐火 {grade_hours[grades[0]]:.2f} 小时，"
                                     f"商品却标称 {min(written):.2f} 小时{_by(facts['fire_door'])}", text, grades[0]))
        else:  # a rating code (A0.50, a class of its own) or a longer time: the grade word contradicts it
            found.append(finding("spec_mismatch", f"{grades[0]}表示耐火 {grade_hours[grades[0]]:.2f} 小时，"
                                 f"商品却标称 {h:.2f} 小时", text, grades[0]))
    if family == "fire_door":
        allowed = set(facts["fire_door"]["hours"])
        for h in specs.get("rating_hours", []):
            if h not in allowed:
                found.append(finding("substandard_spec", f"耐火极限 A{h:.2f} 不是防火门的标准等级"
                                     f"（A{'、A'.join(f'{x:.2f}' for x in sorted(allowed))}）", text, f"a{h:.2f}"))
                break
    if stated_hours_apply and not any(f.code == "substandard_spec" for f in found):
        # a fire-resistance time written out (耐火时间 0.6 小时; 4 小时, above the standard's highest class,
        # real_voice7) that is no class of the standard
        allowed = set(facts[family]["hours"])
        for h in specs.get("stated_hours", []):
            if 0 < h <= 24 and not any(abs(h - a) < 1e-6 for a in allowed):
                found.append(finding("substandard_spec", f"耐火时间 {h:g} 小时不是{category_name(family)}的标准耐火等级"
                                     f"（{_seq(sorted(allowed))} 小时）{_by(facts[family])}", text,
                                     _duration_needle(specs, "stated_hours_texts", h)))
                break
    return found


# a door opening written out in millimetres: 1000*2100, 1000×2100mm, 宽1000 高2100 is not read
_DOOR_SIZE_RE = re.compile(r"(?<![\d.])(\d{3,4})\s*(?:mm|毫米)?\s*[*×x]\s*(\d{4})(?![\d.])")
_DOOR_CODE_SIZE_RE = re.compile(r"^(?:GMFM|GFM|MFM|BFM)\s*-?\s*(\d{2})(\d{2})")


def _door_size(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """spec_mismatch when a fire door's code gives one opening (GFM-1221: 1200 mm wide, 2100 mm high, in
    decimetres) and the listing writes another (1000*2100) -- by more than the tolerance in either side."""
    cfg = facts.get("fire_door", {}).get("code_size", {})
    if not cfg.get("enforce"):
        return []
    norm = _normal(text)
    if any(w in norm for w in cfg.get("skip_words", [])):
        return []  # a door made to any size (可定做) states no one opening
    coded = {}
    for c in specs.get("door_codes", []):
        m = _DOOR_CODE_SIZE_RE.match(c)
        if m:
            coded[(int(m.group(1)) * 100, int(m.group(2)) * 100)] = c
    sizes = {(int(a), int(b)) for a, b in _DOOR_SIZE_RE.findall(norm) if 400 <= int(a) <= 4000 and 1200 <= int(b) <= 4500}
    if len(coded) != 1 or len(sizes) != 1:
        return []
    (w, h), code = next(iter(coded.items()))
    sw, sh = next(iter(sizes))
    tol = float(cfg.get("tolerance_mm", 100))
    if abs(sw - w) > tol or abs(sh - h) > tol:
        return [finding("spec_mismatch", f"型号 {code} 表示洞口宽 {w} 毫米、高 {h} 毫米，商品却标称 {sw}×{sh}{_by(cfg)}",
                        text, code)]
    return []


# a class letter written as such: B类, 耐火性能 B类, 部分隔热 (the B of the 2001 edition), FFB-19-B1.00
_GLASS_CLASS_RE = re.compile(r"(?<![a-z0-9])([abc])\s*类|(?<=-)([b])\s*[0-3]\.\d{1,2}(?!\d)")


def _ordinary_glass(text: str, norm: str, specs: dict[str, Any], cfg: dict[str, Any]) -> Finding | None:
    """specs.yaml fire_glass.ordinary_glass: the glass named ordinary right after a cue (就是普通钢化玻璃) in a text
    stating a fire-glass class (A类, 隔热型, a glass code)."""
    if not cfg.get("enforce") or "普通" not in norm:
        return None
    m = _GLASS_CLASS_RE.search(norm)
    stated = (m.group(0) if m and (m.group(1) or m.group(2)) else None) or next(
        (g["code"] for g in specs.get("fire_glass", [])), None) or ("隔热型" if re.search(r"(?<!非)隔热型", norm) else None)
    if stated is None:
        return None
    cues = tuple(normalize(str(c)) for c in cfg.get("cues") or ())
    skip = tuple(normalize(str(w)) for w in cfg.get("skip_clause_words") or ())
    for word in cfg.get("words") or ():
        w = normalize(str(word))
        for hit in re.finditer(re.escape(w), norm):
            before = norm[max(0, hit.start() - 8):hit.start()].rstrip(" :：")
            if not before.endswith(cues):
                continue
            if skip and any(s in clause_around(norm, hit.start(), hit.end()) for s in skip):
                continue
            return finding("spec_mismatch", f"商品自称是“{word}”，却标称防火玻璃“{stated.upper()}”：普通玻璃没有防火玻璃的"
                           f"耐火性能分级{_by({'rule': 'GB 15763.1-2009 耐火性能分级'})}", text, w)
    return None


def _glass(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts["fire_glass"]
    allowed = set(cfg["hours"])
    found: list[Finding] = []
    norm = _normal(text)
    for g in specs.get("fire_glass", []):
        if g["hours"] not in allowed:
            found.append(finding("substandard_spec", f"型号 {g['code']} 的耐火时间不是标准规定的 "
                                 f"{_seq(sorted(allowed))} 小时之一", text, g["code"]))
            break
    if cfg.get("enforce_classes"):
        m = _GLASS_CLASS_RE.search(norm)
        letter = (m.group(1) or m.group(2)).upper() if m else None
        if letter and letter not in cfg.get("classes", ["A", "C"]):
            found.append(finding("substandard_spec", f"防火玻璃没有 {letter} 类：标准只分 "
                                 f"{'、'.join(c + '类' for c in cfg.get('classes', ['A', 'C']))}{_by(cfg)}", text, m.group(0)))
    ordinary = _ordinary_glass(text, norm, specs, cfg.get("ordinary_glass") or {})
    if ordinary:
        found.append(ordinary)
    glass = _distinct(specs.get("fire_glass", []))
    if len(glass) == 1:
        g = glass[0]
        insulating = g["class"] in cfg.get("insulating_classes", ["A"])
        if insulating and "非隔热" in norm:
            found.append(finding("spec_mismatch", f"型号 {g['code']} 为 {g['class']} 类（隔热型），商品却写“非隔热”",
                                 text, "非隔热"))
        elif not insulating and re.search(r"(?<!非)隔热型", norm):
            found.append(finding("spec_mismatch", f"型号 {g['code']} 为 {g['class']} 类（非隔热型），商品却写“隔热型”",
                                 text, "隔热型"))
        stated_h = set(specs.get("stated_hours", []))
        if stated_h and g["hours"] not in stated_h:
            found.append(finding("spec_mismatch", f"型号 {g['code']} 表示耐火 {g['hours']:.2f} 小时，"
                                 f"商品却标称 {sorted(stated_h)[0]:g} 小时", text, g["code"]))
        mm = set(specs.get("glass_thickness_mm", []))
        if len(mm) == 1 and "+" not in norm and float(g["thickness_mm"]) not in mm:
            found.append(finding("spec_mismatch", f"型号 {g['code']} 表示厚度 {g['thickness_mm']} 毫米，"
                                 f"商品却标称 {next(iter(mm)):g} 毫米", text, g["code"]))
    return found


# a shutter's fire-resistance class (耐火等级：F3, F2级, 类别 FY2): the class word before or 级 after it
_SHUTTER_CLASS_RE = re.compile(r"(?:(?:耐火|防火)?(?:等级|级别|类别|分级)\s*[:：为]?\s*(f[yq]?)\s*(\d{1,2})(?![\d.a-z])"
                               r"|(?<![a-z0-9])(f[yq]?)\s*(\d{1,2})\s*(?=级))")


def _shutter_class(text: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec for a shutter class the standards do not have (F5级: the classes are F1-F4)."""
    cfg = (facts.get("fire_shutter") or {}).get("classes") or {}
    if not cfg.get("enforce"):
        return []
    top = int(cfg.get("max_number", 4))
    for m in _SHUTTER_CLASS_RE.finditer(_normal(text)):
        letters, number = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
        if not 1 <= int(number) <= top:
            return [finding("substandard_spec", f"防火卷帘没有“{letters.upper()}{number}”这一耐火等级（只有 "
                            f"{letters.upper()}1–{letters.upper()}{top} 与特级）{_by(cfg)}", text, m.group(0).strip())]
    return []


def _shutter(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts.get("fire_shutter", {})
    found = _shutter_class(text, facts)
    if found:
        return found
    hours = set(specs.get("stated_hours", []))
    if not cfg.get("enforce") or not hours:
        return []
    low = min(hours)
    needle = _duration_needle(specs, "stated_hours_texts", low)
    if "特级" in specs.get("door_grades", []) and low < float(cfg.get("special_grade_min_hours", 3.0)):
        return [finding("substandard_spec", f"特级防火卷帘耐火不少于 {cfg['special_grade_min_hours']:g} 小时，"
                        f"商品却标称 {low:g} 小时（低于其等级）{_by(cfg)}", text, "特级")] + \
            ([finding("spec_mismatch", f"特级表示耐火不少于 {cfg['special_grade_min_hours']:g} 小时，"
                      f"商品却标称 {low:g} 小时{_by(cfg)}", text, "特级")]
             if facts["fire_door"].get("lower_time_also_mismatch") else [])
    least = cfg.get("min_hours")
    if least and low < float(least):
        return [finding("substandard_spec", f"防火卷帘的耐火极限最低一级为 {float(least):g} 小时，商品却标称 {low:g} 小时"
                        f"{_by(cfg)}", text, needle)]
    return []


_RTI_RE = re.compile(r"rti\s*[:：=]?\s*(\d{2,3}(?:\.\d)?)")
_RATED_TEMP_RE = re.compile(r"(?:公称动作温度|额定动作温度|动作温度|启动温度|爆破温度|破裂温度|玻璃球温度|感温温度|额定温度|温度等级|温级)\s*[:：]?\s*(\d{2,3})\s*(?:℃|°c|度)")




def _sprinkler(text: str, specs: dict[str, Any], facts: dict[str, Any], colours_apply: bool) -> list[Finding]:
    cfg = facts["sprinkler"]
    bulbs = {int(k): v for k, v in cfg["bulb_colours"].items()}
    found: list[Finding] = []
    heads = specs.get("sprinklers", [])
    code_temps = {s["temperature_c"] for s in heads if s["temperature_c"]}
    # rated temperatures only: a working or ambient range (使用环境温度 4~70℃) is no rating
    series = {int(t) for t in cfg.get("rated_temperatures", {}).get("values", [])}
    temps = {t for t in specs.get("temperatures_c", []) if t in series or t in code_temps}
    if len(code_temps) == 1 and len(temps) > 1:
        other = sorted(temps - code_temps)[0]
        found.append(finding("spec_mismatch", f"型号 {heads[0]['code']} 表示公称动作温度 {next(iter(code_temps))}℃，"
                             f"商品却标称 {other}℃", text, heads[0]["code"]))
    if colours_apply:
        rated = {t for t in temps if t in bulbs}
        colours = set(specs.get("colours", []))
        if len(rated) == 1 and len(colours) == 1:
            t, c = rated.pop(), colours.pop()
            if bulbs[t] != c:
                found.append(finding("spec_mismatch", f"{t}℃ 玻璃球应为{bulbs[t]}色，商品却写{c}色", text, c))
    series = cfg.get("rated_temperatures", {})
    if colours_apply and series.get("enforce") and not any(w in text for w in series.get("skip_words", [])):
        rated = [(s["temperature_c"], s["code"]) for s in heads if s["temperature_c"]]
        rated += [(int(m.group(1)), m.group(0)) for m in _RATED_TEMP_RE.finditer(_normal(text))]
        allowed = {int(t) for t in series.get("values", [])}
        for t, needle in rated:
            if t not in allowed:
                found.append(finding("substandard_spec", f"公称动作温度 {t}℃ 不是玻璃球洒水喷头的标准温级"
                                     f"（{_seq(sorted(allowed))}℃）", text, needle))
                break
    kinds = {s["type"] for s in heads if s["type"] in _MOUNTING_WORDS}
    said = set(mountings_said(_normal(text)))
    if len(kinds) == 1 and len(said) == 1 and kinds != said:
        head = next(s for s in heads if s["type"] in kinds)
        found.append(finding("spec_mismatch", f"型号 {head['code']} 为{_MOUNTING_WORDS[head['type']]}喷头，商品却写"
                             f"{_MOUNTING_WORDS[next(iter(said))]}（GB 5135.1-2019 ZSTZ 直立、ZSTX 下垂、ZSTB 边墙）",
                             text, head["code"]))
    rti = cfg.get("fast_response_rti", {})
    norm = _normal(text)
    if rti.get("enforce") and any(normalize(w) in norm for w in rti.get("words", [])):
        for m in _RTI_RE.finditer(norm):
            if float(m.group(1)) > float(rti["max"]):
                found.append(finding("substandard_spec", f"快速响应喷头的响应时间指数 RTI 应不大于 {rti['max']}，"
                                     f"商品却标称 RTI {m.group(1)}", text, m.group(0)))
                break
    coded = {s["bore_mm"] for s in heads if s["bore_mm"]}
    stated_dn = {d for d in specs.get("dn", []) if d in (10, 15, 20, 25)}
    if len(coded) == 1 and len(stated_dn) == 1 and coded != stated_dn \
            and not any(w in norm for w in ("转", "异径", "变径", "三通", "配管", "管径")):
        # the code's bore (ZSTZ15: 15 mm, GB 5135.1-2019) against a DN written out (DN20)
        head = next(s for s in heads if s["bore_mm"])
        found.append(finding("spec_mismatch", f"型号 {head['code']} 表示公称口径 {head['bore_mm']} 毫米，"
                             f"商品却标称 DN{next(iter(stated_dn))}（GB 5135.1-2019 型号中的公称口径）", text, head["code"]))
    bores = {s["bore_mm"] for s in heads if s["bore_mm"]} | {d for d in specs.get("dn", []) if d in (15, 20)}
    ks = set(specs.get("k_factors", []))
    bk = {int(k): int(v) for k, v in cfg.get("bore_k_factor", {}).items()}
    if len(bores) == 1 and len(ks) == 1:
        b, k = bores.pop(), ks.pop()
        if b in bk and abs(bk[b] - k) > int(cfg.get("k_tolerance", 10)):
            found.append(finding("spec_mismatch", f"DN{b} 喷头的流量系数约为 K{bk[b]}，商品却写 K{k}", text, f"k{k}"))
    return found


# a pressure the seller says the hose may be used at (适用压力 2.5MPa, 可接 2.5MPa 高压泵), not its own rating
_USE_PRESSURE_RE = re.compile(r"(?:适用|可用于|可接|用于|使用压力|适配)[^\d，,。;；]{0,8}?(\d(?:\.\d{1,2})?)\s*mpa")


def _hose(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts.get("fire_hose", {})
    found: list[Finding] = []
    hoses = _distinct(specs.get("hoses", []))
    if cfg.get("enforce"):
        for h in hoses:
            if h["pressure_class"] not in cfg["pressure_classes"]:
                found.append(finding("substandard_spec", f"型号 {h['code']} 的压力等级 {h['pressure_class']}"
                                     f"（{h['pressure_mpa']:g} MPa）不是标准规定的 {_seq(cfg['pressure_classes'])}"
                                     f"（×0.1 MPa）之一", text, h["code"]))
                break
        if not hoses:
            low = [p for p in specs.get("pressures_mpa", []) if p < min(cfg["pressure_classes"]) / 10.0]
            if low:
                found.append(finding("substandard_spec", f"工作压力 {low[0]:g} MPa 低于 "
                                     f"{min(cfg['pressure_classes']) / 10.0:g} MPa", text, _fmt(low[0]) + "mpa"))
    if len(hoses) == 1:
        h = hoses[0]
        lengths = set(specs.get("lengths_m", []))
        if lengths and leaves_to_measured(facts) and measured_findings(text, "fire_hose", specs, facts):
            # 长度实际18米 on 8-65-20: measured.py's substandard_spec, not a mismatch
            lengths -= {v for v in measured_values(text, "hose_length", facts) if v < h["length_m"]}
        if lengths and h["length_m"] not in lengths:
            found.append(finding("spec_mismatch", f"型号 {h['code']} 表示长度 {h['length_m']} 米，"
                                 f"商品却标称 {sorted(lengths)[0]} 米", text, h["code"]))
        dn = set(specs.get("dn", []))
        if dn and h["bore_mm"] not in dn:
            found.append(finding("spec_mismatch", f"型号 {h['code']} 表示口径 {h['bore_mm']} 毫米，"
                                 f"商品却标称 DN{sorted(dn)[0]}", text, h["code"]))
        # the working pressures parse_specs read (less burst, test and use pressures: 爆破压力 3.9MPa, 适用压力)
        press = set(specs.get("working_pressures_mpa") or ()) if specs.get("pressures_mpa") else set()
        use = {float(m.group(1)) for m in _USE_PRESSURE_RE.finditer(_normal(text))} if specs.get("pressures_mpa") else set()
        over = [p for p in use if p > h["pressure_mpa"] + 1e-6]
        press -= use
        if over and cfg.get("enforce"):
            # used above the code's rated working pressure (8 = 0.8 MPa) is beyond what it is made for
            found.append(finding("substandard_spec", f"型号 {h['code']} 的额定工作压力为 {h['pressure_mpa']:g} MPa，"
                                 f"商品却标称可用于 {max(over):g} MPa（GB 6246 压力等级）", text, h["code"]))
        elif press and not any(abs(p - h["pressure_mpa"]) < 1e-6 for p in press):
            found.append(finding("spec_mismatch", f"型号 {h['code']} 表示工作压力 {h['pressure_mpa']:g} MPa，"
                                 f"商品却标称 {sorted(press)[0]:g} MPa", text, h["code"]))
    return found


def _coupling(text: str, specs: dict[str, Any]) -> list[Finding]:
    couplings = specs.get("couplings", [])
    bores = {c["bore_mm"] for c in couplings}
    dn = set(specs.get("dn", []))
    if len(bores) == 1 and len(dn) == 1 and bores != dn and "转" not in text and "异径" not in text:
        c = couplings[0]
        return [finding("spec_mismatch", f"型号 {c['code']} 适配口径 {c['bore_mm']} 毫米的水带，"
                        f"商品却标称 DN{next(iter(dn))}", text, c["code"])]
    return []


def _hydrant(text: str, specs: dict[str, Any]) -> list[Finding]:
    bores = {h["bore_mm"] for h in specs.get("hydrants", [])}
    dn = set(specs.get("dn", []))
    if len(bores) == 1 and len(dn) == 1 and bores != dn:
        h = specs["hydrants"][0]
        return [finding("spec_mismatch", f"型号 {h['code']} 表示出水口 {h['bore_mm']} 毫米，"
                        f"商品却标称 DN{next(iter(dn))}", text, h["code"])]
    return []


def _pump(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts.get("fire_pump", {})
    pumps = _distinct(specs.get("pumps", []))
    if not cfg.get("enforce") or len(pumps) != 1:
        return []
    p = pumps[0]
    tol = float(cfg.get("pressure_tolerance", 0.15))
    press = specs.get("pressures_mpa", [])
    heads = [h / float(cfg.get("metres_per_mpa", 100)) for h in specs.get("head_m", [])]
    for stated, what in ((press, "MPa"), (heads, "MPa（按扬程换算）")):
        # the code's number read as 0.1 MPa or, as some sellers write it, as MPa: either agrees
        readings = (p["pressure_mpa"], p["pressure_mpa"] * 10)
        if stated and not any(abs(x - r) <= tol * r for x in stated for r in readings):
            return [finding("spec_mismatch", f"型号 {p['code']} 表示 {p['pressure_mpa']:g} MPa，"
                            f"商品却标称 {stated[0]:g} {what}", text, p["code"])]
    flows = set(specs.get("flows_lps", []))
    ftol = float(cfg.get("flow_tolerance", 0.15))
    if len(flows) == 1 and p.get("flow_lps") and abs(next(iter(flows)) - p["flow_lps"]) > ftol * p["flow_lps"]:
        # XBD<pressure>/<flow L/s>: the code's flow against the flow written out (XBD8.0/30, 流量20L/s)
        return [finding("spec_mismatch", f"型号 {p['code']} 表示流量 {p['flow_lps']:g} L/s，商品却标称 "
                        f"{next(iter(flows)):g} L/s", text, p["code"])]
    power = cfg.get("power", {})
    kws = set(specs.get("powers_kw", []))
    if power.get("enforce") and len(kws) == 1 and p.get("flow_lps"):
        # hydraulic power = pressure (MPa) x flow (L/s) in kW; the motor cannot give less, and one many
        # times larger is another pump's (XBD5/10 is about 5 kW at the shaft, not 90 kW)
        stated_mpa = set(press) or {h / float(cfg.get("metres_per_mpa", 100)) for h in specs.get("head_m", [])}
        mpa = next(iter(stated_mpa)) if len(stated_mpa) == 1 else 0.0
        flow = next(iter(flows)) if len(flows) == 1 else p["flow_lps"]
        hydraulic, kw = mpa * flow, next(iter(kws))
        if mpa and hydraulic >= float(power.get("min_hydraulic_kw", 3)) and (
                kw < hydraulic * float(power.get("min_ratio", 1.0)) or kw > hydraulic * float(power.get("max_ratio", 6))):
            return [finding("spec_mismatch", f"{mpa:g} MPa×{flow:g} L/s 的水力功率约 {hydraulic:.1f} kW，"
                            f"商品却标称电机功率 {kw:g} kW（功率与压力、流量不相符）{_by(power)}", text, p["code"])]
    return []


_STORAGE_RE = re.compile(r"(?:储存压力|贮存压力|充装压力|储压|工作压力)\s*[:：]?\s*(\d{1,2}(?:\.\d{1,2})?)\s*mpa")


def _gas_pressure(text: str, facts: dict[str, Any]) -> list[Finding]:
    cfg = facts.get("gas_suppression", {}).get("storage_pressures", {})
    if not cfg.get("enforce"):
        return []
    allowed = [float(x) for x in cfg.get("mpa", [])]
    norm = _normal(text)
    # HFC-227ea's series: judged where the text names that agent (a pressure alone in an attribute
    # is judged when the listing's fields are read together) and no other (IG541 at 15 MPa)
    if not any(w in norm for _, w in _normalized_words(tuple(cfg.get("agent_words", [])))) or \
            any(w in norm for _, w in _normalized_words(tuple(cfg.get("other_agent_words", [])))):
        return []
    for m in _STORAGE_RE.finditer(norm):
        p = float(m.group(1))
        if not any(abs(p - a) < 0.05 for a in allowed):
            return [finding("substandard_spec", f"七氟丙烷灭火装置的储存压力 {p:g} MPa 不是标准规定的 "
                            f"{_seq(allowed)} MPa 之一{_by(cfg)}", text, m.group(0))]
    return []


# (灭火剂密度1400kg/m³ is a density, not a fill: specs.NOT_PER_MEASURE)
_FILL_RE = re.compile(r"(?:充装量|灭火剂量|药剂量|装药量|充装|装药|药剂|灭火剂)[^\d，,。;；]{0,6}?(\d{1,4}(?:\.\d{1,2})?)\s*(?:kg|公斤|千克)"
                      + NOT_PER_MEASURE)


# a count of containers beside their volume: 90L×4, 90l*4瓶, 4瓶90L, 4个90升
_CONTAINER_COUNT_RE = re.compile(r"(?P<v1>\d{1,3}(?:\.\d)?)\s*(?:l|升)\s*[×x*]\s*(?P<n1>\d{1,2})(?![\d.])"
                                 r"|(?<![\d.])(?P<n2>\d{1,2})\s*(?:瓶|个|只|套)\s*(?P<v2>\d{1,3}(?:\.\d)?)\s*(?:l|升)(?![a-z])")


# a fill said of each container (每瓶, 单瓶, 每个)
_EACH_CONTAINER_RE = re.compile(r"(?:每|单)(?:瓶|个|只|套|具|罐)")


_DESIGN_RE = re.compile(r"设计浓度\s*[:：为]?\s*[≥>=]?\s*(\d{1,2}(?:\.\d{1,2})?)\s*%")


def _gas_design(text: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec when an HFC-227ea system states a design concentration below the least."""
    gas = facts.get("gas_suppression", {})
    cfg = gas.get("design_concentration", {})
    norm = _normal(text)
    if not cfg.get("enforce") or "设计浓度" not in norm:
        return []
    agents = gas.get("storage_pressures", {})
    if not any(w in norm for _, w in _normalized_words(tuple(agents.get("agent_words", [])))) or \
            any(w in norm for _, w in _normalized_words(tuple(agents.get("other_agent_words", [])))):
        return []
    for m in _DESIGN_RE.finditer(norm):
        if float(m.group(1)) < float(cfg["min_pct"]):
            return [finding("substandard_spec", f"七氟丙烷灭火设计浓度 {m.group(1)}%，低于 {cfg['min_pct']:g}%{_by(cfg)}",
                            text, m.group(0))]
    return []


def _gas_fill(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec when an HFC-227ea container holds more agent than its volume allows."""
    cfg = facts.get("gas_suppression", {}).get("fill_density", {})
    if not cfg.get("enforce"):
        return []
    norm = _normal(text)
    if not any(normalize(w) in norm for w in cfg.get("agent_words", [])):
        return []
    volumes = {float(c["volume_l"]) for c in specs.get("gas_cylinders", [])} or \
        {v for v in specs.get("volumes_l", []) if v >= 10}
    fills = {float(m.group(1)) for m in _FILL_RE.finditer(norm)}
    if len(volumes) != 1 or len(fills) != 1:
        return []
    volume, fill = volumes.pop(), fills.pop()
    limit = float(cfg["max_kg_per_l"])
    # (heldout21, opened) several containers (瓶组 90L×4, 4瓶90L): the fill may be all of theirs, the reading most
    # favourable to the seller
    # (not a fill said of each container: 每瓶充装120kg, 充装量：单瓶120kg)
    each = any(_EACH_CONTAINER_RE.search(norm, max(0, m.start() - 3), m.end()) for m in _FILL_RE.finditer(norm))
    counts = [int(m.group("n1") or m.group("n2")) for m in _CONTAINER_COUNT_RE.finditer(norm)
              if abs(float(m.group("v1") or m.group("v2")) - volume) < 1e-6] if not each else []
    n = max(counts, default=1)
    held = f"{n} 个 {volume:g} 升容器" if n > 1 else f"{volume:g} 升容器"
    volume *= n
    if fill > volume * limit + 1e-6:
        return [finding("substandard_spec", f"{held}充装七氟丙烷 {fill:g} 千克，充装密度 "
                        f"{fill / volume * 1000:.0f} kg/m³，超过 {limit * 1000:.0f} kg/m³{_by(cfg)}", text,
                        next(m.group(0) for m in _FILL_RE.finditer(norm)))]
    return []


def _gas(text: str, specs: dict[str, Any]) -> list[Finding]:
    cyl = specs.get("gas_cylinders", [])
    coded = {c["pressure_mpa"] for c in cyl if c["pressure_mpa"]}
    stated = {float(m.group(1)) for m in _STORAGE_RE.finditer(_normal(text))} if coded else set()
    if len(coded) == 1 and len(stated) == 1 and abs(next(iter(coded)) - next(iter(stated))) > 0.05:
        c = next(c for c in cyl if c["pressure_mpa"])
        return [finding("spec_mismatch", f"型号 {c['code']} 表示储存压力 {c['pressure_mpa']:g} MPa，"
                        f"商品却标称 {next(iter(stated)):g} MPa", text, c["code"])]
    vols = {v for v in specs.get("volumes_l", []) if v >= 10}
    if len({c["volume_l"] for c in cyl}) == 1 and len(vols) == 1 and float(cyl[0]["volume_l"]) not in vols:
        return [finding("spec_mismatch", f"型号 {cyl[0]['code']} 表示 {cyl[0]['volume_l']} 升的瓶组，"
                        f"商品却标称 {next(iter(vols)):g} 升", text, cyl[0]["code"])]
    return []




# 阻燃C类, 阻燃类别：A类, 阻燃等级 B 级 (GB/T 19666 bunched-cable categories)
_FLAME_CLASS_RE = re.compile(r"阻燃\s*+(?:(?:类别|等级|级别|类)\s*+)?(?:[:：]\s*+)?([abcd])\s*+(?:类|级)")
_CCA_RE = re.compile(r"铜包铝|铝包铜|铜包钢|cca(?![a-z])")


# several sizes on offer: 1.5/2.5/4/6平方, 1.5 2.5 4 6平方, 1.5、2.5、4平方
_SECTION_LIST_RE = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,2})?(?:(?:\s*+[/、,，]|\s)\s*+\d{1,3}(?:\.\d{1,2})?){2,}\s*(?:平方|mm²|mm2|㎟)")
# a flame-retardant class GB/T 19666-2019 does not have (ZE级, ZE-RVV): its classes are ZA-ZD
_NO_SUCH_FLAME_CLASS_RE = re.compile(r"(?<![a-z])(?:wd)?(z[ef])(?=\s*(?:级|类|-\s*[a-z]{2,}|阻燃))")


# the burning class named right after GB 31247's term (燃烧性能：A1级, 燃烧性能等级 B4): the class itself
_BURNING_NOTATION_RE = re.compile(r"燃烧性能(?:等级|分级|级别)?\s*+(?:[:：为达]\s*+)?([ab]\s*\d?)(?![\d.])\s*(?:级|类)?")


def _burning_notation(norm: str) -> tuple[str, str] | None:
    """(evidence, needle) when a cable's burning class, named after 燃烧性能, is no class of GB 31247-2014
    (A, B1, B2, B3; editions.yaml cable_burning): A1 or A2 is the building-material notation of GB 8624."""
    from .editions import load_editions
    cfg = load_editions().get("cable_burning") or {}
    classes = [str(c).lower() for c in cfg.get("classes", [])]
    if not classes:
        return None
    for m in _BURNING_NOTATION_RE.finditer(norm):
        cls = m.group(1).replace(" ", "")
        if cls[-1].isdigit() and cls not in classes:  # (a bare B is too loose a word to judge)
            return (f"{cfg.get('standard', 'GB 31247-2014')} 电缆燃烧性能等级只有 {'、'.join(cfg.get('classes', []))}，"
                    f"没有“{cls.upper()}”级", m.group(0).strip())
    return None


_FIRE_DENIED_RE = re.compile(r"(?:是否)?耐火(?:性能|功能)?\s*+(?:[:：]\s*+)?(?:否|无|不是|没有|不具备)(?![\u4e00-\u9fff])|非耐火|不耐火")
_FIRE_COMPARED_RE = re.compile(r"(?:比|不同于|区别于|优于|替代|代替|普通)\s*$")


def _cable(text: str, specs: dict[str, Any], facts: dict[str, Any], category: str = "") -> list[Finding]:
    cfg = facts.get("cable", {})
    norm = _normal(text)
    found: list[Finding] = []
    cables = specs.get("cables", [])
    # (a row denying it, 耐火：否, claims no fire resistance: a ZR cable's table may say so)
    if cables and "耐火" in norm and not any(c["fire_resistant"] for c in cables) \
            and not re.search(r"(非|不)耐火", norm) and "耐火" in _FIRE_DENIED_RE.sub(" ", norm):
        c = cables[0]
        found.append(finding("spec_mismatch", f"型号 {c['code']} 没有耐火标志（N/NH），商品却声称“耐火”",
                             text, c["code"]))
    # the reverse: a code with the fire-resistance mark (N-YJV, WDZN-YJY, NH-BV, BTTZ) and a row or words denying it
    # (是否耐火：否, 耐火：无, 非耐火); a comparison with other goods (比非耐火电缆) states nothing of this one
    denied = _FIRE_DENIED_RE.search(norm) if "耐火" in norm else None
    if denied and any(c["fire_resistant"] for c in cables) and not found \
            and not _FIRE_COMPARED_RE.search(norm, max(0, denied.start() - 6), denied.start()):
        c = next(c for c in cables if c["fire_resistant"])
        found.append(finding("spec_mismatch", f"型号 {c['code']} 带耐火标志（N/NH），商品却写“{denied.group(0).strip()}”",
                             text, denied.group(0).strip()))
    if cfg.get("enforce_voltage"):
        table = cfg.get("type_voltage", {})
        volts = set(specs.get("voltages", []))
        types = {table[c["type"]] for c in cables if c["type"] in table}
        if len(types) == 1 and len(volts) == 1 and types != volts:
            c = next(c for c in cables if c["type"] in table)
            found.append(finding("spec_mismatch", f"{c['type']} 为 {next(iter(types))} 结构，"
                                 f"商品却标称 {next(iter(volts))}", text, c["code"]))
    codes_cls = {c["flame_class"] for c in cables if c["flame_class"] in ("ZA", "ZB", "ZC", "ZD")}
    stated_cls = {m.group(1).upper() for m in _FLAME_CLASS_RE.finditer(norm)}
    if len(codes_cls) == 1 and len(stated_cls) == 1 and next(iter(codes_cls))[1] not in stated_cls:
        c = next(c for c in cables if c["flame_class"] in codes_cls)
        found.append(finding("spec_mismatch", f"型号 {c['code']} 表示阻燃 {c['flame_class'][1]} 类，商品却标称阻燃 "
                             f"{next(iter(stated_cls))} 类（GB/T 19666-2019 ZA/ZB/ZC/ZD）", text, c["code"]))
    bad_class = _NO_SUCH_FLAME_CLASS_RE.search(norm) if cfg.get("enforce_flame_classes") else None
    if bad_class:
        found.append(finding("substandard_spec", f"GB/T 19666-2019 的阻燃类别只有 "
                             f"{'、'.join(cfg.get('flame_classes', ['ZA', 'ZB', 'ZC', 'ZD']))}，没有“{bad_class.group(1).upper()}”",
                             text, bad_class.group(1)))
    burning = _burning_notation(norm) if cfg.get("enforce_burning_notation") else None
    if burning:
        found.append(finding("substandard_spec", burning[0], text, burning[1]))
    cca = _CCA_RE.search(norm)
    if cca and not re.search(r"(非|不是|拒绝|杜绝|不用|绝不|没有|无|不含|区别于|谨防|市面)\s*$", norm[max(0, cca.start() - 4):cca.start()]):
        found.append(finding("substandard_spec", f"导体为“{cca.group(0)}”：阻燃/耐火电缆的导体应为铜或铝（GB/T 3956）",
                             text, cca.group(0)))
    # one construction stated twice (规格 3*4+1*2.5 in the title and an attribute) is one conductor spec
    conductors = list({(c["total_cores"], tuple(c["sections_mm2"])): c for c in specs.get("conductors", [])}.values())
    series = {float(x) for x in cfg.get("sections_mm2", [])}
    sections = set(specs.get("sections_mm2", []))
    coded = {c["section_mm2"] for c in cables if c.get("section_mm2") and c["type"] in
             {t.upper() for t in cfg.get("single_core_types", [])}}
    if len(coded) == 1 and len(sections) == 1 and coded != sections and not _SECTION_LIST_RE.search(norm):
        # (a list of sizes on offer, ZR-BV1.5 2.5 4 6平方 or 1.5/2.5/4/6平方, states no one section)
        c = next(c for c in cables if c.get("section_mm2") in coded)
        found.append(finding("spec_mismatch", f"型号 {c['code']} {_fmt(c['section_mm2'])} 表示导体截面 "
                             f"{_fmt(c['section_mm2'])} mm²，商品却标称 {_fmt(next(iter(sections)))} mm²", text, c["code"]))
    single = {t.upper() for t in cfg.get("single_core_types", [])}
    multi = [c for c in conductors if c["total_cores"] > 1]
    # or a count of a few cores (3芯: a multi-core cable; 7芯/19芯 in a wire's talk may be its strands, and 股 says so)
    counted = [n for n in specs.get("cores", []) if 1 < n <= 5] if "股" not in norm else []
    if (multi or counted) and cables and len({c["type"] for c in cables}) == 1 and cables[0]["type"] in single:
        stated = multi[0]["text"] if multi else f"{counted[0]} 芯"
        found.append(finding("spec_mismatch", f"型号 {cables[0]['code']} 为单芯结构，商品却标称 {stated}",
                             text, cables[0]["code"]))
    if conductors:
        sizes = {s for c in conductors for s in c["sections_mm2"]}
        nominal = {x for x in sections if x in series}
        if nominal and not sections & sizes:
            found.append(finding("spec_mismatch", f"芯数×截面为 {conductors[0]['text']}，"
                                 f"商品却标称 {sorted(sections)[0]:g} mm²", text, conductors[0]["text"]))
        cores = set(specs.get("cores", []))
        if len(conductors) == 1 and len(cores) == 1 and conductors[0]["total_cores"] not in cores:
            found.append(finding("spec_mismatch", f"{conductors[0]['text']} 为 {conductors[0]['total_cores']} 芯，"
                                 f"商品却标称 {next(iter(cores))} 芯", text, conductors[0]["text"]))
    # a fire-resistance time in hours (耐火半小时, 耐火时间1小时) is its minutes
    minutes = [m for m in specs.get("stated_minutes", []) if m >= 15] \
        + [round(h * 60) for h in specs.get("stated_hours", []) if 0.25 <= h <= 24]
    min_fire = cfg.get("fire_resistant_min_minutes")
    fire_resistant = any(c["fire_resistant"] for c in cables) or (category == "fire_resistant_cable" and "耐火" in norm)
    if min_fire and cfg.get("enforce_fire_minutes") and fire_resistant and minutes \
            and max(minutes) < int(min_fire):
        found.append(finding("substandard_spec", f"耐火电缆标称耐火 {max(minutes)} 分钟，低于 {min_fire} 分钟",
                             text, str(max(minutes))))
    if cfg.get("enforce_sections"):
        stated = list(sections) + [s for c in conductors for s in c["sections_mm2"]] + sorted(coded)
        for s in stated:
            if s not in series and s <= 1000:
                found.append(finding("substandard_spec", f"{s:g} mm² 不是标准规定的导体截面（非标）", text, _fmt(s)))
                break
    return found


_SOUND_RE = re.compile(r"(?:报警音量|报警声音?|声压级?|音量|响度)[^\d，,。;；]{0,6}?(\d{2,3})\s*(?:分贝|db)(?![a-z])")


def _smoke_alarm(text: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec when the stated alarm sound level is below the standard's least."""
    cfg = facts.get("smoke_alarm", {}).get("sound_level", {})
    if not cfg.get("enforce"):
        return []
    for m in _SOUND_RE.finditer(_normal(text)):
        if int(m.group(1)) < int(cfg["min_db"]):
            return [finding("substandard_spec", f"报警声压级 {m.group(1)} 分贝，低于 {cfg['min_db']} 分贝{_by(cfg)}",
                            text, m.group(0))]
    return []


# a self-check (battery check) interval: specs.self_check_hours (每72小时自检一次, 电池自检：每72小时一次)


def _smoke_self_check(text: str, specs: dict[str, Any], facts: dict[str, Any], on: date) -> list[Finding]:
    """substandard_spec when a smoke alarm under GB 20517-2025 (cited, or in force on the listing's
    day) states a battery self-check less often than the edition requires (at least every 24 h)."""
    cfg = facts.get("smoke_alarm", {}).get("self_check", {})
    norm = _normal(text)
    if not cfg.get("enforce") or ("检" not in norm):
        return []
    cited = any(str(s).startswith(str(cfg.get("edition", "20517-2025"))) for s in specs.get("standards", []))
    start = cfg.get("in_force_from")
    if not cited and not (start and on >= date.fromisoformat(str(start))):
        return []
    for hours, said in self_check_hours(norm):
        if hours > float(cfg["max_hours"]):
            return [finding("substandard_spec", f"电池自检间隔 {_fmt(hours)} 小时，长于标准要求的至少每 "
                            f"{_fmt(float(cfg['max_hours']))} 小时一次{_by(cfg)}", text, said)]
    return []


# 门扇钢板厚度：0.5mm, 门框板厚1.0毫米, 钢板厚度0.6mm (no part named: the leaf's, the least of any part);
# a plate or a part is named right before 厚, so 涂层厚度0.1mm, 镀锌层厚度, 漆膜厚 are no plate
_DOOR_STEEL_RE = re.compile(r"(?:(门扇|门板|面板|门框|框架)\s*(?:面板|钢板|板材|板)?|面板|钢板|板材|板)\s*(?:厚度|厚)\s*"
                            r"[:：为]?\s*(\d(?:\.\d{1,2})?)\s*(?:mm|毫米)")
_COATING_BEFORE_RE = re.compile(r"(?:涂层|镀锌|镀层|喷塑|漆)[^，,。；;\s]{0,2}$")
_FRAME_WORDS = ("门框", "框架")


def _door_steel(text: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec when a steel fire door states a leaf or frame plate thinner than the least
    the standard sets for that part (a thickness without a part named is read as the leaf's)."""
    cfg = facts.get("fire_door", {}).get("steel_thickness", {})
    norm = _normal(text)
    if not cfg.get("enforce") or "厚" not in norm or "钢" not in norm:
        return []
    least = cfg.get("min_mm", {})
    for m in _DOOR_STEEL_RE.finditer(norm):
        if _COATING_BEFORE_RE.search(norm, 0, m.start()):  # 镀锌板厚, 喷塑板厚: the finish, not the plate
            continue
        part = "frame" if m.group(1) in _FRAME_WORDS else "leaf"
        mm = float(m.group(2))
        if part in least and mm < float(least[part]):
            name = "门框" if part == "frame" else "门扇面板"
            return [finding("substandard_spec", f"钢质防火门{name}钢板厚 {mm:g} 毫米，薄于标准要求的 "
                            f"{float(least[part]):g} 毫米{_by(cfg)}", text, m.group(0))]
    return []


# 报警浓度 50%LEL, 报警设定值：30% LEL, 报警点≤25%LEL; 二级报警50%LEL, 高报警50%LEL: the second (high)
# level of a two-level alarm, which has its own, higher limit (group 1)
_ALARM_LEL_RE = re.compile(r"(二级|高报|高限|高)?报警(?:浓度|点|值|设定值|设定点|动作值|阈值)?\s*[:：为]?\s*"
                           r"(?:≤|<=|<|小于|不大于|低于)?\s*(\d{1,3}(?:\.\d)?)\s*%\s*lel")


def _gas_alarm_level(text: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec when a gas detector states an alarm level above the highest the standard allows."""
    cfg = facts.get("gas_detector", {}).get("alarm_lel", {})
    norm = _normal(text)
    if not cfg.get("enforce") or "lel" not in norm:
        return []
    for m in _ALARM_LEL_RE.finditer(norm):
        level, most = ("二级（高限）", cfg.get("max_pct_high", cfg["max_pct"])) if m.group(1) else ("", cfg["max_pct"])
        if float(m.group(2)) > float(most):
            return [finding("substandard_spec", f"{level}报警设定值 {m.group(2)}%LEL，高于 {most}%LEL{_by(cfg)}",
                            text, m.group(0))]
    return []


def _coating(text: str, specs: dict[str, Any]) -> list[Finding]:
    """spec_mismatch when a GB 14907-2018 code's place (N indoor, W outdoor) or base (S water, R
    solvent) contradicts the words (室内型 with 代号W)."""
    codes = specs.get("coating_codes") or {}
    norm = _normal(text)
    found: list[Finding] = []
    for key, words, name in (("place", {"N": ("室内",), "W": ("室外", "户外")}, {"N": "室内", "W": "室外"}),
                             ("base", {"S": ("水性", "水基"), "R": ("溶剂",)}, {"S": "水性", "R": "溶剂型"})):
        coded = codes.get(key, [])
        said = {k for k, ws in words.items() if any(w in norm for w in ws)} if "室内外" not in norm else set()
        if len(coded) == 1 and len(said) == 1 and coded[0] not in said:
            found.append(finding("spec_mismatch", f"代号 {coded[0]} 表示{name[coded[0]]}用防火涂料，商品却写"
                                 f"{name[next(iter(said))]}（GB 14907-2018 代号：N 室内、W 室外，S 水性、R 溶剂性）",
                                 text, name[next(iter(said))][:2]))
            break
    return found


# a coat's thickness as a listing states it (涂层厚度：25mm, 涂装厚度约2毫米); a range (3-7mm) or a bound
# (≤3mm) names the type's band, no one coat, and is not read
_COAT_THICKNESS_RE = re.compile(r"(?:涂层|涂装|涂刷|涂膜|干膜|施工)?厚度\s*+[:：]?\s*+(?:约|为|在)?\s*+"
                                r"(\d{1,2}(?:\.\d{1,2})?)\s*+(?:mm|毫米)(?!\s*+[-~～至到])")
_COAT_RANGE_BEFORE_RE = re.compile(r"\d\s*+(?:mm|毫米)?\s*+[-~～至到]\s*+$")


def _coating_thickness(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """spec_mismatch when a steel coating's type (超薄型, 薄型, 厚型: one of them) and the coat thickness the
    listing states fall in different bands (specs.yaml coating_thickness: 超薄型 25mm, 厚型 2mm) -- a switch."""
    cfg = facts.get("coating_thickness") or {}
    types = [t for t in specs.get("coating_types") or [] if t in (cfg.get("bands_mm") or {})]
    if not cfg.get("enforce") or len(types) != 1 or "厚" not in text:
        return []
    norm = _normal(text)
    band = cfg["bands_mm"][types[0]]
    lo, hi = float(band[0]), float(band[1])
    below = types[0] in (cfg.get("floor_types") or ())
    for m in _COAT_THICKNESS_RE.finditer(norm):
        if _COAT_RANGE_BEFORE_RE.search(norm, max(0, m.start(1) - 8), m.start(1)):
            continue
        mm = float(m.group(1))
        if mm > hi or (below and mm < lo):
            return [finding("spec_mismatch", f"{_COATING_THICKNESS[types[0]]}防火涂料的涂层厚度为 {lo:g}–{hi:g} 毫米，"
                            f"商品却标称 {mm:g} 毫米{_by(cfg)}", text, m.group(0))]
    return []


def _blanket(text: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    cfg = facts.get("fire_blanket", {})
    if not cfg.get("enforce"):
        return []
    material = cfg.get("combustible_material", {})
    if material.get("enforce"):
        norm = _normal(text)
        for word, nw in _normalized_words(tuple(material.get("words", []))):
            at = norm.find(nw)
            if at >= 0 and not re.search(r"(非|不是|不含|无|拒绝|不用|而非|不像)\s*$", norm[max(0, at - 3):at]) \
                    and not re.search(r"^\s*(?:袋|包装|收纳|外袋|提手|挂袋|套)", norm[at + len(nw):at + len(nw) + 3]):
                return [finding("substandard_spec", f"灭火毯材质为“{word}”（可燃纤维）{_by(material)}", text, word)]
    for s in specs.get("blanket_sizes", []):
        if min(s["width_m"], s["length_m"]) < float(cfg["min_side_m"]) - 1e-6:
            return [finding("substandard_spec", f"灭火毯 {s['width_m']:g}×{s['length_m']:g} 米，小于最小尺寸 "
                            f"{cfg['min_side_m']:g}×{cfg['min_side_m']:g} 米", text, s["text"])]
    return []


_PART_ENDS = "，,。;；!！?？\n \t"  # a clause's ends and a space
_PART_REACH = 60


def _emergency_light(text: str, facts: dict[str, Any], specs: dict[str, Any]) -> list[Finding]:
    cfg = facts["emergency_light"]
    norm = _normal(without_questions(text, keep_affirmed=True))  # a buyer's question (问：是不是钴酸锂？) states nothing of the lamp
    least = cfg.get("min_emergency_minutes", {})
    if least.get("enforce"):
        for minutes in specs.get("emergency_minutes", []):
            if 0 < minutes < float(least["minutes"]):
                return [finding("substandard_spec", f"应急工作时间 {_fmt(minutes)} 分钟，少于 {least['minutes']} 分钟"
                                f"{_by(least)}", text, _duration_needle(specs, "emergency_texts", minutes))]

    others = "|".join(re.escape(normalize(w)) for w in cfg["banned_batteries"] + cfg.get("banned_self_powered", []))
    old_goods = tuple(normalize(w) for w in cfg.get("old_goods_words", ()))
    old_weak = tuple(normalize(w) for w in cfg.get("old_goods_weak_words", ()))

    def of_old_goods(start: int, end: int) -> bool:
        # the clause around the match, a space ending it too (a title's words are spaced), at most _PART_REACH characters
        # either side (a long run without a clause end holds no quadratic scan)
        part = clause_around(norm, start, end, _PART_ENDS, _PART_REACH)
        return any(w in part for w in old_goods) or sum(w in part for w in old_weak) >= 2

    def asserted(word: str) -> int:
        for m in re.finditer(re.escape(normalize(word)), norm):
            # a denial before a list of banned chemistries covers each (不是钴酸锂三元锂, 非钴酸锂、三元锂)
            before = re.sub(rf"(?:(?:{others})(?:电池)?\s*[、/,，和或及与]?\s*)+$", "", norm[max(0, m.start() - 12):m.start()])
            if not _NEGATED_BATTERY.search(before[-5:]) and not _BANNED_AFTER.match(norm, m.end()) \
                    and not of_old_goods(m.start(), m.end()):
                return m.start()
        return -1

    for battery in cfg["banned_batteries"]:
        if asserted(battery) >= 0:
            return [finding("substandard_spec", f"GB 17945-2024 禁止使用{battery}电池", text, battery)]
    # only where the text says what the battery powers (a lamp or sign: a table row 电池：铅酸蓄电池 alone
    # may be a central power supply's; the listing's fields read together decide)
    lamp = any(normalize(w) in norm for w in cfg.get("self_powered_words", ["灯", "标志", "指示"]))
    if lamp and not any(normalize(w) in norm for w in cfg.get("central_power_words", [])):
        for battery in cfg.get("banned_self_powered", []):
            if asserted(battery) >= 0:
                return [finding("substandard_spec", f"GB 17945-2024 不允许自带电源型应急灯具使用{battery}电池",
                                text, battery)]
    return []


@functools.lru_cache(maxsize=64)
def _normalized_words(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(word, normalised word) pairs, computed once per word list."""
    return tuple((w, normalize(w)) for w in words)


def _products(entry: dict[str, Any]) -> set:
    p = entry.get("product")
    return set(p) if isinstance(p, list) else {p}


_TABLES: dict[int, tuple[dict[str, Any], tuple]] = {}
_UNVERIFIED = "（日期未经核实，请复核）"


def _dated_applies(entry: dict[str, Any]) -> bool:
    """A dated standards entry (withdrawn_on, in_force_from) applies when verified, or while its switch
    is on; an entry without a date has no date to verify."""
    if not entry.get("withdrawn_on") and not entry.get("in_force_from"):
        return True
    return bool(entry.get("enforce", entry.get("verified", False)))


def _withdrawn_text(cited: str, entry: dict[str, Any]) -> str:
    """The finding on a withdrawn edition, saying so when its date is unverified or approximate."""
    by = entry.get("replaced_by", "新标准")
    if entry.get("approximate"):
        return f"引用的 {cited} 已废止（废止日期约为 {entry['withdrawn_on']}，未经核实；由 {by} 代替）"
    note = "" if entry.get("verified") else "；日期未经核实，请复核"
    return f"引用的 {cited} 已于 {entry['withdrawn_on']} 废止（由 {by} 代替{note}）"


# (session 33) a replacing verb right before a withdrawn edition (GB 4351-2023 已取代 GB 4351.1-2005): the text names the
# old edition as the one replaced, comparing it with the newer one it also cites, not as the product's own standard
_REPLACED_BEFORE = re.compile(r"(?:取代|代替|替代|替换)了?\s*(?:旧版|老版|原)?(?:的)?\s*$")


def _named_as_replaced(text: str, needle: str, cited: list[dict[str, Any]]) -> bool:
    """Whether the withdrawn edition `needle` is named as the one a newer edition, also cited in `text`, replaced."""
    span = locate(text, needle)
    if span is None or len({(c["number"].split(".")[0], c["year"]) for c in cited}) < 2:
        return False
    return _REPLACED_BEFORE.search(normalize(text)[max(0, span[0] - 8):span[0]]) is not None


def _standard_tables(facts: dict[str, Any]) -> tuple:
    """(standards table with the withdrawn ones, entries by number, products by base number,
    every product any entry names, dated editions by number and by base number, grace), built
    once per facts object (the facts are read-only once loaded). An edition is
    (year, in force from + grace or None, entry), in table order."""
    cached = _TABLES.get(id(facts))
    if cached is None or cached[0] is not facts:
        table = list(facts.get("standards", []))
        table += [dict(w, product=None) for w in facts.get("withdrawn_standards", [])]
        grace = timedelta(days=int(facts.get("withdrawn_grace_days", 0)))
        base: dict[str, set] = {}
        by_num: dict[str, list] = {}
        by_base: dict[str, list] = {}
        for e in table:
            base.setdefault(str(e["number"]).split("-")[0].split(".")[0], set()).update(_products(e))
            num, _, year = str(e["number"]).partition("-")
            if year.isdigit() and _dated_applies(e):
                start = e.get("in_force_from")
                edition = (int(year), None if start is None else date.fromisoformat(str(start)) + grace, e)
                by_num.setdefault(num, []).append(edition)
                by_base.setdefault(num.split(".")[0], []).append(edition)
        products = set().union(*(_products(e) for e in table))
        cached = _TABLES[id(facts)] = (facts, (table, {str(e["number"]): e for e in table}, base, products,
                                               by_num, by_base, grace))
    return cached[1]


_NO_TABLES = ((), {}, {}, frozenset(), {}, {}, None)  # `_standard_tables` where nothing is cited: read-only, never read


def _standards(text: str, category: str, specs: dict[str, Any], facts: dict[str, Any],
               on: date) -> list[Finding]:
    found: list[Finding] = []
    cited = specs.get("standards_cited", [])
    if cited:
        # (session 37) a standard a buyer asks about (问：是执行GB4351.1-2005的吗？答：不是) is no standard the goods cite
        asked = without_questions(text, keep_affirmed=True)
        if asked is not text:
            cited = [std for std in cited if locate(asked, std["text"]) is not None]
    # the lookup tables are only needed for a cited standard (most fields cite none)
    table, by_number, base, products, by_num, by_base, grace = _standard_tables(facts) if cited else _NO_TABLES
    for std in cited:
        key = f"{std['number']}-{std['year']}" if std["year"] else std["number"]
        entry = by_number.get(key)
        if entry and entry.get("withdrawn_on") and _dated_applies(entry) \
                and on >= date.fromisoformat(str(entry["withdrawn_on"])) + grace \
                and not _named_as_replaced(text, std["text"], cited):
            found.append(finding("substandard_spec", _withdrawn_text(std["id"], entry), text, std["text"]))
            return found
    # an older edition of a standard the table knows in a later, in-force edition
    for std in cited:
        if not std["year"]:
            continue
        # the same standard: the same number, or for a number without a part (5135) any part
        # of it (5135.1); the first such later edition in force, in table order
        number = std["number"]
        for year, start, e in (by_num if "." in number else by_base).get(number, ()):
            if year > std["year"] and (start is None or on >= start):
                found.append(finding("substandard_spec", f"引用的 {std['id']} 是旧版，现行版本为 "
                                     f"{e.get('scheme', 'GB')} {e['number']}{_UNVERIFIED if not e.get('verified') and start else ''}",
                                     text, std["text"]))
                return found
    wrong = facts.get("wrong_standard", {})
    if cited and wrong.get("enforce") and category not in wrong.get("skip_categories", []):
        related = {category}
        for group in wrong.get("related", []):
            if category in group:
                related |= set(group)
        own = [s for s in cited if related & base.get(s["number"].split(".")[0], set())]
        other = [s for s in cited if s["number"].split(".")[0] in base
                 and not related & base[s["number"].split(".")[0]] and None not in base[s["number"].split(".")[0]]]
        known_cat = category in products
        if other and not own and known_cat:
            s = other[0]
            what = sorted(base[s["number"].split(".")[0]])[0]
            found.append(finding("substandard_spec", f"引用的 {s['id']} 是{category_name(what)}的标准，"
                                 f"不适用于{category_name(category)}", text, s["text"]))
            return found
    executed = facts.get("executed_standard") or {}
    if cited and executed.get("enforce"):
        related = {category}.union(*(set(g) for g in wrong.get("related", []) if category in g))
        unknown = unknown_executed_standard(text, _normal(text), category, cited, base, table, on, executed, related)
        if unknown:
            found.append(unknown)
            return found
    foreign = facts.get("foreign_standard", {})
    if foreign.get("enforce") and category in facts.get("ccc_categories", []) and not cited:
        norm = _normal(text)
        named = specs.get("foreign_standards", [])
        cue = next((w for w, nw in _normalized_words(tuple(foreign.get("cue_words", []))) if nw in norm), None)
        if named or cue:
            what = named[0] if named else cue
            found.append(finding("substandard_spec", f"强制性认证产品只引用国外标准 {what}（未引用国家标准）",
                                 text, what))
    return found


def check_specs(text: str, category: str, now: datetime | date | None = None,
                facts: dict[str, Any] | None = None,
                specs: dict[str, Any] | None = None, mismatch_only: bool = False,
                standards: bool = True) -> list[Finding]:
    """spec_mismatch / substandard_spec findings as (code, evidence) pairs (first per rule).

    `mismatch_only`: skip the rules that can only report substandard_spec (blanket sizes,
    emergency-light batteries, cited standards) when the caller keeps spec_mismatch alone.
    """
    if category == "not_fire":
        return []
    facts = facts or load_facts()
    specs = parse_specs(text, facts) if specs is None else specs
    on = today(now)
    found: list[Finding] = []
    # A family is checked when its codes appear (in any fire category); ambiguous words such as
    # grades and colours only in the categories they belong to. The category is tested before
    # the specs are read where either order decides the same: a lazily parsed text (LazySpecs)
    # then parses only the families some rule needs.
    # a model code of another family (an extinguisher code in an emergency light's or a cabinet's
    # listing) names what the product fits or comes with: it is checked in its own category only
    # (other_fire: wheeled units, and the powder content rule)
    if category == "portable_extinguisher" or (category == "other_fire" and (
            specs.get("powder_content_pct")
            or any(c.get("wheeled") for c in specs.get("extinguisher_codes") or []))):
        found += _extinguisher(text, specs, facts)
    if category == "escape_respirator" or (category == "other_fire" and specs.get("tzl_minutes")):
        found += _respirator(text, specs, facts)
    if category in ("fire_door", "fire_glass", "other_fire") or specs.get("door_codes"):
        family = "fire_glass" if category == "fire_glass" else "fire_door"
        found += _grade_hours(text, specs, facts, family,
                              stated_hours_apply=not mismatch_only and category in ("fire_door", "fire_glass"))
    if category == "fire_door" and specs.get("door_codes"):
        found += _door_size(text, specs, facts)
    if category == "fire_glass" or specs.get("fire_glass"):
        found += _glass(text, specs, facts)
    if category == "fire_shutter":
        found += _shutter(text, specs, facts)
    if category == "sprinkler" or (category == "other_fire" and specs.get("sprinklers")):
        found += _sprinkler(text, specs, facts, colours_apply=True)
    if category == "fire_hose" or (category in ("other_fire", "fire_coupling") and specs.get("hoses")):
        found += _hose(text, specs, facts)
    if category == "fire_coupling":
        found += _coupling(text, specs)
    if category in ("other_fire", "fire_coupling") and specs.get("hydrants"):
        found += _hydrant(text, specs)
    if category == "gas_suppression":
        found += _gas(text, specs)
        if not mismatch_only:
            found += _gas_pressure(text, facts) + _gas_fill(text, specs, facts) + _gas_design(text, facts)
    if category == "fire_retardant_coating":
        coating = _coating(text, specs)
        found += coating or _coating_thickness(text, specs, facts)
    if category == "fire_pump" or (category == "other_fire" and specs.get("pumps")):
        found += _pump(text, specs, facts)
    if category in ("flame_retardant_cable", "fire_resistant_cable"):
        found += _cable(text, specs, facts, category)
    found += _made_after(text, on, facts.get("production_date") or {})  # made after the page was seen
    found += edition_findings(text, category, specs, facts)  # a value outside the cited edition's (rated_minimums)
    found += battery_life_findings(text, category, facts)  # a battery's life beyond its chemistry's (battery_life)
    if mismatch_only:
        return found
    if category == "fire_blanket":
        found += _blanket(text, specs, facts)
    if category == "emergency_light":
        found += _emergency_light(text, facts, specs)
    if category == "fire_door":
        found += _door_steel(text, facts)
    if category == "gas_detector":
        found += _gas_alarm_level(text, facts)
    if category == "smoke_alarm" and ("贝" in text or "db" in text or "dB" in text or "DB" in text):
        found += _smoke_alarm(text, facts)
    if category == "smoke_alarm":
        found += _smoke_self_check(text, specs, facts, on)
    found += limit_findings(text, category, specs, facts)  # measured values against limits (spec_limits)
    found += conductor_size_findings(text, category, specs, facts)  # a solid wire's diameter short of its section
    found += minimum_findings(text, category, facts)  # ratings below a standard's least (rated_minimums)
    found += measured_findings(text, category, specs, facts)  # a measured value below the nominal (measured)
    if standards:  # `standards=False`: the caller judged each field's cited standards already
        found += _standards(text, category, specs, facts, on)
    return found


_DATE_AFTER_KEY = r"\s*[:：为是]?\s*(20\d{2})(?!\d)\s*(?:[-./年]\s*(\d{1,2})(?!\d)\s*(?:[-./月]\s*(\d{1,2})(?!\d)\s*日?|月)?)?"
_MADE_RES: dict[int, tuple[dict[str, Any], re.Pattern | None, tuple[str, ...]]] = {}


def _made_re(cfg: dict[str, Any]) -> tuple[re.Pattern | None, tuple[str, ...]]:
    hit = _MADE_RES.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        keys = sorted((normalize(str(k)) for k in cfg.get("keys") or ()), key=len, reverse=True)
        rx = re.compile("(?:" + "|".join(map(re.escape, keys)) + ")" + _DATE_AFTER_KEY) if keys else None
        hit = _MADE_RES[id(cfg)] = (cfg, rx, tuple(normalize(str(w)) for w in cfg.get("skip_words") or ()))
    return hit[1], hit[2]


def _made_after(text: str, on: date, cfg: dict[str, Any]) -> list[Finding]:
    """spec_mismatch for a production date (生产日期：2027-03) after `on`, the day the listing was seen: compared to the
    month when the date gives no day, to the year when it gives no month."""
    if not cfg.get("enforce"):
        return []
    rx, skip = _made_re(cfg)
    if rx is None or "日期" not in text and "时间" not in text:
        return []
    norm = _normal(text)
    for m in rx.finditer(norm):
        year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        if month > 12 or day > 31:
            continue
        # compared to the precision the date is written to (2027 with the year, 2027-03 with the month)
        stated = (year, month, day)[:3 if day and month else 2 if month else 1]
        # a day's date a day after the page's may be the same day in another time zone
        seen = on + timedelta(days=1) if len(stated) == 3 else on
        if stated <= (seen.year, seen.month, seen.day)[:len(stated)]:
            continue
        if any(w in clause_around(norm, m.start(), m.end()) for w in skip):
            continue
        said = text[m.start():m.end()] if len(text) == len(norm) else m.group(0)
        return [Finding("spec_mismatch", f"生产日期晚于商品页面的日期 {on.isoformat()}：{said.strip()}",
                        locate(text, m.group(0)))]
    return []


@functools.lru_cache(maxsize=1)
def _rated_temperatures() -> frozenset:
    """The glass-bulb rated temperatures of the packaged facts (GB 5135.1-2019 series)."""
    return frozenset(int(t) for t in load_facts()["sprinkler"]["rated_temperatures"]["values"])


@functools.lru_cache(maxsize=1)
def _nominal_sections() -> frozenset:
    """The nominal conductor sections (mm²) of the packaged facts (GB/T 3956 series)."""
    return frozenset(float(x) for x in load_facts()["cable"]["sections_mm2"])


@functools.lru_cache(maxsize=1)
def _bulb_colour_temperatures() -> dict[str, int]:
    """Glass-bulb colour -> rated temperature (GB 5135.1-2019 colour code, packaged facts)."""
    return {colour: int(t) for t, colour in load_facts()["sprinkler"]["bulb_colours"].items()}


def _bulb_temperatures(specs: dict[str, Any]) -> set:
    """The rated temperatures a field's glass-bulb colour stands for (玻璃球为黄色: 79℃), when the
    field names one colour and the bulb (a finish colour, 白色装饰盘, is no rating)."""
    colours = set(specs.get("colours", []))
    if len(colours) != 1 or not specs.get("bulb_named"):
        return set()
    t = _bulb_colour_temperatures().get(next(iter(colours)))
    return {t} if t else set()


@functools.lru_cache(maxsize=1)
def _grade_hours_table() -> dict[str, float]:
    """Fire-door grade -> its fire-resistance hours (GB 12955-2008: 甲级 1.5, 乙级 1.0, 丙级 0.5; packaged facts)."""
    return {g: float(h) for g, h in load_facts()["fire_door"]["grade_hours"].items()}


# the families compared here only when one of the two fields states the value by a model code (8-65-20: 0.8 MPa;
# FFB-25-A1.50: 25 mm): the spec key of that code
_CODE_FAMILIES = {"hose pressure": "hoses", "glass thickness": "fire_glass"}


def compatible_agents(agents: set) -> bool:
    """Whether the agents are those one unit may hold, named either way (specs.yaml extinguisher.agent_compatible)."""
    return len(agents) == 2 and any(agents <= set(pair) for pair in load_facts()["extinguisher"].get("agent_compatible", []))


def _resistance_hours(specs: dict[str, Any]) -> set:
    """The fire-resistance hours a field states: a rating code's (A1.50), a glass code's, a time written out; a field
    stating none of them, the hours of the one grade it names (乙级: 1.0; 答：是丙级的 against A1.50 in the title)."""
    hours = set(specs.get("rating_hours", [])) | {g["hours"] for g in specs.get("fire_glass", [])} \
        | set(specs.get("stated_hours", [])) | set(specs.get("coating_hours", []))
    grades = set(specs.get("door_grades", [])) if not hours else ()
    if len(grades) == 1:
        h = _grade_hours_table().get(next(iter(grades)))
        return {h} if h else set()
    return hours


# The comparable value families of `spec_scalars`, in the order they are compared: (family, the spec keys
# it reads, its value set). A family is evaluated only when the specs hold one of its keys (a field
# states two or three families at most; building all ~30 sets each time was most of the check's cost).
_SCALAR_FAMILIES: tuple[tuple[str, tuple[str, ...], Any], ...] = (
    ("extinguisher amount", ("extinguisher_codes", "weights_kg"),
     lambda s: {c["amount"] for c in s.get("extinguisher_codes", [])} or set(s.get("weights_kg", []))),
    # a TZL code and a written protection time state the same thing (TZL30 in the title,
    # 防护时间约十五分钟 in the description): one family
    ("TZL minutes", ("tzl_minutes", "protection_minutes"),
     lambda s: set(s.get("tzl_minutes", [])) | set(s.get("protection_minutes", []))),
    # a side written alone (尺寸：1.0m) is a square's when the field gives no width × length
    ("blanket size", ("blanket_sizes", "blanket_sides"),
     lambda s: {tuple(sorted((b["width_m"], b["length_m"]))) for b in s.get("blanket_sizes", [])}
     or {(x, x) for x in s.get("blanket_sides", [])}),
    ("hose code", ("hoses",), lambda s: {h["code"] for h in s.get("hoses", [])}),
    # a hose's working pressure: its code's class (8-65-20: 0.8 MPa) or written out (工作压力1.6MPa, 16公斤压力)
    ("hose pressure", ("hoses", "working_pressures_mpa"),
     lambda s: {h["pressure_mpa"] for h in s.get("hoses", [])} | set(s.get("working_pressures_mpa", []))),
    # a fire glass's thickness: its code's (FFB-25-A1.50: 25 mm) or said as such (厚度19mm, 厚2.0公分)
    ("glass thickness", ("fire_glass", "thickness_said_mm"),
     lambda s: {float(g["thickness_mm"]) for g in s.get("fire_glass", [])} | set(s.get("thickness_said_mm", []))),
    ("door grade", ("door_grades",), lambda s: set(s.get("door_grades", []))),
    # (session 33) a fire door's opening in millimetres (2100×1000 in the title, 门洞尺寸 2000×900mm in the table)
    ("door opening", ("door_openings",), lambda s: set(s.get("door_openings", []))),
    ("fire-resistance hours", ("rating_hours", "fire_glass", "stated_hours", "coating_hours", "door_grades"),
     _resistance_hours),
    # the ratings a field declares; a measured value (实测应急时间180分钟) is compared by `_emergency_below`
    # instead: only a measured value below the rating the other field declares contradicts it
    ("emergency minutes", ("emergency_minutes", "emergency_roles"), lambda s: _emergency_values(s, ("declared",))),
    # nominal sections only: a size outside the series (实际约2.0mm²) is the sections rule's
    # substandard_spec, not a contradiction
    ("cross-section", ("sections_mm2", "cables"),
     lambda s: {x for x in set(s.get("sections_mm2", []))
                | {c["section_mm2"] for c in s.get("cables", []) if c.get("section_mm2")}
                if x in _nominal_sections()}),
    # rated temperatures only (68℃, 93℃): a working or ambient range (工作温度 4~70℃) is no rating;
    # a bulb's colour counts only with bulb_named
    ("temperature", ("temperatures_c", "bulb_named", "colours"),
     lambda s: {t for t in s.get("temperatures_c", []) if t in _rated_temperatures()} | _bulb_temperatures(s)),
    ("hose length", ("lengths_m", "hoses"),
     lambda s: set(s.get("lengths_m", [])) | {h["length_m"] for h in s.get("hoses", [])}),
    # how a sprinkler is mounted: by its code letter (ZSTX) or in words (直立安装)
    ("sprinkler mounting", ("sprinkler_mountings", "sprinklers"),
     lambda s: set(s.get("sprinkler_mountings", []))
     | {x["type"] for x in s.get("sprinklers", []) if x["type"] in _MOUNTING_WORDS}),
    ("voltage", ("voltages",), lambda s: set(s.get("voltages", []))),
    ("conductors", ("conductors",),
     lambda s: {(c["total_cores"], tuple(c["sections_mm2"])) for c in s.get("conductors", [])}),
    # a coupling's or a hose's bore: DN, its code (KD50, SN65), or the hose it is said to fit (适配65水带)
    ("bore", ("dn", "couplings", "hose_fit_mm", "hydrants"),
     lambda s: set(s.get("dn", [])) | {c["bore_mm"] for c in s.get("couplings", [])} | set(s.get("hose_fit_mm", []))
     | {h["bore_mm"] for h in s.get("hydrants", [])}),
    ("foam mix ratio", ("mix_ratio_pct",), lambda s: set(s.get("mix_ratio_pct", []))),
    ("gas cylinder", ("gas_cylinders",), lambda s: {c["volume_l"] for c in s.get("gas_cylinders", [])}),
    # the agent a field names in words (水基型) or by its model code's letter (MFZ/ABC4: dry powder, GB 4351)
    ("agent", ("agents_stated", "extinguisher_codes"),
     lambda s: set(s.get("agents_stated", [])) | {c["agent"] for c in s.get("extinguisher_codes", [])}),
    ("cylinder volume", ("volumes_l",), lambda s: set(s.get("volumes_l", []))),
    ("pump code", ("pumps",), lambda s: {p["code"] for p in s.get("pumps", [])}),
    # a pump's rated pressure: its code's (XBD8.0: 0.8 MPa) or written out (额定压力0.6MPa)
    ("pump pressure", ("pumps", "pressures_mpa"),
     lambda s: {p["pressure_mpa"] for p in s.get("pumps", [])} | set(s.get("pressures_mpa", []))),
    # a sprinkler's K-factor (K115 in the title, K系数：K80 in the table)
    ("k factor", ("k_factors",), lambda s: set(s.get("k_factors", []))),
    # the GB/T 19666 flame-retardant category a code states (ZA-ZD); NH or ZR states none of them
    ("cable class", ("cables",),
     lambda s: {c["flame_class"] for c in s.get("cables", []) if c["flame_class"] in ("ZA", "ZB", "ZC", "ZD")}),
    # whether the cable codes are fire-resistant (NH-YJV) or not (ZC-YJV)
    ("cable fire resistance", ("cables",), lambda s: {bool(c["fire_resistant"]) for c in s.get("cables", [])}),
    # GB 14907-2018 place (N indoor, W outdoor) by code, and the thickness type (超薄型/薄型/厚型)
    ("coating place", ("coating_codes",), lambda s: set((s.get("coating_codes") or {}).get("place", []))),
    ("coating thickness", ("coating_types",),
     lambda s: {t for t in s.get("coating_types", []) if t in _COATING_THICKNESS}),
    ("temperature channels", ("temperature_channels",), lambda s: set(s.get("temperature_channels", []))),
    ("gear pattern", ("gear_patterns",), lambda s: set(s.get("gear_patterns", []))),
    # the battery chemistry (磷酸铁锂 in the title, 镍镉 in the table)
    ("battery", ("batteries",), lambda s: {b["type"] for b in s.get("batteries", [])}),
    # how many cores: a conductor spec's (3×2.5: 3; 3×4+1×2.5: 4) or a count (4芯)
    ("core count", ("conductors", "cores"),
     lambda s: {c["total_cores"] for c in s.get("conductors", [])} | set(s.get("cores", []))),
    # a gaseous system's storage pressure (储存压力 4.2 MPa against 2.5 MPa)
    ("storage pressure", ("storage_pressures_mpa",), lambda s: set(s.get("storage_pressures_mpa", []))),
    # a smoke alarm's battery self-check interval (24小时自检 against 每72小时一次)
    ("self-check hours", ("self_check_hours",), lambda s: set(s.get("self_check_hours", []))),
)


def _families_by_key(families: tuple) -> dict[str, tuple[int, ...]]:
    """spec key -> the positions in `families` of the families that read it."""
    out: dict[str, tuple[int, ...]] = {}
    for i, (_, keys, _) in enumerate(families):
        for key in keys:
            out[key] = out.get(key, ()) + (i,)
    return out


_SCALAR_FAMILIES_OF = _families_by_key(_SCALAR_FAMILIES)
# the keys a model code states a word family's value in (`_coded_words`)
_CODED_WORD_KEYS = frozenset({"extinguisher_codes", "door_codes", "coating_codes", "fire_glass", "cables", "sprinklers"})
_SCALAR_KEYS = frozenset(_SCALAR_FAMILIES_OF) | _CODED_WORD_KEYS | {"word_values"}  # what spec_scalars reads


def spec_scalars(specs: dict[str, Any]) -> dict[str, set]:
    """One comparable value set per family, for title-versus-attribute comparison (the families of
    `_SCALAR_FAMILIES` in their order, then the word families)."""
    if _SCALAR_KEYS.isdisjoint(specs):  # none of them stated (about 40% of fields)
        return {}
    out: dict[str, set] = {}
    stated = sorted({i for key in specs for i in _SCALAR_FAMILIES_OF.get(key, ())})
    for i in stated:
        family, _, values = _SCALAR_FAMILIES[i]
        found = values(specs)
        if found:
            out[family] = found
    words = specs.get("word_values") or {}
    if words or not _CODED_WORD_KEYS.isdisjoint(specs):
        for family in _word_family_names():
            values = set(words.get(family, {}))
            values |= _coded_words(family, specs)
            if values:
                out["words:" + family] = values
    return out


def _emergency_values(specs: dict[str, Any], roles: tuple[str, ...]) -> set:
    """The emergency durations (minutes) a field states in one of `roles` (specs.duration_role: declared or
    measured; a duration without a role is declared)."""
    minutes = specs.get("emergency_minutes") or []
    said = specs.get("emergency_roles") or []
    return {v for i, v in enumerate(minutes) if (said[i] if i < len(said) else "declared") in roles}


def _emergency_below(first_specs: dict[str, Any], other_specs: dict[str, Any]) -> tuple[float, float, bool] | None:
    """(the declared duration, the measured one below it, whether the measured one is in the other field) when
    one field declares one emergency duration (应急90分钟) and the other states one measured value below it
    (实测应急时间60分钟); two declared ratings are the "emergency minutes" family's. A measured value at or
    above the declared one is no contradiction: the rating is the least the lamp must hold."""
    for low_specs, floor_specs, other_low in ((other_specs, first_specs, True), (first_specs, other_specs, False)):
        declared = _emergency_values(floor_specs, ("declared",))
        measured = _emergency_values(low_specs, ("measured",))
        if len(declared) == 1 and len(measured) == 1 and next(iter(measured)) < next(iter(declared)):
            return next(iter(declared)), next(iter(measured)), other_low
    return None


def _within_fill(a: set, b: set, codes: list[dict[str, Any]] = ()) -> bool:
    """Two single extinguisher amounts close enough (extinguisher.tolerance_kg) to be a nominal size and
    its stated fill (MFZ/ABC4, 实际充装 3.8kg): whether that fill is within the standard is the fill rule's.
    `codes`: the two fields' model codes; a fill of the one code's unit (`_fill_of`: MFZ/ABC4, 充装量 3.6kg) is too."""
    if len(a) != 1 or len(b) != 1:
        return False
    cfg = load_facts()["extinguisher"]
    x, y = next(iter(a)), next(iter(b))
    if abs(x - y) <= float(cfg.get("tolerance_kg", 0.25)) + 1e-9:
        return True
    if len({c["amount"] for c in codes}) != 1:
        return False
    return (codes[0]["amount"] == x and _fill_of(y, codes[0], cfg)) or (codes[0]["amount"] == y and _fill_of(x, codes[0], cfg))


_DOOR_CODE_MATERIAL = (("GMFM", "steel_wood"), ("GFM", "steel"), ("MFM", "wood"))


@functools.lru_cache(maxsize=1)
def _wheeled_from() -> float:
    """The least size of wheeled units (specs.yaml extinguisher.nominal_sizes.wheeled_from; 0 with its switch off)."""
    sizes = (load_facts().get("extinguisher") or {}).get("nominal_sizes") or {}
    return float(sizes.get("wheeled_from") or 0) if sizes.get("enforce") else 0.0


def _coded_words(family: str, specs: dict[str, Any]) -> set:
    """The value a model code states for a word family: MFTZ wheeled (GB 4351, T = 推车); GFM steel,
    MFM wood, GMFM steel-wood (GB 12955); GB 14907 N/W place and S/R base; MFZ/BC4 BC powder; FFB composite,
    DFB monolithic fire glass (GB 15763.1)."""
    if family == "extinguisher_structure":
        codes = specs.get("extinguisher_codes") or []
        if any(c.get("wheeled") for c in codes):
            return {"wheeled"}
        # (session 38) a code without the T of a hand-held size (MFZ/ABC4, MT3) is a hand-held unit; a size of wheeled
        # units (MFZ/ABC35, the series' wheeled_from) states neither
        below = _wheeled_from()
        return {"handheld"} if codes and below and all(c.get("amount") and c["amount"] < below for c in codes) else set()
    if family == "door_material":
        return {next(v for p, v in _DOOR_CODE_MATERIAL if c.startswith(p)) for c in specs.get("door_codes") or []
                if c.startswith(("GMFM", "GFM", "MFM"))}
    if family in ("coating_place", "coating_base"):
        return set((specs.get("coating_codes") or {}).get(family.removeprefix("coating_"), []))
    if family in _coded_values():
        return {v for _, v in _code_values(family, specs)}
    return set()


# word families a code states (domain.md product reference): GB 4351 /ABC or /BC after the extinguisher's
# code (MFZ/BC4: BC powder), GB 15763.1 FFB composite and DFB monolithic fire glass; a family's `code_values`
# in data/specs.yaml adds more (a cable's type code: YJV copper, YJLV aluminium)
_CODED_VALUES = {
    "powder_kind": ("extinguisher_codes", "feature", {"ABC": "abc", "BC": "bc"}),
    "glass_structure": ("fire_glass", "type", {"FFB": "composite", "DFB": "monolithic"}),
    # GB 5135.1 (domain.md sprinkler: K- fast, T- special response): ZSTX-K15 is a fast-response head; a code
    # without the letter states no response (sellers leave it out of fast heads' codes too)
    "sprinkler_response": ("sprinklers", "response", {"fast": "fast", "special": "special"}),
}


@functools.lru_cache(maxsize=1)
def _coded_values() -> dict[str, tuple[str, str, dict[str, str]]]:
    """_CODED_VALUES and the switched-on `code_values` of the packaged word families (spec key, field, code -> value)."""
    out = dict(_CODED_VALUES)
    for family, cfg in _word_family_facts().items():
        coded = cfg.get("code_values") or {}
        if coded.get("enforce"):
            out[family] = (str(coded["key"]), str(coded["field"]),
                           {str(code).upper(): value for value, codes in (coded.get("values") or {}).items() for code in codes})
    return out


def _code_values(family: str, specs: dict[str, Any]) -> list[tuple[str, str]]:
    """(code text, value) of each parsed code stating a value of `family` (_coded_values)."""
    key, field, values = _coded_values()[family]
    return [(c.get("code", ""), values[c[field]]) for c in specs.get(key) or [] if c.get(field) in values]


@functools.lru_cache(maxsize=1)
def _word_family_facts() -> dict[str, Any]:
    return enforced_families(load_facts().get("word_families") or {})


@functools.lru_cache(maxsize=64)
def _one_value(family: str) -> bool:
    """Whether a word family's `one_value` switch is on: a product is one of its values, so a field naming two of them
    (水性 … 溶剂型配方) still names the one the other field does not."""
    return bool(_word_family_facts().get(family, {}).get("one_value"))


def _one_value_mismatch(family: str, a: set, b: set, first: str, other: str,
                        other_specs: dict[str, Any]) -> list[Finding]:
    """One field names one value of a `one_value` family, the other that value and exactly one more: the more is
    the contradiction (the span: the other field's value)."""
    if len(a) == len(b) or min(len(a), len(b)) != 1:
        return []
    single, many = (a, b) if len(a) == 1 else (b, a)
    if many is a and first == "标题":
        return []  # (session 38) a title naming two is a shop's list of the kinds it sells (单面 LED 双面 吊装)
    extra = many - single
    if not single <= many or len(extra) != 1:
        return []
    x, y = next(iter(single)), next(iter(extra))
    name = _word_family_facts().get(family[6:], {}).get("name", family)
    said_other = y if many is b else x
    where_x, where_y = (first, f"“{other.strip()[:40]}”") if many is b else (f"“{other.strip()[:40]}”", first)
    return [Finding("spec_mismatch", f"{name}前后矛盾：{where_x}写 {_value_text(family, x)}，"
                    f"{where_y}又写 {_value_text(family, y)}", locate(other, _needle(family, said_other, other_specs)))]


def one_field_mismatch(text: str, specs: dict[str, Any], category: str) -> list[Finding]:
    """(session 38) spec_mismatch when one field -- the description or an attribute row, not the title, where shops list
    the kinds they sell -- names two values of one word family of the category, for a `one_value` family (集中电源型出口灯，
    灯体自带电池) or where one of them is said to be the only one (电池供电，仅支持AC220V). Two values listed together or offered
    (单面、双面均有) name none (specs.word_values); a value that holds the other (钢木质 and 钢质) is no contradiction."""
    words = specs.get("word_values") or {}
    for family, values in words.items():
        if len(values) < 2 or not _compared_in("words:" + family, category):
            continue
        (x, wx), (y, wy) = list(values.items())[:2]
        if one_includes(family, {x}, {y}):
            continue
        if not _one_value(family):
            norm = own_statements(normalized(text))
            if not (said_as_only(norm, wx) or said_as_only(norm, wy)):
                continue
        name = _word_family_facts().get(family, {}).get("name", family)
        return [Finding("spec_mismatch", f"{name}前后矛盾：“{text.strip()[:40]}”既写 {_value_text('words:' + family, x)}，"
                        f"又写 {_value_text('words:' + family, y)}", locate(text, wy))]
    return []


def one_includes(family: str, a: set, b: set) -> bool:
    """Whether one field's single value of a word family is one its `includes` says holds the other's (a steel-wood
    door, 钢木质, is steel and wood: a row saying 钢质 of it says no other door)."""
    if len(a) != 1 or len(b) != 1:
        return False
    includes = _word_family_facts().get(family, {}).get("includes") or {}
    x, y = next(iter(a)), next(iter(b))
    return y in (includes.get(x) or ()) or x in (includes.get(y) or ())


def _word_family_names() -> tuple[str, ...]:
    return tuple(_word_family_facts())


# the value families `spec_scalars` compares across fields, as the evidence names them
FAMILY_NAMES = {
    "extinguisher amount": "灭火剂量", "TZL minutes": "呼吸器防护时间",
    "blanket size": "灭火毯尺寸", "hose code": "水带型号", "door grade": "耐火等级",
    "fire-resistance hours": "耐火时间", "temperature": "温度", "voltage": "额定电压", "conductors": "芯数×截面",
    "bore": "口径", "foam mix ratio": "泡沫混合比", "gas cylinder": "气体灭火瓶组容量", "agent": "灭火剂",
    "cylinder volume": "容量", "pump code": "消防泵型号", "cable class": "阻燃/耐火等级",
    "emergency minutes": "应急工作时间", "cross-section": "导体截面", "hose length": "水带长度",
    "sprinkler mounting": "喷头安装方式", "cable fire resistance": "是否耐火", "coating place": "防火涂料使用场所",
    "coating thickness": "防火涂料类型", "temperature channels": "测温通道数", "gear pattern": "防护装备款式",
    "battery": "电池类型", "core count": "芯数", "storage pressure": "储存压力", "self-check hours": "电池自检间隔",
    "pump pressure": "消防泵额定压力", "k factor": "喷头K系数", "hose pressure": "水带工作压力",
    "glass thickness": "防火玻璃厚度", "door opening": "门洞尺寸（毫米）",
}
_COATING_THICKNESS = {"ultra_thin": "超薄型", "thin": "薄型", "thick": "厚型"}
_BATTERY_NAMES = {"cobalt_lithium": "钴酸锂", "ternary_lithium": "三元锂", "lead_acid": "铅酸", "lifepo4": "磷酸铁锂",
                  "nicd": "镍镉", "nimh": "镍氢"}


# The categories whose listings state each family's values about the product itself: in any
# other category such a value belongs to something the listing fits, holds or comes with (a box
# for MFZ/ABC4 units weighing 2 kg, a cabinet with a DN65 hose), so two of them never contradict.
FAMILY_CATEGORIES = {
    "extinguisher amount": {"portable_extinguisher"}, "agent": {"portable_extinguisher", "gas_suppression"},
    "cylinder volume": {"portable_extinguisher", "gas_suppression"}, "TZL minutes": {"escape_respirator"},
    "blanket size": {"fire_blanket"}, "hose code": {"fire_hose"},
    "door grade": {"fire_door", "fire_glass", "fire_shutter"},
    "fire-resistance hours": {"fire_door", "fire_glass", "fire_shutter", "fire_retardant_coating"},
    "temperature": {"sprinkler"}, "core count": {"flame_retardant_cable", "fire_resistant_cable"},
    "storage pressure": {"gas_suppression"}, "self-check hours": {"smoke_alarm"},
    "voltage": {"flame_retardant_cable", "fire_resistant_cable"},
    "conductors": {"flame_retardant_cable", "fire_resistant_cable"},
    "cable class": {"flame_retardant_cable", "fire_resistant_cable"},
    "bore": {"fire_hose", "fire_coupling", "sprinkler"}, "foam mix ratio": {"foam_agent"},
    "gas cylinder": {"gas_suppression"}, "pump code": {"fire_pump"}, "pump pressure": {"fire_pump"},
    "k factor": {"sprinkler"}, "hose pressure": {"fire_hose"}, "glass thickness": {"fire_glass"},
    "door opening": {"fire_door"},
    "emergency minutes": {"emergency_light"}, "cross-section": {"flame_retardant_cable", "fire_resistant_cable"},
    "hose length": {"fire_hose"}, "sprinkler mounting": {"sprinkler"},
    "cable fire resistance": {"flame_retardant_cable", "fire_resistant_cable"},
    "coating place": {"fire_retardant_coating"}, "coating thickness": {"fire_retardant_coating"},
    "temperature channels": {"electrical_fire_detector"}, "gear pattern": {"rescue_equipment"},
    "battery": {"emergency_light"},
}


@functools.lru_cache(maxsize=4096)
def _compared_in(family: str, category: str) -> bool:
    """Whether values of `family` are compared across fields in `category` (the packaged facts; remembered)."""
    if family.startswith("words:"):
        return category in _word_family_facts().get(family[6:], {}).get("categories", [])
    cats = FAMILY_CATEGORIES.get(family)
    return cats is None or category in cats


def _value_text(family: str, value: Any) -> str:
    """One compared value as the evidence shows it: 1.5×1.5, 3 芯×2.5, 干粉 (never a Python repr)."""
    if family.startswith("words:"):
        return _word_family_facts().get(family[6:], {}).get("names", {}).get(value, str(value))
    if family == "core count":
        return f"{value} 芯"
    if family in ("storage pressure", "pump pressure", "hose pressure"):
        return f"{_fmt(value)} MPa"
    if family == "glass thickness":
        return f"{_fmt(value)} mm"
    if family == "k factor":
        return f"K{_fmt(value)}"
    if family == "self-check hours":
        return f"每 {_fmt(value)} 小时"
    if family == "agent":
        return _agent(value)
    if family == "sprinkler mounting":
        return _MOUNTING_WORDS.get(value, str(value))
    if family == "cable fire resistance":
        return "耐火型（N/NH）" if value else "非耐火型"
    if family == "coating place":
        return {"N": "室内（N）", "W": "室外（W）"}.get(value, str(value))
    if family == "coating thickness":
        return _COATING_THICKNESS.get(value, str(value))
    if family == "temperature channels":
        return f"{value} 路"
    if family == "gear pattern":
        return f"{value}式/款"
    if family == "battery":
        return _BATTERY_NAMES.get(value, str(value))
    if family == "conductors":
        cores, sections = value
        return f"{cores} 芯×{'+'.join(_fmt(float(x)) for x in sections)}"
    if isinstance(value, tuple):
        return "×".join(_fmt(float(x)) if isinstance(x, (int, float)) else str(x) for x in value)
    return _fmt(value) if isinstance(value, float) else str(value)


def _needle(family: str, value: Any, specs: dict[str, Any]) -> str:
    """The text that stated `value` for `family`, as parse_specs kept it (or the value itself)."""
    if family.startswith("words:"):
        word = (specs.get("word_values") or {}).get(family[6:], {}).get(value)
        if word:
            return word
        if family == "words:door_material":
            return next((c for c in specs.get("door_codes") or [] if _coded_words(family, {"door_codes": [c]}) == {value}), "")
        if family == "words:extinguisher_structure":  # the wheeled code (MFTZ/ABC35) or the hand-held one (MFZ/ABC4)
            return next((c["code"] for c in specs.get("extinguisher_codes") or []
                         if bool(c.get("wheeled")) == (value == "wheeled")), "")
        if family[6:] in _coded_values():
            return next((code for code, v in _code_values(family[6:], specs) if v == value), str(value))
        return str(value)
    if family in ("core count", "storage pressure", "self-check hours"):
        return {"core count": f"{value}芯", "storage pressure": f"{_fmt(value)}mpa"}.get(family, _fmt(value))
    if family == "blanket size":
        for b in specs.get("blanket_sizes", []):
            if tuple(sorted((b["width_m"], b["length_m"]))) == value:
                return b["text"].strip()
    if family == "conductors":
        for c in specs.get("conductors", []):
            if (c["total_cores"], tuple(c["sections_mm2"])) == value:
                return c["text"]
    if family == "sprinkler mounting":
        return _MOUNTING_WORDS.get(value, str(value)).removesuffix("型")
    if family == "cable fire resistance":
        return next((c["code"] for c in specs.get("cables", []) if bool(c["fire_resistant"]) == value), "")
    if family == "battery":
        return next((b["text"] for b in specs.get("batteries", []) if b["type"] == value), "")
    if family in ("coating place", "coating thickness", "temperature channels", "gear pattern"):
        return {"coating thickness": _COATING_THICKNESS.get(value, ""), "temperature channels": f"{value}路",
                "gear pattern": str(value)}.get(family, "")
    if family == "pump pressure":
        return next((p["code"] for p in specs.get("pumps", []) if p["pressure_mpa"] == value), f"{_fmt(value)}mpa")
    if family == "hose pressure":
        return next((h["code"] for h in specs.get("hoses", []) if h["pressure_mpa"] == value), f"{_fmt(value)}mpa")
    if family == "glass thickness":
        return next((g["code"] for g in specs.get("fire_glass", []) if float(g["thickness_mm"]) == value), _fmt(value))
    if family == "k factor":
        return f"k{_fmt(value)}"
    if family == "extinguisher amount":
        for c in specs.get("extinguisher_codes", []):
            if c["amount"] == value:
                return c["code"]
    return _value_text(family, value)


# a range of sizes on offer: 1-8kg可选, 1.0-1.8m可选, 1.5~6mm²可选 (the range, then an option word)
_OPTION_RANGE_RE = re.compile(r"\d(?:\.\d+)?\s*+(?:[a-z²\u4e00-\u9fff]{1,2}\s*+)?[-~～至到]\s*\d(?:\.\d+)?[^，,。;；\d]{0,6}?"
                              r"(?:可选|任选|选配|可定|齐全|多规格|均有)")
# a total of several units: 共40米, 合计 8kg, 总充装量 8kg, 一共240升
_TOTAL_RE = re.compile(r"(?:(?<![\u4e00-\u9fff])总|[两二三四五六七八九十双\d]\s*[只个瓶盘卷条套件具组柜]\s*(?:合|共)|合计|总计|一共|(?:^|[，,。;；\s])共)"
                       r"(?:充装量|容量|容积|长度|重量|量|重|长)?\s*+(?:[:：为约]\s*+)?\d|(?<![\u4e00-\u9fff])总(?:充装量|容量|容积|长度|重量)")


def _openings_within(a: set, b: set) -> bool:
    """Two single door openings whose sides differ by no more than fire_door.code_size.tolerance_mm."""
    if len(a) != 1 or len(b) != 1:
        return False
    tol = float(load_facts().get("fire_door", {}).get("code_size", {}).get("tolerance_mm", 100))
    return all(abs(x - y) <= tol for x, y in zip(next(iter(a)), next(iter(b))))


def _only_coded(family: str, specs: dict[str, Any]) -> bool:
    """Whether a field states `family`'s value by a model code alone, none of its words (any code `_coded_words`
    reads: 型号 GFM-1021 states a steel door as 型号 DFB-15 a monolithic glass)."""
    name = family[6:]
    return not (specs.get("word_values") or {}).get(name) and bool(_coded_words(name, specs))


@functools.lru_cache(maxsize=4096)
def _product_row(text: str) -> bool:
    """Whether an attribute's text ("K V") is a row naming the product's own kind (类型 钢质防火卷帘: word_families
    `product_keys`): its words name the product, as a model code does, not one of its parts."""
    keys = (load_facts().get("word_families") or {}).get("product_keys") or ()
    return any(text.startswith(f"{k} ") for k in keys)


# the compared families a measured value (measured.py) states, by its quantity
_MEASURED_QUANTITY = {"extinguisher amount": "fill", "hose length": "hose_length", "cross-section": "section",
                      "emergency minutes": "emergency"}


def _measured_below(family: str, first: str, a: set, other: str, b: set, category: str) -> bool:
    """Whether one field's single value of `family` is one it states as measured (实际装粉 约2.5kg) below the other's
    single value, such a pair is left to measured.py (which reports it, as the policy says), and measured.py
    flags the two fields (it needs their nominal: a model code, a declared duration)."""
    facts = load_facts()
    if len(a) != 1 or len(b) != 1 or not leaves_to_measured(facts):
        return False
    x, y, quantity = next(iter(a)), next(iter(b)), _MEASURED_QUANTITY[family]
    if not ((y < x and y in measured_values(other, quantity, facts)) or (x < y and x in measured_values(first, quantity, facts))):
        return False
    return _measured_flags(first, other, category)


def _measured_flags(first: str, other: str, category: str) -> bool:
    """Whether measured.py flags two fields read together, under its policy of taking such pairs from the mismatch rules."""
    facts = load_facts()
    return leaves_to_measured(facts) and flags_joined((first, other), category, facts)


def _spared_by_code(family: str, a: set, b: set, a_specs: dict[str, Any], b_specs: dict[str, Any]) -> bool:
    """Whether one field states `family` by a model code alone and the other a value its `code_values` leaves to
    other rules (`not_against`: copper-clad aluminium against a copper code is a conductor fault of its own)."""
    spared = set((_word_family_facts().get(family[6:], {}).get("code_values") or {}).get("not_against") or ())
    return bool(spared) and bool((_only_coded(family, a_specs) and b & spared) or (_only_coded(family, b_specs) and a & spared))


@functools.lru_cache(maxsize=4096)
def _ranged_text(text: str) -> bool:
    """Whether a field offers a range of sizes or states a total of several units (`offers_range`); remembered:
    the title is compared with each other field in turn, and attribute rows repeat."""
    norm = _normal(text)
    return bool(_OPTION_RANGE_RE.search(norm) or _TOTAL_RE.search(norm))


def offers_range(title: str, other: str) -> bool:
    """Whether either text offers a range of sizes (1-8kg可选) or states a total of several units (共40米)."""
    return _ranged_text(title) or _ranged_text(other)


def nothing_to_compare(first_specs: dict[str, Any], first_scalars: dict[str, set], other_specs: dict[str, Any],
                       other_scalars: dict[str, set]) -> bool:
    """Whether `cross_field_mismatch` of two fields finds nothing without reading them: they state no family
    in common (most pairs) and not both an emergency duration (the declared/measured test)."""
    return first_scalars.keys().isdisjoint(other_scalars) and not (first_specs.get("emergency_minutes")
                                                                   and other_specs.get("emergency_minutes"))


def cross_field_mismatch(title: str, title_specs: dict[str, Any], other: str, other_specs: dict[str, Any],
                         category: str, title_scalars: dict[str, set] | None = None,
                         other_scalars: dict[str, set] | None = None, first: str = "标题") -> list[Finding]:
    """spec_mismatch when the title (or the field named by `first`) states one value and
    another field (an attribute) another; the span is the value in `other`.

    `title_scalars` / `other_scalars`: `spec_scalars` of the specs when the caller has them already.
    """
    if category == "not_fire":
        return []
    a = spec_scalars(title_specs) if title_scalars is None else title_scalars
    b = spec_scalars(other_specs) if other_scalars is None else other_scalars
    if nothing_to_compare(title_specs, a, other_specs, b):
        return []
    # the families both state, in the specs' order
    shared = [f for f in a if f in b]
    if any(not f.startswith("words:") for f in shared) and offers_range(title, other):
        # a range on offer (1-8kg可选) or a total of several units (两盘共40米, 总充装量 8kg) states no one
        # unit's value: only the words of a family (a material, a form) are still compared
        a = {k: v for k, v in a.items() if k.startswith("words:")}
        shared = [f for f in shared if f in a]
    pair = first.startswith("“")  # two attributes: a word family's words there may name two parts
    # a wheeled unit's code (MFTZ/ABC35) in an other_fire listing names the product itself (its category's
    # wheeled units, as check_specs reads them): its amount is compared as a portable extinguisher's
    wheeled = category == "other_fire" and "extinguisher amount" in a and "extinguisher amount" in b and any(
        c.get("wheeled") for c in (title_specs.get("extinguisher_codes") or []) + (other_specs.get("extinguisher_codes") or []))
    for family in (f for f in shared if _compared_in(f, category)
                   or wheeled and f == "extinguisher amount"):  # in the specs' order
        if pair and family.startswith("words:") and not (_only_coded(family, title_specs)
                                                          or _only_coded(family, other_specs)
                                                          or _product_row(title) or _product_row(other)):
            continue  # two attributes' words may name two parts; a model code (型号 DFB-15) or a type row names the product
        if family == "extinguisher amount" and _within_fill(a[family], b[family], (title_specs.get("extinguisher_codes") or [])
                                                            + (other_specs.get("extinguisher_codes") or [])):
            continue
        if family.startswith("words:") and _spared_by_code(family, a[family], b[family], title_specs, other_specs):
            continue
        if family.startswith("words:") and one_includes(family[6:], a[family], b[family]) \
                and not (_product_row(title) or _product_row(other) or _only_coded(family, title_specs)
                         or _only_coded(family, other_specs)):
            continue  # a value that is both (钢木质) against one of its parts (面板：钢质)
        if family in _CODE_FAMILIES and not (title_specs.get(_CODE_FAMILIES[family])
                                             or other_specs.get(_CODE_FAMILIES[family])):
            continue  # two figures written out, no code: same_quantity's comparison (its bounds, its wording)
        if family == "agent" and (title_specs.get("extinguisher_codes") or other_specs.get("extinguisher_codes")) \
                and compatible_agents(a[family] | b[family]):
            continue  # a water code's unit with AFFF foam, a clean-agent code beside CO2 words (specs.yaml agent_compatible)
        if family == "door opening" and _openings_within(a[family], b[family]):
            continue  # one opening within the door-size tolerance (2100×1000 and 2080×980)
        if family in _MEASURED_QUANTITY and _measured_below(family, title, a[family], other, b[family], category):
            continue  # 实际装粉 2.5kg against the title's 4kg: measured.py's finding under its policy
        if len(a[family]) == 1 and len(b[family]) == 1 and a[family] != b[family]:
            x, y = next(iter(a[family])), next(iter(b[family]))
            name = FAMILY_NAMES.get(family) or _word_family_facts().get(family[6:], {}).get("name", family)
            return [Finding("spec_mismatch", f"{name}前后矛盾：{first}写 {_value_text(family, x)}，"
                            f"“{other.strip()[:40]}”写 {_value_text(family, y)}", locate(other, _needle(family, y, other_specs)))]
        if family.startswith("words:") and not pair and _one_value(family[6:]):
            found = _one_value_mismatch(family, a[family], b[family], first, other, other_specs)
            if found:
                return found
    if title_specs.get("emergency_minutes") and other_specs.get("emergency_minutes") \
            and _compared_in("emergency minutes", category) and not offers_range(title, other) \
            and not _measured_flags(title, other, category):  # measured below the declared: measured.py's
        below = _emergency_below(title_specs, other_specs)
        if below:
            floor, low, other_low = below
            quoted = f"“{other.strip()[:40]}”"
            floor_at, low_at = (first, quoted) if other_low else (quoted, first)
            needle = _duration_needle(other_specs, "emergency_texts", low if other_low else floor)
            return [Finding("spec_mismatch", f"应急工作时间前后矛盾：{floor_at}标称 {_fmt(floor)} 分钟，"
                            f"{low_at}实测只有 {_fmt(low)} 分钟", locate(other, needle))]
    return []
