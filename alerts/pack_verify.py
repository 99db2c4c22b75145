"""Verify an evidence pack: hashes, the manifest's completeness, the custody chain, the signature.

`check_pack(path, expected_key=None)` returns a `PackCheck` per check, in order; `verify_pack` just
the problems, each naming the file at fault. A ZIP with unsafe or duplicate names, or beyond
`Limits`, is refused unread. A pack re-signed by another key fails only given `expected_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import struct
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.pack_format import (json_bytes, CAPTURE_MANIFEST, CUSTODY, GENESIS, MANIFEST, PACK_FORMAT, SIGNATURE, TIMESTAMP,
                                UNLISTED, entry_hash, sha256, signed_payload)
from alerts.signing import fingerprint, verify_signature
from alerts.timestamp import token_info

__all__ = ["DEFAULT_LIMITS", "Limits", "PackCheck", "check_pack", "verify_pack"]


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


@dataclass(frozen=True)
class Limits:
    """What `firewatch verify` is willing to read: a pack beyond these is refused unread."""

    max_members: int = 100_000
    max_member_bytes: int = 4 << 30  # one capture's WARC or screenshot, uncompressed
    max_total_bytes: int = 32 << 30  # the whole pack, uncompressed
    max_ratio: int = 200  # uncompressed / compressed, above which a big member is a ZIP bomb
    max_json_bytes: int = 64 << 20  # manifest, custody log, signature, capture records (held in memory)


DEFAULT_LIMITS = Limits()
_ALLOWED_EXTRA = {0x0001: "ZIP64", 0x000A: "NTFS times", 0x5455: "extended timestamp", 0x7875: "Unix owner"}
_KNOWN_EXTRA = {0x7075: "Info-ZIP Unicode path: other unzip tools would show another name",
                0x6375: "Info-ZIP Unicode comment"}
_RATIO_FLOOR = 1 << 20  # members smaller than this are never called bombs


def _kept(name: str) -> bool:
    """Members the checks read as JSON or tokens (held in memory); the rest are only hashed."""
    return name in UNLISTED or name.endswith(("/capture.json", f"/{CAPTURE_MANIFEST}"))


def _name_problem(name: str) -> str:
    """Why a member name is unsafe to extract or ambiguous to a reader, or ''."""
    if not name or name.startswith(("/", "\\")) or "\\" in name:
        return "absolute path or backslash in the member name"
    if len(name) > 1 and name[1] == ":":
        return "drive letter in the member name"
    if any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        return "empty, '.' or '..' path component in the member name"
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c in "\u2028\u2029\u202e\u200e\u200f" for c in name):
        return "control or direction character in the member name"
    return ""


def _extra_fields(extra: bytes) -> list[int]:
    ids, pos = [], 0
    while pos + 4 <= len(extra):
        field_id, size = struct.unpack("<HH", extra[pos:pos + 4])
        ids.append(field_id)
        pos += 4 + size
    if pos != len(extra):
        ids.append(-1)  # truncated field
    return ids


def _extra_problems(name: str, extra: bytes, where: str) -> list[str]:
    problems = []
    for field_id in _extra_fields(extra):
        if field_id not in _ALLOWED_EXTRA:
            what = _KNOWN_EXTRA.get(field_id, "unknown")
            problems.append(f"{name}: unexpected ZIP extra field {field_id & 0xFFFF:#06x} in the {where} ({what})")
    return problems


def _layout(fh: Any, infos: list[zipfile.ZipInfo], start_dir: int, check: PackCheck) -> None:
    """Members back to back from offset 0 to the central directory: nothing hidden between
    them (a second archive, a member only some tools see) and no two sharing bytes (the
    overlapping-member ZIP bomb)."""
    spans = []
    for info in infos:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            check.problems.append(f"{info.filename}: no local header where the directory says")
            continue
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        local = fh.read(name_len + extra_len)
        check.problems.extend(_extra_problems(info.filename, local[name_len:], "local header"))
        end = info.header_offset + 30 + name_len + extra_len + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data
            fh.seek(end)
            sig = fh.read(4)
            zip64 = info.file_size > 0xFFFFFFFF or info.compress_size > 0xFFFFFFFF
            end += (4 if sig == b"PK\x07\x08" else 0) + (20 if zip64 else 12)
        spans.append((info.header_offset, end, info.filename))
    spans.sort()
    position = 0
    for start, end, name in spans:
        if start > position:
            check.problems.append(f"{name}: {start - position} bytes hidden before this member")
        elif start < position:
            check.problems.append(f"{name}: overlaps the previous member (ZIP bomb or spliced archive)")
        position = max(position, end)
    if spans and start_dir != position:
        check.problems.append(f"{MANIFEST}: {start_dir - position} bytes hidden between the last member "
                              "and the ZIP directory")


def _names(infos: list[zipfile.ZipInfo], check: PackCheck) -> None:
    names = [info.filename for info in infos]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    for name in sorted(n for n, count in seen.items() if count > 1):
        check.problems.append(f"{name}: duplicate entry in the ZIP")
    folded: dict[str, str] = {}
    for name in dict.fromkeys(names):
        problem = _name_problem(name)
        if problem:
            check.problems.append(f"{name}: {problem}")
        key = unicodedata.normalize("NFC", name).casefold()
        if key in folded:
            check.problems.append(f"{name}: same name as {folded[key]} once case and Unicode form are ignored "
                                  "(one would overwrite the other when extracted)")
        folded.setdefault(key, name)
    for info in infos:
        check.problems.extend(_extra_problems(info.filename, info.extra, "ZIP directory"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            check.problems.append(f"{info.filename}: compression method {info.compress_type} "
                                  "(packs use deflate only)")


def _sizes(infos: list[zipfile.ZipInfo], limits: Limits, check: PackCheck) -> None:
    if len(infos) > limits.max_members:
        check.problems.append(f"{MANIFEST}: {len(infos)} members, more than the {limits.max_members} allowed")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            check.problems.append(f"{info.filename}: {info.file_size} bytes uncompressed, more than the "
                                  f"{limits.max_member_bytes} allowed (not read)")
        elif info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(1, info.compress_size):
            check.problems.append(f"{info.filename}: compressed {info.file_size // max(1, info.compress_size)}:1 "
                                  "(ZIP bomb; not read)")
        elif _kept(info.filename) and info.file_size > limits.max_json_bytes:
            check.problems.append(f"{info.filename}: {info.file_size} bytes, too large for a pack record (not read)")
    if total > limits.max_total_bytes:
        check.problems.append(f"{MANIFEST}: {total} bytes uncompressed in all, more than the "
                              f"{limits.max_total_bytes} allowed (not read)")


def _open(path: str | os.PathLike[str], check: PackCheck, limits: Limits = DEFAULT_LIMITS
          ) -> tuple[list[str], dict[str, tuple[str, int]], dict[str, bytes]] | None:
    """The member names, each member's (SHA-256, size) and the bytes of the small records;
    None when the ZIP cannot be read or is refused (names, layout, sizes)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        check.problems.append(f"cannot open pack {path}: {exc}")
        return None
    digests: dict[str, tuple[str, int]] = {}
    contents: dict[str, bytes] = {}
    with zf:
        infos = zf.infolist()
        names = [info.filename for info in infos]
        check.notes.append(f"{len(names)} members")
        _names(infos, check)
        _sizes(infos, limits, check)
        if check.problems:  # refused: nothing is decompressed
            return None
        _layout(zf.fp, infos, zf.start_dir, check)
        for info in infos:
            if info.filename in digests or info.is_dir() and not info.file_size:
                continue
            try:
                digests[info.filename] = _digest(zf, info, contents)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
                check.problems.append(f"{info.filename}: unreadable ({exc})")
    return names, digests, contents


def _digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, contents: dict[str, bytes]) -> tuple[str, int]:
    """Stream one member: its SHA-256 and size (never more than its declared size)."""
    hasher, size, keep = hashlib.sha256(), 0, _kept(info.filename)
    chunks: list[bytes] = []
    with zf.open(info) as member:
        while chunk := member.read(1 << 20):
            size += len(chunk)
            if size > info.file_size:
                raise ValueError("longer than its declared size")
            hasher.update(chunk)
            if keep:
                chunks.append(chunk)
    if keep:
        contents[info.filename] = b"".join(chunks)
    return hasher.hexdigest(), size


def _check_files(listed: Mapping[str, Any], names: list[str], digests: dict[str, tuple[str, int]],
                 hashes: PackCheck, complete: PackCheck) -> None:
    for name, entry in listed.items():
        if name not in digests:
            if name not in names:
                complete.problems.append(f"{name}: missing from the pack")
            continue
        sha, size = digests[name]
        if sha != entry.get("sha256"):
            hashes.problems.append(f"{name}: hash mismatch (manifest {str(entry.get('sha256'))[:16]}…, "
                                   f"file {sha[:16]}…)")
        elif size != entry.get("size"):
            hashes.problems.append(f"{name}: size mismatch")
    for name in dict.fromkeys(names):
        if name not in listed and name not in UNLISTED:
            what = "directory entry" if name.endswith("/") else "extra file"
            complete.problems.append(f"{name}: not in the manifest ({what})")
    hashes.notes.append(f"{len(listed)} files listed")


def _check_captures(contents: dict[str, bytes], digests: dict[str, tuple[str, int]], manifest: Mapping[str, Any],
                    check: PackCheck) -> None:
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
            digest = digests.get(name)
            if digest is None:
                check.problems.append(f"{name}: recorded at capture but missing from the pack")
            elif digest[0] != art.get("sha256"):
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
    _check_times(entries, check)
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


def _check_times(entries: list[dict[str, Any]], check: PackCheck) -> None:
    """Every entry's time in UTC, and the log in time order (the timestamp authority's own
    clock, recorded in its entry, is exempt from the order)."""
    last: datetime | None = None
    for lineno, entry in enumerate(entries, start=1):
        try:
            at = datetime.fromisoformat(str(entry.get("at")))
        except ValueError:
            check.problems.append(f"{CUSTODY}: line {lineno} has no readable time ({entry.get('at')!r})")
            continue
        if at.utcoffset() != timedelta(0):
            check.problems.append(f"{CUSTODY}: line {lineno} time {entry.get('at')} is not in UTC")
            continue
        if entry.get("action") == "timestamped":
            continue
        if last is not None and at < last:
            check.problems.append(f"{CUSTODY}: line {lineno} at {entry.get('at')} is earlier than the entry "
                                  "before it (entries reordered or time going backwards)")
        last = at if last is None else max(last, at)


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

    # Checks that the token is over the manifest's hash; the TSA certificate chain is not
    # validated here (see alerts.timestamp).
    info = token_info(token, manifest_raw)
    if info.get("problem"):
        check.problems.append(f"{TIMESTAMP}: {info['problem']}")
    else:
        check.notes.append(f"RFC 3161 token over the manifest's SHA-256, time {info.get('gen_time')} "
                           f"(TSA certificate chain not validated here)")


def check_pack(path: str | os.PathLike[str], expected_key: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> list[PackCheck]:
    """Every check of a pack, in order; a check whose input is unusable stops the rest."""
    opened = PackCheck("zip", "压缩包完整", "ZIP readable: safe names, no duplicates, nothing hidden, bounded")
    checks = [opened]
    got = _open(path, opened, limits)
    if got is None:
        return checks
    names, digests, contents = got
    manifest_check = PackCheck("manifest", "清单可读", "manifest.json readable")
    checks.append(manifest_check)
    manifest_raw = contents.get(MANIFEST)
    if manifest_raw is None:
        manifest_check.problems.append(f"{MANIFEST}: missing")
        return checks
    try:
        manifest = json.loads(manifest_raw)
        paths = [f["path"] for f in manifest["files"]]
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        manifest_check.problems.append(f"{MANIFEST}: unreadable ({exc})")
        return checks
    for path in sorted(p for p, count in Counter(paths).items() if count > 1):
        manifest_check.problems.append(f"{path}: listed more than once in {MANIFEST}")
    for path in listed:
        if path in UNLISTED or not isinstance(path, str) or _name_problem(path):
            manifest_check.problems.append(f"{path}: cannot be listed in {MANIFEST}")
    if manifest.get("format") != PACK_FORMAT:
        manifest_check.problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, expected {PACK_FORMAT}")
    manifest_sha = sha256(manifest_raw)
    manifest_check.notes.append(f"SHA-256 {manifest_sha}")
    hashes = PackCheck("hashes", "文件哈希", "every file matches its SHA-256")
    complete = PackCheck("complete", "清单完整", "no file missing or added")
    _check_files(listed, names, digests, hashes, complete)
    captures = PackCheck("captures", "取证原始哈希", "captures match their hashes at capture time")
    _check_captures(contents, digests, manifest, captures)
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


def verify_pack(path: str | os.PathLike[str], expected_key: str | None = None,
                limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The problems found (empty list: intact), each naming the file at fault."""
    return [p for check in check_pack(path, expected_key, limits) for p in check.problems]
