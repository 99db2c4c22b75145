"""Evidence packs: one ZIP per export, fixed by a manifest, a hash-chained custody log, a signature.

`write_pack(out_path, items, ...)` re-hashes each capture's artefacts against its `Evidence`, packs
them with the listing's records, manifest, custody log, optional timestamp and signature, writes the
ZIP atomically and returns the manifest (`PackError` on a bad item). `verify_pack(path)` checks one.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import platform as _platform
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from firewatch.core.files import atomic_writer
from firewatch.core.models import Evidence, to_jsonable

from alerts.exceptions import PackError
from alerts.pack_contents import (assessment_record, assistance_record, capture_record, history_csv, price_chart_png,
                                  provenance_record)
from alerts.pack_format import (CAPTURE_MANIFEST, CUSTODY, MANIFEST, PACK_FORMAT, PUBLIC_KEY, REPORT_HTML,
                                REPORT_PDF, SIGNATURE, TIMESTAMP, canonical, chain_entries, json_bytes, sha256,
                                signed_payload, utc_time)
from alerts.pack_verify import verify_pack as _verify
from alerts.report import render_report
from alerts.timestamp import token_info
from importlib.metadata import PackageNotFoundError, version

log = logging.getLogger(__name__)

_RESERVED = {"listing.json", "assessment.json", "capture.json", "capture-record.json", "history.csv",
             "price-chart.png", "provenance.json", "assistance.json", CAPTURE_MANIFEST}
DEFAULT_TIME_SOURCE = "本机系统时钟 (UTC) / host system clock"

__all__ = ["PackItem", "chain_entries", "main", "verify_pack", "write_pack"]


@dataclass
class PackItem:
    """One listing to pack: its listing and assessment (dicts or model objects), its
    `Evidence`, the folder holding the artefacts (default: `evidence.directory`), the
    content-addressed object store to read an artefact from when the folder lacks it
    (default: the `object_store` the capture's manifest names, relative to the folder;
    see `crawler.objects`), and optionally its snapshot history (for history.csv and the
    price chart), review decisions (shown in the report), its sources (provenance.json: crawl run,
    report file row, assistance reply, tip receipt) and its enforcement-assistance replies
    (assistance.json, without personal contact fields)."""

    listing: Mapping[str, Any] | Any
    assessment: Mapping[str, Any] | Any | None
    evidence: Evidence
    directory: str | os.PathLike[str] | None = None
    objects_dir: str | os.PathLike[str] | None = None
    snapshots: Sequence[Any] | None = None
    decisions: Sequence[Any] = field(default_factory=tuple)
    sources: Sequence[Any] | None = None
    assistance: Sequence[Any] | None = None
    extra_files: Sequence[tuple[str, bytes]] = ()  # (name inside the item's folder, bytes): e.g. OCR records

    @property
    def folder(self) -> str:
        """The item's folder name inside the pack."""
        raw = f"{self.evidence.platform}_{self.evidence.listing_id}"
        return "".join(c if (c.isalnum() or c in "-_.") else "_" for c in raw)


def _objects_dir(item: PackItem, directory: Path) -> Path | None:
    """The content-addressed object store the capture's manifest points to, if any."""
    if item.objects_dir is not None:
        return Path(item.objects_dir)
    try:
        manifest = json.loads((directory / CAPTURE_MANIFEST).read_bytes())
        relative = manifest.get("object_store")
    except (OSError, ValueError, AttributeError):
        return None
    return (directory / relative) if isinstance(relative, str) and relative else None


def _read_artefact(item: PackItem, directory: Path, art: Any) -> bytes:
    """An artefact's bytes: from the capture folder, else from the object store."""
    path = directory / art.name
    try:
        return path.read_bytes()
    except OSError as exc:
        objects = _objects_dir(item, directory)
        sha = str(art.sha256)
        if objects is not None and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha):
            try:
                return (objects / sha[:2] / sha).read_bytes()
            except OSError:
                pass
        raise PackError(f"{item.folder}: artefact missing: {path} ({exc})") from exc


def _item_files(item: PackItem) -> list[tuple[str, bytes]]:
    """The capture's files, re-hashed against the Evidence; PackError on any mismatch."""
    ev = item.evidence
    directory = Path(item.directory if item.directory is not None else ev.directory)
    files: list[tuple[str, bytes]] = []
    for art in ev.artefacts:
        if ("/" in art.name or "\\" in art.name or art.name in _RESERVED or art.name in ("", ".", "..")
                or any(ord(c) < 0x20 or ord(c) == 0x7F for c in art.name)):
            raise PackError(f"{item.folder}: unusable artefact name {art.name!r}")
        path = directory / art.name
        data = _read_artefact(item, directory, art)
        if sha256(data) != art.sha256 or len(data) != art.size:
            raise PackError(f"{item.folder}: artefact altered since capture: {path}")
        files.append((art.name, data))
    manifest_path = directory / CAPTURE_MANIFEST
    if manifest_path.exists() or ev.manifest_sha256:
        try:
            data = manifest_path.read_bytes()
        except OSError as exc:
            raise PackError(f"{item.folder}: capture manifest missing: {manifest_path}") from exc
        if ev.manifest_sha256 and sha256(data) != ev.manifest_sha256:
            raise PackError(f"{item.folder}: capture manifest altered: {manifest_path}")
        files.append((CAPTURE_MANIFEST, data))
    return files


def _chronological(events: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Captures and review events in time order, each time in UTC; PackError when one is
    later than the packing (the clock went backwards) or unreadable."""
    for event in events:
        try:
            event["at"] = utc_time(event.get("at"))
        except ValueError as exc:
            raise PackError(f"custody event {event.get('action')!r} on {event.get('subject')!r}: {exc}") from exc
        if event["at"] > now:
            raise PackError(f"custody event {event.get('action')!r} on {event.get('subject')!r} at "
                            f"{event['at'].isoformat()} is later than the packing ({now.isoformat()}): check the clock")
    return sorted(events, key=lambda e: e["at"])


def _title(listing: Any) -> str:
    if isinstance(listing, Mapping):
        return str(listing.get("title", ""))
    return str(getattr(listing, "title", ""))


def _software() -> dict[str, str]:

    try:
        fw = version("firewatch")
    except PackageNotFoundError:
        fw = "unknown"
    return {"firewatch": fw, "python": sys.version.split()[0], "os": _platform.platform(),
            "host": _platform.node()}


def write_pack(
    out_path: str | os.PathLike[str],
    items: Sequence[PackItem],
    *,
    packed_by: str = "firewatch",
    custody_events: Iterable[Mapping[str, Any]] = (),
    clock: Callable[[], datetime] | None = None,
    operator: str | None = None,
    signer: Any | None = None,
    timestamper: Callable[[bytes], bytes] | None = None,
    tsa_url: str = "",
    chromium: str | None = None,
    time_source: str = DEFAULT_TIME_SOURCE,
    case: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Write the evidence pack for `items` to `out_path` atomically; return its manifest.

    `progress(done, total, stage)` is told after each listing is read and before the report, the
    signature and the writing (total: listings + 3); the file appears only whole (`.partial` first).

    `custody_events` (dicts with at, actor, action, subject, sha256, detail: reviews,
    decisions...) go into the custody log between the captures and the packing.
    `operator` (default `packed_by`) is who creates and exports the pack. `signer` is an
    `alerts.signing.PackSigner`; without one the pack is unsigned and `verify_pack`
    reports it. `timestamper(manifest_bytes)` returns an RFC 3161 token stored as
    manifest.tsr (`alerts.timestamp`); `tsa_url` names its authority in the custody log and
    the report. `chromium`: the browser that renders report.pdf (no report without it).
    Raises `PackError` if there is nothing to pack, two items share a listing, or a
    capture's files no longer match their hashes; `TimestampError` when a configured
    timestamp authority fails.
    """
    if not items:
        raise PackError("nothing to pack")
    operator = operator or packed_by
    now = utc_time((clock or (lambda: datetime.now(timezone.utc)))())
    time_source = time_source or DEFAULT_TIME_SOURCE
    members: list[tuple[str, bytes]] = []
    events: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    report_items: list[dict[str, Any]] = []
    seen: set[str] = set()
    steps = len(items) + 3

    def step(done: int, stage: str) -> None:
        if progress is not None:
            progress(done, steps, stage)

    for done, item in enumerate(items):
        step(done, f"读取取证文件 {done + 1}/{len(items)}")
        folder = item.folder
        if folder in seen:
            raise PackError(f"two items for the same listing folder {folder!r}")
        seen.add(folder)
        ev = item.evidence
        capture_files = _item_files(item)
        capture_manifest = dict(capture_files).get(CAPTURE_MANIFEST)
        record = capture_record(ev, capture_manifest, time_source)
        assessment = assessment_record(item.assessment)
        for name, data in capture_files:
            members.append((f"{folder}/{name}", data))
        members.append((f"{folder}/listing.json", json_bytes(item.listing)))
        members.append((f"{folder}/assessment.json", json_bytes(assessment)))
        members.append((f"{folder}/capture.json", json_bytes(ev)))
        members.append((f"{folder}/capture-record.json", json_bytes(record)))
        provenance = provenance_record(item.sources) if item.sources is not None else None
        assistance = assistance_record(item.assistance) if item.assistance is not None else None
        if provenance is not None:
            members.append((f"{folder}/provenance.json", json_bytes(provenance)))
        if assistance is not None:
            members.append((f"{folder}/assistance.json", json_bytes(assistance)))
        for name, data in item.extra_files:  # hashed and signed like every member
            members.append((f"{folder}/{name}", data))
        if item.snapshots is not None:
            members.append((f"{folder}/history.csv", history_csv(item.snapshots)))
            members.append((f"{folder}/price-chart.png", price_chart_png(item.snapshots, _title(item.listing))))
        summaries.append({"folder": folder, "platform": ev.platform, "listing_id": ev.listing_id, "url": ev.url,
                          "captured_at": to_jsonable(ev.captured_at), "capture_manifest_sha256": ev.manifest_sha256})
        report_items.append({"folder": folder, "listing": to_jsonable(item.listing.to_dict()
                                                                      if hasattr(item.listing, "to_dict")
                                                                      else item.listing),
                             "assessment": assessment, "record": record,
                             "provenance": provenance or [], "assistance": assistance or [],
                             "decisions": [to_jsonable(d) for d in item.decisions]})
        events.append({"at": ev.captured_at, "time_source": time_source,
                       "actor": f"firewatch capture ({ev.browser_version})",
                       "action": "captured", "subject": folder, "sha256": ev.manifest_sha256,
                       "detail": {"url": ev.url, "final_url": ev.final_url,
                                  "server_ip": ev.server_ip, "http_status": ev.http_status}})
    for event in custody_events:
        events.append({"time_source": "firewatch store (UTC)", **event})
    events = _chronological(events, now)
    key_info = None
    if signer is not None:
        key_info = {"algorithm": "Ed25519", "public_key": signer.public_b64, "fingerprint": signer.fingerprint}
        members.append((PUBLIC_KEY, signer.public_pem))
    software = _software()
    # report.html and report.pdf: an electronic-data extraction record in Chinese (alerts.report).
    step(len(items), "生成电子数据提取笔录（PDF）")
    if chromium:

        context = {"case": case, "created_at": now, "operator": operator, "time_source": time_source,
                   "items": report_items, "files": [(n, sha256(d), len(d)) for n, d in members],
                   "key": key_info, "tsa_url": tsa_url if timestamper is not None else "",
                   "software": software, "custody": events}
        html, pdf = render_report(context, chromium=chromium)
        members.append((REPORT_HTML, html.encode("utf-8")))
        members.append((REPORT_PDF, pdf))
    manifest = {
        "format": PACK_FORMAT,
        "created_at": to_jsonable(now),
        "packed_by": packed_by,
        "operator": operator,
        "case": case,
        "software": software,
        "time_source": time_source,
        "signing_key": key_info,
        "items": summaries,
        "files": [{"path": name, "sha256": sha256(data), "size": len(data)} for name, data in members],
    }
    manifest_bytes = json_bytes(manifest)
    manifest_sha = sha256(manifest_bytes)
    events.append({"at": now, "time_source": time_source, "actor": operator, "action": "packed",
                   "subject": MANIFEST, "sha256": manifest_sha,
                   "detail": {"files": len(members), "key_fingerprint": key_info["fingerprint"] if key_info else ""}})
    step(len(items) + 1, "签名与时间戳")
    token = b""
    if timestamper is not None:

        token = timestamper(manifest_bytes)
        info = token_info(token, manifest_bytes)
        events.append({"at": info.get("gen_time") or now, "actor": tsa_url or "timestamp authority",
                       "time_source": f"RFC 3161 TSA {tsa_url}".strip() if info.get("gen_time") else time_source,
                       "action": "timestamped", "subject": TIMESTAMP, "sha256": sha256(token), "detail": info})
    out = Path(out_path)
    events.append({"at": now, "time_source": time_source, "actor": operator, "action": "exported",
                   "subject": out.name, "sha256": "",
                   "detail": {"host": software["host"], "listings": len(items)}})
    # Captures and review events in time order, then packed (sealing the manifest's hash),
    # timestamped and exported; each entry carries the previous one's hash, its UTC time and
    # where that time came from (`time_source`: host clock, store, TSA).
    custody = b"".join(canonical(e) + b"\n" for e in chain_entries(events))
    tail: list[tuple[str, bytes]] = [(MANIFEST, manifest_bytes), (CUSTODY, custody)]
    if token:
        tail.append((TIMESTAMP, token))
    if signer is not None:
        # Ed25519 over the hashes of manifest, custody log and timestamp token, not the members.
        payload = signed_payload(manifest_sha, sha256(custody), sha256(token) if token else "", signer.fingerprint)
        signature = {"algorithm": "Ed25519", "public_key": signer.public_b64, "fingerprint": signer.fingerprint,
                     "payload": json.loads(payload), "signature": base64.b64encode(signer.sign(payload)).decode()}
        tail.append((SIGNATURE, json_bytes(signature)))

    stamp = now.astimezone(timezone.utc).timetuple()[:6]
    step(len(items) + 2, "写入证据包")
    with atomic_writer(out, mode=None, suffix=".partial") as fh:  # mode None: private 0600
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in [*members, *tail]:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    log.info("wrote evidence pack %s: %d listings, %d files", out, len(items), len(members))
    return manifest


def verify_pack(path: str | os.PathLike[str], expected_key: str | None = None) -> list[str]:
    """The problems found in a pack (empty: intact); see `alerts.pack_verify`."""

    return _verify(path, expected_key=expected_key)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m alerts.evidence_pack verify PACK`: 0 intact, 1 problems, 2 usage."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "verify":
        print("usage: python -m alerts.evidence_pack verify PACK.zip", file=sys.stderr)
        return 2
    problems = verify_pack(args[1])
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"{args[1]}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
