"""What an evidence pack says about one listing besides its capture files.

`history_csv(snapshots)` (formula-safe, UTF-8 with BOM) and `price_chart_png(snapshots, title)` show
its observed history; `capture_record(evidence, ...)` gathers what a notarised capture record notes;
`assessment_record(assessment)` adds the reasons' plain-Chinese names to the judgement;
`provenance_record(sources)` lists where the listing came from (crawl run, report file and row,
assistance reply, tip receipt) with first and last seen in UTC and 北京时间, and
`assistance_record(replies)` the platform's enforcement-assistance replies without the personal
fields (`alerts.assist_fields.PACK_EXCLUDED`: contact person, phone, parcel numbers).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from firewatch.core.cells import csv_cell
from firewatch.core.plotting import pyplot
from firewatch.core.clock import BEIJING_LABEL, iso, show_time, to_beijing
from firewatch.core.labels import LEAD_SOURCE_NAMES, category_name, reason_name
from firewatch.core.models import Evidence, Snapshot, to_jsonable

from alerts.assist_fields import FIELD_BY_KEY, PACK_EXCLUDED

HISTORY_COLUMNS = [("observed_at", "观察时间(UTC)"), ("price", "价格(元)"), ("title", "标题"),
                   ("stock", "库存"), ("status", "状态"), ("content_hash", "内容哈希")]
_CAPTURE_FIELDS = ("started_at", "server_port", "tls", "viewport", "locale", "status_text", "response_url",
                   "network_settled", "settle_ms", "aborted_requests", "failed_requests", "attempts",
                   "page_height", "screenshot_height", "screenshot_truncated", "cjk_font_families",
                   "software", "format", "warc_exchanges")


def history_csv(snapshots: Sequence[Snapshot]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([f"{label} {key}" for key, label in HISTORY_COLUMNS])
    for s in snapshots:
        writer.writerow([s.observed_at.isoformat() if s.observed_at else "",
                         "" if s.price is None else str(s.price), csv_cell(s.title),
                         "" if s.stock is None else s.stock, s.status, s.content_hash])
    return buf.getvalue().encode("utf-8-sig")


def price_chart_png(snapshots: Sequence[Snapshot], title: str) -> bytes:
    """PNG of price over time (a step line); an empty chart saying so when no price was seen."""
    plt = pyplot()
    # people read the axis in Beijing time (naive: matplotlib would show aware times in UTC)
    points = [(to_beijing(s.observed_at).replace(tzinfo=None), float(s.price))
              for s in snapshots if s.price is not None and s.observed_at]
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    try:
        if points:
            xs, ys = zip(*points)
            ax.step(xs, ys, where="post", marker="o", color="#b22222")
            ax.set_ylim(bottom=0, top=max(ys) * 1.2 or 1)
            fig.autofmt_xdate()
        else:
            ax.text(0.5, 0.5, "无价格记录 no price observed", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title[:60].replace("$", r"\$"), fontsize=10)  # no mathtext from seller text
        ax.set_ylabel("价格（元）")
        ax.set_xlabel(f"观察时间（{BEIJING_LABEL}）")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        buf = io.BytesIO()
        # no timestamp in the PNG metadata, so the same history gives the same bytes
        fig.savefig(buf, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def capture_record(evidence: Evidence, capture_manifest: bytes | None, time_source: str) -> dict[str, Any]:
    """The capture's circumstances, for people and for the report."""
    extra: Mapping[str, Any] = {}
    if capture_manifest:
        try:
            loaded = json.loads(capture_manifest)
            extra = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            extra = {}
    record = {
        "platform": evidence.platform,
        "listing_id": evidence.listing_id,
        "captured_at": evidence.captured_at,
        "time_source": time_source,
        "url": evidence.url,
        "final_url": evidence.final_url,
        "http_status": evidence.http_status,
        "server_ip": evidence.server_ip,
        "user_agent": evidence.user_agent,
        "browser_version": evidence.browser_version,
        "capture_manifest_sha256": evidence.manifest_sha256,
        "artefacts": [{"name": a.name, "sha256": a.sha256, "size": a.size, "media_type": a.media_type}
                      for a in evidence.artefacts],
    }
    record.update({k: extra[k] for k in _CAPTURE_FIELDS if k in extra})
    return to_jsonable(record)


def assessment_record(assessment: Any) -> dict[str, Any]:
    """The assessment as JSON, with each reason's plain-Chinese name and the category's."""
    if assessment is None:
        return {}
    data = assessment.to_dict() if hasattr(assessment, "to_dict") else to_jsonable(dict(assessment))
    for reason in data.get("reasons", []) or []:
        if isinstance(reason, dict) and "code" in reason:
            reason.setdefault("name_zh", reason_name(str(reason["code"])))
    if data.get("category"):
        data.setdefault("category_name_zh", category_name(str(data["category"])))
    return data


# what of a source's detail a pack may carry (an allow-list: anything else, a person's contact data
# included, stays in the store); a tip is sealed as a tip only, without the receipt that opens its status page
_PACK_DETAIL = {"run", "file", "row", "request", "request_number", "number"}
_PACK_NESTED = {"seller": {"operator", "credit_code", "address", "shop_url", "annual_sales_flag"},
                "lead": {"suspicion", "period", "note"}}


def _pack_detail(detail: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in detail.items() if k in _PACK_DETAIL}
    for key, allowed in _PACK_NESTED.items():
        if isinstance(detail.get(key), dict):
            kept[key] = {k: v for k, v in detail[key].items() if k in allowed}
    return kept


def provenance_record(sources: Sequence[Any]) -> list[dict[str, Any]]:
    """The listing's sources (`firewatch.core.models.Source`), first seen first, times in UTC and Beijing time."""
    records = []
    for s in sources:
        detail = _pack_detail(s.detail or {}) if s.kind != "tip" else {}
        records.append({"kind": s.kind, "kind_zh": LEAD_SOURCE_NAMES.get(s.kind, s.kind), "name": s.name,
                        "ref": "" if s.kind == "tip" else s.ref,
                        "detail": to_jsonable(detail), "first_seen": iso(s.first_seen), "last_seen": iso(s.last_seen),
                        "first_seen_beijing": show_time(s.first_seen, seconds=True),
                        "last_seen_beijing": show_time(s.last_seen, seconds=True)})
    return records


def assistance_record(replies: Sequence[Any]) -> list[dict[str, Any]]:
    """The listing's assistance replies (`firewatch.store.assist.AssistReply`) as packs carry them."""
    records = []
    for r in replies:
        fields = {k: v for k, v in r.fields.items() if k not in PACK_EXCLUDED}
        records.append({"request_number": r.request_number, "platform": r.platform, "listing_id": r.listing_id,
                        "shop_id": r.shop_id, "shop_name": r.shop_name, "operator_name": r.operator_name,
                        "credit_code": r.credit_code, "fields": to_jsonable(fields),
                        "labels_zh": {k: FIELD_BY_KEY[k].header for k in fields if k in FIELD_BY_KEY},
                        "file_name": r.file_name, "file_sha256": r.file_sha256, "file_row": r.file_row,
                        "imported_at": iso(r.imported_at), "imported_at_beijing": show_time(r.imported_at, seconds=True),
                        "omitted_personal_fields": [k for k in PACK_EXCLUDED if k in r.fields]})
    return records
