"""`firewatch score` on bad input: each bad line named with the file, its number and the reason in
Chinese, exit 65 and nothing written; `--skip-bad-lines` scores the rest with a warning per line.
Through the real command line (the `run_firewatch` fixture runs `firewatch --data-dir ... score`)."""

from __future__ import annotations

import json

import pytest

GOOD = {"id": "ok", "title": "手提式干粉灭火器 MFZ/ABC4 4kg 年检专用", "price": "12"}


def write_lines(path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("line,reason", [
    ('["灭火器", 58]', "应为 JSON 对象"),
    ('"灭火器"', "应为 JSON 对象"),
    ('{"id": "p", "title": "灭火器", "price": "面议"}', "不是价格"),
    ('{"id": "p", "title": "灭火器", "price": -5}', "price 为负数"),
    ('{"id": "p", "title": "灭火器", "price": "-12.5"}', "price 为负数"),
    ('{"id": "p", "title": "灭火器", "price": true}', "price 应为数字"),
    ('{"id": "a", "title": "灭火器", "attributes": ["品牌", "x"]}', "attributes 应为 JSON 对象"),
    ('{"id": "a", "title": "灭火器", "attributes": "品牌:x"}', "attributes 应为 JSON 对象"),
    ('{"id": "d", "title": "灭火器", "first_seen": "2025-02-30"}', "first_seen"),
    ('{"id": "j", "title": ', "不是 JSON"),
])
def test_bad_line_refuses_the_file(tmp_path, run_firewatch, install_model, line, reason):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(src, [json.dumps(GOOD, ensure_ascii=False), line])
    result = run_firewatch("score", "--in", str(src), "--out", str(dst))
    assert result.returncode == 65, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"{src} 第 2 行" in result.stderr and reason in result.stderr
    assert not dst.exists()  # nothing written


def test_refused_file_leaves_an_earlier_output_alone(tmp_path, run_firewatch, install_model):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    dst.write_text("earlier\n", encoding="utf-8")
    write_lines(src, [json.dumps(GOOD, ensure_ascii=False), "[]"])
    assert run_firewatch("score", "--in", str(src), "--out", str(dst)).returncode == 65
    assert dst.read_text(encoding="utf-8") == "earlier\n"


def test_skip_bad_lines_scores_the_rest(tmp_path, run_firewatch, install_model):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(src, [
        json.dumps(GOOD, ensure_ascii=False),
        "[1, 2]",
        '{"id": "neg", "title": "灭火器", "price": -1}',
        "",
        '{"id": "attr", "title": "灭火器", "attributes": [1]}',
        json.dumps({"id": "hose", "title": "消防水带 8-65-20 3C认证", "price": "80", "first_seen": "2025-03-01"},
                   ensure_ascii=False),
    ])
    result = run_firewatch("score", "--in", str(src), "--out", str(dst), "--skip-bad-lines")
    assert result.returncode == 0, result.stderr
    for lineno in (2, 3, 5):
        assert f"警告：跳过 {src} 第 {lineno} 行" in result.stderr
    rows = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["ok", "hose"]
    assert rows[0]["risk"] == 1 and "inspection_only" in rows[0]["reasons"]
    # first_seen reaches the rules: a 3C claim on a hose after 2019年第36号
    assert "invalid_certificate" in rows[1]["reasons"]
    assert "2019年第36号" in rows[1]["evidence"]["invalid_certificate"]


def test_not_utf8_is_named_not_a_traceback(tmp_path, run_firewatch, install_model):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("utf-8") + b"\n"
                    + '{"id": "g", "title": "灭火器"}'.encode("gbk") + b"\n")
    result = run_firewatch("score", "--in", str(src), "--out", str(dst))
    assert result.returncode == 65 and "第 2 行" in result.stderr and "UTF-8" in result.stderr
    assert not dst.exists()
