"""Evidence packs: write then verify, and every kind of tampering is named.

Most tests pack synthetic captures (files + hashes written here); one packs a real
Chromium capture of a local page end to end.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alerts.evidence_pack import PackItem, verify_pack, write_pack
from alerts.exceptions import PackError
from firewatch.models import Artefact, Assessment, Evidence, Listing, Reason

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_evidence(base: Path, platform: str, listing_id: str) -> Evidence:
    directory = base / platform / listing_id / "20250101T000000.000000Z"
    directory.mkdir(parents=True)
    files = {
        "screenshot.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png"),
        "page.html": ("<html><title>灭火器年检专用</title></html>".encode(), "text/html"),
        "page.mhtml": (b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n", "multipart/related"),
        "response.body": ("<title>灭火器</title>".encode("gbk"), "text/html; charset=gbk"),
    }
    artefacts = []
    for name, (data, media) in files.items():
        (directory / name).write_bytes(data)
        artefacts.append(Artefact(name, _sha(data), media, len(data)))
    manifest = json.dumps({"artefacts": [a.__dict__ for a in artefacts]}).encode()
    (directory / "manifest.json").write_bytes(manifest)
    return Evidence(platform=platform, listing_id=listing_id,
                    captured_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                    url=f"https://item.example/{listing_id}", final_url=f"https://item.example/{listing_id}",
                    http_status=200, server_ip="127.0.0.1", user_agent="ua", browser_version="156",
                    directory=str(directory), artefacts=artefacts, manifest_sha256=_sha(manifest))


def make_item(base: Path, platform: str, listing_id: str) -> PackItem:
    listing = Listing(platform=platform, listing_id=listing_id, title="ABC干粉灭火器 4kg",
                      price=Decimal("9.90"))
    assessment = Assessment(platform=platform, listing_id=listing_id, category="extinguisher",
                            category_confidence=0.93, risk_score=0.88, flagged=True,
                            reasons=[Reason("PRICE_TOO_LOW", "9.90")])
    return PackItem(listing.to_dict(), assessment, make_evidence(base, platform, listing_id))


@pytest.fixture()
def pack(tmp_path) -> Path:
    items = [make_item(tmp_path / "ev", "jd", "1001"), make_item(tmp_path / "ev", "taobao", "2002")]
    out = tmp_path / "out" / "pack.zip"
    write_pack(out, items, custody_events=[
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


def cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alerts.evidence_pack", "verify", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def flip_first_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def test_write_then_verify_ok(pack):
    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        custody = [json.loads(line) for line in zf.read("custody.jsonl").splitlines()]
    for name in ("screenshot.png", "page.html", "page.mhtml", "response.body",
                 "listing.json", "assessment.json", "capture.json", "manifest.json"):
        assert f"jd_1001/{name}" in names and f"taobao_2002/{name}" in names
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "custody.jsonl"}
    assert [e["action"] for e in custody] == ["captured", "captured", "confirmed", "packed"]
    assert all(e["prev"] == p["hash"] for p, e in zip(custody, custody[1:]))
    assert cli(pack).returncode == 0
    assert not list(pack.parent.glob("*.partial"))


def test_changed_byte_is_named(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", change={"jd_1001/page.html": flip_first_byte})
    problems = verify_pack(bad)
    assert any("jd_1001/page.html" in p and "hash mismatch" in p for p in problems), problems
    assert not any("taobao_2002" in p for p in problems)
    result = cli(bad)
    assert result.returncode != 0
    assert "jd_1001/page.html" in result.stdout


def test_missing_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", drop={"taobao_2002/screenshot.png"})
    problems = verify_pack(bad)
    assert any("taobao_2002/screenshot.png" in p and "missing" in p for p in problems), problems


def test_extra_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", add={"jd_1001/extra.txt": b"planted"})
    problems = verify_pack(bad)
    assert problems == ["jd_1001/extra.txt: not in the manifest (extra file)"]


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
    assert any("does not seal manifest.json" in p for p in problems), problems
    assert any("jd_1001/page.html" in p for p in problems), problems


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")
    assert verify_pack(path) and cli(path).returncode != 0


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


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = "<html><head><title>灭火器年检专用</title></head><body>干粉</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")
@pytest.mark.timeout(120)
def test_real_capture_packs_and_verifies(tmp_path):
    from crawler.capture import Capturer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with Capturer(CHROMIUM, tmp_path / "ev", "ua-test", ["127.0.0.1"],
                      is_blocked=lambda html, url: None) as cap:
            ev = cap.capture("jd", "5005", f"http://127.0.0.1:{httpd.server_address[1]}/i")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    out = tmp_path / "pack.zip"
    write_pack(out, [PackItem({"platform": "jd", "listing_id": "5005"}, None, ev)])
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
    write_pack(out, [item])
    assert verify_pack(out) == []
    shot = next(a for a in item.evidence.artefacts if a.name == "screenshot.png")
    (objects / shot.sha256[:2] / shot.sha256).write_bytes(b"tampered")
    with pytest.raises(PackError, match="altered"):
        write_pack(tmp_path / "pack2.zip", [item])
