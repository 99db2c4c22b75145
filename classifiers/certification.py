"""CCC scope by date and CCC certificate numbers beyond their bare form.

`certification_findings(fields, numbers, category, on)` returns `(source, Finding)` pairs with
code `invalid_certificate`:
- a CCC claim ("3C认证", "CCC标志", "强制性产品认证" ...) on a product that was outside CCC on the
  listing's date `on` (`data/ccc_scope.yaml`: which products left or re-entered CCC, when, by which
  announcement), the evidence naming the announcement and the date; a voluntary certificate the listing names
  (我们是自愿性认证) explains a claim in its title or text, not an explicit one in its attributes (认证：3C强制认证,
  3C证书编号 with a number of the CCC form) unless that attribute names it;
- a well-formed 16-digit CCC certificate number (`specs.validate_ccc_number` passed) that still
  cannot exist: issued before the scheme began, after the listing's date, in a year its category was
  wholly outside CCC (a period that has ended: a product back in CCC), or (when the switch is on) by an unknown body (`data/certificates.yaml`).
`product_findings` flags a certificate the listing names as issued for another CCC product family (证书产品：手提式干粉
灭火器 on a smoke alarm; `data/certificates.yaml` certificate_product) or for another product of the same category (证书
产品：独立式感温火灾探测报警器 on a 感烟 title: a word family's other value, an extinguisher's other agent or model),
`model_findings` one whose model differs from the model the listing gives its own goods (证书的产品型号是JTY-GD-3000，本款
型号SD-18; 证书上的型号是MFZ/ABC4 beside a 型号 row MFZ/ABC8, not a list, series or range holding it).
Besides, `claimed_number_findings` judges a number a field labels as the 3C certificate's by the CCC form (CCCF
inside that number makes it no voluntary one), and `expiry_findings` a certificate end the listing states (a full
date, or a year or month read to its last day) that passed before the listing's date and was not since renewed.
`listing_date(listing, now)` is the day a listing is judged on: its latest sighting (北京时间), else
`now`. The structural checks of the number (digits, length) stay in `specs.check_certificates`;
the registry lookup in `RiskRules.registry_findings`. Voluntary certificates (自愿性认证) have no
common number form: they are neither claims nor checked here, only looked up in the registry.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from firewatch.core.clock import to_beijing
from firewatch.core.labels import category_name
from firewatch.core.models import Listing
from firewatch.core.text import normalize

from .datafiles import load_yaml
from .exceptions import DataFileError
from .spec_checks import compatible_agents, one_includes
from .specs import (
    Finding,
    ccc_digits,
    enforced_families,
    load_facts,
    locate,
    normalized,
    parse_specs,
    today,
    without_questions,
    word_values,
)

DATA_DIR = Path(__file__).parent / "data"
SCOPE_PATH = DATA_DIR / "ccc_scope.yaml"
CERTIFICATES_PATH = DATA_DIR / "certificates.yaml"
NEGATION_WINDOW = 3  # characters before a claim searched for a negation
_QUICK = ("3c", "ccc", "强制")  # every claim pattern holds one of these (the gate before the regexes)
_GATE = re.compile("[3３cCｃＣ]|强制")

__all__ = ["SCOPE_PATH", "CERTIFICATES_PATH", "Scope", "load_scope", "listing_date", "certification_findings",
           "ccc_claims", "voluntary_numbers", "voluntary_registry_finding", "claimed_number_findings",
           "expiry_findings", "product_findings"]
_STATUS_NAMES = {"cancelled": "注销", "revoked": "撤销", "suspended": "暂停", "expired": "过期"}


def _day(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from exc


class Scope:
    """The CCC scope data (`ccc_scope.yaml`) and number facts (`certificates.yaml`), compiled once."""

    def __init__(self, scope: dict[str, Any], certificates: dict[str, Any]) -> None:
        self.scope = scope
        self.certificates = certificates
        self.claims = [re.compile(p) for p in scope.get("claim_patterns", [])]
        self.negations = sorted((normalize(n) for n in scope.get("claim_negations", [])), key=len, reverse=True)
        self.statements = [normalize(w) for w in scope.get("scope_statements", [])]
        self.voluntary_cues = [normalize(w) for w in scope.get("voluntary_cues", [])]
        self.start_year = int(scope.get("scheme_start_year", 2002))
        self.start_source = str(scope.get("scheme_start_source", ""))
        self.periods: list[dict[str, Any]] = []
        for i, entry in enumerate(scope.get("out_of_scope", [])):
            where = f"{SCOPE_PATH.name}: out_of_scope[{i}]"
            if not entry.get("categories") and not entry.get("words"):
                raise DataFileError(f"{where}: needs categories or words")
            start = _day(entry.get("from"), where)
            if start is None:
                raise DataFileError(f"{where}: needs from")
            words = [normalize(w) for w in entry.get("words", [])]
            # words that normalising leaves alone (Chinese) are looked for in the raw title first
            # (Latin letters and digits are not: 0.6/1kv stands for 0.6/1kV and ０.６/１ｋＶ in a raw title)
            plain = all(w == str(raw) and not re.search(r"[0-9a-z]", w) for w, raw in zip(words, entry.get("words", [])))
            self.periods.append({**entry, "from": start, "until": _day(entry.get("until"), where), "words": words,
                                 "gate": re.compile("|".join(map(re.escape, words))) if words and plain else None,
                                 "unless_words": [normalize(w) for w in entry.get("unless_words", [])]})
        # the periods that apply (verified, or switched on), for `outside`, which reads them for every listing
        self._applying = [entry for entry in self.periods if self.applies(entry)]
        number = certificates.get("ccc_number", {})
        self.digits = int(number.get("digits", 16))
        labels = sorted((normalize(w) for w in number.get("claim_labels", [])), key=len, reverse=True)
        # a label, then (号码/编号/号 为/是/:) and the token it names: letters, digits and dashes
        self.claimed_re = re.compile(
            "(" + "|".join(re.sub(r"^(3c|ccc)", r"\1\\s*", re.escape(w)) for w in labels)
            + r")\s*(?:号码|编号|号)?\s*(?:[:：]|为|是|no\.?)?\s*((?:[0-9a-z]+-?){0,4}[0-9a-z]+)") if labels else None
        # when every label holds 3c, ccc or 强制, a text without them holds no label (a quick test before the scan)
        self.claimed_quick = _QUICK if all(any(q in w for q in _QUICK) for w in labels) else ()
        self.other_schemes = [(re.compile(str(o["pattern"])), str(o.get("name", ""))) for o in number.get("other_schemes", [])]
        self.expiry_check = bool(number.get("stated_expiry_check", {}).get("enforce", False))
        self.renewed_words = [normalize(w) for w in number.get("stated_expiry_check", {}).get("renewed_words", [])]
        self.body_check = number.get("body_check", {})
        self.gap_check = bool(number.get("gap_year_check", {}).get("enforce", True))
        product = certificates.get("certificate_product", {})
        self.product_on = bool(product.get("enforce", False))
        self.product_keys = frozenset(normalize(k) for k in product.get("keys", []))
        self.product_families = {c: tuple(normalize(w) for w in ws) for c, ws in (product.get("families") or {}).items()}
        self.product_cue = re.compile(normalize(str(product["text_cue"])) + r"([^，,。;；!！?？\n]{2,24})") \
            if product.get("text_cue") else None

    @staticmethod
    def applies(entry: dict[str, Any]) -> bool:
        """A verified entry always applies; an unverified one only while its switch is on."""
        return bool(entry.get("enforce", entry.get("verified", False)))

    # -- which period a product is in --------------------------------------------------------
    def outside(self, category: str, title: str, on: date) -> dict[str, Any] | None:
        """The out-of-scope period the product (by category, or by the words of its title) is in on `on`."""
        norm = None
        for entry in self._applying:
            if entry["from"] > on or (entry["until"] is not None and on >= entry["until"]):
                continue
            if category in entry.get("categories", []):
                return entry
            if entry["words"] and (entry["gate"] is None or entry["gate"].search(title)):
                norm = normalized(title) if norm is None else norm
                if any(w in norm for w in entry["words"]) and not any(w in norm for w in entry["unless_words"]):
                    return entry
        return None

    def required(self, category: str, title: str, on: date) -> bool:
        """Whether CCC is compulsory for the product on `on`: not in an out-of-scope period, and past
        its `mandatory_from` day wherever its in_scope entry has one (gas detectors: certificates from
        2024-11-01, compulsory from 2025-07-01; flame-retardant cables: compulsory from 2025-07-01)."""
        if self.outside(category, title, on) is not None:
            return False
        for entry in self.scope.get("in_scope", []):
            if category in entry.get("categories", []) and entry.get("mandatory_from"):
                return on >= _day(entry["mandatory_from"], SCOPE_PATH.name)
        return True

    def gap_years(self, category: str) -> list[tuple[int, dict[str, Any]]]:
        """Years wholly inside a period when `category` was outside CCC (ended periods only)."""
        out = []
        for entry in self.periods:
            if not self.applies(entry) or category not in entry.get("categories", []) or entry["until"] is None:
                continue
            first = entry["from"].year + (0 if entry["from"] == date(entry["from"].year, 1, 1) else 1)
            out += [(y, entry) for y in range(first, entry["until"].year)]
        return out


@lru_cache(maxsize=8)
def _load(scope_path: str, certificates_path: str) -> Scope:
    return Scope(load_yaml(scope_path), load_yaml(certificates_path))


def load_scope(scope_path: str | Path = SCOPE_PATH, certificates_path: str | Path = CERTIFICATES_PATH) -> Scope:
    """The scope data (cached per pair of paths)."""
    return _load(str(scope_path), str(certificates_path))


def listing_date(listing: Listing, now: datetime | date | None = None) -> date:
    """The day every dated rule judges a listing on (CCC scope, certificate years and expiry, withdrawn
    editions): the Beijing day of its latest sighting (last_seen, else first_seen: the text was read
    then), else of `now`, else today in Beijing (`specs.today`)."""
    seen = listing.last_seen or listing.first_seen
    return to_beijing(seen).date() if seen is not None else today(now)


def ccc_claims(text: str, scope: Scope | None = None) -> list[tuple[int, int]]:
    """Spans of CCC claims in `text` (negated ones, statements about the scope and a buyer's question left out: 问：有3C吗？
    claims nothing unless the reply takes it up with a bare yes)."""
    scope = scope or load_scope()
    if _GATE.search(text) is None:  # every claim holds 3, c or 强制 (any width or case)
        return []
    norm = normalized(without_questions(text, keep_affirmed=True) if "问" in text or "?" in text or "？" in text else text)
    if not any(q in norm for q in _QUICK):
        return []
    found, negated = [], []
    for rx in scope.claims:
        for m in rx.finditer(norm):
            before = norm[max(0, m.start() - NEGATION_WINDOW):m.start()]
            inside = norm[m.start():m.end()]
            around = norm[max(0, m.start() - 8):m.end() + 8]
            if any(before.endswith(n) or n in inside for n in scope.negations) \
                    or any(w in around for w in scope.statements):
                negated.append(m.span())
            else:
                found.append(m.span())
    # "不具有3C认证": the claim "3C认证" overlaps the negated "具有3C"
    return sorted(s for s in found if not any(s[0] < e and b < s[1] for b, e in negated))


def _scope_finding(text: str, span: tuple[int, int], entry: dict[str, Any], category: str, on: date) -> Finding:
    what = category_name(category) if category in entry.get("categories", []) else entry.get("what", "该产品")
    claim = text[span[0]:span[1]]
    since = entry["from"].isoformat()
    until = entry["until"].isoformat() if entry.get("until") else None
    period = f"在 {since} 至 {until} 期间" if until else f"自 {since} 起"
    return Finding("invalid_certificate",
                   f"宣称“{claim}”，但依据{entry['rule']}，{what}{period}不在强制性产品认证（CCC）目录内，"
                   f"发现商品之日（{on.isoformat()}）不可能持有有效的 CCC 证书", span)


def _explicit_claim(source: str, text: str, spans: list[tuple[int, int]], cites_number: bool, scope: Scope) -> bool:
    """Whether a CCC claim is the listing's explicit statement of its scheme, which a voluntary certificate named
    elsewhere (a reply: 我们是自愿性认证) does not explain: a claim in an attribute that names compulsion (认证：3C强制认证,
    强制性产品认证) or labels a CCC-form number as the 3C certificate's (3C证书编号 2020…), that attribute naming no
    voluntary certificate itself (认证：3C(CCCF自愿认证) stays a loose claim)."""
    if not source.startswith("attributes."):
        return False
    norm = normalized(text)
    if any(c in norm for c in scope.voluntary_cues):
        return False
    return cites_number or any("强制" in norm[a:b] for a, b in spans)


def _number_problem(number: str, category: str, on: date, scope: Scope) -> str | None:
    """Why a 16-digit number of the right form still cannot be a CCC certificate of this product."""
    year = int(number[:4])
    if year < scope.start_year:
        return (f"证书编号 {number} 的发证年份 {year} 早于强制性产品认证制度的实施（{scope.start_year} 年起，"
                f"{scope.start_source}）")
    if year > on.year:
        return f"证书编号 {number} 的发证年份 {year} 晚于发现商品之日（{on.isoformat()}）"
    if scope.gap_check:
        for gap, entry in scope.gap_years(category):
            if gap == year:
                return (f"证书编号 {number} 的发证年份 {year} 整年处于{category_name(category)}不实施强制性认证的期间"
                        f"（{entry['from'].isoformat()} 至 {entry['until'].isoformat()}，依据{entry['rule']}），"
                        f"该年不可能签发此类 CCC 证书")
    body = scope.body_check
    if body.get("enforce") and number[4:6] not in {str(b) for b in body.get("known_bodies", [])}:
        return (f"证书编号 {number} 的第 5–6 位认证机构代码 {number[4:6]} 不在已知的指定认证机构代码之列"
                f"（{body.get('source', '')}）")
    return None


# the day directly after its month (2026年11月 3C: no day, not the 3rd), and not the start of a longer token
_DATE = r"(20\d{2}|19\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./](\d{1,2})(?![\dA-Za-z])"
# a stated validity: 有效期至2024-11-30, 有效期：2020.1.1-2024.11.30 (the last date), 2024年11月30日到期
_EXPIRY_RES = [re.compile(r"(?:有效期|有效日期|有效期限|有效至)\s*(?:[:：])?\s*(?:至|到|截止|止)?\s*(?:" + _DATE
                          + r"\s*(?:日)?\s*(?:至|到|-|~|—)\s*)?" + _DATE),
               re.compile(_DATE + r"\s*日?\s*(?:到期|过期|失效)")]
# an end said by its year or month only (旧证书2020年就到期了, 证书2023年6月已过期): valid at most to that year's or
# month's last day (a month followed by a day is the full date above)
_YEAR_EXPIRY_RE = re.compile(r"(20\d{2}|19\d{2})\s*年\s*(?:(\d{1,2})\s*月(?!\s*\d)\s*(?:份)?)?\s*(?:底|末)?\s*"
                             r"(?:就|便|已|已经|早已|早就)?\s*(?:到期|过期|失效)"
                             # (session 36) or a validity up to a year or month (证书有效期到2024年3月, 有效期至2023年底)
                             r"|(?:有效期|有效日期|有效期限)\s*[:：]?\s*(?:至|到|截止到?|止)\s*(20\d{2}|19\d{2})\s*年\s*(?!\d{1,2}\s*月\s*\d)"
                             r"(?:(\d{1,2})\s*月(?!\s*\d))?")
# a certificate word right before the validity, with at most its number or punctuation between (证书有效期至,
# 3C证书编号 2023…，有效期至; 旧证 2020年到期: the old certificate); a 3C认证 further back in a title is no
# certificate's validity but the product's
_CERT_CONTEXT = re.compile(r"(?:证书|认证|3c|ccc|证号|旧证|原证|老证)(?:编号|号码|号)?[^\u4e00-\u9fff]{0,24}$")


def _stated_end(m: re.Match) -> date | None:
    """The last day a validity match allows: its full date, or the end of the year or month it names."""
    if m.re is _YEAR_EXPIRY_RE:
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        y, mo = int(year), int(month) if month else 12
        if not 1 <= mo <= 12:
            return None
        return date(y + 1, 1, 1) - timedelta(days=1) if mo == 12 else date(y, mo + 1, 1) - timedelta(days=1)
    y, mo, d = (int(v) for v in [g for g in m.groups() if g is not None][-3:])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _claimed_number_problem(token: str, scope: Scope) -> str | None:
    """Why a token labelled as a CCC certificate's number cannot be one: another scheme's form, letters
    inside, or a wrong length; None for a number of the CCC form (its year and body: `_number_problem`)."""
    for rx, name in scope.other_schemes:
        if rx.fullmatch(token):
            return f"标为 3C/CCC 证书的编号“{token}”是{name}，不是强制性产品认证证书编号（{scope.digits} 位数字）"
    compact = re.sub(r"[-\s]", "", token)
    if compact.isdigit() and len(compact) == scope.digits:
        return None
    if not compact.isdigit():
        return (f"标为 3C/CCC 证书的编号“{token}”含字母或其他字符：强制性产品认证证书编号为 {scope.digits} 位数字"
                f"（年份 4 位+机构 2 位+类别 4 位+流水号 6 位）")
    return (f"标为 3C/CCC 证书的编号“{token}”为 {len(compact)} 位：强制性产品认证证书编号为 {scope.digits} 位数字"
            f"（年份 4 位+机构 2 位+类别 4 位+流水号 6 位）")


def claimed_number_findings(fields: Iterable[tuple[str, str]], scope: Scope | None = None) -> list[tuple[str, Finding]]:
    """invalid_certificate for a number a field labels as a CCC certificate's (3C证书：CNAS-L1234, 3C认证号
    2025081901X02231, CCC证书 2025081701001) that does not have the CCC form; a field naming a voluntary
    certificate (CCCF, 自愿性) is left to the voluntary checks."""
    scope = scope or load_scope()
    if scope.claimed_re is None:
        return []
    for source, text in fields:
        if _GATE.search(text) is None:
            continue
        norm = normalized(text)
        if scope.claimed_quick and not any(q in norm for q in scope.claimed_quick):
            continue
        voluntary = [c for c in scope.voluntary_cues if c in norm]
        for m in scope.claimed_re.finditer(norm):
            # a voluntary certificate named outside the number itself (自愿性认证证书, CCCF认证); CCCF inside the
            # number labelled as the 3C certificate's (3C证书 CCCF-TZL-2018-66) makes it no voluntary one
            if voluntary and any(c in norm[:m.start(2)] + " " + norm[m.end(2):] for c in voluntary):
                continue
            token = m.group(2).strip("- ")
            if sum(ch.isdigit() for ch in token) < 4 or len(re.sub(r"[-\s]", "", token)) < 6:
                continue  # a word or a year after the label (3C证书齐全, 3C证书2025年), not a number
            if norm[m.end(2):m.end(2) + 1] in ("年", "月"):
                continue
            before = norm[max(0, m.start(1) - NEGATION_WINDOW):m.start(1)]
            if any(before.endswith(n) for n in scope.negations):
                continue
            problem = _claimed_number_problem(token, scope)
            if problem:
                problem = problem.replace(f"“{token}”", f"“{text[m.start(2):m.start(2) + len(token)]}”", 1)
                return [(source, Finding("invalid_certificate", problem, (m.start(2), m.start(2) + len(token))))]
    return []


def _renewed(fields: Iterable[tuple[str, str]], scope: Scope) -> bool:
    """Whether the listing says its certificate has been renewed (新证已下来, 已换新证): an old one's end is then
    no expired certificate, though the new one's validity is not given (certificates.yaml renewed_words)."""
    return bool(scope.renewed_words) and any(w in normalized(t) for _, t in fields for w in scope.renewed_words)


def expiry_findings(fields: Iterable[tuple[str, str]], on: date, scope: Scope | None = None) -> list[tuple[str, Finding]]:
    """invalid_certificate for a certificate validity the listing states (证书有效期至2024-11-30) that ended
    before the listing's date; only a validity written right after a certificate word or number, and only when
    the latest validity the listing states has ended."""
    scope = scope or load_scope()
    if not scope.expiry_check:
        return []
    stated: list[tuple[date, str, str, re.Match]] = []  # validities written after a certificate word
    later = date.min  # the latest validity stated anywhere (现证有效期至2029: a certificate renewed since)
    fields = list(fields)
    for source, text in fields:
        if "有效" not in text and "到期" not in text and "过期" not in text and "失效" not in text:
            continue
        norm = normalized(text)
        for rx in (*_EXPIRY_RES, _YEAR_EXPIRY_RE):
            for m in rx.finditer(norm):
                until = _stated_end(m)
                if until is None:
                    continue
                cert = _CERT_CONTEXT.search(norm[max(0, m.start() - 40):m.start()]) is not None
                if m.re is _YEAR_EXPIRY_RE and m.group(3) and not cert:
                    continue  # (session 36) 灭火器有效期至2030年: a shelf life by its year, no certificate's renewal
                later = max(later, until)
                if cert:
                    stated.append((until, source, text, m))  # else 有效期至2027 beside no certificate: shelf life
    if stated:  # only when no later validity is stated: an old certificate renewed is no expired one
        until, source, text, m = max(stated, key=lambda s: s[0])
        if until < on and later <= until and not _renewed(fields, scope):
            said = f"有效期至 {until.isoformat()}"
            if m.re is _YEAR_EXPIRY_RE:  # 2020年到期: the year (and month) the listing names, and its last day
                year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
                month = f" {int(month)} 月" if month else ""
                said = f"于 {year} 年{month}到期（最迟至 {until.isoformat()}）"
            return [(source, Finding("invalid_certificate",
                                     f"商品自述证书{said}，发现商品之日（{on.isoformat()}）"
                                     f"证书已过期：“{text[m.start():m.end()]}”", m.span()))]
    return []


def certification_findings(fields: Iterable[tuple[str, str]], numbers: Iterable[tuple[str, str, str]],
                           category: str, on: date, scope: Scope | None = None) -> list[tuple[str, Finding]]:
    """invalid_certificate findings as (field source, Finding) pairs, the span in that field's text.

    `fields`: (source, text) pairs as the rules read them (the title first); `numbers`:
    (source, text, number) for each well-formed 16-digit CCC number cited in a field.
    """
    if category == "not_fire":
        return []
    scope = scope or load_scope()
    fields = list(fields)
    title = next((t for s, t in fields if s == "title"), "")
    found: list[tuple[str, Finding]] = []
    entry = scope.outside(category, title, on)
    if entry is not None:
        # a listing that also says its certificate is a voluntary one (0.6/1kV 电缆按标准自愿认证) explains a loose
        # claim in its title or text; an explicit one in the attributes (认证：3C强制认证, 3C证书编号 + a number of
        # the CCC form) stands unless that attribute itself names the voluntary certificate
        explained = any(c in normalize(t) for _, t in fields for c in scope.voluntary_cues)
        cited = {source for source, _, _ in numbers}
        for source, text in fields:
            spans = ccc_claims(text, scope)
            if spans and (not explained or _explicit_claim(source, text, spans, source in cited, scope)):
                found.append((source, _scope_finding(text, spans[0], entry, category, on)))
                break
    for source, text, number in numbers:
        # the digits of a number cited in groups (2023-0109-1807-0001): year, body and category by position
        problem = _number_problem(ccc_digits(number, scope.digits) or number, category, on, scope)
        if problem:
            found.append((source, Finding("invalid_certificate",
                                          f"{problem}（编号格式正确本身不能证明证书有效）", locate(text, number))))
            break
    if not found:
        found += (claimed_number_findings(fields, scope) or expiry_findings(fields, on, scope)
                  or product_findings(fields, category, scope) or model_findings(fields, scope))
    return found


# (review 37) a product named only as what the certificate's product serves (灭火器用水成膜泡沫, 隔热型复合玻璃（防火门、防火窗
# 用）, 适用于防火门) or as another item the shop holds a certificate for besides (3C（同厂另有灭火器证书）) is not the
# certificate's product: not 通用 (灭火器通用证书) nor 用的 (烟感用的那张)
_SERVES_AFTER = re.compile(r"(?:[、/和及与][^、/和及与，,;；()（）]{1,6}?)*专?用(?![的途])|[^，,;；()（）]{0,2}另(?:附|有|配|售)")
_SERVES_BEFORE = re.compile(r"(?:适用于|用于|适配|另有|另附|另配|另售|另外有|还有|也有)[^，,;；()（）]{0,8}$")


def _names(value: str, words: tuple[str, ...]) -> bool:
    """Whether `value` names a product by one of `words`, not only as what another product serves or a further item."""
    for w in words:
        at = value.find(w)
        while at >= 0:
            if not (_SERVES_AFTER.match(value, at + len(w)) or _SERVES_BEFORE.search(value, max(0, at - 12), at)):
                return True
            at = value.find(w, at + 1)
    return False


def _other_product(value: str, category: str, scope: Scope) -> str | None:
    """The category whose family words `value` (a certificate's product) names, when it names none of `category`'s."""
    own = scope.product_families[category]
    if any(w in value for w in own):
        return None
    return next((c for c, ws in scope.product_families.items() if c != category and _names(value, ws)), None)


def product_findings(fields: Iterable[tuple[str, str]], category: str, scope: Scope | None = None) -> list[tuple[str, Finding]]:
    """A certificate the listing names as issued for another product (证书产品：手提式干粉灭火器 on a smoke alarm, 证书上的
    产品是感烟探测器 on a respirator): the product's own family words (`certificates.yaml` certificate_product) absent
    and another CCC family's present. Only the families listed are judged."""
    scope = scope or load_scope()
    if not scope.product_on or category not in scope.product_families or category == "not_fire":
        return []
    fields = list(fields)
    title = next((normalized(text) for source, text in fields if source == "title"), "")
    for source, text in fields:
        if "证书" not in text and "认证" not in text and "获证" not in text and "报告" not in text:
            continue
        values: list[str] = []
        if source.startswith("attributes."):
            raw_key = source.removeprefix("attributes.")
            if normalize(raw_key).strip() in scope.product_keys:
                values.append(normalize(text[len(raw_key):]).lstrip(" :："))
        if scope.product_cue is not None:
            # (review 37) not a certificate's product a buyer asks about (请问证书上的产品是灭火器吗？客服：不是; 有人问证书覆盖的
            # 是不是水带，不是), unless a bare yes takes it up (问：证书是灭火器的吗？答：是的)
            values += [m.group(1) for m in scope.product_cue.finditer(without_questions(normalized(text), keep_affirmed=True))]
        for value in values:
            other = _other_product(value, category, scope)
            if other:
                return [(source, Finding("invalid_certificate",
                                         f"所称证书的产品为“{value.strip()}”（{category_name(other)}），"
                                         f"不是本商品（{category_name(category)}）的证书", locate(text, value.strip())))]
            variant = _other_variant(value, title, category)
            if variant:
                return [(source, Finding("invalid_certificate",
                                         f"所称证书的产品为“{value.strip()}”（{variant[0]}：{variant[1]}），与本商品标题所写"
                                         f"（{variant[2]}）不同：证书只覆盖其所列产品", locate(text, value.strip())))]
    return []


def _other_variant(value: str, title: str, category: str) -> tuple[str, str, str] | None:
    """(family name, the certificate's value, the title's value) when a certificate's product (独立式感温火灾探测报警器) names
    one value of a word family and the goods' title another (感烟): a product of the same category, not these goods
    (session 38). A value a family says holds the other (钢木质 holds 钢质) is no other product."""
    if not title:
        return None
    facts = load_facts()
    families = enforced_families(facts.get("word_families") or {})
    cert, own = word_values(value, facts), word_values(title, facts)
    for family, named in cert.items():
        goods = own.get(family)
        if category not in (families.get(family, {}).get("categories") or ()):
            continue
        if len(named) != 1 or not goods or len(goods) != 1 or named.keys() == goods.keys():
            continue
        (x, word), (y, goods_word) = next(iter(named.items())), next(iter(goods.items()))
        if one_includes(family, {x}, {y}):
            continue
        return families.get(family, {}).get("name", family), word, goods_word
    # an extinguisher's agent or model code (证书产品：手提式二氧化碳灭火器 on a 干粉 title, MFZ/ABC4 on an MFZ/ABC8 one)
    if category != "portable_extinguisher":
        return None
    cert_specs, own_specs = parse_specs(value), parse_specs(title)
    agents, own_agents = set(cert_specs.get("agents_stated") or ()), set(own_specs.get("agents_stated") or ())
    if len(agents) == 1 and len(own_agents) == 1 and agents != own_agents and not compatible_agents(agents | own_agents):
        return "灭火剂", _AGENT_NAMES.get(next(iter(agents)), ""), _AGENT_NAMES.get(next(iter(own_agents)), "")
    codes = {c["code"] for c in cert_specs.get("extinguisher_codes") or ()}
    own_codes = {c["code"] for c in own_specs.get("extinguisher_codes") or ()}
    if len(codes) == 1 and len(own_codes) == 1 and codes != own_codes:
        return "型号", next(iter(codes)), next(iter(own_codes))
    return None


_AGENT_NAMES = {"dry_powder": "干粉", "co2": "二氧化碳", "water": "水基", "foam": "泡沫", "clean_agent": "洁净气体"}


# the certificate's model and the goods' own, said apart (证书的产品型号是JTY-GD-3000，本款型号SD-18): read on normalised text
_CERT_MODEL_RE = re.compile(r"(?:证书|认证)[^，,。；;！!？?]{0,8}?型号(?:是|为|[:：])?\s*+([a-z][a-z0-9\-/]{2,19})"
                            r"[^。！!？?]{0,12}?(?:本款|本品|此款|这款|我们这款|实际|实物)的?型号(?:是|为|[:：])?\s*+"
                            r"([a-z][a-z0-9\-/]{2,19})")
_CODE_MARKS = re.compile(r"[\s\-/]+")


# the rest of a code written with spaces (JTY GD SD18)
_CODE_REST = re.compile(r"(?:\s[a-z0-9][a-z0-9\-/]{0,9}){1,3}")


def _same_model(a: str, b: str) -> bool:
    """Whether two model codes name one product: equal but for spaces, hyphens and slashes, or one the other less
    its series prefix (JTY-GD-SD18 and SD18)."""
    a, b = _CODE_MARKS.sub("", a), _CODE_MARKS.sub("", b)
    return a.endswith(b) or b.endswith(a)


def model_findings(fields: Iterable[tuple[str, str]], scope: Scope | None = None) -> list[tuple[str, Finding]]:
    """invalid_certificate for a certificate whose model the listing gives beside a different model of its own goods
    (证书的产品型号是JTY-GD-3000，本款型号SD-18), or apart from the goods' model row (型号：MFZ/ABC8; 证书上的型号是MFZ/ABC4):
    the certificate covers another product. The fact `product_findings` reads (a certificate covers what it lists),
    behind the same switch (`certificate_product`)."""
    scope = scope or load_scope()
    if not scope.product_on:
        return []
    fields = list(fields)
    for source, text in fields:
        if "型号" not in text:
            continue
        norm = normalized(text)
        m = _CERT_MODEL_RE.search(norm)
        rest = m and _CODE_REST.match(norm, m.end())
        if m and not _same_model(m.group(1), m.group(2) + (rest.group() if rest else "")):
            return [(source, Finding("invalid_certificate",
                                     f"所称证书的产品型号（{text[m.start(1):m.end(1)]}）与本商品型号（{text[m.start(2):m.end(2)]}）"
                                     "不同：证书只覆盖其所列型号", m.span()))]
    return _model_row_findings(fields)


# (session 38) the goods' own model row (型号：MFZ/ABC8, 规格型号 JTY-GD-SD18), and a certificate's model said in prose
# or in a row of its own (证书上的型号是MFZ/ABC4, 3C证书型号：MFZ/ABC4), not in a buyer's question
_MODEL_KEYS = frozenset({"型号", "规格型号", "型号规格", "产品型号", "商品型号"})
_CODE_RE = re.compile(r"[a-z][a-z0-9\-/]{2,19}")
_CERT_ONLY_MODEL_RE = re.compile(r"(?:证书|认证)[^，,。；;！!？?]{0,8}?型号(?:是|为|[:：])?\s*+([a-z][a-z0-9\-/]{2,19})")
# (review 38) a part of a kit named between the certificate and its model (配套的3C认证电磁阀型号是DN15): the part's model
_PART_BETWEEN_RE = re.compile(r"电磁阀|机械手|阀门|适配器|电源|电池|控制器|配件|箱")
# (review 38) a range of models (MFZ/ABC1-8, MFZ/ABC1~MFZ/ABC8, MFZ/ABC1至ABC8): the goods' model judged against it
_RANGE_IN_CODE_RE = re.compile(r"(.*?[a-z])(\d{1,3})-(\d{1,3})")
_RANGE_AFTER_RE = re.compile(r"\s*(?:~|～|至|到|—)\s*(?:[a-z][a-z\-/]{0,12})?(\d{1,3})(?![\d.])")
_LIST_RUN_RE = re.compile(r"(?:\s*(?:、|,|/|和|及|与|以及)\s*[a-z][a-z0-9\-/]{0,19})*")


def _model_row_findings(fields: list[tuple[str, str]]) -> list[tuple[str, Finding]]:
    """A certificate's model that differs from the model row the listing gives its goods."""
    own = None
    for source, text in fields:
        key = source.removeprefix("attributes.")
        if source.startswith("attributes.") and normalize(key).strip() in _MODEL_KEYS:
            own = _CODE_RE.match(normalize(text[len(key):]).lstrip(" :："))
            if own is not None:
                own_text = text[len(key):].strip(" :：")
                break
    if own is None:
        return []
    for source, text in fields:
        if "型号" not in text or not ("证书" in text or "认证" in text):
            continue
        norm = without_questions(normalized(text))
        m = _CERT_ONLY_MODEL_RE.search(norm)
        rest = m and _CODE_REST.match(norm, m.end())
        if m and not _same_model(m.group(1) + (rest.group() if rest else ""), own.group()) \
                and not _covers(norm, m, own.group()):
            return [(source, Finding("invalid_certificate",
                                     f"所称证书的产品型号（{text[m.start(1):m.end(1)]}）与本商品的型号（{own_text[:20]}）"
                                     "不同：证书只覆盖其所列型号", m.span(1)))]
    return []


def _covers(norm: str, m: re.Match, own: str) -> bool:
    """(review 38) Whether the certificate's model `m` names the goods' model `own` after all: a part's model named between
    (配套的3C认证电磁阀型号是DN15), a list or series of models holding the goods' model (证书型号：MFZ/ABC1、MFZ/ABC4…;
    JTY-GD-H388/H388A系列; not a clause after it, 证书型号是MFZ/ABC4，本店卖的是MFZ/ABC8), or a range holding its number
    (MFZ/ABC1-8, MFZ/ABC1~MFZ/ABC8)."""
    if _PART_BETWEEN_RE.search(norm, m.start(), m.start(1)):
        return True
    listed = _CODE_MARKS.sub("", norm[m.start(1):_LIST_RUN_RE.match(norm, m.end(1)).end()])
    if re.search(re.escape(_CODE_MARKS.sub("", own)) + r"(?!\d)", listed):
        return True
    code = m.group(1)
    ranged = _RANGE_IN_CODE_RE.fullmatch(code)
    after = None if ranged else _RANGE_AFTER_RE.match(norm, m.end(1))
    if ranged:
        prefix, low, high = ranged.group(1), int(ranged.group(2)), int(ranged.group(3))
    elif after:
        lead = re.fullmatch(r"(.*?)(\d{1,3})", code)
        if lead is None:
            return False
        prefix, low, high = lead.group(1), int(lead.group(2)), int(after.group(1))
    else:
        return False
    mine = re.fullmatch(r"(.*?)(\d{1,3})", _CODE_MARKS.sub("", own))
    return mine is not None and _same_model(_CODE_MARKS.sub("", prefix), mine.group(1)) and low <= int(mine.group(2)) <= high


def voluntary_numbers(fields: Iterable[tuple[str, str]], numbers: Iterable[tuple[str, str]], category: str,
                      on: date, scope: Scope | None = None) -> set[str]:
    """Of the cited numbers that are not of the CCC form ((source, number) pairs), those cited as
    voluntary certificates: the product is outside CCC on `on`, and the number's field names a
    voluntary certificate (自愿性, CCCF ...) or the listing claims no CCC anywhere. (On a product
    under CCC, or of unknown regime, a number of another form stays a CCC form problem.)"""
    numbers = list(numbers)
    if not numbers:
        return set()
    scope = scope or load_scope()
    fields = list(fields)
    texts = dict(fields)
    if scope.outside(category, texts.get("title", ""), on) is None:
        return set()
    claims = any(ccc_claims(t, scope) for _, t in fields)
    return {number for source, number in numbers
            if not claims or any(c in normalize(texts.get(source, "")) for c in scope.voluntary_cues)}


def voluntary_registry_finding(number: str, record: dict[str, Any] | None, on: date,
                               text: str) -> Finding | None:
    """invalid_certificate for a voluntary certificate number the imported registry lacks, or holds
    withdrawn or expired (the registry keys every scheme's numbers alike: half-width, upper case)."""
    span = locate(text, number)
    if record is None:
        return Finding("invalid_certificate", f"自愿性认证证书编号 {number} 在导入的证书库中查无记录"
                       "（自愿性认证证书应在全国认证认可信息公共服务平台或发证机构网站核实）", span)
    status = str(record.get("status") or "valid")
    if status not in ("valid", "unknown"):
        label = _STATUS_NAMES.get(status) or record.get("status_text") or status
        return Finding("invalid_certificate", f"自愿性认证证书编号 {number} 在证书库中的状态为“{label}”", span)
    expires = record.get("expires_on")
    if isinstance(expires, str) and expires:
        expires = date.fromisoformat(expires[:10])
    if isinstance(expires, date) and expires < on:
        return Finding("invalid_certificate", f"自愿性认证证书编号 {number} 已于 {expires.isoformat()} 到期"
                       f"（发现商品之日为 {on.isoformat()}）", span)
    return None
