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
    ('{"id": "d", "title": "灭火器", "last_seen": "昨天"}', "last_seen「昨天」不是日期"),
    ('{"id": "d", "title": "灭火器", "last_seen": 5}', "last_seen 应为日期文本（YYYY-MM-DD），实为数字"),
    ('{"id": "d", "title": "灭火器", "first_seen": 5}', "first_seen 应为日期文本（YYYY-MM-DD），实为数字"),
    ("[" * 200_000, "JSON 嵌套过深"),
    ('{"id": "t", "price": "12"}', "缺少 title"),
    ('{"title": "灭火器"}', "缺少 id"),
    ('{"id": "t", "title": ["灭火器"]}', "title 应为文本，实为数组"),
    ('{"id": "t", "title": "  "}', "title 为空"),
    ('{"id": ["t"], "title": "灭火器"}', "id 应为文本或整数，实为数组"),
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


def test_skip_bad_lines_skips_a_bad_last_seen_and_a_deep_line(tmp_path, run_firewatch, install_model):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(src, ['{"id": "l", "title": "灭火器", "last_seen": "昨天"}', "[" * 200_000,
                      json.dumps(GOOD, ensure_ascii=False), '{"title": "无编号灭火器"}'])
    result = run_firewatch("score", "--in", str(src), "--out", str(dst), "--skip-bad-lines")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for lineno, reason in ((1, "last_seen「昨天」不是日期"), (2, "JSON 嵌套过深"), (4, "缺少 id")):
        assert f"警告：跳过 {src} 第 {lineno} 行：{reason}" in result.stderr.replace("\n", "")
    assert [json.loads(x)["id"] for x in dst.read_text(encoding="utf-8").splitlines()] == ["ok"]


def test_an_overlong_line_is_refused_by_its_length_not_read(tmp_path, run_firewatch, install_model):
    """A line over the 1 MB cap (here 8 MB of description) is named with its number and the cap; with
    --skip-bad-lines the lines around it are scored."""
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    huge = json.dumps({"id": "huge", "title": "灭火器", "description": "很长" * 4_000_000}, ensure_ascii=False)
    write_lines(src, [json.dumps(GOOD, ensure_ascii=False), huge, json.dumps({**GOOD, "id": "after"}, ensure_ascii=False)])
    refused = run_firewatch("score", "--in", str(src), "--out", str(dst))
    assert refused.returncode == 65 and not dst.exists()
    message = refused.stderr.replace("\n", "")
    assert f"{src} 第 2 行：行过长：超过每行上限 1048576 字节" in message
    skipped = run_firewatch("score", "--in", str(src), "--out", str(dst), "--skip-bad-lines")
    assert skipped.returncode == 0, skipped.stderr
    assert [json.loads(x)["id"] for x in dst.read_text(encoding="utf-8").splitlines()] == ["ok", "after"]


@pytest.mark.parametrize("encoding,named", [("utf-16", "UTF-16 LE"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32 LE")])
def test_a_utf16_or_utf32_file_is_named_with_what_to_convert_it_to(tmp_path, run_firewatch, install_model,
                                                                   encoding, named):
    install_model(tmp_path / "data")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes((json.dumps(GOOD, ensure_ascii=False) + "\n").encode(encoding))
    result = run_firewatch("score", "--in", str(src), "--out", str(dst), "--skip-bad-lines")
    message = result.stderr.replace("\n", "")
    assert result.returncode == 65 and "Traceback" not in message and not dst.exists()
    assert f"{src} 第 1 行起" in message and named in message and "不是 UTF-8" in message and "iconv" in message
    assert "不是 JSON" not in message
