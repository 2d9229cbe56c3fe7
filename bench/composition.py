"""False alarms and attacks found: the whole tagger, entities and composition included, on everyday posts.

Run:  .venv/bin/python bench/composition.py [--config siaga.yaml] [--show] [--json]

An officer drowning in false alarms stops reading, so issue 14 caps them: at most 20 posts raised
to ``siaga`` or ``awas`` per 1,000 everyday posts. This script tags, exactly as the pipeline does
(``Tagger(tagging, election, debunk=debunk_cue)``, the configuration's watchlists and election):

- the demo sample (``connectors/samples/posts.jsonl``), whose generator
  (``connectors/samples/build_sample.py``) knows which posts are benign, risky or in a burst;
- the written everyday examples (``data/corpus/written/everyday.jsonl``) that carry no risk label.

It prints, per set, the posts raised to ``siaga``/``awas`` per 1,000 benign posts, the levels per
category of the sample, how many risky and burst posts reach ``siaga``/``awas``, the labels
assigned per category, and the candidates under attack (posts whose ``black_campaign`` is aimed
at each). ``--show`` lists every false alarm with its reasons. The everyday examples are also
training data for the default models (``data/corpus``), so their figure is a floor, not a
held-out measure; the demo sample was never trained on.

Exit status 0 if both sets stay within the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SAMPLE_BUILDER = REPO / "connectors" / "samples" / "build_sample.py"
EVERYDAY = REPO / "data" / "corpus" / "written" / "everyday.jsonl"
TARGET_PER_1000 = 20.0
RAISED = ("siaga", "awas")


def sample_posts() -> list[tuple[str, str]]:
    """(category, text) of every post of the demo sample, from the generator that wrote it."""
    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE_BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(category, record["text"]) for category, record in module.build()]


def everyday_posts() -> list[str]:
    """The written everyday examples that carry no risk label."""
    rows = [json.loads(line) for line in EVERYDAY.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["text"] for row in rows if not row.get("risk")]


def measure(config: Path) -> dict[str, Any]:
    from pipelines.factchecks.matcher import debunk_cue
    from pipelines.post.transforms import attacked_entities
    from pipelines.tagging.tagger import Tagger
    from schemas.config import load_settings

    settings = load_settings(config, environ={})
    tagger = Tagger(settings.tagging, settings.election, debunk=debunk_cue)
    sample = sample_posts()
    sample_tags = tagger.tag([text for _, text in sample])
    levels: dict[str, Counter[str]] = defaultdict(Counter)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    attacked: dict[str, Counter[str]] = defaultdict(Counter)
    alarms: list[dict[str, Any]] = []
    for (category, text), tags in zip(sample, sample_tags, strict=True):
        levels[category][tags.risk.level] += 1
        labels[category].update(label.label for label in tags.risk.labels)
        for entity in attacked_entities(tags.risk):
            attacked[settings.election.display(entity)][category] += 1
        if category == "benign" and tags.risk.level in RAISED:
            alarms.append(_alarm("sample", text, tags))
    everyday = everyday_posts()
    everyday_tags = tagger.tag(everyday)
    for text, tags in zip(everyday, everyday_tags, strict=True):
        if tags.risk.level in RAISED:
            alarms.append(_alarm("everyday", text, tags))
    benign = sum(levels["benign"].values())
    sets = {
        "demo sample, benign posts": (sum(levels["benign"][lv] for lv in RAISED), benign),
        "written everyday examples, no risk label": (sum(a["set"] == "everyday" for a in alarms), len(everyday)),
    }
    return {
        "config": str(config),
        "tagger_version": tagger.version,
        "false_alarms": {name: {"raised": raised, "posts": posts, "per_1000": 1000 * raised / max(posts, 1)}
                         for name, (raised, posts) in sets.items()},
        "levels": {category: dict(counts) for category, counts in levels.items()},
        "labels": {category: dict(counts.most_common()) for category, counts in labels.items()},
        "attacked": {name: dict(counts) for name, counts in sorted(attacked.items(), key=lambda kv: -sum(kv[1].values()))},
        "alarms": alarms,
    }


def _alarm(where: str, text: str, tags: Any) -> dict[str, Any]:
    return {"set": where, "text": text, "level": tags.risk.level,
            "labels": {label.label: label.score for label in tags.risk.labels},
            "reasons": [f"{r.label}: {r.detail}" for r in tags.risk.reasons]}


def render(report: dict[str, Any], show: bool) -> str:
    lines = [f"Composition and false alarms ({report['config']}; {report['tagger_version']})", "",
             f"{'posts raised to siaga/awas':<46}{'raised':>8}{'posts':>8}{'per 1,000':>11}{'target':>9}"]
    for name, row in report["false_alarms"].items():
        ok = "PASS" if row["per_1000"] <= TARGET_PER_1000 else "FAIL"
        lines.append(f"{name:<46}{row['raised']:>8}{row['posts']:>8}{row['per_1000']:>11.1f}"
                     f"{'<= ' + str(int(TARGET_PER_1000)):>9}  {ok}")
    lines += ["", "demo sample by category (levels; labels assigned):"]
    for category, levels in report["levels"].items():
        total = sum(levels.values())
        raised = sum(levels.get(level, 0) for level in RAISED)
        mix = ", ".join(f"{level} {levels[level]}" for level in ("normal", "waspada", "siaga", "awas") if level in levels)
        lines.append(f"  {category:<8} {total:>4} posts, {raised:>3} at siaga/awas ({mix})")
        if report["labels"].get(category):
            lines.append("           " + ", ".join(f"{k} {v}" for k, v in report["labels"][category].items()))
    lines += ["", "candidates and parties under attack (posts whose black_campaign is aimed at each, by category):"]
    for name, counts in report["attacked"].items():
        lines.append(f"  {name:<30} {sum(counts.values()):>4}  ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    if show:
        lines += ["", "false alarms:"]
        for alarm in report["alarms"]:
            lines.append(f"  [{alarm['set']}] {alarm['level']}: {' '.join(alarm['text'].split())[:140]}")
            lines += [f"      {reason}" for reason in alarm["reasons"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "siaga.yaml", help="configuration (default: the demo's)")
    parser.add_argument("--show", action="store_true", help="list every false alarm with its reasons")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    report = measure(args.config)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else render(report, args.show))
    return 0 if all(row["per_1000"] <= TARGET_PER_1000 for row in report["false_alarms"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
