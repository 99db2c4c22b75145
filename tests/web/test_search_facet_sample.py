"""The search page and its API say when facet counts cover only a sample of the matches.

Past the SQLite index's cap (10,000 matches; lowered here so the sample data reaches it) the
total is a lower bound and the facets count FACET_SAMPLE matches: the page names that number
and the API returns it as `facet_sample`; below the cap there is no such note.
"""

from __future__ import annotations

from firewatch.search import sqlite_fts


def test_search_page_and_api_name_the_facet_sample_past_the_cap(as_user, monkeypatch):
    analyst = as_user("analyst")
    page = analyst.get("/search", params={"q": "灭火器"})
    assert page.status_code == 200 and "以下计数只统计" not in page.text
    data = analyst.get("/api/v1/search", params={"q": "灭火器"}).json()
    assert data["total_exact"] is True and data["facet_sample"] is None and data["total"] > 3
    assert sum(c for _, c in data["facets"]["platform"]) == data["total"]
    monkeypatch.setattr(sqlite_fts, "TOTAL_CAP", 3)
    monkeypatch.setattr(sqlite_fts, "FACET_SAMPLE", 2)
    page = analyst.get("/search", params={"q": "灭火器"})
    assert "结果超过 3 条：以下计数只统计其中 2 条。" in page.text
    data = analyst.get("/api/v1/search", params={"q": "灭火器"}).json()
    assert (data["total"], data["total_exact"], data["facet_sample"]) == (3, False, 2)
    assert sum(c for _, c in data["facets"]["platform"]) == 2
