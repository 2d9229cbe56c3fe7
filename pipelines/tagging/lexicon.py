"""Indonesian words as people type them → the words a dictionary knows: slang, stretched letters, stems.

One lexicon for every normaliser that compares words (search in ``pipelines.tagging.search``;
the risk models' normalisation and the claim matcher are meant to move onto it):

- ``fold(text)``: lower case, and letters repeated for emphasis folded back to the word they
  stretch (``bangeeet`` → ``banget``, ``jgnnn`` → ``jgn``), while real double letters stay
  (``saat``, ``maaf``, ``tinggi`` are words as they are);
- ``standard(word)``: a folded word mapped through the slang dictionary (``jgn`` → ``jangan``,
  ``udh`` → ``sudah``), following a value that is itself slang one step (``bkln`` → ``bakalan``
  → ``akan``);
- ``stem(word)``: Sastrawi's dictionary stemmer (``mencoblos``, ``dicoblos``, ``coblosan`` →
  ``coblos``), plus the Jakarta forms it does not know (``nyoblos``, ``dicoblosin`` → ``coblos``),
  behind a bounded cache.

The slang map is ``slang.tsv`` (derived from the kamusalay dictionary of Ibrohim & Budi 2019,
CC BY-NC-SA 4.0; see ``pipelines/tagging/slang.py``). It maps some real words too (``kaya``, rich,
→ ``kayak``; ``cabut`` → ``pergi``): ``forms(word)`` keeps a word the stemmer's dictionary knows
beside its mapping, so a search for ``kaya`` still finds it.

Cost. Sastrawi needs ~5 us for a word already in its dictionary and ~50 us for an affixed one
(~0.5 ms a sentence), where the stream tags ~15,000 posts a second on one core. Words follow
Zipf's law, so the stemmer runs once per distinct word and a bounded LRU cache answers the
repeats (``cache_size`` words, ~250 bytes each). Sastrawi's own ``CachedStemmer`` keeps every
word it ever saw, which in a process that runs for weeks is a leak: only its uncached stemmer
is used here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from pipelines.tagging import slang

STEM_CACHE_SIZE = 65_536
"""Distinct words whose stems a lexicon remembers: the 2019 tweets (10,535) hold ~23,000 distinct
words, a month of an election stream a few times that; the rarest are the ones recomputed."""

KEEP: frozenset[str] = frozenset({
    # Election words Sastrawi takes apart: pemilu → milu (a Sundanese word for "ikut").
    "pemilu", "pemilukada", "pilkada", "pilpres", "pileg", "pilgub", "pilbup", "pilwalkot", "paslon", "capres",
    "cawapres", "cagub", "cawagub", "cabup", "cawabup", "caleg", "golput", "hoaks", "hoax", "kpu", "kpud", "bawaslu",
    "dkpp", "tps", "dpt", "ppk", "pps", "kpps", "timses",
})
"""Words never stemmed, and known words of their own (``#pilkadadamai`` splits on ``pilkada``)."""

MAX_WORD_CHARS = 40
"""Longer "words" are kept as they are, uncached: the longest Indonesian words run to ~25 letters
(ketidakbertanggungjawaban), and a 10,000-letter token must cost neither the stemmer's time nor
a cache entry's memory."""

_RUN = re.compile(r"([^\W\d_])\1++")
_WORD = re.compile(r"[^\W_]++")
_REDUPLICATED = re.compile(r"([^\W\d_]{2,})2")
"""``anak2``, ``org2``: the digit 2 written for a reduplicated word (``anak-anak``)."""
MAX_FOLD_RUNS = 4
"""Stretched runs in one word tried in every combination (2^4 candidates); beyond, runs of three
or more letters fold to one and doubles stay."""

# Hashtag parts: a part is a dictionary word, or a root with one of these affixes around it
# (pendatang = pen + datang, selamatkan = selamat + kan, pemilih = pem + pilih).
_PREFIXES: dict[str, tuple[str, ...]] = {
    "di": ("",), "ter": ("",), "ber": ("",), "ke": ("",), "se": ("",), "per": ("",), "me": ("",), "pe": ("",),
    "mem": ("", "p"), "pem": ("", "p"), "men": ("", "t"), "pen": ("", "t"), "meng": ("", "k"), "peng": ("", "k"),
    "meny": ("s",), "peny": ("s",),
}
_SUFFIXES = ("kan", "an", "i", "nya")
MAX_HASHTAG_LETTERS = 30
"""Longer runs of letters in a hashtag are not split (the search is quadratic in the length)."""
MAX_HASHTAG_PARTS = 4
MIN_PART_LETTERS = 4
"""Shorter dictionary words (kpu and the other ``KEEP`` words aside) split too eagerly: with
three-letter parts ``relawan`` would be ``rela wan``, ``sunset`` ``sun set`` and
``literasidigital`` ``liter asi digital``."""
_CHUNK = re.compile(r"[^\W\d_]++|\d++")

# Jakarta forms Sastrawi does not take apart: the bare nasal prefix (nyoblos = mencoblos) and -in
# (coblosin = coblosi/coblokan). Each prefix with the first letters the nasal replaced.
_NASAL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nge", ("",)), ("ny", ("c", "s")), ("ng", ("", "k")), ("n", ("t",)), ("m", ("p",)),
)


@lru_cache(maxsize=1)
def sastrawi_dictionary() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words (~29,900, from KBBI), as shipped with pysastrawi.

    Loaded once per process and shared: search's stemmer here and the claim matcher's
    ``pipelines.factchecks.morphology`` accept a stem only if it is one of these roots."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(word for word in StemmerFactory().get_words() if word)


def sastrawi_stem_word() -> Callable[[str], str]:
    """Sastrawi's stemmer for one lower-case word, without its unbounded cache."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words())).stem_word


class Lexicon:
    """The slang map, the root dictionary and the stemmer, loaded once; every lookup cached and bounded."""

    def __init__(self, slang_map: dict[str, str] | None = None, roots: Iterable[str] | None = None, *,
                 stem_word: Callable[[str], str] | None = None, keep: Iterable[str] = KEEP,
                 cache_size: int = STEM_CACHE_SIZE) -> None:
        self.roots: frozenset[str] = frozenset(sastrawi_dictionary() if roots is None else roots)
        self.keep: frozenset[str] = frozenset(keep)
        self._stem_word = stem_word or sastrawi_stem_word()
        source = slang.shipped() if slang_map is None else slang_map
        self.slang: dict[str, str] = {}
        for key, value in source.items():
            # A value that is itself slang is followed one step (bkln → bakalan → akan), unless it is a word.
            onward = source.get(value)
            if onward is not None and onward != key and value not in self.roots:
                value = onward
            if value != key:
                self.slang[key] = value
        self.standard_words: frozenset[str] = frozenset(self.slang.values())
        # Words as a dictionary writes them: what folding stretched letters aims at.
        self._real = self.roots | self.keep | self.standard_words
        self._stem = lru_cache(maxsize=cache_size)(self._stem_uncached)
        self._fold_word = lru_cache(maxsize=cache_size)(self._fold_uncached)

    # --- folding -----------------------------------------------------------------------------

    def fold(self, text: str) -> str:
        """``text`` lower-cased, with every word's stretched letters folded (``Bangeeet`` → ``banget``)."""
        return _WORD.sub(lambda m: self.fold_word(m.group()), text.lower())

    def fold_word(self, word: str) -> str:
        """One lower-case word with its stretched letters folded back to a word the lexicon knows."""
        if len(word) > MAX_WORD_CHARS or not _RUN.search(word):
            return word
        return self._fold_word(word)

    def _fold_uncached(self, word: str) -> str:
        runs = [(m.start(), m.end()) for m in _RUN.finditer(word)]
        stretched = any(end - start > 2 for start, end in runs)
        # No Indonesian word triples a letter, but many double one (saat, maaf, menggunakan): a word
        # with doubles only stays when it is a word, affixed or not.
        if not stretched and (word in self._real or self.stem(word) != word):
            return word
        if len(runs) <= MAX_FOLD_RUNS:
            candidates = [_rebuild(word, runs, keep) for keep in itertools.product(*([(2, 1)] * len(runs)))]
            candidates = [c for c in dict.fromkeys(candidates) if c != word]
            # A word first, keeping as many letters as possible (saaat is saat before sat)...
            for candidate in sorted(candidates, key=len, reverse=True):
                if candidate in self._real or self.stem(candidate) != candidate:
                    return candidate
            # ...then a slang spelling, folding as far as possible (jgnnn is jgn before jgnn).
            for candidate in sorted(candidates, key=len):
                if candidate in self.slang:
                    return candidate
        if word in self.slang:
            return word
        # Nothing known: emphasis (three or more) folds to one letter, a double stays (names: muhammad).
        return _rebuild(word, runs, tuple(1 if end - start > 2 else 2 for start, end in runs))

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a dictionary root, a slang key or value, a kept word, or an affixed root."""
        return word in self._real or word in self.slang or self.stem(word) != word

    # --- slang -------------------------------------------------------------------------------

    def standard(self, word: str) -> str:
        """The standard form of one word: folded, then slang → standard (``jgnnn`` → ``jangan``)."""
        return self.forms(word)[-1]

    def forms(self, word: str) -> tuple[str, ...]:
        """The forms one word is found by: its folded spelling if that is a word, then its standard form.

        ``jgn`` → ``("jangan",)``; ``kaya`` (a root the slang map sends to ``kayak``) → ``("kaya",
        "kayak")``; ``mencoblos`` → ``("mencoblos",)``. The first is the one a query searches for.
        """
        folded = self.fold_word(word.lower())
        mapped = self.slang.get(folded)
        if mapped is None:
            twice = _REDUPLICATED.fullmatch(folded)
            return (twice.group(1),) if twice else (folded,)
        if folded in self.roots:
            return (folded, mapped)
        return (mapped,)

    # --- stems -------------------------------------------------------------------------------

    def stem(self, word: str) -> str:
        """The root of one lower-case standard word (``dicoblos`` → ``coblos``); the word itself if none."""
        return word if len(word) > MAX_WORD_CHARS else self._stem(word)

    def _stem_uncached(self, word: str) -> str:
        # Sastrawi reads only a-z; names, numbers and other scripts are kept as they are.
        if len(word) < 4 or word in self.roots or word in self.keep or not (word.isascii() and word.isalpha()):
            return word
        stem = self._stem_word(word)
        if stem != word and stem:
            return stem
        return self._colloquial(word) or word

    def _colloquial(self, word: str) -> str | None:
        bodies = [word]
        if word.endswith("in") and len(word) >= 6:
            body = word[:-2]
            if body in self.roots:
                return body
            stem = self._stem_word(body)
            if stem != body:
                return stem
            bodies.insert(0, body)
        for body in bodies:
            for prefix, heads in _NASAL:
                if body.startswith(prefix) and len(body) - len(prefix) >= 3:
                    rest = body[len(prefix):]
                    for head in heads:
                        if head + rest in self.roots:
                            return head + rest
        return None

    # --- hashtags ----------------------------------------------------------------------------

    def split_hashtag(self, tag: str) -> tuple[str, ...]:
        """The words a compound hashtag is made of, or ``()`` when it is one word or does not split cleanly.

        ``tolakpendatang`` → ``(tolak, pendatang)``, ``2019gantipresiden`` → ``(2019, ganti, presiden)``,
        ``asri02`` → ``(asri, 02)``. Letters split only into dictionary words (or affixed roots) of at
        least four letters, at most four of them, the fewest that cover the run; a run that does not
        split so (a name: ``bongkarasep``) stays whole. A wrong split would make a search find posts
        that do not say what was searched, so the rule errs towards not splitting.
        """
        parts: list[str] = []
        for chunk in _CHUNK.findall(tag.lower()):
            if chunk.isdigit():
                parts.append(chunk)
            else:
                parts.extend(self._split_letters(chunk) or (chunk,))
        return tuple(parts) if len(parts) > 1 else ()

    def _split_letters(self, run: str) -> tuple[str, ...] | None:
        n = len(run)
        if n < 6 or n > MAX_HASHTAG_LETTERS:
            return None
        # best[i]: (cost, start of the last part) of the cheapest cover of run[:i]. A part costs 1000
        # plus its length squared: the fewest parts first, then the most even ones (umat bersama
        # saksi, not umat bersamas aksi); additive, so the cheapest cover is built left to right.
        best: list[tuple[int, int] | None] = [None] * (n + 1)
        best[0] = (0, 0)
        for end in range(3, n + 1):
            for start in range(end - 3, -1, -1):
                before = best[start]
                if before is None:
                    continue
                cost = before[0] + 1000 + (end - start) ** 2
                current = best[end]
                if (current is None or cost < current[0]) and self._is_part(run[start:end]):
                    best[end] = (cost, start)
        last = best[n]
        if last is None or not 2 <= last[0] // 1000 <= MAX_HASHTAG_PARTS:
            return None
        parts, end = [], n
        while end:
            step = best[end]
            assert step is not None  # noqa: S101 - every part of the cover was reached from its start
            start = step[1]
            parts.append(run[start:end])
            end = start
        return tuple(reversed(parts))

    def _is_part(self, part: str) -> bool:
        if part in self.keep:
            return True
        if len(part) < MIN_PART_LETTERS:
            return False
        if part in self._real:
            return True
        roots = self.roots
        bodies = [part]
        for suffix in _SUFFIXES:
            if part.endswith(suffix) and len(part) - len(suffix) >= MIN_PART_LETTERS:
                body = part[: -len(suffix)]
                if body in roots:
                    return True
                bodies.append(body)
        for body in bodies:
            for prefix, heads in _PREFIXES.items():
                if body.startswith(prefix) and len(body) - len(prefix) >= MIN_PART_LETTERS - 1:
                    rest = body[len(prefix):]
                    if any(head + rest in roots for head in heads):
                        return True
        return False

    def cache_info(self) -> dict[str, object]:
        """Hits, misses and sizes of the stem and fold caches (for benches and ``/metrics``)."""
        return {"stem": self._stem.cache_info()._asdict(), "fold": self._fold_word.cache_info()._asdict()}


def _rebuild(word: str, runs: list[tuple[int, int]], keep: tuple[int, ...]) -> str:
    parts, last = [], 0
    for (start, end), count in zip(runs, keep, strict=True):
        parts.append(word[last:start] + word[start] * min(count, end - start))
        last = end
    parts.append(word[last:])
    return "".join(parts)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The process's lexicon: the shipped slang map, Sastrawi's dictionary and stemmer (~0.2 s to load)."""
    return Lexicon()


def fold(text: str) -> str:
    """``text`` lower-cased with stretched letters folded, by the default lexicon."""
    return default_lexicon().fold(text)


def standard(word: str) -> str:
    """One word's standard form (folded, slang mapped), by the default lexicon."""
    return default_lexicon().standard(word)


def stem(word: str) -> str:
    """One standard word's root, by the default lexicon."""
    return default_lexicon().stem(word)
