"""The evidence pack's format: member names, hashing and the custody chain's rules.

Shared by `alerts.evidence_pack` and `alerts.pack_verify`. A pack (`firewatch-pack/2`) is a ZIP of
files listed with SHA-256 and size in `manifest.json`, plus the members made from it (`UNLISTED`):
`custody.jsonl` (`chain_entries`), `signature.json` (over `signed_payload`) and `manifest.tsr`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from firewatch.core.models import to_jsonable

PACK_FORMAT = "firewatch-pack/2"
SIGNATURE_FORMAT = "firewatch-pack-signature/1"
MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
SIGNATURE = "signature.json"
TIMESTAMP = "manifest.tsr"
PUBLIC_KEY = "signing-key.pub.pem"
REPORT_PDF = "report.pdf"
REPORT_HTML = "report.html"
UNLISTED = (MANIFEST, CUSTODY, SIGNATURE, TIMESTAMP)  # members made from the manifest
CAPTURE_MANIFEST = "manifest.json"  # the capture's own manifest, inside each folder
GENESIS = "0" * 64


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_bytes(value: Any) -> bytes:
    """Readable, stable JSON (sorted keys, UTF-8, Chinese kept)."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def canonical(entry: Mapping[str, Any]) -> bytes:
    """Compact, sorted JSON: what hashes and signatures are computed over."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    return sha256(canonical({k: v for k, v in entry.items() if k != "hash"}))


def chain_entries(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turn custody events (at, actor, action, subject, sha256, detail, time_source: where
    `at` came from) into a chain: each entry gets `seq`, `prev` (the previous entry's
    hash) and its own `hash`."""
    chained: list[dict[str, Any]] = []
    prev = GENESIS
    for seq, event in enumerate(events):
        entry = {
            "seq": seq,
            "at": to_jsonable(event.get("at")),
            "actor": str(event.get("actor", "")),
            "action": str(event.get("action", "")),
            "subject": str(event.get("subject", "")),
            "sha256": str(event.get("sha256", "")),
            "detail": to_jsonable(event.get("detail", {})),
            "time_source": str(event.get("time_source", "")),
            "prev": prev,
        }
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
        chained.append(entry)
    return chained


def utc_time(value: Any) -> datetime:
    """A custody time as an aware UTC datetime (ISO text or datetime; naive means UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"not a time: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def signed_payload(manifest_sha: str, custody_sha: str, timestamp_sha: str, key_fingerprint: str) -> bytes:
    """The bytes the pack signature covers: the hashes of everything the manifest cannot list."""
    return canonical({"format": SIGNATURE_FORMAT, MANIFEST: manifest_sha, CUSTODY: custody_sha,
                      TIMESTAMP: timestamp_sha, "key_fingerprint": key_fingerprint})
