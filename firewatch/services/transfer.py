"""The case-transfer package (案件移送材料) for the police or another authority.

`export_transfer(settings, store, case_id, out_path, recipient=..., operator=...)` writes one ZIP:
the case's signed evidence pack (`services.evidence`), the transfer letter (移送函) and the subjects'
record (当事人情况) each as HTML and PDF, and `manifest.json` with every file's SHA-256 and size, the
case, the recipient, who made it and when. The subjects are the penalties' subjects, then the sellers
the store knows for the listings (shop licences, platform reports, assistance replies: `case_subjects`),
then, for listings no one is known for, their shops. Every listing needs a capture (the pack refuses
otherwise, saying what to run). The ZIP appears whole or not at all (written beside, then renamed).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from alerts.notices import NoticeConfig
from alerts.takedown import takedown_row
from alerts.transfer import subjects_html, to_pdf, transfer_html
from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.exceptions import InvalidRecord, NotFoundError
from firewatch.core.files import sha256_file
from firewatch.core.labels import PLATFORM_NAMES
from firewatch.core.settings import Settings
from firewatch.services.evidence import default_operator, export_evidence_pack, local_fingerprint
from firewatch.services.penalties import case_subjects

Key = tuple[str, str]
MANIFEST_SCHEMA = "firewatch.transfer/1"


@dataclass(frozen=True)
class TransferResult:
    path: Path
    number: str
    listings: int
    subjects: int
    files: dict[str, str]  # name -> SHA-256


def transfer_number(case_id: int, day: Any) -> str:
    return f"FW-YS-{int(case_id):05d}-{day:%Y%m%d}"


def _subjects(store, keys: list[Key], rows: dict[Key, dict[str, Any]], penalties: list[Any]) -> list[dict[str, Any]]:
    """Who is behind the listings: penalty subjects, known sellers, else the shops; each with its rows."""
    subjects: dict[tuple[str, str], dict[str, Any]] = {}
    covered: set[Key] = set()

    def add(name: str, code: str, source: str, listing_keys) -> dict[str, Any]:
        s = subjects.setdefault((name, code), {"name": name, "credit_code": code, "sources": [], "keys": [],
                                               "penalties": []})
        if source not in s["sources"]:
            s["sources"].append(source)
        for k in listing_keys:
            if k in rows and k not in s["keys"]:
                s["keys"].append(k)
                covered.add(k)
        return s

    for p in penalties:
        add(p.subject_name, p.credit_code, "行政处罚决定", p.listings)["penalties"].append(p)
    for s in case_subjects(store, keys):
        add(s.name, s.credit_code, s.source, s.listings)
    for k in keys:
        if k not in covered:
            r = rows[k]
            shop = r["shop_name"] or r["shop_id"] or "（未知店铺）"
            add(f"{PLATFORM_NAMES.get(r['platform'], r['platform'])}店铺：{shop}", "", "店铺（经营者未知）", [k])
    return [dict(s, rows=[rows[k] for k in s["keys"]]) for s in subjects.values()]



def export_transfer(settings: Settings, store, case_id: int, out_path: str | Path, *, recipient: str,
                    operator: str | None = None, pack: Path | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> TransferResult:
    """Write the transfer package of case `case_id` to `out_path` (a ZIP). `pack`: an evidence pack of
    the case's listings as they are now, already made (the web app's background export); else one is made."""
    case = store.reviews.get_case(case_id)
    if case is None:
        raise NotFoundError(f"没有案件 {case_id}")
    if not recipient.strip():
        raise InvalidRecord(["请写明接收材料的机关（移送给谁），如：某某市公安局"])
    keys = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id)]
    if not keys:
        raise InvalidRecord([f"案件 {case_id} 中还没有商品：请先把涉案商品加入案件"])
    listings = store.listings.get_listings(keys)
    assessments = store.assessments.get_assessments(keys)
    missing = [f"{p}:{i}" for p, i in keys if (p, i) not in listings or (p, i) not in assessments]
    if missing:
        raise NotFoundError("这些商品在库中没有商品记录或评估：" + "、".join(missing[:10]) + "；请先运行 firewatch process")
    decisions = store.reviews.latest_decisions(keys)
    rows = {k: takedown_row(store, listings[k], assessments[k], decisions.get(k)) for k in keys}
    penalties = store.penalties.of_case(case_id)
    subjects = _subjects(store, keys, rows, penalties)
    operator = operator or default_operator()
    now = utcnow()
    number = transfer_number(case_id, to_beijing(now))
    config = NoticeConfig.from_settings(settings)
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="transfer-", dir=out_path.parent) as tmp:
        work = Path(tmp)
        pack_name = f"证据包-案件{int(case_id)}.zip"
        if pack is not None:
            shutil.copyfile(pack, work / pack_name)
        else:
            export_evidence_pack(settings, store, keys, work / pack_name, operator=operator,
                                 case=f"{case['title']}（案件 {case_id}）", progress=progress)
        pack = {"name": pack_name, "sha256": sha256_file(work / pack_name), "fingerprint": local_fingerprint(settings)}
        context = {"case": case, "number": number, "issued_at": now, "recipient": recipient.strip(),
                   "sender_org": config.sender_org, "sender_contact": config.sender_contact, "operator": operator,
                   "rows": list(rows.values()), "penalties": penalties, "subjects": subjects, "pack": pack}
        documents = {"移送函": transfer_html(context), "当事人情况": subjects_html(context)}
        for name, html in documents.items():
            (work / f"{name}.html").write_text(html, encoding="utf-8")
            (work / f"{name}.pdf").write_bytes(to_pdf(html, settings.capture.chromium))
        names = [pack_name] + [f"{n}.{ext}" for n in documents for ext in ("pdf", "html")]
        files = {n: sha256_file(work / n) for n in names}
        record = {"schema": MANIFEST_SCHEMA, "number": number, "case": {"id": int(case_id), "title": case["title"]},
                  "recipient": recipient.strip(), "sender": config.sender_org, "operator": operator,
                  "generated_at": to_beijing(now).isoformat(timespec="seconds"), "listings": len(keys),
                  "subjects": [{"name": s["name"], "credit_code": s["credit_code"], "listings": len(s["rows"])}
                               for s in subjects],
                  "files": [{"name": n, "sha256": files[n], "size": (work / n).stat().st_size} for n in names]}
        part = out_path.with_name(out_path.name + ".part")
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for n in names:
                zf.write(work / n, n)
            zf.writestr("manifest.json", json.dumps(record, ensure_ascii=False, indent=2))
        os.replace(part, out_path)
    return TransferResult(out_path, number, len(keys), len(subjects), files)
