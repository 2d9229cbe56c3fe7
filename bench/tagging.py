"""Throughput, load time and memory of the whole tagger on one core, with raw lid.176 as the baseline.

Run:  .venv/bin/python bench/tagging.py [--posts N] [--json]      (or `make bench`)
      other flags: --repeats N (rounds, best one reported; default 3), --batch N (default 500)

Input: the ``text`` of every post in connectors/samples/posts.jsonl (570 real-looking
Indonesian posts: slang, hashtags, emoji, URLs, mentions, line breaks), cycled to N posts
(default 50,000). The tagger is ``Tagger(TaggingSettings(watchlists=...), election, debunk_cue)``:
the default bundled models (language strategy ``siaga``: Siaga's language, topic and risk fastText
models), the three watchlists in ``WATCHLISTS`` below (hoax, SARA, money politics; 10 terms each,
phrases and #hashtags included), the demo's election section from ``siaga.yaml`` (three candidate
pairs, four parties, two local bodies and the national ones, the region) and the fact-check
matcher's debunk cues, i.e. what the pipeline's tagging DoFn runs.

Everything runs on ONE core: the process pins itself to the first CPU it may use before
importing numpy or fastText (fastText predicts on the calling thread anyway).

What is measured (best of --repeats interleaved rounds, each over all N posts):

1. whole tagger: ``Tagger.tag`` on lists of --batch posts (500 = the largest list the
   pipeline's ``BatchElements`` hands the tagging DoFn). Tags are built and thrown away.
2. breakdown, each part alone on the same N posts in the same batches:
   - normalisation: ``prepare`` (both normalisations of each text);
   - risk markers: ``with_markers`` (the abusive-word, shouting, mention and link tokens the risk
     model reads after the classifier text; ``pipelines.tagging.features``);
   - each model as the tagger calls it, on texts already normalised as the tagger feeds them:
     ``Classifier.best`` for language on the language-ID text (the likeliest language),
     ``Classifier.decided`` for topic on the classifier text and risk on it with its markers
     (the labels assigned, with calibrated scores); the "of which fastText predict" column is
     the time spent inside the model's own ``predict`` calls (a timing wrapper on the loaded
     model object, in this process only), the rest is Siaga's Python around it (label names,
     calibration, decisions);
   - reading words: ``read_words`` (case-folding, letter folding, tokens) on each raw text, which
     the tagger does once per post for the watchlists and the entities;
   - watchlists: ``Watchlists.find`` on each raw text, given its words;
   - entities: ``EntityMatcher.find`` on each raw text, given its words;
   - search text: ``normalise_for_search`` on each raw text (``text_norm``, warm: its word cache
     has seen the sample, as a worker's has after its first minutes; bench/search.py has the
     cold cost);
   - "rest of tag()": whole tagger minus the parts above (derived, not timed on its own):
     picking the language, deciding labels, rounding, building the pydantic LabelScore /
     RiskTags / WatchlistMatch objects and the Tags dataclass. Its fastText column is how much
     longer the three predicts take inside ``tag`` than alone: inside ``tag`` the three
     models take turns on every batch (and Python work runs between them), so each one finds
     less of itself in the CPU caches than when it predicts batch after batch on its own.
3. the whole tagger without ``text_norm`` (``normalise_for_search`` replaced by a function that
   returns "" for that measurement only, in the same rounds): what ``text_norm`` costs the
   stream, measured beside it rather than in another run on this shared machine.
4. baseline: fastText's lid.176.ftz (``fasttext.load_model(str(bundled_lid_model()))``)
   ``model.predict(list, k=1)`` on the raw texts in the same batches. fastText refuses a
   string containing a newline, so line breaks (in ~1/3 of the posts) are replaced by spaces
   once, before timing; nothing else is done to the text. This is the cheapest useful thing
   one can do with a post (one small model, top-1 only), so the ratio
   whole tagger / raw lid.176 says how many "bare language-ID calls" the whole tagger costs.
5. load and memory, in a fresh child process (same pinning): RSS (VmRSS in /proc/self/status)
   after reading the texts, before importing the tagger, fastText or any model; time to import
   the tagger module; time to construct the Tagger (the three models are read and fastText is
   imported here); RSS after tagging 5,000 posts (results discarded); VmHWM (peak). The target
   applies to the RSS delta "before import" -> "after load and tagging", i.e. all that the
   tagger adds to a worker (its Python modules included: pydantic, numpy, fastText).

How to read the numbers:
- posts/s = N / seconds of the best round; us/post is the inverse; "share" is the part's time
  as a fraction of the whole tagger's, so the shares of the breakdown rows add up to 100%
  (for the baseline row it is the baseline's time over the whole tagger's: 10% would mean the
  tagger costs ten bare lid.176 calls).
- The fastText column shows the floor: no Python rewrite of the tagger can go below the sum of
  the three models' predict times; only smaller / fewer models (or more cores) can.
- Run-to-run spread on this 2-core machine is roughly +-5%; the best round is the least
  disturbed one. The PASS/FAIL table compares the best round with the targets.
- Exit status is 0 if every target passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SAMPLE = REPO / "connectors" / "samples" / "posts.jsonl"
BATCH = 500  # ValidateAndTag's default max_batch_size: the largest list the tagging DoFn gets
PROBE_POSTS = 5_000  # posts the load/memory child tags before reading its RSS

TARGET_POSTS_PER_S = 20_000
TARGET_RATIO = 0.4
TARGET_LOAD_S = 1.0
TARGET_RSS_MB = 300.0

WATCHLISTS: list[dict[str, Any]] = [
    {"name": "hoaks-pemilu", "risk": "hoax", "level": "waspada",
     "terms": ["hoaks", "hoax", "surat suara tercoblos", "kotak suara hilang", "penggelembungan suara",
               "server kpu", "kpu curang", "pemilu curang", "#pemilucurang", "data pemilih palsu"]},
    {"name": "sara", "risk": "hate_speech", "level": "siaga",
     "terms": ["kafir", "aseng", "antek asing", "pribumi asli", "kristenisasi", "islamisasi",
               "#tolakpendatang", "usir pendatang", "bakar gereja", "ganyang"]},
    {"name": "politik-uang", "risk": "money_politics", "level": "waspada",
     "terms": ["serangan fajar", "#seranganfajar", "amplop", "bagi sembako", "uang transport",
               "uang bensin", "50rb", "100rb", "coblos nomor", "transfer dana"]},
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pin_to_one_core() -> int:
    """Pin this process to the first CPU it may run on; before numpy/fastText start any thread."""
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    msg = f"{field} not in /proc/self/status"
    raise RuntimeError(msg)


def load_texts(n: int) -> tuple[list[str], int]:
    samples = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [samples[i % len(samples)] for i in range(n)], len(samples)


def batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def bench_settings():
    from schemas.config import TaggingSettings, Watchlist

    return TaggingSettings(watchlists=[Watchlist(**w) for w in WATCHLISTS])


def bench_tagger():
    """The tagger as the pipeline builds it (``pipelines.post.transforms.build_tagger``), without importing Beam."""
    import yaml

    from pipelines.factchecks.matcher import debunk_cue
    from pipelines.tagging.tagger import Tagger
    from schemas.config import ElectionSettings

    election = ElectionSettings.model_validate(yaml.safe_load((REPO / "siaga.yaml").read_text(encoding="utf-8"))
                                               .get("election") or {})
    return Tagger(bench_settings(), election, debunk=debunk_cue)


# -- 5. load time and memory, in a fresh process -------------------------------------------------

def probe(n: int, batch: int) -> dict[str, Any]:
    """Runs in the child: RSS before importing anything of the tagger, load time, RSS after tagging."""
    texts, _ = load_texts(n)
    rss = {"before_import": rss_mb()}
    started = time.perf_counter()
    from pipelines.factchecks.matcher import debunk_cue  # noqa: F401 - imported here to count in import_s
    from pipelines.tagging.tagger import Tagger  # noqa: F401

    import_s = time.perf_counter() - started
    rss["after_import"] = rss_mb()
    started = time.perf_counter()
    tagger = bench_tagger()
    load_s = time.perf_counter() - started
    rss["after_load"] = rss_mb()
    for chunk in batches(texts, batch):
        tagger.tag(chunk)
    rss["after_tagging"] = rss_mb()
    return {"import_s": import_s, "load_s": load_s, "rss_mb": rss, "peak_rss_mb": rss_mb("VmHWM"),
            "probe_posts": n, "fasttext_loaded_in_load": "fasttext" in sys.modules}


def run_probe(batch: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--_probe", "--batch", str(batch)],
                         capture_output=True, text=True, check=False, timeout=120)
    if out.returncode != 0:
        msg = f"load/memory probe failed:\n{out.stderr}"
        raise RuntimeError(msg)
    return json.loads(out.stdout)


# -- 1-3. throughput ----------------------------------------------------------------------------

class PredictTimer:
    """Wraps one loaded fastText model's ``predict`` to add up the time spent inside it."""

    def __init__(self, model: Any) -> None:
        self.seconds = 0.0
        self.calls = 0
        inner = model.predict

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        model.predict = timed  # an instance attribute: this object, this process only


def bench_throughput(texts: list[str], batch: int, repeats: int) -> dict[str, Any]:
    import fasttext

    from pipelines.tagging import tagger as tagger_module
    from pipelines.tagging.entities import read_words
    from pipelines.tagging.features import with_markers
    from pipelines.tagging.language import bundled_lid_model
    from pipelines.tagging.search import normalise_for_search
    from pipelines.tagging.text import prepare

    tagger = bench_tagger()
    models = {"language": tagger.language, "topic": tagger.topic, "risk": tagger.risk}
    missing = [name for name, model in models.items() if model is None]
    if missing:
        msg = f"the default settings did not load the {', '.join(missing)} model(s)"
        raise RuntimeError(msg)
    timers = {name: PredictTimer(model.model) for name, model in models.items()}
    lid = fasttext.load_model(str(bundled_lid_model()))

    raw_batches = batches(texts, batch)
    one_line_batches = batches([t.replace("\n", " ") for t in texts], batch)
    prepared = [prepare(t) for t in texts]
    lid_batches = batches([p[0] for p in prepared], batch)
    classifier_batches = batches([p[1] for p in prepared], batch)
    risk_batches = batches([with_markers(t, p[1]) for t, p in zip(texts, prepared, strict=True)], batch)
    model_input = {"language": lid_batches, "topic": classifier_batches,
                   "risk": risk_batches if tagger.risk_markers else classifier_batches}
    word_batches = batches([read_words(t) for t in texts], batch)

    # Warm-up (first calls touch model pages, fill regex caches) and a summary of what is tagged.
    tags = [tag for chunk in raw_batches[:4] for tag in tagger.tag(chunk)]
    lid.predict(one_line_batches[0], k=1)
    summary = {
        "languages": dict(Counter(t.language for t in tags).most_common()),
        "risk_levels": dict(Counter(t.risk.level for t in tags).most_common()),
        "with_topic": sum(bool(t.topics) for t in tags) / len(tags),
        "with_watchlist_match": sum(bool(t.matches) for t in tags) / len(tags),
        "raised_by_watchlist": sum(t.risk.raised_by_watchlist for t in tags) / len(tags),
        "over_posts": len(tags),
    }

    def fasttext_seconds() -> float:
        return sum(timer.seconds for timer in timers.values())

    rounds: dict[str, list[float]] = {}
    inside: dict[str, list[float]] = {}  # seconds inside fastText predict during that measurement

    def record(name: str, seconds: float, fasttext_s: float) -> None:
        rounds.setdefault(name, []).append(seconds)
        inside.setdefault(name, []).append(fasttext_s)

    for round_no in range(repeats):
        log(f"round {round_no + 1}/{repeats}")
        started = time.perf_counter()
        for chunk in one_line_batches:
            lid.predict(chunk, k=1)
        elapsed = time.perf_counter() - started
        record("lid176", elapsed, elapsed)

        before = fasttext_seconds()
        started = time.perf_counter()
        for chunk in raw_batches:
            tagger.tag(chunk)
        record("tagger", time.perf_counter() - started, fasttext_seconds() - before)

        started = time.perf_counter()
        for chunk in raw_batches:
            [prepare(t) for t in chunk]
        record("prepare", time.perf_counter() - started, 0.0)

        for name, model in models.items():
            # what the tagger calls: the likeliest language, the topic and risk labels decided
            predict = model.best if name == "language" else model.decided
            before = timers[name].seconds
            started = time.perf_counter()
            for chunk in model_input[name]:
                predict(chunk)
            record(name, time.perf_counter() - started, timers[name].seconds - before)

        started = time.perf_counter()
        for chunk in raw_batches:
            [read_words(t) for t in chunk]
        record("words", time.perf_counter() - started, 0.0)

        started = time.perf_counter()
        for chunk, cleaned in zip(raw_batches, classifier_batches, strict=True):
            [with_markers(t, c) for t, c in zip(chunk, cleaned, strict=True)]
        record("markers", time.perf_counter() - started, 0.0)

        find = tagger.watchlists.find
        started = time.perf_counter()
        for chunk, words in zip(raw_batches, word_batches, strict=True):
            [find(t, w) for t, w in zip(chunk, words, strict=True)]
        record("watchlists", time.perf_counter() - started, 0.0)

        find_entities = tagger.entities.find
        started = time.perf_counter()
        for chunk, words in zip(raw_batches, word_batches, strict=True):
            [find_entities(t, w) for t, w in zip(chunk, words, strict=True)]
        record("entities", time.perf_counter() - started, 0.0)

        started = time.perf_counter()
        for chunk in raw_batches:
            [normalise_for_search(t) for t in chunk]
        record("search", time.perf_counter() - started, 0.0)

        tagger_module.normalise_for_search = lambda text: ""  # this measurement only
        try:
            before = fasttext_seconds()
            started = time.perf_counter()
            for chunk in raw_batches:
                tagger.tag(chunk)
            record("tagger_without_text_norm", time.perf_counter() - started, fasttext_seconds() - before)
        finally:
            tagger_module.normalise_for_search = normalise_for_search

    n = len(texts)
    best_round = {name: min(range(repeats), key=values.__getitem__) for name, values in rounds.items()}
    best = {name: rounds[name][i] for name, i in best_round.items()}
    best_inside = {name: inside[name][i] for name, i in best_round.items()}
    parts = ["prepare", "markers", "language", "topic", "risk", "words", "watchlists", "entities", "search"]
    rest = best["tagger"] - sum(best[p] for p in parts)
    return {
        "posts": n,
        "batch": batch,
        "repeats": repeats,
        "seconds": best,
        "fasttext_seconds": best_inside,
        "posts_per_s": {name: n / s for name, s in best.items()},
        "rest_of_tag_s": rest,
        "ratio_tagger_over_lid176": best["lid176"] / best["tagger"],
        "all_rounds_s": rounds,
        "summary": summary,
        "models": {name: {"path": str(model.path), "kB": model.path.stat().st_size // 1024,
                          "labels": len(model.meta.labels), "dim": model.model.get_dimension()}
                   for name, model in models.items()}
        | {"lid176": {"path": str(bundled_lid_model()), "kB": bundled_lid_model().stat().st_size // 1024,
                      "labels": len(lid.get_labels()), "dim": lid.get_dimension()}},
    }


# -- report -------------------------------------------------------------------------------------

def render(report: dict[str, Any]) -> str:
    t, load, env = report["throughput"], report["load"], report["environment"]
    n, whole = t["posts"], t["seconds"]["tagger"]
    s, ft = t["seconds"], t["fasttext_seconds"]

    def row(label: str, seconds: float, fasttext_s: float | None, derived: bool = False) -> str:
        rate = "-" if derived else f"{n / seconds:,.0f}"
        inner = "" if fasttext_s is None else f"{fasttext_s:.3f} ({fasttext_s / seconds:.0%})"
        return (f"{label:<44}{seconds:>8.3f}{rate:>10}{seconds / n * 1e6:>9.1f}{seconds / whole:>7.0%}"
                f"   {inner}")

    models = t["models"]
    lines = [
        f"Siaga tagger benchmark: {n:,} posts ({report['samples']} sample texts cycled), batches of {t['batch']}, "
        f"best of {t['repeats']} rounds",
        f"pinned to CPU {env['cpu']} of {env['cpus']}, Python {env['python']}, fasttext-numpy2 {env['fasttext']}, "
        f"watchlists: {len(WATCHLISTS)} lists, {sum(len(w['terms']) for w in WATCHLISTS)} terms",
        "models: " + ", ".join(f"{name} {m['kB']} kB dim {m['dim']} {m['labels']} labels" for name, m in models.items()),
        "",
        f"{'stage':<44}{'seconds':>8}{'posts/s':>10}{'us/post':>9}{'share':>7}   of which fastText predict (s)",
        row("whole tagger: Tagger.tag", whole, ft["tagger"]),
        row("  normalisation: prepare", s["prepare"], None),
        row("  risk markers: with_markers", s["markers"], None),
        row("  language model: Classifier.best", s["language"], ft["language"]),
        row("  topic model: Classifier.decided", s["topic"], ft["topic"]),
        row("  risk model: Classifier.decided", s["risk"], ft["risk"]),
        row("  reading words: read_words", s["words"], None),
        row("  watchlists: Watchlists.find", s["watchlists"], None),
        row("  entities: EntityMatcher.find", s["entities"], None),
        row("  search text: normalise_for_search", s["search"], None),
        row("  rest of tag() (derived: whole - parts)", t["rest_of_tag_s"],
            ft["tagger"] - sum(ft[m] for m in ("language", "topic", "risk")), derived=True),
        row("whole tagger without text_norm", s["tagger_without_text_norm"], ft["tagger_without_text_norm"]),
        row("baseline: raw lid.176 predict(k=1)", s["lid176"], s["lid176"]),
        "",
        f"text_norm costs the whole tagger {(whole - s['tagger_without_text_norm']) / n * 1e6:.1f} us/post "
        f"({n / s['tagger_without_text_norm']:,.0f} -> {n / whole:,.0f} posts/s)",
        f"fastText predict inside the whole tagger: {ft['tagger']:.3f} s = {ft['tagger'] / whole:.0%} of its time "
        f"(alone it would allow {n / ft['tagger']:,.0f} posts/s); Siaga's Python: {whole - ft['tagger']:.3f} s",
        f"load (fresh process): import of the tagger module {load['import_s']:.3f} s, "
        f"Tagger(...) {load['load_s']:.3f} s",
        "RSS (VmRSS, fresh process): " + ", ".join(f"{k.replace('_', ' ')} {v:.0f} MB" for k, v in load["rss_mb"].items())
        + f"; peak (VmHWM) {load['peak_rss_mb']:.0f} MB; tagged {load['probe_posts']:,} posts",
    ]
    summary = t["summary"]
    lines.append(
        f"what was tagged (first {summary['over_posts']:,} posts): languages "
        + ", ".join(f"{k} {v}" for k, v in summary["languages"].items())
        + "; risk levels " + ", ".join(f"{k} {v}" for k, v in summary["risk_levels"].items())
        + f"; with a topic {summary['with_topic']:.0%}; watchlist match {summary['with_watchlist_match']:.0%}"
        f" (raised the level: {summary['raised_by_watchlist']:.0%})"
    )
    lines += ["", f"{'target':<52}{'measured':>14}{'target':>12}   result"]
    for check in report["checks"]:
        lines.append(f"{check['name']:<52}{check['measured']:>14}{check['target']:>12}   "
                     f"{'PASS' if check['pass'] else 'FAIL'}")
    lines.append(f"total bench time {report['total_s']:.1f} s")
    return "\n".join(lines)


def checks(throughput: dict[str, Any], load: dict[str, Any]) -> list[dict[str, Any]]:
    rate = throughput["posts_per_s"]["tagger"]
    ratio = throughput["ratio_tagger_over_lid176"]
    rss_delta = load["rss_mb"]["after_tagging"] - load["rss_mb"]["before_import"]
    return [
        {"name": "whole tagger throughput (posts/s, one core)", "measured": f"{rate:,.0f}",
         "target": f">= {TARGET_POSTS_PER_S:,}", "pass": rate >= TARGET_POSTS_PER_S, "value": rate},
        {"name": "whole tagger / raw lid.176 predict(k=1)", "measured": f"{ratio:.3f}",
         "target": f">= {TARGET_RATIO}", "pass": ratio >= TARGET_RATIO, "value": ratio},
        {"name": "model load: Tagger(settings), fresh process (s)", "measured": f"{load['load_s']:.3f}",
         "target": f"<= {TARGET_LOAD_S}", "pass": load["load_s"] <= TARGET_LOAD_S, "value": load["load_s"]},
        {"name": "RSS delta, before import -> loaded + tagged (MB)", "measured": f"{rss_delta:.0f}",
         "target": f"<= {TARGET_RSS_MB:.0f}", "pass": rss_delta <= TARGET_RSS_MB, "value": rss_delta},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=50_000, help="posts to tag (default 50000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; the best is reported (default 3)")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"posts per Tagger.tag call (default {BATCH})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--_probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.posts < 1 or args.repeats < 1 or args.batch < 1:
        parser.error("--posts, --repeats and --batch must be at least 1")

    cpu = pin_to_one_core()
    if args._probe:
        print(json.dumps(probe(PROBE_POSTS, args.batch)))
        return 0

    started = time.perf_counter()
    log("load time and memory (fresh process)")
    load = run_probe(args.batch)
    texts, samples = load_texts(args.posts)
    log(f"throughput: {len(texts):,} posts, {args.repeats} rounds")
    throughput = bench_throughput(texts, args.batch, args.repeats)

    from importlib.metadata import version

    report = {
        "samples": samples,
        "throughput": throughput,
        "load": load,
        "checks": checks(throughput, load),
        "targets": {"posts_per_s": TARGET_POSTS_PER_S, "ratio_over_lid176": TARGET_RATIO,
                    "load_s": TARGET_LOAD_S, "rss_delta_mb": TARGET_RSS_MB},
        "watchlists": WATCHLISTS,
        "environment": {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
                        "fasttext": version("fasttext-numpy2")},
        "total_s": time.perf_counter() - started,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    return 0 if all(check["pass"] for check in report["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
