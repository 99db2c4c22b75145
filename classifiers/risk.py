"""Risk rules: lexicon phrases, spec and certificate checks, price floors and the watchlist.

`RiskRules().check(listing, category, watchlist)` returns the rule `Reason`s (one per code, each
saying in Chinese what was found, naming its field and the span of the matched text in it) and the
parsed specs. The knowledge is in data files
(lexicon.yaml, specs.yaml, price_priors.yaml) that regulators can change without a release.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable


from firewatch.core.labels import attribute_name
from firewatch.core.models import Listing, Reason
from firewatch.core.money import yuan_text

from .claims import claim_mismatches
from .certification import certification_findings, listing_date, load_scope, voluntary_numbers, \
    voluntary_registry_finding
from .datafiles import load_yaml
from .editions import edition_findings
from .identity_label import label_findings
from .exceptions import DataFileError
from .price import BASIS_NAMES as _BASIS_NAMES
from .price import BASIS_UNIT as _BASIS_UNIT
from .price import has_prior as _has_prior
from .price import option_specs as _option_specs
from .price import find_prior as _find_prior
from .price import unit_price as _unit_price
from .regex_scan import Scanner
from .risk_model import TEXT_CODES, RiskTextModel
from .spec_checks import check_specs
from .set_price import set_price_reason
from .spec_yields import spec_yields
from .specs import SPECS_PATH, Finding, LazySpecs, attribute_key, ccc_digits, check_certificates, load_facts, locate, \
    normalized, own_statements, parse_specs, today, validate_ccc_number, question_spans, taken_up, without_questions
from .spec_checks import offers_range, one_field_mismatch, spec_scalars, cross_field_mismatch, larger_size_rating, \
    nothing_to_compare
from firewatch.core.text import normalize
from .watchlist import Watchlist, normalize_name

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.yaml"
PRICE_PRIORS_PATH = DATA_DIR / "price_priors.yaml"
REASON_CODES = ("inspection_only", "no_certification", "invalid_certificate", "refurbished",
                "price_too_low", "spec_mismatch", "substandard_spec", "prop_or_display",
                "no_manufacturer", "watchlist_seller")
CONTEXT_CHARS = 8
_CERT_STATUS_NAMES = {"cancelled": "注销", "revoked": "撤销", "suspended": "暂停", "expired": "过期"}
FIELD_CACHE_SIZE = 20000  # attribute fields remembered by RiskRules.check (cleared when full)

__all__ = ["RiskRules", "RiskTextModel", "Watchlist", "normalize_name", "REASON_CODES",
           "TEXT_CODES", "load_yaml"]


def _copy(value: Any) -> Any:
    """`copy.deepcopy` for parsed spec values (lists and dicts of numbers and strings), faster."""
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    return copy.deepcopy(value)


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def _field_span(source: str, span: tuple[int, int] | None) -> tuple[int | None, int | None]:
    """A span in the text a rule read as offsets in the field's own text: the rules read an
    attribute as "K V" (`RiskRules.fields`), its field text is V; a match inside K has no span, one taking in K's
    noun and V's word (导体材质 铝, 绝缘材料 聚氯乙烯) the part in V."""
    if span is None:
        return None, None
    start, end = span
    if source.startswith("attributes."):
        shift = len(source) - len("attributes.") + 1
        start, end = start - shift, end - shift
        if end <= 0:
            return None, None
        start = max(start, 0)
    return start, end


def _reason(found: Finding, source: str, span_field: str | None = None) -> Reason:
    """The Reason of a rule's finding in the field `source` (its span in `span_field`'s text when given)."""
    start, end = _field_span(span_field or source, found.span)
    return Reason(found.code, found.evidence, source, start, end, span_field if start is not None else None)


def _joined_finding(found: Finding, parts: list[tuple[str, str]]) -> Reason:
    """A finding on the fields' texts joined by spaces, its span given back to the field it lies in."""
    if found.span is not None:
        pos = 0
        for source, text in parts:
            if pos <= found.span[0] and found.span[1] <= pos + len(text):
                shifted = Finding(found.code, found.evidence, (found.span[0] - pos, found.span[1] - pos))
                return _reason(shifted, "title+attributes", source)
            pos += len(text) + 1
    return Reason(found.code, found.evidence, "title+attributes")


# a description offering other sizes (另售MFZ/ABC8，灭火级别4A/144B; 其他规格): a rating in it may be theirs
_OTHER_SIZES_RE = re.compile(r"另售|另有|还有|也有|其[他它]规格|多规格|可选")


def _own_statements_only(text: str) -> str:
    """The text with all it says of other goods (`own_statements`: other variants on offer, questions, goods it is
    compared with, 比非隔热型玻璃更安全) blanked, each character otherwise as written (`own_statements` works on the
    normalised text, of the same length)."""
    blanked = own_statements(normalized(text))
    return "".join(" " if b == " " else c for c, b in zip(text, blanked))


# a named word family in a reason's patterns ({checker}: whoever checks), as the reason's `pattern_words` lists it
_FAMILY_RE = re.compile(r"\{([a-z_]+)\}")


def expand_words(patterns: list[str], cfg: dict[str, Any]) -> list[str]:
    """A reason's `patterns` (or `negation_patterns`) with each `{name}` of its `pattern_words` replaced by the
    family's words as one group, the longest first (检查的人 before 检查): one family of who checks, why a unit is
    needed or how it is excused, kept in one list and read by every pattern that names it. A `{name}` the section
    does not list is an error; a `{0,10}` quantifier is no name."""
    families = cfg.get("pattern_words") or {}
    alts = {name: "(?:" + "|".join(re.escape(normalize(w)) for w in sorted(set(words), key=len, reverse=True)) + ")"
            for name, words in families.items()}

    def one(m: re.Match) -> str:
        if m.group(1) not in alts:
            raise DataFileError(f"lexicon pattern names unknown word family {{{m.group(1)}}}")
        return alts[m.group(1)]
    return [_FAMILY_RE.sub(one, p) for p in patterns]


# what a certificate's product row states of the listing itself: its certificate numbers and cited standards
_CERTIFICATE_ROW_KEYS = frozenset({"certificate_numbers", "standards", "standards_cited", "foreign_standards"})


class RiskRules:
    """Rule-based reasons for one listing; knowledge comes from the data files."""

    def __init__(self, lexicon: dict[str, Any] | None = None, facts: dict[str, Any] | None = None,
                 price_priors: dict[str, Any] | None = None, price_model: Any = None,
                 registry: Callable[[str], dict[str, Any] | None] | None = None) -> None:
        # price_model: a fitted classifiers.price.PriceModel (None: priors only);
        # registry: number -> {status, expires_on, ...} or None (None: structural check only)
        self.price_model = price_model
        self.registry = registry
        self.lexicon = lexicon if lexicon is not None else load_yaml(LEXICON_PATH)
        self.facts = facts if facts is not None else load_facts(str(SPECS_PATH))
        self.price_priors = price_priors if price_priors is not None else load_yaml(PRICE_PRIORS_PATH)
        self.window = int(self.lexicon.get("negation_window", 2))
        self.prefixes = [normalize(p) for p in self.lexicon.get("negating_prefixes", [])]
        self.reasons_cfg: dict[str, dict[str, Any]] = self.lexicon.get("reasons", {})
        unknown = set(self.reasons_cfg) - set(REASON_CODES)
        if unknown:
            raise DataFileError(f"lexicon names unknown reason codes: {sorted(unknown)}")
        self.context_window = int(self.lexicon.get("context_window", 6))
        self._contexts: dict[str, re.Pattern] = {
            code: re.compile("|".join(map(re.escape, sorted({normalize(w) for w in cfg["context_negations"]},
                                                             key=len, reverse=True))))
            for code, cfg in self.reasons_cfg.items() if cfg.get("context_negations")}
        # the phrases a reason's context_negations cancel (absent: all of the reason's phrases)
        # a sentence warning buyers off such goods (那种别买) cancels the phrase matches in it
        warnings = [normalize(p) for p in self.lexicon.get("warning_patterns", [])]
        self._warning = re.compile("|".join(f"(?:{p})" for p in warnings)) if warnings else None
        # words in a title that cancel a reason's phrases in every field (防火门翻新 上门服务)
        self._title_negations: dict[str, tuple[str, ...]] = {
            code: tuple(normalize(w) for w in cfg["title_negations"])
            for code, cfg in self.reasons_cfg.items() if cfg.get("title_negations")}
        # regular expressions whose match cancels a phrase match it overlaps (另提供过期灭火器回收: a
        # disposal service; 展厅拆下来的: a display piece taken down, not used goods)
        self._negation_res: dict[str, re.Pattern] = {
            code: re.compile("|".join(f"(?:{normalize(p)})" for p in expand_words(cfg["negation_patterns"], cfg)))
            for code, cfg in self.reasons_cfg.items() if cfg.get("negation_patterns")}
        # a pattern anywhere in the listing that cancels some of a reason's phrases in every field
        # (药剂另计: an empty cabinet quoted without its agent is no dummy); one entry or a list of them
        self._listing_negations: dict[str, list[tuple[re.Pattern, frozenset[str]]]] = {
            code: [(re.compile("|".join(f"(?:{normalize(p)})" for p in entry["patterns"])),
                    frozenset(normalize(w) for w in entry["phrases"]))
                   for entry in (cfg["listing_negations"] if isinstance(cfg["listing_negations"], list)
                                 else [cfg["listing_negations"]])]
            for code, cfg in self.reasons_cfg.items() if cfg.get("listing_negations")}
        # phrases of a reason that only restate another reason found in the listing (摆设用 beside
        # 验收专用: shown at the check, i.e. inspection_only): {code: {other code: phrases}}
        self._yields: dict[str, dict[str, frozenset[str]]] = {
            code: {other: frozenset(normalize(w) for w in words) for other, words in cfg["yields_to"].items()}
            for code, cfg in self.reasons_cfg.items() if cfg.get("yields_to")}
        self._context_phrases: dict[str, frozenset[str]] = {
            code: frozenset(normalize(p) for p in cfg["context_phrases"])
            for code, cfg in self.reasons_cfg.items() if cfg.get("context_phrases")}
        self._patterns: dict[str, tuple[re.Pattern | None, re.Pattern | None]] = {}
        for code, cfg in self.reasons_cfg.items():
            phrases = sorted({normalize(p) for p in cfg.get("phrases", [])}, key=len, reverse=True)
            negs = sorted({normalize(p) for p in cfg.get("negations", [])}, key=len, reverse=True)
            self._patterns[code] = (
                re.compile("|".join(map(re.escape, phrases))) if phrases else None,
                re.compile("|".join(map(re.escape, negs))) if negs else None,
            )
        # a reason's patterns as one alternation: one scan of a field per reason, tried only where a
        # match can begin (most of its branches open with lookbehinds, which the engine cannot skip by)
        self._regexes: dict[str, list[Scanner]] = {
            code: [Scanner(re.compile("|".join(f"(?:{normalize(p)})" for p in expand_words(cfg["patterns"], cfg))))]
            for code, cfg in self.reasons_cfg.items() if cfg.get("patterns")}
        # the codes with patterns, in the phrases' order: all a field with no phrase is scanned for
        self._pattern_codes = [(code, pats) for code, pats in self._patterns.items() if code in self._regexes]
        self._skip_categories = {code: frozenset(cfg.get("skip_categories", [])) for code, cfg in self.reasons_cfg.items()}
        # one pass over a field finds whether any phrase of any code occurs (most fields: none)
        every = sorted({normalize(p) for cfg in self.reasons_cfg.values() for p in cfg.get("phrases", [])},
                       key=len, reverse=True)
        self._any_phrase = re.compile("|".join(map(re.escape, every))) if every else None
        # a text-model reason the listing explicitly denies (非翻新, 不是二手, 拒绝三无: one of the reason's phrases
        # right after a negating prefix, as `_negated` reads it; and the reason's `denials` patterns: 不翻新, 无证不发):
        # the text model, which reads words and not their negation, does not name it on those words (Scorer)
        prefix_alt = "|".join(map(re.escape, sorted(set(self.prefixes), key=len, reverse=True)))
        self._denial_res: dict[str, tuple[re.Pattern | None, re.Pattern | None]] = {}
        for code, cfg in self.reasons_cfg.items():
            if not cfg.get("text_model"):
                continue
            phrases = sorted({normalize(p) for p in cfg.get("phrases", [])}, key=len, reverse=True)
            extra = [normalize(p) for p in cfg.get("denials", [])]
            alt = "|".join(map(re.escape, phrases))
            joiner = re.escape(self._RUN_JOINERS)
            self._denial_res[code] = (  # the prefix and the whole run it denies (不是旧瓶换粉: _denied_runs)
                re.compile(f"(?:{prefix_alt}) ?(?:{alt})(?:[{joiner}]?(?:{alt}))*")
                if phrases and prefix_alt else None,
                re.compile("|".join(f"(?:{p})" for p in extra)) if extra else None)
        # one quick scan of a listing finds whether it may deny anything (a negating prefix or a `denials` match;
        # most listings: neither)
        gates = [prefix_alt] if prefix_alt and any(pair[0] for pair in self._denial_res.values()) else []
        gates += [pair[1].pattern for pair in self._denial_res.values() if pair[1] is not None]
        self._denial_gate = re.compile("|".join(f"(?:{g})" for g in gates)) if gates else None
        self.maker_keys = {normalize(k) for k in self.lexicon.get("maker_attributes", [])}
        self.watchlist_keys = {normalize(k) for k in self.lexicon.get("watchlist_attributes", [])}
        self.maker_none = {normalize(v) for v in self.lexicon.get("maker_none_values", [])}
        self.cert_keys = {normalize(k) for k in self.lexicon.get("certification_attributes", [])}
        self.cert_none = {normalize(v) for v in self.lexicon.get("certification_none_values", [])}
        cues = sorted(set(self.lexicon.get("watchlist_attributes", [])) | set(self.lexicon.get("maker_text_cues", [])),
                      key=len, reverse=True)
        # a cue, a colon or 为/是, then a name ending in a company word (as the text writes it)
        self._maker_re = re.compile(
            "(?:" + "|".join(map(re.escape, cues)) + r")\s*(?:名称)?\s*(?:[:：]|为|是)\s*"
            r"(?P<name>[^\s,，;；:：。、!！?？]{2,40}?(?:有限责任公司|股份有限公司|有限公司|公司|集团|总厂|厂))") \
            if cues else None
        self._field_cache: dict[tuple, tuple[list[Reason], dict[str, Any], list[tuple[str, str]], dict[str, set] | None]] = {}
        self._cert_attribute_keys: frozenset[str] | None = None  # ccc_certificate.attribute_keys, normalised

    # -- weights ---------------------------------------------------------------------
    def weight(self, code: str, category: str | None = None) -> float:
        """A reason's contribution to the risk score (lower for voluntary products)."""
        cfg = self.reasons_cfg.get(code, {})
        if (code == "no_certification" and category in self.facts.get("voluntary_categories", [])
                and "voluntary_weight" in cfg):
            return float(cfg["voluntary_weight"])
        return float(cfg.get("weight", 0.5))

    @property
    def text_model_weight(self) -> float:
        return float(self.lexicon.get("text_model_weight", 0.75))

    @property
    def text_codes(self) -> tuple[str, ...]:
        return tuple(c for c, cfg in self.reasons_cfg.items() if cfg.get("text_model"))

    # -- phrase rules ------------------------------------------------------------------
    # A negating context cancels a phrase match (年检合格, 非二手, a toy's 道具): a negating prefix,
    # or a negation overlapping the match or just before it.
    def _prefixed(self, norm: str, start: int) -> bool:
        """Whether a negating prefix stands right before `start` (非二手, 不是 翻新)."""
        for prefix in self.prefixes:
            lo = start - len(prefix)
            if lo >= 0 and norm[lo:start] == prefix:
                return True
            if lo - 1 >= 0 and norm[start - 1] == " " and norm[lo - 1:start - 1] == prefix:
                return True
        return False

    # what may join the phrases of one denied run (非二手、翻新, 不是旧瓶或换粉)
    _RUN_JOINERS = "、/和或及与"

    def _denied_runs(self, norm: str, matches: list[re.Match]) -> set[int]:
        """Starts of the phrase matches a negating prefix denies along with the phrase right after it:
        in 不是旧瓶换粉 or 非二手、翻新 the prefix covers the whole run of phrases, joined directly or by
        one joining character, not only the first."""
        out: set[int] = set()
        run_end = -1
        for m in sorted(matches, key=lambda m: m.start()):
            gap = m.start() - run_end
            if run_end >= 0 and (gap == 0 or (gap == 1 and norm[run_end] in self._RUN_JOINERS)):
                out.add(m.start())
                run_end = m.end()
            else:
                run_end = m.end() if self._prefixed(norm, m.start()) else -1
        return out

    def _negated(self, norm: str, start: int, end: int, neg_re: re.Pattern | None) -> bool:
        if self._prefixed(norm, start):
            return True
        if neg_re is not None:
            for m in neg_re.finditer(norm):
                if m.start() < end and m.end() > start:  # overlaps
                    return True
                if 0 <= start - m.end() <= self.window:  # just before
                    return True
        return False

    def phrase_reasons(self, text: str, source: str, category: str,
                       drop: dict[str, frozenset[str]] | None = None) -> list[Reason]:
        """Lexicon phrase matches in one field's text, negating contexts removed (and, per code, the
        matched phrases in `drop`)."""
        # (review 37) a question asked both ways that a bare yes takes up reads as its positive (问：是不是年检专用？答：对;
        # 很多人问有没有3C，有的): its 不是 / 没有 is no denial and no lack
        norm = taken_up(normalized(text))
        # (session 37) a buyer's question states nothing of the goods (问：是翻新的吗？答：不是): a match inside it is no
        # claim, unless the seller's reply is a bare yes taking its words up (问：能过消防检查吗？答：能过); a match
        # reaching into the reply is the reply's, the question naming its subject (问：证书能查到吗？答：查询显示注销)
        asked: list[tuple[int, int]] | None = None
        found: list[Reason] = []
        warned: list[tuple[int, int]] | None = None  # the warned clauses, found on the first match
        regexes = self._regexes
        any_hit = self._any_phrase is not None and self._any_phrase.search(norm) is not None
        if not any_hit and not regexes:
            return found
        skips = self._skip_categories
        for code, (pos_re, neg_re) in self._patterns.items() if any_hit else self._pattern_codes:
            if category in skips[code]:
                continue
            matches = list(pos_re.finditer(norm)) if pos_re is not None and any_hit else []
            for rx in regexes.get(code, ()):
                matches += rx.finditer(norm)
            context = self._contexts.get(code)
            limited = self._context_phrases.get(code)
            if matches and warned is None:
                warned = self._warned_spans(norm)
            dropped = drop.get(code, frozenset()) if drop else frozenset()
            neg_rx = self._negation_res.get(code)
            negated_spans = [n.span() for n in neg_rx.finditer(norm)] if neg_rx is not None and matches else []
            in_runs = self._denied_runs(norm, matches) if len(matches) > 1 else set()
            if matches and asked is None:
                asked = question_spans(norm, keep_affirmed=True)
            for m in matches:
                if m.group(0) in dropped or m.start() in in_runs \
                        or any(lo < m.end() and m.start() < hi for lo, hi in negated_spans) \
                        or any(lo <= m.start() and m.end() <= hi for lo, hi in asked):
                    continue
                if context is not None and (limited is None or m.group(0) in limited) and context.search(
                        norm, max(0, m.start() - self.context_window), m.end() + self.context_window):
                    continue
                if not self._negated(norm, m.start(), m.end(), neg_re) and not self._warned(norm, m.start(), m.end(), warned):
                    start, end = _field_span(source, (m.start(), m.end()))
                    found.append(Reason(code, _context(text, m.start(), m.end()), source, start, end))
                    break
        return found

    _CLAUSE_ENDS = "，,。！!？?；;\n\t 　"
    _DEMONSTRATIVES = "的这那种些类样个"

    def _warned_spans(self, norm: str) -> list[tuple[int, int]]:
        """The clauses warnings name as the goods to avoid: the clause (comma, sentence end or
        title space) holding 那种别买 / 千万别买翻新瓶 / 谨防买到, and the clause before it when the
        warning opens its clause with only a demonstrative (年检专用的，那种千万别买)."""
        if self._warning is None:
            return []
        spans = []
        for w in self._warning.finditer(norm):
            lo = max(norm.rfind(c, 0, w.start()) for c in self._CLAUSE_ENDS) + 1
            his = [i for i in (norm.find(c, w.end()) for c in self._CLAUSE_ENDS) if i >= 0]
            hi = min(his) if his else len(norm)
            if lo > 0 and not norm[lo:w.start()].strip(self._DEMONSTRATIVES):
                lo = max(norm.rfind(c, 0, lo - 1) for c in self._CLAUSE_ENDS) + 1
            spans.append((lo, hi))
        return spans

    def _warned(self, norm: str, start: int, end: int, spans: list[tuple[int, int]] | None = None) -> bool:
        """Whether norm[start:end] lies in a clause warning buyers off such goods (那种别买), not merely
        in a sentence that also holds shop boilerplate (介意的勿买)."""
        spans = self._warned_spans(norm) if spans is None else spans
        return any(lo <= start and end <= hi for lo, hi in spans)

    # a service word after one of these is thrown in with goods (含上门服务, 送上门服务, 包上门服务)
    _SERVICE_ADDONS = ("含", "包含", "附", "附带", "赠", "赠送", "送", "另送", "加送", "包", "带", "配")
    # what follows a phrase that names the service itself, not goods (翻新服务, 翻新维修, 换粉上门)
    _SERVICE_TAILS = ("服务", "维修", "维保", "上门", "喷漆", "保养", "处理", "施工", "改造", "加工", "换", "充装")

    def _service_title(self, norm: str, words: tuple[str, ...], code: str) -> bool:
        """Whether a title offers a service (防火门翻新 上门服务) rather than goods with a service thrown in
        (翻新灭火器 4kg 含上门服务): a service word stands in it, not as an add-on, and none of the
        reason's phrases names goods (a phrase straight before a noun: 翻新灭火器, 二手灭火器)."""
        hits = [(m.start(), w) for w in words for m in re.finditer(re.escape(w), norm)]
        if not hits:
            return False
        if all(any(norm[:i].endswith(a) for a in self._SERVICE_ADDONS) for i, _ in hits):
            return False
        pos_re = self._patterns.get(code, (None, None))[0]
        if pos_re is None:
            return True
        for m in pos_re.finditer(norm):
            if any(i < m.end() and m.start() < i + len(w) for i, w in hits):
                continue  # the phrase is part of the service word (翻新服务)
            rest = norm[m.end():]
            if rest and "\u4e00" <= rest[0] <= "\u9fff" and not rest.startswith(self._SERVICE_TAILS):
                return False  # 翻新灭火器: the phrase modifies the goods on sale
        return True

    def _title_negated(self, reasons: list[Reason], title: str) -> list[Reason]:
        """`reasons` less the phrase reasons their code's title_negations cancel for this title (a
        title offering a service, not goods with a service)."""
        if not self._title_negations or not reasons:
            return reasons
        norm = normalize(title)
        gone = {code for code, words in self._title_negations.items()
                if any(w in norm for w in words) and self._service_title(norm, words, code)}
        return [r for r in reasons if r.code not in gone] if gone else reasons

    def _listing_dropped(self, reasons: list[Reason], fields: list[tuple[str, str]], title: str,
                         category: str) -> list[Reason]:
        """The phrase reasons again without the phrases the whole listing cancels: a reason's
        listing_negations found in any field, or another reason its yields_to names among `reasons`."""
        if not reasons:  # most listings: nothing to cancel
            return reasons
        codes = {r.code for r in reasons}
        drop: dict[str, frozenset[str]] = {}
        joined = None
        for code, entries in self._listing_negations.items():
            if code in codes:
                joined = normalize(" ".join(t for _, t in fields)) if joined is None else joined
                for rx, words in entries:
                    if rx.search(joined):
                        drop[code] = drop.get(code, frozenset()) | words
        for code, others in self._yields.items():
            if code in codes:
                for other, words in others.items():
                    if other in codes:
                        drop[code] = drop.get(code, frozenset()) | words
        if not drop:
            return reasons
        redone: list[Reason] = []
        for source, text in fields:
            redone += self.phrase_reasons(text, source, category, drop)
        return self._title_negated(redone, title)

    # -- denials (for the text model) ----------------------------------------------------
    def denials(self, listing: Listing, norm_text: str | None = None) -> dict[str, list[tuple[str, int, int]]]:
        """Per text-model reason, where the listing explicitly denies it: (field source, start, end) of
        each denying span in the field's text as `fields` gives it. A denial is one of the reason's phrases
        right after a negating prefix (非翻新, 不是二手, 拒绝三无), or a match of the reason's `denials`
        patterns (不翻新, 无证不发). `norm_text`: the normalised text to look for one in first (the text
        model's, which it may hold; default: all the fields)."""
        out: dict[str, list[tuple[str, int, int]]] = {}
        if self._denial_gate is None:
            return out
        fields = self.fields(listing) if norm_text is None else None
        if norm_text is None:
            norm_text = normalize("\n".join(t for _, t in fields))
        if not self._denial_gate.search(norm_text):
            return out
        for source, text in fields or self.fields(listing):
            norm = normalize(text)
            for code, (prefixed, extra) in self._denial_res.items():
                spans = [m.span() for m in prefixed.finditer(norm)] if prefixed is not None else []
                spans += [m.span() for m in extra.finditer(norm)] if extra is not None else []
                if spans:
                    out.setdefault(code, []).extend((source, a, b) for a, b in spans if b > a)
        return out

    @staticmethod
    def blanked(listing: Listing, spans: list[tuple[str, int, int]]) -> Listing:
        """The listing with the given spans of its fields (as `denials` gives them) replaced by spaces."""
        def blank(text: str, cuts: list[tuple[int, int]]) -> str:
            chars = list(text)
            for a, b in cuts:
                chars[a:b] = " " * len(chars[a:b])
            return "".join(chars)

        by_field: dict[str, list[tuple[int, int]]] = {}
        for source, a, b in spans:
            by_field.setdefault(source, []).append((a, b))
        title = blank(listing.title or "", by_field.get("title", []))
        attributes = {}
        for key, value in (listing.attributes or {}).items():
            cuts = by_field.get(f"attributes.{key}")
            if cuts:  # the field's text is "K V": the value starts after the key and a space
                shift = len(str(key)) + 1
                value = blank(str(value), [(max(0, a - shift), b - shift) for a, b in cuts if b > shift])
            attributes[key] = value
        description = blank(listing.description or "", by_field.get("description", []))
        return dataclasses.replace(listing, title=title, attributes=attributes, description=description)

    def maker_reasons(self, attributes: dict[str, str]) -> list[Reason]:
        """no_manufacturer when a maker attribute (品牌, 生产厂家 ...) says "none"."""
        for key, value in attributes.items():
            if attribute_key(key) in self.maker_keys and normalize(str(value)).strip() in self.maker_none:
                value = str(value)
                return [Reason("no_manufacturer", f"{attribute_name(key)}：{value}", f"attributes.{key}",
                               0, len(value))]
        return []

    def certification_attribute_reasons(self, attributes: dict[str, str]) -> list[Reason]:
        """no_certification when a certification attribute (认证, 3C认证 ...) says "none"."""
        for key, value in attributes.items():
            if attribute_key(key) in self.cert_keys and normalize(str(value)).strip() in self.cert_none:
                value = str(value)
                return [Reason("no_certification", f"{attribute_name(key)}：{value}", f"attributes.{key}",
                               0, len(value))]
        return []

    def _ccc_not_required(self, reasons: list[Reason], listing: Listing, category: str,
                          now: datetime | date | None) -> list[Reason]:
        """`reasons` without a no_certification that only says the product has no CCC (免3C, 无3C认证)
        on a day CCC was not compulsory for it (ccc_scope.yaml): that is true, not a defect."""
        if not any(r.code == "no_certification" for r in reasons):
            return reasons
        scope = load_scope()
        if scope.required(category, listing.title or "", listing_date(listing, now)):
            return reasons
        kept = [r for r in reasons if not (r.code == "no_certification" and any(
            w in normalize(r.evidence) for w in ("3c", "ccc", "强制")))]
        if len(kept) == len(reasons):
            return reasons
        # the listing speaks of its certificate as CCC (无3C in the title): a bare 认证：暂无 beside it says the
        # same, while a missing test report (检测报告：无) is another matter
        return [r for r in kept if not (r.code == "no_certification" and r.source.startswith("attributes.")
                                        and "报告" not in r.source)]

    def ccc_not_required_text(self, listing: Listing, category: str, now: datetime | date | None = None) -> bool:
        """Whether the listing speaks of CCC (3C, CCC, 强制) on a day CCC was not compulsory for it
        (ccc_scope.yaml): the text model's no_certification, which reads those words, then says nothing the rule
        would say (`_ccc_not_required`)."""
        if category in self.reasons_cfg.get("no_certification", {}).get("skip_categories", []):
            return False
        text = normalize(" ".join([listing.title or "", listing.description or "",
                                   *(f"{k} {v}" for k, v in (listing.attributes or {}).items())]))
        if not any(w in text for w in ("3c", "ccc", "强制")):
            return False
        return not load_scope().required(category, listing.title or "", listing_date(listing, now))

    @staticmethod
    def _attribute_pair_mismatch(fields, analysed, category: str) -> list[Reason]:
        """spec_mismatch when two attributes contradict each other (型号 1.0x1.0 vs 规格 1.5米x1.5米),
        each stating exactly one value of the same family; the first such pair is reported."""
        # an attribute without any comparable value contradicts none: only the others are paired (a measured
        # emergency duration is compared by its own rule, not as a family's value)
        attrs = [(source, text, specs, scalars) for (source, text), (_, specs, _, sc) in zip(fields, analysed)
                 if source.startswith("attributes.") for scalars in [spec_scalars(specs) if sc is None else sc]
                 if scalars or specs.get("emergency_minutes")]
        for i, (src_a, text_a, specs_a, sc_a) in enumerate(attrs):
            for src_b, text_b, specs_b, sc_b in attrs[i + 1:]:
                if nothing_to_compare(specs_a, sc_a, specs_b, sc_b):
                    continue  # no family both state: nothing to compare (most pairs)
                found = cross_field_mismatch(text_a, specs_a, text_b, specs_b, category, sc_a, sc_b,
                                             first=f"“{text_a.strip()[:40]}”")
                if found:
                    return [_reason(f, f"{src_a}+{src_b}", src_b) for f in found]
        return []

    @staticmethod
    def _description_attribute_mismatch(fields, analysed, category: str) -> list[Reason]:
        """spec_mismatch when the description states one value (动作温度93℃) and an attribute
        another of the same family (温度 68℃), each exactly one; the span is in the attribute."""
        desc = next(((text, specs, sc) for (source, text), (_, specs, _, sc) in zip(fields, analysed)
                     if source == "description"), None)
        if desc is None:
            return []
        text, specs, scalars = desc
        scalars = spec_scalars(specs) if scalars is None else scalars
        if not scalars and not specs.get("emergency_minutes"):
            return []
        for (source, attr), (_, attr_specs, _, attr_scalars) in zip(fields, analysed):
            if source.startswith("attributes."):
                attr_scalars = spec_scalars(attr_specs) if attr_scalars is None else attr_scalars
                if nothing_to_compare(specs, scalars, attr_specs, attr_scalars):
                    continue  # no family both state: nothing to compare
                found = cross_field_mismatch(text, specs, attr, attr_specs, category, scalars, attr_scalars,
                                             first="描述")
                if found:
                    return [_reason(f, source) for f in found]
        return []

    # -- price -------------------------------------------------------------------------
    def find_prior(self, category: str, specs: dict[str, Any], basis: str | None = None,
                   title: str | None = None, description: str | None = None) -> dict[str, Any] | None:
        """The price prior for this category, stated size and price unit, else the category fallback."""
        return _find_prior(self.price_priors, category, specs, basis, title, description)

    def price_reason(self, listing: Listing, category: str, specs: dict[str, Any],
                     price_model: Any = None) -> list[Reason]:
        """price_too_low: from a fitted PriceModel when given, else unit price below `ratio` x the prior median;
        else a set priced below the parts it lists (set_price.py)."""
        model = price_model if price_model is not None else self.price_model
        if model is not None:
            return model.reasons(listing, category, specs) or set_price_reason(listing, category, self.price_priors)
        return self._unit_price_reason(listing, category, specs) or set_price_reason(listing, category, self.price_priors)

    def _unit_price_reason(self, listing: Listing, category: str, specs: dict[str, Any]) -> list[Reason]:
        """price_too_low when the unit price is below `ratio` x the prior median."""
        cfg = self.price_priors
        price = listing.display_price
        if not cfg.get("enabled", True) or price is None or price <= 0:
            return []
        if not _has_prior(cfg, category):
            return []  # no price known for the category: nothing to read
        up = _unit_price(listing, category, specs, cfg.get("units"), cfg.get("not_comparable"), cfg.get("min_amount"),
                         cfg.get("set_parts"))
        if up is None:
            return []  # a cable without its length, say: nothing to compare
        # the price is one SKU option's (1kg 到手22 / 8kg 128): compared for that option's size
        specs, option = _option_specs(listing, specs, float(up["price"]), self.facts)
        prior = self.find_prior(category, specs, up["basis"], listing.title or "", listing.description)
        if prior is None:
            return []
        unit, suffix = up["unit_price"], _BASIS_UNIT.get(up["basis"], "")
        ratio = unit / float(prior["median"])
        if ratio >= float(prior.get("ratio", cfg.get("ratio", 0.3))):  # a prior's own floor (cables: the copper)
            return []
        if up["basis"] != "piece":
            each = f"{yuan_text(up['price'])} 元 / {up['qty']:g} {_BASIS_NAMES.get(up['basis'], up['basis'])}，合 {unit:.2f} 元{suffix}"
        elif up["qty"] != 1:
            each = f"{yuan_text(up['price'])} 元 / {up['qty']:g} 件，合每件 {unit:.2f} 元"
        else:
            each = f"{yuan_text(up['price'])} 元{suffix}"
        if option:
            each += f"（所标价格为规格“{option}”的价格）"
        if up.get("stated"):
            each += f"（按“{up['stated']}”计价）"
        elif up["basis"] == "piece" and up["qty"] == 1 and (up.get("min_order") or 0) > 1:
            each += f"（{up['min_order']} 件起批，按每件计）"  # the least order is no pack: the price is one piece's
        text = f"{prior['label']}：参考中位价 {prior['median']} 元{suffix}；本商品 {each}，为参考价的 {ratio:.2f} 倍"
        return [Reason("price_too_low", text, "price")]

    # -- certificate registry ----------------------------------------------------------
    def registry_findings(self, text: str, on: date, numbers: list[str] | None = None) -> list[Finding]:
        """invalid_certificate for well-formed CCC numbers absent from, withdrawn in or expired
        in the imported registry (nothing when no registry was imported)."""
        if self.registry is None:
            return []
        if numbers is None:
            numbers = parse_specs(text, self.facts).get("certificate_numbers", [])
        found = []
        for number in numbers:
            if validate_ccc_number(number, on, self.facts):
                continue  # the structural check reports it
            record = self.registry(ccc_digits(number) or number)  # the registry keys the bare digits
            span = locate(text, number)
            if record is None:
                found.append(Finding("invalid_certificate", f"证书编号 {number} 在导入的证书库中查无记录", span))
                continue
            status = str(record.get("status") or "valid")
            if status not in ("valid", "unknown"):  # unknown status text: reported at import, not a flag
                label = _CERT_STATUS_NAMES.get(status) or record.get("status_text") or status
                found.append(Finding("invalid_certificate", f"证书编号 {number} 在证书库中的状态为“{label}”", span))
                continue
            expires = record.get("expires_on")
            if isinstance(expires, str) and expires:
                expires = date.fromisoformat(expires[:10])
            if isinstance(expires, date) and expires < on:
                found.append(Finding("invalid_certificate", f"证书编号 {number} 已于 {expires.isoformat()} 到期"
                                     f"（发现商品之日为 {on.isoformat()}）", span))
        return found

    # -- CCC scope by date, certificate numbers, identity labels, classes (certification.py ...) --
    def _certification_reasons(self, reasons: list[Reason], listing: Listing, category: str,
                               now: datetime | date | None, fields: list[tuple[str, str]],
                               analysed: list) -> list[Reason]:
        """`reasons` plus the certification findings; a voluntary certificate's number is taken
        out of the CCC form check (it has no common form) and looked up in the registry instead."""
        on = listing_date(listing, now)
        cited = [(source, text, n, validate_ccc_number(n, now, self.facts))
                 for (source, text), (_, field_specs, _, _) in zip(fields, analysed)
                 for n in field_specs.get("certificate_numbers", [])]
        found = certification_findings(fields, [(s, t, n) for s, t, n, bad in cited if not bad], category, on)
        voluntary = voluntary_numbers(fields, [(s, n) for s, _, n, bad in cited if bad], category, on)
        if voluntary:
            reasons = [r for r in reasons if not (r.code == "invalid_certificate" and any(
                r.evidence.startswith(f"证书编号 {n} ") for n in voluntary))]
            if self.registry is not None:
                found += [(s, f) for s, t, n, bad in cited if bad and n in voluntary
                          for f in [voluntary_registry_finding(n, self.registry(n), on, t)] if f]
        found += label_findings(fields) + edition_findings(fields, category, on)
        return reasons + [_reason(f, source) for source, f in found]

    # -- watchlist ---------------------------------------------------------------------
    def watchlist_reasons(self, listing: Listing, watchlist: Watchlist | None) -> list[Reason]:
        if not watchlist:
            return []
        candidates = [("shop_name", listing.shop_name)]
        candidates += [(f"attributes.{k}", v) for k, v in (listing.attributes or {}).items()
                       if attribute_key(k) in self.watchlist_keys]
        for source, value in candidates:
            hit = watchlist.match(value or "")
            if hit:
                value = str(value)
                return [Reason("watchlist_seller", f"“{value}”与监督抽查不合格名单中的“{hit}”相符", source,
                               0, len(value))]
        # a maker named only in the text: 生产厂家：浙江平安消防器材有限公司
        for source, text in (("description", listing.description or ""), ("title", listing.title or "")):
            for start, end in self.stated_makers(text):
                hit = watchlist.match(text[start:end])
                if hit:
                    return [Reason("watchlist_seller", f"“{text[start:end]}”与监督抽查不合格名单中的“{hit}”相符",
                                   source, start, end)]
        return []

    def stated_makers(self, text: str) -> list[tuple[int, int]]:
        """Spans of company names a text states after a maker cue (生产厂家：…有限公司)."""
        if not text or self._maker_re is None:
            return []
        # (session 37) not a maker a buyer asks about (问：生产厂家是…有限公司吗？答：不是)
        return [m.span("name") for m in self._maker_re.finditer(without_questions(text, keep_affirmed=True))]

    # -- all together ------------------------------------------------------------------
    def fields(self, listing: Listing) -> list[tuple[str, str]]:
        out = [("title", listing.title or "")]
        out += [(f"attributes.{k}", f"{k} {v}") for k, v in (listing.attributes or {}).items()]
        if listing.description:
            out.append(("description", listing.description))
        return [(s, t) for s, t in out if t]

    def _field_rules(self, text: str, source: str, category: str, now: datetime | date | None,
                     specs: dict[str, Any] | None = None) -> tuple[list[Reason], dict[str, Any], list[tuple[str, str]], dict[str, set] | None]:
        """One field's phrase reasons, parsed specs and spec/certificate findings (no registry)."""
        phrases = self.phrase_reasons(text, source, category)
        field_specs = parse_specs(text, self.facts) if specs is None else specs
        if specs is None and source.startswith("attributes.") \
                and normalize(source.removeprefix("attributes.")).strip() in load_scope().product_keys:
            # (session 38) a certificate's product row (证书产品：手提式二氧化碳灭火器) describes the certificate's goods, not these:
            # only its numbers and the standards it cites are read (another product there is invalid_certificate's)
            field_specs = {k: v for k, v in field_specs.items() if k in _CERTIFICATE_ROW_KEYS}
        if specs is None and source.startswith("attributes.") and not field_specs.get("certificate_numbers"):
            number = self._attribute_certificate(source, text)
            if number:
                field_specs = {**field_specs, "certificate_numbers": [number]}
        found = check_specs(text, category, now, self.facts, field_specs)
        if source != "title" and not any(f.code == "spec_mismatch" for f in found):
            # (session 38) a description or a row naming two values of a product's one property (not the title: shops
            # list the kinds they sell there)
            found += one_field_mismatch(text, field_specs, category)
        found += check_certificates(text, now, self.facts, list(field_specs.get("certificate_numbers", [])))
        return phrases, field_specs, found, None  # scalars: computed when the cross-field check needs them

    def _attribute_certificate(self, source: str, text: str) -> str | None:
        """The value of a certificate attribute (`ccc_certificate.attribute_keys`: 3C证书 2023081001002316) when it is
        one token of digits and separators, the number itself; None for any other attribute or value (3C证书 有)."""
        keys = self._cert_attribute_keys
        if keys is None:
            keys = self._cert_attribute_keys = frozenset(
                normalize(k) for k in self.facts.get("ccc_certificate", {}).get("attribute_keys", []))
        raw_key = source.removeprefix("attributes.")
        if normalize(raw_key) not in keys:
            return None
        value = text[len(raw_key):].strip() if text.startswith(raw_key) else text.strip()
        return value if re.fullmatch(r"\d[\d\- ]{7,30}\d", normalize(value)) else None

    def _attribute_rules(self, text: str, source: str, category: str,
                         now: datetime | date | None) -> tuple[list[Reason], dict[str, Any], list[tuple[str, str]], dict[str, set] | None]:
        """`_field_rules` for an attribute field, cached per (category, text, day): attribute
        values repeat heavily across listings. Cached results are never handed out mutable
        (`check` copies what it keeps)."""
        key = (category, text, source, today(now), id(self.facts), id(self.lexicon))
        cache = self._field_cache
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= FIELD_CACHE_SIZE:
                cache.clear()
            phrases, field_specs, found, _ = self._field_rules(text, source, category, now)
            hit = cache[key] = (phrases, field_specs, found, spec_scalars(field_specs))
        return hit

    def check(self, listing: Listing, category: str, watchlist: Watchlist | None = None,
              now: datetime | date | None = None) -> tuple[list[Reason], dict[str, Any]]:
        """All rule reasons (one per code, first field wins) and the parsed specs."""
        fields = self.fields(listing)
        # every dated rule (withdrawn standards, CCC scope, certificate years and expiry) judges the
        # listing on one Beijing day: its latest sighting, else `now`, else today
        seen_on = now = listing_date(listing, now)
        # each field is parsed once, its specs shared by the phrase, spec, certificate and
        # cross-field checks; attribute fields come from a per-value cache
        title = listing.title or ""
        title_specs = parse_specs(title, self.facts)
        analysed = []
        for source, text in fields:
            if source == "title":
                analysed.append(self._field_rules(text, source, category, now, dict(title_specs)))
            elif source.startswith("attributes."):
                analysed.append(self._attribute_rules(text, source, category, now))
            else:
                analysed.append(self._field_rules(text, source, category, now))
        reasons: list[Reason] = []
        for phrases, _, _, _ in analysed:
            reasons += [Reason(r.code, r.evidence, r.source, r.start, r.end, r.span_field)
                        for r in phrases]  # cached ones stay unshared
        reasons = self._title_negated(reasons, title)
        reasons = self._listing_dropped(reasons, fields, title, category)
        if category not in self.reasons_cfg.get("no_manufacturer", {}).get("skip_categories", []):
            reasons += self.maker_reasons(listing.attributes or {})
        if category not in self.reasons_cfg.get("no_certification", {}).get("skip_categories", []):
            reasons += self.certification_attribute_reasons(listing.attributes or {})
        reasons = self._ccc_not_required(reasons, listing, category, now)
        # specs: from the title first; attributes and description fill the gaps
        specs = dict(title_specs)
        for (source, text), (_, field_specs, spec_found, _) in zip(fields, analysed):
            if source != "title":
                for key, value in field_specs.items():
                    if key not in specs:
                        specs[key] = _copy(value)
            spec_found = list(spec_found)
            if self.registry is not None:
                numbers = list(field_specs.get("certificate_numbers", []))
                spec_found += self.registry_findings(text, seen_on, numbers)
            reasons += [_reason(f, source) for f in spec_found]
        # a contradiction between the title and an attribute (title MFZ/ABC4, attribute 重量 2kg)
        attr_texts = [t for s, t in fields if s.startswith("attributes.")]
        if attr_texts and not any(r.code == "spec_mismatch" for r in reasons):
            parts = [("title", title)] + [(s, t) for s, t in fields if s.startswith("attributes.")]
            joined = " ".join(t for _, t in parts)
            # parsed lazily: the mismatch rules read only the families they check
            reasons += [_joined_finding(f, parts)
                        for f in check_specs(joined, category, now, self.facts, LazySpecs(joined, self.facts),
                                             mismatch_only=True)
                        if f.code == "spec_mismatch"]
        # a specification whose parts sit in different fields (乙级 in the title, 耐火0.5小时 in the
        # description; 快速响应 in the title, RTI 80 in an attribute): the fields read as one text
        if (attr_texts or listing.description) and not any(r.code == "substandard_spec" for r in reasons):
            parts = [("title", title)] + [(s, t) for s, t in fields if s.startswith("attributes.")]
            if listing.description:
                parts.append(("description", listing.description))
            joined = " ".join(t for _, t in parts)
            found = check_specs(joined, category, now, self.facts, LazySpecs(joined, self.facts), standards=False)
            below = [f for f in found if f.code == "substandard_spec"][:1]
            # the contradiction a policy reports with the same evidence (a measured fill below the code's)
            paired = [f for f in found if f.code == "spec_mismatch" and below and f.span == below[0].span
                      and not any(r.code == "spec_mismatch" for r in reasons)][:1]
            reasons += [_joined_finding(f, parts) for f in below + paired]
        # a code or class word in the title or the table and the figure it implies contradicted in the description
        # (ZC-YJV with 着火能坚持90分钟供电 in the text: no N mark; 薄型 with 涂层厚度15mm in a reply): the fields read
        # as one text -- not where the description offers a range or a total of several units (两盘共40米)
        if listing.description and not any(r.code == "spec_mismatch" for r in reasons) \
                and not offers_range(listing.description, "") and not _OTHER_SIZES_RE.search(listing.description):
            parts = [("title", title)] + [(s, t) for s, t in fields if s.startswith("attributes.")]
            parts.append(("description", _own_statements_only(listing.description)))
            joined = " ".join(t for _, t in parts)
            reasons += [_joined_finding(f, parts)
                        for f in check_specs(joined, category, now, self.facts, LazySpecs(joined, self.facts),
                                             mismatch_only=True)
                        if f.code == "spec_mismatch"][:1]
        if (attr_texts or listing.description) and not any(r.code == "spec_mismatch" for r in reasons):
            title_scalars = spec_scalars(title_specs)
            for i, ((source, text), (phrases, field_specs, spec_found, field_scalars)) in enumerate(zip(fields, analysed)):
                if source.startswith("attributes.") or source == "description":
                    if field_scalars is None:  # the description's: kept for the checks below
                        field_scalars = spec_scalars(field_specs)
                        analysed[i] = (phrases, field_specs, spec_found, field_scalars)
                    if nothing_to_compare(title_specs, title_scalars, field_specs, field_scalars):
                        continue  # no family both state: nothing to compare
                    found = cross_field_mismatch(title, title_specs, text, field_specs, category,
                                                 title_scalars, field_scalars)
                    if found:
                        reasons += [_reason(f, source) for f in found]
                        break
        if category == "portable_extinguisher" and listing.description and title_specs.get("extinguisher_codes") \
                and not _OTHER_SIZES_RE.search(listing.description) and not any(r.code == "spec_mismatch" for r in reasons):
            # the title's code against a rating the description states (MFZ/ABC1, 灭火级别：2A/55B); its questions
            # (问：有4A/144B的吗) and other variants on offer (另售MFZ/ABC8 4A/144B) state nothing of this unit
            reasons += [_reason(f, "description") for f in larger_size_rating(
                own_statements(normalized(listing.description)),
                title_specs["extinguisher_codes"], self.facts)]
        if len(attr_texts) > 1 and not any(r.code == "spec_mismatch" for r in reasons):
            reasons += self._attribute_pair_mismatch(fields, analysed, category)
        if attr_texts and listing.description and not any(r.code == "spec_mismatch" for r in reasons):
            reasons += self._description_attribute_mismatch(fields, analysed, category)
        if not any(r.code == "spec_mismatch" for r in reasons):
            # a claim the listing takes back (含面罩 / 面罩：无; 15kW / 实配电机7.5千瓦)
            reasons += [_reason(f, source) for source, f in claim_mismatches(fields, category, self.facts)]
        reasons = self._certification_reasons(reasons, listing, category, now, fields, analysed)
        # a prop's price is not the product's: not compared with its prior
        if not any(r.code == "prop_or_display" for r in reasons):
            reasons += self.price_reason(listing, category, specs)
        reasons += self.watchlist_reasons(listing, watchlist)
        reasons = spec_yields(reasons, fields, category, self.facts)  # a prop's specs; a time the code contradicts
        unique: dict[str, Reason] = {}
        for r in reasons:
            unique.setdefault(r.code, r)
        return list(unique.values()), specs
