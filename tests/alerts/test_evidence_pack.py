"""Evidence packs: write then verify, and every kind of tampering is named.

Most tests pack synthetic captures (files + hashes, tests/builders.py) signed with an
in-memory Ed25519 key; one packs a real Chromium capture of a local page end to end,
and one renders the Chinese report with real Chromium and checks the PDF.
"""

from __future__ import annotations

import json
import unicodedata
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from alerts import evidence_pack
from alerts.evidence_pack import PackItem, verify_pack, write_pack
from alerts.signing import PackSigner
from alerts.exceptions import PackError
from tests.builders import PACK_SIGNER as SIGNER, make_item, sha256_hex as _sha
from tests.servers import PageServer


@pytest.fixture()
def pack(tmp_path) -> Path:
    items = [make_item(tmp_path / "ev", "jd", "1001"), make_item(tmp_path / "ev", "taobao", "2002")]
    out = tmp_path / "out" / "pack.zip"
    write_pack(out, items, signer=SIGNER, operator="investigator:zhao", custody_events=[
        {"at": "2025-01-02T00:00:00+00:00", "actor": "reviewer:wang", "action": "confirmed",
         "subject": "jd_1001"}])
    return out


def rewrite(src: Path, dst: Path, change=None, drop=(), add=None) -> Path:
    """Copy a ZIP member by member, changing, dropping or adding members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if change and info.filename in change:
                data = change[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def cli(path: Path, capsys) -> tuple[int, str]:
    """`python -m alerts.evidence_pack verify PATH`, run in this process: (exit code, stdout)."""
    capsys.readouterr()
    code = evidence_pack.main(["verify", str(path)])
    return code, capsys.readouterr().out


def flip_first_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def test_write_then_verify_ok(pack, capsys):
    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        custody = [json.loads(line) for line in zf.read("custody.jsonl").splitlines()]
    for name in ("screenshot.png", "page.html", "page.mhtml", "response.body",
                 "listing.json", "assessment.json", "capture.json", "manifest.json"):
        assert f"jd_1001/{name}" in names and f"taobao_2002/{name}" in names
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "custody.jsonl", "signature.json"}
    assert [e["action"] for e in custody] == ["captured", "captured", "confirmed", "packed", "exported"]
    assert custody[-1]["actor"] == custody[-2]["actor"] == "investigator:zhao"
    assert custody[-1]["subject"] == "pack.zip"
    assert all(e["prev"] == p["hash"] for p, e in zip(custody, custody[1:]))
    code, out = cli(pack, capsys)
    assert code == 0 and out.strip().endswith(": OK"), out
    assert not list(pack.parent.glob("*.partial"))


def test_changed_byte_is_named(pack, tmp_path, capsys):
    bad = rewrite(pack, tmp_path / "bad.zip", change={"jd_1001/page.html": flip_first_byte})
    problems = verify_pack(bad)
    assert any("jd_1001/page.html" in p and "hash mismatch" in p for p in problems), problems
    assert not any("taobao_2002" in p for p in problems)
    code, out = cli(bad, capsys)
    assert code == 1
    assert "jd_1001/page.html" in out


def test_missing_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", drop={"taobao_2002/screenshot.png"})
    problems = verify_pack(bad)
    assert any("taobao_2002/screenshot.png" in p and "missing" in p for p in problems), problems


def test_extra_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", add={"jd_1001/extra.txt": b"planted"})
    problems = verify_pack(bad)
    assert problems == ["jd_1001/extra.txt: not in the manifest (extra file)"]
    assert verify_pack(pack) == []


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_entry(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", add={"jd_1001/page.html": b"<html>other</html>"})
    problems = verify_pack(bad)
    assert any("jd_1001/page.html" in p and "duplicate" in p for p in problems), problems


def test_custody_entry_altered(pack, tmp_path):
    def edit(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        entry = json.loads(lines[2])
        entry["actor"] = "reviewer:li"
        lines[2] = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return ("\n".join(lines) + "\n").encode()

    problems = verify_pack(rewrite(pack, tmp_path / "bad.zip", change={"custody.jsonl": edit}))
    assert any("custody.jsonl" in p and "line 3" in p for p in problems), problems


def test_custody_entry_removed(pack, tmp_path):
    def drop_line(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        del lines[1]
        return ("\n".join(lines) + "\n").encode()

    problems = verify_pack(rewrite(pack, tmp_path / "bad.zip", change={"custody.jsonl": drop_line}))
    assert any("chain broken" in p for p in problems), problems


def test_manifest_rewritten_to_match_tampered_file(pack, tmp_path):
    """Fixing the manifest after altering a file breaks the custody seal."""
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        html = flip_first_byte(zf.read("jd_1001/page.html"))
    for f in manifest["files"]:
        if f["path"] == "jd_1001/page.html":
            f["sha256"] = _sha(html)
    bad = rewrite(pack, tmp_path / "bad.zip", change={
        "jd_1001/page.html": lambda _: html,
        "manifest.json": lambda _: json.dumps(manifest).encode()})
    problems = verify_pack(bad)
    assert any("no entry seals manifest.json" in p for p in problems), problems
    assert any("signature.json" in p and "does not verify" in p for p in problems), problems
    assert any("jd_1001/page.html" in p for p in problems), problems


def test_not_a_zip(tmp_path, capsys):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")
    assert verify_pack(path) and cli(path, capsys)[0] == 1


def test_refuses_to_pack_altered_capture(tmp_path):
    item = make_item(tmp_path / "ev", "jd", "3003")
    (Path(item.evidence.directory) / "page.html").write_bytes(b"<html>edited</html>")
    out = tmp_path / "pack.zip"
    with pytest.raises(PackError, match="altered"):
        write_pack(out, [item])
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_refuses_empty_and_duplicate(tmp_path):
    with pytest.raises(PackError):
        write_pack(tmp_path / "p.zip", [])
    item = make_item(tmp_path / "ev", "jd", "4004")
    with pytest.raises(PackError, match="same listing"):
        write_pack(tmp_path / "p.zip", [item, item])


PAGE = "<html><head><title>灭火器年检专用</title></head><body>干粉</body></html>".encode()


@pytest.mark.timeout(120)
def test_real_capture_packs_and_verifies(capturer, serve):
    site = serve(PageServer, default=(PAGE, "text/html; charset=utf-8"))
    ev = capturer.capture("jd", "5005", f"{site.url}/i")
    out = capturer.out_dir.parent / "pack-5005.zip"
    write_pack(out, [PackItem({"platform": "jd", "listing_id": "5005"}, None, ev)], signer=SIGNER)
    assert verify_pack(out) == []
    with zipfile.ZipFile(out) as zf:
        assert "灭火器年检专用" in zf.read("jd_5005/page.html").decode()
        assert _sha(zf.read("jd_5005/manifest.json")) == ev.manifest_sha256


def test_packs_from_object_store_when_folder_lacks_a_file(tmp_path):
    item = make_item(tmp_path / "ev", "jd", "6006")
    directory = Path(item.evidence.directory)
    objects = tmp_path / "ev" / "objects"
    for art in item.evidence.artefacts:
        obj = objects / art.sha256[:2] / art.sha256
        obj.parent.mkdir(parents=True, exist_ok=True)
        obj.write_bytes((directory / art.name).read_bytes())
    (directory / "screenshot.png").unlink()
    out = tmp_path / "pack.zip"
    with pytest.raises(PackError, match="missing"):
        write_pack(out, [item])
    item.objects_dir = objects
    write_pack(out, [item], signer=SIGNER)
    assert verify_pack(out) == []
    shot = next(a for a in item.evidence.artefacts if a.name == "screenshot.png")
    (objects / shot.sha256[:2] / shot.sha256).write_bytes(b"tampered")
    with pytest.raises(PackError, match="altered"):
        write_pack(tmp_path / "pack2.zip", [item])


# --- every member, every kind of change --------------------------------------------


def test_one_changed_byte_in_any_member_is_caught_and_named(pack, tmp_path):
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
    assert {"signature.json", "signing-key.pub.pem", "custody.jsonl", "manifest.json"} <= set(names)
    for index, name in enumerate(names):
        def flip_middle(data: bytes) -> bytes:
            i = len(data) // 2
            return data[:i] + bytes([data[i] ^ 0x20]) + data[i + 1:]

        bad = rewrite(pack, tmp_path / f"bad{index}.zip", change={name: flip_middle})
        problems = verify_pack(bad)
        assert problems, f"changing one byte of {name} went unnoticed"
        assert any(p.startswith(name) or name in p for p in problems), (name, problems)


def test_added_and_removed_members_are_named(pack, tmp_path):
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
    for index, name in enumerate(names):
        problems = verify_pack(rewrite(pack, tmp_path / f"drop{index}.zip", drop={name}))
        assert any(name in p for p in problems), (name, problems)
    for extra in ("notes.txt", "jd_1001/screenshot2.png", "manifest.tsr"):
        problems = verify_pack(rewrite(pack, tmp_path / "add.zip", add={extra: b"planted"}))
        assert any(extra in p for p in problems), (extra, problems)


def _resign(src: Path, dst: Path, other: PackSigner) -> Path:
    """What a forger with their own key does: replace the key everywhere and re-sign."""
    import base64

    from alerts.pack_format import json_bytes, signed_payload

    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    pem = other.public_pem
    manifest = json.loads(members["manifest.json"])
    manifest["signing_key"] = {"algorithm": "Ed25519", "public_key": other.public_b64,
                               "fingerprint": other.fingerprint}
    for f in manifest["files"]:
        if f["path"] == "signing-key.pub.pem":
            f["sha256"], f["size"] = _sha(pem), len(pem)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    # the forger also re-seals the custody log so that every hash agrees
    from alerts.pack_format import canonical, chain_entries
    entries = [json.loads(line) for line in members["custody.jsonl"].splitlines()]
    for e in entries:
        if e["action"] == "packed":
            e["sha256"] = _sha(manifest_bytes)
            e["detail"]["key_fingerprint"] = other.fingerprint
    custody = b"".join(canonical(e) + b"\n" for e in chain_entries(entries))
    payload = signed_payload(_sha(manifest_bytes), _sha(custody), "", other.fingerprint)
    signature = {"algorithm": "Ed25519", "public_key": other.public_b64, "fingerprint": other.fingerprint,
                 "payload": json.loads(payload), "signature": base64.b64encode(other.sign(payload)).decode()}
    members.update({"manifest.json": manifest_bytes, "custody.jsonl": custody, "signing-key.pub.pem": pem,
                    "signature.json": json_bytes(signature)})
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def test_resigned_with_another_key_fails_against_the_expected_key(pack, tmp_path):
    other = PackSigner.generate()
    forged = _resign(pack, tmp_path / "forged.zip", other)
    # internally consistent: without a known key only the fingerprint tells
    from alerts.pack_verify import check_pack, signer_fingerprint

    assert verify_pack(forged) == []
    assert signer_fingerprint(check_pack(forged)) == other.fingerprint != SIGNER.fingerprint
    problems = verify_pack(forged, expected_key=SIGNER.fingerprint)
    assert any("signature.json" in p and "different key" in p for p in problems), problems
    assert verify_pack(pack, expected_key=SIGNER.fingerprint) == []


def test_key_swapped_without_resigning_is_caught(pack, tmp_path):
    other = PackSigner.generate()

    def swap(data: bytes) -> bytes:
        sig = json.loads(data)
        sig["public_key"], sig["fingerprint"] = other.public_b64, other.fingerprint
        return json.dumps(sig).encode()

    problems = verify_pack(rewrite(pack, tmp_path / "swap.zip", change={"signature.json": swap}))
    assert any("signature.json" in p and "does not verify" in p for p in problems), problems
    assert any("differs from the one manifest.json names" in p for p in problems), problems


def test_unsigned_pack_is_reported(tmp_path):
    out = tmp_path / "unsigned.zip"
    write_pack(out, [make_item(tmp_path / "ev", "jd", "7007")])
    assert verify_pack(out) == ["signature.json: missing (the pack is not signed)"]


# --- real Chromium: the Chinese report, and `firewatch verify` ----------------------


def pdf_unicode(pdf: bytes) -> str:
    """Every character a PDF's ToUnicode maps name (the text a reader can extract)."""
    import re
    import zlib

    chars = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        if b"begincmap" not in data:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for dst in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
                chars.append(bytes.fromhex(dst.decode()).decode("utf-16-be", "replace"))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = int(dst, 16)
                chars.extend(chr(start + i) for i in range(int(hi, 16) - int(lo, 16) + 1))
    # Skia maps glyphs shared with Kangxi radicals (U+2F00..) to the radical: NFKC undoes it
    return unicodedata.normalize("NFKC", "".join(chars))


@pytest.mark.timeout(180)
def test_report_pdf_in_chinese_with_history_and_hostile_title(tmp_path, chromium):
    from datetime import timedelta

    from firewatch.core.models import Decision, Snapshot

    item = make_item(tmp_path / "ev", "jd", "8008")
    item.listing["title"] = '=HYPERLINK("http://evil.example")<script>alert(1)</script>灭火器 $x$'
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    item.snapshots = [Snapshot("jd", "8008", t0 + timedelta(days=i), Decimal(p), "t", None, "active", "h")
                      for i, p in enumerate(("19.90", "9.90"))]
    item.decisions = [Decision("jd", "8008", "alice", "confirm", "<b>fake</b>", at=t0)]
    out = tmp_path / "pack.zip"
    write_pack(out, [item], signer=SIGNER, operator="li", chromium=chromium, time_source="NTP test clock")
    assert verify_pack(out) == []
    with zipfile.ZipFile(out) as zf:
        pdf = zf.read("report.pdf")
        html = zf.read("report.html").decode()
        chart = zf.read("jd_8008/price-chart.png")
        history = zf.read("jd_8008/history.csv").decode("utf-8-sig")
        record = json.loads(zf.read("jd_8008/capture-record.json"))
        assessment = json.loads(zf.read("jd_8008/assessment.json"))
    assert pdf.startswith(b"%PDF") and (b"NotoSansCJK" in pdf or b"NotoSerifCJK" in pdf)
    text = pdf_unicode(pdf)
    assert set("电子数据提取笔录") <= set(text) and set(SIGNER.fingerprint[:8]) <= set(text)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;fake" in html
    assert SIGNER.fingerprint in html and "NTP test clock" in html and "确认违规" in html
    assert chart.startswith(b"\x89PNG")
    assert "19.90" in history and "9.90" in history
    assert record["time_source"] == "NTP test clock" and record["server_ip"] == "127.0.0.1"
    assert assessment["reasons"][0]["evidence"] == "9.90"


def test_firewatch_verify_prints_each_check_and_names_the_file(pack, tmp_path, run_firewatch):
    def verify(*args):
        return run_firewatch("verify", *args, data_dir=tmp_path / "data")

    ok = verify(str(pack), "--key", SIGNER.fingerprint)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    for label in ("文件哈希", "清单完整", "保管链", "电子签名", "可信时间戳"):
        assert label in ok.stdout
    assert "✗" not in ok.stdout
    bad = rewrite(pack, tmp_path / "bad.zip", change={"taobao_2002/page.mhtml": flip_first_byte})
    failed = verify(str(bad))
    assert failed.returncode == 3
    assert "✗" in failed.stdout and "taobao_2002/page.mhtml" in failed.stdout + failed.stderr
    forged = _resign(pack, tmp_path / "forged.zip", PackSigner.generate())
    wrong_key = verify(str(forged), "--key", SIGNER.fingerprint)
    assert wrong_key.returncode == 3 and "different key" in wrong_key.stdout
    unknown = verify(str(forged))
    assert unknown.returncode == 0 and "not checked against a known key" in unknown.stdout
    # on the issuing machine (it has an installation key) a pack signed by any other key fails
    from alerts.signing import installation_key

    local = installation_key(tmp_path / "data" / "keys")
    at_home = verify(str(forged))
    assert at_home.returncode == 3 and "not this installation's key" in at_home.stdout + at_home.stderr
    assert local.fingerprint in at_home.stdout + at_home.stderr
