"""Which debunked claims a post repeats: an inverted index over fact-checks and a learned re-score.

The same false claim circulates for weeks in new words: slang (``udh dicoblos``), another order,
a few words changed, hashtags and emoji added, a sentence quoted out of a long chain message, a
Sundanese, Javanese or English frame around it. What survives all of these is the claim's
*informative words*: the rare ones (``gudang``, ``dicoblos``, ``1187``, ``rancaseuweu``), not
``sukamaju`` or ``kpu``, which half the fact-checks share. So the matcher compares sets of
normalised words (``vocabulary.py``: slang, glosses, roots, synonyms, numbers), weighted by their
rarity among the loaded fact-checks (IDF), and asks how much of a fact-check text's weight the
post contains.

Texts. Each fact-check gives one text for its claim and one per sentence of each quoted
narrative (a post quoting one sentence of a long chain message contains most of that sentence,
not of the message).

Candidates. Every text is indexed only under its *prefix*: its rarest words, just enough of them
that the words left out weigh less than ``min_containment`` of the text. A post holding at least
that share of a text's weight must hold one of its prefix words (prefix filtering, as in
set-similarity joins), while the common words, which would bring thousands of postings, are never
looked up (a word in the prefixes of too many texts is dropped from the index: the one place
where a match can be missed). A post's words' postings add up the matched prefix weight per text;
the ``prescreen`` texts where it is the largest share get their exact (IDF) containment counted,
and those within ``rescore_margin`` of the best, at most ``rescore``, are re-scored. For a batch
this is two sparse matrix products (scipy, in C); a lone post walks the postings in Python.

Re-score. A logistic model over a few features of the (post, text) pair (``FEATURES``): the share
of the text's words the post holds and of its predicate (affixed verbs, negations), how much of
the post around the matched words the text explains, how many words matched, whether the post
adds a negation, drops the whole predicate or changes a number, and whether the text has a
predicate at all. The features are measured in the window of the post that holds the text, so a
long chain message is read where it states the claim. Weights are fitted on the dev split of the
written evaluation set (``bench/factchecks.py --fit``). Two rules come before the model: a post
must hold two of the text's words, and a negated claim needs a negation (or a word such as
``batal``, ``dilarang``) near them. A fact-check's best text gives its score; a second fact-check
is raised only if it still passes on the words the first did not explain.

Debunks. A post that quotes a hoax in order to debunk it (``HOAKS! beredar pesan ...``,
``faktanya ...``, ``[SALAH]``, ``cek fakta``, ``klarifikasi``, ``tidak benar``) repeats the
claim's words as much as the hoax does. ``debunk_cue`` finds such cues, unless the post argues
against them (``ini bukan hoaks``, ``KPU pasti bilang hoaks``, ``jangan percaya klarifikasi``);
a post with a cue keeps its matches in the result but ``raised`` is empty. The cue is looked for
only in posts that matched, so it costs nothing on the rest.

Cost. ``match_many`` takes a batch (the stream tags posts in batches) and, optionally, the
classifier text the tagger already made with ``pipelines.tagging.text.prepare``: a post then costs
one regex pass (for the whole batch) to fold doubled letters, one dictionary lookup per word, its
share of two sparse matrix products, and a re-score of the few texts that come close. Spans
(``span``) and explanations (``explain``) are computed only when a raised match is shown.

Only fact-checks whose verdict is in ``verdicts`` (by default false, misleading, partly false)
are indexed: a post repeating a claim rated true is no hoax.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from heapq import nlargest
from itertools import chain
from typing import NamedTuple

import numpy as np
from scipy import sparse

from pipelines.factchecks.vocabulary import EXPANDED, Lexicon, Vocabulary, fold, split_joined
from pipelines.tagging.text import normalise_for_classifier
from schemas.errors import ConfigError
from schemas.factcheck import DEBUNKED, FactCheck, FactCheckMatch

# --- Debunk cues -------------------------------------------------------------------------------------

# Both patterns run on lower-cased text (IGNORECASE costs on every position).
_DEBUNK = re.compile(
    # One word boundary in front of all the word cues: the engine tests it once per position and tries
    # the cues only at word starts (with a boundary in each cue, 45 us per post instead of ~5).
    r"\[\s*(?:salah|keliru|hoaks|hoax|disinformasi|misleading|false|menyesatkan)\s*\]"
    r"|\b(?:hoa(?:ks|x|xs)\b|(?:lawan|stop|anti|tolak)hoa(?:ks|x)\b|turnbackhoax\b"
    r"|cek\s?fakta\b|fact[\s-]?check|faktanya\b|fakta(?:\s+yang)?\s+sebenarnya\b|klarifikasi\b"
    r"|(?:tidak|tdk|gak|ga|nggak|enggak|ora|teu|sanes)\s+(?:benar|bener|leres|terbukti)\b|bukan\s+fakta\b"
    r"|(?:dis|mis|mal)informasi\b|(?:berita|kabar|info)\s+(?:bohong|palsu)\b|keliru\b"
    r"|(?:membantah|dibantah|bantah|bantahan)\b|meluruskan\b|(?:waspada|modus)\s+penipuan\b"
    r"|(?:narasi|klaim|informasi|kabar|pesan)(?:\s+(?:itu|ini|tersebut))?\s+(?:adalah\s+|merupakan\s+)?"
    r"(?:menyesatkan|salah|keliru|palsu|bohong)\b|(?:foto|video|gambar)\s+(?:hasil\s+)?(?:suntingan|rekayasa|editan)\b"
    r"|hasil\s+(?:suntingan|editan)\b|(?:video|foto|rekaman)\s+lama\b"
    r"|jangan\s+(?:ikut\s+)?(?:di|me|ny)?(?:sebar|nyebar|share)\w*|jgn\s+(?:asal\s+)?share\b"
    r"|jangan\s+(?:mudah\s+)?(?:percaya|terprovokasi|termakan)\b"
    r"|(?:is|are|was)\s+(?:false|fake|misleading|not\s+true)\b|false\s+claim|fake\s+news\b|debunk)",
)
# Spreaders pre-empt the debunk ("KPU pasti bilang ini hoaks", "ini bukan hoaks") or attack it
# ("jangan percaya klarifikasi"): those words are cues of the hoax, not of its debunk.
_COUNTER = re.compile(
    r"\bbukan\s+(?:berita\s+)?hoa(?:ks|x)\b|\b(?:pasti|nanti|bakal|akan)\s+(?:di)?(?:bilang|sebut|anggap)\w*\s+"
    r"(?:ini\s+|itu\s+)?hoa(?:ks|x)\b|\b(?:dibilang|disebut|dianggap|katanya)\s+hoa(?:ks|x)\b"
    r"|\bjangan\s+percaya\s+(?:sama\s+|dengan\s+|pada\s+)?klarifikasi\b|\bklarifikasi\s+(?:palsu|bohong|abal)\w*"
    r"|\bhoa(?:ks|x)\s+(?:atau|apa|ga|gak|nggak|bukan)\b[^.!\n]*\?|\bjangan\s+percaya\s+(?:kata\s+)?(?:kpu|bawaslu)\b",
)


@dataclass(frozen=True)
class DebunkCue:
    """A phrase that marks a post as debunking, with where it stands in the post."""

    cue: str
    start: int
    end: int


def debunk_cue(text: str) -> DebunkCue | None:
    """The first debunk cue in ``text`` that the post does not argue against; ``None`` if none."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased: keep offsets true
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    countered = [(m.start(), m.end()) for m in _COUNTER.finditer(lowered)]
    for match in _DEBUNK.finditer(lowered):
        if not any(start <= match.start() < end or match.start() <= start < match.end() for start, end in countered):
            return DebunkCue(text[match.start():match.end()], match.start(), match.end())
    return None


# --- The re-scorer --------------------------------------------------------------------------------------

FEATURES: tuple[str, ...] = (
    "word_share", "predicate_kept", "post_explained", "log_matched", "negation_added", "predicate_lost",
    "number_conflict", "no_predicate",
)
"""What the re-scorer sees of a (post, text) pair; see ``_features``."""


@dataclass(frozen=True)
class MatcherConfig:
    """How close a post must come to a fact-check's text to be raised (fitted and tuned on the dev split)."""

    min_containment: float = 0.3
    """Least share of a text's (IDF) weight a post must hold to be re-scored at all; sets the prefix length."""
    min_words: int = 2
    """Least number of the text's words the post must hold (all of them if the text has fewer)."""
    min_sentence_words: int = 4
    """Narrative sentences with fewer informative words are joined to the next."""
    predicate_boost: float = 3.0
    """A claim's predicate (affixed verbs, negations) weighs this much more in ``predicate_kept`` and in
    the containment an officer reads: ``surat suara sudah tiba di gudang KPU`` shares the nouns of
    ``surat suara di gudang KPU sudah dicoblos`` and misses only the verb that makes it a claim."""
    prescreen: int = 8
    """Texts per post whose exact containment is counted: those whose matched prefix is the largest
    share of them."""
    rescore: int = 4
    """Most texts re-scored per post: those with the largest containment..."""
    rescore_margin: float = 0.2
    """...and no more than this below the largest."""
    postings_share: float = 0.0005
    min_postings_cap: int = 64
    """A word in the prefixes of more than this share of the texts (at least ``min_postings_cap``) is
    not looked up: alone it never makes a match, and its posting list would be walked for every post."""
    weights: tuple[float, ...] = (6.440, 0.517, 7.934, 2.978, -1.026, -1.540, -2.394, -1.863)
    """The re-scorer's coefficients, in the order of ``FEATURES``."""
    bias: float = -12.549
    threshold: float = 0.7
    """Least re-score (a probability) that raises a fact-check."""
    verdicts: frozenset[str] = DEBUNKED
    """Fact-checks with other verdicts (true, satire, unrated...) are not loaded."""

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            msg = f"the re-scorer takes {len(FEATURES)} weights ({', '.join(FEATURES)}), got {len(self.weights)}"
            raise ConfigError(msg)


# --- Results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One fact-check a post repeats: its id, the score, and which words of which text matched."""

    factcheck_id: str
    score: float
    kind: str
    matched_words: tuple[str, ...]
    missing_words: tuple[str, ...]
    containment: float = 0.0
    """Share of the text's (IDF, predicate-boosted) weight the post holds."""

    @property
    def reason(self) -> str:
        """One line for an officer: which text matched and how much of it."""
        total = len(self.matched_words) + len(self.missing_words)
        return (f"repeats the fact-check's {self.kind}: {len(self.matched_words)} of its {total} informative words "
                f"({self.containment:.0%} of their weight, score {self.score:.2f}): "
                f"{', '.join(self.matched_words[:12])}")


@dataclass(frozen=True)
class MatchResult:
    """What the matcher found in one post: its matches (best first) and a debunk cue if any."""

    matches: tuple[Match, ...] = ()
    debunk: DebunkCue | None = None

    @property
    def raised(self) -> tuple[Match, ...]:
        """The matches that make the post a hoax: none when the post debunks the claim."""
        return () if self.debunk is not None else self.matches


@dataclass
class _Stats:
    factchecks: int = 0
    skipped_verdict: int = 0
    texts: int = 0
    postings: int = 0
    pruned_words: int = 0
    vocabulary: int = 0
    table: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Text:
    """One fact-check text as the re-scorer reads it."""

    words: tuple[int, ...]
    predicate: tuple[bool, ...]
    weights: tuple[float, ...]
    """IDF, times ``predicate_boost`` for predicate words."""
    total: float
    predicate_total: float
    negated: bool
    numbers: frozenset[int]
    word_set: frozenset[int]


_TOKEN_CACHE = 200_000
"""Distinct post tokens whose lookups are kept (a stream's vocabulary is Zipfian); emptied when full."""
_TEXT_CACHE = 50_000
"""Texts kept prepared for the re-scorer; the cache is emptied when full (re-scored texts are few)."""


class _Scored(NamedTuple):
    """A (post, text) pair the re-scorer has seen."""

    score: float
    text: int
    features: list[float]
    containment: float


class _View(NamedTuple):
    """Where things stand in one post, by token position."""

    positions: dict[int, list[int]]
    negations: list[int]
    refusals: list[int]
    """Positions of words that say no without a negation (batal, gugur, dilarang)."""
    numbers: list[tuple[int, int]]
    content: list[int]
    """Content tokens (not function words, not emoji) before each position: a prefix sum."""


class _Post:
    """What the matcher keeps of one post while scoring it (slots: one is made per post)."""

    __slots__ = ("ids", "tokens", "view")

    def __init__(self, ids: set[int], tokens: list[str]) -> None:
        self.ids = ids
        self.tokens = tokens
        self.view: _View | None = None


_BATCH_IN_C = 16
"""From this many posts on, ``match_many`` gathers candidates with sparse matrix products (their fixed
cost is ~100 us a batch; a lone post is gathered in Python)."""

_AROUND = 8
"""Tokens either side of the matched window counted in ``post_explained``: what a post adds right
around the claim (a short post's whole comment, a chain message's neighbouring sentence)."""

# --- The matcher -----------------------------------------------------------------------------------------


class FactCheckMatcher:
    """Finds the fact-checks a post repeats; build once from the loaded fact-checks, then ``match_many``.

    Matching only reads the index; it fills two bounded caches (token lookups, prepared texts), whose
    races between threads would at worst compute an entry twice."""

    def __init__(self, factchecks: Iterable[FactCheck], *, lexicon: Lexicon | None = None,
                 config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self.lexicon = lexicon or Lexicon()
        self.vocabulary = Vocabulary(self.lexicon)
        self.stats = _Stats()
        self.factchecks: list[FactCheck] = []
        for factcheck in factchecks:
            if factcheck.verdict not in self.config.verdicts:
                self.stats.skipped_verdict += 1
                continue
            self.factchecks.append(factcheck)
        self._by_id = {fc.factcheck_id: i for i, fc in enumerate(self.factchecks)}
        self._texts: dict[int, _Text] = {}
        self._tokens: dict[str, tuple[tuple[int, ...], bool]] = {}
        self._stops = frozenset(fold(word) for word in self.lexicon.stopwords)
        # Texts as flat arrays from the start (90,000 texts as lists of tuples would double the peak
        # memory of a build): a text is words[start[t]:start[t + 1]], a predicate word stored as ~id.
        self._fc = array("i")
        self._kind = bytearray()
        self._start = array("i", [0])
        self._words = array("i")
        for index, factcheck in enumerate(self.factchecks):
            self._add_text(index, 0, self.vocabulary.index_text(normalise_for_classifier(factcheck.claim)))
            for narrative in factcheck.narratives:
                for sentence in self._sentences(narrative):
                    self._add_text(index, 1, sentence)
        self.vocabulary.build()
        self._plain = array("i", (w if w >= 0 else ~w for w in self._words))
        self._numbers = frozenset(i for i, word in enumerate(self.vocabulary.words) if word.isdigit())
        self._idf = self._weigh()
        self._index()
        self.stats.factchecks = len(self.factchecks)
        self.stats.vocabulary = len(self.vocabulary.words)
        self.stats.table = len(self.vocabulary.table)
        self.stats.texts = len(self._fc)
        self.stats.postings = sum(len(ids) for ids in self._postings.values())

    def _weigh(self) -> array:
        """Each word's IDF; document frequency counts fact-checks, not texts (a word in a claim and its
        narrative is one)."""
        df = [0] * len(self.vocabulary.words)
        last = [-1] * len(self.vocabulary.words)
        start, plain = self._start, self._plain
        for text_id, index in enumerate(self._fc):
            for word in plain[start[text_id]:start[text_id + 1]]:
                if last[word] != index:
                    last[word] = index
                    df[word] += 1
        n = max(len(self.factchecks), 1)
        return array("d", (math.log((n + 1) / (count + 0.5)) for count in df))

    def _index(self) -> None:
        """Each text's total weight and prefix; the postings, as dictionaries (a lone post) and as
        sparse matrices (a batch gathers its candidates in two matrix products in C)."""
        self._total = array("d")  # sum of IDF (no predicate boost): the bound prefix filtering works on
        self._need = array("d")
        postings: dict[int, list[int]] = {}
        idf, floor, start, plain = self._idf, self.config.min_containment, self._start, self._plain
        for text_id in range(len(self._fc)):
            words = plain[start[text_id]:start[text_id + 1]]
            total = sum(idf[w] for w in words)
            self._total.append(total)
            # Prefix: the rarest words, until what is left out weighs less than the floor; a post
            # holding the floor's share of the text then holds at least one prefix word.
            rest = total
            for word in sorted(words, key=lambda w: -idf[w]):
                if rest < floor * total - 1e-9:
                    break
                postings.setdefault(word, []).append(text_id)
                rest -= idf[word]
            self._need.append(max(floor * total - rest, 0.0) - 1e-9)
        texts = len(self._fc)
        cap = max(self.config.min_postings_cap, int(self.config.postings_share * texts))
        shared = list(range(texts))  # one int object per text id, shared by every posting list
        self._postings: dict[int, tuple[int, ...]] = {
            word: tuple(shared[t] for t in ids) for word, ids in postings.items() if len(ids) <= cap}
        self.stats.pruned_words = sum(1 for ids in postings.values() if len(ids) > cap)
        rows = np.array([word for word, ids in self._postings.items() for _ in ids], np.int32)
        cols = np.array([t for ids in self._postings.values() for t in ids], np.int32)
        weights = np.asarray(idf, np.float64)
        vocabulary = len(self.vocabulary.words)
        self._prefix = sparse.csr_matrix((weights[rows], (rows, cols)), shape=(vocabulary, texts))
        word_ids = np.array(plain, np.int32)
        self._text_words = sparse.csr_matrix((weights[word_ids], word_ids, np.array(start, np.int32)),
                                             shape=(texts, vocabulary))
        self._total_np = np.asarray(self._total, np.float64)
        self._need_np = np.asarray(self._need, np.float64)

    def _add_text(self, index: int, kind: int, words: list[tuple[int, bool]]) -> None:
        """Store one text of fact-check ``index``: its distinct words, a predicate word as ~id."""
        predicate: dict[int, bool] = {}
        for word, is_predicate in words:
            predicate[word] = predicate.get(word, False) or is_predicate
        if predicate:
            self._fc.append(index)
            self._kind.append(kind)
            self._words.extend(~w if p else w for w, p in predicate.items())
            self._start.append(len(self._words))

    def _sentences(self, narrative: str) -> list[list[tuple[int, bool]]]:
        """A narrative's sentences as (id, predicate) lists, short ones joined to the next."""
        out: list[list[tuple[int, bool]]] = []
        pending: list[tuple[int, bool]] = []
        for piece in re.split(r"(?<=[.!?;:])\s+|\n+", narrative):
            pending += self.vocabulary.index_text(normalise_for_classifier(piece))
            if len(pending) >= self.config.min_sentence_words:
                out.append(pending)
                pending = []
        if pending:
            if out and len(pending) < self.config.min_sentence_words:
                out[-1] = out[-1] + pending
            else:
                out.append(pending)
        return out

    def factcheck(self, factcheck_id: str) -> FactCheck:
        """A loaded fact-check by id."""
        return self.factchecks[self._by_id[factcheck_id]]

    # --- scoring ---------------------------------------------------------------------------------------

    def _gather(self, ids: set[int], *, floor: bool = True) -> list[int]:
        """The texts worth a re-score for a post with these word ids, closest first: those whose
        matched prefix could still reach ``min_containment``, then only those whose exact (IDF)
        containment does, at most ``rescore`` of them."""
        postings, idf = self._postings, self._idf
        gathered: dict[int, float] = {}
        for word in ids:
            texts = postings.get(word)
            if texts is not None:
                weight = idf[word]
                for text_id in texts:
                    gathered[text_id] = gathered.get(text_id, 0.0) + weight
        if not gathered:
            return []
        need, total, plain, start = self._need, self._total, self._plain, self._start
        least = self.config.min_containment if floor else 0.0
        # The matched prefix's share of a text ranks the texts cheaply; the exact containment is then
        # counted for the first ``prescreen`` only (a post reaches ~20 texts through its rare words).
        ranked = nlargest(self.config.prescreen, [(weight / total[t], t, weight) for t, weight in gathered.items()])
        scored = []
        for _, text_id, weight in ranked:
            if floor and weight < need[text_id]:
                continue
            common = ids.intersection(plain[start[text_id]:start[text_id + 1]])
            containment = sum(map(idf.__getitem__, common)) / total[text_id]
            if containment >= least:
                scored.append((containment, text_id))
        if not scored:
            return []
        scored.sort(reverse=True)
        # Texts far behind the closest one are not re-scored: they would need the features to rescue a
        # containment much lower than another text's, and each re-score costs a few microseconds.
        least = max(least, scored[0][0] - self.config.rescore_margin) if floor else least
        return [text_id for containment, text_id in scored[:self.config.rescore] if containment >= least]

    def _gather_many(self, posts: Sequence[_Post]) -> list[list[int]]:
        """``_gather`` for a batch, in C: posts × words times words × texts gives every text's matched
        prefix weight, the best ``prescreen`` per post by its share are kept, and their exact containment
        comes from the posts' and the texts' word rows multiplied element-wise. Same rules, same result."""
        config, n = self.config, len(posts)
        lengths = np.fromiter((len(p.ids) for p in posts), np.int64, n)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(p.ids for p in posts), np.int32, int(indptr[-1]))
        words = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, len(self.vocabulary.words)))
        hits = (words @ self._prefix).tocsr()
        if hits.nnz == 0:
            return [[] for _ in posts]
        row = np.repeat(np.arange(n), np.diff(hits.indptr))
        text = hits.indices
        share = hits.data / self._total_np[text]
        order = np.lexsort((-text, -share, row))
        rank = np.arange(len(order)) - hits.indptr[row[order]]
        keep = order[(rank < config.prescreen) & (hits.data[order] >= self._need_np[text[order]])]
        row, text = row[keep], text[keep]
        held = np.asarray(words[row].multiply(self._text_words[text]).sum(axis=1)).ravel()
        containment = held / self._total_np[text]
        good = containment >= config.min_containment
        row, text, containment = row[good], text[good], containment[good]
        order = np.lexsort((-text, -containment, row))
        out: list[list[tuple[float, int]]] = [[] for _ in posts]
        for r, t, c in zip(row[order].tolist(), text[order].tolist(), containment[order].tolist(), strict=True):
            chosen = out[r]
            if not chosen:
                chosen.append((c, t))
            elif len(chosen) < config.rescore and c >= chosen[0][0] - config.rescore_margin:
                chosen.append((c, t))
        return [[t for _, t in chosen] for chosen in out]

    def _text(self, text_id: int) -> _Text:
        """What the re-scorer needs of a text, computed on first use and kept for the next posts."""
        found = self._texts.get(text_id)
        if found is not None:
            return found
        if len(self._texts) >= _TEXT_CACHE:
            self._texts.clear()
        stored = self._words[self._start[text_id]:self._start[text_id + 1]]
        words = tuple(w if w >= 0 else ~w for w in stored)
        predicate = tuple(w < 0 for w in stored)
        idf, boost = self._idf, self.config.predicate_boost
        weights = tuple(idf[w] * (boost if p else 1.0) for w, p in zip(words, predicate, strict=True))
        found = self._texts[text_id] = _Text(
            words=words, predicate=predicate, weights=weights, total=sum(weights),
            predicate_total=sum(x for x, p in zip(weights, predicate, strict=True) if p),
            negated=any(w in self.vocabulary.negations for w in words),
            numbers=frozenset(words) & self._numbers, word_set=frozenset(words))
        return found

    def _features(self, text_id: int, post: _Post, ids: set[int]) -> tuple[list[float], float] | None:
        """The re-scorer's features for one (post, text) pair and the weighted share of the text the post
        holds; ``None`` when the post holds too few of the text's words, or leaves out its negation.

        A long post (a chain message, a long caption) states a claim in one place: the features are
        measured in the *window* of the post that holds the most of the text's words, at most about
        twice the text's length, so the rest of a long post neither helps nor hurts."""
        text = self._text(text_id)
        words = text.words
        least = min(self.config.min_words, len(words))
        view = self._view(post)
        positions = view.positions
        events = sorted((at, w) for w in text.word_set if w in ids for at in positions[w])
        if len(events) < least:
            return None
        span = 2 * len(words) + 6
        if events[-1][0] - events[0][0] < span:
            start, end = events[0][0], events[-1][0]
            inside = {w for _, w in events}
        else:
            start, end = self._window(events, span)
            inside = {w for at, w in events if start <= at <= end}
        held = [w in inside for w in words]
        matched = len(inside)
        if matched < least:
            return None
        weights, predicate = text.weights, text.predicate
        kept = pred_kept = 0.0
        for x, p, h in zip(weights, predicate, held, strict=True):
            if h:
                kept += x
                if p:
                    pred_kept += x
        post_negated = any(start - 3 <= at <= end + 1 for at in view.negations)
        # A negated claim needs a negation in the post, or a word that says no (batal, gugur, dilarang):
        # "KTP-el lama bisa dipakai" holds every word of "KTP-el lama tidak bisa dipakai" but its point.
        if text.negated and not (post_negated or any(start - 3 <= at <= end + 1 for at in view.refusals)):
            return None
        number_conflict = False
        if text.numbers and not text.numbers <= inside:
            number_conflict = any(start - 2 <= at <= end + 2 and w not in text.numbers for at, w in view.numbers)
        content = view.content
        last = len(content) - 1
        around = content[min(end + 1 + _AROUND, last)] - content[max(start - _AROUND, 0)]
        return [
            matched / len(words),
            pred_kept / text.predicate_total if text.predicate_total else 1.0,
            min(matched / around, 1.0) if around else 0.0,
            math.log1p(matched),
            float(post_negated and not text.negated),
            float(text.predicate_total > 0 and pred_kept == 0),
            float(number_conflict),
            float(text.predicate_total == 0),
        ], kept / text.total

    @staticmethod
    def _window(events: list[tuple[int, int]], span: int) -> tuple[int, int]:
        """The token range, at most ``span`` long, holding the most distinct words of ``events``
        ((position, word) pairs in position order); the earliest such range."""
        counts: dict[int, int] = {}
        distinct = first = 0
        best = (-1, 0, 0)
        for at, word in events:
            counts[word] = counts.get(word, 0) + 1
            distinct += counts[word] == 1
            while at - events[first][0] >= span:
                gone = events[first][1]
                counts[gone] -= 1
                distinct -= counts[gone] == 0
                first += 1
            if distinct > best[0]:
                best = (distinct, events[first][0], at)
        return best[1], best[2]

    def _view(self, post: _Post) -> _View:
        """Where each known word, negation and number stands in the post, and how many content tokens
        precede each position (computed once per post, only for posts that reach a re-score)."""
        view = post.view
        if view is None:
            memo, info = self._tokens.get, self._info
            positions: dict[int, list[int]] = {}
            content = [0]
            count = 0
            for at, token in enumerate(post.tokens):
                found, carries = memo(token) or info(token)
                for word in found:
                    if word in positions:
                        positions[word].append(at)
                    else:
                        positions[word] = [at]
                count += carries
                content.append(count)
            negations = self.vocabulary.negations.intersection(positions)
            refusals = self.vocabulary.refusals.intersection(positions)
            numbers = self._numbers.intersection(positions)
            view = post.view = _View(
                positions, sorted(at for word in negations for at in positions[word]) if negations else [],
                sorted(at for word in refusals for at in positions[word]) if refusals else [],
                [(at, word) for word in numbers for at in positions[word]] if numbers else [], content)
        return view

    def _info(self, token: str) -> tuple[tuple[int, ...], bool]:
        """A lower-cased token's word ids and whether it carries content (not a function word, not an
        emoji); kept for the next posts (a stream's words repeat)."""
        found = self._tokens.get(token)
        if found is None:
            if len(self._tokens) >= _TOKEN_CACHE:
                self._tokens.clear()
            folded = fold(token)
            value = self.vocabulary.table.get(folded)
            ids = () if value is None else self.vocabulary.expansions[value - EXPANDED] if value >= EXPANDED else (value,)
            found = self._tokens[token] = (ids, token[:1].isalnum() and folded not in self._stops)
        return found

    def _score(self, features: Sequence[float]) -> float:
        z = self.config.bias + sum(w * x for w, x in zip(self.config.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def _best(self, post: _Post, ids: set[int], texts: Iterable[int]) -> dict[int, _Scored]:
        """The best-scored text per fact-check among ``texts``."""
        best: dict[int, _Scored] = {}
        fc = self._fc
        for text_id in texts:
            found = self._features(text_id, post, ids)
            if found is None:
                continue
            features, containment = found
            score = self._score(features)
            current = best.get(fc[text_id])
            if current is None or score > current.score:
                best[fc[text_id]] = _Scored(score, text_id, features, containment)
        return best

    def _raised(self, post: _Post, texts: list[int]) -> list[_Scored]:
        """Each fact-check the post is raised for, best first.

        The best fact-check is explained first; another is raised only if it still passes on the
        post's words the ones before it did not explain (a post repeating one claim shares some
        words with its neighbours, and those words must not count twice)."""
        if not texts:
            return []
        threshold = self.config.threshold
        best = self._best(post, post.ids, texts)
        ranked = sorted((entry for entry in best.values() if entry.score >= threshold), key=lambda e: -e.score)
        if len(ranked) <= 1:
            return ranked
        out = [ranked[0]]
        left = post.ids - self._text(ranked[0].text).word_set
        for entry in ranked[1:]:
            again = self._features(entry.text, post, left)
            if again is not None and (score := self._score(again[0])) >= threshold:
                out.append(_Scored(score, entry.text, again[0], again[1]))
                left -= self._text(entry.text).word_set
        return out

    # --- the public API --------------------------------------------------------------------------------

    def _posts(self, texts: Sequence[str], prepared: Sequence[str] | None) -> list[_Post]:
        """Posts → their folded tokens and word ids, the whole batch through one fold pass."""
        classifier = prepared if prepared is not None else [normalise_for_classifier(t) for t in texts]
        joined = fold("\n".join(classifier).replace("-", " ").replace("'", " "))
        lines = joined.split("\n")
        if len(lines) != len(classifier):  # a classifier text never holds a newline; guard all the same
            lines = [fold(" ".join(split_joined(text))) for text in classifier]
        post_ids = self.vocabulary.post_ids
        out = []
        for line in lines:
            tokens = line.split()
            out.append(_Post(post_ids(tokens), tokens))
        return out

    def match_many(self, texts: Sequence[str], prepared: Sequence[str] | None = None) -> list[MatchResult]:
        """``match`` for a batch. ``prepared``: the posts' classifier text (``pipelines.tagging.text.prepare``
        gives it as its second value), if the caller has it, so the posts are not normalised twice."""
        if prepared is not None and len(prepared) != len(texts):
            msg = f"{len(texts)} texts but {len(prepared)} prepared texts"
            raise ValueError(msg)
        results: list[MatchResult] = []
        empty = MatchResult()
        posts = self._posts(texts, prepared)
        gathered = self._gather_many(posts) if len(posts) >= _BATCH_IN_C else [self._gather(p.ids) for p in posts]
        for text, post, candidates in zip(texts, posts, gathered, strict=True):
            raised = self._raised(post, candidates)
            if not raised:
                results.append(empty)
                continue
            results.append(MatchResult(tuple(self._match(post, entry) for entry in raised), debunk_cue(text)))
        return results

    def match(self, text: str) -> MatchResult:
        """The fact-checks ``text`` repeats, best first, and whether the post debunks them."""
        return self.match_many([text])[0]

    def candidates(self, text: str, limit: int = 5, floor: float = 0.2) -> list[Match]:
        """The closest fact-checks with their scores, whether or not they pass (for an operator's look):
        those sharing a rare word with the post whose texts it holds ``floor`` of the weight of."""
        (post,) = self._posts([text], None)
        texts = self._gather(post.ids, floor=False)
        best = self._best(post, post.ids, texts)
        ranked = sorted((e for e in best.values() if e.containment >= floor), key=lambda e: -e.score)[:limit]
        return [self._match(post, entry) for entry in ranked]

    def features(self, text: str) -> list[tuple[str, list[float]]]:
        """(fact-check id, re-scorer features) of every candidate the post reaches (to fit the re-scorer)."""
        (post,) = self._posts([text], None)
        best = self._best(post, post.ids, self._gather(post.ids))
        return [(self.factchecks[index].factcheck_id, entry.features) for index, entry in best.items()]

    def _match(self, post: _Post, entry: _Scored) -> Match:
        score, text_id, _, containment = entry
        words = self._text(text_id).words
        names = self.vocabulary.words
        return Match(self.factchecks[self._fc[text_id]].factcheck_id, round(min(score, 1.0), 4),
                     "claim" if self._kind[text_id] == 0 else "narrative",
                     tuple(names[w] for w in words if w in post.ids), tuple(names[w] for w in words if w not in post.ids),
                     containment=round(containment, 4))

    def span(self, text: str, match: Match) -> tuple[int, int]:
        """Characters of ``text`` from the first to the last word of the match (for showing it); computed
        here, not while matching, because only raised posts are ever shown."""
        wanted = {self.vocabulary.ids[word] for word in match.matched_words if word in self.vocabulary.ids}
        info = self._info
        hits = [(m.start(), m.end()) for m in _SPAN_WORD.finditer(text)
                if any(wanted.intersection(info(part)[0]) for part in split_joined(m.group().lower()))]
        return (hits[0][0], hits[-1][1]) if hits else (0, 0)

    def explain(self, text: str, match: Match) -> FactCheckMatch:
        """The match as a post carries it: the fact-check's title, rating, link, and why it matched."""
        factcheck = self.factcheck(match.factcheck_id)
        start, end = self.span(text, match)
        return FactCheckMatch(
            factcheck_id=factcheck.factcheck_id, claim=factcheck.claim, title=factcheck.title, url=factcheck.url,
            rating=factcheck.rating, verdict=factcheck.verdict, publisher=factcheck.publisher,
            published_at=factcheck.published_at, score=match.score, matched=text[start:end], reason=match.reason[:1000])


_SPAN_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")



def word_jaccard_baseline(factchecks: Sequence[FactCheck], threshold: float = 0.3) -> Callable[[str], list[str]]:
    """The baseline the evaluation compares with: plain word-set Jaccard between the post and each
    claim or narrative (lower case, words only, no slang map, no weights), above ``threshold``."""
    word = re.compile(r"[^\W_]+")
    texts = [(fc.factcheck_id, set(word.findall(t.lower()))) for fc in factchecks if fc.verdict in DEBUNKED
             for t in (fc.claim, *fc.narratives)]

    def matches(text: str) -> list[str]:
        post = set(word.findall(text.lower()))
        found: dict[str, float] = {}
        for factcheck_id, words in texts:
            union = len(post | words)
            score = len(post & words) / union if union else 0.0
            if score >= threshold and score > found.get(factcheck_id, 0.0):
                found[factcheck_id] = score
        return sorted(found, key=lambda fid: -found[fid])

    return matches
