"""Screenshots of the review web app's main pages for the README, refreshable at any time:
`python tools/screenshots.py --out docs/screenshots` (from the repository root).

Builds the web tests' sample dataset (`tests/web/sample.py`) in a temporary folder, drawing each
flagged listing's "captured page" with Chromium, serves the app with a real uvicorn
server on 127.0.0.1 (port 0), logs in as each role in Debian's Chromium and saves one
PNG per page. Requests to any other host are blocked.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from firewatch.core.browser import DEFAULT_CHROMIUM, chromium_path, gate, launch
from firewatch.core.money import format_yuan

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository's packages (and tests/) importable
    sys.path.insert(0, str(ROOT))

PAGES = [  # (file, user, path, what to do before the shot)
    ("login.png", None, "/login", None),
    ("queue.png", "regulator", "/queue", "select2"),
    ("listing.png", "regulator", "/listings/jd/100231", None),
    ("platform.png", "jd_team", "/platform/jd", None),
    ("case.png", "investigator", "/cases/1", None),
    ("search.png", "analyst", "/search?q=灭火器&platform=pdd", None),
    ("trends.png", "analyst", "/trends", None),
    ("audit.png", "admin", "/audit", None),
]


def _product_page(listing) -> str:
    """A plain marketplace-like page for the sample's 'captured' screenshot (all text escaped)."""
    e = html.escape
    attrs = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in listing.attributes.items())
    return (f"<html><head><meta charset='utf-8'><style>body{{font-family:'Noto Sans CJK SC',sans-serif;margin:0}}"
            f"header{{background:#e4393c;color:#fff;padding:10px 20px;font-size:20px}}main{{padding:20px}}"
            f".price{{color:#e4393c;font-size:28px}}th{{text-align:left;color:#666;padding-right:20px}}"
            f".img{{width:260px;height:260px;background:#eee;float:left;margin-right:24px;display:flex;align-items:center;"
            f"justify-content:center;color:#999}}</style></head><body><header>{e(listing.platform.upper())} 商城</header>"
            f"<main><div class='img'>商品主图</div><h2>{e(listing.title)}</h2>"
            f"<p class='price'>{e(format_yuan(listing.price))}</p><p>店铺：{e(listing.shop_name)}</p>"
            f"<table>{attrs}</table><p style='clear:both;padding-top:20px'>{e(listing.description)}</p></main></body></html>")


def capture(out: Path, chromium: str = DEFAULT_CHROMIUM) -> list[Path]:
    from playwright.sync_api import sync_playwright  # slow to import: only when screenshots are taken

    from firewatch.core.settings import load_settings
    from firewatch.store import open_store
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer
    from tests.web.sample import PASSWORD, build_sample

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="firewatch-shots-") as tmp, sync_playwright() as pw:
        browser = launch(pw.chromium, chromium)
        drawer = browser.new_page(viewport={"width": 900, "height": 700})

        def draw(listing) -> bytes:
            drawer.set_content(_product_page(listing))
            return drawer.screenshot(full_page=True)

        data = Path(tmp)
        build_sample(data, screenshot=draw)
        with open_store(data / "firewatch.db", data_dir=data) as store:
            case_id = store.reviews.create_case("年检专用灭火器专项", "investigator", "多平台同款年检专用灭火器")
            for key in (("jd", "100231"), ("pdd", "8800101"), ("1688", "7300001")):
                store.reviews.add_case_item(case_id, key, "investigator")
                store.users.audit("investigator", "case_add", f"case:{case_id}", {"listing": f"{key[0]}:{key[1]}"})
        settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})
        server = AppServer(create_app(settings))
        base = server.start()
        try:
            for name, user, path, action in PAGES:
                context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 860})
                context.route("**/*", gate([urlsplit(base).netloc]))  # the app under test only
                page = context.new_page()
                if user:
                    page.goto(base + "/login")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_selector("header nav")
                page.goto(base + path)
                if action == "select2":
                    page.wait_for_selector("#queue[data-ready='1']")
                    page.keyboard.press("j")
                    page.keyboard.press("?")
                target = out / name
                page.screenshot(path=str(target), full_page=False)
                written.append(target)
                context.close()
        finally:
            server.stop()
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/screenshots", help="Folder for the PNGs (default: docs/screenshots).")
    parser.add_argument("--chromium", help="Chromium executable (default: the settings' capture.chromium).")
    args = parser.parse_args(argv)
    from firewatch.core.settings import load_settings

    chromium = args.chromium or chromium_path(load_settings())
    if not Path(chromium).exists():
        print(f"Chromium not found at {chromium}: apt-get install chromium", file=sys.stderr)
        return 2
    for path in capture(Path(args.out), chromium):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
