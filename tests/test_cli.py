"""The command line's stable interfaces: --help everywhere, parse, score, clear errors.

Run in this process (`run_firewatch`), except the crawl: Scrapy's reactor runs once per process."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from firewatch.cli import cli


def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the root loads its commands on use: ask it, not .commands
        command = group.get_command(ctx, name)
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path", list(all_commands(cli)), ids=lambda p: " ".join(p))
def test_every_command_explains_itself(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_parse_real_jd_search_page_prints_sixty_listings(real_pages, run_firewatch):
    result = run_firewatch("parse", "--platform", "jd", "--kind", "search", str(real_pages / "jd-search-2016.html"))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 60
    assert all(r["listing_id"].isdigit() and r["price"] for r in rows)


def test_parse_garbage_names_the_page(tmp_path, run_firewatch):
    page = tmp_path / "broken.html"
    page.write_bytes("<html><body>没有商品列表</body></html>".encode("gbk"))
    result = run_firewatch("parse", "--platform", "jd", "--kind", "search", str(page))
    assert result.returncode != 0
    message = result.stderr.replace("\n", "")  # rich wraps the message at the console's width
    assert "broken.html" in message and "missing" in message


def test_score_interface(tmp_path, run_firewatch, install_model):
    install_model(tmp_path / "data")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "title": "干粉灭火器4kg 年检专用 不带3C", "price": "12"},
        {"id": "b", "title": "儿童消防车玩具 声光 男孩"},
    ]) + "\n", encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    result = run_firewatch("score", "--in", str(src), "--out", str(dst))
    assert result.returncode == 0, result.stderr
    a, b = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert a["category"] == "portable_extinguisher" and a["risk"] == 1
    assert {"inspection_only", "no_certification"} <= set(a["reasons"]) and a["evidence"]["inspection_only"]
    assert b["category"] == "not_fire" and b["risk"] == 0 and b["reasons"] == []


def test_unreachable_market_says_what_to_do(spawn_firewatch):
    result = spawn_firewatch("crawl", "--platform", "pdd", "--query", "灭火器", "--resolve", "*=127.0.0.1:9",
                           "--no-progress")
    assert result.returncode != 0
    assert "firewatch sites check" in result.stderr and "crawl.resolve" in result.stderr
