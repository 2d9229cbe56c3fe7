"""Retraining the topic or risk model with officers' verdicts, gated, with the previous model kept.

``retrain`` adds the verdicts (``schemas.verdict``; the latest per post counts) to the shared
training split and trains a candidate with the ordinary entry point (``models.train``), which
calibrates it on the held-back valid split. A fixed share of the verdicted posts (by a hash of
the post id, so the same post is always on the same side) is held out of training. The
candidate and the model in use are then both scored on the valid split and on those held-out
verdicts; the candidate is installed only if it scores no lower than the model in use on
either (micro-F1 on the valid split, exact match on the verdicts: see ``Comparison``).
``tolerance`` allows the noise of one training run: the verdicts change the fastText run, and with
the 16-label risk model of issue 14 (9,681 training lines, 1,186 valid) six added lines moved valid
micro-F1 by 0.013 in tests/test_verdicts_e2e.py, with the rare attribute labels moving most.

Installing is two renames in the model's folder, the ``.ftz`` first and the ``.json`` last:
the tagger watches the ``.json`` (``Tagger.reload_if_changed``), so when it sees the new one
both files are new. The model in use (installed, or the bundled default) is copied to
``previous/`` beside it first;
``rollback`` puts it back the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.tagging.models import Classifier, ModelError, evaluate, read_examples, train
from schemas.model import Example, Metrics
from schemas.verdict import Verdict, current

HOLD_OUT = 0.2
"""The share of verdicted posts kept out of training, to score the candidate on."""
WEIGHT = 3
"""How many times a verdict's example is repeated in the training data: one officer's judgement
of a post outweighs a corpus line, and a single copy among thousands barely moves fastText."""
TOLERANCE = 0.015


def held_out(post_id: str, share: float = HOLD_OUT) -> bool:
    """Whether verdicts on ``post_id`` are kept out of training (the same answer every time)."""
    bucket = int(hashlib.sha256(post_id.encode()).hexdigest()[:8], 16) % 1000
    return bucket < round(share * 1000)


def verdict_examples(verdicts: Iterable[Verdict]) -> list[Example]:
    """One training example per verdict: the post's text with ``Verdict.example_labels``."""
    return [Example(text=v.text, labels=v.example_labels()) for v in verdicts if v.text.strip()]


def previous_of(installed: Path) -> Path:
    """Where the model replaced by an install is kept for ``rollback``."""
    return installed.parent / "previous" / installed.name


@dataclass
class Comparison:
    """The model in use and the candidate on one labelled set."""

    name: str
    before: Metrics
    after: Metrics
    measure: str = "micro_f1"
    """What decides: micro-F1 on the valid split; on verdicts, exact match (the share of posts whose
    labels the model gets exactly as the officer said), since a set of negative verdicts alone has
    no true positive and so a micro-F1 of 0 whatever the model does."""

    @property
    def worse_by(self) -> float:
        """How much lower the candidate scores on ``measure`` (negative: better)."""
        return getattr(self.before, self.measure) - getattr(self.after, self.measure)

    def table(self) -> str:
        """Per label, F1 before and after, as ``siaga model retrain`` prints it."""
        lines = [f"{self.name}: {self.after.examples} examples",
                 f"  {'label':<16}{'F1 before':>10}{'F1 after':>10}{'change':>8}{'support':>9}"]
        for label in sorted(set(self.before.labels) | set(self.after.labels)):
            before, after = self.before.labels.get(label), self.after.labels.get(label)
            b, a = (before.f1 if before else 0.0), (after.f1 if after else 0.0)
            either = after or before
            support = either.support if either is not None else 0
            lines.append(f"  {label:<16}{b:>10.3f}{a:>10.3f}{a - b:>+8.3f}{support:>9}")
        lines.append(f"  {'micro-F1':<16}{self.before.micro_f1:>10.3f}{self.after.micro_f1:>10.3f}"
                     f"{self.after.micro_f1 - self.before.micro_f1:>+8.3f}")
        lines.append(f"  {'macro-F1':<16}{self.before.macro_f1:>10.3f}{self.after.macro_f1:>10.3f}"
                     f"{self.after.macro_f1 - self.before.macro_f1:>+8.3f}")
        lines.append(f"  {'exact match':<16}{self.before.exact_match:>10.3f}{self.after.exact_match:>10.3f}"
                     f"{self.after.exact_match - self.before.exact_match:>+8.3f}")
        return "\n".join(lines)


@dataclass
class RetrainReport:
    """What a retraining did: the data, the comparisons, and whether the candidate was installed."""

    task: str
    baseline: str
    candidate: str
    training_examples: int
    verdicts_trained: int
    verdicts_held_out: int
    comparisons: list[Comparison]
    installed: bool
    reason: str
    installed_at: Path

    def render(self) -> str:
        """The report as ``siaga model retrain`` prints it."""
        lines = [f"{self.task}: {self.training_examples} training examples, {self.verdicts_trained} of them from "
                 f"verdicts ({self.verdicts_held_out} verdict(s) held out to score on)",
                 f"before: {self.baseline}", f"after : {self.candidate}"]
        lines += [comparison.table() for comparison in self.comparisons]
        lines.append(("INSTALLED at " + str(self.installed_at) if self.installed else "NOT installed") +
                     f": {self.reason}")
        return "\n".join(lines)

    def as_json(self) -> dict:
        """The report as one JSON object."""
        return {"task": self.task, "baseline": self.baseline, "candidate": self.candidate,
                "training_examples": self.training_examples, "verdicts_trained": self.verdicts_trained,
                "verdicts_held_out": self.verdicts_held_out, "installed": self.installed, "reason": self.reason,
                "installed_at": str(self.installed_at),
                "comparisons": [{"data": c.name, "before": c.before.model_dump(), "after": c.after.model_dump()}
                                for c in self.comparisons]}


def _write_jsonl(path: Path, examples: Sequence[Example]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps({"text": example.text, "labels": example.labels}, ensure_ascii=False) + "\n")


def retrain(task: str, train_file: Path, valid_file: Path, verdicts: Iterable[Verdict], *, baseline: Path,
            installed: Path, hold_out: float = HOLD_OUT, weight: int = WEIGHT, tolerance: float = TOLERANCE,
            install: bool = True) -> RetrainReport:
    """Train a candidate on ``train_file`` plus the verdicts, compare it with ``baseline``, install it if not worse."""
    counting = [v for v in current(verdicts).values() if v.task == task]
    trained = [v for v in counting if not held_out(v.post_id, hold_out)]
    kept_out = [v for v in counting if held_out(v.post_id, hold_out)]
    base_examples = read_examples(train_file)
    extra = verdict_examples(trained) * weight
    installed.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=installed.parent, prefix=".retrain-") as scratch:
        combined = Path(scratch) / "train.jsonl"
        _write_jsonl(combined, [*base_examples, *extra])
        candidate_path = Path(scratch) / f"{task}.ftz"
        train(task, combined, candidate_path, valid_file)
        candidate = Classifier.load(candidate_path, task)
        before = Classifier.load(baseline, task)
        valid_examples = read_examples(valid_file)
        comparisons = [Comparison(str(valid_file), evaluate(before, valid_examples, str(valid_file)),
                                  evaluate(candidate, valid_examples, str(valid_file)))]
        if kept_out:
            held = verdict_examples(kept_out)
            comparisons.append(Comparison("held-out verdicts", evaluate(before, held, "held-out verdicts"),
                                          evaluate(candidate, held, "held-out verdicts"), "exact_match"))
        worse = [c for c in comparisons if c.worse_by > tolerance]
        if worse:
            reason = "; ".join(f"{c.measure.replace('_', ' ')} on {c.name} would drop by {c.worse_by:.3f} "
                               f"(tolerance {tolerance})" for c in worse)
            ok = False
        else:
            reason = "not worse on " + " nor on ".join(c.name for c in comparisons)
            ok = True
        report = RetrainReport(task, before.version, candidate.version, len(base_examples) + len(extra),
                               len(trained), len(kept_out), comparisons, ok and install,
                               reason if install or not ok else reason + " (dry run: nothing installed)", installed)
        if ok and install:
            _install(candidate_path, installed, baseline)
    return report


def _replace_pair(source: Path, target: Path) -> None:
    # The .ftz first, the .json last: the tagger reloads when the .json changes, by then both are new.
    os.replace(source, target)
    os.replace(source.with_suffix(".json"), target.with_suffix(".json"))


def _install(candidate: Path, installed: Path, in_use: Path) -> None:
    # The model in use is kept, whether it was installed here before or is the bundled default:
    # after the first retrain, a rollback goes back to the default.
    previous = previous_of(installed)
    previous.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(in_use, previous)
    shutil.copyfile(in_use.with_suffix(".json"), previous.with_suffix(".json"))
    _replace_pair(candidate, installed)


def rollback(installed: Path) -> str:
    """Put the model kept in ``previous/`` back in place (the rolled-back one takes its place there)."""
    previous = previous_of(installed)
    if not previous.is_file() or not previous.with_suffix(".json").is_file():
        msg = f"{installed}: no previous model in {previous.parent} to roll back to"
        raise ModelError(msg)
    with tempfile.TemporaryDirectory(dir=installed.parent, prefix=".rollback-") as scratch:
        swap = Path(scratch) / installed.name
        shutil.copyfile(installed, swap)
        shutil.copyfile(installed.with_suffix(".json"), swap.with_suffix(".json"))
        back = Path(scratch) / f"back-{installed.name}"
        shutil.copyfile(previous, back)
        shutil.copyfile(previous.with_suffix(".json"), back.with_suffix(".json"))
        _replace_pair(back, installed)
        _replace_pair(swap, previous)
    return Classifier.load(installed).version
