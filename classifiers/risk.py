"""Risk rules: lexicon phrases, spec and certificate checks, price floors and the watchlist.

`RiskRules` reads its knowledge from data files (`data/lexicon.yaml`, `data/specs.yaml`,
`data/price_priors.yaml`) so regulators can change it without a release, and turns a
`Listing` plus its predicted category into `Reason`s: each names a taxonomy reason
code, the matched text with some context, and the listing field it came from. Phrase
matches are cancelled by negating contexts (年检合格, 非二手, a toy's 道具). The text
risk model (`RiskTextModel`) and `Watchlist` live in their own modules and are
re-exported here.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from firewatch.models import Listing, Reason

from .exceptions import DataFileError
from .risk_model import TEXT_CODES, RiskTextModel
from .specs import SPECS_PATH, check_certificates, check_specs, extinguisher_size, load_facts, parse_specs
from .tokenize import normalize
from .watchlist import Watchlist, normalize_name

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.yaml"
PRICE_PRIORS_PATH = DATA_DIR / "price_priors.yaml"
REASON_CODES = ("inspection_only", "no_certification", "invalid_certificate", "refurbished",
                "price_too_low", "spec_mismatch", "substandard_spec", "prop_or_display",
                "no_manufacturer", "watchlist_seller")
CONTEXT_CHARS = 8

__all__ = ["RiskRules", "RiskTextModel", "Watchlist", "normalize_name", "REASON_CODES",
           "TEXT_CODES", "load_yaml"]


def load_yaml(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def _fmt_money(value: Decimal | float) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


class RiskRules:
    """Rule-based reasons for one listing; knowledge comes from the data files."""

    def __init__(self, lexicon: dict[str, Any] | None = None, facts: dict[str, Any] | None = None,
                 price_priors: dict[str, Any] | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_yaml(LEXICON_PATH)
        self.facts = facts if facts is not None else load_facts(str(SPECS_PATH))
        self.price_priors = price_priors if price_priors is not None else load_yaml(PRICE_PRIORS_PATH)
        self.window = int(self.lexicon.get("negation_window", 2))
        self.prefixes = [normalize(p) for p in self.lexicon.get("negating_prefixes", [])]
        self.reasons_cfg: dict[str, dict[str, Any]] = self.lexicon.get("reasons", {})
        unknown = set(self.reasons_cfg) - set(REASON_CODES)
        if unknown:
            raise DataFileError(f"lexicon names unknown reason codes: {sorted(unknown)}")
        self._patterns: dict[str, tuple[re.Pattern | None, re.Pattern | None]] = {}
        for code, cfg in self.reasons_cfg.items():
            phrases = sorted({normalize(p) for p in cfg.get("phrases", [])}, key=len, reverse=True)
            negs = sorted({normalize(p) for p in cfg.get("negations", [])}, key=len, reverse=True)
            self._patterns[code] = (
                re.compile("|".join(map(re.escape, phrases))) if phrases else None,
                re.compile("|".join(map(re.escape, negs))) if negs else None,
            )
        self.maker_keys = {normalize(k) for k in self.lexicon.get("maker_attributes", [])}
        self.watchlist_keys = {normalize(k) for k in self.lexicon.get("watchlist_attributes", [])}
        self.maker_none = {normalize(v) for v in self.lexicon.get("maker_none_values", [])}

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
    def _negated(self, norm: str, start: int, end: int, neg_re: re.Pattern | None) -> bool:
        for prefix in self.prefixes:
            lo = start - len(prefix)
            if lo >= 0 and norm[lo:start] == prefix:
                return True
            if lo - 1 >= 0 and norm[start - 1] == " " and norm[lo - 1:start - 1] == prefix:
                return True
        if neg_re is not None:
            for m in neg_re.finditer(norm):
                if m.start() < end and m.end() > start:  # overlaps
                    return True
                if 0 <= start - m.end() <= self.window:  # just before
                    return True
        return False

    def phrase_reasons(self, text: str, source: str, category: str) -> list[Reason]:
        """Lexicon phrase matches in one field's text, negating contexts removed."""
        norm = normalize(text)
        found = []
        for code, (pos_re, neg_re) in self._patterns.items():
            if pos_re is None or category in self.reasons_cfg[code].get("skip_categories", []):
                continue
            for m in pos_re.finditer(norm):
                if not self._negated(norm, m.start(), m.end(), neg_re):
                    found.append(Reason(code, _context(text, m.start(), m.end()), source))
                    break
        return found

    def maker_reasons(self, attributes: dict[str, str]) -> list[Reason]:
        """no_manufacturer when a maker attribute (品牌, 生产厂家 ...) says "none"."""
        for key, value in attributes.items():
            if normalize(key).strip() in self.maker_keys and normalize(str(value)).strip() in self.maker_none:
                return [Reason("no_manufacturer", f"{key}: {value}", f"attributes.{key}")]
        return []

    # -- price -------------------------------------------------------------------------
    def find_prior(self, category: str, specs: dict[str, Any]) -> dict[str, Any] | None:
        """The price prior for this category and stated size, else the category fallback."""
        priors = [p for p in self.price_priors.get("priors", []) if p.get("category") == category]
        if not priors:
            return None
        if category == "portable_extinguisher":
            agent, amount = extinguisher_size(specs)
            if amount is not None:
                agent = agent or ("dry_powder" if specs.get("weights_kg") else None)
                for p in priors:
                    if p.get("agent") == agent and float(p.get("amount", -1)) == amount:
                        return p
        for p in priors:
            if "agent" not in p and "amount" not in p:
                return p
        return None

    def price_reason(self, listing: Listing, category: str, specs: dict[str, Any]) -> list[Reason]:
        """price_too_low: unit price below `ratio` x the prior median."""
        cfg = self.price_priors
        price = listing.display_price
        if not cfg.get("enabled", True) or price is None or price <= 0:
            return []
        prior = self.find_prior(category, specs)
        if prior is None:
            return []
        qty = int(specs.get("pack_qty", 1) or 1)
        unit = Decimal(price) / qty
        median = Decimal(str(prior["median"]))
        ratio = float(unit / median)
        if ratio >= float(cfg.get("ratio", 0.3)):
            return []
        each = (f"{_fmt_money(price)} yuan for {qty} = {_fmt_money(unit)} yuan each" if qty > 1
                else f"{_fmt_money(unit)} yuan")
        text = f"{prior['label']}: prior median {prior['median']} yuan; this one {each} = {ratio:.2f}x"
        return [Reason("price_too_low", text, "price")]

    # -- watchlist ---------------------------------------------------------------------
    def watchlist_reasons(self, listing: Listing, watchlist: Watchlist | None) -> list[Reason]:
        if not watchlist:
            return []
        candidates = [("shop_name", listing.shop_name)]
        candidates += [(f"attributes.{k}", v) for k, v in (listing.attributes or {}).items()
                       if normalize(k).strip() in self.watchlist_keys]
        for source, value in candidates:
            hit = watchlist.match(value or "")
            if hit:
                return [Reason("watchlist_seller", f"{value} ~ watchlist: {hit}", source)]
        return []

    # -- all together ------------------------------------------------------------------
    def fields(self, listing: Listing) -> list[tuple[str, str]]:
        out = [("title", listing.title or "")]
        out += [(f"attributes.{k}", f"{k} {v}") for k, v in (listing.attributes or {}).items()]
        if listing.description:
            out.append(("description", listing.description))
        return [(s, t) for s, t in out if t]

    def check(self, listing: Listing, category: str, watchlist: Watchlist | None = None,
              now: datetime | date | None = None) -> tuple[list[Reason], dict[str, Any]]:
        """All rule reasons (one per code, first field wins) and the parsed specs."""
        fields = self.fields(listing)
        reasons: list[Reason] = []
        for source, text in fields:
            reasons += self.phrase_reasons(text, source, category)
        reasons += self.maker_reasons(listing.attributes or {})
        # specs: from the title first; attributes and description fill the gaps
        specs = parse_specs(listing.title or "", self.facts)
        for source, text in fields:
            if source == "title":
                spec_found = check_specs(text, category, now, self.facts, specs)
            else:
                spec_found = check_specs(text, category, now, self.facts)
                for key, value in parse_specs(text, self.facts).items():
                    specs.setdefault(key, value)
            spec_found += check_certificates(text, now, self.facts)
            reasons += [Reason(code, ev, source) for code, ev in spec_found]
        reasons += self.price_reason(listing, category, specs)
        reasons += self.watchlist_reasons(listing, watchlist)
        unique: dict[str, Reason] = {}
        for r in reasons:
            unique.setdefault(r.code, r)
        return list(unique.values()), specs
