"""What a risk model means for officers: false alarms on everyday posts and how often ``awas`` is right.

Per-label F1 says how a model reads tweets; an officer sees levels. So ``siaga model evaluate
--task risk`` also runs the whole tagger (entities and composition included) with the model:

- false alarms: posts raised to ``siaga`` or ``awas`` per 1,000 everyday posts, on each set of
  benign texts given (the demo sample's benign posts, the written examples with no risk label);
  issue 14 caps them at 20;
- precision of ``awas``: of the labelled posts the tagger rates ``awas``, the share whose gold
  labels hold ``hate_speech`` (``awas`` is what wakes an officer at night).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from schemas.config import ElectionSettings, TaggingSettings
from schemas.model import Example

RAISED = ("siaga", "awas")
TARGET_PER_1000 = 20.0


def risk_report(tagging: TaggingSettings, election: ElectionSettings | None, model: Path,
                examples: Sequence[Example], everyday: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """False alarms per everyday set, and the levels and ``awas`` precision on ``examples``."""
    from pipelines.tagging.tagger import Tagger

    tagger = Tagger(tagging.model_copy(update={"risk_model": model}), election)
    alarms = {}
    for name, texts in everyday.items():
        levels = Counter[str](tags.risk.level for tags in tagger.tag(list(texts)))
        raised = sum(levels[level] for level in RAISED)
        alarms[name] = {"posts": len(texts), "raised": raised,
                        "per_1000": round(1000 * raised / len(texts), 1) if texts else 0.0}
    tags = tagger.tag([e.text for e in examples])
    levels = Counter(t.risk.level for t in tags)
    awas = [e for e, t in zip(examples, tags, strict=True) if t.risk.level == "awas"]
    right = sum(1 for e in awas if "hate_speech" in e.labels)
    return {
        "false_alarms": alarms,
        "levels": dict(levels),
        "awas": {"posts": len(awas), "with_hate_speech": right,
                 "precision": round(right / len(awas), 4) if awas else None},
    }


def render_risk_report(report: Mapping[str, Any]) -> str:
    """The false alarms and the ``awas`` figures as ``siaga model evaluate`` prints them."""
    lines = [f"  {'posts raised to siaga/awas':<48}{'raised':>8}{'posts':>8}{'per 1,000':>11}   (target <= 20)"]
    for name, row in report["false_alarms"].items():
        lines.append(f"  {name:<48}{row['raised']:>8}{row['posts']:>8}{row['per_1000']:>11.1f}")
    awas = report["awas"]
    precision = "n/a" if awas["precision"] is None else f"{awas['precision']:.3f}"
    lines.append(f"  levels on the data: {report['levels']}")
    lines.append(f"  awas: {awas['posts']} posts, {awas['with_hate_speech']} with gold hate_speech: "
                 f"precision {precision}")
    return "\n".join(lines)
