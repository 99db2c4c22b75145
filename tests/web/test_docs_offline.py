"""`/docs` renders the API's operations in Chromium with every request to another host blocked:
Swagger UI's files are served by the app itself (issue 15), not by a CDN."""

from __future__ import annotations

from playwright.sync_api import expect


def test_docs_render_the_operations_without_internet(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(page.base + "/docs")
    assert response.status == 200
    expect(page.locator(".opblock").first).to_be_visible(timeout=20000)
    assert page.locator(".opblock").count() >= 10
    expect(page.locator("#swagger-ui")).to_contain_text("平台下架清单")
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/platforms/{platform}/takedown")
    assert page.blocked == [], f"requests to other hosts: {page.blocked}"
    assert not [e for e in errors if "Content Security Policy" in e], errors
