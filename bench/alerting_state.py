"""Alerting state after a simulated week: how big the rule engine's saved state grows and how long a save takes.

Run:  .venv/bin/python bench/alerting_state.py [--posts 6000] [--days 7] [--seed 2026] [--json]

The alerting job saves the rule engine's state (``engine-state.json``) before it commits a batch,
so the state's size is paid on every save, and a state that only grows is paid more each day.
This bench feeds a week of synthetic tagged posts (in ``created_at`` order, as the job does)
through ``RuleEngine`` with the rule types a deployment combines:

- ``new_term`` over two-word phrases (the one that grew to 233,916 terms in a reviewer's run) and
  over hashtags, a 7-day memory each;
- ``coordinated`` (copy-paste campaigns; some campaigns go on all week, so their clusters stay
  alive while members older than ``near_duplicate_memory`` pile up);
- ``threshold`` (one filtered, one per hashtag), ``spike`` and ``critical_post``.

The stream: ``--posts`` posts spread over ``--days`` days, texts of 15-80 words drawn from a
40,000-word Zipf vocabulary (exponent 0.9: 6,000 posts hold ~237,000 distinct phrases, about what
the reviewer's 6,000 real posts held), 10% of posts in
copy-paste campaigns, hashtag bursts, 1% at risk level ``awas``. Deterministic for a seed.

It prints, at the end of each simulated day, the saved state's size and what it holds, and at
the end the time of one save as the job does it (snapshot, JSON, write; with fsync where the
code under test does), averaged over ``--saves`` saves. It runs on any revision of the
repository (it uses the job's own save function where there is one, else the engine's
``snapshot()`` written the way the job wrote it), so the same command gives the figure before
and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pydantic import TypeAdapter  # noqa: E402 - importable once the repository is on sys.path

from pipelines.alerting.engine import RuleEngine  # noqa: E402
from schemas.config import AlertingSettings, Rule  # noqa: E402
from schemas.post import TaggedPost  # noqa: E402

START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
SYLLABLES = ["ka", "ba", "ra", "ng", "ma", "sa", "ta", "di", "ku", "lu", "pe", "se", "ja", "wa", "ri", "to", "an",
             "in", "un", "ga", "ha", "na", "ya", "po", "me", "be", "ti", "su", "de", "la"]
HASHTAGS = ["pilkada2026", "sukamaju", "kpusukamajucurang", "pemilu", "fyp", "tolakpendatang", "bongkarasep",
            "debatpilkada", "paslon01", "paslon02", "tpsaman", "jagasuara"]

RULES: list[dict[str, Any]] = [
    {"id": "istilah-baru", "name": "Frasa baru", "type": "new_term", "terms": "phrase", "threshold": 8,
     "window": "1h", "memory": "7d"},
    {"id": "tagar-baru", "name": "Tagar baru", "type": "new_term", "terms": "hashtag", "threshold": 5,
     "window": "1h", "memory": "7d"},
    {"id": "kampanye-salin-tempel", "name": "Kampanye salin-tempel", "type": "coordinated", "min_posts": 5,
     "min_accounts": 5, "min_platforms": 2, "window": "1h", "cooldown": "6h"},
    {"id": "hoaks-pemilu", "name": "Gelombang hoaks", "severity": "siaga", "threshold": 10, "window": "30m",
     "cooldown": "2h", "filter": {"hashtags_any": ["kpusukamajucurang"]}},
    {"id": "lonjakan-tagar", "name": "Lonjakan per tagar", "group_by": "hashtag", "threshold": 15, "window": "30m",
     "cooldown": "2h"},
    {"id": "lonjakan", "name": "Lonjakan unggahan", "type": "spike", "window": "30m", "baseline": "6h", "factor": 3,
     "min_count": 10},
    {"id": "unggahan-awas", "name": "Unggahan awas", "type": "critical_post", "severity": "awas"},
]


class Stream:
    """The synthetic week: a Zipf vocabulary, campaigns, bursts and critical posts."""

    def __init__(self, posts: int, days: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.posts, self.days = posts, days
        self.vocabulary = self._vocabulary(40_000)
        weights = [1 / (rank ** 0.9) for rank in range(1, len(self.vocabulary) + 1)]
        total = sum(weights)
        self.cumulative: list[float] = []
        running = 0.0
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def _vocabulary(self, size: int) -> list[str]:
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))))
        return sorted(words)

    def _word(self) -> str:
        import bisect

        return self.vocabulary[min(bisect.bisect_left(self.cumulative, self.rng.random()), len(self.vocabulary) - 1)]

    def text(self) -> str:
        return " ".join(self._word() for _ in range(self.rng.randint(15, 80)))

    def generate(self) -> list[TaggedPost]:
        rng, span = self.rng, timedelta(days=self.days).total_seconds()
        items: list[tuple[float, dict[str, Any]]] = []
        campaign_posts = self.posts // 10
        ordinary = self.posts - campaign_posts
        for i in range(ordinary):
            tags = rng.sample(HASHTAGS, rng.randint(0, 2))
            level = "awas" if rng.random() < 0.01 else "normal"
            items.append((rng.uniform(0, span), {"n": f"p{i}", "text": self.text(), "tags": tags, "level": level}))
        # bursts: 20 posts with one hashtag inside 20 minutes, twice a day
        for b in range(self.days * 2):
            at = rng.uniform(0, span - 1200)
            for j in range(20):
                items.append((at + j * 60, {"n": f"b{b}-{j}", "text": self.text(), "tags": ["kpusukamajucurang"],
                                            "level": "normal"}))
        # campaigns: most are short; three go on all week, one post an hour
        made, c = 0, 0
        while made < campaign_posts:
            base = self.text()
            long_running = c < 3
            count = min(campaign_posts - made, self.days * 24 if long_running else rng.randint(6, 40))
            at = 0.0 if long_running else rng.uniform(0, span - 4 * 3600)
            step = 3600.0 if long_running else rng.uniform(60, 600)
            for j in range(count):
                words = base.split()
                words[rng.randrange(len(words))] = self._word()
                items.append((at + j * step, {"n": f"c{c}-{j}", "text": " ".join(words), "tags": [],
                                              "level": "normal", "account": f"akun{c}-{j % 12}",
                                              "platform": ("tiktok", "facebook", "instagram")[j % 3]}))
            made += count
            c += 1
        items.sort(key=lambda item: item[0])
        return [self._post(at, spec) for at, spec in items]

    @staticmethod
    def _post(offset_s: float, spec: dict[str, Any]) -> TaggedPost:
        created = START + timedelta(seconds=offset_s)
        platform = spec.get("platform", "tiktok")
        handle = spec.get("account", f"warga{hash(spec['n']) % 3000}")
        return TaggedPost.model_validate({
            "platform": platform, "native_id": spec["n"], "url": f"https://example.org/{platform}/{spec['n']}",
            "author": {"id": handle, "handle": handle}, "text": spec["text"],
            "hashtags": spec["tags"], "mentions": [], "created_at": created.isoformat(),
            "collected_at": (created + timedelta(minutes=5)).isoformat(),
            "engagement": {"likes": 1, "comments": 0, "shares": 0, "views": 10},
            "language": "id", "language_score": 0.9, "tagged_at": (created + timedelta(minutes=6)).isoformat(),
            "tagger_version": "bench",
            "risk": {"level": spec["level"], "score": 0.95 if spec["level"] == "awas" else 0.1, "labels": []},
        })


def saver(state_dir: Path) -> tuple[str, Any]:
    """The job's own way to save the engine's state, or (before there was one) the way the job did it."""
    try:
        from pipelines.alerting.state import EngineStateFile  # the durable, compact save (after the fix)
    except ImportError:
        path = state_dir / "engine-state.json"

        def old_save(engine: RuleEngine) -> int:
            data = {"engine": engine.snapshot(), "cluster_labels": {}}
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, path)
            return path.stat().st_size

        return "engine.snapshot() + json.dumps + write + rename (no fsync)", old_save
    store = EngineStateFile(state_dir)

    def new_save(engine: RuleEngine) -> int:
        return store.save(engine, {})

    return "EngineStateFile.save (compact snapshot, write_private: fsync file + rename + fsync folder)", new_save


def holdings(engine: RuleEngine) -> dict[str, int]:
    """What the engine remembers, counted."""
    counts: dict[str, int] = {}
    for rule_id, evaluator in engine.evaluators.items():
        counts[f"{rule_id}: groups"] = len(evaluator.groups)
        for name in ("last_seen", "memory"):  # the new-term memory, before and after it was capped
            if isinstance(getattr(evaluator, name, None), dict):
                counts[f"{rule_id}: remembered terms"] = len(getattr(evaluator, name))
    counts["neardup: clusters"] = len(engine.neardup.clusters)
    counts["neardup: posts assigned"] = len(engine.neardup.assigned)
    members = getattr(engine, "_cluster_members", None) or getattr(engine, "_cluster_first", None)
    if isinstance(members, dict):
        counts["cluster members kept"] = sum(len(m) if isinstance(m, list) else 1 for m in members.values())
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=6000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--saves", type=int, default=5, help="saves timed at the end")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    posts = Stream(args.posts, args.days, args.seed).generate()
    rules = [TypeAdapter(Rule).validate_python(spec) for spec in RULES]
    engine = RuleEngine(rules, 10, AlertingSettings())
    report: dict[str, Any] = {"posts": len(posts), "days": args.days, "daily": []}
    with tempfile.TemporaryDirectory() as tmp:
        how, save = saver(Path(tmp))
        report["save"] = how
        fired = 0
        started = time.perf_counter()
        day_end = START + timedelta(days=1)
        for post in posts:
            while post.created_at >= day_end:
                report["daily"].append({"day": len(report["daily"]) + 1, "state_bytes": save(engine)})
                day_end += timedelta(days=1)
            fired += sum(1 for event in engine.observe_all(post) if type(event).__name__ == "Breach")
            engine.take_cluster_updates()
        report["observe_posts_per_s"] = round(len(posts) / (time.perf_counter() - started))
        report["alerts_fired"] = fired
        timings = []
        for _ in range(args.saves):
            t0 = time.perf_counter()
            size = save(engine)
            timings.append(time.perf_counter() - t0)
        report["state_bytes"] = size
        report["save_s"] = round(sum(timings) / len(timings), 4)
        report["holdings"] = holdings(engine)
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"alerting state after {report['posts']} posts in {args.days} simulated days ({report['alerts_fired']} alerts)")
    print(f"  save                : {how}")
    for day in report["daily"]:
        print(f"  end of day {day['day']:<2}      : {day['state_bytes']:>12,} bytes")
    print(f"  state after the week: {report['state_bytes']:>12,} bytes")
    print(f"  one save            : {report['save_s'] * 1000:>12.1f} ms (mean of {args.saves})")
    print(f"  rule engine         : {report['observe_posts_per_s']:>12,} posts/s (with the daily saves)")
    print(f"  peak RSS            : {report['peak_rss_mb']:>12,} MB")
    for what, count in report["holdings"].items():
        print(f"  {what:<38}: {count:>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
