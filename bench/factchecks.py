"""The claim matcher: precision and recall on the written evaluation set, and its cost per post
with 50,000 fact-checks loaded, beside baselines measured in the same run.

Run:  .venv/bin/python bench/factchecks.py [--factchecks 50000] [--posts 20000] [--skip-eval] [--skip-cost]

Evaluation (``data/corpus/written/factchecks/``, see its README): 50 fictional fact-checks about
the invented Kabupaten Sukamaju (48 debunked, 2 rated true) and 296 posts: paraphrases of the
claims (slang, shortened, hashtags and emoji, partial quotes, other word order, words changed,
Sundanese/Javanese/English), posts that quote a claim to debunk it, posts repeating the two true
claims, and everyday and political-but-true posts that share the claims' words. The fact-checks
are read through the CSV parser (``connectors.factchecks``). Posts are split by fact-check: dev
(sk01-sk24, sk49, half the negatives) was used to tune ``MatcherConfig``; test (sk25-sk48, sk50,
the other half) only to report. Both splits are matched against all fact-checks, twice: with the
50 written fact-checks alone, and with the 50,000 of the cost bench loaded (other claims compete
and the IDF weights come from the large collection).

  recall     paraphrases whose right fact-check is raised / paraphrases
  precision  raised (post, fact-check) pairs that are right / all raised pairs, over every post
  debunks / true-claim / everyday+political raised: posts that must raise nothing

Baseline: plain word-set Jaccard between the post and each claim or narrative (no slang map,
no weights, no debunk detection), at the threshold that does best on dev.

Cost: 50,000 fact-checks = the written ones + synthetic ones made by ``synthetic()`` (claim
templates filled from word lists: subjects, affixed verbs, objects, invented place names built
from syllables, numbers; two of five get a two-to-four sentence narrative), so the vocabulary
has the long tail of names a real collection has. The stream is every post text of
connectors/samples/posts.jsonl plus the written posts, cycled to --posts. Per post, the time of
``FactCheckMatcher.match`` (perf_counter_ns around each call, on one pinned core) is printed as
mean, p50, p95, p99 and max, beside two baselines timed the same way on the same posts: the
tagger's ``normalise_for_classifier`` and the near-duplicate signature the alerting stage computes
for every post (``neardup.signature(neardup.normalise(text))``). Index build time and the
memory it takes (RSS before and after, VmRSS) are printed too. Target: mean <= 50 us.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.factchecks import to_factchecks  # noqa: E402
from pipelines.alerting import neardup  # noqa: E402
from pipelines.factchecks.matcher import FactCheckMatcher, word_jaccard_baseline  # noqa: E402
from pipelines.tagging.text import normalise_for_classifier  # noqa: E402
from schemas.factcheck import FactCheck, factcheck_key, make_factcheck_id  # noqa: E402

WRITTEN = ROOT / "data" / "corpus" / "written" / "factchecks"
SAMPLE = ROOT / "connectors" / "samples" / "posts.jsonl"
COLLECTED = datetime(2026, 12, 1, tzinfo=UTC)
TARGET_US = 50.0


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


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


def evaluate(raised_of, posts: list[dict], ids: dict[str, str], split: str) -> dict[str, float]:
    """Recall, precision and the posts that must raise nothing, for one split."""
    counts: Counter[str] = Counter()
    for post in posts:
        if post["split"] != split:
            continue
        raised = raised_of(post["text"])
        want = ids[post["factcheck"]] if post["kind"] == "paraphrase" else None
        counts[f"{post['kind']}_posts"] += 1
        if want is not None:
            counts["paraphrases"] += 1
            counts["hits"] += want in raised
        counts["raised_pairs"] += len(raised)
        counts["right_pairs"] += sum(1 for fid in raised if fid == want)
        if raised and post["kind"] != "paraphrase":
            counts[f"{post['kind']}_raised"] += 1
    return {
        "recall": counts["hits"] / max(counts["paraphrases"], 1),
        "precision": counts["right_pairs"] / max(counts["raised_pairs"], 1),
        "paraphrases": counts["paraphrases"],
        "debunk_raised": counts["debunk_raised"], "debunk_posts": counts["debunk_posts"],
        "true_claim_raised": counts["true_claim_raised"], "true_claim_posts": counts["true_claim_posts"],
        "negative_raised": counts["everyday_raised"] + counts["political_raised"],
        "negative_posts": counts["everyday_posts"] + counts["political_posts"],
    }


def _row(name: str, split: str, r: dict[str, float]) -> str:
    return (f"  {name:<34} {split:<5} {r['recall']:>7.3f} {r['precision']:>9.3f}   {r['paraphrases']:>4}"
            f"   {r['debunk_raised']:>2}/{r['debunk_posts']:<3} {r['true_claim_raised']:>2}/{r['true_claim_posts']:<3}"
            f" {r['negative_raised']:>3}/{r['negative_posts']}")


def run_eval(extra: list[FactCheck]) -> None:
    factchecks, ids, posts = written()
    print("Evaluation on data/corpus/written/factchecks (dev = tuned on, test = reported only)")
    print(f"  {'method':<34} {'split':<5} {'recall':>7} {'precision':>9} {'para':>6}   debunk true  everyday+political raised")
    settings = [("50 written fact-checks", factchecks)]
    if extra:
        settings.append((f"+ {len(extra):,} synthetic loaded", factchecks + extra))
    for label, loaded in settings:
        matcher = FactCheckMatcher(loaded)
        debunk_matched = {}
        for split in ("dev", "test"):
            print(_row(f"matcher, {label}", split,
                       evaluate(lambda t: [m.factcheck_id for m in matcher.match(t).raised], posts, ids, split)))
            debunks = [p for p in posts if p["split"] == split and p["kind"] == "debunk"]
            debunk_matched[split] = sum(1 for p in debunks if matcher.match(p["text"]).matches)
        print(f"  {'':<34} debunking posts that matched their claim before the cue held them back: "
              f"dev {debunk_matched['dev']}, test {debunk_matched['test']}")
        best = None
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            baseline = word_jaccard_baseline(loaded, threshold)
            dev = evaluate(baseline, posts, ids, "dev")
            key = (dev["precision"] >= 0.95, dev["recall"] if dev["precision"] >= 0.95 else dev["precision"])
            if best is None or key > best[0]:
                best = (key, threshold)
        baseline = word_jaccard_baseline(loaded, best[1])
        for split in ("dev", "test"):
            print(_row(f"word Jaccard >= {best[1]}, {label}", split, evaluate(baseline, posts, ids, split)))
    print()


# --- cost ---------------------------------------------------------------------------------------------------


def _dist(name: str, samples_ns: list[int]) -> float:
    us = sorted(s / 1000 for s in samples_ns)
    q = statistics.quantiles(us, n=100, method="inclusive")
    mean = statistics.fmean(us)
    print(f"  {name:<46} mean {mean:7.2f}  p50 {q[49]:7.2f}  p95 {q[94]:7.2f}  p99 {q[98]:7.2f}  max {us[-1]:8.1f}")
    return mean


def run_cost(extra: list[FactCheck], posts_wanted: int) -> None:
    factchecks, _, written_posts = written()
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [p["text"] for p in written_posts]
    stream = [texts[i % len(texts)] for i in range(posts_wanted)]
    loaded = factchecks + extra
    gc.collect()
    before = rss_kib()
    started = time.perf_counter()
    matcher = FactCheckMatcher(loaded)
    built = time.perf_counter() - started
    gc.collect()
    after = rss_kib()
    s = matcher.stats
    print(f"Cost with {len(loaded):,} fact-checks loaded ({s.factchecks:,} debunked), one pinned core")
    print(f"  index: {s.texts:,} texts (claims and narrative sentences), {s.postings:,} postings, "
          f"{s.vocabulary:,} words, {matcher.normaliser.learned:,} stemmed; built in {built:.1f} s; "
          f"RSS +{(after - before) / 1024:.0f} MiB")
    print(f"  stream: {len(stream):,} posts ({len(texts):,} distinct texts: the demo sample and the written posts), "
          "time per post in microseconds:")
    for text in stream[:2000]:  # warm caches and the regex engine
        matcher.match(text)
    timed: dict[str, list[int]] = {"match": [], "normalise": [], "neardup": []}
    clock = time.perf_counter_ns
    raised = 0
    for text in stream:
        t0 = clock()
        result = matcher.match(text)
        t1 = clock()
        normalise_for_classifier(text)
        t2 = clock()
        neardup.signature(neardup.normalise(text))
        t3 = clock()
        timed["match"].append(t1 - t0)
        timed["normalise"].append(t2 - t1)
        timed["neardup"].append(t3 - t2)
        raised += bool(result.raised)
    mean = _dist("FactCheckMatcher.match", timed["match"])
    base_norm = _dist("baseline: tagger normalise_for_classifier", timed["normalise"])
    base_dup = _dist("baseline: neardup signature (MinHash, numpy)", timed["neardup"])
    print(f"  ratio match / normalise_for_classifier: {mean / base_norm:.1f}x; match / neardup signature: "
          f"{mean / base_dup:.2f}x; posts raised: {raised:,} of {len(stream):,}")
    print(f"  target mean <= {TARGET_US:.0f} us: {'PASS' if mean <= TARGET_US else 'FAIL'} ({mean:.1f} us)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factchecks", type=int, default=50_000, help="fact-checks loaded in all (default 50,000)")
    parser.add_argument("--posts", type=int, default=20_000, help="posts in the timed stream (default 20,000)")
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--eval-with-synthetic", action="store_true",
                        help="also evaluate with the synthetic fact-checks loaded (slow: the baseline scans them all)")
    args = parser.parse_args(argv)
    pin_one_core()
    count = max(args.factchecks - 50, 0)
    extra = synthetic(count)
    if not args.skip_eval:
        run_eval(extra if args.eval_with_synthetic else [])
    if not args.skip_cost:
        run_cost(extra, args.posts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
