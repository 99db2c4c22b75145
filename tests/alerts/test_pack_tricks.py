"""`firewatch verify` against ZIP tricks and a forged custody log.

A defence lawyer's attacks on an evidence pack: members a reader would not see
(directory entries carrying data, bytes hidden between members, Info-ZIP Unicode path
fields that make other unzip tools show another name), names that escape the folder or
collide once case and Unicode form are ignored, a manifest listing a file twice, ZIP
bombs, and a custody log whose times run backwards. Most forgeries here are re-sealed
and re-signed with the installation key itself (an insider, or a writer bug): hashes,
chain and signature all agree, so only the structural checks can catch them.
"""

from __future__ import annotations

import base64
import json
import struct
import unicodedata
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.evidence_pack import write_pack
from alerts.exceptions import PackError
from alerts.pack_format import (CUSTODY, MANIFEST, SIGNATURE, UNLISTED, canonical, chain_entries, json_bytes,
                                sha256, signed_payload)
from alerts.pack_verify import Limits, verify_pack

from tests.builders import PACK_SIGNER as SIGNER, make_item


@pytest.fixture()
def pack(tmp_path) -> Path:
    out = tmp_path / "pack.zip"
    write_pack(out, [make_item(tmp_path / "ev", "jd", "1001")], signer=SIGNER, operator="investigator:zhao",
               custody_events=[{"at": "2025-01-02T00:00:00+00:00", "actor": "reviewer:wang",
                                "action": "confirmed", "subject": "jd_1001"}])
    return out


def members_of(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def reseal(src: Path, dst: Path, members: list[tuple[str, bytes]] | None = None, files_edit=None,
           custody_edit=None) -> Path:
    """What an insider with the installation key does: rewrite the members, list them in the
    manifest, re-seal the custody log and re-sign, so every hash and the signature agree."""
    members = members if members is not None else [m for m in members_of(src) if m[0] not in UNLISTED]
    old = dict(members_of(src))
    manifest = json.loads(old[MANIFEST])
    manifest["files"] = [{"path": n, "sha256": sha256(d), "size": len(d)} for n, d in members]
    if files_edit:
        manifest["files"] = files_edit(manifest["files"])
    manifest_bytes = json_bytes(manifest)
    entries = [json.loads(line) for line in old[CUSTODY].splitlines()]
    for e in entries:
        if e["action"] == "packed":
            e["sha256"] = sha256(manifest_bytes)
    if custody_edit:
        entries = custody_edit(entries)
    custody = b"".join(canonical(e) + b"\n" for e in chain_entries(entries))
    payload = signed_payload(sha256(manifest_bytes), sha256(custody), "", SIGNER.fingerprint)
    signature = {"algorithm": "Ed25519", "public_key": SIGNER.public_b64, "fingerprint": SIGNER.fingerprint,
                 "payload": json.loads(payload), "signature": base64.b64encode(SIGNER.sign(payload)).decode()}
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [*members, (MANIFEST, manifest_bytes), (CUSTODY, custody),
                           (SIGNATURE, json_bytes(signature))]:
            zf.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return dst


def strict(path: Path) -> list[str]:
    return verify_pack(path, expected_key=SIGNER.fingerprint)


def test_reseal_alone_verifies(pack, tmp_path):
    """The forging helper itself leaves a pack that passes: the other tests' failures are theirs."""
    assert strict(reseal(pack, tmp_path / "same.zip")) == []


def test_directory_entry_carrying_data_is_an_extra_file(pack, tmp_path):
    with zipfile.ZipFile(pack, "a") as zf:
        zf.writestr("jd_1001/", b"a hidden document")
    problems = strict(pack)
    assert any(p.startswith("jd_1001/: not in the manifest") for p in problems), problems


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/cron.d/evil", "jd_1001\\..\\..\\evil.txt",
                                  "jd_1001/./page.html", "C:/evil.txt", "jd_1001/a\x01b", "jd_1001/\u202egnp.exe"])
def test_unsafe_member_names_fail_even_when_signed(pack, tmp_path, name):
    members = [m for m in members_of(pack) if m[0] not in UNLISTED] + [(name, b"planted")]
    problems = strict(reseal(pack, tmp_path / "unsafe.zip", members))
    assert any(p.startswith(name) and "member name" in p for p in problems), problems


@pytest.mark.parametrize("twin", ["JD_1001/page.html", "jd_1001/PAGE.HTML"])
def test_names_differing_only_in_case_fail(pack, tmp_path, twin):
    members = [m for m in members_of(pack) if m[0] not in UNLISTED] + [(twin, b"<html>other</html>")]
    problems = strict(reseal(pack, tmp_path / "case.zip", members))
    assert any(p.startswith(twin) and "once case and Unicode form are ignored" in p for p in problems), problems


def test_unicode_lookalike_names_fail(pack, tmp_path):
    nfc = "jd_1001/证据é.png"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    members = [m for m in members_of(pack) if m[0] not in UNLISTED] + [(nfc, b"one"), (nfd, b"two")]
    problems = strict(reseal(pack, tmp_path / "nfd.zip", members))
    assert any("Unicode form" in p for p in problems), problems


def test_manifest_listing_a_file_twice_fails(pack, tmp_path):
    def twice(files):
        page = next(f for f in files if f["path"] == "jd_1001/page.html")
        return [{**page, "sha256": "0" * 64}, *files]  # a wrong entry hidden by the right one

    problems = strict(reseal(pack, tmp_path / "twice.zip", files_edit=twice))
    assert any(p.startswith("jd_1001/page.html: listed more than once") for p in problems), problems


def _with_extra(src: Path, dst: Path, target: str, extra: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            new = zipfile.ZipInfo(info.filename, info.date_time)
            if info.filename == target:
                new.extra = extra
            zout.writestr(new, data, zipfile.ZIP_DEFLATED)
    return dst


def test_unicode_path_extra_field_fails(pack, tmp_path):
    """unzip would extract jd_1001/page.html under the name in the 0x7075 field; Python ignores it."""
    alias = b"jd_1001/screenshot.png"
    field = struct.pack("<B I", 1, zipfile.crc32(b"jd_1001/page.html")) + alias
    bad = _with_extra(pack, tmp_path / "alias.zip", "jd_1001/page.html",
                      struct.pack("<HH", 0x7075, len(field)) + field)
    problems = strict(bad)
    assert any(p.startswith("jd_1001/page.html: unexpected ZIP extra field 0x7075") for p in problems), problems


def test_bytes_hidden_before_or_between_members_fail(pack, tmp_path):
    data = pack.read_bytes()
    prefixed = tmp_path / "prefixed.zip"
    prefixed.write_bytes(b"<html>a polyglot page</html>" + data)
    with zipfile.ZipFile(prefixed) as zf:  # Python still reads it
        assert zf.testzip() is None
    problems = strict(prefixed)
    assert any("bytes hidden before" in p for p in problems), problems


def test_zip_bomb_and_oversized_members_are_refused_unread(pack, tmp_path):
    with zipfile.ZipFile(pack, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.bin", bytes(50 << 20))
    problems = strict(pack)
    assert any(p.startswith("bomb.bin: compressed") and "ZIP bomb" in p for p in problems), problems
    small = Limits(max_member_bytes=100)
    problems = verify_pack(pack, expected_key=SIGNER.fingerprint, limits=small)
    assert any("jd_1001/screenshot.png" in p and "not read" in p for p in problems), problems
    problems = verify_pack(pack, limits=Limits(max_total_bytes=1000))
    assert any("in all, more than" in p for p in problems), problems


def test_other_compression_methods_are_refused(pack, tmp_path):
    bz = tmp_path / "bz.zip"
    with zipfile.ZipFile(pack) as zin, zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    problems = strict(bz)
    assert any("compression method 12" in p for p in problems), problems


def _shift(entries, action, delta):
    for e in entries:
        if e["action"] == action:
            e["at"] = (datetime.fromisoformat(e["at"]) + delta).isoformat()
    return entries


def test_custody_times_running_backwards_fail(pack, tmp_path):
    # the review dated before the capture it reviews, yet placed after it: re-chained and re-signed
    bad = reseal(pack, tmp_path / "back.zip", custody_edit=lambda es: _shift(es, "confirmed", -timedelta(days=30)))
    problems = strict(bad)
    assert any("custody.jsonl: line 2" in p and "earlier than the entry before it" in p for p in problems), problems


def test_custody_times_not_in_utc_fail(pack, tmp_path):
    def beijing(entries):
        for e in entries:
            if e["action"] == "confirmed":
                e["at"] = datetime.fromisoformat(e["at"]).astimezone(timezone(timedelta(hours=8))).isoformat()
        return entries

    problems = strict(reseal(pack, tmp_path / "cst.zip", custody_edit=beijing))
    assert any("not in UTC" in p for p in problems), problems


def test_signature_of_another_pack_fails(pack, tmp_path):
    other = tmp_path / "other.zip"
    write_pack(other, [make_item(tmp_path / "ev2", "jd", "1001")], signer=SIGNER, operator="investigator:zhao")
    theirs = dict(members_of(other))[SIGNATURE]
    mixed = tmp_path / "mixed.zip"
    with zipfile.ZipFile(mixed, "w") as zf:
        for name, data in members_of(pack):
            zf.writestr(name, theirs if name == SIGNATURE else data)
    problems = strict(mixed)
    assert any(p.startswith("signature.json") and "does not verify" in p for p in problems), problems


# --- the writer -------------------------------------------------------------------------
def test_custody_log_is_chronological_utc_with_time_sources(tmp_path):
    cst = timezone(timedelta(hours=8))
    out = tmp_path / "p.zip"
    now = datetime(2025, 3, 1, tzinfo=timezone.utc)
    write_pack(out, [make_item(tmp_path / "ev", "jd", "1001")], signer=SIGNER, clock=lambda: now,
               custody_events=[  # given out of order, one in Beijing time, one naive
                   {"at": datetime(2025, 2, 1, 10, tzinfo=cst), "actor": "reviewer:li", "action": "confirmed",
                    "subject": "jd_1001"},
                   {"at": datetime(2024, 12, 31, 23, 0), "actor": "reviewer:wang", "action": "flagged",
                    "subject": "jd_1001"}])
    assert strict(out) == []
    with zipfile.ZipFile(out) as zf:
        entries = [json.loads(line) for line in zf.read(CUSTODY).splitlines()]
    assert [e["action"] for e in entries] == ["flagged", "captured", "confirmed", "packed", "exported"]
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    assert all(t.utcoffset() == timedelta(0) for t in times) and times == sorted(times)
    assert entries[2]["at"] == "2025-02-01T02:00:00+00:00"
    assert all(e["time_source"] for e in entries), entries
    assert "host system clock" in entries[-1]["time_source"]


def test_writer_refuses_an_event_later_than_the_packing(tmp_path):
    with pytest.raises(PackError, match="later than the packing"):
        write_pack(tmp_path / "p.zip", [make_item(tmp_path / "ev", "jd", "1001")], signer=SIGNER,
                   clock=lambda: datetime(2025, 1, 1, 12, tzinfo=timezone.utc),
                   custody_events=[{"at": "2025-06-01T00:00:00+00:00", "actor": "r", "action": "confirmed",
                                    "subject": "jd_1001"}])
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize("bad", ["..", ".", "a\nb"])
def test_writer_refuses_artefact_names_that_escape(tmp_path, bad):
    item = make_item(tmp_path / "ev", "jd", "1001")
    art = item.evidence.artefacts[0]
    item.evidence.artefacts[0] = type(art)(bad, art.sha256, art.media_type, art.size)
    with pytest.raises(PackError, match="unusable artefact name"):
        write_pack(tmp_path / "p.zip", [item], signer=SIGNER)
