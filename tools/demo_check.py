"""Check what a demo run left behind for the two things issue 12 asks of it:
`python tools/demo_check.py [var/demo]` (from the repository root, after `make demo`).

1. No stored listing URL or image URL, takedown file, notice or evidence manifest URL field holds
   `127.0.0.1` or `localhost`, and every listing URL has its platform's real form. The manifests'
   `server_ip` and host-map fields say honestly which address answered (the local replica), so
   they are reported separately, not counted as URLs.
2. Every screenshot of an item page shows a page (not one colour) and no two listings share one
   (the pages fetched again that showed an item gone are the platform's error page: counted apart).
3. OCR read some of the generated listing images, and the listing page of a listing with a
   reason found in an image shows that image with the cited text's box marked and the reason
   labelled as coming from the image (the page is rendered by the web app in this process, as an
   analyst who may see every listing; the store is only read).
4. The simulated campaign (issue 16) left a shape, not a single bar: flags in two or more weeks,
   removals after notices with a measured flag-to-removal time, and the campaign report's PDF and XLSX.

Prints the figures and exits 1 when a check fails.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

from fastapi import Request  # module level: FastAPI reads the dependency's annotation from these globals
from PIL import Image, ImageStat

LOCAL = re.compile(r"127\.0\.0\.1|localhost", re.IGNORECASE)
REAL_FORMS = {
    "jd": r"https://item\.jd\.com/\d+\.html",
    "taobao": r"https://item\.taobao\.com/item\.htm\?id=\d+",
    "tmall": r"https://detail\.tmall\.com/item\.htm\?id=\d+",
    "pdd": r"https://mobile\.yangkeduo\.com/goods\.html\?goods_id=\d+",
    "1688": r"https://detail\.1688\.com/offer/\d+\.html",
}
ANSWERED_BY = ("server_ip", "server_address", "host_map", "resolve", "answered_by", "fingerprint_from")


def url_fields(node, path=""):
    """(path, value) of every string in a manifest, except the fields recording who answered."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ANSWERED_BY:
                continue
            yield from url_fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from url_fields(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def main(data: Path) -> int:
    failures = []
    db = sqlite3.connect(data / "firewatch.db")
    rows = db.execute("SELECT platform, listing_id, url, image_urls FROM listings").fetchall()
    local = [r for r in rows if LOCAL.search(r[2]) or LOCAL.search(r[3])]
    wrong = [r for r in rows if not re.fullmatch(REAL_FORMS[r[0]], r[2])]
    print(f"listings: {len(rows)}; with a local URL: {len(local)}; not in the platform's real form: {len(wrong)}")
    failures += ["listing URLs"] * bool(local or wrong)

    exports = data / "exports"
    sheets = sorted(exports.glob("takedown-*.xlsx"))
    hits = sum(bool(LOCAL.search(zipfile.ZipFile(f).read(n).decode("utf-8", "replace")))
               for f in sheets for n in zipfile.ZipFile(f).namelist())
    print(f"takedown files: {len(sheets)}; parts with a local address: {hits}")
    failures += ["takedown files"] * bool(hits)
    notices = sorted((exports / "notices").glob("*.html"))
    hits = sum(bool(LOCAL.search(f.read_text(encoding="utf-8"))) for f in notices)
    print(f"notices (HTML of each PDF): {len(notices)}; with a local address: {hits}")
    failures += ["notices"] * bool(hits)

    manifests = sorted((data / "evidence").rglob("manifest.json"))
    bad, answered = [], defaultdict(int)
    for file in manifests:
        manifest = json.loads(file.read_text(encoding="utf-8"))
        bad += [(file, p) for p, v in url_fields(manifest) if LOCAL.search(v)]
        for key in ANSWERED_BY:
            if LOCAL.search(json.dumps(manifest.get(key, ""))):
                answered[key] += 1
    print(f"evidence manifests: {len(manifests)}; URL fields with a local address: {len(bad)}"
          + "".join(f"; {k} naming the local replica (who answered): {n}" for k, n in sorted(answered.items())))
    for file, p in bad[:5]:
        print(f"  {file}: {p}")
    failures += ["manifests"] * bool(bad)

    shots = sorted((data / "evidence").glob("*/*/*/screenshot.png"))
    # a page fetched again that showed the item gone (role 'removal') is the platform's own error or home
    # page: the same for every taken-down item, so only item pages must differ
    with sqlite3.connect(f"file:{data / 'firewatch.db'}?mode=ro", uri=True) as db:
        removal_dirs = {json.loads(r)["directory"] for (r,) in
                        db.execute("SELECT record FROM evidence WHERE role = 'removal'")}
    removal_shots = [s for s in shots if str(s.parent.relative_to(data)) in removal_dirs]
    shots = [s for s in shots if str(s.parent.relative_to(data)) not in removal_dirs]
    by_hash, blank = defaultdict(set), []
    for shot in shots:
        listing = shot.parts[-4], shot.parts[-3]
        manifest = json.loads((shot.parent / "manifest.json").read_text(encoding="utf-8"))
        digest = next((a["sha256"] for a in manifest.get("artefacts", []) if a["name"] == "screenshot.png"), "")
        by_hash[digest].add(listing)
        with Image.open(shot) as image:
            spread = ImageStat.Stat(image.convert("L")).extrema[0]
        if spread[1] - spread[0] < 16:
            blank.append(shot)
    shared = {h: keys for h, keys in by_hash.items() if len(keys) > 1}
    print(f"screenshots of item pages: {len(shots)} of {sum(len(k) for k in by_hash.values())} listings; "
          f"blank: {len(blank)}; shared by two or more listings: {len(shared)}; "
          f"removal pages fetched again (the platform's error page, kept apart): {len(removal_shots)}")
    failures += ["screenshots"] * bool(blank or shared or not shots)
    failures += ocr_check(data)

    summary = json.loads((data / "demo-summary.json").read_text(encoding="utf-8")).get("campaign") or {}
    weekly = summary.get("weekly", {})
    busy = sum(1 for n in weekly.get("flagged", []) if n)
    files = [Path(summary[k]) for k in ("pdf", "xlsx") if summary.get(k)]
    print(f"campaign {summary.get('from')}..{summary.get('to')}: weeks {len(summary.get('weeks', []))}, "
          f"weeks with flags {busy}, removed {summary.get('totals', {}).get('removed')}, "
          f"flag-to-removal median {summary.get('removal_median_days')} days, report files {len(files)}")
    failures += ["campaign"] * bool(busy < 2 or not summary.get("totals", {}).get("removed")
                                    or summary.get("removal_median_days") is None
                                    or len(files) < 2 or not all(f.is_file() and f.stat().st_size for f in files))
    if failures:
        print("FAILED: " + ", ".join(sorted(set(failures))))
        return 1
    print("OK")
    return 0


def ocr_check(data: Path) -> list[str]:
    """Check 3: image records, and one listing page showing image evidence."""
    db = sqlite3.connect(data / "firewatch.db")
    images, with_text = db.execute("SELECT COUNT(*), SUM(CASE WHEN lines<>'[]' THEN 1 ELSE 0 END) FROM ocr_images").fetchone()
    cited = [(p, i) for p, i, reasons in db.execute("SELECT platform, listing_id, reasons FROM assessments")
             if '"span_field": "image:' in reasons]
    print(f"OCR: images read {images}, with text {with_text or 0}; listings with a reason from an image: {len(cited)}")
    if not cited:
        return ["ocr"]
    from fastapi.testclient import TestClient

    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.deps import User, optional_user

    def analyst(request: Request) -> User:  # who is asking, as a logged-in session would set it
        request.state.user = User("demo-check", "analyst")
        return request.state.user

    app = create_app(load_settings(env={"FIREWATCH_DATA_DIR": str(data)}))
    app.dependency_overrides[optional_user] = analyst
    platform, listing_id = cited[0]
    with TestClient(app) as client:
        page = client.get(f"/listings/{platform}/{listing_id}").text
        drawn = re.search(r'/listings/[^"]+/images/[0-9a-f]{64}', page)  # served by the record's SHA-256
        image = client.get(drawn[0]) if drawn else None
    shown = ('id="image-text"' in page and 'class="ocr-box cited"' in page and "文字（OCR）" in page
             and image is not None and image.status_code == 200 and image.headers["content-type"].startswith("image/"))
    print(f"listing page /listings/{platform}/{listing_id}: image evidence with a cited box shown: {shown}")
    return [] if shown else ["ocr listing page"]


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/demo")))
