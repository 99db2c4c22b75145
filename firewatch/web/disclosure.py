"""What a platform (its users and API tokens) may know of a listing's judgement: the category, the
flag, the reasons and the evidence each one quotes, never the model's internals.

Scores (`risk_score`, `category_confidence`), per-code text probabilities (`specs.text_risk`), the
raw risk (`specs.risk_raw`), parsed specs and model versions would let a seller tune wording until
the model is satisfied, so pages and the API give platforms `platform_assessment` (JSON) or
`for_platform` (the page's object, scrubbed) instead of the stored assessment.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from firewatch.core.labels import category_name, field_name, platform_reasons, reason_name
from firewatch.core.models import Assessment


def platform_assessment(assessment: Assessment | None, title: str | None) -> dict[str, Any] | None:
    """The JSON a platform gets: category, flag, and each reason with its evidence (the text model's
    probability and trigger words replaced by the marked title text, `platform_evidence`)."""
    if assessment is None:
        return None
    return {"category": assessment.category, "category_name": category_name(assessment.category),
            "flagged": assessment.flagged,
            "reasons": [{"code": r.code, "name_zh": reason_name(r.code), "evidence": r.evidence, "source": r.source,
                         "source_zh": field_name(r.source)} for r in platform_reasons(assessment.reasons, title)]}


def for_platform(assessment: Assessment | None, title: str | None) -> Assessment | None:
    """The assessment with every model internal removed (scores zeroed, specs and versions empty,
    the text model's evidence neutral: `platform_evidence`); `title` is the listing's title."""
    if assessment is None:
        return None
    return dataclasses.replace(assessment, risk_score=0.0, category_confidence=0.0, specs={}, model_versions={},
                               reasons=platform_reasons(assessment.reasons, title))
