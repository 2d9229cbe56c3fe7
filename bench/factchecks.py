"""The claim matcher: precision and recall on the written evaluation set, its cost per post with
50,000 fact-checks loaded beside baselines timed in the same run, and the fit of its re-scorer.

Run:  .venv/bin/python bench/factchecks.py [--split dev|test|both] [--factchecks 50000] [--posts 20000]
                                           [--batch 500] [--skip-eval] [--skip-cost] [--eval-with-synthetic] [--fit]
      .venv/bin/python bench/factchecks.py --stage    (the stage inside Tagger.tag, with and without the
                                                       matcher, and what it costs the pipeline: run_stage)

Evaluation (``data/corpus/written/factchecks/``, see its README): 80 fictional fact-checks about
the invented Kabupaten Sukamaju (76 debunked, 4 rated true) and 625 posts: paraphrases of the
claims (slang, shortened, hashtags and emoji, partial quotes, other word order, words changed,
Sundanese/Javanese/English, long chain messages), posts that quote a claim to debunk it, posts
repeating the true claims, and everyday and political-but-true posts that share the claims'
words. The fact-checks are read through the CSV parser (``connectors.factchecks``). Posts are split
by fact-check: dev (sk01-sk24, sk49, sk51-sk82 and their negatives) is what the matcher is tuned
and its re-scorer fitted on; test (sk25-sk48, sk50, the other negatives) is only reported.
``--split dev`` keeps test out of sight while tuning. Every post is matched against all loaded
fact-checks: the written ones alone, and with ``--eval-with-synthetic`` also with the 50,000 of the
cost bench loaded (other claims compete, and IDF comes from the large collection).

  recall     paraphrases whose right fact-check is raised / paraphrases
  precision  raised (post, fact-check) pairs that are right / all raised pairs, over every post
  debunk / true / everyday / political raised: posts that must raise nothing

Baseline: plain word-set Jaccard between the post and each claim or narrative (no slang map,
no weights, no debunk detection), at the threshold that does best on dev.

Fit (``--fit``): the re-scorer is a logistic model over ``FEATURES`` of (post, candidate text)
pairs. Rows: every candidate the matcher re-scores for each dev post (debunking posts left out:
their cue, not the score, holds them back), labelled by whether it is the post's fact-check.
Weights by Newton's method with an L2 penalty; the threshold is the one with the best recall at
precision >= 0.97 in a 5-fold cross-validation grouped by fact-check (the margin above the 0.95
target is for what dev cannot show). It prints the ``MatcherConfig`` values to paste.

Cost: 50,000 fact-checks = the written ones + synthetic ones made by ``synthetic()`` (claim
templates filled from word lists: subjects, affixed verbs, objects, invented place names built
from syllables, numbers; two of five get a two-to-four sentence narrative), so the vocabulary
has the long tail of names a real collection has. Two streams: every post text of
connectors/samples/posts.jsonl plus the written posts, cycled to --posts (a third of it repeats a
loaded claim: a worst case), and the demo sample alone. The stream is cut in batches of --batch
posts, as the tagger receives them; for each batch, on one pinned core, in turns:

  prepare            the tagger's normalisation (``pipelines.tagging.text.prepare``): the baseline
  match_many(prep)   the matcher given the classifier text ``prepare`` made: what tagging adds
  match_many(raw)    the matcher normalising the texts itself
  match (1 by 1)     ``match(text)`` per post, timed per call

Per post = batch time / batch size; the distribution over batches (mean, p50, p95, p99, max) is
printed for wall time (perf_counter) and for CPU time (process_time, which the other jobs on this
shared machine disturb less), with the ratio to the baseline in the same run and the load average.
Index build time (wall and CPU) and the memory it takes (RSS before and after) are printed too.
After the build the bench calls ``gc.freeze()``, as a tagging worker should once its models are
loaded: otherwise each full collection of the cyclic garbage collector walks the ~400,000
container objects of the 50,000 loaded ``FactCheck`` models and the index's tables (~150 ms, twice
per 20,000 posts; ``--no-gc-freeze`` shows it). Target: mean <= 50 us per post on one core.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gc
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.factchecks import to_factchecks  # noqa: E402
from pipelines.factchecks.matcher import (  # noqa: E402
    FEATURES,
    FactCheckMatcher,
    debunk_cue,
    word_jaccard_baseline,
)
from pipelines.tagging.text import prepare  # noqa: E402
from schemas.factcheck import FactCheck, factcheck_key, make_factcheck_id  # noqa: E402

WRITTEN = ROOT / "data" / "corpus" / "written" / "factchecks"
SAMPLE = ROOT / "connectors" / "samples" / "posts.jsonl"
COLLECTED = datetime(2026, 12, 1, tzinfo=UTC)
TARGET_US = 50.0


def pin_one_core() -> str:
    """Pin this process to one core (the target is per core); the core's name for the report."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "not pinned (no sched_setaffinity)"


def load() -> str:
    """The machine's 1, 5 and 15 minute load averages: the machine is shared."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def written() -> tuple[list[FactCheck], dict[str, str], list[dict]]:
    """The written fact-checks (through the CSV parser), their ids by written id, and the posts."""
    rows = [json.loads(line) for line in (WRITTEN / "factchecks.jsonl").read_text(encoding="utf-8").splitlines()]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "claim", "url", "rating", "date", "narrative"])
    for row in rows:
        writer.writerow([row["id"], row["claim"], row["url"], row["rating"], row["date"], row["narrative"] or ""])
    parsed = to_factchecks(buffer.getvalue(), "csv", COLLECTED, source="written")
    if parsed.refused:
        raise SystemExit(f"written fact-checks refused: {parsed.refused}")
    ids = {fc.native_id or "": fc.factcheck_id for fc in parsed.factchecks}
    posts = [json.loads(line) for line in (WRITTEN / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    return parsed.factchecks, ids, posts


# --- synthetic fact-checks ----------------------------------------------------------------------------

_SYLLABLES = ("ci", "su", "ka", "ma", "ju", "ra", "sa", "wa", "ngi", "ba", "tu", "le", "gi", "ran", "jaya", "mek",
              "sin", "dang", "pa", "sir", "la", "teg", "al", "ma", "nik", "ka", "rang", "we", "tan", "hi", "lir",
              "gun", "ung", "pu", "cang", "ke", "bon", "lem", "bur", "ta", "ri", "ko", "to", "ne", "mu", "sari")
_SUBJECTS = ("KPU", "Bawaslu", "Ketua DPRD", "anggota DPRD", "camat", "kepala desa", "Polres", "Kodim", "Dinas Sosial",
             "Dinas Pendidikan", "RSUD", "PDAM", "PLN", "bupati", "wakil bupati", "sekda", "tim sukses paslon",
             "relawan paslon", "petugas KPPS", "petugas PPK", "PPS", "ormas", "lembaga survei", "partai",
             "pengusaha tambang", "investor asing", "guru honorer", "ASN", "kepala sekolah", "ketua RW", "Kominfo",
             "Disdukcapil", "Satpol PP", "BPBD", "BMKG", "puskesmas", "bank daerah", "koperasi", "kampus", "pesantren")
_VERBS = ("ditangkap karena", "membagikan", "memalsukan", "menolak", "membubarkan", "mengancam", "mencoret",
          "memindahkan", "menyembunyikan", "menjual", "membeli", "membakar", "mengganti", "menambah", "menghapus",
          "memotong", "menaikkan", "melarang", "mewajibkan", "memecat", "menculik", "meracuni", "menyuap",
          "mengerahkan", "membatalkan", "menunda", "merusak", "mencuri", "membocorkan", "menyebarkan",
          "memaksa", "mengintimidasi", "menggelembungkan", "menyunat", "menahan", "membobol", "meretas",
          "diperiksa karena", "dipecat karena", "dilaporkan karena", "kedapatan", "terbukti", "diduga")
_OBJECTS = ("surat suara", "kotak suara", "dana bansos", "bantuan beras", "amplop serangan fajar", "KTP-el",
            "kartu keluarga", "data pemilih", "DPT", "formulir C hasil", "ijazah", "dana desa", "tunjangan guru",
            "gaji honorer", "BPJS", "subsidi elpiji", "minyak goreng", "sembako", "pulsa", "uang tunai", "sertifikat tanah",
            "sawah warga", "jembatan", "jalan kabupaten", "pasar", "sekolah", "masjid", "lapangan", "gudang logistik",
            "aplikasi Sirekap", "server KPU", "tinta pemilu", "segel kotak suara", "bilik suara", "undangan memilih",
            "hasil hitung cepat", "baliho paslon", "stiker paslon", "kaos kampanye", "mobil dinas")
_TAILS = ("menjelang pencoblosan", "di masa tenang", "sebelum hari H", "setelah debat", "pada malam hari",
          "atas perintah atasan", "untuk memenangkan paslon {n}", "agar paslon {n} kalah", "senilai Rp{m} miliar",
          "sebanyak {k} ribu lembar", "di {k} TPS", "tahun {y}", "demi paslon {n}", "bersama aparat desa",
          "dengan bukti video", "menurut orang dalam", "tanpa sepengetahuan warga", "di {k} kecamatan")
_SPREAD = ("Sebarkan sebelum dihapus!", "Viralkan!", "Info dari orang dalam.", "Warga jangan diam.",
           "Bagikan ke grup keluarga.", "Ini videonya.", "Jangan sampai terulang.", "Mohon waspada.")


def _place(rng: random.Random) -> str:
    # Three to five syllables: shorter ones make real words ("pagi", "kata") as often as names.
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 5))).capitalize()


def _zipf(rng: random.Random, items: tuple[str, ...]) -> str:
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _sentence(rng: random.Random) -> str:
    tail = _zipf(rng, _TAILS).format(n=rng.choice(("01", "02", "03")), m=rng.randint(1, 40), k=rng.randint(2, 90),
                                     y=rng.randint(2015, 2026))
    where = f"di {rng.choice(('Kecamatan', 'Desa', 'Kampung', 'Kelurahan'))} {_place(rng)}"
    return f"{_zipf(rng, _SUBJECTS)} {_zipf(rng, _VERBS)} {_zipf(rng, _OBJECTS)} {where} {tail}"


def synthetic(count: int, seed: int = 2026) -> list[FactCheck]:
    """``count`` invented fact-checks from the word lists above (deterministic for a seed)."""
    rng = random.Random(seed)
    out: list[FactCheck] = []
    for number in range(count):
        claim = _sentence(rng)
        narratives = []
        if rng.random() < 0.4:
            sentences = [_sentence(rng) + "." for _ in range(rng.randint(1, 3))] + [rng.choice(_SPREAD)]
            narratives.append(" ".join(sentences))
        url = f"https://cekfakta.example/synthetic/{number}"
        out.append(FactCheck(factcheck_id=make_factcheck_id(factcheck_key(url=url)), claim=claim,
                             narratives=narratives, rating="HOAKS", verdict="false", url=url,
                             source_format="claimreview", collected_at=COLLECTED))
    return out




# --- evaluation ----------------------------------------------------------------------------------------

NEGATIVE_KINDS = ("debunk", "true_claim", "everyday", "political")


def evaluate(raised: list[list[str]], posts: list[dict], ids: dict[str, str]) -> dict:
    """Recall, precision, recall per style and the posts that must raise nothing, for some posts and
    what was raised for each."""
    counts: Counter[str] = Counter()
    styles: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for post, found in zip(posts, raised, strict=True):
        want = ids[post["factcheck"]] if post["kind"] == "paraphrase" else None
        counts[f"{post['kind']}_posts"] += 1
        if want is not None:
            counts["paraphrases"] += 1
            counts["hits"] += want in found
            styles[post["style"]][0] += want in found
            styles[post["style"]][1] += 1
        counts["raised_pairs"] += len(found)
        counts["right_pairs"] += sum(1 for fid in found if fid == want)
        if found and post["kind"] != "paraphrase":
            counts[f"{post['kind']}_raised"] += 1
    return {
        "recall": counts["hits"] / max(counts["paraphrases"], 1),
        "precision": counts["right_pairs"] / max(counts["raised_pairs"], 1),
        "paraphrases": counts["paraphrases"], "styles": dict(styles),
        **{f"{kind}_raised": counts[f"{kind}_raised"] for kind in NEGATIVE_KINDS},
        **{f"{kind}_posts": counts[f"{kind}_posts"] for kind in NEGATIVE_KINDS},
    }


def _row(name: str, split: str, r: dict) -> str:
    negatives = "  ".join(f"{r[f'{kind}_raised']:>2}/{r[f'{kind}_posts']:<3}" for kind in NEGATIVE_KINDS)
    return f"  {name:<44} {split:<5} {r['recall']:>7.3f} {r['precision']:>9.3f} {r['paraphrases']:>5}   {negatives}"


def run_eval(extra: list[FactCheck], splits: tuple[str, ...]) -> None:
    factchecks, ids, posts = written()
    print("Evaluation on data/corpus/written/factchecks (dev = tuned and fitted on, test = reported only)")
    print(f"  {'method':<44} {'split':<5} {'recall':>7} {'precision':>9} {'para':>5}   "
          "debunk  true    everyday political  (raised/posts)")
    settings = [(f"{len(factchecks)} written fact-checks", factchecks)]
    if extra:
        settings.append((f"+ {len(extra):,} synthetic loaded", factchecks + extra))
    for label, loaded in settings:
        matcher = FactCheckMatcher(loaded)
        held_back: dict[str, int] = {}
        by_style: dict[str, dict] = {}
        for split in splits:
            chosen = [p for p in posts if p["split"] == split]
            results = matcher.match_many([p["text"] for p in chosen])
            result = evaluate([[m.factcheck_id for m in r.raised] for r in results], chosen, ids)
            print(_row(f"matcher, {label}", split, result))
            held_back[split] = sum(1 for p, r in zip(chosen, results, strict=True) if p["kind"] == "debunk" and r.matches)
            by_style[split] = result["styles"]
        print(f"  {'':<44} debunking posts that matched their claim before the cue held them back: "
              + ", ".join(f"{split} {count}" for split, count in held_back.items()))
        for split, styles in by_style.items():
            print(f"  {'':<44} {split} recall by style: "
                  + ", ".join(f"{style} {hit}/{total}" for style, (hit, total) in sorted(styles.items())))
        if extra and loaded is not factchecks:
            continue  # the baseline scans every text per post: with 50,000 loaded it takes hours
        best = None
        dev = [p for p in posts if p["split"] == "dev"]
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            baseline = word_jaccard_baseline(loaded, threshold)
            result = evaluate([baseline(p["text"]) for p in dev], dev, ids)
            key = (result["precision"] >= 0.95, result["recall"] if result["precision"] >= 0.95 else result["precision"])
            if best is None or key > best[0]:
                best = (key, threshold)
        baseline = word_jaccard_baseline(loaded, best[1])
        for split in splits:
            chosen = [p for p in posts if p["split"] == split]
            print(_row(f"word Jaccard >= {best[1]}, {label}", split,
                       evaluate([baseline(p["text"]) for p in chosen], chosen, ids)))
    print()


# --- fitting the re-scorer ------------------------------------------------------------------------------


def _newton(x, y, l2: float, iterations: int = 50):
    """Logistic regression weights (last one the bias) by Newton's method, L2 on all but the bias."""
    import numpy as np

    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = l2 * np.eye(xb.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        hessian = xb.T @ (xb * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hessian, xb.T @ (p - y) + penalty @ w)
    return w


def run_fit(l2: float, target: float = 0.97, folds: int = 5) -> None:
    import numpy as np

    factchecks, ids, posts = written()
    dev = [p for p in posts if p["split"] == "dev"]
    base = FactCheckMatcher(factchecks)
    rows, labels, groups = [], [], []
    for post in dev:
        if post["kind"] == "debunk":
            continue
        want = ids[post["factcheck"]] if post["kind"] == "paraphrase" else None
        for factcheck_id, features in base.features(post["text"]):
            rows.append(features)
            labels.append(float(factcheck_id == want))
            groups.append(post["factcheck"] or post["id"])
    x, y = np.array(rows), np.array(labels)
    weights = _newton(x, y, l2)
    print(f"Re-scorer fit on dev: {len(y)} candidate pairs ({int(y.sum())} right) from {len(dev)} posts, L2 {l2}")
    # Grouped cross-validation of the whole matcher: fit on 4/5 of the fact-checks' posts (negatives
    # spread over the folds), run the matcher with those weights on the rest.
    names = sorted(set(groups) | {p["factcheck"] or p["id"] for p in dev})
    fold_of = {name: i % folds for i, name in enumerate(random.Random(2026).sample(names, len(names)))}
    thresholds = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
    totals = {t: Counter() for t in thresholds}
    for k in range(folds):
        train = np.array([fold_of[g] != k for g in groups])
        w = _newton(x[train], y[train], l2)
        held = [p for p in dev if fold_of[p["factcheck"] or p["id"]] == k]
        for t in thresholds:
            base.config = dataclasses.replace(base.config, weights=tuple(w[:-1]), bias=float(w[-1]), threshold=t)
            found = [[m.factcheck_id for m in r.raised] for r in base.match_many([p["text"] for p in held])]
            result = evaluate(found, held, ids)
            hits = round(result["recall"] * result["paraphrases"])
            totals[t].update(hits=hits, paraphrases=result["paraphrases"], right=hits,
                             raised=sum(len(f) for f in found))
    print(f"  {folds}-fold cross-validation on dev, grouped by fact-check:")
    chosen = None
    for t in thresholds:
        c = totals[t]
        recall, precision = c["hits"] / c["paraphrases"], c["right"] / max(c["raised"], 1)
        print(f"    threshold {t:.2f}: recall {recall:.3f}, precision {precision:.3f}")
        if precision >= target and (chosen is None or recall > chosen[1]):
            chosen = (t, recall)
    threshold = chosen[0] if chosen else thresholds[-1]
    print("  coefficients: " + ", ".join(f"{name} {w:+.2f}" for name, w in zip(FEATURES, weights[:-1], strict=True)))
    print("  MatcherConfig values to paste:")
    print(f"    weights: tuple[float, ...] = ({', '.join(f'{w:.3f}' for w in weights[:-1])})")
    print(f"    bias: float = {weights[-1]:.3f}")
    print(f"    threshold: float = {threshold}")
    print()


# --- cost ---------------------------------------------------------------------------------------------------


def _dist(samples_us: list[float]) -> dict[str, float]:
    us = sorted(samples_us)
    q = statistics.quantiles(us, n=100, method="inclusive") if len(us) > 1 else [us[0]] * 99
    return {"mean": statistics.fmean(us), "p50": q[49], "p95": q[94], "p99": q[98], "max": us[-1]}


def _print_dist(name: str, clock: str, samples_us: list[float], baseline: float | None = None) -> float:
    d = _dist(samples_us)
    ratio = f"   {d['mean'] / baseline:5.2f}x baseline" if baseline else ""
    print(f"    {name:<24} {clock:<4} mean {d['mean']:7.2f}  p50 {d['p50']:7.2f}  p95 {d['p95']:7.2f}  "
          f"p99 {d['p99']:7.2f}  max {d['max']:8.2f}{ratio}")
    return d["mean"]


def _time_stream(matcher: FactCheckMatcher, stream: list[str], batch: int, singles: int) -> dict[str, list[float]]:
    """Per-post wall and CPU microseconds, per batch, for the baseline and the matcher's entry points."""
    wall, cpu = time.perf_counter_ns, time.process_time_ns
    timed: dict[str, list[float]] = defaultdict(list)
    raised = 0
    for start in range(0, len(stream) - batch + 1, batch):
        texts = stream[start:start + batch]
        w0, c0 = wall(), cpu()
        prepared = [prepare(text)[1] for text in texts]
        w1, c1 = wall(), cpu()
        results = matcher.match_many(texts, prepared)
        w2, c2 = wall(), cpu()
        matcher.match_many(texts)
        w3, c3 = wall(), cpu()
        for name, (a, b, ca, cb) in {"prepare": (w0, w1, c0, c1), "match_many(prep)": (w1, w2, c1, c2),
                                     "match_many(raw)": (w2, w3, c2, c3)}.items():
            timed[f"{name} wall"].append((b - a) / batch / 1000)
            timed[f"{name} cpu"].append((cb - ca) / batch / 1000)
        raised += sum(1 for r in results if r.raised)
    for text in stream[:singles]:
        w0 = wall()
        matcher.match(text)
        w1 = wall()
        prepare(text)
        w2 = wall()
        timed["match (1 by 1) wall"].append((w1 - w0) / 1000)
        timed["prepare (1 by 1) wall"].append((w2 - w1) / 1000)
    timed["raised"] = [raised / max(len(timed["prepare wall"]) * batch, 1)]
    return timed


def run_cost(extra: list[FactCheck], posts_wanted: int, batch: int, *, freeze: bool = True) -> None:
    factchecks, _, written_posts = written()
    sample = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = sample + [p["text"] for p in written_posts]
    loaded = factchecks + extra
    print(f"Cost with {len(loaded):,} fact-checks loaded, {pin_one_core()}; load average at start {load()}")
    gc.collect()
    before = rss_kib()
    w0, c0 = time.perf_counter(), time.process_time()
    matcher = FactCheckMatcher(loaded)
    built_wall, built_cpu = time.perf_counter() - w0, time.process_time() - c0
    gc.collect()
    after = rss_kib()
    if freeze:
        # What a tagging worker should do once its models and fact-checks are loaded: the 50,000
        # FactCheck models and the index's tables are ~400,000 containers that a full (generation 2)
        # collection would otherwise walk, ~150 ms each time, twice per 20,000 posts here.
        gc.freeze()
    s = matcher.stats
    print(f"  index: {s.factchecks:,} debunked fact-checks, {s.texts:,} texts (claims and narrative sentences), "
          f"{s.vocabulary:,} words, {s.table:,} surface forms in the lookup table, {s.postings:,} postings "
          f"({s.pruned_words} words too common to look up)")
    print(f"  built in {built_wall:.1f} s wall, {built_cpu:.1f} s CPU; RSS +{(after - before) / 1024:.0f} MiB "
          f"({after / 1024:.0f} MiB in all); objects alive after the build "
          f"{'moved out of the cyclic collector (gc.freeze)' if freeze else 'left to the cyclic collector'}")
    streams = [("bench stream: demo sample + written posts", [texts[i % len(texts)] for i in range(posts_wanted)]),
               ("demo sample alone", [sample[i % len(sample)] for i in range(posts_wanted)])]
    for name, stream in streams:
        matcher.match_many(stream[:2 * batch])  # warm the token cache and the regex engine
        timed = _time_stream(matcher, stream, batch, singles=min(5000, len(stream)))
        print(f"  {name}: {len(stream):,} posts in batches of {batch}, {timed['raised'][0]:.1%} raised; "
              "microseconds per post (batch time / batch size, distribution over batches):")
        for clock in ("cpu", "wall"):
            base = _print_dist("baseline: prepare", clock, timed[f"prepare {clock}"])
            for entry in ("match_many(prep)", "match_many(raw)"):
                _print_dist(entry, clock, timed[f"{entry} {clock}"], base)
        base = _print_dist("baseline: prepare", "wall", timed["prepare (1 by 1) wall"])
        _print_dist("match (1 by 1)", "wall", timed["match (1 by 1) wall"], base)
        for entry in ("match_many(prep)", "match_many(raw)"):
            mean = statistics.fmean(timed[f"{entry} cpu"])
            print(f"    target mean <= {TARGET_US:.0f} us, {entry}, CPU: {'PASS' if mean <= TARGET_US else 'FAIL'} "
                  f"({mean:.1f} us)")
    print(f"  load average at end {load()}")


def run_stage(extra: list[FactCheck], posts_wanted: int, batch: int, rounds: int = 3) -> None:
    """The fact-check stage as the pipeline runs it: ``Tagger.tag`` (the demo's configuration, debunk
    cues) with and without the matcher, in alternating rounds on one core, CPU time; and what that
    costs the pipeline, whose CPU per post is ``--pipeline-us`` (bench/pipeline.py, phase 1)."""
    from pipelines.tagging.tagger import Tagger
    from schemas.config import load_settings

    settings = load_settings(ROOT / "siaga.yaml", environ={})
    tagger = Tagger(settings.tagging, settings.election, debunk=debunk_cue)
    sample = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    stream = [sample[i % len(sample)] for i in range(posts_wanted)]
    print(f"The fact-check stage in Tagger.tag, {len(stream):,} sample posts in batches of {batch}, "
          f"{pin_one_core()}; load average at start {load()}")
    demo = to_factchecks((ROOT / "connectors" / "samples" / "factchecks.ndjson").read_bytes(), "claimreview",
                         COLLECTED).factchecks
    matcher = FactCheckMatcher(demo + extra)
    gc.collect()
    gc.freeze()  # as the pipeline does after loading (pipelines/factchecks/store.py)
    tagger.tag(stream[:batch], matcher)
    timed: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(rounds):
        for name, given in (("without", None), ("with", matcher)):
            started = time.process_time()
            for start in range(0, len(stream), batch):
                tagger.tag(stream[start:start + batch], given)
            timed[name].append((time.process_time() - started) / len(stream) * 1e6)
    without, with_ = min(timed["without"]), min(timed["with"])
    print(f"  Tagger.tag without fact-checks: {without:.0f} us a post (CPU, best of {rounds}: "
          f"{', '.join(f'{t:.0f}' for t in timed['without'])})")
    print(f"  Tagger.tag with {len(matcher.factchecks):,}: {with_:.0f} us a post "
          f"({', '.join(f'{t:.0f}' for t in timed['with'])}); the stage adds {with_ - without:.0f} us, "
          f"{with_ / without - 1:.0%} of the tagger")
    for pipeline_us in (PIPELINE_US, 1e6 / 2000):
        print(f"  on a pipeline spending {pipeline_us:.0f} us of CPU a post: throughput "
              f"-{1 - pipeline_us / (pipeline_us + with_ - without):.1%}")
    print(f"  load average at end {load()}")


PIPELINE_US = 444.0
"""CPU per post of the whole pipeline (Beam driver, tagging, Elasticsearch and Kafka clients) in
bench/pipeline.py's first throughput phase, 2026-12-05 (2,253 posts per CPU-second, load 7.5)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both",
                        help="which split to evaluate (dev while tuning; test only to report)")
    parser.add_argument("--factchecks", type=int, default=50_000, help="fact-checks loaded in all (default 50,000)")
    parser.add_argument("--posts", type=int, default=20_000, help="posts in each timed stream (default 20,000)")
    parser.add_argument("--batch", type=int, default=500, help="posts per match_many call (default 500)")
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--eval-with-synthetic", action="store_true",
                        help="also evaluate with the synthetic fact-checks loaded")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="leave the loaded index to the cyclic garbage collector (see run_cost)")
    parser.add_argument("--fit", action="store_true", help="fit the re-scorer on dev and print its values")
    parser.add_argument("--stage", action="store_true",
                        help="only the stage's cost in Tagger.tag, with and without the matcher (run_stage)")
    parser.add_argument("--l2", type=float, default=0.03, help="L2 penalty of the fit (default 0.03)")
    args = parser.parse_args(argv)
    pin_one_core()
    if args.stage:
        run_stage(synthetic(max(args.factchecks - 3, 0)), min(args.posts, 6000), args.batch)
        return 0
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    if args.fit:
        run_fit(args.l2)
    needs_extra = (not args.skip_cost) or args.eval_with_synthetic
    extra = synthetic(max(args.factchecks - len(written()[0]), 0)) if needs_extra else []
    if not args.skip_eval:
        run_eval(extra if args.eval_with_synthetic else [], splits)
    if not args.skip_cost:
        run_cost(extra, args.posts, args.batch, freeze=not args.no_gc_freeze)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
