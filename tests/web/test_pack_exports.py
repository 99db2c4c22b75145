"""Evidence packs are exported in the background (issue 15): the case page answers at once, shows
the export's progress by polling its status, then a download link; a second click with nothing
changed reuses that pack; earlier packs are listed for download; a server killed mid-export leaves
the export shown as interrupted, with no file offered. Own data folder and server."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from firewatch.core.models import Decision
from firewatch.store import open_store
from tests.helpers import browser_login, login_client, wait_until
from tests.web.sample import build_sample, make_case, sample_site


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium):
    with sample_site(tmp_path_factory.mktemp("pack-data"), chromium) as site:
        yield site


def _case(site, title: str, keys) -> int:
    return make_case(site["data"], title, keys)


def _packs(site, case_id: int) -> list:
    with open_store(site["data"] / "firewatch.db") as store:
        return store.packs.of_case(case_id)


def test_export_runs_in_the_background_shows_progress_and_reuses_the_same_pack(site, browser, tmp_path):
    case_id = _case(site, "后台导出专案", [("jd", "100231"), ("pdd", "8800101")])
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = site["url"]
    statuses: list[str] = []
    page.on("response", lambda r: statuses.append(r.url) if "/status" in r.url else None)
    try:
        browser_login(page, "investigator")
        page.goto(f"{page.base}/cases/{case_id}")
        page.click("#export-pack button")
        expect(page).to_have_url(re.compile(rf"/cases/{case_id}\?export=\d+#packs$"))  # answered before the pack exists
        expect(page.locator("#pack-progress progress")).to_be_visible()
        expect(page.locator("#pack-download")).to_be_visible(timeout=120000)
        assert statuses, "the page never asked for the export's status"
        with page.expect_download(timeout=60000) as info:
            page.click("#pack-download")
        pack = tmp_path / info.value.suggested_filename
        info.value.save_as(pack)
        from alerts.evidence_pack import verify_pack

        assert verify_pack(pack) == []
        with zipfile.ZipFile(pack) as zf:
            assert "jd_100231/screenshot.png" in zf.namelist()
        first = _packs(site, case_id)
        assert [e.state for e in first] == ["done"]
        page.goto(f"{page.base}/cases/{case_id}")
        page.click("#export-pack button")  # nothing changed: the same pack, no second export
        expect(page.locator("#pack-progress")).to_have_count(0)
        expect(page.locator("table.packs a.pack-download")).to_have_count(1)
        assert [e.id for e in _packs(site, case_id)] == [first[0].id]
        with open_store(site["data"] / "firewatch.db") as store:  # a new decision changes what a pack holds
            store.reviews.record_decision(Decision("jd", "100231", "regulator", "confirm", "复核确认",
                                                   datetime.now(timezone.utc)))
        page.click("#export-pack button")
        expect(page.locator("#pack-download")).to_be_visible(timeout=120000)
        page.goto(f"{page.base}/cases/{case_id}")
        links = page.locator("table.packs a.pack-download")
        expect(links).to_have_count(2)  # the earlier pack stays listed for download
        assert page.request.get(page.base + links.nth(1).get_attribute("href")).body() == pack.read_bytes()
    finally:
        context.close()


def test_a_server_killed_mid_export_leaves_it_interrupted_not_done(site):
    case_id = _case(site, "中断专案", [("jd", "100231")])
    with open_store(site["data"] / "firewatch.db") as store:  # what a server killed mid-export leaves behind
        export, started = store.packs.start(case_id, "0" * 64, "investigator", "no-such-host:1", 4)
        store.packs.progress(export.id, 1, 4, "读取取证文件 1/1")
    assert started
    partial = site["data"] / "exports" / "cases" / str(case_id)
    partial.mkdir(parents=True, exist_ok=True)
    (partial / f".case-{case_id}-x.zip.partial").write_bytes(b"PK half")
    investigator = login_client(site["url"], "investigator")
    status = investigator.get(f"/cases/{case_id}/packs/{export.id}/status").json()
    # another host's export that reported within the last minutes is still believed running
    assert status["state"] == "running" and status["download_url"] is None
    with open_store(site["data"] / "firewatch.db") as store, store.transaction() as db:  # as a long-silent worker's
        db.execute("UPDATE pack_exports SET updated_at='2026-01-01T00:00:00+00:00' WHERE id=?", (export.id,))
    status = investigator.get(f"/cases/{case_id}/packs/{export.id}/status").json()
    assert status["state"] == "failed" and "导出中断" in status["error"] and status["download_url"] is None
    assert investigator.get(f"/cases/{case_id}/packs/{export.id}").status_code == 404
    page = investigator.get(f"/cases/{case_id}").text
    assert "导出中断" in page and "pack-download" not in page


def test_a_dead_local_worker_is_seen_at_once(site):
    import subprocess
    import socket
    import sys

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = f"{socket.gethostname()}:{child.stdout.strip()}"  # a process of this host that has exited
    case_id = _case(site, "进程已退出专案", [("jd", "100231")])
    with open_store(site["data"] / "firewatch.db") as store:
        export, _ = store.packs.start(case_id, "1" * 64, "investigator", dead, 4)
    investigator = login_client(site["url"], "investigator")
    status = investigator.get(f"/cases/{case_id}/packs/{export.id}/status").json()
    assert status["state"] == "failed" and "导出中断" in status["error"]
    started = investigator.post(f"/cases/{case_id}/export", data={"csrf_token": investigator.csrf})
    assert started.status_code == 303
    new_id = int(re.search(r"export=(\d+)", started.headers["location"]).group(1))
    assert new_id != export.id
    wait_until(lambda: investigator.get(f"/cases/{case_id}/packs/{new_id}/status").json()["state"] != "running",
               timeout=120, what="the new export to finish")
    assert investigator.get(f"/cases/{case_id}/packs/{new_id}/status").json()["state"] == "done"


def test_the_api_exports_in_the_background_and_reuses_an_identical_pack(site):
    case_id = _case(site, "接口导出专案", [("taobao", "62004")])
    api = login_client(site["url"], "investigator")
    headers = {"X-CSRF-Token": api.csrf}
    first = api.post(f"/api/v1/cases/{case_id}/exports", headers=headers)
    assert first.status_code == 202 and first.json()["reused"] is False
    state = wait_until(lambda: (lambda s: s if s["state"] != "running" else None)(api.get(first.json()["status_url"]).json()),
                       timeout=120, what="the API export")
    assert state["state"] == "done" and state["download_url"] == f"/cases/{case_id}/packs/{first.json()['id']}"
    again = api.post(f"/api/v1/cases/{case_id}/exports", headers=headers)
    assert again.status_code == 202 and again.json()["reused"] is True and again.json()["id"] == first.json()["id"]
    listed = api.get(f"/api/v1/cases/{case_id}/exports").json()["exports"]
    assert [e["id"] for e in listed] == [first.json()["id"]]
    pack = api.get(state["download_url"]).content
    assert pack[:2] == b"PK"
    in_request = api.post(f"/api/v1/cases/{case_id}/export", headers=headers)  # the older, in-request export
    assert in_request.status_code == 200 and in_request.content == pack  # the same pack, not another


def test_a_server_sigkilled_during_an_export_leaves_it_interrupted(tmp_path, chromium):
    """A real `firewatch serve` child is killed while its export renders the report: the next
    server shows the export as interrupted, offers no file, and a new export then succeeds."""
    import os
    import signal
    import socket
    import subprocess

    import httpx

    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer
    from tests.helpers import firewatch_command

    data = tmp_path / "data"
    build_sample(data)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "FIREWATCH_CAPTURE__CHROMIUM": chromium}
    child = subprocess.Popen(firewatch_command(data, "serve", "--host", "127.0.0.1", "--port", str(port)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        url = f"http://127.0.0.1:{port}"

        def up():
            try:
                return httpx.get(url + "/login", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, timeout=60, what="the child server")
        investigator = login_client(url, "investigator")
        case = investigator.post("/cases", data={"title": "断电专案", "csrf_token": investigator.csrf}).headers["location"]
        for key in ("jd:100231", "pdd:8800101", "taobao:62004"):
            investigator.post(f"{case}/items", data={"listing": key, "csrf_token": investigator.csrf})
        started = investigator.post(f"{case}/export", data={"csrf_token": investigator.csrf})
        export_id = int(re.search(r"export=(\d+)", started.headers["location"]).group(1))
        status = f"{case}/packs/{export_id}/status"
        seen = wait_until(lambda: (lambda s: s if s["state"] != "running" or "PDF" in s["stage"] else None)(
            investigator.get(status).json()), timeout=120, what="the export to reach the report")
        assert seen["state"] == "running", seen  # caught while rendering the report
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)

    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}, "capture": {"chromium": chromium}})
    server = AppServer(create_app(settings))
    url = server.start()
    try:
        investigator = login_client(url, "investigator")
        after = investigator.get(f"{case}/packs/{export_id}/status").json()
        assert after["state"] == "failed" and "导出中断" in after["error"] and after["download_url"] is None
        assert investigator.get(f"{case}/packs/{export_id}").status_code == 404
        assert not list((data / "exports").rglob("*.zip"))  # at most a .partial, never a pack
        assert "导出中断" in investigator.get(case).text
        again = investigator.post(f"{case}/export", data={"csrf_token": investigator.csrf})
        new_id = int(re.search(r"export=(\d+)", again.headers["location"]).group(1))
        assert new_id != export_id
        done = wait_until(lambda: (lambda s: s if s["state"] != "running" else None)(
            investigator.get(f"{case}/packs/{new_id}/status").json()), timeout=120, what="the new export")
        assert done["state"] == "done"
    finally:
        server.stop()


def test_at_most_the_configured_number_of_exports_pack_at_once(tmp_path):
    """With one slot, a second export waits as 排队中 (its exporter not called) until the first ends,
    then runs: background exports never all launch Chromium at once."""
    import threading

    from firewatch.web import WebConfig, create_app
    from firewatch.web.serving import AppServer

    data = tmp_path / "data"
    build_sample(data)
    release = threading.Event()
    calls: list[str] = []
    calls_lock = threading.Lock()

    def exporter(store, keys, out, operator, case, progress):
        with calls_lock:
            calls.append(case)
        release.wait(60)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"PK" + case.encode("utf-8"))

    server = AppServer(create_app(WebConfig(store_path=data / "firewatch.db", evidence_dir=data / "evidence",
                                            export_dir=data / "exports", pack_exporter=exporter,
                                            pack_exports_at_once=1)))
    url = server.start()
    try:
        site = {"data": data}
        first_case = _case(site, "并发一", [("jd", "100231")])
        second_case = _case(site, "并发二", [("pdd", "8800101")])
        api = login_client(url, "investigator")
        headers = {"X-CSRF-Token": api.csrf}
        first = api.post(f"/api/v1/cases/{first_case}/exports", headers=headers).json()
        wait_until(lambda: len(calls) == 1, timeout=30, what="the first export to start packing")
        second = api.post(f"/api/v1/cases/{second_case}/exports", headers=headers).json()
        queued = wait_until(lambda: (lambda s: s if s["stage"] == "排队中" else None)(api.get(second["status_url"]).json()),
                            timeout=30, what="the second export to be shown queued")
        assert queued["state"] == "running" and len(calls) == 1  # waiting: its exporter has not run
        release.set()
        for export in (first, second):
            state = wait_until(lambda: (lambda s: s if s["state"] != "running" else None)(api.get(export["status_url"]).json()),
                               timeout=60, what="the exports to finish")
            assert state["state"] == "done", state
        assert len(calls) == 2
        # HEAD on a pack's download is refused and audits no download; GET audits one
        assert api.head(state["download_url"]).status_code == 405
        with open_store(data / "firewatch.db") as store:
            assert store.users.audit_entries(action="download_pack") == []
        assert api.get(state["download_url"]).status_code == 200
        with open_store(data / "firewatch.db") as store:
            assert len(store.users.audit_entries(action="download_pack")) == 1
    finally:
        release.set()
        server.stop()


def test_the_inputs_hash_takes_a_few_queries_not_several_per_listing(tmp_path):
    """`pack_inputs` (run on every export click) reads the case's listings in batched queries: the
    number of statements does not grow with the listings; equal inputs still give equal hashes."""
    from firewatch.web.routes.investigator import pack_inputs

    data = tmp_path / "data"
    build_sample(data)
    with open_store(data / "firewatch.db") as store:
        keys = [(r[0], r[1]) for r in store._db.execute("SELECT platform, listing_id FROM listings ORDER BY platform, listing_id")]
        assert len(keys) >= 12
        case = {"title": "批量"}
        sent: list[str] = []
        store._db._conn.set_trace_callback(sent.append)
        few = pack_inputs(store, case, keys[:2])
        small = len(sent)
        sent.clear()
        many = pack_inputs(store, case, keys)
        large = len(sent)
        store._db._conn.set_trace_callback(None)
        platforms = len({k[0] for k in keys})
        # one query per table and platform (six tables), not six per listing
        assert small <= 6 and large <= 6 * platforms < 6 * len(keys), (small, large, len(keys))
        assert pack_inputs(store, case, keys) == many and few != many
