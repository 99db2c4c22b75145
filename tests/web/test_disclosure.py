"""Platform users and API tokens see a listing's reasons and evidence, never the model's internals
(risk score, category confidence, per-code text probabilities `text_risk`, `risk_raw`, parsed specs,
model versions), on the listing page, in the listing API and in takedown lists; internal roles still
see them. Real HTTP against the shared server; the confirmed jd listing gets the scorer's internals."""

from __future__ import annotations

import csv
import io

import pytest

from firewatch.core.labels import reason_name
from firewatch.core.models import Assessment, Decision, Reason
from firewatch.store import open_store

KEY = ("jd", "100233")  # confirmed in the sample dataset, so its platform may read it
INTERNALS = {"text_risk": {"no_certification": 0.9731, "inspection_only": 0.0214}, "risk_raw": 0.8123}


@pytest.fixture(scope="module")
def scored(web_data):
    """The listing's assessment as the scorer writes it: internals in specs, model versions, a score."""
    with open_store(web_data / "firewatch.db") as store:
        old = store.assessments.get_assessment(KEY)
        store.assessments.save_assessment(Assessment(
            KEY[0], KEY[1], old.category, 0.8765, 0.8812, True, [Reason("no_certification", "无需认证", "title")],
            {"规格": "15分钟", **INTERNALS}, {"text": "2026-11-30-abc"}, old.assessed_at))
    yield
    with open_store(web_data / "firewatch.db") as store:
        store.assessments.save_assessment(old)


def _leaks(text: str) -> list[str]:
    return [word for word in ("text_risk", "risk_raw", "0.9731", "0.8123", "0.88", "0.8812", "0.8765", "0.877",
                              "2026-11-30-abc", "风险分", "置信度")
            if word in text]


def test_the_platform_page_and_api_show_reasons_and_evidence_only(scored, as_user, web_url, web_data):
    jd = as_user("jd_team")
    page = jd.get(f"/listings/{KEY[0]}/{KEY[1]}")
    assert page.status_code == 200
    assert "无需认证" in page.text and reason_name("no_certification") in page.text  # the evidence and the reason
    assert _leaks(page.text) == []
    data = jd.get(f"/api/v1/listings/{KEY[0]}/{KEY[1]}").json()
    assert set(data["assessment"]) == {"category", "category_name", "flagged", "reasons"}
    assert data["assessment"]["reasons"][0]["evidence"] == "无需认证"
    assert _leaks(str(data)) == []
    takedown = jd.get("/api/v1/platforms/jd/takedown").json()
    assert takedown["items"] and _leaks(str(takedown["items"])) == []
    for fmt in ("csv", "json"):
        body = jd.get(f"/platform/jd/takedown.{fmt}").content.decode("utf-8-sig")
        assert _leaks(body) == [], fmt
    header = next(csv.reader(io.StringIO(jd.get("/platform/jd/takedown.csv").content.decode("utf-8-sig"))))
    assert "违规原因" in header and "证据摘录" in header and "风险分" not in header


def test_an_api_token_sees_no_internals_either(scored, web_url, web_data):
    import httpx

    from firewatch.web.security import new_token

    token = new_token()
    with open_store(web_data / "firewatch.db") as store:
        store.users.add_api_token("jd-integration-disclosure", "jd", token, "admin")
    data = httpx.get(f"{web_url}/api/v1/listings/{KEY[0]}/{KEY[1]}", headers={"Authorization": f"Bearer {token}"}).json()
    assert "reasons" in data["assessment"] and _leaks(str(data)) == []


def test_internal_roles_still_see_the_scores(scored, as_user):
    reg = as_user("regulator")
    data = reg.get(f"/api/v1/listings/{KEY[0]}/{KEY[1]}").json()
    assert data["assessment"]["risk_score"] == pytest.approx(0.8812)
    assert data["assessment"]["specs"]["risk_raw"] == 0.8123
    assert "0.88" in reg.get(f"/listings/{KEY[0]}/{KEY[1]}").text


MODEL_EVIDENCE = "文本模型判断概率 0.93；主要依据词：免检、特价、低价"


@pytest.fixture()
def text_model_reason(web_data):
    """The listing flagged by the text model's fallback reason, as the scorer writes it: the evidence
    names the model's probability and its top trigger words; the span marks part of the title. A reviewer
    confirms it on that reason (the takedown list shows the reasons a decision judged); undone afterwards."""
    with open_store(web_data / "firewatch.db") as store:
        old = store.assessments.get_assessment(KEY)
        title = store.listings.get_listing(KEY).title
        span = title[:4]
        store.assessments.save_assessment(Assessment(
            KEY[0], KEY[1], old.category, 0.8, 0.93, True,
            [Reason("no_certification", MODEL_EVIDENCE, "text_model", 0, 4, "title")], {}, {}, old.assessed_at))
        store.reviews.record_decision(Decision(*KEY, "disclosure-fixture", "confirm"))
    yield span
    with open_store(web_data / "firewatch.db") as store:
        store.reviews.undo_last("disclosure-fixture")
        store.assessments.save_assessment(old)


def _model_words(text: str) -> list[str]:
    return [w for w in ("概率", "0.93", "主要依据词", "免检、特价") if w in text]


def test_platforms_never_read_the_text_models_probability_or_trigger_words(text_model_reason, as_user):
    jd = as_user("jd_team")
    page = jd.get(f"/listings/{KEY[0]}/{KEY[1]}")
    assert page.status_code == 200 and _model_words(page.text) == []
    assert "标题疑似" in page.text
    data = jd.get(f"/api/v1/listings/{KEY[0]}/{KEY[1]}").json()
    evidence = data["assessment"]["reasons"][0]["evidence"]
    assert evidence.startswith("标题疑似") and f"「{text_model_reason}」" in evidence
    assert _model_words(str(data)) == []
    takedown = jd.get("/api/v1/platforms/jd/takedown").json()
    assert takedown["items"] and _model_words(str(takedown["items"])) == []
    for fmt in ("csv", "json", "xlsx"):
        response = jd.get(f"/platform/jd/takedown.{fmt}")
        assert response.status_code == 200, fmt
        if fmt == "xlsx":
            from openpyxl import load_workbook
            sheet = load_workbook(io.BytesIO(response.content)).active
            body = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        else:
            body = response.content.decode("utf-8-sig")
        assert _model_words(body) == [], fmt
        assert "标题疑似" in body, fmt
    # the regulator still reads the model's full text
    reg = as_user("regulator")
    assert MODEL_EVIDENCE in reg.get(f"/api/v1/listings/{KEY[0]}/{KEY[1]}").json()["assessment"]["reasons"][0]["evidence"]
