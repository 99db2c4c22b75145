"""The public tips channel over real HTTP against a real uvicorn server (its own store, so its
tips and limits touch no other test): receipt and status pages show nothing personal, the
per-address rate limit (429), oversize photos (413), a text file named .jpg (415), hostile
text escaped on every page that shows it, URLs outside the watched platforms accepted but
marked, a replayed challenge refused, photos and contacts for staff and admins only, and
the admins' counts of tips that led to a confirmation."""

from __future__ import annotations

import base64
import io
import re

import httpx
import pytest
from PIL import Image

from firewatch.core.models import Assessment, Decision
from firewatch.services.challenge import solve
from firewatch.services.tips import TipPolicy
from firewatch.store import open_store
from firewatch.web.security import hash_password
from tests.builders import PAYLOADS
from tests.helpers import PASSWORD, login_client

USERS = [("admin", "admin", ""), ("regulator", "regulator", ""), ("analyst", "analyst", ""), ("jd_team", "platform", "jd")]
CONTACT = "微信 tipster_contact_42"


@pytest.fixture(scope="module")
def tips_site(tmp_path_factory):
    """Start apps on one fresh store with the sample roles: `start(**policy)` -> (url, data dir)."""
    from firewatch.web import WebConfig, create_app
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("tips-web")
    with open_store(data / "firewatch.db") as store:
        for name, role, platform in USERS:
            store.users.add_user(name, role, hash_password(PASSWORD), platform)
    servers = []

    def start(folder: str = "tips", **policy) -> str:
        app = create_app(WebConfig(store_path=data / "firewatch.db", evidence_dir=data / "evidence",
                                   export_dir=data / "exports", search_path=data / "search.db",
                                   tips_dir=data / folder, tips=TipPolicy(**{"pow_bits": 6, **policy})))
        servers.append(AppServer(app))
        return servers[-1].start()

    start.data = data
    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def site(tips_site) -> str:
    return tips_site(rate_limit_per_hour=1000, max_photo_bytes=30_000)


@pytest.fixture(scope="module")
def db(tips_site):
    """The sites' store file."""
    return tips_site.data / "firewatch.db"


def jpeg(colour=(20, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


def solved(client: httpx.Client) -> dict[str, str]:
    c = client.get("/api/tips/challenge").json()
    return {"challenge": c["challenge"], "nonce": solve(c["challenge"], c["bits"])}


def post_form(client: httpx.Client, photos=(), **fields) -> httpx.Response:
    files = [("photos", (name, data, "image/jpeg")) for name, data in photos] or None
    return client.post("/tip", data={**fields, **solved(client)}, files=files)


def receipt_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return re.match(r"/tip/([A-Z0-9]{16})\?new=1$", response.headers["location"]).group(1)


def test_a_tip_gets_a_receipt_and_a_status_page_with_nothing_personal(site):
    with httpx.Client(base_url=site) as client:
        form = client.get("/tip")
        assert form.status_code == 200 and "举报" in form.text and 'src="/static/tip.js"' in form.text
        assert "<script>" not in form.text.split("</head>")[1]  # no inline script under the CSP
        receipt = receipt_of(post_form(client, url="https://item.jd.com/100055550001.html", text="无3C认证 私人信息X",
                                       contact=CONTACT, photos=[("a.jpg", jpeg())]))
        page = client.get(f"/tip/{receipt}?new=1")
        assert page.status_code == 200 and receipt in page.text and "已收到" in page.text and "北京时间" in page.text
        assert "私人信息X" not in page.text and "tipster_contact_42" not in page.text and "非监测平台" not in page.text
        status = client.get(f"/api/tips/{receipt.lower()}").json()
        assert status == {"receipt": receipt, "status": "received", "status_name": "已收到",
                          "created_at": status["created_at"], "on_platform": True, "photos": 1,
                          "status_url": f"/tip/{receipt}"}
        lookup = client.get("/tip/status", params={"receipt": f"{receipt[:8]}-{receipt[8:]}"})
        assert lookup.status_code == 303 and lookup.headers["location"] == f"/tip/{receipt}"
        missing = client.get("/tip/ABCDEFGHJKMNPQRS")
        assert missing.status_code == 404 and "回执编号" in missing.text
        assert client.get("/api/tips/x").json() == {"error": "没有这个回执编号的举报：请核对回执编号（16 位字母和数字）",
                                                   "code": "not_found"}


def test_the_rate_limit_answers_429_in_chinese(tips_site):
    url = tips_site("tips-limited", rate_limit_per_hour=2)  # its own secret: its own address counts
    with httpx.Client(base_url=url) as client:
        for n in range(2):
            assert client.post("/api/tips", json={"shop_name": f"限流店{n}", "text": "问题", **solved(client)}).status_code == 201
        refused = client.post("/api/tips", json={"shop_name": "限流店2", "text": "问题", **solved(client)})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "3600"
        assert "一小时后再试" in refused.json()["error"]
        page = post_form(client, shop_name="限流店3", text="问题")
        assert page.status_code == 429 and "一小时后再试" in page.text and 'id="tip-form"' in page.text


def test_an_oversize_photo_answers_413_and_a_text_named_jpg_415(site, db):
    big = jpeg() + b"\0" * 30_001
    with httpx.Client(base_url=site) as client:
        oversize = post_form(client, url="https://item.jd.com/100055550002.html", text="大照片", photos=[("big.jpg", big)])
        assert oversize.status_code == 413 and "压缩" in oversize.text and "大照片" in oversize.text  # the form keeps the text
        fake = post_form(client, url="https://item.jd.com/100055550002.html", text="假照片",
                         photos=[("photo.jpg", "这是一个文本文件".encode())])
        assert fake.status_code == 415 and "按文件内容判断" in fake.text
        body = {"url": "https://item.jd.com/100055550002.html", "text": "x", **solved(client),
                "photos": [{"name": "photo.jpg", "base64": base64.b64encode(b"#!/bin/sh\necho hi\n").decode()}]}
        assert client.post("/api/tips", json=body).status_code == 415
        huge = client.post("/api/tips", content=b"{" + b" " * 600_000 + b"}", headers={"content-type": "application/json"})
        assert huge.status_code == 413 and "过大" in huge.json()["error"]
    with open_store(db) as store:
        assert store.listings.get_listing(("jd", "100055550002")) is None  # nothing was filed


def test_a_replayed_challenge_is_refused(site):
    with httpx.Client(base_url=site) as client:
        proof = solved(client)
        first = client.post("/api/tips", json={"shop_name": "重放店", "text": "问题", **proof})
        again = client.post("/api/tips", json={"shop_name": "重放店", "text": "问题", **proof})
        assert first.status_code == 201 and again.status_code == 400 and "已使用过" in again.json()["error"]
        none = client.post("/api/tips", json={"shop_name": "重放店", "text": "问题", "challenge": "", "nonce": ""})
        assert none.status_code == 400 and "防刷验证" in none.json()["error"]


def test_hostile_text_is_escaped_and_the_contact_shown_to_admins_only(site, db):
    p1, p2, p3, _ = PAYLOADS
    p3_url = p3.replace(" ", "/")  # a URL has no spaces
    key = ("jd", "100055550003")
    with httpx.Client(base_url=site) as client:
        receipt = receipt_of(post_form(client, url=f"https://item.jd.com/{key[1]}.html?x={p3_url}", shop_name=f"店{p2}",
                                       text=f"年检专用 {p1} {p2}", contact=f"{CONTACT} {p3}"))
        pages = {"status": client.get(f"/tip/{receipt}").text}
    with open_store(db) as store:  # the score stage's result: now it is in the queue
        store.assessments.save_assessment(Assessment(*key, "portable_extinguisher", 0.9, 0.5, False, []))
    admin, regulator = login_client(site, "admin"), login_client(site, "regulator")
    try:
        pages["admin"] = admin.get("/tips/admin").text
        pages["listing_admin"] = admin.get(f"/listings/{key[0]}/{key[1]}").text
        pages["listing_regulator"] = regulator.get(f"/listings/{key[0]}/{key[1]}").text
        pages["queue"] = regulator.get("/queue").text
        api_row = next(r for r in regulator.get("/api/v1/queue").json()["items"] if r["listing"]["listing_id"] == key[1])
    finally:
        admin.close()
        regulator.close()
    for name, html in pages.items():
        for payload in (p1, p2, p3, p3_url):
            assert payload not in html, (name, payload)
    assert "&lt;img src=x onerror=alert(&#34;xss1&#34;)&gt;" in pages["listing_regulator"]
    assert "举报" in pages["queue"] and "年检专用 &lt;img" in pages["queue"]
    assert "tipster_contact_42" in pages["admin"] and "tipster_contact_42" in pages["listing_admin"]
    assert "tipster_contact_42" not in pages["listing_regulator"] and "tipster_contact_42" not in pages["queue"]
    assert "tipster_contact_42" not in pages["status"] and "年检专用" not in pages["status"]
    assert api_row["tipped"] is True and api_row["tip_text"].startswith("年检专用") and "tipster" not in str(api_row)


def test_a_url_outside_the_platforms_is_accepted_and_marked(site):
    with httpx.Client(base_url=site) as client:
        receipt = receipt_of(post_form(client, url="https://fake-fire.example.cn/item?id=9", text="疑似假冒灭火器"))
        assert "非监测平台" in client.get(f"/tip/{receipt}").text
        assert client.get(f"/api/tips/{receipt}").json()["on_platform"] is False
    admin = login_client(site, "admin")
    try:
        row = re.search(rf'<tr data-receipt="{receipt}">.*?</tr>', admin.get("/tips/admin").text, re.S).group(0)
        assert "非监测平台" in row and "fake-fire.example.cn" in row and 'action="/tips/admin/' in row
    finally:
        admin.close()


def test_photos_for_staff_and_the_admin_page_for_admins_only(site):
    with httpx.Client(base_url=site) as client:
        receipt = receipt_of(post_form(client, url="https://item.jd.com/100055550004.html", text="照片权限",
                                       photos=[("p.jpg", jpeg((1, 2, 3)))]))
        anonymous = client.get(f"/tips/photos/{receipt}/1")
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
        assert client.get("/tips/admin").status_code == 303
    analyst, platform, admin = login_client(site, "analyst"), login_client(site, "jd_team"), login_client(site, "admin")
    try:
        photo = analyst.get(f"/tips/photos/{receipt}/1")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(photo.content)).size == (40, 30)
        assert analyst.get(f"/tips/photos/{receipt}/2").status_code == 404
        assert platform.get(f"/tips/photos/{receipt}/1").status_code == 403
        assert analyst.get("/tips/admin").status_code == 403
        # the admins' link form needs the session's CSRF token; the public form needs none
        assert admin.post(f"/tips/admin/{receipt}/link", data={"url": "https://item.jd.com/1.html"}).status_code == 403
        assert admin.post("/api/tips", json={"shop_name": "管理员匿名", "text": "x", **solved(admin)}).status_code == 201
    finally:
        for c in (analyst, platform, admin):
            c.close()


def test_admins_count_tips_that_led_to_a_confirmation(site, db):
    key = ("jd", "100055550005")
    with httpx.Client(base_url=site) as client:
        with_contact = receipt_of(post_form(client, url=f"https://item.jd.com/{key[1]}.html", text="奖励", contact=CONTACT))
        anonymous = receipt_of(post_form(client, url=f"https://item.jd.com/{key[1]}.html", text="匿名"))
        shop_only = receipt_of(post_form(client, shop_name="关联测试店", text="只有店名"))
    admin = login_client(site, "admin")
    try:
        before = admin.get("/tips/admin").text
        valid = int(re.search(r'id="tip-valid">(\d+)<', before).group(1))
        reward = int(re.search(r'id="tip-reward">(\d+)<', before).group(1))
        with open_store(db) as store:
            store.assessments.save_assessment(Assessment(*key, "portable_extinguisher", 0.9, 0.9, True, []))
            store.reviews.record_decision(Decision(*key, "regulator", "confirm"))
        after = admin.get("/tips/admin").text
        assert int(re.search(r'id="tip-valid">(\d+)<', after).group(1)) == valid + 2
        assert int(re.search(r'id="tip-reward">(\d+)<', after).group(1)) == reward + 1
        for receipt in (with_contact, anonymous):
            assert httpx.get(f"{site}/api/tips/{receipt}").json()["status_name"] == "已确认"
        linked = admin.post(f"/tips/admin/{shop_only}/link", data={"url": f"https://item.jd.com/{key[1]}.html",
                                                                   "csrf_token": admin.csrf})
        assert linked.status_code == 303
        # the shop-only tip, now linked, shares the listing's outcome (decided after the tip arrived)
        assert httpx.get(f"{site}/api/tips/{shop_only}").json()["status"] == "confirmed"
        assert int(re.search(r'id="tip-valid">(\d+)<', admin.get("/tips/admin").text).group(1)) == valid + 3
        assert admin.get("/audit", params={"action": "tip_link"}).text.count("关联举报线索") >= 1
    finally:
        admin.close()
