"""Specification parser and checks: model codes, weights, ratings, standards, certificates.

`parse_specs(text)` pulls what a listing states about itself (extinguisher codes such as
MFZ/ABC4, weights, TZL minutes, fire-door and fire-glass ratings, sprinkler temperature
and bulb colour, cited GB standards, certificate numbers, pack size). `check_specs` and
`check_certificates` compare those statements with the facts in `data/specs.yaml` and
return `(code, evidence)` pairs: spec_mismatch, substandard_spec, invalid_certificate.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .exceptions import DataFileError
from .tokenize import normalize

logger = logging.getLogger(__name__)

SPECS_PATH = Path(__file__).parent / "data" / "specs.yaml"

_EXT_RE = re.compile(r"(?<![a-z])m(sw|f|t|p|s|j)(tz|z|t)?(?:/([a-z]+))?(\d+(?:\.\d+)?)(?![\d.a-z])")
_WEIGHT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|公斤|千克|斤)(?![a-z])")
_VOLUME_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(l|升)(?![a-z])")
_TZL_RE = re.compile(r"tzl\s*-?\s*(\d+)")
_STD_RE = re.compile(r"(?:gb|xf|ga)\s*/?\s*t?\s*(\d{3,5}(?:\.\d+)?)\s*[-—–]\s*(\d{4})")
_DOOR_CODE_RE = re.compile(r"(?<![a-z])(gfm|mfm|gmfm)-?[0-9a-z]*(?:-[0-9a-z]+)*")
_HOURS_RE = re.compile(r"(?<![a-z0-9])a([0-3]\.\d{1,2})(?!\d)")
_GLASS_RE = re.compile(r"(ffb|dfb)-(\d+)-([ac])(\d\.\d{1,2})")
_TEMP_RE = re.compile(r"(\d{2,3})\s*(?:℃|°c|度)")
_COLOUR_RE = re.compile(r"(橙|红|黄|绿|蓝|紫)色")
_GRADE_RE = re.compile(r"(甲级|乙级|丙级)")
_PACK_RE = re.compile(r"(\d{1,3})\s*(?:只|个|瓶|具|支|条|套|件|台)\s*装|装\s*(\d{1,3})\s*(?:只|个|瓶|具)")
_CERT_VALUE = r"\s*[:：]?\s*(?:no\.?\s*)?([0-9a-z][0-9a-z-]{3,30})"


@lru_cache(maxsize=8)
def load_facts(path: str = str(SPECS_PATH)) -> dict[str, Any]:
    """The spec facts (cached per path)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot read spec facts {path}: {exc}") from exc


def _cert_re(facts: dict[str, Any]) -> re.Pattern:
    cues = sorted((normalize(c) for c in facts["ccc_certificate"]["cues"]), key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(c) for c in cues) + ")" + _CERT_VALUE)


def parse_specs(text: str, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the text states about its specification (normalised values)."""
    facts = facts or load_facts()
    norm = normalize(text)
    agents = facts["extinguisher"]["agents"]
    kg_agents = set(facts["extinguisher"]["kg_agents"])
    specs: dict[str, Any] = {}
    ext = []
    for m in _EXT_RE.finditer(norm):
        agent = agents.get(m.group(1), m.group(1))
        ext.append({"code": m.group(0).upper(), "agent": agent, "structure": m.group(2) or "",
                    "feature": (m.group(3) or "").upper(), "amount": float(m.group(4)),
                    "unit": "kg" if agent in kg_agents else "L"})
    if ext:
        specs["extinguisher_codes"] = ext
    weights = [float(v) * (0.5 if u == "斤" else 1.0) for v, u in _WEIGHT_RE.findall(norm)]
    if weights:
        specs["weights_kg"] = weights
    volumes = [float(v) for v, _ in _VOLUME_RE.findall(norm)]
    if volumes:
        specs["volumes_l"] = volumes
    tzl = [int(v) for v in _TZL_RE.findall(norm)]
    if tzl:
        specs["tzl_minutes"] = tzl
    standards = [f"{num}-{year}" for num, year in _STD_RE.findall(norm)]
    if standards:
        specs["standards"] = standards
    grades = _GRADE_RE.findall(norm)
    if grades:
        specs["door_grades"] = sorted(set(grades))
    glass = [{"code": m.group(0).upper(), "thickness_mm": int(m.group(2)), "class": m.group(3).upper(),
              "hours": float(m.group(4))} for m in _GLASS_RE.finditer(norm)]
    if glass:
        specs["fire_glass"] = glass
    glass_spans = [m.span() for m in _GLASS_RE.finditer(norm)]
    hours = [float(m.group(1)) for m in _HOURS_RE.finditer(norm)
             if not any(s <= m.start() < e for s, e in glass_spans)]
    if hours:
        specs["rating_hours"] = hours
    doors = [m.group(0).upper() for m in _DOOR_CODE_RE.finditer(norm)]
    if doors:
        specs["door_codes"] = doors
    temps = [int(v) for v in _TEMP_RE.findall(norm)]
    if temps:
        specs["temperatures_c"] = temps
    colours = _COLOUR_RE.findall(norm)
    if colours:
        specs["colours"] = colours
    certs = [text[m.start(2):m.end(2)] for m in _cert_re(facts).finditer(norm)]
    if certs:
        specs["certificate_numbers"] = certs
    packs = [int(a or b) for a, b in _PACK_RE.findall(norm)]
    if packs and packs[0] > 0:
        specs["pack_qty"] = packs[0]
    return specs


def extinguisher_size(specs: dict[str, Any]) -> tuple[str | None, float | None]:
    """(agent, amount) when the listing states exactly one extinguisher size, else (agent, None)."""
    codes = specs.get("extinguisher_codes", [])
    agents = {c["agent"] for c in codes}
    amounts = {c["amount"] for c in codes}
    agent = agents.pop() if len(agents) == 1 else None
    if len(amounts) == 1:
        return agent, amounts.pop()
    if not codes:
        weights = set(specs.get("weights_kg", []))
        if len(weights) == 1:
            return agent, weights.pop()
        volumes = set(specs.get("volumes_l", []))
        if len(volumes) == 1 and not weights:
            return agent, volumes.pop()
    return agent, None


def _snippet(text: str, needle: str, width: int = 10) -> str:
    idx = normalize(text).find(normalize(needle))
    if idx < 0:
        return needle
    start, end = max(0, idx - width), min(len(text), idx + len(needle) + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _today(now: datetime | date | None) -> date:
    if now is None:
        return date.today()
    return now.date() if isinstance(now, datetime) else now


def check_specs(text: str, category: str, now: datetime | date | None = None,
                facts: dict[str, Any] | None = None,
                specs: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """spec_mismatch / substandard_spec findings as (code, evidence) pairs."""
    facts = facts or load_facts()
    specs = parse_specs(text, facts) if specs is None else specs
    found: list[tuple[str, str]] = []
    today = _today(now)

    if category in ("portable_extinguisher", "other_fire"):
        codes = specs.get("extinguisher_codes", [])
        amounts = {c["amount"] for c in codes}
        if len(amounts) == 1:
            code = codes[0]
            tol = facts["extinguisher"]["tolerance_kg"]
            stated = specs.get("weights_kg", []) if code["unit"] == "kg" else specs.get("volumes_l", [])
            if stated and not any(abs(w - code["amount"]) <= tol for w in stated):
                unit = code["unit"]
                w = stated[0]
                found.append(("spec_mismatch", f"{code['code']} means {code['amount']:g} {unit} but the "
                              f"listing states {w:g} {unit}: {_snippet(text, code['code'])}"))

    if category == "escape_respirator":
        allowed = set(facts["respirator"]["rated_minutes"])
        for minutes in specs.get("tzl_minutes", []):
            if minutes not in allowed:
                found.append(("substandard_spec", f"TZL{minutes}: rated minutes must be one of "
                              f"{sorted(allowed)}: {_snippet(text, f'tzl{minutes}')}"))
                break

    if category == "fire_door":
        grade_hours = facts["fire_door"]["grade_hours"]
        grades = specs.get("door_grades", [])
        hours = set(specs.get("rating_hours", []))
        if len(grades) == 1 and len(hours) == 1:
            h = hours.pop()
            if abs(grade_hours[grades[0]] - h) > 1e-6:
                found.append(("spec_mismatch", f"{grades[0]} means A{grade_hours[grades[0]]:.2f} but the "
                              f"listing states A{h:.2f}"))

    if category == "fire_glass":
        allowed_h = set(facts["fire_glass"]["hours"])
        for g in specs.get("fire_glass", []):
            if g["hours"] not in allowed_h:
                found.append(("substandard_spec", f"{g['code']}: fire-resistance hours must be one of "
                              f"{sorted(allowed_h)}"))
                break

    if category == "sprinkler":
        bulbs = {int(k): v for k, v in facts["sprinkler"]["bulb_colours"].items()}
        temps = {t for t in specs.get("temperatures_c", []) if t in bulbs}
        colours = set(specs.get("colours", []))
        if len(temps) == 1 and len(colours) == 1:
            t, c = temps.pop(), colours.pop()
            if bulbs[t] != c:
                found.append(("spec_mismatch", f"a {t}℃ bulb is {bulbs[t]}色, the listing says {c}色"))

    if category == "emergency_light":
        for battery in facts["emergency_light"]["banned_batteries"]:
            if battery in text:
                found.append(("substandard_spec", f"{battery} battery is banned by GB 17945-2024: "
                              f"{_snippet(text, battery)}"))
                break

    withdrawn = {w["number"]: w for w in facts.get("withdrawn_standards", [])}
    grace = timedelta(days=int(facts.get("withdrawn_grace_days", 0)))
    for std in specs.get("standards", []):
        entry = withdrawn.get(std)
        if entry and today >= date.fromisoformat(str(entry["withdrawn_on"])) + grace:
            found.append(("substandard_spec", f"cites GB {std}, withdrawn {entry['withdrawn_on']} "
                          f"(replaced by {entry['replaced_by']}): {_snippet(text, std)}"))
            break
    return found


def validate_ccc_number(number: str, now: datetime | date | None = None,
                        facts: dict[str, Any] | None = None) -> str | None:
    """Why `number` is not a well-formed CCC certificate number, or None if it is."""
    facts = facts or load_facts()
    rule = facts["ccc_certificate"]
    digits = rule["digits"]
    if not number.isdigit():
        return f"{number} is not all digits (a CCC number is {digits} digits)"
    if len(number) != digits:
        return f"{number} has {len(number)} digits, expected {digits} (year+body+category+serial)"
    year = int(number[:4])
    if not rule["min_year"] <= year <= _today(now).year:
        return f"{number} starts with year {year}, outside {rule['min_year']}..{_today(now).year}"
    return None


def check_certificates(text: str, now: datetime | date | None = None,
                       facts: dict[str, Any] | None = None,
                       numbers: list[str] | None = None) -> list[tuple[str, str]]:
    """invalid_certificate findings for certificate numbers cited in `text` (or given)."""
    facts = facts or load_facts()
    if numbers is None:
        numbers = parse_specs(text, facts).get("certificate_numbers", [])
    found = []
    for number in numbers:
        problem = validate_ccc_number(number, now, facts)
        if problem:
            found.append(("invalid_certificate", f"{_snippet(text, number)}: {problem}"))
    return found
