"""The corpus generator and its file agree: `generate_corpus.build()` is `corpus.jsonl` line for line,
and the generated lines' dated labels are what the rules' facts give on each line's `first_seen`.

A change to the pieces, the seed or a rule that moves a generated line fails here: run
`python classifiers/data/generate_corpus.py`, look at the diff of `corpus.jsonl` and commit it.
"""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from classifiers.corpus import CORPUS_PATH, DATA_DIR, load_records, record_to_listing
from classifiers.editions import load_editions
from classifiers.specs import parse_specs

GENERATOR = DATA_DIR / "generate_corpus.py"
# the codes whose generated labels come from the rules' facts (the others are written with the phrases)
RULE_CODES = {"spec_mismatch", "substandard_spec", "invalid_certificate"}


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated():
    return [r for r in load_records(CORPUS_PATH) if r["source"] == "generated"]


def test_generator_reproduces_the_corpus_file(generator):
    made = generator.dumps(generator.build()).splitlines()
    held = CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    first = next((i for i, (m, h) in enumerate(zip(made, held)) if m != h), min(len(made), len(held)))
    assert made == held, (f"corpus.jsonl is not what generate_corpus.py makes ({len(made)} lines made, {len(held)} "
                          f"in the file; first difference at line {first + 1}): regenerate it and commit the diff")


def test_every_generated_line_is_dated_inside_the_span(generator, generated):
    days = [date.fromisoformat(r["first_seen"]) for r in generated]
    assert all(generator.FIRST_SEEN_FROM <= d <= generator.FIRST_SEEN_TO for d in days)


def test_superseded_editions_are_labelled_from_their_end_date(generated):
    """Checked against editions.yaml's verified dates (the generator reads the rules' standards table)."""
    ends = {e["replaces"]: date.fromisoformat(e["in_force_from"])
            for e in load_editions()["editions"] if e.get("replaces") and e.get("verified")}
    sides: dict[str, set[bool]] = {}
    for rec in generated:
        cited = [s["id"] for s in parse_specs(rec["title"]).get("standards_cited", []) if s["id"] in ends]
        for old in cited:
            after = date.fromisoformat(rec["first_seen"]) >= ends[old]
            sides.setdefault(old, set()).add(after)
            assert ("substandard_spec" in rec["reasons"]) == after, (old, rec)
    # the smoke-alarm edition ends inside the generated span: lines on both sides of it
    assert sides["GB 20517-2006"] == {True, False}


def test_generated_labels_agree_with_the_rules_on_their_day(generated, rules):
    disagree = []
    for rec in generated:
        found = {r.code for r in rules.check(record_to_listing(rec), rec["category"])[0]} & RULE_CODES
        if found != set(rec["reasons"]) & RULE_CODES:
            disagree.append((rec["title"], rec["first_seen"], sorted(found), rec["reasons"]))
    assert not disagree, disagree[:5]


def test_dated_labels_follow_the_edition_switches(generator):
    """An entry the rules do not apply (its `enforce` off) labels nothing: the generator reads the
    switches with the rules' own function."""
    import copy

    from classifiers.specs import load_facts
    rec = {"title": "干粉灭火器 4kg GB 4351.2-2005", "category": "portable_extinguisher", "first_seen": "2026-03-01"}
    assert "substandard_spec" in generator._dated_reasons(rec)
    facts = copy.deepcopy(load_facts())
    for e in facts["standards"]:
        if e["number"] == "4351.2-2005":
            e["enforce"] = False
    assert "substandard_spec" not in generator._dated_reasons(rec, facts=facts)
