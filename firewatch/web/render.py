"""Templates and the filters they use: autoescaped Jinja2, evidence highlighting, labels.

Every template is autoescaped (`autoescape=True`, whatever the file name), and no
template marks seller text `|safe`. The one place that builds markup from seller text
is `highlight`: it escapes every piece of the text first and only then wraps the
spans the reasons matched (stored with each reason: field and offsets) in `<mark>`, so a
payload in a title stays text. Links to listings go
through `safe_url`, which passes only http(s) URLs (never `javascript:`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from firewatch.core.clock import show_date, show_time
from firewatch.core.money import format_yuan
from firewatch.core.labels import (CATEGORY_NAMES, LEAD_FIELD_NAMES, LEAD_SOURCE_NAMES, LISTING_STATUS_NAMES,
                                   PLATFORM_NAMES, REASON_NAMES, VERDICT_NAMES, attribute_name, category_name,
                                   field_name, reason_name, source_ref_text, spec_rows)

TEMPLATES = Path(__file__).resolve().parent / "templates"
ROLE_NAMES = {"regulator": "监管人员", "investigator": "调查人员", "analyst": "分析人员", "platform": "平台", "admin": "管理员"}
STATUS_NAMES = LISTING_STATUS_NAMES
NOTICE_STATUS_NAMES = {"draft": "草稿", "sent": "已发出", "acknowledged": "平台已确认收到", "overdue": "逾期未答复",
                       "removal_verified": "已核实下架"}
ACTION_NAMES = {"login": "登录", "login_failed": "登录失败", "login_refused": "拒绝登录（次数过多）", "logout": "退出",
                "decision": "审核结论", "export_takedown": "导出下架清单", "report_removed": "平台报告已下架",
                "notice_acknowledged": "平台确认收到通知", "download_artefact": "下载取证文件",
                "export_search_csv": "导出检索结果", "export_trends_csv": "导出趋势数据", "case_create": "新建案件",
                "case_add": "加入案件", "case_remove": "移出案件", "export_pack": "导出证据包", "download_pack": "下载证据包",
                "notice_download": "下载整改通知", "user_add": "新建用户",
                "user_passwd": "修改密码", "token_add": "新建 API 令牌", "token_revoke": "吊销 API 令牌",
                "tip_link": "关联举报线索",
                "assist_request": "发出执法协查函", "assist_download": "下载协查文件",
                "assist_import": "导入协查回复", "export_audit": "导出审计日志", "export_queue": "导出审核队列",
                "export_search": "导出检索结果（Excel）", "case_close": "结案", "case_reopen": "重新打开案件",
                "penalty_record": "登记行政处罚决定", "case_transfer": "生成案件移送材料",
                "export_credit": "导出行政处罚信息（信用共享）"}
CUSTODY_NAMES = {"captured": "取证", "packed": "打包", "exported": "导出", "timestamped": "时间戳"}  # evidence-pack events
DETAIL_NAMES = {"verdict": "结论", "note": "备注", "decision_id": "结论编号", "format": "格式", "rows": "行数",
                "bytes": "字节", "file": "文件", "listing": "商品", "listings": "商品数", "skipped": "未取证",
                "title": "名称", "role": "角色", "platform": "平台", "reason": "原因", "failures": "失败次数",
                "name": "名称", "q": "关键词", "category": "类别", "shop": "店铺", "flagged": "已标记", "since": "自",
                "sort": "排序", "sha256": "SHA-256", "number": "协查编号", "request_id": "协查函编号",
                "truncated": "超出上限未全部导出", "actor": "操作人", "action": "操作", "date_from": "开始日期",
                "date_to": "结束日期", "state": "状态", "until": "至"}


def action_text(action: Any) -> str:
    """An audit or custody action in Chinese: 登录, 取证, review:confirm -> 审核结论：确认违规."""
    action = "" if action is None else str(action)
    if action in ACTION_NAMES or action in CUSTODY_NAMES:
        return ACTION_NAMES.get(action) or CUSTODY_NAMES[action]
    kind, _, verdict = action.partition(":")
    if kind == "review" and verdict:
        return f"审核结论：{VERDICT_NAMES.get(verdict, verdict)}"
    return action


def actor_text(actor: Any) -> str:
    """A custody-log actor in Chinese: reviewer:张三 -> 审核人 张三, the capture's and the
    timestamp authority's own names named (their codes, versions and URLs stay as they are)."""
    actor = "" if actor is None else str(actor)
    if actor.startswith("reviewer:"):
        return f"审核人 {actor[len('reviewer:'):]}"
    if actor.startswith("firewatch capture"):
        return "系统取证" + actor[len("firewatch capture"):].replace(" (", "（").replace(")", "）")
    if actor == "timestamp authority":
        return "时间戳服务机构"
    return actor


def _spans(text: str, needles: Iterable[str], given: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    spans = [(a, b) for a, b in given if 0 <= a < b <= len(text)]
    lowered = text.lower()
    for needle in {n.strip().lower() for n in needles if n and n.strip()}:
        start = 0
        while (i := lowered.find(needle, start)) >= 0:
            spans.append((i, i + len(needle)))
            start = i + len(needle)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(text: Any, spans: Iterable[tuple[int, int]] = (), needles: Iterable[str] = ()) -> Markup:
    """Escape `text` and wrap each span [start, end) in it, and every case-insensitive occurrence
    of a needle (the evidence of reasons stored before spans were kept), in <mark>."""
    text = "" if text is None else str(text)
    out, pos = [], 0
    for a, b in _spans(text, needles, spans):
        out.append(escape(text[pos:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def evidence_terms(evidence: str) -> list[str]:
    """The pieces of a reason's evidence text worth marking (split on separators, 2+ chars)."""
    parts = re.split(r"[;；,，、|]\s*|\s{2,}", evidence or "")
    return [p for p in (x.strip() for x in [evidence, *parts]) if len(p) >= 2]


def safe_url(url: Any) -> str:
    """The URL when it is http(s), else '#' (a `javascript:` URL never becomes a link)."""
    text = str(url or "")
    return text if urlsplit(text).scheme.lower() in ("http", "https") else "#"


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def detail_text(detail: Any) -> str:
    """An audit entry's detail as `名称：值；…` in Chinese (plain text: the template escapes it)."""
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    parts = []
    for key, value in detail.items():
        if key == "verdict":
            value = VERDICT_NAMES.get(value, value)
        elif key == "role":
            value = ROLE_NAMES.get(value, value)
        elif isinstance(value, (list, tuple)):
            value = "、".join(map(str, value)) or "无"
        parts.append(f"{DETAIL_NAMES.get(key, key)}：{value}")
    return "；".join(parts)


def time_filters() -> dict[str, Any]:
    """The filters every template shows times with, in 北京时间 and labelled (`firewatch.core.clock`):
    `when` a moment ("2026-12-02 09:30 北京时间"), `day` its Beijing calendar day."""
    return {"when": show_time, "day": show_date}


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(highlight=highlight, safe_url=safe_url, yuan=format_yuan, **time_filters(),
                       platform_name=lambda c: PLATFORM_NAMES.get(c, c), category_name=category_name,
                       reason_name=reason_name, verdict_name=lambda v: VERDICT_NAMES.get(v, v or "待审"),
                       role_name=lambda r: ROLE_NAMES.get(r, r), source_name=field_name, attribute_name=attribute_name,
                       spec_rows=spec_rows,
                       status_name=lambda s: STATUS_NAMES.get(s, s),
                       notice_status_name=lambda s: NOTICE_STATUS_NAMES.get(s, s),
                       action_name=action_text, actor_name=actor_text, detail_text=detail_text,
                       lead_source_name=lambda k: LEAD_SOURCE_NAMES.get(k, k),
                       lead_field_name=lambda k: LEAD_FIELD_NAMES.get(k, k),
                       source_ref=lambda s: source_ref_text(s.kind, s.ref, s.detail))
    env.globals.update(ACTION_NAMES=ACTION_NAMES, CATEGORY_NAMES=CATEGORY_NAMES, REASON_NAMES=REASON_NAMES, PLATFORM_NAMES=PLATFORM_NAMES,
                       VERDICT_NAMES=VERDICT_NAMES, query=_query, evidence_terms=evidence_terms)
    return env


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the current user and CSRF token in its context."""
    env: Environment = request.app.state.templates
    user = getattr(request.state, "user", None)
    context.setdefault("user", user)
    context.setdefault("csrf", user.csrf if user else "")
    context.setdefault("path", request.url.path)
    return HTMLResponse(env.get_template(name).render(**context), status_code=status_code)
