"""Verify an evidence pack: every hash, the manifest's completeness, the custody chain, the signature.

`check_pack(path, expected_key=None)` runs the checks in order and returns a
`PackCheck` per check (Chinese and English label, passed or not, the problems found,
each naming the file at fault, and notes): the ZIP opens without duplicate entries;
every file the manifest lists is present with its SHA-256 and size; no file is present
that the manifest does not list (only `custody.jsonl`, `signature.json` and
`manifest.tsr` may be, being made from it); each capture folder's files match the
hashes recorded at capture; the custody chain is whole, its `packed` entry seals the
manifest and its `exported` entry closes it; `signature.json` verifies with the public
key it carries, that key is the one the manifest names and matches its fingerprint,
and, when `expected_key` (a fingerprint) is given, it is that key. A pack re-signed
with another key therefore fails only when the expected key is given; otherwise the
signature check passes and names the key's fingerprint, and the caller (the CLI)
compares it with the installation's own key and says when it differs. The RFC 3161
token, when present, must be over the manifest's hash (its TSA certificate chain is
not validated here: see `alerts.timestamp`). `verify_pack` returns just the problems.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from alerts.pack_format import (json_bytes, CAPTURE_MANIFEST, CUSTODY, GENESIS, MANIFEST, PACK_FORMAT, SIGNATURE, TIMESTAMP,
                                UNLISTED, entry_hash, sha256, signed_payload)
from alerts.signing import fingerprint, verify_signature

__all__ = ["PackCheck", "check_pack", "verify_pack"]


@dataclass
class PackCheck:
    """One verification step and what it found."""

    key: str
    label_zh: str
    label_en: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _open(path: str | os.PathLike[str], check: PackCheck) -> tuple[list[str], dict[str, bytes]] | None:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        check.problems.append(f"cannot open pack {path}: {exc}")
        return None
    with zf:
        names = [info.filename for info in zf.infolist()]
        for name in sorted({n for n in names if names.count(n) > 1}):
            check.problems.append(f"{name}: duplicate entry in the ZIP")
        contents: dict[str, bytes] = {}
        for name in dict.fromkeys(names):
            try:
                contents[name] = zf.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                check.problems.append(f"{name}: unreadable ({exc})")
    check.notes.append(f"{len(names)} members")
    return names, contents


def _check_files(listed: Mapping[str, Any], names: list[str], contents: dict[str, bytes],
                 hashes: PackCheck, complete: PackCheck) -> None:
    for name, entry in listed.items():
        if name not in contents:
            if name not in names:
                complete.problems.append(f"{name}: missing from the pack")
            continue
        data = contents[name]
        if sha256(data) != entry.get("sha256"):
            hashes.problems.append(f"{name}: hash mismatch (manifest {str(entry.get('sha256'))[:16]}…, "
                                   f"file {sha256(data)[:16]}…)")
        elif len(data) != entry.get("size"):
            hashes.problems.append(f"{name}: size mismatch")
    for name in names:
        if name not in listed and name not in UNLISTED and not name.endswith("/"):
            complete.problems.append(f"{name}: not in the manifest (extra file)")
    hashes.notes.append(f"{len(listed)} files listed")


def _check_captures(contents: dict[str, bytes], manifest: Mapping[str, Any], check: PackCheck) -> None:
    """Each folder's files against the hashes its capture recorded."""
    for item in manifest.get("items", []):
        folder = item.get("folder", "")
        raw = contents.get(f"{folder}/capture.json")
        if raw is None:
            check.problems.append(f"{folder}/capture.json: missing")
            continue
        try:
            capture = json.loads(raw)
        except ValueError:
            check.problems.append(f"{folder}/capture.json: not JSON")
            continue
        for art in capture.get("artefacts", []):
            name = f"{folder}/{art.get('name')}"
            data = contents.get(name)
            if data is None:
                check.problems.append(f"{name}: recorded at capture but missing from the pack")
            elif sha256(data) != art.get("sha256"):
                check.problems.append(f"{name}: differs from the hash recorded at capture")
        sha = capture.get("manifest_sha256")
        data = contents.get(f"{folder}/{CAPTURE_MANIFEST}")
        if sha and data is not None and sha256(data) != sha:
            check.problems.append(f"{folder}/{CAPTURE_MANIFEST}: differs from the capture's hash")
        if sha != item.get("capture_manifest_sha256"):
            check.problems.append(f"{folder}/capture.json: manifest hash disagrees with {MANIFEST}")
    check.notes.append(f"{len(manifest.get('items', []))} captures")


def _check_custody(raw: bytes | None, manifest_sha: str, folders: dict[str, str],
                   timestamp: bytes | None, check: PackCheck) -> None:
    if raw is None:
        check.problems.append(f"{CUSTODY}: missing")
        return
    prev = GENESIS
    entries: list[dict[str, Any]] = []
    for lineno, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            check.problems.append(f"{CUSTODY}: line {lineno} is not JSON")
            return
        if not isinstance(entry, dict):
            check.problems.append(f"{CUSTODY}: line {lineno} is not an object")
            return
        if entry.get("seq") != len(entries):
            check.problems.append(f"{CUSTODY}: line {lineno} has seq {entry.get('seq')!r}, "
                                  f"expected {len(entries)} (entry removed or reordered)")
        if entry.get("prev") != prev:
            check.problems.append(f"{CUSTODY}: chain broken at line {lineno} "
                                  "(prev does not match the previous entry's hash)")
        if entry.get("hash") != entry_hash(entry):
            check.problems.append(f"{CUSTODY}: line {lineno} altered (its hash does not match)")
        prev = str(entry.get("hash"))
        entries.append(entry)
    if not entries:
        check.problems.append(f"{CUSTODY}: empty")
        return
    packed = [e for e in entries if e.get("action") == "packed"]
    if len(packed) != 1 or packed[0].get("sha256") != manifest_sha:
        check.problems.append(f"{CUSTODY}: no entry seals {MANIFEST} "
                              "(manifest changed after packing, or log truncated)")
    if entries[-1].get("action") != "exported":
        check.problems.append(f"{CUSTODY}: last entry is not the export (log truncated or extended)")
    stamped = [e for e in entries if e.get("action") == "timestamped"]
    if timestamp is not None and (len(stamped) != 1 or stamped[0].get("sha256") != sha256(timestamp)):
        check.problems.append(f"{TIMESTAMP}: not the token the custody log recorded")
    if timestamp is None and stamped:
        check.problems.append(f"{TIMESTAMP}: recorded in the custody log but missing from the pack")
    captured = {e.get("subject"): e.get("sha256") for e in entries if e.get("action") == "captured"}
    for folder, sha in folders.items():
        if captured.get(folder) != sha:
            check.problems.append(f"{CUSTODY}: no matching capture entry for {folder}")
    people = sorted({str(e.get("actor")) for e in entries if e.get("action") in ("packed", "exported")})
    check.notes.append(f"{len(entries)} entries; packed and exported by {', '.join(people)}")


def _check_signature(contents: dict[str, bytes], manifest: Mapping[str, Any], manifest_sha: str,
                     expected_key: str | None, check: PackCheck) -> str:
    raw = contents.get(SIGNATURE)
    if raw is None:
        check.problems.append(f"{SIGNATURE}: missing (the pack is not signed)")
        return ""
    try:
        sig = json.loads(raw)
        public = base64.b64decode(sig["public_key"], validate=True)
        signature = base64.b64decode(sig["signature"], validate=True)
        claimed = str(sig["fingerprint"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        check.problems.append(f"{SIGNATURE}: unreadable ({exc})")
        return ""
    actual = fingerprint(public)
    if claimed != actual:
        check.problems.append(f"{SIGNATURE}: public key does not match its fingerprint "
                              f"(claimed {claimed[:16]}…, key {actual[:16]}…)")
    named = (manifest.get("signing_key") or {}) if isinstance(manifest.get("signing_key"), Mapping) else {}
    if named.get("public_key") != sig.get("public_key") or named.get("fingerprint") != actual:
        check.problems.append(f"{SIGNATURE}: key differs from the one {MANIFEST} names")
    token = contents.get(TIMESTAMP)
    custody = contents.get(CUSTODY, b"")
    payload = signed_payload(manifest_sha, sha256(custody), sha256(token) if token is not None else "", actual)
    if not verify_signature(public, signature, payload):
        check.problems.append(f"{SIGNATURE}: signature does not verify over {MANIFEST}, {CUSTODY}"
                              f"{' and ' + TIMESTAMP if token is not None else ''}")
    # every byte of signature.json counts: the fields the signature does not cover must say
    # exactly what the writer wrote (algorithm, the payload's readable copy, the layout)
    if sig.get("algorithm") != "Ed25519":
        check.problems.append(f"{SIGNATURE}: algorithm {sig.get('algorithm')!r} is not Ed25519")
    if sig.get("payload") != json.loads(payload):
        check.problems.append(f"{SIGNATURE}: its copy of the signed payload differs from the pack's hashes")
    if json_bytes(sig) != raw:
        check.problems.append(f"{SIGNATURE}: not in the form the pack writer produces (edited by hand?)")
    if expected_key and actual != expected_key.lower():
        check.problems.append(f"{SIGNATURE}: signed by a different key ({actual}), not the expected {expected_key}")
    check.notes.append(f"Ed25519 key fingerprint {actual}")
    return actual


def _check_timestamp(contents: dict[str, bytes], manifest_raw: bytes, check: PackCheck) -> None:
    token = contents.get(TIMESTAMP)
    if token is None:
        check.skipped = True
        check.notes.append("no trusted timestamp in this pack (no timestamp authority was configured)")
        return
    from alerts.timestamp import token_info

    info = token_info(token, manifest_raw)
    if info.get("problem"):
        check.problems.append(f"{TIMESTAMP}: {info['problem']}")
    else:
        check.notes.append(f"RFC 3161 token over the manifest's SHA-256, time {info.get('gen_time')} "
                           f"(TSA certificate chain not validated here)")


def check_pack(path: str | os.PathLike[str], expected_key: str | None = None) -> list[PackCheck]:
    """Every check of a pack, in order; a check whose input is unusable stops the rest."""
    opened = PackCheck("zip", "压缩包完整", "ZIP readable, no duplicate entries")
    checks = [opened]
    got = _open(path, opened)
    if got is None:
        return checks
    names, contents = got
    manifest_check = PackCheck("manifest", "清单可读", "manifest.json readable")
    checks.append(manifest_check)
    manifest_raw = contents.get(MANIFEST)
    if manifest_raw is None:
        manifest_check.problems.append(f"{MANIFEST}: missing")
        return checks
    try:
        manifest = json.loads(manifest_raw)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        manifest_check.problems.append(f"{MANIFEST}: unreadable ({exc})")
        return checks
    if manifest.get("format") != PACK_FORMAT:
        manifest_check.problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, expected {PACK_FORMAT}")
    manifest_sha = sha256(manifest_raw)
    manifest_check.notes.append(f"SHA-256 {manifest_sha}")
    hashes = PackCheck("hashes", "文件哈希", "every file matches its SHA-256")
    complete = PackCheck("complete", "清单完整", "no file missing or added")
    _check_files(listed, names, contents, hashes, complete)
    captures = PackCheck("captures", "取证原始哈希", "captures match their hashes at capture time")
    _check_captures(contents, manifest, captures)
    custody = PackCheck("custody", "保管链", "custody chain whole and sealing the manifest")
    folders = {i.get("folder", ""): i.get("capture_manifest_sha256", "") for i in manifest.get("items", [])}
    _check_custody(contents.get(CUSTODY), manifest_sha, folders, contents.get(TIMESTAMP), custody)
    signature = PackCheck("signature", "电子签名", "Ed25519 signature and key")
    _check_signature(contents, manifest, manifest_sha, expected_key, signature)
    stamp = PackCheck("timestamp", "可信时间戳", "RFC 3161 trusted timestamp")
    _check_timestamp(contents, manifest_raw, stamp)
    checks += [hashes, complete, captures, custody, signature, stamp]
    return checks


def signer_fingerprint(checks: list[PackCheck]) -> str:
    """The key fingerprint the signature check found, or ''."""
    for check in checks:
        if check.key == "signature":
            for note in check.notes:
                if note.startswith("Ed25519 key fingerprint "):
                    return note.rsplit(" ", 1)[1]
    return ""


def verify_pack(path: str | os.PathLike[str], expected_key: str | None = None) -> list[str]:
    """The problems found (empty list: intact), each naming the file at fault."""
    return [p for check in check_pack(path, expected_key) for p in check.problems]
