"""Reviewers' decisions as weighted training records for the text risk model (`firewatch train`).

`reviews_from_store(store, corpus_size, ...)` reads the store's decisions that count now
(`store.feedback`: the latest decision per listing, undone ones excluded, 'escalate' giving nothing) in
keyset batches and returns a `ReviewSet`: one record per distinct text with a weight each, and what
was dropped and why. The rules, in order:

- **label**: a confirmed listing is a positive for the reasons the reviewer saw when deciding (kept with
  the decision, `store.feedback`; a re-score afterwards does not change them; the text model learns those
  of its codes); a dismissed one a negative (no reasons: its flag was wrong). A confirmed listing whose
  decision judged no reason is dropped (nothing to learn it as; counted as `no_reason`). A decision made
  before the reasons were kept whose assessment on file came later (reasons_basis 'assessment_later',
  migration 27) is dropped too: what the reviewer judged is not known (counted as `reasons_unknown`).
- **held-out**: a record whose text fingerprint (`corpus.record_fingerprint`) or title key
  (`corpus.title_key`) matches a record of a held-out file (the first, the second's dev half and the
  sealed half) is dropped before anything else: compared as hashes, nothing of those files is kept.
- **duplicates**: listings with the same text (`corpus.record_fingerprint`: title, attributes and
  description as the models read them, width, case and spacing ignored: relistings, the same listing on
  two platforms or shops) are one text and count once; every listing past the first is a duplicate. The
  title alone does not make two listings one: shops copy each other's titles, and a clean listing and
  one promising "年检专用" in its description must each keep its own verdict.
- **conflicts**: when listings of one text were confirmed and dismissed, the majority of listings
  decides; a tie drops the text (`conflicts`); a confirmed text is positive for the union of the
  confirmed listings' reasons. Every listing of a text has that text, so the verdict is always the
  verdict of the text it is learnt with.
- **per reason**: `reason_reviews` counts decisions per reason and reviewer, confirmed and dismissed,
  unscaled: each decision (not held out, its reasons known) counts once for every rule reason it judged
  (a reason from the text model, source `text_model`, is not a rule's: it counts nothing);
  `reason_weights` is their total per reason. The scorer's calibration moves each reason's reliability
  by them (`classifiers.reliability`: one reviewer's part capped, two reviewers needed to lower one).
- **weight**: each text weighs `weight` corpus records; one reviewer's texts (the reviewer of the text's
  latest decision) together at most `reviewer_max_share` x the corpus, all together at most
  `max_share` x the corpus: beyond a cap the weights are scaled down alike, so a flood of one
  reviewer's decisions cannot swamp the hand-written corpus.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from .corpus import HELDOUT_PATHS, heldout_marks, record_fingerprint, title_key

REASONS_UNKNOWN = "assessment_later"  # decisions.reasons_basis: not the reasons the reviewer judged
NO_REASON = "-"  # the reason column of a dismissed flag whose assessment lists none
TEXT_MODEL = "text_model"  # Reason.source of a reason the text model gave, not a rule


@dataclass
class ReviewSet:
    """Records learnt from reviewers' decisions, their weights, and what was dropped."""

    records: list[dict[str, Any]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    read: int = 0  # decisions that count (latest per listing, confirm or dismiss)
    heldout: int = 0
    duplicates: int = 0
    conflicts: int = 0  # texts dropped because as many listings were confirmed as dismissed
    no_reason: int = 0
    reasons_unknown: int = 0  # decided before reasons were kept, the assessment on file made later
    reviewers: int = 0
    scale: float = 1.0  # the all-reviewers cap's factor (1: not reached)
    capped_reviewers: int = 0  # reviewers whose records the per-reviewer cap scaled down
    by_reason: dict[str, Counter] = field(default_factory=dict)  # code -> Counter(outcome)
    # code -> reviewer -> (confirmed, dismissed): decisions per rule reason they judged, unscaled: the
    # evidence of each rule's precision; reason_weights: their total per reason
    reason_reviews: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    reason_weights: dict[str, tuple[float, float]] = field(default_factory=dict)
    generation: dict[str, Any] = field(default_factory=dict)
    read_at: str = ""
    settings: dict[str, float] = field(default_factory=dict)

    @property
    def positives(self) -> int:
        return sum(1 for r in self.records if r["reasons"])

    @property
    def negatives(self) -> int:
        return sum(1 for r in self.records if not r["reasons"])

    def count(self, codes: Iterable[str], outcome: str) -> None:
        for code in list(codes) or [NO_REASON]:
            self.by_reason.setdefault(code, Counter())[outcome] += 1

    def summary(self) -> dict[str, Any]:
        """What the model records of it (JSON): counts, weights, caps, the store's decision state."""
        digest = hashlib.sha256(json.dumps([[r["title"], r["reasons"], round(w, 6)] for r, w in
                                            zip(self.records, self.weights)], ensure_ascii=False).encode()).hexdigest()
        return {"used": len(self.records), "positives": self.positives, "negatives": self.negatives,
                "read": self.read, "duplicates": self.duplicates, "heldout": self.heldout,
                "conflicts": self.conflicts, "no_reason": self.no_reason,
                "reasons_unknown": self.reasons_unknown, "reviewers": self.reviewers,
                "total_weight": round(sum(self.weights), 4), "scale": round(self.scale, 6),
                "capped_reviewers": self.capped_reviewers, "settings": dict(self.settings),
                "by_reason": {code: dict(c) for code, c in sorted(self.by_reason.items())},
                "reason_weights": {code: [round(c, 4), round(d, 4)] for code, (c, d) in
                                   sorted(self.reason_weights.items())},
                "reason_reviewers": {code: len(by) for code, by in sorted(self.reason_reviews.items())},
                "generation": dict(self.generation), "read_at": self.read_at, "sha256": digest}


def _codes(reasons_json: str | None, rules_only: bool = False) -> list[str]:
    """The reason codes of a decision's reasons JSON; `rules_only`: those a rule gave (not the text model)."""
    try:
        items = json.loads(reasons_json or "[]")
    except ValueError:
        return []
    return sorted({str(r.get("code")) for r in items if isinstance(r, dict) and r.get("code")
                   and not (rules_only and r.get("source") == TEXT_MODEL)})


def _record(row: dict[str, Any]) -> dict[str, Any]:
    try:
        attributes = json.loads(row.get("attributes") or "{}")
    except ValueError:
        attributes = {}
    return {"title": row.get("title") or "", "attributes": attributes if isinstance(attributes, dict) else {},
            "description": row.get("description") or "", "platform": row.get("platform") or "",
            "id": row.get("listing_id") or "", "category": "", "reasons": []}


@dataclass
class _Text:
    record: dict[str, Any]
    confirmed: int = 0
    dismissed: int = 0
    codes: set[str] = field(default_factory=set)
    reviewer: str = ""
    latest: tuple[str, int] = ("", 0)
    all_codes: list[list[str]] = field(default_factory=list)


def reviews_from_store(store: Any, corpus_size: int, weight: float = 1.0, max_share: float = 0.5,
                       reviewer_max_share: float = 0.1, batch: int = 2000,
                       heldout_files: Iterable[Any] = HELDOUT_PATHS,
                       progress: Callable[[int, int], None] | None = None) -> ReviewSet:
    """The `ReviewSet` of the store's decisions (see the module docstring). `progress(done, total)` is
    called after each batch (decisions read, an upper bound of them)."""
    out = ReviewSet(generation=store.feedback.generation(), read_at=datetime.now(timezone.utc).isoformat(),
                    settings={"weight": weight, "max_share": max_share, "reviewer_max_share": reviewer_max_share})
    prints, titles = heldout_marks(heldout_files)
    total = store.feedback.decided_count()
    texts: dict[str, _Text] = {}
    tally: dict[str, dict[str, list[float]]] = {}  # code -> reviewer -> [confirmed, dismissed]
    after, done = 0, 0
    while True:
        rows = store.feedback.decided_batch(after, batch)
        if not rows:
            break
        after = int(rows[-1]["id"])
        for row in rows:
            out.read += 1
            record = _record(row)
            codes = _codes(row.get("reasons"))
            key = title_key(record)
            fingerprint = record_fingerprint(record)
            if fingerprint in prints or (key and key in titles):
                out.heldout += 1
                out.count(codes, "heldout")
                continue
            if row.get("reasons_basis") == REASONS_UNKNOWN:  # the reasons on file came after the decision
                out.reasons_unknown += 1
                out.count((), "reasons_unknown")
                continue
            for code in _codes(row.get("reasons"), rules_only=True):  # the rules' evidence: every decision
                counts = tally.setdefault(code, {}).setdefault(str(row["reviewer"]), [0.0, 0.0])
                counts[0 if row["verdict"] == "confirm" else 1] += 1.0
            if row["verdict"] == "confirm" and not codes:
                out.no_reason += 1
                out.count(codes, "no_reason")
                continue
            text = texts.get(fingerprint)
            if text is None:
                text = texts[fingerprint] = _Text(record)
            else:
                out.duplicates += 1
                out.count(codes, "duplicate")
            if row["verdict"] == "confirm":
                text.confirmed += 1
                text.codes.update(codes)
            else:
                text.dismissed += 1
            text.all_codes.append(codes)
            stamp = (str(row["at"]), int(row["id"]))
            if stamp > text.latest:
                text.latest, text.reviewer = stamp, str(row["reviewer"])
        done += len(rows)
        if progress:
            progress(done, max(total, done))
    per_reviewer: Counter = Counter()
    kept: list[_Text] = []
    for text in texts.values():
        if text.confirmed == text.dismissed:  # as many listings of this text confirmed as dismissed
            out.conflicts += 1
            for codes in text.all_codes[:1]:
                out.count(codes, "conflict")
            continue
        if text.confirmed > text.dismissed:
            text.record["reasons"] = sorted(text.codes)
            out.count(text.record["reasons"], "confirmed")
        else:
            out.count(sorted({c for codes in text.all_codes for c in codes}), "dismissed")
        kept.append(text)
        per_reviewer[text.reviewer] += 1
    out.reviewers = len(per_reviewer)
    reviewer_cap = reviewer_max_share * corpus_size
    factors = {}
    for reviewer, n in per_reviewer.items():
        factors[reviewer] = min(1.0, reviewer_cap / (n * weight)) if n * weight > 0 else 1.0
        out.capped_reviewers += factors[reviewer] < 1.0
    weights = [weight * factors[t.reviewer] for t in kept]
    total_weight = sum(weights)
    cap = max_share * corpus_size
    out.scale = min(1.0, cap / total_weight) if total_weight > 0 else 1.0
    out.records = [t.record for t in kept]
    out.weights = [w * out.scale for w in weights]
    out.reason_reviews = {code: {r: (c, d) for r, (c, d) in sorted(by.items())} for code, by in sorted(tally.items())}
    out.reason_weights = {code: (sum(c for c, _ in by.values()), sum(d for _, d in by.values()))
                          for code, by in out.reason_reviews.items()}
    return out
