"""Evidence packs: one ZIP per export, fixed by a manifest and a hash-chained custody log.

`write_pack(out_path, items)` bundles, per listing, a folder `<platform>_<listing_id>/`
with the capture's artefacts (screenshot, page.html, page.mhtml, page.warc.gz,
response body and headers, the capture's own manifest.json), read from the capture
folder or, failing that, from the content-addressed object store
(`objects/<sha[:2]>/<sha>`), and `listing.json`, `assessment.json`, `capture.json`. Every artefact is re-hashed against its `Evidence`
before it is packed (an altered capture folder raises `PackError`). The top-level
`manifest.json` lists every other file with SHA-256 and size; `custody.jsonl` is a
custody log in which each entry carries the previous entry's hash, and whose last entry
seals the manifest's hash. The ZIP is written to a temporary file and renamed.
`verify_pack(path)` returns the problems found (empty list: intact): altered, missing
or unlisted files, duplicate ZIP entries, a broken custody chain, a capture whose files
disagree with its recorded hashes. A pack proves integrity since packing, not who made
it: sign the manifest (not done here yet) for that.
`python -m alerts.evidence_pack verify PACK` exits 1 when problems are found.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from firewatch.models import Evidence, to_jsonable

from alerts.exceptions import PackError

log = logging.getLogger(__name__)

PACK_FORMAT = "firewatch-pack/1"
MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
CAPTURE_MANIFEST = "manifest.json"  # the capture's own manifest, inside each folder
GENESIS = "0" * 64
_RESERVED = {"listing.json", "assessment.json", "capture.json"}

__all__ = ["PackItem", "chain_entries", "main", "verify_pack", "write_pack"]


@dataclass
class PackItem:
    """One listing to pack: its listing and assessment (dicts or model objects), its
    `Evidence`, the folder holding the artefacts (default: `evidence.directory`) and
    the content-addressed object store to read an artefact from when the folder lacks
    it (default: the `object_store` the capture's manifest names, relative to the
    folder; see `crawler.objects`)."""

    listing: Mapping[str, Any] | Any
    assessment: Mapping[str, Any] | Any | None
    evidence: Evidence
    directory: str | os.PathLike[str] | None = None
    objects_dir: str | os.PathLike[str] | None = None

    @property
    def folder(self) -> str:
        """The item's folder name inside the pack."""
        raw = f"{self.evidence.platform}_{self.evidence.listing_id}"
        return "".join(c if (c.isalnum() or c in "-_.") else "_" for c in raw)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=1,
                      sort_keys=True).encode("utf-8")


def _canonical(entry: Mapping[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _entry_hash(entry: Mapping[str, Any]) -> str:
    return _sha256(_canonical({k: v for k, v in entry.items() if k != "hash"}))


def chain_entries(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turn custody events (at, actor, action, subject, sha256, detail) into a chain:
    each entry gets `seq`, `prev` (the previous entry's hash) and its own `hash`."""
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
            "prev": prev,
        }
        entry["hash"] = _entry_hash(entry)
        prev = entry["hash"]
        chained.append(entry)
    return chained


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
        if "/" in art.name or "\\" in art.name or art.name in _RESERVED | {CAPTURE_MANIFEST}:
            raise PackError(f"{item.folder}: unusable artefact name {art.name!r}")
        path = directory / art.name
        data = _read_artefact(item, directory, art)
        if _sha256(data) != art.sha256 or len(data) != art.size:
            raise PackError(f"{item.folder}: artefact altered since capture: {path}")
        files.append((art.name, data))
    manifest_path = directory / CAPTURE_MANIFEST
    if manifest_path.exists() or ev.manifest_sha256:
        try:
            data = manifest_path.read_bytes()
        except OSError as exc:
            raise PackError(f"{item.folder}: capture manifest missing: {manifest_path}") from exc
        if ev.manifest_sha256 and _sha256(data) != ev.manifest_sha256:
            raise PackError(f"{item.folder}: capture manifest altered: {manifest_path}")
        files.append((CAPTURE_MANIFEST, data))
    return files


def write_pack(
    out_path: str | os.PathLike[str],
    items: Sequence[PackItem],
    *,
    packed_by: str = "firewatch",
    custody_events: Iterable[Mapping[str, Any]] = (),
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """Write the evidence pack for `items` to `out_path` atomically; return its manifest.

    `custody_events` (dicts with at, actor, action, subject, sha256, detail: reviews,
    decisions...) go into the custody log between the captures and the packing.
    Raises `PackError` if there is nothing to pack, two items share a listing, or a
    capture's files no longer match their hashes.
    """
    if not items:
        raise PackError("nothing to pack")
    now = (clock or (lambda: datetime.now(timezone.utc)))()
    members: list[tuple[str, bytes]] = []
    events: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        folder = item.folder
        if folder in seen:
            raise PackError(f"two items for the same listing folder {folder!r}")
        seen.add(folder)
        ev = item.evidence
        for name, data in _item_files(item):
            members.append((f"{folder}/{name}", data))
        members.append((f"{folder}/listing.json", _json_bytes(item.listing)))
        members.append((f"{folder}/assessment.json", _json_bytes(item.assessment or {})))
        members.append((f"{folder}/capture.json", _json_bytes(ev)))
        summaries.append({"folder": folder, "platform": ev.platform,
                          "listing_id": ev.listing_id, "url": ev.url,
                          "captured_at": to_jsonable(ev.captured_at),
                          "capture_manifest_sha256": ev.manifest_sha256})
        events.append({"at": ev.captured_at, "actor": f"firewatch capture ({ev.browser_version})",
                       "action": "captured", "subject": folder, "sha256": ev.manifest_sha256,
                       "detail": {"url": ev.url, "final_url": ev.final_url,
                                  "server_ip": ev.server_ip, "http_status": ev.http_status}})
    events.extend(dict(e) for e in custody_events)
    manifest = {
        "format": PACK_FORMAT,
        "created_at": to_jsonable(now),
        "packed_by": packed_by,
        "items": summaries,
        "files": [{"path": name, "sha256": _sha256(data), "size": len(data)}
                  for name, data in members],
    }
    manifest_bytes = _json_bytes(manifest)
    events.append({"at": now, "actor": packed_by, "action": "packed", "subject": MANIFEST,
                   "sha256": _sha256(manifest_bytes), "detail": {"files": len(members)}})
    custody = b"".join(_canonical(e) + b"\n" for e in chain_entries(events))

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(timezone.utc).timetuple()[:6]
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name, data in [*members, (MANIFEST, manifest_bytes), (CUSTODY, custody)]:
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    log.info("wrote evidence pack %s: %d listings, %d files", out, len(items), len(members))
    return manifest


# --- verification --------------------------------------------------------------------


def _check_custody(raw: bytes, manifest_sha: str, folders: dict[str, str]) -> list[str]:
    problems: list[str] = []
    prev = GENESIS
    entries: list[dict[str, Any]] = []
    for lineno, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"{CUSTODY}: line {lineno} is not JSON")
            return problems
        if not isinstance(entry, dict):
            problems.append(f"{CUSTODY}: line {lineno} is not an object")
            return problems
        if entry.get("seq") != len(entries):
            problems.append(f"{CUSTODY}: line {lineno} has seq {entry.get('seq')!r}, "
                            f"expected {len(entries)} (entry removed or reordered)")
        if entry.get("prev") != prev:
            problems.append(f"{CUSTODY}: chain broken at line {lineno} "
                            "(prev does not match the previous entry's hash)")
        if entry.get("hash") != _entry_hash(entry):
            problems.append(f"{CUSTODY}: line {lineno} altered (its hash does not match)")
        prev = str(entry.get("hash"))
        entries.append(entry)
    if not entries:
        return [f"{CUSTODY}: empty"]
    last = entries[-1]
    if last.get("action") != "packed" or last.get("sha256") != manifest_sha:
        problems.append(f"{CUSTODY}: last entry does not seal {MANIFEST} "
                        "(manifest changed after packing, or log truncated)")
    captured = {e.get("subject"): e.get("sha256") for e in entries
                if e.get("action") == "captured"}
    for folder, sha in folders.items():
        if captured.get(folder) != sha:
            problems.append(f"{CUSTODY}: no matching capture entry for {folder}")
    return problems


def _check_captures(contents: dict[str, bytes], manifest: Mapping[str, Any]) -> list[str]:
    """Each folder's files against the hashes its capture recorded."""
    problems: list[str] = []
    for item in manifest.get("items", []):
        folder = item.get("folder", "")
        raw = contents.get(f"{folder}/capture.json")
        if raw is None:
            continue
        try:
            capture = json.loads(raw)
        except ValueError:
            problems.append(f"{folder}/capture.json: not JSON")
            continue
        for art in capture.get("artefacts", []):
            name = f"{folder}/{art.get('name')}"
            data = contents.get(name)
            if data is None:
                problems.append(f"{name}: recorded at capture but missing from the pack")
            elif _sha256(data) != art.get("sha256"):
                problems.append(f"{name}: differs from the hash recorded at capture")
        sha = capture.get("manifest_sha256")
        data = contents.get(f"{folder}/{CAPTURE_MANIFEST}")
        if sha and data is not None and _sha256(data) != sha:
            problems.append(f"{folder}/{CAPTURE_MANIFEST}: differs from the capture's hash")
        if sha != item.get("capture_manifest_sha256"):
            problems.append(f"{folder}/capture.json: manifest hash disagrees with {MANIFEST}")
    return problems


def verify_pack(path: str | os.PathLike[str]) -> list[str]:
    """Check an evidence pack; return the problems found, each naming the file at fault.

    An empty list means every file matches the manifest, no file is missing or extra,
    and the custody chain is whole and seals the manifest.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"cannot open pack {path}: {exc}"]
    problems: list[str] = []
    with zf:
        names = [info.filename for info in zf.infolist()]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{name}: duplicate entry in the ZIP")
        contents: dict[str, bytes] = {}
        for name in dict.fromkeys(names):
            try:
                contents[name] = zf.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                problems.append(f"{name}: unreadable ({exc})")
    if MANIFEST not in contents:
        problems.append(f"{MANIFEST}: missing")
        return problems
    manifest_raw = contents[MANIFEST]
    try:
        manifest = json.loads(manifest_raw)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{MANIFEST}: unreadable ({exc})")
        return problems
    for name, entry in listed.items():
        if name not in names:
            problems.append(f"{name}: missing from the pack")
            continue
        data = contents.get(name)
        if data is None:
            continue
        if _sha256(data) != entry.get("sha256"):
            problems.append(f"{name}: hash mismatch (manifest {str(entry.get('sha256'))[:16]}, "
                            f"file {_sha256(data)[:16]})")
        elif len(data) != entry.get("size"):
            problems.append(f"{name}: size mismatch")
    for name in names:
        if name not in listed and name not in (MANIFEST, CUSTODY) and not name.endswith("/"):
            problems.append(f"{name}: not in the manifest (extra file)")
    if CUSTODY not in contents:
        problems.append(f"{CUSTODY}: missing")
    else:
        folders = {i.get("folder", ""): i.get("capture_manifest_sha256", "")
                   for i in manifest.get("items", [])}
        problems.extend(_check_custody(contents[CUSTODY], _sha256(manifest_raw), folders))
    problems.extend(_check_captures(contents, manifest))
    return problems


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
